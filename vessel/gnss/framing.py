"""Split a raw receiver byte stream into candidate NMEA lines (pure, no I/O).

Receivers interleave NMEA with binary protocols (UBX, SiRF), send doubled `$$`, cut lines
short when they reset and sometimes never send a line end. The framer keeps the text from
the last `$` or `!` of each line, counts everything it throws away, and bounds its buffer.
"""

from __future__ import annotations

from dataclasses import dataclass

_STARTS = (0x24, 0x21)  # '$' and '!'


@dataclass
class FramerCounters:
    """What the framer threw away."""

    junk_bytes: int = 0  # bytes outside any sentence (binary, noise, doubled `$`)
    truncated: int = 0  # a sentence start followed by another start before its line end
    overlong: int = 0  # lines longer than the configured maximum


class LineFramer:
    """Bytes in, candidate sentence lines out (each starting with `$` or `!`, no line end)."""

    def __init__(self, max_line_bytes: int = 512) -> None:
        self.max_line_bytes = max_line_bytes
        self.counters = FramerCounters()
        self._buf = bytearray()

    def feed(self, data: bytes) -> list[bytes]:
        """Append `data`; return the complete lines it finished."""
        buf = self._buf
        buf += data
        lines: list[bytes] = []
        pos = 0
        size = len(buf)
        while pos < size:
            end_n = buf.find(b"\n", pos)
            end_r = buf.find(b"\r", pos, end_n if end_n >= 0 else size)
            end = end_r if end_r >= 0 else end_n
            if end < 0:
                break
            if end > pos:
                line = self._take(bytes(buf[pos:end]))
                if line is not None:
                    lines.append(line)
            pos = end + 1
        del buf[:pos]
        if len(buf) > self.max_line_bytes:
            self._shed_overlong()
        return lines

    def flush(self) -> list[bytes]:
        """End of stream: a last line without a line end is still offered (its checksum decides)."""
        rest = bytes(self._buf)
        self._buf.clear()
        line = self._take(rest) if rest else None
        return [line] if line is not None else []

    def _take(self, segment: bytes) -> bytes | None:
        start = max(segment.rfind(b"$"), segment.rfind(b"!"))
        if start < 0:
            self.counters.junk_bytes += len(segment)
            return None
        if start:
            self.counters.junk_bytes += start
            prefix = segment[:start].rstrip(b"$!")
            if b"$" in prefix or b"!" in prefix:
                self.counters.truncated += 1
        line = segment[start:] if start else segment
        if len(line) > self.max_line_bytes:
            self.counters.overlong += 1
            return None
        return line

    def _shed_overlong(self) -> None:
        # No line end within the limit: keep only a possible sentence start near the tail.
        buf = self._buf
        start = max(buf.rfind(b"$"), buf.rfind(b"!"))
        keep_from = start if start >= 0 and len(buf) - start <= self.max_line_bytes else len(buf)
        dropped = buf[:keep_from]
        if b"$" in dropped or b"!" in dropped:
            self.counters.overlong += 1
        self.counters.junk_bytes += len(dropped)
        del buf[:keep_from]
