"""The demo's broker: mosquitto when installed (MQTT 5), else amqtt (pure Python, MQTT 3.1.1)."""

from __future__ import annotations

import importlib.util
import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from edge.demo.configs import free_port
from edge.demo.processes import spawn
from edge.errors import EdgeError


@dataclass
class BrokerProcess:
    name: str  # "mosquitto" or "amqtt"
    url: str
    protocol: str  # what the agents must speak to it: "5" or "3.1.1"
    process: subprocess.Popen[bytes]
    log: Path


def find_mosquitto() -> str | None:
    """The mosquitto executable (Debian puts it in /usr/sbin, often not on a user's PATH)."""
    found = shutil.which("mosquitto")
    if found:
        return found
    return "/usr/sbin/mosquitto" if os.access("/usr/sbin/mosquitto", os.X_OK) else None


def start_broker(workdir: Path, prefer: str = "auto", timeout_s: float = 15.0) -> BrokerProcess:
    """Start a loopback broker on a free port; `prefer`: auto, mosquitto or amqtt."""
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    mosquitto = find_mosquitto() if prefer in ("auto", "mosquitto") else None
    if prefer == "mosquitto" and mosquitto is None:
        raise EdgeError("mosquitto is not installed (apt install mosquitto, or --broker amqtt)")
    log = workdir / "broker.log"
    if mosquitto is not None:
        conf = workdir / "mosquitto.conf"
        conf.write_text(
            f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n"
            # The receiver's persistent session may queue a burst while it catches up.
            "max_queued_messages 10000\n"
            f"log_dest file {log}\nlog_type error\nlog_type warning\nlog_type notice\n"
            # As root, mosquitto would drop to user `mosquitto`, who cannot write our folder.
            + ("user root\n" if os.geteuid() == 0 else ""))
        proc = spawn([mosquitto, "-c", str(conf)], workdir / "broker.out")
        broker = BrokerProcess("mosquitto", f"mqtt://127.0.0.1:{port}", "5", proc, log)
    else:
        if importlib.util.find_spec("amqtt") is None:
            raise EdgeError("neither mosquitto nor amqtt is installed "
                            "(apt install mosquitto, or pip install -e '.[demo]')")
        conf = workdir / "amqtt.yaml"
        conf.write_text(
            "listeners:\n  default:\n    type: tcp\n"
            f"    bind: 127.0.0.1:{port}\n"
            "plugins:\n  amqtt.plugins.authentication.AnonymousAuthPlugin:\n"
            "    allow_anonymous: true\n")
        exe = Path(sys.executable).parent / "amqtt"
        argv = [str(exe)] if exe.exists() else [sys.executable, "-m",
                                                 "amqtt.scripts.broker_script"]
        proc = spawn([*argv, "-c", str(conf)], log)
        broker = BrokerProcess("amqtt", f"mqtt://127.0.0.1:{port}", "3.1.1", proc, log)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise EdgeError(f"{broker.name} exited at start ({proc.returncode}); see {log}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return broker
        except OSError:
            time.sleep(0.1)
    proc.kill()
    proc.wait()
    raise EdgeError(f"{broker.name} does not listen on port {port} after {timeout_s:.0f} s")
