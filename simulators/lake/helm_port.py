"""The motor controller's side of the helm link: decode commands, reply, time out to neutral."""

from __future__ import annotations

from vessel.helm.protocol import HelmCommand, HelmDecoder, HelmStatus, encode_status, unmix


class MotorController:
    """Pure: bytes and time in, the demand in force and reply bytes out."""

    def __init__(self, neutral_timeout_s: float = 1.0) -> None:
        self.neutral_timeout_s = neutral_timeout_s
        self._decoder = HelmDecoder()
        self._last: tuple[float, HelmCommand] | None = None
        self.timeouts = 0
        self._timed_out = True

    def feed(self, t_s: float, data: bytes, battery_pct: float | None = None,
             supply_mv: int | None = None) -> bytes:
        """Take command bytes received at t_s; return the status replies to send back."""
        replies = []
        for message in self._decoder.feed(data):
            if isinstance(message, HelmCommand):
                self._last = (t_s, message)
                self._timed_out = False
                replies.append(encode_status(HelmStatus(message.seq, True, battery_pct, supply_mv)))
        return b"".join(replies)

    def demand(self, t_s: float) -> tuple[float, float]:
        """(thrust, rudder) in force at t_s: neutral once commands stopped for the timeout."""
        if self._last is None:
            return 0.0, 0.0
        if t_s - self._last[0] > self.neutral_timeout_s:
            if not self._timed_out:
                self._timed_out = True
                self.timeouts += 1
            return 0.0, 0.0
        return unmix(self._last[1])

    @property
    def discarded_bytes(self) -> int:
        """Bytes thrown away (bad CRC, garbage)."""
        return self._decoder.discarded_bytes
