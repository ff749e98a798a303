"""The helm link: a small line protocol between the vessel agent and its motor controller.

Every message is one ASCII line, so a technician can read and type it on a serial terminal:

    vessel → controller, at `helm.command_rate_hz` (10 Hz by default):
        $HLM,<seq>,<thrust>,<rudder>*<crc>\\r\\n      steering: rudder (outboard or rudder)
        $HLD,<seq>,<left>,<right>*<crc>\\r\\n         steering: differential (two motors)
    controller → vessel, one reply per valid command:
        $HLS,<seq>,<state>,<battery_pct>,<supply_mv>*<crc>\\r\\n

- `seq`: 0..65535, +1 per command, wrapping; the status echoes the command it answers.
- `thrust`, `rudder`, `left`, `right`: signed integers −1000..1000 (per mille of full scale;
  thrust + ahead, rudder + turns to starboard).
- `state`: `A` applying the last command, `N` neutral (no valid command within the timeout,
  or just started). `battery_pct` (0..100) and `supply_mv` may be empty when not measured.
- `crc`: CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF) of the bytes between `$` and `*`, as 4
  upper-case hex digits. A CRC, not NMEA's XOR, because XOR misses two flipped bits in the
  same bit position and a wrong rudder command is worse than a lost one.
- Safety: the controller applies a command only if its CRC is good, and goes to neutral
  (thrust 0, rudder 0) when no valid command arrived for `helm.neutral_timeout_s` (1 s by
  default). Out-of-range values are rejected, never clamped into something else.

`decode(buf)` is pure: it returns (bytes consumed, message or None, bytes discarded).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

MAX_LINE_BYTES = 64  # the longest valid line is 39 bytes
FULL_SCALE = 1000
Steering = Literal["rudder", "differential"]


@dataclass(frozen=True)
class HelmCommand:
    """A command: `kind` rudder → (a, b) = (thrust, rudder); differential → (left, right). −1..1."""

    seq: int
    kind: Steering
    a: float
    b: float


@dataclass(frozen=True)
class HelmStatus:
    """The controller's reply."""

    seq: int
    applying: bool  # False: neutral (timed out or not yet commanded)
    battery_pct: float | None = None
    supply_mv: int | None = None


HelmMessage = HelmCommand | HelmStatus


def crc16_ccitt(data: bytes) -> int:
    """CRC-16/CCITT-FALSE (check value of b"123456789" is 0x29B1)."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
    return crc


def _frame(body: str) -> bytes:
    raw = body.encode("ascii")
    return b"$%s*%04X\r\n" % (raw, crc16_ccitt(raw))


def _permille(x: float) -> int:
    if not -1.0 <= x <= 1.0:
        raise ValueError(f"helm value {x} outside -1..1")
    return round(x * FULL_SCALE)


def encode_command(cmd: HelmCommand) -> bytes:
    """The line for a command."""
    tag = "HLM" if cmd.kind == "rudder" else "HLD"
    return _frame(f"{tag},{cmd.seq & 0xFFFF},{_permille(cmd.a)},{_permille(cmd.b)}")


def encode_status(status: HelmStatus) -> bytes:
    """The line for a status reply."""
    battery = "" if status.battery_pct is None else f"{status.battery_pct:.0f}"
    supply = "" if status.supply_mv is None else str(status.supply_mv)
    state = "A" if status.applying else "N"
    return _frame(f"HLS,{status.seq & 0xFFFF},{state},{battery},{supply}")


def decode(buf: bytes) -> tuple[int, HelmMessage | None, int]:
    """(bytes consumed, next message or None, bytes discarded). (0, None, 0) = need more bytes."""
    start = buf.find(b"$")
    if start < 0:
        return len(buf), None, len(buf)
    if start > 0:
        return start, None, start
    end = buf.find(b"\n", 1, MAX_LINE_BYTES + 1)
    if end < 0:
        nxt = buf.find(b"$", 1)
        if nxt > 0 and nxt <= MAX_LINE_BYTES:
            return nxt, None, nxt  # a line cut short by a new start
        if len(buf) > MAX_LINE_BYTES:
            return MAX_LINE_BYTES, None, MAX_LINE_BYTES
        return 0, None, 0
    nxt = buf.find(b"$", 1, end)
    if nxt > 0:
        return nxt, None, nxt
    message = _parse(buf[1:end].rstrip(b"\r"))
    return end + 1, message, 0 if message is not None else end + 1


def _parse(line: bytes) -> HelmMessage | None:
    body, star, crc_text = line.rpartition(b"*")
    if not star or len(crc_text) != 4:
        return None
    try:
        if int(crc_text, 16) != crc16_ccitt(body):
            return None
        fields = body.decode("ascii").split(",")
    except (ValueError, UnicodeDecodeError):
        return None
    try:
        if fields[0] in ("HLM", "HLD") and len(fields) == 4:
            seq, a, b = int(fields[1]), int(fields[2]), int(fields[3])
            if not (0 <= seq <= 0xFFFF and abs(a) <= FULL_SCALE and abs(b) <= FULL_SCALE):
                return None
            kind: Steering = "rudder" if fields[0] == "HLM" else "differential"
            return HelmCommand(seq, kind, a / FULL_SCALE, b / FULL_SCALE)
        if fields[0] == "HLS" and len(fields) == 5 and fields[2] in ("A", "N"):
            seq = int(fields[1])
            battery = float(fields[3]) if fields[3] else None
            supply = int(fields[4]) if fields[4] else None
            if not 0 <= seq <= 0xFFFF or (battery is not None and not 0 <= battery <= 100):
                return None
            return HelmStatus(seq, fields[2] == "A", battery, supply)
    except ValueError:
        return None
    return None


class HelmDecoder:
    """Incremental decoder over a byte stream; counts discarded bytes."""

    def __init__(self) -> None:
        self._buf = b""
        self.discarded_bytes = 0
        self.messages = 0

    def feed(self, data: bytes) -> list[HelmMessage]:
        """Messages completed by `data`."""
        self._buf += data
        out: list[HelmMessage] = []
        while self._buf:
            consumed, message, discarded = decode(self._buf)
            if consumed == 0:
                break
            self._buf = self._buf[consumed:]
            self.discarded_bytes += discarded
            if message is not None:
                self.messages += 1
                out.append(message)
        return out


def mix(thrust: float, rudder: float, kind: Steering) -> tuple[float, float]:
    """(a, b) of a command: (thrust, rudder), or (left, right) for twin motors."""
    if kind == "rudder":
        return thrust, rudder
    left, right = thrust + 0.5 * rudder, thrust - 0.5 * rudder  # starboard turn: left pushes harder
    scale = max(1.0, abs(left), abs(right))
    return left / scale, right / scale


def unmix(cmd: HelmCommand) -> tuple[float, float]:
    """(thrust, rudder-equivalent) of a command (the simulator's single-hull model)."""
    if cmd.kind == "rudder":
        return cmd.a, cmd.b
    return (cmd.a + cmd.b) / 2.0, max(-1.0, min(1.0, cmd.a - cmd.b))
