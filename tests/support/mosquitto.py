"""A real mosquitto broker on a free loopback port, started and stopped by a test."""

from __future__ import annotations

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
