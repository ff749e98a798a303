"""`edge replay`: serve a recording on loopback ports, paced, and point an agent at them."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import yaml

from edge.config.common import AgentConfig
from edge.recorder.manifest import Manifest, RecordingFolderError
from edge.recorder.servers import MjpegReplayServer, PacedByteServer, ReplayClock, SinkServer
from edge.recorder.streams import daq_chunks, jpeg_frames, nmea_chunks

log = logging.getLogger(__name__)

Server = PacedByteServer | MjpegReplayServer


class Replay:
    """The recorded inputs of one site, served again; outputs go to simulators in `out_dir`.

    `start()` opens every server; `play()` starts the shared clock (after the agent has
    connected to its inputs, so nothing is sent into the void); `done()` is True once every
    stream has played; `close()` stops everything (safe twice).
    """

    def __init__(self, folder: Path, config: AgentConfig, out_dir: Path, *,
                 speed: float = 1.0, device_suffix: str = "-replay",
                 broker_url: str | None = None) -> None:
        self.folder = folder
        self.manifest = Manifest.read(folder)
        if self.manifest.kind != config.kind:
            raise RecordingFolderError(f"{folder} holds a {self.manifest.kind} recording, "
                                       f"the config is a {config.kind}")
        self.config = config
        self.out_dir = out_dir
        self.device_id = config.device.id + device_suffix
        self.broker_url = broker_url
        self.inputs: dict[str, Server] = {}  # by stream path (unique in a folder)
        self.sinks: list[Any] = []  # (role, sign/screen simulator or helm sink)
        self._loaded: dict[str, Any] = {}
        for s in self.manifest.streams:
            path = folder / s.path
            self._loaded[s.path] = (jpeg_frames(path) if s.role == "camera" else
                                    nmea_chunks(path) if s.role == "gnss" else daq_chunks(path))
        starts = [items[0][0] for items in self._loaded.values() if items]
        self.clock = ReplayClock(min(starts, default=self.manifest.t_start_s), speed)

    def start(self) -> Replay:
        """Open the input servers and the output simulators on free loopback ports."""
        from simulators.sign import SignSimulator

        try:
            for s in self.manifest.streams:
                data = self._loaded[s.path]
                server: Server = (MjpegReplayServer(s.name, data, self.clock)
                                  if s.role == "camera"
                                  else PacedByteServer(s.name, data, self.clock))
                self.inputs[s.path] = server
                server.start()
            cfg: Any = self.config
            for role in ("sign", "screen"):
                section = getattr(cfg, role, None)
                if section is not None:
                    self.sinks.append((role, SignSimulator(
                        host="127.0.0.1", port=0, png_dir=self.out_dir / role,
                        address=section.address)))
            if getattr(cfg, "helm", None) is not None:
                helm = SinkServer("helm", 0)
                helm.start()
                self.sinks.append(("helm", helm))
        except BaseException:
            self.close()
            raise
        return self

    def agent_config(self) -> Path:
        """A copy of the config pointing at the replay servers, with its own outbox and keys."""
        data: dict[str, Any] = self.config.model_dump(mode="json")
        data["device"]["id"] = self.device_id
        if self.broker_url:
            data["broker"]["url"] = self.broker_url
        data["outbox"]["path"] = str(self.out_dir / "outbox.sqlite")
        data["outbox"]["evidence_dir"] = str(self.out_dir / "evidence")
        data["keys"]["signing_key_file"] = str(self.out_dir / "keys" / "device.ed25519")
        for s in self.manifest.streams:
            port = self.inputs[s.path].port
            if s.role in ("gnss", "daq"):
                data[s.role]["url"] = f"socket://127.0.0.1:{port}"
            elif data.get("camera") is not None:  # a vessel's one camera
                data["camera"]["url"] = f"http://127.0.0.1:{port}/stream.mjpg"
            else:
                for cam in data["cameras"]:
                    if cam["id"] == s.name:
                        cam["url"] = f"http://127.0.0.1:{port}/stream.mjpg"
        for role, sink in self.sinks:
            data[role]["url"] = f"socket://127.0.0.1:{sink.port}"
        if data.get("speaker") is not None:
            data["speaker"]["url"] = f"wav://{(self.out_dir / 'speaker').resolve()}"
        self.out_dir.mkdir(parents=True, exist_ok=True)
        path = self.out_dir / "replay-config.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
        return path

    def play(self, wait_for_agent_s: float = 60.0) -> None:
        """Start the clock once every input has a client (or after `wait_for_agent_s`)."""
        deadline = time.monotonic() + wait_for_agent_s
        for server in self.inputs.values():
            if not server.ever_connected.wait(max(0.0, deadline - time.monotonic())):
                log.warning("replay: nobody connected to %s; playing anyway", server.name)
        self.clock.start()

    def done(self) -> bool:
        return all(s.done.is_set() for s in self.inputs.values())

    def sent(self) -> dict[str, int]:
        return {s.name: s.sent for s in self.inputs.values()}

    def close(self) -> None:
        self.clock.stop()
        for server in self.inputs.values():
            server.close()
        for _, sink in self.sinks:
            sink.close()
        self.sinks.clear()
