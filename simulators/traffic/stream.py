"""Vehicles to DAQ frames, one frame at a time, so any length streams in constant memory."""

from __future__ import annotations

from collections.abc import Iterator

from simulators.traffic.layout import Layout
from simulators.traffic.sensors import SensorParams, SignalSynth
from simulators.traffic.world import Vehicle
from wim_station.daq.frame import STATUS_OVERRANGE, DaqFrame

# A vehicle's first crossing starts at most this long before its first axle reaches row 0.
_LOOKAHEAD_S = 2.0


class TrafficDaq:
    """A simulated DAQ: `next_frame()` returns the next frame and the vehicles arriving in it.

    `start_us` is the DAQ clock (µs since the epoch) of sample 0; vehicle times are seconds
    from sample 0.
    """

    def __init__(
        self,
        vehicles: Iterator[Vehicle],
        layout: Layout,
        params: SensorParams,
        seed: int,
        start_us: int,
    ) -> None:
        self.layout = layout
        self.params = params
        self.start_us = start_us
        self.synth = SignalSynth(layout, params, seed)
        self._vehicles = vehicles
        self._lookahead = next(vehicles, None)
        self._announce: list[Vehicle] = []
        self.seq = 0
        self.sample = 0

    def _t_us(self, sample: int) -> int:
        return self.start_us + sample * 1_000_000 // self.params.sample_rate_hz

    def next_frame(self) -> tuple[DaqFrame, list[Vehicle]]:
        n = self.params.samples_per_frame
        rate = self.params.sample_rate_hz
        end_s = (self.sample + n) / rate
        while self._lookahead is not None and self._lookahead.t_first_s - _LOOKAHEAD_S <= end_s:
            self.synth.add(self._lookahead)
            self._announce.append(self._lookahead)
            self._lookahead = next(self._vehicles, None)
        counts, over, temperature = self.synth.render(self.sample, n)
        frame = DaqFrame(
            seq=self.seq % (1 << 32),
            t0_us=self._t_us(self.sample),
            sample_rate_hz=rate,
            samples=counts,
            status=STATUS_OVERRANGE if over else 0,
            temperature_c=round(temperature, 2),
        )
        arriving = [v for v in self._announce if v.t_first_s < end_s]
        self._announce = [v for v in self._announce if v.t_first_s >= end_s]
        self.seq += 1
        self.sample += n
        return frame, arriving

    @property
    def time_s(self) -> float:
        """Simulation time of the next frame's first sample."""
        return self.sample / self.params.sample_rate_hz
