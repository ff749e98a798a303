"""`edge demo`: a broker, the central receiver, a WIM site and a patrol vessel on simulators.

Every part is a child process in its own process group (so a Ctrl-C reaches only the demo,
which then stops the parts in order: agents first, so they flush, then simulators, receiver
and broker). Logs, configs, databases, evidence and PNGs all land in the output folder.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from edge.config.loader import load_config
from edge.demo.broker import BrokerProcess, start_broker
from edge.demo.configs import write_config
from edge.demo.processes import spawn, stop_process_group
from edge.demo.view import DemoPaths, Snapshot, gather, render
from edge.errors import EdgeError

log = logging.getLogger(__name__)

CLEAR = "\x1b[H\x1b[2J"


@dataclass
class Part:
    name: str
    argv: list[str]
    process: subprocess.Popen[bytes] | None = None
    exit_reported: bool = False


@dataclass
class DemoResult:
    snapshot: Snapshot
    failed_parts: list[str] = field(default_factory=list)


class Demo:
    """Start, watch and stop the whole demo; `run(stop)` blocks until the end."""

    def __init__(self, out: Path, *, minutes: float | None = None, broker: str = "auto",
                 record: bool = False, refresh_s: float = 0.25,
                 stream: TextIO | None = None) -> None:
        self.out = out.resolve()
        self.minutes = minutes
        self.broker_pref = broker
        self.record = record
        self.refresh_s = refresh_s
        self.stream = stream or sys.stdout
        self.live = self.stream.isatty() and os.environ.get("TERM", "") not in ("", "dumb")
        self.paths = DemoPaths(self.out, self.out / "central.sqlite",
                               self.out / "wim" / "sign", self.out / "vessel" / "screen",
                               self.out / "vessel" / "voice")
        self.parts: list[Part] = []
        self.broker: BrokerProcess | None = None
        self.kinds: dict[str, str] = {}
        self.notes: list[str] = []
        self.intruder_sent = False
        self.wim_config = self.out / "wim_site.yaml"
        self.vessel_config = self.out / "vessel.yaml"
        self.vessel_id = ""
        self.vessel_sims: Part | None = None
        self._recorders: list[threading.Thread] = []
        self._record_stop = threading.Event()

    # -- the parts ---------------------------------------------------------------------------

    def _start(self, name: str, *args: str) -> Part:
        part = Part(name, [sys.executable, "-m", *args])
        part.process = spawn(part.argv, self.out / "logs" / f"{name}.log")
        self.parts.append(part)
        return part

    def start(self) -> None:
        """Broker, receiver, simulators, then the agents once their devices listen."""
        self.out.mkdir(parents=True, exist_ok=True)
        self.broker = start_broker(self.out / "broker", self.broker_pref)
        url, protocol = self.broker.url, self.broker.protocol
        self.wim_config = write_config("wim_site.yaml", self.out, broker_url=url,
                                       protocol=protocol)
        self.vessel_config = write_config("vessel.yaml", self.out, broker_url=url,
                                          protocol=protocol, voice_dir=self.paths.voice_dir)
        wim, vessel = load_config(self.wim_config), load_config(self.vessel_config)
        self.kinds = {wim.device.id: "wim", vessel.device.id: "vessel"}
        self.vessel_id = vessel.device.id
        self._start("central", "edge.cli", "central", "--broker", url, "--db",
                    str(self.paths.central_db), "--protocol", protocol)
        self._start("wim-sims", "edge.demo.sims", "wim", "--config", str(self.wim_config),
                    "--png-dir", str(self.paths.sign_dir))
        self.vessel_sims = self._start("vessel-sims", "edge.demo.sims", "vessel", "--config",
                                       str(self.vessel_config), "--png-dir",
                                       str(self.paths.screen_dir))
        ports = [_port(wim.daq.url), _port(vessel.gnss.url),  # type: ignore[attr-defined]
                 _port(vessel.camera.url)]  # type: ignore[attr-defined]
        self._wait_ports(ports, 90.0)
        self._start("wim-agent", "edge.cli", "run", str(self.wim_config))
        self._start("vessel-agent", "edge.cli", "run", str(self.vessel_config))
        if self.record:
            self._start_recording(wim, vessel)

    def _start_recording(self, *configs: Any) -> None:
        from edge.recorder import record_site

        for cfg, path in zip(configs, (self.wim_config, self.vessel_config), strict=True):
            folder = self.out / "recordings" / cfg.kind
            thread = threading.Thread(target=record_site, name=f"demo record {cfg.kind}",
                                      args=(cfg, path, folder, None, self._record_stop))
            thread.start()
            self._recorders.append(thread)
            self.notes.append(f"recording {cfg.kind} inputs into {folder}")

    def _wait_ports(self, ports: list[int], timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        for port in ports:
            while True:
                self._check_parts()
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise EdgeError(f"the simulators do not listen on port {port} after "
                                        f"{timeout_s:.0f} s; see {self.out / 'logs'}") from None
                    time.sleep(0.2)

    def _check_parts(self) -> list[str]:
        """Names of parts that exited on their own (noted once each)."""
        dead = []
        for part in self.parts:
            if part.process is not None and part.process.poll() is not None:
                dead.append(part.name)
                if not part.exit_reported:
                    part.exit_reported = True
                    self.notes.append(f"! {part.name} exited ({part.process.returncode}); "
                                      f"see {self.out / 'logs' / (part.name + '.log')}")
        return dead

    def stop(self) -> None:
        """Stop everything, agents first; safe twice."""
        self._record_stop.set()
        for thread in self._recorders:
            thread.join()
        self._recorders.clear()
        order = ["wim-agent", "vessel-agent", "wim-sims", "vessel-sims", "central"]
        for name in order:
            for part in self.parts:
                if part.name == name and part.process is not None:
                    stop_process_group(part.process)
        if self.broker is not None:
            stop_process_group(self.broker.process)

    # -- the loop ---------------------------------------------------------------------------

    def run(self, stop: threading.Event) -> DemoResult:
        """Start, show the live view until `stop` or the time is up, stop, return the end state."""
        t0 = time.monotonic()
        end = None if self.minutes is None else t0 + self.minutes * 60
        failed: list[str] = []
        try:
            self.start()
            last_line = 0.0
            while not stop.is_set() and (end is None or time.monotonic() < end):
                failed = self._check_parts()
                snap = gather(self.paths, self.kinds)
                self._maybe_send_intruder(snap)
                elapsed = time.monotonic() - t0
                if self.live:
                    self.stream.write(CLEAR + "\n".join(render(snap, self.kinds, elapsed,
                                                               self.notes)) + "\n")
                    self.stream.write("Ctrl-C stops the demo\n")
                    self.stream.flush()
                elif elapsed - last_line >= 10.0 or last_line == 0.0:
                    last_line = elapsed or 0.001
                    self.stream.write(status_line(snap, self.kinds, elapsed) + "\n")
                    self.stream.flush()
                stop.wait(self.refresh_s if self.live else 1.0)
        finally:
            self.stop()
        return DemoResult(gather(self.paths, self.kinds), failed)

    def _maybe_send_intruder(self, snap: Snapshot) -> None:
        """Once the vessel agent reports health (GNSS and camera up), start the scene."""
        if self.intruder_sent:
            return
        dev = snap.devices.get(self.vessel_id)
        proc = self.vessel_sims.process if self.vessel_sims is not None else None
        if dev and dev.get("health") and proc is not None and proc.poll() is None:
            os.kill(proc.pid, signal.SIGUSR1)
            self.intruder_sent = True
            self.notes.append("a boat heads into the restricted 'Demo harbour' ahead of the "
                              "patrol boat")

    def summary(self, result: DemoResult) -> list[str]:
        s = result.snapshot
        wim_ok = s.records_by_kind.get("wim", (0, 0))[1]
        vessel_ok = s.records_by_kind.get("vessel", (0, 0))[1]
        received = export_received(self.paths.central_db, self.out / "received")
        lines = [
            f"edge demo: {s.passages} vehicles weighed ({s.overloaded} overloaded), "
            f"{wim_ok} overload and {vessel_ok} vessel violation records verified at the "
            f"receiver ({s.records_total} in all, {s.chain_problems} chain problems)",
            f"  receiver database:  {self.paths.central_db}  "
            f"(edge central list --db {self.paths.central_db})",
            f"  evidence received:  {self.out / 'received'}  ({received} verified records "
            "with their files, one folder each)",
            f"  sign PNGs:          {self.paths.sign_dir}  ({s.sign_pngs} images)",
            f"  screen PNGs:        {self.paths.screen_dir}  ({s.screen_pngs} images)",
            f"  loudspeaker WAVs:   {self.paths.voice_dir}",
            f"  configs and logs:   {self.wim_config.parent}  {self.out / 'logs'}",
        ]
        if self.record:
            lines.append(f"  recordings:         {self.out / 'recordings'}  "
                         f"(edge replay {self.out / 'recordings' / 'wim'} --broker URL)")
        if result.failed_parts:
            lines.append("  parts that stopped early: " + ", ".join(result.failed_parts))
        return lines


def export_received(db: Path, folder: Path) -> int:
    """Write each verified record and its evidence files to `folder/DEVICE/SEQ-TYPE/`."""
    from edge.central.store import CentralStore

    if not db.exists():
        return 0
    store = CentralStore(db)
    count = 0
    try:
        for row in store.record_rows():
            if row["chain"] != "ok" or row["complete_at"] is None:
                continue
            target = folder / row["device"] / f"{row['seq']:04d}-{row['type']}"
            target.mkdir(parents=True, exist_ok=True)
            record = store.record(row["record_id"])
            (target / "record.json").write_text(
                json.dumps(record, ensure_ascii=False, indent=2), "utf-8")
            for name, data in store.evidence(row["record_id"]).items():
                (target / Path(name).name).write_bytes(data)
            count += 1
    finally:
        store.close()
    return count


def status_line(snap: Snapshot, kinds: dict[str, str], elapsed_s: float) -> str:
    """One line for logs and dumb terminals."""
    b = snap.boat
    boat = (f"boat {b['lat']:.5f},{b['lon']:.5f} {b.get('mode')}" if b else "boat -")
    links = " ".join(
        f"{k}:{'up' if ((snap.devices.get(d) or {}).get('state') or {}).get('online') else 'down'}"
        for d, k in kinds.items())
    return (f"[{int(elapsed_s) // 60:02d}:{int(elapsed_s) % 60:02d}] weighed {snap.passages} "
            f"({snap.passages_last_min}/min, {snap.overloaded} overloaded) | records "
            f"{snap.records_verified}/{snap.records_total} verified "
            f"({snap.records_by_kind.get('wim', (0, 0))[0]} overload, "
            f"{snap.records_by_kind.get('vessel', (0, 0))[0]} vessel) | {boat} | "
            f"links {links} | sign: {(snap.sign_text or '-').splitlines()[0][:30]} | "
            f"screen: {(snap.screen_text or '-').splitlines()[0][:30]}")


def _port(url: str) -> int:
    return int(url.rsplit(":", 1)[1].split("/")[0])
