"""GNSS receiver emulation: ground truth → noisy NMEA epochs (GGA, RMC, VTG, HDT, ZDA), faults.

Noise model of a single-frequency receiver with SBAS and a dual-antenna heading: position
error is a first-order Gauss–Markov process (σ 0.6 m, τ 60 s: multipath and ionosphere
drift slowly) plus 0.1 m white noise; SOG σ 0.05 m/s; COG from the noisy velocity; heading σ
0.2° (dual antenna, 1 m baseline). Faults: dropout windows (the receiver keeps talking but
reports no fix, as under a bridge), frozen windows (it repeats its last epoch byte for byte),
and garbage (random bytes and mangled lines on the wire).
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass

from edge.geo import LocalFrame
from simulators.lake.dynamics import BoatState
from vessel.gnss import nmea_out


@dataclass(frozen=True)
class GnssFaults:
    """Fault windows in simulation seconds, (start_s, duration_s)."""

    dropouts: tuple[tuple[float, float], ...] = ()
    frozen: tuple[tuple[float, float], ...] = ()
    garbage_probability: float = 0.0  # per epoch: add junk bytes / a corrupted copy of a line

    def active(self, windows: tuple[tuple[float, float], ...], t_s: float) -> bool:
        """True when t_s falls in one of the windows."""
        return any(start <= t_s < start + length for start, length in windows)


@dataclass(frozen=True)
class GnssNoise:
    """Error model (σ values)."""

    position_walk_m: float = 0.6
    position_walk_time_s: float = 60.0
    position_white_m: float = 0.1
    sog_mps: float = 0.05
    heading_deg: float = 0.2
    hdop: float = 0.9
    sats: int = 14


class GnssEmulator:
    """Turns the own boat's truth into the bytes a receiver would send for one epoch."""

    def __init__(self, frame: LocalFrame, start_utc: dt.datetime, seed: int = 0,
                 noise: GnssNoise | None = None, faults: GnssFaults | None = None,
                 talker: str = "GN") -> None:
        self.frame = frame
        self.start_utc = start_utc
        self.noise = noise or GnssNoise()
        self.faults = faults or GnssFaults()
        self.talker = talker
        self._rng = random.Random(seed)
        self._walk = [0.0, 0.0]
        self._last_t: float | None = None
        self._last_epoch = b""

    def epoch(self, t_s: float, truth: BoatState) -> bytes:
        """The sentences of the epoch at simulation time t_s."""
        self._advance_noise(t_s)
        if self.faults.active(self.faults.frozen, t_s) and self._last_epoch:
            return self._last_epoch
        when = self.start_utc + dt.timedelta(seconds=round(t_s, 3))
        if self.faults.active(self.faults.dropouts, t_s):
            data = self._no_fix(when)
        else:
            data = self._fix(when, truth)
        self._last_epoch = data
        if self.faults.garbage_probability and self._rng.random() < self.faults.garbage_probability:
            data = self._garble(data)
        return data

    def _advance_noise(self, t_s: float) -> None:
        n, rng = self.noise, self._rng
        dt_s = 0.0 if self._last_t is None else max(0.0, t_s - self._last_t)
        self._last_t = t_s
        a = math.exp(-dt_s / n.position_walk_time_s)
        k = n.position_walk_m * math.sqrt(1.0 - a * a)
        self._walk = [a * w + k * rng.gauss(0.0, 1.0) for w in self._walk]

    def _fix(self, when: dt.datetime, s: BoatState) -> bytes:
        n, rng, talker = self.noise, self._rng, self.talker
        east = s.east_m + self._walk[0] + rng.gauss(0.0, n.position_white_m)
        north = s.north_m + self._walk[1] + rng.gauss(0.0, n.position_white_m)
        lat, lon = self.frame.to_geodetic(east, north)
        ve = s.ve_mps + rng.gauss(0.0, n.sog_mps)
        vn = s.vn_mps + rng.gauss(0.0, n.sog_mps)
        sog = math.hypot(ve, vn)
        cog = math.degrees(math.atan2(ve, vn)) % 360.0
        heading = (s.heading_deg + rng.gauss(0.0, n.heading_deg)) % 360.0
        return b"".join((
            nmea_out.gga(when, lat, lon, quality=2, sats=n.sats, hdop=n.hdop, alt_m=2.0,
                         geoid_sep_m=8.0, talker=talker),
            nmea_out.rmc(when, lat, lon, sog, cog, valid=True, talker=talker),
            nmea_out.vtg(sog, cog, talker=talker),
            nmea_out.hdt(heading, talker=talker),
            nmea_out.zda(when, talker=talker),
        ))

    def _no_fix(self, when: dt.datetime) -> bytes:
        talker = self.talker
        return b"".join((
            nmea_out.gga(when, None, None, quality=0, sats=0, talker=talker),
            nmea_out.rmc(when, None, None, None, None, valid=False, talker=talker),
            nmea_out.vtg(None, None, talker=talker),
            nmea_out.zda(when, talker=talker),
        ))

    def _garble(self, data: bytes) -> bytes:
        rng = self._rng
        junk = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 40)))
        lines = data.split(b"\r\n")
        victim = rng.randrange(len(lines) - 1)
        line = bytearray(lines[victim])
        if line:
            line[rng.randrange(len(line))] ^= 1 << rng.randrange(7)  # one flipped bit: bad checksum
        mangled = bytes(line) + b"\r\n"
        return junk + mangled + data if rng.random() < 0.5 else data + b"$GN" + junk
