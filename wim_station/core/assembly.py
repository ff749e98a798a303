"""From wheel pulses of one lane to vehicles: hits per row, axles across rows, vehicles.

Pulses of a lane are collected until the lane has been quiet long enough that no
configured vehicle could go on from its last axles (at the measured speed, even braking),
then the whole axle train is solved at once: pulses of one row are joined into hits (left +
right wheel of an axle), hits are matched from row to row (which gives each axle's speed),
axle loads are computed per row and combined, and the train is cut into vehicles by dynamic
programming against the configured axle configurations (so a vehicle following close
behind is not merged).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np

from wim_station.calibration.model import channel_gain, speed_factor, temperature_factor
from wim_station.config import VehicleClass
from wim_station.core import passage as P
from wim_station.core.layout import ChannelSpec, LaneLayout, SiteLayout
from wim_station.core.pulses import Pulse

G_MPS2 = 9.80665  # standard gravity (CGPM 1901): force in N to mass in kg
_GROUP_DIGIT = {1: "2", 2: "5", 3: "7"}
_MAX_TRAIN_AXLES = 40
# Row-to-row delay of one axle may differ from its neighbours' by this much (speed change
# along a braking vehicle, timing noise); a tandem partner is 40 % or more away.
_DELAY_TOL = 0.12
_DELAY_TOL_US = 1500.0
# Vote lost per (proximity-weighted) hit a delay leaves without a partner.
_ORPHAN_COST = 0.5
# Row matching looks this many row-to-row delays either side for axles of the same vehicle
# (at least its window): four 3 m row spacings span most of a vehicle, and from 43 km/h on
# that is inside the 1 s window anyway.
_WINDOW_ROWS = 4.0

# The most axles of one vehicle the segmentation considers.
_MAX_VEHICLE_AXLES = 10


@dataclass(frozen=True)
class _Closing:
    """When a train prefix closes: the end of the quiet needed, the last axle's speed."""

    close_at_us: float
    speed_mps: float
    capped: bool  # closed on the longest wait, its last vehicle not known to be whole
    # A configured vehicle (or one of no class) could go on from the train's tail.
    may_go_on: bool = True


def _travel_us(distance_m: float, speed_mps: float, decel_mps2: float,
               floor_mps: float) -> float:
    """Longest time to cover `distance_m` from `speed_mps`, braking at `decel_mps2` down to
    `floor_mps` at most (below the certified speed range a passage is flagged anyway)."""
    if speed_mps <= floor_mps:
        return distance_m / speed_mps * 1e6
    braking_m = (speed_mps**2 - floor_mps**2) / (2.0 * decel_mps2)
    if distance_m >= braking_m:
        return ((speed_mps - floor_mps) / decel_mps2 + (distance_m - braking_m) / floor_mps) * 1e6
    disc = speed_mps * speed_mps - 2.0 * decel_mps2 * distance_m
    return float((speed_mps - np.sqrt(disc)) / decel_mps2 * 1e6)


# conditions(t_from_us, t_to_us) -> (flags from frame status and gaps, temperature_c)
Conditions = Callable[[float, float], tuple[set[str], float | None]]


@dataclass
class _Hit:
    """The wheels of one axle crossing one row."""

    row: int  # index into the lane's rows
    t_start_us: float
    t_end_us: float
    pulses: dict[str, tuple[Pulse, ChannelSpec]] = field(default_factory=dict)

    @property
    def t_us(self) -> float:
        return float(np.mean([p.t_mid_us for p, _ in self.pulses.values()]))


@dataclass
class _AxleObs:
    hits: dict[int, _Hit]  # row index -> hit
    t0_us: float = 0.0  # crossing of row 0
    speed_mps: float = float("nan")
    accel_mps2: float | None = None
    load_kg: float = 0.0
    row_loads: tuple[float | None, ...] = ()
    left_kg: float | None = None
    right_kg: float | None = None
    side_evidence: dict[int, bool] = field(default_factory=dict)  # row -> wheel off strip
    channel_kg: tuple[tuple[int, float], ...] = ()  # each channel's share of load_kg
    unweighed: bool = False  # no row gave a load at all


def variance_min_weights(positions_m: np.ndarray, noise: np.ndarray, dynamic: float,
                         corr_length_m: float) -> np.ndarray:
    """Weights (sum 1) that minimise the variance of a weighted mean of row estimates.

    Row errors = sensor noise (independent) + dynamic load (correlated, exp(-d/L)).
    """
    d = np.abs(positions_m[:, None] - positions_m[None, :])
    cov = np.diag(noise**2) + dynamic**2 * np.exp(-d / corr_length_m)
    ones = np.ones(len(positions_m))
    try:
        w = np.linalg.solve(cov, ones)
    except np.linalg.LinAlgError:
        w = ones
    return np.asarray(w / w.sum())


def _match_rows(ta: np.ndarray, tb: np.ndarray, dx_m: float, v_min: float,
                v_max: float, window_us: float = 1.0e6) -> list[tuple[int, int]]:
    """Pair hits of row A with hits of the next row B (same axle), keeping order.

    Each hit of A takes the delay its neighbours agree on most: axles of one vehicle share
    a speed, vehicles close behind each other need not. The neighbours are the hits within
    `window_us`, or within `_WINDOW_ROWS` times the delay of the hit before if that is
    longer: at 10 km/h a second holds no other axle of the vehicle, and a lone axle fits
    the row-B hit of the axle behind it as well as its own.
    """
    if ta.size == 0 or tb.size == 0:
        return []
    dmin, dmax = dx_m / v_max * 1e6, dx_m / v_min * 1e6
    pairs: list[tuple[int, int]] = []
    used_j = -1
    last_delay = 0.0
    alone: set[int] = set()  # hits of A with no other hit of A in their window
    for i, t in enumerate(ta.tolist()):
        cand = tb - t
        cand = cand[(cand > dmin) & (cand < dmax)]
        if cand.size == 0:
            continue
        win = max(window_us, _WINDOW_ROWS * last_delay)
        near = ta[np.abs(ta - t) <= win]
        if near.size == 1:
            alone.add(i)
        # Closer axles count more: a braking vehicle's delay drifts along its length.
        weight = np.exp(-np.abs(near - t) / (0.25 * win))
        tol = _DELAY_TOL * cand + _DELAY_TOL_US
        err = np.abs(tb[None, None, :] - (near[None, :, None] + cand[:, None, None]))
        votes = ((err.min(axis=2) <= tol[:, None]) * weight[None, :]).sum(axis=1)
        # Order is kept, so the hits of B before t + delay pair with those of A before t:
        # a delay that leaves hits of B without a partner (or A) is less likely. Without
        # this a braking truck's axle pattern fits a delay five times too long as well.
        before_a = weight[near <= t].sum()
        shifted = tb[None, :] - cand[:, None] - t
        before_b = np.where((shifted <= 0) & (shifted >= -win),
                            np.exp(-np.abs(shifted) / (0.25 * win)), 0.0).sum(axis=1)
        votes = votes - _ORPHAN_COST * np.abs(before_b - before_a)
        delay = last_delay = float(cand[int(np.argmax(votes))])
        miss = np.abs(tb - (t + delay))
        miss[: used_j + 1] = np.inf
        j = int(np.argmin(miss))
        if miss[j] <= _DELAY_TOL * delay + _DELAY_TOL_US:
            pairs.append((i, j))
            used_j = j
    return _return_stolen(ta, tb, pairs, alone)


def _return_stolen(ta: np.ndarray, tb: np.ndarray, pairs: list[tuple[int, int]],
                   alone: set[int]) -> list[tuple[int, int]]:
    """Give a hit of B taken by a lone hit of A long before back to the axle it belongs to.

    A wheel on one row only (a straddler's stray tyre edge, a wheel leaving the lane) pairs
    with the first hit of B in reach, which may be the next vehicle's first axle seconds
    later: that axle, left without its row-B hit, would cost its vehicle its decision. The
    hit of B goes back to the unpaired hit of A whose delay agrees with the pairs after it.
    """
    out = list(pairs)
    for i in range(ta.size):
        if any(a == i for a, _ in out):
            continue
        later = [(a, b) for a, b in out if a > i]
        if not later:
            continue
        a2, b2 = later[0]
        delay = float(tb[b2] - ta[a2])
        j = int(np.argmin(np.abs(tb - (ta[i] + delay))))
        if abs(tb[j] - ta[i] - delay) > _DELAY_TOL * delay + _DELAY_TOL_US or j >= b2:
            continue
        taken = next((k for k, (a, b) in enumerate(out) if b == j and a < i and a in alone),
                     None)
        # A pair in between would break the order of the pairs.
        if taken is not None and not any(out[taken][0] < a < i for a, _ in out):
            out[taken] = (i, j)
    return sorted(out)


class LaneAssembler:
    """Collects one lane's pulses and turns each quiet-delimited axle train into passages."""

    def __init__(self, lane: LaneLayout, site: SiteLayout) -> None:
        self.lane = lane
        self.site = site
        self.det = site.detection
        self.row_of = {r: k for k, r in enumerate(lane.rows)}
        self.positions = np.array(lane.positions_m)
        self.expected_sides = [
            {c.side for c in lane.row_channels(r)} for r in lane.rows
        ]
        self.pending: list[tuple[Pulse, ChannelSpec]] = []
        self.faults: list[Pulse] = []
        self._last_axle_t_us: float | None = None  # of the previous vehicle
        self.trains = 0
        self.unmeasured = 0  # trains without a single axle seen by two rows
        self._dirty = False
        # Train prefix length -> how it may close (pending only grows until a cut).
        self._close_memo: dict[int, _Closing] = {}
        # Longest quiet stretch inside a vehicle: its longest spacing (with the margin the
        # closing allows) less the rows' span (a wheel is on some row until the next axle
        # reaches row 0), at the certified minimum speed; a floor of 1 km/h keeps a 0
        # setting finite.
        self._span_m = float(self.positions[-1] - self.positions[0])
        longest_m = max(hi for vc in site.vehicle_classes for _, hi in vc.spacings_m) * (
            1 + self.det.closing_spacing_margin)
        self._inside_m = longest_m - self._span_m
        self._floor_mps = max(site.rules.min_speed_kmh, 1.0) / 3.6
        # Slowest axle the rows are matched for: half the certified minimum (a crawling
        # vehicle is still reported, flagged out of range).
        self._slowest_mps = max(0.5, site.rules.min_speed_kmh / 3.6 * 0.5)
        self._quiet_cap_us = 1e6 * max(self.det.train_gap_min_s, self._inside_m / self._floor_mps)
        # Quiet until then cannot close anything that is pending now (see `poll`).
        self._next_close_us = -float("inf")
        # The last train closed on a stretch too short for its speed: the vehicle may go on
        # in a train starting before this.
        self._doubt_until_us = -float("inf")

    def add(self, pulse: Pulse, spec: ChannelSpec) -> None:
        if pulse.fault:
            self.faults.append(pulse)
            self.faults = self.faults[-50:]
            return
        self.pending.append((pulse, spec))
        self._dirty = True
        self._close_memo.clear()

    def poll(self, now_us: float, conditions: Conditions,
             busy_from_us: float = float("inf")) -> list[P.Passage]:
        """Solve every train followed by a quiet stretch (inside the pending pulses or now).

        `busy_from_us`: start of the earliest wheel pulse of this lane still in progress or
        not yet handed over; the lane is not quiet from then on, whatever `now_us` says.
        """
        out: list[P.Passage] = []
        quiet_end_us = min(now_us, busy_from_us)
        if not self.pending or (not self._dirty and quiet_end_us < self._next_close_us):
            return out
        self._dirty = False
        floor_us = self.det.train_gap_min_s * 1e6
        while self.pending:
            self.pending.sort(key=lambda ps: ps[0].t_start_us)
            starts = np.array([p.t_start_us for p, _ in self.pending])
            ends = np.maximum.accumulate(np.array([p.t_end_us for p, _ in self.pending]))
            quiet_to = np.minimum(np.append(starts[1:], quiet_end_us), quiet_end_us)
            cut = None
            closing = None
            for k in np.nonzero(quiet_to - ends >= floor_us)[0].tolist():
                closing = self._closing(k + 1, float(ends[k]))
                if quiet_to[k] >= closing.close_at_us:
                    cut = k + 1
                    break
            doubt_until_us = -float("inf")
            if cut is not None and closing is not None:
                gap_us = float(quiet_to[cut - 1] - ends[cut - 1])
                # Slower than certified, or a tail cut short: the stretch may fall inside
                # the vehicle, so one going on in the next train is no vehicle of its own.
                inside_us = (self._inside_m / closing.speed_mps * 1e6 if closing.speed_mps > 0
                             else gap_us)  # no axle over two rows: no vehicle to go on
                if closing.may_go_on and gap_us < inside_us:
                    doubt_until_us = float(ends[cut - 1]) + inside_us
            elif len(self.pending) > 4 * _MAX_TRAIN_AXLES:
                cut, doubt_until_us = len(self.pending), float(ends[-1]) + self._quiet_cap_us
                closing = _Closing(float(ends[-1]), 0.0, capped=True)
            if cut is None or closing is None:
                self._next_close_us = self._closing(len(self.pending),
                                                    float(ends[-1])).close_at_us
                break
            train, self.pending = self.pending[:cut], self.pending[cut:]
            self._close_memo.clear()
            self.trains += 1
            out += self._solve(train, conditions, doubt_until_us, closing.capped)
        return out

    def flush(self, conditions: Conditions) -> list[P.Passage]:
        """Solve whatever is pending (end of stream)."""
        out = self.poll(float("inf"), conditions)
        if self.pending:
            train, self.pending = self.pending, []
            self._close_memo.clear()
            self.trains += 1
            out += self._solve(train, conditions, -float("inf"), False)
        return out

    def _closing(self, n: int, end_us: float) -> _Closing:
        """When quiet after the first `n` pending pulses (ending at `end_us`) closes them.

        The rows' own matching gives the axles: pairing the last row-0 pulse with the next
        row-1 pulse would take another axle for it whenever a spacing is shorter than the
        rows' span, and a speed many times too high closes a slow vehicle in its middle.
        """
        memo = self._close_memo.get(n)
        if memo is not None:
            return memo
        floor_us, cap_us = self.det.train_gap_min_s * 1e6, self._quiet_cap_us
        axles = self._axles(self._row_hits(self.pending[:n]))
        last = axles[-1] if axles else None
        v = last.speed_mps if last is not None else float("nan")
        v = v if np.isfinite(v) and v > 0 else 0.0
        if v == 0:
            # No axle crossed two rows yet: wait until the slowest axle the rows are matched
            # for would have; wheels that never do (a tyre edge on a strip, a wheel leaving
            # the lane) must not hold the lane open longer for the next vehicle.
            closing = _Closing(end_us + min(cap_us, self._span_m / self._slowest_mps * 1e6),
                               v, capped=True)
        elif last is None or v < self._floor_mps:
            # Slower than certified, the stretch may fall inside the vehicle: wait as long as
            # a vehicle of the certified range can take; closed then, it is not known whole.
            closing = _Closing(end_us + cap_us, v, capped=True)
        else:
            spacings = [self._spacing(a, b) for a, b in itertools.pairwise(axles)]
            reach_m = self._continuation_m(axles, spacings)
            # An axle not seen on every row yet (its speed is its neighbours') may still
            # cross the rest; one of a lane changer never will.
            whole = len(last.hits) == len(self.lane.rows)
            if reach_m is None:
                wait_us = min(max(self.det.train_gap_m / v * 1e6, floor_us), cap_us)
                closing = _Closing(end_us + wait_us, v, capped=False)
            elif whole and reach_m <= self._span_m:
                # A next axle would have reached row 0 already.
                closing = _Closing(end_us + floor_us, v, capped=False, may_go_on=False)
            else:
                # From the last axle at row 0: the next axle of the vehicle reaches row 0 (and
                # the last axle the last row) by then, unless braking harder.
                travel_us = _travel_us(max(reach_m, self._span_m), v,
                                       self.det.closing_decel_mps2, self._floor_mps)
                closing = _Closing(max(end_us + floor_us, last.t0_us + travel_us), v,
                                   capped=False)
        self._close_memo[n] = closing
        return closing

    def _continuation_m(self, axles: list[_AxleObs], spacings: list[float]) -> float | None:
        """Longest spacing to an axle that could still follow the train's last vehicle.

        0 when no configured vehicle goes on from any possible start of the last vehicle;
        None when the train's tail matches no configured class at all (nothing known).
        """
        n = len(axles)
        i_last, _ = self._segment(axles, spacings)[-1]
        if n - i_last >= 2 and self._match_class(axles[i_last:], spacings[i_last:]) is None:
            return None
        margin = self.det.closing_spacing_margin
        reach_m = 0.0
        for i in range(max(0, n - _MAX_VEHICLE_AXLES), n):
            if i > 0 and spacings[i - 1] < self.det.min_vehicle_gap_m:
                continue  # no vehicle starts this close behind another's axle
            tail = spacings[i:]
            for vc in self.site.vehicle_classes:
                if len(vc.spacings_m) > len(tail) and all(
                    lo * (1 - margin) <= s <= hi * (1 + margin)
                    for s, (lo, hi) in zip(tail, vc.spacings_m, strict=False)
                ):
                    reach_m = max(reach_m, vc.spacings_m[len(tail)][1] * (1 + margin))
        return reach_m

    # -- solving a train ------------------------------------------------------------------

    def _row_hits(self, pulses: list[tuple[Pulse, ChannelSpec]]) -> list[list[_Hit]]:
        out: list[list[_Hit]] = [[] for _ in self.lane.rows]
        for pulse, spec in sorted(pulses, key=lambda ps: ps[0].t_start_us):
            hits = out[self.row_of[spec.row]]
            last = hits[-1] if hits else None
            key = spec.side if spec.foreign_lane is None else f"{spec.side}@{spec.foreign_lane}"
            if (last is not None and pulse.t_start_us <= last.t_end_us
                    and key not in last.pulses):
                last.pulses[key] = (pulse, spec)
                last.t_start_us = min(last.t_start_us, pulse.t_start_us)
                last.t_end_us = max(last.t_end_us, pulse.t_end_us)
            else:
                hits.append(_Hit(self.row_of[spec.row], pulse.t_start_us, pulse.t_end_us,
                                 {key: (pulse, spec)}))
        return out

    def _axles(self, row_hits: list[list[_Hit]]) -> list[_AxleObs]:
        rules = self.site.rules
        v_min = self._slowest_mps
        v_max = max(rules.max_speed_kmh / 3.6 * 1.5, 10.0)
        # link[k][i] = index of the hit in row k+1 matched to hit i of row k
        links: list[dict[int, int]] = []
        for k in range(len(row_hits) - 1):
            ta = np.array([h.t_us for h in row_hits[k]])
            tb = np.array([h.t_us for h in row_hits[k + 1]])
            dx = float(self.positions[k + 1] - self.positions[k])
            links.append(dict(_match_rows(ta, tb, dx, v_min, v_max)))
        linked_to = [set(d.values()) for d in links]
        chains: list[_AxleObs] = []
        for k, hits in enumerate(row_hits):
            for i in range(len(hits)):
                if k > 0 and i in linked_to[k - 1]:
                    continue
                obs = _AxleObs(hits={k: hits[i]})
                kk, ii = k, i
                while kk < len(links) and ii in links[kk]:
                    ii = links[kk][ii]
                    kk += 1
                    obs.hits[kk] = row_hits[kk][ii]
                chains.append(obs)
        for obs in chains:
            rows = sorted(obs.hits)
            if len(rows) >= 2:
                t = np.array([obs.hits[r].t_us for r in rows]) * 1e-6
                x = self.positions[rows]
                if len(rows) >= 3:
                    c2, c1, _ = np.polyfit(t - t.mean(), x, 2)
                    obs.speed_mps, obs.accel_mps2 = float(c1), float(2 * c2)
                else:
                    obs.speed_mps = float((x[1] - x[0]) / (t[1] - t[0]))
        good = [o for o in chains if np.isfinite(o.speed_mps)]
        for obs in chains:
            if not np.isfinite(obs.speed_mps) and good:
                r = min(obs.hits)
                t_r = obs.hits[r].t_us
                nearest = min(good, key=lambda g: abs(g.hits[min(g.hits)].t_us - t_r))
                obs.speed_mps = nearest.speed_mps
            r = min(obs.hits)
            v = obs.speed_mps if np.isfinite(obs.speed_mps) and obs.speed_mps > 0 else np.nan
            lead_us = (self.positions[r] - self.positions[0]) / v * 1e6 if np.isfinite(v) else 0.0
            obs.t0_us = float(obs.hits[r].t_us - lead_us)
        chains.sort(key=lambda o: o.t0_us)
        return chains

    def _loads(self, obs: _AxleObs, temperature_c: float | None) -> None:
        cal = self.site.calibration
        v = obs.speed_mps
        row_loads: list[float | None] = [None] * len(self.lane.rows)
        row_parts: dict[int, list[tuple[int, float]]] = {}
        lefts, rights = [], []
        det = self.det
        for r, hit in obs.hits.items():
            sides = {}
            by_channel: dict[str, int] = {}
            for side, (pulse, spec) in hit.pulses.items():
                by_channel[side] = spec.index
                if spec.type == "strip":
                    force = v / spec.length_m * pulse.area_ns if np.isfinite(v) else np.nan
                else:
                    force = pulse.plateau_n
                force *= channel_gain(cal, spec.index) * temperature_factor(
                    cal, spec.type, temperature_c)
                sides[side] = force / G_MPS2
            expected = self.expected_sides[r]
            missing = expected - set(sides)
            # A wheel routed here from the neighbouring lane: the vehicle is over the line.
            evidence = bool(missing) or any(spec.foreign_lane is not None
                                            for _, spec in hit.pulses.values())
            if "left" in sides and "right" in sides:
                total = sides["left"] + sides["right"]
                imbalance = abs(sides["left"] - sides["right"]) / total if total > 0 else 1.0
                evidence = evidence or imbalance > det.max_side_imbalance
                lefts.append(sides["left"])
                rights.append(sides["right"])
            obs.side_evidence[r] = evidence
            if not missing:
                row_loads[r] = float(sum(sides.values()))
                row_parts[r] = [(by_channel[k], x) for k, x in sides.items()]
        factor = speed_factor(cal, v * 3.6) if np.isfinite(v) else 1.0
        row_loads = [None if x is None else x * factor for x in row_loads]
        usable = [r for r, x in enumerate(row_loads) if x is not None and np.isfinite(x)]
        obs.row_loads = tuple(row_loads)
        if usable:
            wt = cal.weighting
            noise = np.array([
                wt.plate_noise if self.lane.row_channels(self.lane.rows[r])[0].type == "plate"
                else wt.strip_noise for r in usable
            ])
            w = variance_min_weights(self.positions[usable], noise, wt.dynamic,
                                     wt.correlation_length_m)
            obs.load_kg = float(np.dot(w, [float(row_loads[r] or 0.0) for r in usable]))
            obs.channel_kg = tuple(
                (ch, float(wr * kg * factor))
                for wr, r in zip(w.tolist(), usable, strict=True) for ch, kg in row_parts[r]
            )
        else:
            # No row saw the whole axle: the best available lower bound, flagged elsewhere.
            partial = np.array([sum(
                (v / s.length_m * p.area_ns if s.type == "strip" else p.plateau_n) / G_MPS2
                for p, s in h.pulses.values()) for h in obs.hits.values()])
            partial = partial[np.isfinite(partial)]
            # Nothing measurable (a plate wheel too short for a plateau): the axle still
            # counts, with no load, and its passage is flagged (never dropped: it may carry
            # the vehicles around it with it when the train is cut).
            obs.load_kg = float(partial.max()) if partial.size else 0.0
            obs.unweighed = not partial.size
        if lefts:
            obs.left_kg = float(np.mean(lefts)) * factor
            obs.right_kg = float(np.mean(rights)) * factor

    def _spacing(self, a: _AxleObs, b: _AxleObs) -> float:
        common = sorted(set(a.hits) & set(b.hits))
        v = 0.5 * (a.speed_mps + b.speed_mps)
        if common:
            dt = float(np.mean([b.hits[r].t_us - a.hits[r].t_us for r in common])) * 1e-6
        else:
            dt = (b.t0_us - a.t0_us) * 1e-6
        return float(v * dt)

    def _match_class(self, axles: list[_AxleObs], spacings: list[float]) -> VehicleClass | None:
        n = len(axles)
        gvw = sum(a.load_kg for a in axles)
        for vc in self.site.vehicle_classes:
            if len(vc.spacings_m) != n - 1:
                continue
            if vc.max_gvw_kg is not None and gvw > vc.max_gvw_kg:
                continue
            if all(lo <= s <= hi for s, (lo, hi) in zip(spacings, vc.spacings_m, strict=True)):
                return vc
        return None

    def _segment(self, axles: list[_AxleObs], spacings: list[float]) -> list[tuple[int, int]]:
        """Cut the train into vehicles: each must match a class; cheapest cut wins."""
        n = len(axles)
        inf = float("inf")
        cost = [inf] * (n + 1)
        back = [0] * (n + 1)
        cost[0] = 0.0
        max_len = _MAX_VEHICLE_AXLES
        for j in range(1, n + 1):
            for i in range(max(0, j - max_len), j):
                if i > 0 and spacings[i - 1] < self.det.min_vehicle_gap_m:
                    continue  # never cut between axles this close
                if cost[i] == inf:
                    continue
                seg = axles[i:j]
                vc = self._match_class(seg, spacings[i:j - 1]) if j - i >= 2 else None
                c = 0.1 if vc is not None else 5.0 + (j - i)
                if cost[i] + c < cost[j]:
                    cost[j], back[j] = cost[i] + c, i
        if cost[n] == inf:
            return [(0, n)]
        cuts = []
        j = n
        while j > 0:
            cuts.append((back[j], j))
            j = back[j]
        return cuts[::-1]

    def _solve(self, pulses: list[tuple[Pulse, ChannelSpec]], conditions: Conditions,
               doubt_until_us: float, cut_doubtful: bool) -> list[P.Passage]:
        """Vehicles of one train.

        A train starting before `doubt_until_us` may be the rest of this one's last vehicle;
        `cut_doubtful`: the train was closed before its last vehicle was known to be whole.
        """
        doubt_before = min(p.t_start_us for p, _ in pulses) < self._doubt_until_us
        self._doubt_until_us = doubt_until_us
        passages = self._vehicles(pulses, conditions)
        if passages and (doubt_before or cut_doubtful):
            # The vehicle across the cut may be in both trains: neither part is decided.
            ends = {0} if doubt_before else set()
            ends |= {len(passages) - 1} if cut_doubtful else set()
            passages = [replace(p, flags=tuple(sorted({*p.flags, P.FLAG_UNCERTAIN_SPLIT})))
                        if k in ends else p for k, p in enumerate(passages)]
        return passages

    def _vehicles(self, pulses: list[tuple[Pulse, ChannelSpec]],
                  conditions: Conditions) -> list[P.Passage]:
        row_hits = self._row_hits(pulses)
        axles = self._axles(row_hits)
        if not axles:
            return []
        t_from = min(p.t_start_us for p, _ in pulses)
        t_to = max(p.t_end_us for p, _ in pulses)
        _, temperature = conditions(t_from, t_to)
        for obs in axles:
            self._loads(obs, temperature)
        spacings = [self._spacing(a, b) for a, b in itertools.pairwise(axles)]
        passages = []
        if not any(np.isfinite(a.speed_mps) and a.speed_mps > 0 for a in axles):
            # No axle crossed two rows: no speed, so no load. Counted, never invented.
            self.unmeasured += 1
            return []
        for i, j in self._segment(axles, spacings):
            passage = self._passage(axles[i:j], spacings[i:j - 1], conditions, temperature)
            numbers = [passage.gvw_kg, passage.speed_mps, passage.accel_mps2,
                       *(a.load_kg for a in passage.axles),
                       *(a.spacing_m for a in passage.axles[1:])]
            if all(x is not None and np.isfinite(x) for x in numbers):
                passages.append(passage)
            else:
                self.unmeasured += 1
        return self._doubt_close_cuts(passages)

    def _doubt_close_cuts(self, passages: list[P.Passage]) -> list[P.Passage]:
        """Flag both sides of a tight cut when either side is doubtful.

        A vehicle whose axles do not add up (a wheel missed, spacings of no configuration)
        right behind or before another of the same train may hold the other's axles: a
        tractor cut from its own trailer looks like a perfect two-axle truck.
        """
        doubtful = {P.FLAG_AXLE_MISMATCH, P.FLAG_UNCLASSIFIED}
        flagged = [set(p.flags) for p in passages]
        for k in range(1, len(passages)):
            gap = passages[k].gap_s
            if gap is None or gap >= self.det.tailgating_gap_s:
                continue
            if doubtful & (set(passages[k - 1].flags) | set(passages[k].flags)):
                flagged[k - 1].add(P.FLAG_UNCERTAIN_SPLIT)
                flagged[k].add(P.FLAG_UNCERTAIN_SPLIT)
        return [p if len(f) == len(p.flags) else replace(p, flags=tuple(sorted(f)))
                for p, f in zip(passages, flagged, strict=True)]

    def _passage(self, axles: list[_AxleObs], spacings: list[float], conditions: Conditions,
                 temperature: float | None) -> P.Passage:
        det, rules = self.det, self.site.rules
        flags: set[str] = set()
        # Only the conditions of this vehicle's own time span count.
        t_a = min(h.t_start_us for a in axles for h in a.hits.values())
        t_b = max(h.t_end_us for a in axles for h in a.hits.values())
        flags |= conditions(t_a, t_b)[0]
        if any(p.t_end_us >= t_a - 1e6 and p.t_start_us <= t_b + 1e6 for p in self.faults):
            flags.add(P.FLAG_SENSOR_FAULT)
        speeds = np.array([a.speed_mps for a in axles])
        # Each axle's speed is its mean over the rows: it belongs to its mean crossing time.
        times = np.array([np.mean([h.t_us for h in a.hits.values()]) for a in axles]) * 1e-6
        ok = np.isfinite(speeds)
        if ok.sum() >= 2 and np.ptp(times[ok]) > 0:
            accel, v_mid = (float(c) for c in np.polyfit(times[ok] - times[ok].mean(),
                                                          speeds[ok], 1))
            t_mid = float(times[ok].mean())
        else:
            inner = [a.accel_mps2 for a in axles if a.accel_mps2 is not None]
            accel = float(np.mean(inner)) if inner else 0.0
            v_mid = float(np.nanmean(speeds)) if ok.any() else float("nan")
            t_mid = float(times[ok].mean()) if ok.any() else 0.0
        # Reported: the speed when the first axle crossed row 0 (when the vehicle arrived).
        speed = v_mid + accel * (axles[0].t0_us * 1e-6 - t_mid)
        if accel >= det.max_accel_mps2:
            flags.add(P.FLAG_ACCELERATING)
        elif accel <= -det.max_accel_mps2:
            flags.add(P.FLAG_DECELERATING)
        if not np.isfinite(speed) or not (
            rules.min_speed_kmh <= speed * 3.6 <= rules.max_speed_kmh
        ):
            flags.add(P.FLAG_OUT_OF_SPEED_RANGE)
        n_rows = len(self.lane.rows)
        if any(len(a.hits) < n_rows or a.unweighed for a in axles):
            flags.add(P.FLAG_AXLE_MISMATCH)
        evidence = np.array([[a.side_evidence.get(r, False) for r in range(n_rows)]
                             for a in axles])
        per_row = evidence.mean(axis=0)
        if per_row.min() >= 0.5:
            flags.add(P.FLAG_STRADDLING)
        elif per_row.max() >= 0.5 or evidence.any():
            flags.add(P.FLAG_LANE_CHANGE)
        for a in axles:
            vals = [x for x in a.row_loads if x is not None]
            if len(vals) >= 2 and a.load_kg > 0 and (
                (max(vals) - min(vals)) / a.load_kg > det.max_row_disagreement
            ):
                flags.add(P.FLAG_ROW_DISAGREEMENT)
        vc = self._match_class(axles, spacings) if len(axles) >= 2 else None
        if vc is None:
            flags.add(P.FLAG_UNCLASSIFIED)
        groups, code = self._groups(spacings, vc)
        gap_s = None
        if self._last_axle_t_us is not None:
            gap_s = float(axles[0].t0_us - self._last_axle_t_us) * 1e-6
            if gap_s < det.tailgating_gap_s:
                flags.add(P.FLAG_TAILGATING)
        self._last_axle_t_us = axles[-1].t0_us
        out_axles = tuple(
            P.Axle(
                load_kg=a.load_kg,
                spacing_m=None if k == 0 else spacings[k - 1],
                t_us=a.t0_us,
                speed_mps=a.speed_mps,
                group=groups[k],
                left_kg=a.left_kg,
                right_kg=a.right_kg,
                row_loads_kg=a.row_loads,
                channel_kg=a.channel_kg,
            )
            for k, a in enumerate(axles)
        )
        return P.Passage(
            lane=self.lane.lane,
            t_first_axle_us=round(axles[0].t0_us),
            speed_mps=speed,
            accel_mps2=accel,
            axles=out_axles,
            gvw_kg=float(sum(a.load_kg for a in axles)),
            class_code=code,
            vehicle_kind=None if vc is None else vc.vehicle,
            flags=tuple(sorted(flags)),
            gap_s=gap_s,
            temperature_c=temperature,
            calibration_version=self.site.calibration.version,
        )

    def _groups(self, spacings: list[float], vc: VehicleClass | None) -> tuple[list[int], str]:
        groups = [0]
        for s in spacings:
            groups.append(groups[-1] + (0 if s < self.det.group_spacing_m else 1))
        if vc is not None:
            return groups, vc.code
        sizes = np.bincount(groups).tolist()
        code = "".join(
            "1" if g == 0 and size == 1 else _GROUP_DIGIT.get(size, "7")
            for g, size in enumerate(sizes)
        )
        return groups, code
