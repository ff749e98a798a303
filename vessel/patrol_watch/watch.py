"""The patrol watch: camera → vision core → targets → warning rules → screen, speaker, records.

Two threads, each with one job:
- `patrol-watch` takes the newest camera frame (older ones are skipped when vision is
  slower than the camera), runs the vision core with the own pose of the latest GNSS fix,
  reports every located target to the navigation failsafe (obstacle ahead), applies the
  warning rules, posts screen messages and queues voice messages (both return at once);
- `patrol-evidence` turns each due violation into annotated snapshots, the track and the
  warnings log, and commits the signed record to the outbox (fsync: never on the vision
  thread).
The camera, screen and speaker run their own threads (edge.camera, edge.display,
edge.speaker).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Protocol

from edge.camera import FrameSource, open_frame_source
from edge.camera.frame import TimedFrame
from edge.display import SignBoard, open_sign_board
from edge.display.template import render_template, template_names
from edge.evidence import EvidenceFile
from edge.geo import wrap_deg
from edge.speaker import Speaker, SpeakerError, speaker_from_config
from vessel.config import VesselConfig
from vessel.patrol_watch.evidence import (
    annotate,
    encode_jpeg,
    incident_document,
    iso_utc,
    snapshot_lines,
    track_geojson,
    violation_details,
)
from vessel.vision.camera import CameraModel
from vessel.vision.core import FrameResult, VisionCore
from vessel.warnings import (
    Incident,
    IncidentClosed,
    OwnState,
    TargetObservation,
    ViolationDue,
    WarningAction,
    WarningEngine,
    WarningIssued,
    observations,
)

log = logging.getLogger(__name__)

# The watch loop comes round every few hundred ms (one frame); this long means it hangs.
WATCH_MAX_SILENCE_S = 30.0
_REPORT_QUEUE = 32
_IDLE_WAIT_S = 0.01
_STOP_DRAIN_S = 10.0


class ViolationSink(Protocol):
    """Where violations go: `edge.mqtt.EdgeRuntime` (outbox, signature, MQTT)."""

    def submit_violation(self, type: str, time: Any, position: Any,
                         details: Mapping[str, Any], evidence_files: Sequence[EvidenceFile] = (),
                         clock_source: str | None = None) -> str: ...


@dataclass(frozen=True)
class _Shot:
    name: str  # evidence file stem
    label: str  # burned into the picture
    frame: TimedFrame | None
    obs: TargetObservation | None


@dataclass(frozen=True)
class _Report:
    incident: Incident
    shots: tuple[_Shot, ...]


def camera_model(config: VesselConfig) -> CameraModel:
    """The pinhole model of the configured camera."""
    cam = config.camera
    if cam is None:
        raise ValueError("the vessel config has no camera")
    return CameraModel(cam.width_px, cam.height_px, cam.hfov_deg, cam.height_m, cam.pitch_deg,
                       0.0, cam.mount_yaw_deg)


class PatrolWatch:
    """Watches the water and warns. `start()`/`close()` (safe twice); a context manager.

    Devices default to the config (`camera`, `screen`, `speaker`; none → not used); pass
    them to share or to test. Owned devices (those it opened) are closed with it.
    `report_obstacle(range_m, rel_bearing_deg)` is the navigator's obstacle input,
    `tick()` a watchdog progress gate.
    """

    def __init__(self, config: VesselConfig, sink: ViolationSink, *,
                 camera: FrameSource | None = None, screen: SignBoard | None = None,
                 speaker: Speaker | None = None,
                 report_obstacle: Callable[[float, float], None] | None = None,
                 tick: Callable[[], None] | None = None, vision: VisionCore | None = None,
                 max_own_age_s: float | None = None) -> None:
        self.config = config
        self.sink = sink
        self.vision = vision or VisionCore(camera_model(config), config.vision)
        self.engine = WarningEngine(config.warnings, config.zones,
                                    (config.home.lat, config.home.lon))
        self._given = {"camera": camera, "screen": screen, "speaker": speaker}
        self.camera = camera
        self.screen = screen
        self.speaker = speaker
        self.report_obstacle = report_obstacle
        self._tick = tick or (lambda: None)
        # A pose older than this places targets wrongly: twice the GNSS staleness limit.
        self.max_own_age_s = max_own_age_s or 2 * config.gnss.max_fix_age_s
        self._mount_yaw_deg = config.camera.mount_yaw_deg if config.camera else 0.0
        self._own: OwnState | None = None
        self._first_shots: dict[str, _Shot] = {}
        self._reports: queue.Queue[_Report] = queue.Queue(_REPORT_QUEUE)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._closed = False
        self.counters = {"frames": 0, "frames_skipped": 0, "frame_errors": 0, "no_own_pose": 0,
                         "detections": 0, "warnings": 0, "violations": 0,
                         "violation_errors": 0, "obstacle_reports": 0}
        self.last_violation: dict[str, Any] | None = None
        self._vision_ms = 0.0

    # -- lifecycle -------------------------------------------------------------------------

    def start(self, run_thread: bool = True) -> PatrolWatch:
        """Open the configured devices and start the threads (`run_thread=False`: only the
        evidence worker; frames are then fed with `process_frame`)."""
        cfg = self.config
        try:
            if self.camera is None and run_thread and cfg.camera is not None:
                self.camera = open_frame_source(cfg.camera.url)
            if self.screen is None and cfg.screen is not None:
                self.screen = open_sign_board(cfg.screen)
            if self.speaker is None and cfg.speaker is not None:
                self.speaker = speaker_from_config(cfg.speaker)
        except BaseException:
            self.close()
            raise
        self._threads = [threading.Thread(target=self._evidence_loop, name="patrol-evidence",
                                          daemon=True)]
        if run_thread:
            if self.camera is None:
                raise ValueError("the patrol watch needs a camera (config.camera)")
            self._threads.append(threading.Thread(target=self._watch_loop, name="patrol-watch",
                                                  daemon=True))
        for thread in self._threads:
            thread.start()
        log.info("patrol watch: camera %s, %d rule(s), %d zone(s), screen %s, speaker %s",
                 getattr(self.camera, "url", None), len(cfg.warnings.rules), len(cfg.zones),
                 cfg.screen.url if cfg.screen else None, cfg.speaker.url if cfg.speaker else None)
        return self

    def close(self) -> None:
        """Stop watching, finish due reports (a few seconds at most), close owned devices."""
        if self._closed:
            return
        self._closed = True
        self._stop.set()
        for thread in self._threads:
            thread.join()
        for name, device in (("camera", self.camera), ("screen", self.screen),
                             ("speaker", self.speaker)):
            if device is not None and self._given[name] is None:
                device.close()

    def __enter__(self) -> PatrolWatch:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- inputs ----------------------------------------------------------------------------

    def set_own(self, own: OwnState) -> None:
        """The patrol boat's latest pose (`t_s` on the camera's clock: time.time())."""
        with self._lock:
            self._own = own

    def update_own(self, fix: Any, status: Any = None) -> None:
        """A `VesselAgent` fix listener: the pose from a GNSS fix (heading from HDT/THS, else
        the navigator's estimate, else the course over ground)."""
        if fix.lat is None or fix.lon is None:
            return
        heading = fix.heading_deg
        if heading is None and status is not None:
            heading = status.heading_deg
        if heading is None:
            heading = fix.cog_deg
        if heading is None:
            return
        self.set_own(OwnState(time.time(), fix.lat, fix.lon, heading, fix.sog_mps or 0.0,
                              fix.cog_deg))

    # -- the watch -------------------------------------------------------------------------

    def prepare_voices(self) -> None:
        """Synthesise the rules' fixed voice texts now (the speaker caches them): espeak-ng
        takes a few hundred ms a sentence, which the first warning must not wait for."""
        if self.speaker is None:
            return
        for rule in self.config.warnings.rules:
            for voice in rule.voice:
                if voice.text is None or template_names(voice.text) or self._stop.is_set():
                    continue
                self._tick()
                try:
                    self.speaker.synth.synthesize(render_template(voice.text, {}))
                except SpeakerError as exc:  # the speaker will say why when it plays
                    log.warning("voice text of rule %s not prepared: %s", rule.name, exc)
                    return

    def _watch_loop(self) -> None:
        assert self.camera is not None
        # Here, not on another thread: the speaker synthesises on demand into the same cache.
        self.prepare_voices()
        last: TimedFrame | None = None
        while not self._stop.is_set():
            self._tick()
            frame = self.camera.latest()
            if frame is None or frame is last:
                self._stop.wait(_IDLE_WAIT_S)
                continue
            if last is not None and frame.seq > last.seq + 1:
                self.counters["frames_skipped"] += frame.seq - last.seq - 1
            last = frame
            try:
                self.process_frame(frame)
            except Exception:  # one bad frame must not end the watch
                self.counters["frame_errors"] += 1
                log.exception("frame %d could not be processed", frame.seq)

    def process_frame(self, frame: TimedFrame) -> tuple[FrameResult, list[WarningAction]]:
        """Vision, obstacle reports, rules and actions for one frame (the watch thread's step)."""
        t_s = frame.t_s
        with self._lock:
            own = self._own
        if own is not None and abs(t_s - own.t_s) > self.max_own_age_s:
            own = None
        if own is None:
            self.counters["no_own_pose"] += 1
        started = time.perf_counter()
        result = self.vision.process(frame.image, t_s, own_pose=own)
        self._vision_ms = 0.9 * self._vision_ms + 0.1 * (time.perf_counter() - started) * 1e3
        self.counters["frames"] += 1
        self.counters["detections"] += len(result.detections)
        if self.report_obstacle is not None:
            for det in result.detections:
                if det.range_m is not None and det.bearing_deg is not None:
                    self.report_obstacle(det.range_m, wrap_deg(det.bearing_deg
                                                               + self._mount_yaw_deg))
                    self.counters["obstacle_reports"] += 1
        seen = observations(result.detections, t_s, own, self._mount_yaw_deg)
        with self._lock:  # health() reads the engine from the link thread
            actions = self.engine.update(t_s, own, seen)
        for action in actions:
            self._act(action, frame)
        return result, actions

    def _act(self, action: WarningAction, frame: TimedFrame) -> None:
        inc = action.incident
        if isinstance(action, WarningIssued):
            self.counters["warnings"] += 1
            if self.screen is not None and action.screen is not None:
                self.screen.post(action.screen)
            if self.speaker is not None:
                for voice in action.voices:
                    self.speaker.say(voice)
            if action.step == 0:
                self._first_shots[inc.incident_id] = _Shot("first-warning", "首次警告", frame,
                                                           inc.last)
            log.warning("warning %d to %s #%d (%s%s): %s", action.step, inc.kind, inc.track_id,
                        inc.rule, f", zone {inc.zone}" if inc.zone else "",
                        action.screen.text if action.screen else "-",
                        extra={"event": "warning", "incident": inc.incident_id})
        elif isinstance(action, ViolationDue):
            first = self._first_shots.get(inc.incident_id, _Shot("first-warning", "首次警告",
                                                                 None, None))
            report = _Report(inc, (first, _Shot("violation", "违法取证", frame, inc.last)))
            try:
                self._reports.put_nowait(report)
            except queue.Full:  # never drop a violation: make it here, late, instead
                log.error("evidence worker behind: building %s here", inc.incident_id)
                self._report(report)
        elif isinstance(action, IncidentClosed):
            self._first_shots.pop(inc.incident_id, None)
            log.info("incident %s closed: %s", inc.incident_id, action.reason)

    # -- evidence --------------------------------------------------------------------------

    def _evidence_loop(self) -> None:
        drain_until: float | None = None
        while True:
            if self._stop.is_set():
                drain_until = drain_until or time.monotonic() + _STOP_DRAIN_S
                if self._reports.empty() or time.monotonic() > drain_until:
                    return
            try:
                report = self._reports.get(timeout=0.2)
            except queue.Empty:
                continue
            self._report(report)

    def _report(self, report: _Report) -> str | None:
        inc = report.incident
        try:
            files, missing = self._evidence_files(report)
            record_id = self.sink.submit_violation(
                inc.record_type, iso_utc(inc.t_start_s),
                {"lat": round(inc.last.lat_deg, 7), "lon": round(inc.last.lon_deg, 7)},
                violation_details(inc, missing), files)
        except Exception:  # the outbox refused (disk budget) or a bug: say so loudly
            self.counters["violation_errors"] += 1
            log.exception("violation %s could not be committed", inc.incident_id)
            return None
        self.counters["violations"] += 1
        self.last_violation = {"record_id": record_id, "type": inc.record_type,
                               "zone": inc.zone, "track_id": inc.track_id,
                               "time": iso_utc(inc.t_start_s), "missing_evidence": missing}
        log.warning("violation %s: %s #%d, rule %s%s, record %s", inc.record_type, inc.kind,
                    inc.track_id, inc.rule, f", zone {inc.zone}" if inc.zone else "", record_id)
        return record_id

    def _evidence_files(self, report: _Report) -> tuple[list[EvidenceFile], list[str]]:
        inc = report.incident
        name = self.config.device.name or self.config.device.id
        files: list[EvidenceFile] = []
        missing: list[str] = []
        for shot in report.shots:
            if shot.frame is None or shot.obs is None:
                missing.append(f"{shot.name}.jpg")
                continue
            try:
                picture = annotate(shot.frame.image,
                                   snapshot_lines(name, inc, shot.obs, shot.label), shot.obs.box)
                files.append(EvidenceFile(f"{shot.name}.jpg", "image/jpeg",
                                          encode_jpeg(picture)))
            except Exception:  # an undecodable frame: the record goes out without it
                log.exception("snapshot %s of %s failed", shot.name, inc.incident_id)
                missing.append(f"{shot.name}.jpg")
        files.append(EvidenceFile("track.geojson", "application/geo+json", track_geojson(inc)))
        files.append(EvidenceFile("incident.json", "application/json", incident_document(inc)))
        return files, missing

    # -- health ----------------------------------------------------------------------------

    def health(self) -> dict[str, Any]:
        """The `watch` part of `up/health`: camera, vision, rules, screen, speaker, counters."""
        def asdict_or_none(obj: Any) -> Any:
            return None if obj is None else asdict(obj.health())

        with self._lock:
            rules, incidents = dict(self.engine.counters), self.engine.incidents()
        return {
            **self.counters,
            "vision_ms": round(self._vision_ms, 1),
            "reports_queued": self._reports.qsize(),
            "rules": rules,
            "incidents": [{"id": i.incident_id, "rule": i.rule, "zone": i.zone,
                           "track_id": i.track_id, "warned": i.t_warned_s is not None}
                          for i in incidents],
            "camera": asdict_or_none(self.camera),
            "screen": asdict_or_none(self.screen),
            "speaker": asdict_or_none(self.speaker),
            "last_violation": self.last_violation,
        }
