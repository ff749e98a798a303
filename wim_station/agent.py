"""The WIM site agent (`edge run config/wim_site.yaml`): DAQ to axle loads to records.

Threads, each with one job:
- `wim-daq`: reads DAQ frames, feeds the axle-load core, maps DAQ time to host time, and
  queues each finished passage. It never waits on anything slow (plate reading, JPEG
  encoding, fsync): a full queue drops and counts rather than stall the DAQ.
- `wim-evidence`: decides each passage (offenders ahead of passages already waiting),
  commits it to the outbox (`up/passage`), and for an overloaded valid vehicle picks the
  frames from its lane's camera ring buffers, reads the plate, annotates the photos, posts
  the sign message and commits the signed violation record with its evidence files. A dead
  camera never stops it: the record goes out with the evidence that exists and
  `details.missing_evidence` naming what is missing.
- cameras, the sign board and the MQTT link run their own threads (edge.camera,
  edge.display, edge.mqtt).

Both pipelines are progress gates of the systemd watchdog (`AgentLifecycle`).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any

from edge import __version__
from edge.camera import FrameSource, open_frame_source
from edge.display import (
    DisplayMessage,
    MessageBoard,
    SignBoard,
    open_display,
    render_template,
)
from edge.errors import ConfigError
from edge.evidence import EvidenceFile
from edge.mqtt import EdgeRuntime
from edge.runtime.lifecycle import AgentLifecycle
from wim_station.anpr import PlateReader
from wim_station.config import CameraSection, WimSiteConfig
from wim_station.core import AxleLoadCore, Passage
from wim_station.daq import DaqFrame, DaqSource, open_daq
from wim_station.drift import DriftMonitor
from wim_station.errors import WimError
from wim_station.rules import OverloadDecision, decide
from wim_station.site.annotate import annotate_photo, encode_jpeg, plate_crop
from wim_station.site.capture import CameraCapture, PlateReadFn, best_capture, capture
from wim_station.site.clock import DaqClockMap
from wim_station.site.records import (
    iso_utc,
    overload_details,
    passage_payload,
    photo_lines,
    sign_values,
    weighing_document,
)

log = logging.getLogger(__name__)

SOFTWARE = f"wim-agent {__version__}"
DAQ_READ_TIMEOUT_S = 0.5
# The DAQ loop comes round at least every read timeout; a silence this long means it hangs.
DAQ_MAX_SILENCE_S = 30.0
# The worker waits at most 1 s for a job; plate reading a few frames takes well under 10 s.
WORKER_MAX_SILENCE_S = 60.0
STOP_DRAIN_S = 5.0


@contextmanager
def _url_error(field: str) -> Iterator[None]:
    """A device URL no backend accepts is a config error naming the field."""
    try:
        yield
    except (ValueError, WimError) as exc:
        raise ConfigError([f"{field}: {exc}"]) from exc


def open_camera(camera: CameraSection) -> FrameSource:
    """The camera of a config entry: a stream, or a snapshot URL polled into the ring."""
    url = camera.url
    if camera.mode == "snapshot" and url.startswith(("http://", "https://")):
        return open_frame_source("snapshot+" + url, poll_s=0.2, buffer_s=camera.buffer_s)
    return open_frame_source(url, buffer_s=camera.buffer_s)


class WimAgent:
    """One WIM site: DAQ, axle-load core, cameras, plate reader, sign and outbox, wired.

    `start()` opens the devices and starts the threads; `close()` stops everything (safe
    twice). `runtime` defaults to an `EdgeRuntime` of the config (outbox + MQTT link).
    """

    def __init__(self, config: WimSiteConfig, *, lifecycle: AgentLifecycle | None = None,
                 runtime: EdgeRuntime | None = None) -> None:
        self.config = config
        self.options = config.violations
        self.device = config.device.id
        self.lifecycle = lifecycle or AgentLifecycle()
        self.runtime = runtime or EdgeRuntime(config, software=SOFTWARE)
        self.core = AxleLoadCore(config)
        self.drift = DriftMonitor(config.drift)
        self.clock = DaqClockMap()
        self.daq: DaqSource | None = None
        self.cameras: dict[str, tuple[CameraSection, FrameSource]] = {}
        self.sign: SignBoard | None = None
        # Offenders first: (0 overloaded / 1 other, arrival number, passage). A legal vehicle
        # closed just before must not hold an offender back by its own commit (an fsync).
        self._jobs: queue.PriorityQueue[tuple[int, int, Passage]] = queue.PriorityQueue(
            self.options.queue_max)
        self._arrivals = 0
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self.counters = {"passages": 0, "passages_refused": 0, "violations": 0,
                         "warnings": 0, "undecided": 0, "plates_read": 0, "plates_unread": 0,
                         "jobs_dropped": 0, "job_errors": 0, "daq_errors": 0}
        self.last_violation: dict[str, Any] | None = None
        self._closed = False

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> WimAgent:
        """Open DAQ, cameras and sign, start the link and both pipelines."""
        cfg = self.config
        try:
            for i, cam in enumerate(cfg.cameras):
                with _url_error(f"cameras[{i}].url"):
                    self.cameras[cam.id] = (cam, open_camera(cam))
            if cfg.sign is not None:
                with _url_error("sign.url"):
                    display = open_display(cfg.sign.url, address=cfg.sign.address,
                                           baudrate=cfg.sign.baudrate)
                default = DisplayMessage(cfg.sign.default_message, colour="green")
                self.sign = SignBoard(display, MessageBoard(default))
            with _url_error("daq.url"):
                self.daq = open_daq(cfg.daq.url, cfg.daq.baudrate,
                                    reconnect_max_s=cfg.daq.reconnect_max_s)
            self.runtime.add_health_source("wim", self.health)
            self.runtime.start()
        except BaseException:
            self.close()
            raise
        daq_tick = self.lifecycle.register("daq", DAQ_MAX_SILENCE_S)
        worker_tick = self.lifecycle.register("evidence", WORKER_MAX_SILENCE_S)
        self._threads = [
            threading.Thread(target=self._daq_loop, args=(daq_tick,), name="wim-daq",
                             daemon=True),
            threading.Thread(target=self._worker_loop, args=(worker_tick,),
                             name="wim-evidence", daemon=True),
        ]
        for thread in self._threads:
            thread.start()
        log.info("WIM agent %s running: DAQ %s, %d camera(s), sign %s", self.device,
                 cfg.daq.url, len(self.cameras), cfg.sign.url if cfg.sign else "none")
        return self

    def close(self) -> None:
        """Stop the pipelines (the worker finishes queued passages for a few seconds), then
        cameras, sign and link; safe to call twice."""
        if self._closed:
            return
        self._closed = True
        self._stop.set()
        for thread in self._threads:
            thread.join()
        if self.daq is not None:
            self.daq.close()
        for _, source in self.cameras.values():
            source.close()
        if self.sign is not None:
            self.sign.close()
        self.runtime.stop()

    def __enter__(self) -> WimAgent:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the DAQ pipeline ------------------------------------------------------------------

    def _daq_loop(self, tick: Callable[[], None]) -> None:
        assert self.daq is not None
        while not self._stop.is_set():
            tick()
            try:
                item = self.daq.read_item(DAQ_READ_TIMEOUT_S)
                if item is None:
                    continue
                if isinstance(item, DaqFrame):
                    self.clock.add(item.t0_us + item.duration_us, time.time())
                passages = self.core.feed(item)
            except Exception:  # a bug in one frame must not end weighing
                self.counters["daq_errors"] += 1
                log.exception("DAQ frame could not be processed")
                continue
            for passage in passages:
                self.enqueue(passage)

    def enqueue(self, passage: Passage) -> bool:
        """Queue a finished passage for the evidence worker, an offender ahead of others.

        Never blocks: a full queue drops and counts (False).
        """
        self._arrivals += 1
        urgent = decide(passage, self.config.rules).overloaded  # pure and cheap
        try:
            self._jobs.put_nowait((0 if urgent else 1, self._arrivals, passage))
        except queue.Full:
            self.counters["jobs_dropped"] += 1
            log.error("evidence worker behind: passage lane %d at %s dropped",
                      passage.lane, iso_utc(passage.t_first_axle_us))
            return False
        return True

    # -- the evidence pipeline -------------------------------------------------------------

    def _worker_loop(self, tick: Callable[[], None]) -> None:
        read = self._plate_reader()  # the reader is not thread-safe: this thread's own
        drain_until: float | None = None
        while True:
            tick()
            if self._stop.is_set():
                drain_until = drain_until or time.monotonic() + STOP_DRAIN_S
                if self._jobs.empty() or time.monotonic() > drain_until:
                    if not self._jobs.empty():
                        log.warning("stopping with %d passage(s) not processed",
                                    self._jobs.qsize())
                    return
            try:
                _, _, passage = self._jobs.get(timeout=0.2 if drain_until else 1.0)
            except queue.Empty:
                continue
            try:
                self.process(passage, read)
            except Exception:
                self.counters["job_errors"] += 1
                log.exception("passage lane %d at %s could not be processed",
                              passage.lane, iso_utc(passage.t_first_axle_us))

    def _plate_reader(self) -> PlateReadFn:
        try:
            return PlateReader(self.config.anpr).read
        except Exception:  # weighing goes on; violations say the plate was not read
            log.exception("plate reader unavailable: violations will carry no plate")
            return lambda _image: []

    def process(self, passage: Passage, read: PlateReadFn) -> OverloadDecision:
        """Decide one passage, make the violation if there is one, and commit the passage."""
        decision = decide(passage, self.config.rules)
        with self._lock:
            self.drift.observe(passage)
        try:
            if decision.overloaded:
                # First: the offender is still near the sign and the enforcement station.
                self.violation(passage, decision, read)
        finally:
            payload = passage_payload(self.device, passage, decision)
            if self.runtime.submit_bulk("passage", payload) is None:
                self.counters["passages_refused"] += 1  # disk budget: low-priority refused
            self.counters["passages"] += 1
        if not decision.decided:
            self.counters["undecided"] += 1
        elif decision.warning:
            self.counters["warnings"] += 1
        log.info("passage lane %d %s: %d axles %s, %.0f kg at %.1f km/h, %s%s",
                 passage.lane, payload["time"], passage.axle_count, passage.class_code,
                 passage.gvw_kg, passage.speed_kmh, decision.severity,
                 "" if passage.valid else " (" + ", ".join(passage.flags) + ")")
        return decision

    def violation(self, passage: Passage, decision: OverloadDecision,
                  read: PlateReadFn) -> str:
        """Capture evidence, update the sign and commit the signed record; its record_id."""
        t0 = time.monotonic()
        t_host = self.clock.host_time(passage.t_first_axle_us)
        t_end = self.clock.host_time(passage.axles[-1].t_us) if passage.axles else None
        rate = self.clock.rate()
        lane_cams = [(cid, src) for cid, (cam, src) in self.cameras.items()
                     if cam.lane == passage.lane]
        captures = [capture(cid, src, t_host, read, self.options, rate, t_end)
                    for cid, src in lane_cams]
        plate = best_capture(captures)
        self.counters["plates_read" if plate and plate.read else "plates_unread"] += 1
        self._post_sign(passage, decision, plate)
        t1 = time.monotonic()
        files = self._evidence_files(passage, decision, captures, plate)
        names = {f.name for f in files}
        missing = [c.camera_id for c in captures if f"{c.camera_id}.jpg" not in names]
        if not lane_cams:
            missing.append(f"lane{passage.lane}-camera")
        details = overload_details(self.device, passage, decision, captures, plate, missing)
        t2 = time.monotonic()
        record_id = self.runtime.submit_violation(
            "overload", iso_utc(passage.t_first_axle_us), None, details, files,
            clock_source=self.options.clock_source)
        t3 = time.monotonic()
        self.counters["violations"] += 1
        timing = {"capture_s": round(t1 - t0, 3), "evidence_s": round(t2 - t1, 3),
                  "commit_s": round(t3 - t2, 3)}
        self.last_violation = {"record_id": record_id, "plate": details["plate"],
                               "lane": passage.lane, "time": iso_utc(passage.t_first_axle_us),
                               "missing_evidence": missing, "processing": timing}
        log.warning("overload: lane %d plate %s, %.0f kg over %.0f kg (%s), record %s%s; "
                    "capture %.3f s, evidence %.3f s, commit %.3f s",
                    passage.lane, details["plate"] or "unread", passage.gvw_kg,
                    decision.limit_kg, decision.severity, record_id,
                    f", missing {missing}" if missing else "", *timing.values())
        return record_id

    def _post_sign(self, passage: Passage, decision: OverloadDecision,
                   plate: CameraCapture | None) -> None:
        sign_cfg = self.config.sign
        if self.sign is None or sign_cfg is None:
            return
        text = render_template(sign_cfg.overload_template, sign_values(passage, decision, plate))
        self.sign.post(DisplayMessage(text, colour=self.options.sign_colour,
                                      priority=self.options.sign_priority,
                                      hold_s=sign_cfg.hold_s))

    def _evidence_files(self, passage: Passage, decision: OverloadDecision,
                        captures: Sequence[CameraCapture],
                        plate: CameraCapture | None) -> list[EvidenceFile]:
        files: list[EvidenceFile] = []
        for cap in captures:
            try:
                files += self._photos(passage, decision, cap, cap is plate)
            except Exception:  # a photo that cannot be made costs that photo only
                log.exception("camera %s: photo evidence could not be made", cap.camera_id)
        files.append(EvidenceFile("weighing.json", "application/json",
                                  weighing_document(self.device, passage, decision)))
        return files

    def _photos(self, passage: Passage, decision: OverloadDecision, cap: CameraCapture,
                with_plate: bool) -> list[EvidenceFile]:
        """The annotated photo, the camera's original and (from the plate camera) the crop."""
        quality = self.options.photo_jpeg_quality
        files: list[EvidenceFile] = []
        if cap.frame is not None and cap.image is not None:
            box = cap.read.box if cap.read else None
            lines = photo_lines(self.config.device.name, self.device, passage, decision,
                                cap, cap.camera_id)
            photo = annotate_photo(cap.image, lines, box)
            files.append(EvidenceFile(f"{cap.camera_id}.jpg", "image/jpeg",
                                      encode_jpeg(photo, quality)))
            if self.options.keep_original:
                files.append(EvidenceFile(f"{cap.camera_id}-original.jpg", "image/jpeg",
                                          cap.frame.jpeg(quality)))
            if with_plate and box is not None:
                crop = plate_crop(cap.image, box)
                if crop is not None:
                    files.append(EvidenceFile("plate.jpg", "image/jpeg",
                                              encode_jpeg(crop, quality)))
        return files

    # -- health ----------------------------------------------------------------------------

    def health(self) -> dict[str, Any]:
        """The `wim` part of `up/health`: DAQ, core, zero levels, cameras, sign, pipelines."""
        daq = self.daq.health() if self.daq is not None else {"state": "not opened"}
        cameras = {}
        for cid, (cam, source) in self.cameras.items():
            h = asdict(source.health())
            h["lane"] = cam.lane
            if h["last_frame_age_s"] is not None:
                h["last_frame_age_s"] = round(h["last_frame_age_s"], 3)
            cameras[cid] = h
        sign: dict[str, Any] | None = None
        if self.sign is not None:
            sign = asdict(self.sign.health())
        drift = self._drift()
        alarms = [f"camera {cid} {h['state']}" for cid, h in cameras.items()
                  if h["state"] != "streaming"]
        if not daq.get("connected", False):
            alarms.append("DAQ not connected")
        if drift["alarm"]:
            alarms.append("weighing drift beyond bound")
        if sign is not None and sign["display"]["state"] == "failed":
            alarms.append("sign not answering")
        return {
            "alarms": alarms,
            "daq": daq,
            "core": self.core.counters(),
            "zero_levels_n": self._zero_levels(),
            "drift": drift,
            "daq_clock": self.clock.health(),
            "cameras": cameras,
            "sign": sign,
            "pipeline": {**self.counters, "queued": self._jobs.qsize()},
            "progress_age_s": self.lifecycle.progress.ages_s(time.monotonic()),
            "last_violation": self.last_violation,
        }

    def _zero_levels(self) -> dict[str, float] | None:
        # Adapter until the core exposes its zero tracking: the pulse detector's baseline
        # (newtons, per channel index) is what every load is measured from.
        baseline = getattr(getattr(self.core, "_detector", None), "baseline", None)
        if baseline is None:
            return None
        return {str(c.index): round(float(b), 1)
                for c, b in zip(self.core.site.channels, baseline, strict=False)}

    def _drift(self) -> dict[str, Any]:
        with self._lock:
            lanes = self.drift.status()
        return {"alarm": any(lane.alarm for lane in lanes),
                "lanes": [lane.to_json() for lane in lanes]}


def run_agent(config: WimSiteConfig, config_path: Path) -> int:
    """Entry point of `edge run` for `kind: wim`: run until SIGTERM/SIGINT; exit status."""
    lifecycle = AgentLifecycle()
    lifecycle.install_signal_handlers()
    agent = WimAgent(config, lifecycle=lifecycle)
    agent.start()
    try:
        lifecycle.ready(f"weighing; config {config_path}")
        # Poll: SIGTERM may land on another thread, and the Python handler only runs once
        # the main thread wakes; a wait without a timeout could sleep through it.
        while not lifecycle.wait(0.5):
            pass
    finally:
        agent.close()
        lifecycle.close()
    return 0
