"""The text-display controller wire protocol: a pure codec (no I/O, no clock).

Modelled on the framing used by common Chinese variable-message-sign (情报板) and LED/LCD
screen controllers: a start byte, an address, a command, a length, a GB2312 payload, a
CRC-16, an end byte, byte stuffing between them, and an ACK/NAK reply for every command.
An integrator mapping a real controller onto this should only need to change this module.

Frame (both directions)
-----------------------

Before stuffing::

    STX  ADDR  CMD  SEQ  LEN_HI LEN_LO  PAYLOAD[LEN]  CRC_HI CRC_LO  ETX
    0x02 1 B   1 B  1 B  uint16 big-endian           uint16 BE        0x03

- ``ADDR``: controller address 0x00..0xFE; 0xFF is broadcast (controllers never reply to it).
  A reply carries the address of the controller that sends it.
- ``CMD``: see the command table below.
- ``SEQ``: 0..255, chosen by the host, incremented per new command, repeated unchanged on a
  retry; the reply echoes it, so a late reply to an earlier command is recognised and dropped.
- ``LEN``: payload length in bytes before stuffing, at most ``MAX_PAYLOAD`` (1024).
- ``CRC``: CRC-16/MODBUS (poly 0xA001 reflected, init 0xFFFF) over ADDR..PAYLOAD, unstuffed,
  sent high byte first.
- Stuffing: every byte between STX and ETX (the CRC included) equal to 0x02, 0x03 or 0x1B
  is sent as ``0x1B, byte ^ 0x20`` (0x02 → 1B 22, 0x03 → 1B 23, 0x1B → 1B 3B). A raw
  STX inside a frame therefore always means "a new frame starts here" (resync point).

Commands (host → controller)
----------------------------

==== ======= ==================================================================
CMD  name    payload
==== ======= ==================================================================
0x31 SHOW    COLOUR(1) EFFECT(1) SPEED(1) HOLD_DS(uint16 BE) TEXT(GB2312, rest)
0x32 CLEAR   none: blank the display
0x33 STATUS  none: the ACK payload carries the status byte
==== ======= ==================================================================

- ``COLOUR``: 0x01 red, 0x02 green, 0x03 amber (yellow), 0x04 white.
- ``EFFECT``: 0x00 static (centred), 0x01 scroll right-to-left.
- ``SPEED``: scroll speed 1 (slow) .. 9 (fast); ignored when static.
- ``HOLD_DS``: how long to show the text in tenths of a second; 0 = until replaced. After
  it elapses the controller blanks the display (so a crashed host never leaves an
  offender's plate up).
- ``TEXT``: GB2312 (EUC-CN) bytes; ``0x0A`` separates lines on multi-line panels; no other
  control bytes. Characters outside GB2312 are sent as ``?`` by the host.

Replies (controller → host), sent within the controller's reply time (host waits 0.5 s)
-------------------------------------------------------------------------------------

==== ==== ========================================================================
CMD  name payload
==== ==== ========================================================================
0x06 ACK  ORIG_CMD(1) [STATUS(1) for STATUS]
0x15 NAK  ORIG_CMD(1) REASON(1): 0x01 bad CRC, 0x02 unknown command, 0x03 bad payload,
          0x04 busy
==== ==== ========================================================================

- ``STATUS`` bits: bit0 LED module fault, bit1 power fault, bit2 over-temperature,
  bit3 door open; 0 = healthy.
- A frame whose CRC fails is answered with NAK/bad CRC when its ADDR and SEQ can be read;
  the host then retries (same SEQ) up to its retry count; a missing reply is a timeout and
  is retried the same way.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import IntEnum

from edge.display.errors import DisplayProtocolError

STX = 0x02
ETX = 0x03
ESC = 0x1B
_STUFFED = frozenset({STX, ETX, ESC})
BROADCAST = 0xFF
MAX_PAYLOAD = 1024
_HEADER_LEN = 5  # ADDR CMD SEQ LEN_HI LEN_LO
_SHOW_HEADER_LEN = 5  # COLOUR EFFECT SPEED HOLD_HI HOLD_LO


class Command(IntEnum):
    """Frame commands, both directions."""

    SHOW = 0x31
    CLEAR = 0x32
    STATUS = 0x33
    ACK = 0x06
    NAK = 0x15


class NakReason(IntEnum):
    """Why a controller refused a frame."""

    BAD_CRC = 0x01
    UNKNOWN_COMMAND = 0x02
    BAD_PAYLOAD = 0x03
    BUSY = 0x04


COLOUR_CODES: dict[str, int] = {"red": 0x01, "green": 0x02, "amber": 0x03, "white": 0x04}
EFFECT_CODES: dict[str, int] = {"static": 0x00, "scroll": 0x01}
_COLOUR_NAMES = {code: name for name, code in COLOUR_CODES.items()}
_EFFECT_NAMES = {code: name for name, code in EFFECT_CODES.items()}


@dataclass(frozen=True)
class Frame:
    """One decoded, CRC-checked frame."""

    address: int
    command: int
    seq: int
    payload: bytes = b""


@dataclass(frozen=True)
class BadFrame:
    """A delimited frame that failed its check; `address`/`seq` are None when unreadable."""

    raw: bytes
    reason: str
    address: int | None
    seq: int | None


@dataclass(frozen=True)
class ShowPayload:
    """The decoded payload of a SHOW command."""

    colour: str
    effect: str
    speed: int
    hold_ds: int
    text: str


def crc16_modbus(data: bytes) -> int:
    """CRC-16/MODBUS of `data`."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


def _stuff(data: bytes) -> bytes:
    out = bytearray()
    for byte in data:
        if byte in _STUFFED:
            out += bytes((ESC, byte ^ 0x20))
        else:
            out.append(byte)
    return bytes(out)


def encode_frame(frame: Frame) -> bytes:
    """Serialise a frame: header, payload, CRC, stuffing, delimiters."""
    if not 0 <= frame.address <= 0xFF or not 0 <= frame.seq <= 0xFF:
        raise DisplayProtocolError(f"address/seq out of range: {frame.address}/{frame.seq}")
    if len(frame.payload) > MAX_PAYLOAD:
        raise DisplayProtocolError(f"payload of {len(frame.payload)} B exceeds {MAX_PAYLOAD} B")
    body = bytes((frame.address, frame.command, frame.seq)) + len(frame.payload).to_bytes(2, "big")
    body += frame.payload
    body += crc16_modbus(body).to_bytes(2, "big")
    return bytes((STX,)) + _stuff(body) + bytes((ETX,))


def decode(buf: bytes) -> tuple[int, Frame | BadFrame | None, int]:
    """Return (bytes consumed, the next Frame or BadFrame or None, bytes discarded).

    Bytes before an STX are discarded (counted). An STX met inside an unfinished frame
    restarts the frame there, discarding the fragment. Returns (n, None, d) when more bytes
    are needed; feed `buf[n:]` plus new bytes next time.
    """
    start = buf.find(STX)
    if start < 0:
        return len(buf), None, len(buf)
    discarded = start
    body = bytearray()
    i = start + 1
    escaped = False
    while i < len(buf):
        byte = buf[i]
        if byte == STX:
            # A frame restarts here: everything since the previous STX is lost.
            discarded += i - start
            start, body, escaped = i, bytearray(), False
        elif byte == ETX:
            raw = bytes(buf[start : i + 1])
            return i + 1, _check(bytes(body), raw, escaped), discarded
        elif escaped:
            body.append(byte ^ 0x20)
            escaped = False
        elif byte == ESC:
            escaped = True
        else:
            body.append(byte)
        i += 1
    return start, None, discarded


def _check(body: bytes, raw: bytes, escape_pending: bool) -> Frame | BadFrame:
    address = body[0] if body else None
    seq = body[2] if len(body) >= 3 else None
    if escape_pending:
        return BadFrame(raw, "dangling escape byte", address, seq)
    if len(body) < _HEADER_LEN + 2:
        return BadFrame(raw, f"frame too short ({len(body)} B)", address, seq)
    length = int.from_bytes(body[3:5], "big")
    if len(body) != _HEADER_LEN + length + 2:
        return BadFrame(raw, f"length field {length} does not match frame", address, seq)
    if crc16_modbus(body[:-2]) != int.from_bytes(body[-2:], "big"):
        return BadFrame(raw, "bad CRC", address, seq)
    return Frame(body[0], body[1], body[2], bytes(body[_HEADER_LEN:-2]))


def to_gb2312(text: str) -> tuple[bytes, int]:
    """Encode for the sign: GB2312, newline kept, anything else unencodable becomes '?'.

    Returns (bytes, number of characters replaced). Never raises.
    """
    out = bytearray()
    replaced = 0
    for char in unicodedata.normalize("NFC", text):
        if char == "\n":
            out.append(0x0A)
            continue
        if unicodedata.category(char).startswith("C"):
            out += b"?"
            replaced += 1
            continue
        try:
            out += char.encode("gb2312")
        except UnicodeEncodeError:
            out += b"?"
            replaced += 1
    return bytes(out), replaced


def encode_show(payload: ShowPayload) -> bytes:
    """SHOW payload bytes; the text must already be representable (see `to_gb2312`)."""
    try:
        colour = COLOUR_CODES[payload.colour]
        effect = EFFECT_CODES[payload.effect]
    except KeyError as exc:
        raise DisplayProtocolError(f"unknown colour/effect: {exc.args[0]!r}") from exc
    if not 1 <= payload.speed <= 9 or not 0 <= payload.hold_ds <= 0xFFFF:
        raise DisplayProtocolError(f"speed/hold out of range: {payload.speed}/{payload.hold_ds}")
    text, _ = to_gb2312(payload.text)
    return bytes((colour, effect, payload.speed)) + payload.hold_ds.to_bytes(2, "big") + text


def decode_show(data: bytes) -> ShowPayload:
    """Parse a SHOW payload; raises DisplayProtocolError (carrying the bytes) when malformed."""
    if len(data) < _SHOW_HEADER_LEN:
        raise DisplayProtocolError(f"SHOW payload too short: {data!r}")
    colour = _COLOUR_NAMES.get(data[0])
    effect = _EFFECT_NAMES.get(data[1])
    if colour is None or effect is None or not 1 <= data[2] <= 9:
        raise DisplayProtocolError(f"SHOW attributes invalid: {data[:3]!r}")
    try:
        text = data[_SHOW_HEADER_LEN:].decode("gb2312")
    except UnicodeDecodeError as exc:
        raise DisplayProtocolError(f"SHOW text is not GB2312: {data[5:]!r}") from exc
    return ShowPayload(colour, effect, data[2], int.from_bytes(data[3:5], "big"), text)
