"""The patrol vessel agent (`edge run config/vessel.yaml`): GNSS → navigation → helm.

Threads, each with one job:
- the GNSS reader's own thread (`vessel.gnss`) hands every epoch to `_on_fix`, which feeds
  the navigator, sets the clock source and calls the fix listeners (vision/warning hooks);
- `vessel-helm` steps the navigator at `helm.command_rate_hz`, sends the demand, reads the
  controller's replies (battery), reports the broker link, and batches the track to
  `up/track`;
- the MQTT link (edge.mqtt) runs commands: `set_mode`, `set_route`, `set_geofence`,
  `set_speed`, `manual`. They are validated and refused (ok=false) when they would take the
  boat out of its operating area.

The navigator is a pure core guarded by one lock; time is `time.monotonic()`.
Plug-in points: `report_obstacle(range_m, bearing_deg)` (vision), `add_fix_listener(fn)`
(called with each `Fix` and the latest `NavStatus`), `status` (latest `NavStatus`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from edge import __version__
from edge.commands import CommandRejected
from edge.errors import ConfigError
from edge.mqtt import EdgeRuntime
from edge.runtime.lifecycle import AgentLifecycle
from vessel.config import VesselConfig
from vessel.gnss.fix import Fix, iso_utc_ms
from vessel.gnss.source import GnssSource, open_gnss
from vessel.helm import HelmLink, open_helm
from vessel.navigation import MODES, NavigationRefused, Navigator, NavStatus, Route, RouteError
from vessel.patrol_watch import PatrolWatch, attach_watch

log = logging.getLogger(__name__)

SOFTWARE = f"vessel-agent {__version__}"
# The helm loop comes round at the command rate; a silence this long means it hangs.
HELM_MAX_SILENCE_S = 10.0

FixListener = Callable[[Fix, NavStatus | None], None]

Lat = Annotated[float, Field(ge=-90, le=90)]
Lon = Annotated[float, Field(ge=-180, le=180)]


class _Args(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SetModeArgs(_Args):
    """`set_mode`: manual, hold, loiter (optionally at lat/lon), auto, return_home."""

    mode: Literal["manual", "hold", "loiter", "auto", "return_home"]
    lat: Lat | None = None
    lon: Lon | None = None


class SetRouteArgs(_Args):
    """`set_route`: new waypoints [[lat, lon], ...] and pattern."""

    waypoints: Annotated[list[tuple[Lat, Lon]], Field(min_length=2, max_length=500)]
    pattern: Literal["loop", "out-and-back"] = "loop"
    cruise_speed_mps: Annotated[float, Field(gt=0, le=10)] | None = None


class NoGoArgs(_Args):
    """One keep-out polygon."""

    name: Annotated[str, Field(min_length=1, max_length=100)]
    polygon: Annotated[list[tuple[Lat, Lon]], Field(min_length=3, max_length=1000)]


class SetGeofenceArgs(_Args):
    """`set_geofence`: operating area (keep in) and no-go zones (keep out)."""

    operating_area: Annotated[list[tuple[Lat, Lon]], Field(min_length=3, max_length=1000)]
    no_go: Annotated[list[NoGoArgs], Field(max_length=100)] = []


class SetSpeedArgs(_Args):
    """`set_speed`: patrol speed through the route."""

    cruise_speed_mps: Annotated[float, Field(gt=0, le=10)]


class ManualArgs(_Args):
    """`manual`: one helm demand (manual mode; expires after navigation.manual_timeout_s)."""

    thrust: Annotated[float, Field(ge=-1, le=1)]
    rudder: Annotated[float, Field(ge=-1, le=1)]


class VesselAgent:
    """GNSS reader, navigator, helm link and the edge runtime, wired. Context manager."""

    def __init__(self, config: VesselConfig, *, lifecycle: AgentLifecycle | None = None,
                 runtime: EdgeRuntime | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.config = config
        self.navigator = Navigator(config)  # first: a bad route fails before anything opens
        self.lifecycle = lifecycle or AgentLifecycle()
        self.runtime = runtime or EdgeRuntime(config, software=SOFTWARE)
        self._clock = clock
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.gnss: GnssSource | None = None
        self.helm: HelmLink | None = None
        self.watch: PatrolWatch | None = None  # camera → vision → warning rules (patrol_watch)
        self._status: NavStatus | None = None
        self._last_fix: Fix | None = None
        self._fix_listeners: list[FixListener] = []
        self._track: list[dict[str, Any]] = []
        self._track_next_point = 0.0
        self._track_next_batch = 0.0
        self.counters = {"fixes": 0, "track_points": 0, "track_batches": 0,
                         "track_refused": 0, "events": 0, "loop_errors": 0}
        self._closed = False

    # -- plug-in points --------------------------------------------------------------------

    def add_fix_listener(self, listener: FixListener) -> None:
        """Call `listener(fix, status)` on each GNSS epoch (on the reader's thread: be quick)."""
        with self._lock:
            self._fix_listeners.append(listener)

    def report_obstacle(self, range_m: float, bearing_deg: float) -> None:
        """Vision: something at range_m, bearing_deg from the bow (+ starboard)."""
        with self._lock:
            self.navigator.report_obstacle(self._clock(), range_m, bearing_deg)

    @property
    def status(self) -> NavStatus | None:
        """The navigator's latest status."""
        return self._status

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> VesselAgent:
        """Open GNSS and helm, register commands, start the link and the helm loop."""
        cfg = self.config
        try:
            self.helm = open_helm(cfg.helm)
            self.gnss = open_gnss(cfg.gnss.url, cfg.gnss.baudrate,
                                  require_checksum=cfg.gnss.require_checksum)
            self._register_commands()
            self.runtime.add_health_source("navigation", self.health)
            self.runtime.start()
            self.gnss.start(self._on_fix)
            self.watch = attach_watch(self)  # None without a camera
        except BaseException:
            self.close()
            raise
        tick = self.lifecycle.register("helm", HELM_MAX_SILENCE_S)
        self._thread = threading.Thread(target=self._helm_loop, args=(tick,), name="vessel-helm",
                                        daemon=True)
        self._thread.start()
        log.info("vessel agent %s running: GNSS %s, helm %s, mode %s", cfg.device.id,
                 cfg.gnss.url, cfg.helm.url, self.navigator.mode)
        return self

    def close(self) -> None:
        """Stop the loop (the controller then goes neutral by its timeout), close devices and
        the link, after sending the track collected so far; safe twice."""
        if self._closed:
            return
        self._closed = True
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self.watch is not None:
            self.watch.close()  # before the runtime: its last reports go to the outbox
        if self.gnss is not None:
            self.gnss.close()
        if self.helm is not None:
            self.helm.close()
        self._flush_track()
        self.runtime.stop()

    def __enter__(self) -> VesselAgent:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- GNSS ------------------------------------------------------------------------------

    def _on_fix(self, fix: Fix) -> None:
        with self._lock:
            self.navigator.feed_fix(self._clock(), fix)
            self._last_fix = fix
            self.counters["fixes"] += 1
            listeners = list(self._fix_listeners)
            status = self._status
        if fix.has_position and fix.time is not None:
            offset = (datetime.now(UTC) - fix.time).total_seconds()
            self.runtime.set_clock("gnss", round(offset, 3))
        for listener in listeners:
            try:
                listener(fix, status)
            except Exception:  # a broken plug-in must not stop navigation
                log.exception("fix listener failed")

    # -- the helm loop ---------------------------------------------------------------------

    def _helm_loop(self, tick: Callable[[], None]) -> None:
        assert self.helm is not None
        period = 1.0 / self.config.helm.command_rate_hz
        next_t = self._clock()
        while not self._stop.is_set():
            tick()
            try:
                self._helm_step()
            except Exception:  # one bad step must not leave the helm uncommanded for good
                self.counters["loop_errors"] += 1
                log.exception("navigation step failed")
            next_t += period
            self._stop.wait(max(0.0, next_t - self._clock()))
            if self._clock() - next_t > 5 * period:
                next_t = self._clock()  # fell behind (suspend, load): do not burst

    def _helm_step(self) -> None:
        assert self.helm is not None
        now = self._clock()
        statuses = self.helm.poll()
        with self._lock:
            nav = self.navigator
            for status in statuses:
                if status.battery_pct is not None:
                    nav.report_battery(now, status.battery_pct)
            nav.report_link(now, self.runtime.link.connected)
            out = nav.step(now)
            self._status = out.status
        self.helm.send(out.demand)
        for event in out.events:
            self.counters["events"] += 1
            log.info("navigation: %s", event, extra={"event": event, "mode": out.status.mode})
        self._collect_track(now, out.status)

    # -- track -----------------------------------------------------------------------------

    def _collect_track(self, now: float, st: NavStatus) -> None:
        cfg = self.config.track
        if now >= self._track_next_point and st.lat is not None and st.lon is not None:
            self._track_next_point = now + cfg.interval_s
            fix = self._last_fix
            self._track.append({
                "time": iso_utc_ms(fix.time if fix is not None and fix.time else
                                   datetime.now(UTC)),
                "lat": round(st.lat, 7), "lon": round(st.lon, 7),
                "sog_mps": None if st.sog_mps is None else round(st.sog_mps, 2),
                "heading_deg": None if st.heading_deg is None else round(st.heading_deg, 1),
                "mode": st.mode, "behaviour": st.behaviour, "source": st.position_source,
                "reasons": list(st.reasons),
            })
            self.counters["track_points"] += 1
        if self._track_next_batch == 0.0:
            self._track_next_batch = now + cfg.batch_s
        if now >= self._track_next_batch:
            self._track_next_batch = now + cfg.batch_s
            self._flush_track()

    def _flush_track(self) -> None:
        points, self._track = self._track, []
        if not points:
            return
        payload = {"device": self.config.device.id, "points": points}
        try:
            if self.runtime.submit_bulk("track", payload) is None:
                self.counters["track_refused"] += 1
            else:
                self.counters["track_batches"] += 1
        except Exception:  # the disk, not navigation: count, log, go on
            self.counters["track_refused"] += 1
            log.exception("track batch not stored")

    # -- commands --------------------------------------------------------------------------

    def _register_commands(self) -> None:
        rt = self.runtime
        rt.register_command("set_mode", SetModeArgs, self._cmd_set_mode)
        rt.register_command("set_route", SetRouteArgs, self._cmd_set_route)
        rt.register_command("set_geofence", SetGeofenceArgs, self._cmd_set_geofence)
        rt.register_command("set_speed", SetSpeedArgs, self._cmd_set_speed)
        rt.register_command("manual", ManualArgs, self._cmd_manual)

    def _guarded(self, action: Callable[[], str]) -> str:
        with self._lock:
            try:
                return action()
            except (NavigationRefused, RouteError) as exc:
                raise CommandRejected(str(exc)) from exc

    def _cmd_set_mode(self, args: SetModeArgs) -> str:
        if (args.lat is None) != (args.lon is None):
            raise CommandRejected("give both lat and lon, or neither")
        point = None if args.lat is None or args.lon is None else (args.lat, args.lon)

        def act() -> str:
            self.navigator.set_mode(args.mode, self._clock(), point)
            return f"mode {args.mode}" + (f" at {point[0]:.6f}, {point[1]:.6f}" if point else "")
        return self._guarded(act)

    def _cmd_set_route(self, args: SetRouteArgs) -> str:
        def act() -> str:
            route = Route(tuple(args.waypoints), args.pattern)
            if args.cruise_speed_mps is not None:
                self.navigator.set_cruise_speed(args.cruise_speed_mps)
            self.navigator.set_route(route, self._clock())
            return f"route of {len(route.waypoints)} waypoints ({route.pattern})"
        return self._guarded(act)

    def _cmd_set_geofence(self, args: SetGeofenceArgs) -> str:
        def act() -> str:
            self.navigator.set_geofence(args.operating_area,
                                        [(z.name, z.polygon) for z in args.no_go])
            return f"geofence of {len(args.operating_area)} vertices, {len(args.no_go)} no-go"
        return self._guarded(act)

    def _cmd_set_speed(self, args: SetSpeedArgs) -> str:
        def act() -> str:
            self.navigator.set_cruise_speed(args.cruise_speed_mps)
            return f"cruise speed {args.cruise_speed_mps} m/s"
        return self._guarded(act)

    def _cmd_manual(self, args: ManualArgs) -> str:
        def act() -> str:
            if self.navigator.mode != "manual":
                raise CommandRejected(f"not in manual mode (mode is {self.navigator.mode})")
            self.navigator.set_manual(self._clock(), args.thrust, args.rudder)
            return "ok"
        return self._guarded(act)

    # -- health ----------------------------------------------------------------------------

    def health(self) -> dict[str, Any]:
        """Navigation, GNSS and helm state for `up/health`."""
        st = self._status
        return {
            "status": None if st is None else st.to_json(),
            "modes": list(MODES),
            "gnss": None if self.gnss is None else self.gnss.health(),
            "helm": None if self.helm is None else self.helm.health(),
            **self.counters,
        }


def run_agent(config: VesselConfig, config_path: Path) -> int:
    """Entry point of `edge run` for `kind: vessel`: run until SIGTERM/SIGINT; exit status."""
    lifecycle = AgentLifecycle()
    lifecycle.install_signal_handlers()
    try:
        agent = VesselAgent(config, lifecycle=lifecycle)
    except (NavigationRefused, RouteError) as exc:
        raise ConfigError([f"{config_path}: route: {exc}"]) from exc
    agent.start()
    try:
        lifecycle.ready(f"patrolling; config {config_path}")
        lifecycle.wait()
    finally:
        agent.close()
        lifecycle.close()
    return 0
