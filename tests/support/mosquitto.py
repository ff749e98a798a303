"""A real mosquitto broker on a free loopback port, started and stopped by a test."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_for_port(port: int, timeout_s: float = 10.0, host: str = "127.0.0.1") -> None:
    """Block until something accepts TCP connections on the port."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on {host}:{port} after {timeout_s} s")


@dataclass
class Mosquitto:
    """A mosquitto process with its own config file; `extra_conf` lines are appended."""

    workdir: Path
    port: int = field(default_factory=free_port)
    extra_conf: str = "allow_anonymous true\n"
    listener_options: str = ""
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        scheme = "mqtts" if "certfile" in self.listener_options else "mqtt"
        return f"{scheme}://127.0.0.1:{self.port}"

    def start(self) -> Mosquitto:
        """Start (or restart on the same port) and wait until it accepts connections."""
        exe = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
        self.workdir.mkdir(parents=True, exist_ok=True)
        conf = self.workdir / "mosquitto.conf"
        conf.write_text(
            f"listener {self.port} 127.0.0.1\n{self.listener_options}"
            f"persistence false\nlog_dest file {self.workdir / 'mosquitto.log'}\n"
            f"log_type error\nlog_type warning\nlog_type notice\n{self.extra_conf}"
            # Run as root, mosquitto drops to user `mosquitto`, which cannot read the test's
            # private tmp folder (password file, ACL, certificates, log).
            + ("user root\n" if os.geteuid() == 0 else "")
        )
        self.process = subprocess.Popen(
            [exe, "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            wait_for_port(self.port)
        except TimeoutError as exc:
            self.stop()
            log = self.workdir / "mosquitto.log"
            detail = log.read_text() if log.exists() else ""
            raise RuntimeError(f"mosquitto did not start: {detail}") from exc
        return self

    def stop(self) -> None:
        """Stop the broker; safe to call twice."""
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None


# -- security helpers: password file, ACL, TLS certificates (used by tests/edge/...) ------


def write_password_file(path: Path, users: dict[str, str]) -> Path:
    """A mosquitto password file (hashed by mosquitto_passwd) for `users` {name: password}."""
    exe = shutil.which("mosquitto_passwd") or "/usr/bin/mosquitto_passwd"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("")
    for name, password in users.items():
        subprocess.run([exe, "-b", str(path), name, password], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return path


def write_spec_acl(path: Path, central_user: str = "central") -> Path:
    """The ACL of specs/mqtt.md: each agent writes its own up/#, reads its own down/#; the
    central user reads every up/# and writes every down/#."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "pattern write enf/v1/+/%u/up/#\n"
        "pattern read enf/v1/+/%u/down/#\n"
        f"user {central_user}\n"
        "topic read enf/v1/+/+/up/#\n"
        "topic write enf/v1/+/+/down/#\n")
    return path


@dataclass(frozen=True)
class TlsFiles:
    """A self-signed CA, a server certificate for 127.0.0.1 and one client certificate."""

    ca: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path

    def listener_options(self, require_certificate: bool = True) -> str:
        return (f"cafile {self.ca}\ncertfile {self.server_cert}\nkeyfile {self.server_key}\n"
                f"require_certificate {'true' if require_certificate else 'false'}\n")


def make_tls_files(folder: Path, client_cn: str = "site-1") -> TlsFiles:
    """Generate the CA, server and client certificates (EC P-256, valid for one day)."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    folder.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.UTC)

    def name(cn: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])

    def save(key: ec.EllipticCurvePrivateKey, cert: x509.Certificate, stem: str
             ) -> tuple[Path, Path]:
        cert_path, key_path = folder / f"{stem}.crt", folder / f"{stem}.key"
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                               serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))
        key_path.chmod(0o600)
        return cert_path, key_path

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = (x509.CertificateBuilder().subject_name(name("test-ca")).issuer_name(name("test-ca"))
               .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(minutes=5))
               .not_valid_after(now + datetime.timedelta(days=1))
               .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
               .sign(ca_key, hashes.SHA256()))
    ca_path, _ = save(ca_key, ca_cert, "ca")

    def leaf(cn: str, stem: str, server: bool) -> tuple[Path, Path]:
        key = ec.generate_private_key(ec.SECP256R1())
        builder = (x509.CertificateBuilder().subject_name(name(cn)).issuer_name(ca_cert.subject)
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now - datetime.timedelta(minutes=5))
                   .not_valid_after(now + datetime.timedelta(days=1))
                   .add_extension(x509.BasicConstraints(ca=False, path_length=None),
                                  critical=True))
        if server:
            builder = builder.add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                 x509.DNSName("localhost")]), critical=False)
        return save(key, builder.sign(ca_key, hashes.SHA256()), stem)

    server_cert, server_key = leaf("127.0.0.1", "server", True)
    client_cert, client_key = leaf(client_cn, "client", False)
    return TlsFiles(ca_path, server_cert, server_key, client_cert, client_key)
