"""The vessel side of the helm link: send demands, read status replies, survive the port.

`HelmLink.send(demand)` never blocks for long and never raises on a device problem: a lost
port is counted and reopened with backoff, and the motor controller goes to neutral by
itself when commands stop (its timeout), which is the safe state.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from typing import Any

import serial

from edge.closing import ClosedOnExit
from vessel.config import HelmSection
from vessel.errors import VesselError
from vessel.helm.protocol import (
    HelmCommand,
    HelmDecoder,
    HelmStatus,
    Steering,
    encode_command,
    mix,
)
from vessel.navigation.control import HelmDemand

log = logging.getLogger(__name__)


class HelmError(VesselError):
    """The helm URL cannot be used at all."""


class HelmLink(ClosedOnExit):
    """A motor controller reached by a pyserial URL (`/dev/ttyUSB1`, `socket://host:port`)."""

    def __init__(self, url: str, baudrate: int = 115_200, steering: Steering = "rudder",
                 reconnect_max_s: float = 5.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.url = url
        self.baudrate = baudrate
        self.steering: Steering = steering
        self.reconnect_max_s = reconnect_max_s
        self._clock = clock
        self._port: Any = None
        self._decoder = HelmDecoder()
        self._seq = 0
        self._retry_s = 0.25
        self._next_open = 0.0
        self.last_status: HelmStatus | None = None
        self.last_status_t: float | None = None
        self.last_demand: HelmDemand | None = None
        self.counters = {"sent": 0, "replies": 0, "write_errors": 0, "opens": 0,
                         "open_failures": 0}
        self._closed = False

    def send(self, demand: HelmDemand) -> bool:
        """Send one command; True when it was written to the port."""
        self.last_demand = demand
        port = self._ensure_open()
        if port is None:
            return False
        a, b = mix(demand.thrust, demand.rudder, self.steering)
        line = encode_command(HelmCommand(self._seq, self.steering, a, b))
        self._seq = (self._seq + 1) & 0xFFFF
        try:
            port.write(line)
        except (OSError, serial.SerialException) as exc:
            self.counters["write_errors"] += 1
            self._lost(exc)
            return False
        self.counters["sent"] += 1
        return True

    def poll(self) -> list[HelmStatus]:
        """Status replies received since the last poll (non-blocking)."""
        port = self._port
        if port is None:
            return []
        try:
            data = port.read(4096)
        except (OSError, serial.SerialException) as exc:
            self._lost(exc)
            return []
        out = [m for m in self._decoder.feed(data) if isinstance(m, HelmStatus)]
        if out:
            self.counters["replies"] += len(out)
            self.last_status, self.last_status_t = out[-1], self._clock()
        return out

    def health(self) -> dict[str, Any]:
        """State and counters for the agent's health."""
        status = self.last_status
        return {
            "url": self.url, "open": self._port is not None, **self.counters,
            "discarded_bytes": self._decoder.discarded_bytes,
            "controller_applying": None if status is None else status.applying,
            "battery_pct": None if status is None else status.battery_pct,
            "status_age_s": None if self.last_status_t is None
            else round(self._clock() - self.last_status_t, 2),
            "demand": None if self.last_demand is None
            else {"thrust": self.last_demand.thrust, "rudder": self.last_demand.rudder},
        }

    def _ensure_open(self) -> Any:
        if self._port is not None or self._closed:
            return self._port
        now = self._clock()
        if now < self._next_open:
            return None
        try:
            self._port = serial.serial_for_url(self.url, baudrate=self.baudrate, timeout=0,
                                               write_timeout=0.2)
        except (OSError, serial.SerialException, ValueError) as exc:
            self.counters["open_failures"] += 1
            self._next_open = now + self._retry_s
            self._retry_s = min(self.reconnect_max_s, self._retry_s * 2)
            log.debug("helm %s not open: %s", self.url, exc)
            return None
        self.counters["opens"] += 1
        self._retry_s = 0.25
        log.info("helm link open on %s", self.url)
        return self._port

    def _lost(self, exc: Exception) -> None:
        log.warning("helm link %s lost: %s", self.url, exc)
        port, self._port = self._port, None
        if port is not None:
            with contextlib.suppress(Exception):
                port.close()
        self._next_open = self._clock() + self._retry_s

    def close(self) -> None:
        """Close the port; safe twice. (The controller goes neutral on its own timeout.)"""
        self._closed = True
        port, self._port = self._port, None
        if port is not None:
            with contextlib.suppress(Exception):
                port.close()



def open_helm(section: HelmSection) -> HelmLink:
    """The helm link a config section describes (opened lazily on first send)."""
    if not section.url.strip():
        raise HelmError("helm.url is empty")
    return HelmLink(section.url, section.baudrate, section.steering)
