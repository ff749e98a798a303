"""`AxleLoadCore`: DAQ frames in, finished vehicle passages out. Pure: no I/O, no clock.

On a site of several lanes every wheel pulse is given to one lane before the lanes assemble
their axle trains. A vehicle over the line between two lanes (straddling, changing lane)
goes to one of them whole, its wheels from the other lane marked foreign so the passage is
flagged: lanes are taken to be numbered left to right, each with a left and a right
channel per row (or one 'full' channel), as on the reference site and in the simulator.
"""

from __future__ import annotations

from collections import deque
from dataclasses import replace

import numpy as np

from wim_station.config import WimSiteConfig
from wim_station.core import passage as P
from wim_station.core.assembly import LaneAssembler
from wim_station.core.layout import ChannelSpec, SiteLayout
from wim_station.core.pulses import Pulse, PulseDetector
from wim_station.daq.codec import SeqGap
from wim_station.daq.frame import (
    STATUS_CHANNEL_FAULT,
    STATUS_CLOCK_UNSYNCED,
    STATUS_DROPPED_BEFORE,
    STATUS_OVERRANGE,
    DaqFrame,
)

_STATUS_FLAGS = (
    (STATUS_OVERRANGE, P.FLAG_OVERRANGE),
    (STATUS_CHANNEL_FAULT, P.FLAG_SENSOR_FAULT),
    (STATUS_CLOCK_UNSYNCED, P.FLAG_CLOCK_UNSYNCED),
    (STATUS_DROPPED_BEFORE, P.FLAG_LOST_SAMPLES),
)
# Conditions (status, gaps) are remembered this long: longer than any axle train.
_CONDITION_MEMORY_US = 120e6
# Two lone wheels in neighbouring lanes this close in time are one straddling axle.
_STRADDLE_US = 5_000.0
# A wheel split over the line between two lanes shows one pulse per side with the same centre
# (the same contact patch); another vehicle's axle coincides this closely only by chance.
_SPLIT_WHEEL_US = 1_000.0
# Pairs this close after the previous one belong to the same straddling vehicle.
_STRADDLE_EPISODE_US = 1.5e6
# Frames this far off the expected start time are a discontinuity (in sample periods).
_CONTINUITY_SAMPLES = 0.5


class AxleLoadCore:
    """Feed it frames (and `SeqGap`s) in order; it returns each vehicle once it has passed.

    `site` is a `SiteLayout` or a validated `WimSiteConfig`. The frames' channel count must
    match the layout; frames that do not are counted and skipped.
    """

    def __init__(self, site: SiteLayout | WimSiteConfig) -> None:
        self.site = site if isinstance(site, SiteLayout) else SiteLayout.from_config(site)
        chans = self.site.channels
        self._zero = np.array([c.zero_counts for c in chans], dtype=np.float64)
        self._gain = np.array([c.gain_n_per_count for c in chans], dtype=np.float64)
        self._detector = PulseDetector(chans, self.site.sample_rate_hz, self.site.detection)
        self._lanes = {lane.lane: LaneAssembler(lane, self.site) for lane in self.site.lanes}
        self._lane_arr = np.array([c.lane for c in chans])
        self._specs = chans
        self._block: list[np.ndarray] = []
        self._block_samples = 0
        self._block_t0_us = 0.0
        self._next_t0_us: float | None = None
        self._rate = self.site.sample_rate_hz
        self._conditions: deque[tuple[float, float, str]] = deque()
        # One reading a second for ten minutes: longer than any train waits to be solved.
        self._temperatures: deque[tuple[float, float]] = deque(maxlen=600)
        self.frames = 0
        self.samples = 0
        self.frames_rejected = 0
        self.discontinuities = 0
        self.passages = 0
        self.straddle_pairs = 0
        self.boundary_wheels = 0
        self._straddles: dict[tuple[int, int], tuple[int, float]] = {}
        self._held: list[Pulse] = []
        # Lane -> end of the latest whole axle (both wheels, or a full-width channel) routed.
        self._axle_end_us = {lane.lane: -float("inf") for lane in self.site.lanes}
        # Routed pulses that a lone wheel still held may join (a wheel split over the line).
        self._recent: list[tuple[Pulse, ChannelSpec]] = []
        # A lone wheel is routed only once it ended this long ago: it is known to be lone
        # once every pulse that could overlap it has been reported (the longest wheel pulse,
        # at the lowest certified speed). A wheel with its axle's other wheel goes at once.
        det = self.site.detection
        v_min = self.site.rules.min_speed_kmh / 3.6
        longest_m = max(c.length_m for c in chans) + det.max_contact_patch_m
        self._hold_us = 1e6 * (min(det.max_pulse_s, longest_m / v_min) if v_min > 0
                               else det.max_pulse_s)

    # -- input ----------------------------------------------------------------------------

    def feed(self, item: DaqFrame | SeqGap) -> list[P.Passage]:
        """Take one frame (or a gap report); return the vehicles completed so far."""
        if isinstance(item, SeqGap):
            out = self._process_block()
            self._discontinuity(self._next_t0_us, float(item.t0_us))
            return out
        frame = item
        if frame.n_channels != len(self._specs) or frame.sample_rate_hz != self._rate:
            self.frames_rejected += 1
            return []
        self.frames += 1
        self.samples += frame.n_samples
        t0 = float(frame.t0_us)
        dur = frame.n_samples * 1e6 / self._rate
        out = []
        if self._next_t0_us is not None and abs(t0 - self._next_t0_us) > (
            _CONTINUITY_SAMPLES * 1e6 / self._rate
        ):
            out += self._process_block()
            self._discontinuity(self._next_t0_us, t0)
        for bit, flag in _STATUS_FLAGS:
            if frame.status & bit:
                start = t0 - dur if bit == STATUS_DROPPED_BEFORE else t0
                self._conditions.append((start, t0 + dur, flag))
        if frame.temperature_c is not None:
            temps = self._temperatures
            if not temps or t0 - temps[-1][0] >= 1e6 or t0 < temps[-1][0]:
                temps.append((t0, frame.temperature_c))
        if not self._block:
            self._block_t0_us = t0
        self._block.append(frame.samples)
        self._block_samples += frame.n_samples
        self._next_t0_us = t0 + dur
        if self._block_samples >= self.site.detection.block_samples:
            out += self._process_block()
        return out

    def flush(self) -> list[P.Passage]:
        """End of stream: measure what is pending and return the last vehicles."""
        out = self._process_block()
        self._route_held(float("inf"))
        tail: list[P.Passage] = []
        for lane in self._lanes.values():
            tail += lane.flush(self._conditions_between)
        self.passages += len(tail)
        return sorted(out + tail, key=lambda p: p.t_first_axle_us)

    def counters(self) -> dict[str, int]:
        """Counters for health: frames used/rejected, discontinuities, faults, passages."""
        return {
            "frames": self.frames,
            "samples": self.samples,
            "frames_rejected": self.frames_rejected,
            "discontinuities": self.discontinuities,
            "fault_pulses": self._detector.fault_pulses,
            "passages": self.passages,
            "straddle_pairs": self.straddle_pairs,
            "boundary_wheels": self.boundary_wheels,
            "unmeasured_trains": sum(lane.unmeasured for lane in self._lanes.values()),
        }

    # -- internals ------------------------------------------------------------------------

    def _discontinuity(self, expected_us: float | None, t0_us: float) -> None:
        """Samples between are unknown: nothing open across the gap can be measured."""
        self.discontinuities += 1
        self._detector.reset()
        start = expected_us if expected_us is not None else t0_us
        self._conditions.append((min(start, t0_us), max(start, t0_us), P.FLAG_LOST_SAMPLES))
        self._next_t0_us = None

    def _process_block(self) -> list[P.Passage]:
        if not self._block:
            return []
        counts = self._block[0] if len(self._block) == 1 else np.concatenate(self._block)
        t0 = self._block_t0_us
        self._block, self._block_samples = [], 0
        force = (counts - self._zero) * self._gain
        self._held += self._detector.feed(force, t0)
        now_us = t0 + counts.shape[0] * 1e6 / self._rate
        self._route_held(now_us - self._hold_us)
        self._recent = [(p, sp) for p, sp in self._recent
                        if p.t_end_us >= now_us - 2 * self._hold_us]
        while self._conditions and self._conditions[0][1] < now_us - _CONDITION_MEMORY_US:
            self._conditions.popleft()
        # A wheel on a strip, or a pulse held back, is not quiet: its lane (or, should it
        # straddle the line, a neighbour) must not close a train across it.
        busy = self._detector.open_since_us.copy()
        for p in self._held:
            if not p.fault:
                busy[p.channel] = min(busy[p.channel], p.t_start_us)
        out: list[P.Passage] = []
        for number, lane in self._lanes.items():
            near = np.abs(self._lane_arr - number) <= 1
            busy_from = float(busy[near].min()) if near.any() else float("inf")
            out += lane.poll(now_us, self._conditions_between, busy_from)
        self.passages += len(out)
        return sorted(out, key=lambda p: p.t_first_axle_us)

    def _route_held(self, until_us: float) -> None:
        """Hand every held pulse that ended before `until_us` to its lane."""
        # Faults go at once: they only flag, and must reach the lane before its train closes.
        held = [(p, self._specs[p.channel]) for p in self._held]
        is_ready = [p.fault or p.t_end_us < until_us or not self._lone(p, sp, held)
                    for p, sp in held]
        if not any(is_ready):
            return
        ready = [p for p, r in zip(self._held, is_ready, strict=True) if r]
        self._held = [p for p, r in zip(self._held, is_ready, strict=True) if not r]
        ready.sort(key=lambda p: p.t_mid_us)
        # The lone test needs the pulses still held too: they may overlap a ready one.
        for pulse, spec in self._route(ready, self._held):
            self._lanes[spec.lane].add(pulse, spec)
            if spec.foreign_lane is None:
                self._recent.append((pulse, spec))

    def _route(self, pulses: list[Pulse],
               later: list[Pulse]) -> list[tuple[Pulse, ChannelSpec]]:
        """Lane of every pulse (sorted by time); wheels over a lane line go to one lane.

        A straddling vehicle shows, at the same row and moment, a single wheel in each of two
        neighbouring lanes (no other wheel beside it in either). Both go to one lane (at the
        start of the episode the one with no axle train in progress, else the one with more
        load), marked foreign, so the vehicle is
        seen once, flagged, instead of twice or mixed into the next lane's traffic. A lone
        wheel beside the line that coincides with an axle of the neighbouring lane (a lane
        changer's wheel split over the line, or a wheel path on it) joins that axle, marked
        foreign: it is part of that vehicle, and in its own lane it would be a phantom axle.
        """
        routed = [(p, self._specs[p.channel]) for p in pulses]
        if len(self._lanes) < 2 or not pulses:
            return routed
        others = routed + [(p, self._specs[p.channel]) for p in later] + self._recent
        lone = [self._lone(p, sp, others) for p, sp in routed]
        for (p, sp), is_lone in zip(routed, lone, strict=True):
            if not is_lone or sp.side == "full":
                self._axle_end_us[sp.lane] = max(self._axle_end_us[sp.lane], p.t_end_us)
        # Wheels routed before (an axle's two wheels go at once) may have one beside them.
        n = len(routed)
        lone += [False] * len(self._recent)
        for i, (p, sp) in enumerate(routed):
            if not lone[i]:
                continue
            beside = None
            for j in range(len(lone)):
                q, sq = routed[j] if j < n else self._recent[j - n]
                if j == i or abs(q.t_mid_us - p.t_mid_us) > _STRADDLE_US:
                    continue
                if (abs(sq.lane - sp.lane) != 1 or sq.position_m != sp.position_m
                        or q.t_start_us > p.t_end_us or p.t_start_us > q.t_end_us
                        or sq.foreign_lane is not None):
                    continue
                if not lone[j]:
                    if (beside is None and self._faces(sp, sq.lane)
                            and abs(q.t_mid_us - p.t_mid_us) <= _SPLIT_WHEEL_US):
                        beside = sq.lane
                    continue
                if j < i:
                    continue
                pair = (min(sp.lane, sq.lane), max(sp.lane, sq.lane))
                lane, last = self._straddles.get(pair, (0, -float("inf")))
                if p.t_mid_us - last > _STRADDLE_EPISODE_US:
                    lane = self._straddle_lane(p, sp, q, sq)
                self._straddles[pair] = (lane, p.t_mid_us)
                routed[i] = (p, self._as_lane(sp, lane))
                routed[j] = (q, self._as_lane(sq, lane))
                lone[i] = lone[j] = False
                self.straddle_pairs += 1
                beside = None
                break
            if beside is not None and lone[i]:
                pair = (min(sp.lane, beside), max(sp.lane, beside))
                lane, last = self._straddles.get(pair, (0, -float("inf")))
                if p.t_mid_us - last <= _STRADDLE_EPISODE_US and lane != beside:
                    continue  # a vehicle over the line already goes to the other lane
                routed[i] = (p, self._as_lane(sp, beside))
                lone[i] = False
                self.boundary_wheels += 1
                # The vehicle is over the line from its axles in `beside`: its straddling
                # axles that follow belong there too.
                self._straddles[pair] = (beside, p.t_mid_us)
        return routed

    def _straddle_lane(self, p: Pulse, sp: ChannelSpec, q: Pulse, sq: ChannelSpec) -> int:
        """Lane for a new straddler: the one without a train in progress, else more load."""
        # A lane is busy with a whole axle (not the straddler's own first wheel on one lane's
        # line-facing strip, its other side too light to trigger) less than a tailgating gap
        # before the wheel.
        gap_us = self.site.detection.tailgating_gap_s * 1e6
        busy = [self._axle_end_us[s.lane] > x.t_start_us - gap_us for x, s in ((p, sp), (q, sq))]
        if busy[0] != busy[1]:
            return sq.lane if busy[0] else sp.lane
        return sp.lane if p.area_ns >= q.area_ns else sq.lane

    @staticmethod
    def _faces(spec: ChannelSpec, lane: int) -> bool:
        """Whether the channel lies along the line to `lane` (lanes numbered left to right)."""
        return spec.side == "full" or spec.side == ("right" if lane > spec.lane else "left")

    def _lone(self, p: Pulse, sp: ChannelSpec,
              others: list[tuple[Pulse, ChannelSpec]]) -> bool:
        return not any(
            sq.lane == sp.lane and sq.row == sp.row and sq.side != sp.side
            and q.t_start_us <= p.t_end_us and p.t_start_us <= q.t_end_us
            for q, sq in others
        )

    def _as_lane(self, spec: ChannelSpec, lane: int) -> ChannelSpec:
        if spec.lane == lane:
            return spec
        rows = [c.row for c in self._specs if c.lane == lane and c.position_m == spec.position_m]
        return replace(spec, lane=lane, row=rows[0], foreign_lane=spec.lane)

    def _conditions_between(
        self, t_from_us: float, t_to_us: float
    ) -> tuple[set[str], float | None]:
        flags = {f for a, b, f in self._conditions if b >= t_from_us and a <= t_to_us}
        temps = [temp for t, temp in self._temperatures if t <= t_to_us]
        if not temps and self._temperatures:
            temps = [self._temperatures[0][1]]
        return flags, (temps[-1] if temps else None)
