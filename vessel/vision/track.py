"""Multi-target tracking on the water plane: constant-velocity Kalman filters and assignment.

Positions are metres in a plane (local east/north when the own position is known, else the
boat's level frame). A measurement's noise is elongated along the line of sight: bearings
are good to a fraction of a degree, ranges from the waterline only to a few per cent.

Assignment is greedy by Mahalanobis cost (cheapest pair first). With a handful of targets
and gates this tight it matches the optimal (Hungarian) assignment except in contrived
crossings, and it needs no scipy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from vessel.vision.config import VisionConfig

F = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Measurement:
    """A detection placed on the water plane, with where it came from."""

    x_m: float
    y_m: float
    sensor_x_m: float  # the camera's position in the same plane
    sensor_y_m: float
    kind_hint: str  # "boat" | "person" | "unknown" from this frame's size
    payload: int  # index of the detection in the caller's list


@dataclass
class Track:
    """One target's filter state and history."""

    track_id: int
    x: F  # [x, y, vx, vy]
    p: F
    t_s: float
    hits: list[bool] = field(default_factory=list)
    last_hit_s: float = 0.0
    kind_votes: dict[str, float] = field(default_factory=dict)
    confirmed: bool = False

    @property
    def kind(self) -> str:
        """Majority kind over the track's life."""
        votes = {k: v for k, v in self.kind_votes.items() if k != "unknown"}
        if not votes:
            return "unknown"
        return max(votes, key=lambda k: votes[k])

    @property
    def speed_mps(self) -> float:
        """Speed over ground of the target."""
        return float(math.hypot(self.x[2], self.x[3]))

    @property
    def course_deg(self) -> float:
        """Direction of motion in the plane's frame (0 = +y axis, clockwise toward +x)."""
        return float(math.degrees(math.atan2(self.x[2], self.x[3])) % 360.0)


class Tracker:
    """Keeps tracks over frames; `update` returns the track id for each measurement."""

    def __init__(self, cfg: VisionConfig) -> None:
        self.cfg = cfg
        self.tracks: list[Track] = []
        self._next_id = 1

    def update(self, t_s: float, meas: list[Measurement]) -> dict[int, Track]:
        """Predict all tracks to `t_s`, assign measurements, spawn and retire tracks.

        Returns {measurement payload: track} for every measurement that joined a track.
        """
        for tr in self.tracks:
            self._predict(tr, t_s)
        covs = [self._meas_cov(m) for m in meas]
        pairs: list[tuple[float, int, int]] = []
        for ti, tr in enumerate(self.tracks):
            h_p = tr.p[:2, :2]
            for mi, m in enumerate(meas):
                s = h_p + covs[mi]
                d = np.array([m.x_m - tr.x[0], m.y_m - tr.x[1]])
                try:
                    d2 = float(d @ np.linalg.solve(s, d))
                except np.linalg.LinAlgError:
                    continue
                if d2 < self.cfg.gate_chi2:
                    # Prefer tracks of the same kind, and established tracks over new ones.
                    cost = d2 + (2.0 if tr.kind not in ("unknown", m.kind_hint) else 0.0)
                    cost -= 0.5 if tr.confirmed else 0.0
                    pairs.append((cost, ti, mi))
        used_t: set[int] = set()
        used_m: set[int] = set()
        result: dict[int, Track] = {}
        for _cost, ti, mi in sorted(pairs):
            if ti in used_t or mi in used_m:
                continue
            used_t.add(ti)
            used_m.add(mi)
            tr = self.tracks[ti]
            self._correct(tr, meas[mi], covs[mi])
            self._hit(tr, True, meas[mi].kind_hint, t_s)
            result[meas[mi].payload] = tr
        for ti, tr in enumerate(self.tracks):
            if ti not in used_t:
                self._hit(tr, False, "", t_s)
        for mi, m in enumerate(meas):
            if mi in used_m:
                continue
            p = np.zeros((4, 4))
            p[:2, :2] = covs[mi]
            p[2, 2] = p[3, 3] = self.cfg.initial_speed_sigma_mps**2
            tr = Track(self._next_id, np.array([m.x_m, m.y_m, 0.0, 0.0]), p, t_s)
            self._next_id += 1
            self._hit(tr, True, m.kind_hint, t_s)
            self.tracks.append(tr)
            result[m.payload] = tr
        # A tentative track must be seen in every frame until confirmed: wave and glint
        # blobs come and go, so chance associations rarely string together.
        self.tracks = [
            tr for tr in self.tracks
            if (tr.confirmed and t_s - tr.last_hit_s <= self.cfg.max_coast_s)
            or (not tr.confirmed and tr.last_hit_s == t_s)
        ]
        return result

    def _hit(self, tr: Track, hit: bool, kind: str, t_s: float) -> None:
        tr.hits.append(hit)
        del tr.hits[: -self.cfg.confirm_window]
        if hit:
            tr.last_hit_s = t_s
            tr.kind_votes[kind] = tr.kind_votes.get(kind, 0.0) + 1.0
            if sum(tr.hits) >= self.cfg.confirm_hits:
                tr.confirmed = True

    def _predict(self, tr: Track, t_s: float) -> None:
        dt = max(0.0, t_s - tr.t_s)
        if dt == 0:
            return
        f = np.eye(4)
        f[0, 2] = f[1, 3] = dt
        q = self.cfg.accel_noise_mps2**2
        g = np.array([[dt * dt / 2, 0], [0, dt * dt / 2], [dt, 0], [0, dt]])
        tr.x = f @ tr.x
        tr.p = f @ tr.p @ f.T + q * (g @ g.T)
        tr.t_s = t_s

    def _correct(self, tr: Track, m: Measurement, r: F) -> None:
        h = np.zeros((2, 4))
        h[0, 0] = h[1, 1] = 1.0
        s = h @ tr.p @ h.T + r
        k = tr.p @ h.T @ np.linalg.inv(s)
        tr.x = tr.x + k @ (np.array([m.x_m, m.y_m]) - h @ tr.x)
        tr.p = (np.eye(4) - k @ h) @ tr.p

    def _meas_cov(self, m: Measurement) -> F:
        dx, dy = m.x_m - m.sensor_x_m, m.y_m - m.sensor_y_m
        rng = math.hypot(dx, dy)
        sr = self.cfg.range_sigma_frac * rng + self.cfg.range_sigma_floor_m
        sc = rng * math.radians(self.cfg.bearing_sigma_deg) + 0.1
        ux, uy = (dx / rng, dy / rng) if rng > 0 else (1.0, 0.0)
        rot = np.array([[ux, -uy], [uy, ux]])
        return rot @ np.diag([sr * sr, sc * sc]) @ rot.T
