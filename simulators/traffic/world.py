"""Traffic world model: a seeded stream of Chinese trucks and cars over a WIM site.

Axle configurations follow GB 1589-2016 (axle-group codes: one digit per group, `1` single
axle single tyres, `2` single axle dual tyres, `5` tandem, `7` tridem; axles closer than
1.9 m form a group). Times are seconds from the start of the simulation, positions metres
along the direction of travel from sensor row 0, lateral offsets metres from the lane centre
(positive to the right).
"""

from __future__ import annotations

import heapq
import itertools
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from simulators.traffic.gaps import gap_accepted, lanes_used, site_taus
from simulators.traffic.layout import LANE_WIDTH_M
from simulators.traffic.plates import make_plate

G_MPS2 = 9.80665
# Grouping rule of GB 1589-2016 (and of the class code): axles closer than this form a group.
GROUP_SPACING_M = 1.9
# A follower whose front axle reaches row 0 less than this after the leader's last axle is
# tailgating: a WIM system cannot separate its axles reliably (the ground-truth flag uses it).
TAILGATING_GAP_S = 1.0
ABNORMAL_FLAGS = ("accelerating", "decelerating", "straddling", "lane_change", "tailgating")
# Behaviours that take a vehicle over the lane line, into a neighbour's space.
MANOEUVRES = ("straddling", "lane_change")


@dataclass(frozen=True, slots=True)
class RoadProfile:
    """Road roughness as the peak dynamic axle-load amplitude at 60 km/h (fraction of static)."""

    name: str
    dynamic_amplitude: float


ROADS = {
    "smooth": RoadProfile("smooth", 0.07),
    "medium": RoadProfile("medium", 0.10),
    "rough": RoadProfile("rough", 0.15),
}


@dataclass(frozen=True, slots=True)
class VehicleType:
    """One GB 1589-2016 configuration with its weights (kg) and geometry (m)."""

    name: str
    code: str
    kind: str  # car | light_truck | truck (drives the plate colour)
    vehicle: str  # rigid | combination | tractor_single_drive (selects the legal limit)
    share: float
    group_gaps_m: tuple[tuple[float, float], ...]  # last axle of a group -> next group
    tare_kg: tuple[float, ...]  # per axle
    payload_share: tuple[float, ...]  # how the payload spreads over the axles
    rated_gvw_kg: float  # fully loaded (= the legal GVW limit for heavy trucks)
    legal_limit_kg: float  # GB 1589-2016 Table 2 / MOT Order 2016 No. 62


# Shares: a national-highway enforcement site with heavy freight (assumption, tunable).
# fmt: off
VEHICLE_TYPES: tuple[VehicleType, ...] = (
    VehicleType("car", "11", "car", "rigid", 0.35, ((2.5, 2.95),),
                (800, 650), (0.4, 0.6), 1900, 18000),
    VehicleType("light-truck", "12", "light_truck", "rigid", 0.08, ((3.0, 3.8),),
                (1300, 1200), (0.3, 0.7), 4495, 18000),
    VehicleType("rigid-2", "12", "truck", "rigid", 0.08, ((4.0, 5.5),),
                (3800, 3700), (0.3, 0.7), 18000, 18000),
    VehicleType("rigid-3", "15", "truck", "rigid", 0.06, ((3.8, 5.0),),
                (4500, 3200, 3200), (0.2, 0.4, 0.4), 25000, 25000),
    VehicleType("semi-3", "122", "truck", "combination", 0.03, ((3.3, 3.8), (7.0, 9.0)),
                (4500, 4000, 3500), (0.08, 0.42, 0.5), 27000, 27000),
    # Twin-steer 8x4: real front spacings are 1.9-2.1 m; kept >= 2.05 m so the class code
    # is unambiguous under the 1.9 m grouping rule.
    VehicleType("rigid-4", "115", "truck", "rigid", 0.07, ((2.05, 2.3), (3.2, 4.6)),
                (4800, 4800, 2800, 2800), (0.14, 0.14, 0.36, 0.36), 31000, 31000),
    VehicleType("semi-4", "125", "truck", "combination", 0.05, ((3.3, 3.9), (6.0, 8.0)),
                (4800, 3800, 2600, 2600), (0.06, 0.34, 0.3, 0.3), 36000, 36000),
    VehicleType("semi-5-tandem", "155", "truck", "combination", 0.06, ((3.0, 3.6), (5.5, 7.5)),
                (5200, 3300, 3300, 2500, 2500), (0.06, 0.24, 0.24, 0.23, 0.23), 43000, 43000),
    VehicleType("semi-5-tridem", "127", "truck", "combination", 0.06, ((3.3, 3.9), (6.0, 7.5)),
                (5000, 4200, 2300, 2300, 2300), (0.06, 0.34, 0.2, 0.2, 0.2), 43000, 43000),
    VehicleType("semi-6", "157", "truck", "combination", 0.14, ((3.0, 3.6), (5.0, 7.0)),
                (5300, 3400, 3400, 2200, 2200, 2200), (0.05,) + (0.19,) * 5, 49000, 49000),
    VehicleType("semi-6-single-drive", "157", "truck", "tractor_single_drive", 0.02,
                ((3.3, 3.9), (5.0, 7.0)), (5300, 4200, 2200, 2200, 2200, 2200),
                (0.05, 0.25, 0.175, 0.175, 0.175, 0.175), 46000, 46000),
)
# fmt: on
_GROUP_AXLES = {"1": 1, "2": 1, "5": 2, "7": 3}


@dataclass(frozen=True, slots=True)
class Axle:
    """One axle: static load, place in the vehicle and tyres, and its dynamic-load model."""

    load_kg: float
    offset_m: float  # behind the first axle
    dual_tyres: bool
    group: int  # index of its axle group
    left_share: float  # part of the axle load on the left wheel(s)
    bounce_amp: float  # fraction of static load
    bounce_hz: float
    bounce_phase: float
    hop_amp: float
    hop_hz: float
    hop_phase: float

    def load_at(self, tau_s: npt.ArrayLike) -> np.ndarray:
        """Dynamic axle load (kg) at `tau_s` seconds after the first axle crossed row 0."""
        two_pi = 2 * np.pi
        tau_s = np.asarray(tau_s, dtype=float)
        return self.load_kg * (
            1.0
            + self.bounce_amp * np.sin(two_pi * self.bounce_hz * tau_s + self.bounce_phase)
            + self.hop_amp * np.sin(two_pi * self.hop_hz * tau_s + self.hop_phase)
        )


@dataclass(frozen=True, slots=True)
class Vehicle:
    """A vehicle's passage: who it is, how it moves, and its axles."""

    id: int
    lane: int
    type_name: str
    code: str
    kind: str
    vehicle: str
    legal_limit_kg: float
    load_state: str  # empty | loaded | overloaded | extreme
    t_first_s: float  # first axle crosses row 0
    speed_mps: float  # at t_first_s
    accel_mps2: float
    lateral_m: float  # vehicle centre vs lane centre at t_first_s
    lateral_speed_mps: float
    track_m: float  # wheel-path centre to centre
    tyre_width_m: float  # single tyre; a dual set is twice as wide
    front_overhang_m: float
    rear_overhang_m: float
    axles: tuple[Axle, ...]
    flags: tuple[str, ...]
    plate: str
    plate_color: str
    gap_s: float | None = None  # after the leader in the lane (None for the first)

    @property
    def gvw_kg(self) -> float:
        return float(sum(a.load_kg for a in self.axles))

    @property
    def wheelbase_m(self) -> float:
        return self.axles[-1].offset_m

    def tau_at_distance(self, distance_m: npt.ArrayLike) -> np.ndarray:
        """Seconds after t_first_s when the first axle has travelled `distance_m`."""
        v, a = self.speed_mps, self.accel_mps2
        d = np.asarray(distance_m, dtype=float)
        disc = np.maximum(v * v + 2 * a * d, 1e-9)
        # Stable form of the quadratic root; exact for a = 0 too.
        return 2 * d / (v + np.sqrt(disc))

    def front_distance(self, tau_s: npt.ArrayLike) -> np.ndarray:
        """Distance (m) travelled by the first axle since crossing row 0."""
        tau = np.asarray(tau_s, dtype=float)
        return self.speed_mps * tau + 0.5 * self.accel_mps2 * np.square(tau)

    def speed_at(self, tau_s: float) -> float:
        return float(self.speed_mps + self.accel_mps2 * tau_s)

    def lateral_at(self, tau_s: float) -> float:
        return self.lateral_m + self.lateral_speed_mps * tau_s

    def crossing_tau(self, axle: int, position_m: float) -> float:
        """When axle `axle` crosses the line at `position_m` (s after t_first_s)."""
        return float(self.tau_at_distance(position_m + self.axles[axle].offset_m))


@dataclass(frozen=True, slots=True)
class TrafficParams:
    """Knobs of the traffic mix (shares are fractions of all vehicles)."""

    lanes: int = 1
    road: RoadProfile = ROADS["smooth"]
    mean_gap_s: float = 4.0  # mean time gap in a lane, leader's last axle -> follower's first
    close_following_share: float = 0.15  # gaps of 1.2-2 s (legal, must not merge vehicles)
    p_accelerating: float = 0.04
    p_decelerating: float = 0.04
    p_straddling: float = 0.03
    p_lane_change: float = 0.03
    p_tailgating: float = 0.03
    p_empty: float = 0.30
    p_overloaded: float = 0.21
    p_extreme: float = 0.01  # ~100 t outliers among 5- and 6-axle combinations
    # Lead and lag gap a driver accepts before straddling or changing into a neighbouring
    # lane (gap acceptance, see simulators/traffic/gaps.py; ~1 s is the order of the
    # smallest gaps lane-changing models accept: an assumption, tunable).
    min_accepted_gap_s: float = 1.0
    # A manoeuvre that finds no gap is made by the next ordinary vehicle of that lane that
    # has one, so the share above holds; at most this many wait (the rest are dropped).
    max_deferred_manoeuvres: int = 4
    start_s: float = 1.0
    site_length_m: float = 7.5  # last sensor row + margin, for the kinematic limits
    lane_width_m: float = LANE_WIDTH_M
    types: tuple[VehicleType, ...] = VEHICLE_TYPES


class VehicleFactory:
    """Draws single vehicles; all randomness comes from the generator it is given."""

    def __init__(self, params: TrafficParams, rng: np.random.Generator) -> None:
        self.p = params
        self.rng = rng
        shares = np.array([t.share for t in params.types])
        self._shares = shares / shares.sum()

    def draw_type(self) -> VehicleType:
        return self.p.types[int(self.rng.choice(len(self.p.types), p=self._shares))]

    def _load_state(self, vt: VehicleType) -> tuple[str, float]:
        rng, p = self.rng, self.p
        tare = float(sum(vt.tare_kg))
        if vt.kind == "car":
            return "loaded", tare + rng.uniform(70, 450)
        u = rng.random()
        if u < p.p_extreme and len(vt.tare_kg) >= 5:
            return "extreme", rng.uniform(95_000, 112_000)
        if u < p.p_extreme + p.p_overloaded:
            # Mostly 2-40 % over, with a tail to +90 %.
            excess = rng.uniform(0.02, 0.4) if rng.random() < 0.8 else rng.uniform(0.4, 0.9)
            return "overloaded", vt.rated_gvw_kg * (1 + excess)
        if u < p.p_extreme + p.p_overloaded + p.p_empty:
            return "empty", tare + rng.uniform(0, 0.08) * (vt.rated_gvw_kg - tare)
        return "loaded", rng.uniform(0.7, 0.97) * vt.rated_gvw_kg

    def _axle_loads(self, vt: VehicleType, state: str, gvw: float) -> np.ndarray:
        rng = self.rng
        tare = np.array(vt.tare_kg) * rng.uniform(0.9, 1.12)
        payload = max(gvw - tare.sum(), 0.0)
        share = np.array(vt.payload_share) * rng.normal(1.0, 0.05, len(tare))
        loads = tare + payload * share / share.sum()
        return loads * rng.normal(1.0, 0.02, len(loads))

    def _offsets(self, vt: VehicleType) -> tuple[np.ndarray, list[int], list[bool]]:
        rng = self.rng
        offsets, groups, duals = [0.0], [], []
        x = 0.0
        for g, digit in enumerate(vt.code):
            n = _GROUP_AXLES[digit]
            for k in range(n):
                if k > 0:
                    x += rng.uniform(1.25, 1.45)  # tandem / tridem spacing
                    offsets.append(x)
                groups.append(g)
                duals.append(digit != "1")
            if g < len(vt.group_gaps_m):
                x += rng.uniform(*vt.group_gaps_m[g])
                offsets.append(x)
        return np.array(offsets), groups, duals

    def make(
        self, vid: int, lane: int, t_first_s: float, behaviour: str, leader: Vehicle | None
    ) -> Vehicle:
        """One vehicle with the given behaviour (`normal` or one of ABNORMAL_FLAGS)."""
        rng, p = self.rng, self.p
        vt = self.draw_type()
        state, gvw = self._load_state(vt)
        loads = self._axle_loads(vt, state, gvw)
        offsets, groups, duals = self._offsets(vt)
        if vt.kind == "car":
            speed_kmh = float(np.clip(rng.normal(78, 9), 35, 90))
            track, tyre = rng.uniform(1.45, 1.6), 0.2
        else:
            speed_kmh = float(np.clip(rng.normal(60, 10), 30, 88))
            track, tyre = rng.uniform(1.8, 1.9), 0.3
        speed = speed_kmh / 3.6
        accel = float(np.clip(rng.normal(0, 0.1), -0.3, 0.3))
        lateral, lateral_speed = ordinary_lateral(rng)
        flags: list[str] = []
        travel_m = p.site_length_m + offsets[-1] + 3.0
        if behaviour == "tailgating" and leader is not None:
            speed = leader.speed_mps * rng.uniform(0.99, 1.01)
            accel = 0.0
            flags.append("tailgating")
        elif behaviour in ("accelerating", "decelerating"):
            hi = 2.0 if vt.kind != "car" else 3.0
            mag = rng.uniform(1.5, hi) if behaviour == "accelerating" else rng.uniform(1.5, 4.0)
            if behaviour == "decelerating":
                # Still moving at >= 70 % of the entry speed when leaving the site.
                mag = min(mag, speed * speed * 0.51 / (2 * travel_m))
                mag = max(mag, 1.3)
                speed = max(speed, np.sqrt(2 * mag * travel_m / 0.51))
            accel = mag if behaviour == "accelerating" else -mag
            flags.append(behaviour)
        elif behaviour in MANOEUVRES:
            side = 1.0 if (p.lanes == 1 or lane == 1) else -1.0
            if behaviour == "straddling" and rng.random() >= 0.7:
                side = -side
            lateral, lateral_speed = manoeuvre_lateral(rng, behaviour, side, lateral_speed)
            flags.append(behaviour)
        amp = p.road.dynamic_amplitude * (0.5 + 0.5 * speed / (60 / 3.6))
        amp *= rng.uniform(0.75, 1.25) * (1.2 if state == "empty" else 1.0)
        bounce_hz = rng.uniform(1.5, 2.8) if state != "empty" else rng.uniform(2.5, 4.0)
        bounce_phase = rng.uniform(0, 2 * np.pi)
        roll = rng.normal(0, 0.015)
        axles = tuple(
            Axle(
                load_kg=float(loads[i]),
                offset_m=float(offsets[i]),
                dual_tyres=duals[i],
                group=groups[i],
                left_share=float(0.5 + roll + rng.normal(0, 0.01)),
                bounce_amp=float(0.7 * amp * rng.uniform(0.8, 1.2)),
                bounce_hz=float(bounce_hz * rng.uniform(0.95, 1.05)),
                bounce_phase=float(bounce_phase + rng.normal(0, 0.6)),
                hop_amp=float(0.3 * amp * rng.uniform(0.8, 1.2)),
                hop_hz=float(rng.uniform(8, 15)),
                hop_phase=float(rng.uniform(0, 2 * np.pi)),
            )
            for i in range(len(loads))
        )
        plate, color = make_plate(rng, vt.kind)
        gap = (
            None
            if leader is None
            else t_first_s - (leader.t_first_s + leader.crossing_tau(len(leader.axles) - 1, 0.0))
        )
        return Vehicle(
            id=vid,
            lane=lane,
            type_name=vt.name,
            code=vt.code,
            kind=vt.kind,
            vehicle=vt.vehicle,
            legal_limit_kg=vt.legal_limit_kg,
            load_state=state,
            t_first_s=t_first_s,
            speed_mps=float(speed),
            accel_mps2=float(accel),
            lateral_m=lateral,
            lateral_speed_mps=lateral_speed,
            track_m=float(track),
            tyre_width_m=tyre,
            front_overhang_m=float(rng.uniform(1.0, 1.5)),
            rear_overhang_m=float(rng.uniform(0.8, 2.0)),
            axles=axles,
            flags=tuple(flags),
            plate=plate,
            plate_color=color,
            gap_s=gap,
        )


def ordinary_lateral(rng: np.random.Generator) -> tuple[float, float]:
    """(lateral_m, lateral_speed_mps) of a driver keeping to the lane."""
    lateral = float(np.clip(rng.normal(0, 0.15), -0.4, 0.4))
    return lateral, float(np.clip(rng.normal(0, 0.04), -0.1, 0.1))


def manoeuvre_lateral(
    rng: np.random.Generator, behaviour: str, side: float, lateral_speed_mps: float
) -> tuple[float, float]:
    """(lateral_m, lateral_speed_mps) of a straddler or lane changer towards `side` (+1 right)."""
    if behaviour == "straddling":
        return side * rng.uniform(1.3, 2.0), lateral_speed_mps
    return side * rng.uniform(0.9, 1.4), side * rng.uniform(0.6, 1.2)


@dataclass
class _LaneState:
    lane: int
    rng: np.random.Generator
    factory: VehicleFactory
    leader: Vehicle | None = None
    count: int = 0


def _draw_behaviour(rng: np.random.Generator, p: TrafficParams) -> str:
    probs = [p.p_accelerating, p.p_decelerating, p.p_straddling, p.p_lane_change, p.p_tailgating]
    u = rng.random()
    for name, prob in zip(ABNORMAL_FLAGS, probs, strict=True):
        if u < prob:
            return name
        u -= prob
    return "normal"


def _lane_vehicles(state: _LaneState, p: TrafficParams) -> Iterator[Vehicle]:
    """Endless vehicles of one lane in passage order (ids are per lane; renumbered later)."""
    rng = state.rng
    t = p.start_s + rng.uniform(0, p.mean_gap_s)
    while True:
        behaviour = _draw_behaviour(rng, p)
        leader = state.leader
        if leader is not None:
            leader_last = leader.t_first_s + leader.crossing_tau(len(leader.axles) - 1, 0.0)
            if behaviour == "tailgating":
                gap = rng.uniform(0.3, 0.75)
            elif rng.random() < p.close_following_share:
                gap = rng.uniform(1.2, 2.0)
            else:
                gap = 1.5 + rng.exponential(max(p.mean_gap_s - 1.5, 0.1))
            t = leader_last + gap
        elif behaviour == "tailgating":
            behaviour = "normal"
        vehicle = state.factory.make(state.count, state.lane, t, behaviour, leader)
        if leader is not None:
            vehicle = _keep_clear(vehicle, leader, p, 1.5 if behaviour == "tailgating" else 4.0)
            if behaviour == "tailgating" and (vehicle.gap_s or 0.0) > 0.85 * TAILGATING_GAP_S:
                # Too slow to follow this close without touching: an ordinary close follower.
                vehicle = replace(vehicle, flags=())
        state.leader = vehicle
        state.count += 1
        yield vehicle


def _keep_clear(vehicle: Vehicle, leader: Vehicle, p: TrafficParams, clear_m: float) -> Vehicle:
    """Delay a follower that would come closer than `clear_m` to its leader on the site."""
    for _ in range(40):
        # Follower's front bumper vs leader's rear bumper when the follower leaves the site.
        tau = float(vehicle.tau_at_distance(p.site_length_m + vehicle.wheelbase_m))
        t = vehicle.t_first_s + tau
        follower_front = p.site_length_m + vehicle.wheelbase_m + vehicle.front_overhang_m
        leader_front = float(leader.front_distance(t - leader.t_first_s))
        leader_rear = leader_front - leader.wheelbase_m - leader.rear_overhang_m
        if leader_rear - follower_front > clear_m:
            return vehicle
        vehicle = replace(
            vehicle, t_first_s=vehicle.t_first_s + 0.1, gap_s=(vehicle.gap_s or 0.0) + 0.1
        )
    return vehicle


@dataclass(frozen=True, slots=True)
class _Settled:
    vehicle: Vehicle
    leave_s: float  # rear bumper leaves the site
    lanes: frozenset[int]


class _GapKeeper:
    """Lets a vehicle use a neighbouring lane's space only through a gap in that lane's traffic.

    Vehicles come in order of their first axle and are settled one by one, once every later
    vehicle that could meet them on the site is known. A settled vehicle is checked against
    the settled ones (with the lanes they finally use) and the later ones (in their own lane:
    if a later one reaches over, it is checked against this one when it is settled). A
    manoeuvre without a gap is not made (the driver keeps to the lane) and passes to the next
    ordinary vehicle of that lane that finds one.
    """

    # Vehicles come by first axle, but a front bumper reaches row 0 up to ~0.2 s earlier.
    _LOOKAHEAD_S = 1.0

    def __init__(self, params: TrafficParams, rng: np.random.Generator) -> None:
        self.p = params
        self.rng = rng
        self.settled: list[_Settled] = []
        self.deferred = {
            lane: deque[tuple[str, float]](maxlen=params.max_deferred_manoeuvres)
            for lane in range(1, params.lanes + 1)
        }

    def run(self, vehicles: Iterator[Vehicle]) -> Iterator[Vehicle]:
        """The same vehicles, in the same order, with manoeuvres moved to where gaps are."""
        if self.p.lanes < 2:
            yield from vehicles  # no neighbour to meet
            return
        ahead: deque[Vehicle] = deque()
        for v in vehicles:
            ahead.append(v)
            while ahead and ahead[-1].t_first_s > self._horizon_s(ahead[0]):
                yield self._settle(ahead.popleft(), ahead)
        while ahead:
            yield self._settle(ahead.popleft(), ahead)

    def _lanes(self, v: Vehicle) -> frozenset[int]:
        p = self.p
        return lanes_used(v, p.lanes, p.lane_width_m, p.site_length_m)

    def _leave_s(self, v: Vehicle) -> float:
        return v.t_first_s + site_taus(v, self.p.site_length_m)[1]

    def _horizon_s(self, v: Vehicle) -> float:
        return self._leave_s(v) + self.p.min_accepted_gap_s + self._LOOKAHEAD_S

    def _fits(self, v: Vehicle, ahead: deque[Vehicle]) -> bool:
        used = self._lanes(v)
        if used <= {v.lane}:
            return True
        p = self.p
        others = [s.vehicle for s in self.settled if s.vehicle.lane != v.lane and s.lanes & used]
        others += [a for a in ahead if a.lane != v.lane and a.lane in used]
        return all(gap_accepted(v, o, p.min_accepted_gap_s, p.site_length_m) for o in others)

    def _settle(self, v: Vehicle, ahead: deque[Vehicle]) -> Vehicle:
        # Vehicles that left the site a gap before this one can enter it no longer matter.
        enter_s = v.t_first_s + site_taus(v, self.p.site_length_m)[0]
        self.settled = [
            s
            for s in self.settled
            if s.leave_s + self.p.min_accepted_gap_s >= enter_s - self._LOOKAHEAD_S
        ]
        waiting = self.deferred[v.lane]
        trial = None
        if not v.flags and waiting:
            behaviour, side = waiting[0]
            lateral, lateral_speed = manoeuvre_lateral(
                self.rng, behaviour, side, v.lateral_speed_mps
            )
            trial = replace(
                v, lateral_m=lateral, lateral_speed_mps=lateral_speed, flags=(behaviour,)
            )
        if trial is not None and self._fits(trial, ahead):
            waiting.popleft()
            v = trial
        elif not self._fits(v, ahead):
            v = self._keep_to_lane(v)
        self.settled.append(_Settled(v, self._leave_s(v), self._lanes(v)))
        return v

    def _keep_to_lane(self, v: Vehicle) -> Vehicle:
        made = [f for f in v.flags if f in MANOEUVRES]
        if made:
            self.deferred[v.lane].append((made[0], float(np.sign(v.lateral_m))))
            lateral, lateral_speed = ordinary_lateral(self.rng)
            v = replace(
                v,
                lateral_m=lateral,
                lateral_speed_mps=lateral_speed,
                flags=tuple(f for f in v.flags if f not in MANOEUVRES),
            )
        if self._lanes(v) > {v.lane}:
            # An ordinary drift grazing the line: |lateral| <= 0.4 m keeps the body in lane.
            v = replace(v, lateral_speed_mps=0.0)
        return v


def traffic(params: TrafficParams, seed: int) -> Iterator[Vehicle]:
    """Endless vehicles over all lanes, in order of their first axle at row 0, ids 1, 2, …"""
    # One stream per lane plus one for gap acceptance (spawned last: the lanes' streams are
    # the same as with `lanes` children).
    *seeds, gap_seed = np.random.SeedSequence(seed).spawn(params.lanes + 1)
    states = []
    for lane, ss in enumerate(seeds, start=1):
        rng = np.random.default_rng(ss)
        states.append(_LaneState(lane, rng, VehicleFactory(params, rng)))
    merged = heapq.merge(*(_lane_vehicles(s, params) for s in states), key=lambda v: v.t_first_s)
    kept = _GapKeeper(params, np.random.default_rng(gap_seed)).run(merged)
    for vid, vehicle in enumerate(kept, start=1):
        yield replace(vehicle, id=vid)


def take(params: TrafficParams, seed: int, n: int) -> list[Vehicle]:
    """The first `n` vehicles of `traffic(params, seed)`."""
    return list(itertools.islice(traffic(params, seed), n))
