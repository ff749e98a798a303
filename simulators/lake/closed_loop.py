"""Fast-time closed loop: lake world ⇄ NMEA bytes ⇄ navigator ⇄ helm-protocol bytes.

The same code path as a live run, minus sockets and the wall clock: the simulated receiver's
bytes go through the real `NmeaDecoder`, the navigator's demands through the real helm
protocol into the simulated motor controller (with its neutral timeout). Time is stepped,
so an hour of patrol runs in well under a minute.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from simulators.lake.gnss_feed import GnssEmulator, GnssFaults, GnssNoise
from simulators.lake.helm_port import MotorController
from simulators.lake.world import LakeSpec, LakeWorld
from vessel.config import VesselConfig
from vessel.gnss.decoder import NmeaDecoder
from vessel.helm.protocol import HelmCommand, HelmDecoder, HelmStatus, encode_command, mix
from vessel.navigation.navigator import Navigator, NavOutput


@dataclass(frozen=True)
class Sample:
    """One helm step: truth and what the navigator thought and did."""

    t_s: float
    east_m: float  # truth, in the navigator's frame
    north_m: float
    heading_deg: float
    out: NavOutput


@dataclass
class Trace:
    """Everything a run produced."""

    samples: list[Sample] = field(default_factory=list)
    events: list[tuple[float, str]] = field(default_factory=list)
    helm_timeouts: int = 0
    gnss_counters: dict[str, int] = field(default_factory=dict)


Hook = Callable[[float, Navigator, LakeWorld], None]


@dataclass(frozen=True)
class ClosedLoopSpec:
    """Rates and faults of a run."""

    duration_s: float
    dt_s: float = 0.05
    gnss_rate_hz: float = 5.0
    helm_rate_hz: float = 10.0
    neutral_timeout_s: float = 1.0
    seed: int = 0
    faults: GnssFaults = field(default_factory=GnssFaults)
    noise: GnssNoise = field(default_factory=GnssNoise)


def lake_spec_for(cfg: VesselConfig, **overrides: object) -> LakeSpec:
    """A lake around the config's home, the boat starting at home, targets in the operating area."""
    base = {
        "origin_lat": cfg.home.lat, "origin_lon": cfg.home.lon,
        "start_lat": cfg.home.lat, "start_lon": cfg.home.lon,
        "area": tuple(cfg.geofence.operating_area),
    }
    base.update(overrides)
    return LakeSpec(**base)  # type: ignore[arg-type]


def run_closed_loop(cfg: VesselConfig, lake: LakeSpec, run: ClosedLoopSpec,
                    navigator: Navigator | None = None, hook: Hook | None = None,
                    stop: Callable[[Trace], bool] | None = None) -> Trace:
    """Run the loop for run.duration_s of simulated time (or until `stop(trace)`)."""
    world = LakeWorld(lake)
    nav = navigator or Navigator(cfg)
    emulator = GnssEmulator(world.frame, lake.start_utc, run.seed + 1, run.noise, run.faults)
    decoder = NmeaDecoder(require_checksum=cfg.gnss.require_checksum)
    controller = MotorController(run.neutral_timeout_s)
    replies = HelmDecoder()
    trace = Trace()
    gnss_every = max(1, round(1.0 / (run.gnss_rate_hz * run.dt_s)))
    helm_every = max(1, round(1.0 / (run.helm_rate_hz * run.dt_s)))
    steering = cfg.helm.steering
    steps = math.ceil(run.duration_s / run.dt_s)
    for k in range(steps):
        t = k * run.dt_s
        if hook is not None:
            hook(t, nav, world)
        if k % gnss_every == 0:
            for fix in decoder.feed(emulator.epoch(t, world.boat)):
                nav.feed_fix(t, fix)
        if k % helm_every == 0:
            out = nav.step(t)
            a, b = mix(out.demand.thrust, out.demand.rudder, steering)
            line = encode_command(HelmCommand(k // helm_every, steering, a, b))
            for reply in replies.feed(controller.feed(t, line, round(world.battery_pct, 1))):
                if isinstance(reply, HelmStatus) and reply.battery_pct is not None:
                    nav.report_battery(t, reply.battery_pct)
            trace.samples.append(Sample(t, world.boat.east_m, world.boat.north_m,
                                        world.boat.heading_deg, out))
            trace.events.extend((t, e) for e in out.events)
            if stop is not None and stop(trace):
                break
        world.step(run.dt_s, *controller.demand(t))
    trace.helm_timeouts = controller.timeouts
    trace.gnss_counters = decoder.counters
    return trace
