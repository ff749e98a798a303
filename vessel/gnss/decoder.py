"""The whole pure path: bytes -> lines -> validated sentences -> epochs (`Fix`)."""

from __future__ import annotations

from collections import Counter

from vessel.gnss.epoch import EpochAssembler
from vessel.gnss.fix import Fix
from vessel.gnss.framing import LineFramer
from vessel.gnss.sentence import SentenceRejected, decode


class NmeaDecoder:
    """Feed raw receiver bytes, get navigation epochs; counts every line it does not use.

    An epoch is returned when it changed during a `feed` call, so with a live stream an epoch
    may come out more than once as its sentences arrive (merge by `time`, last wins).
    """

    def __init__(self, require_checksum: bool = True, max_line_bytes: int = 512) -> None:
        self.require_checksum = require_checksum
        self._framer = LineFramer(max_line_bytes)
        self._epochs = EpochAssembler()
        self._counts: Counter[str] = Counter()

    def feed(self, data: bytes) -> list[Fix]:
        """Decode `data`; return the epochs it finished or updated, oldest first."""
        fixes = self._decode_lines(self._framer.feed(data))
        current = self._epochs.snapshot()
        if current is not None:
            fixes.append(current)
        return fixes

    def flush(self) -> list[Fix]:
        """End of stream: decode a last unterminated line and finish the current epoch."""
        fixes = self._decode_lines(self._framer.flush())
        last = self._epochs.close()
        if last is not None:
            fixes.append(last)
        return fixes

    def _decode_lines(self, lines: list[bytes]) -> list[Fix]:
        fixes: list[Fix] = []
        counts = self._counts
        require = self.require_checksum
        add = self._epochs.add
        for line in lines:
            try:
                report = decode(line, require)
            except SentenceRejected as exc:
                counts[exc.reason] += 1
                continue
            counts["sentences"] += 1
            closed = add(report)
            if closed is not None:
                fixes.append(closed)
        return fixes

    @property
    def counters(self) -> dict[str, int]:
        """Accepted sentences and every discard by reason (health)."""
        framer = self._framer.counters
        counts = dict(self._counts)
        counts["junk_bytes"] = framer.junk_bytes
        counts["overlong"] = framer.overlong
        counts["truncated"] = counts.get("truncated", 0) + framer.truncated
        return counts
