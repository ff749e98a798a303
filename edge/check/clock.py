"""The clock check: which reference the host clock follows, and how far off it is."""

from __future__ import annotations

import ctypes
import ctypes.util
import time

from edge.check.result import CheckResult
from edge.check.thresholds import CheckThresholds

_TIME_ERROR = 5  # adjtimex(2): the kernel clock is not synchronised
_STA_UNSYNC = 0x0040


class _Timex(ctypes.Structure):
    _fields_ = [("modes", ctypes.c_uint), ("offset", ctypes.c_long), ("freq", ctypes.c_long),
                ("maxerror", ctypes.c_long), ("esterror", ctypes.c_long),
                ("status", ctypes.c_int), ("constant", ctypes.c_long),
                ("precision", ctypes.c_long), ("tolerance", ctypes.c_long),
                ("time_sec", ctypes.c_long), ("time_usec", ctypes.c_long),
                ("tick", ctypes.c_long), ("ppsfreq", ctypes.c_long), ("jitter", ctypes.c_long),
                ("shift", ctypes.c_int), ("stabil", ctypes.c_long), ("jitcnt", ctypes.c_long),
                ("calcnt", ctypes.c_long), ("errcnt", ctypes.c_long), ("stbcnt", ctypes.c_long),
                ("tai", ctypes.c_int), ("_pad", ctypes.c_int * 11)]


def kernel_sync() -> tuple[bool | None, float | None]:
    """(synchronised by NTP/PTP/chrony?, estimated error in s) from adjtimex; None if unknown."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        timex = _Timex()  # modes = 0: read only, allowed unprivileged
        state = libc.adjtimex(ctypes.byref(timex))
    except (OSError, AttributeError):
        return None, None
    if state < 0:
        return None, None
    synced = state != _TIME_ERROR and not timex.status & _STA_UNSYNC
    return synced, timex.esterror / 1e6


def check_clock(references: dict[str, float], th: CheckThresholds) -> CheckResult:
    """`references`: offsets (host minus reference, s) measured by the GNSS/DAQ checks."""
    synced, est_error_s = kernel_sync()
    kernel = ("NTP-synchronised" if synced else "not NTP-synchronised" if synced is False
              else "sync state unknown")
    if est_error_s is not None and synced:
        kernel += f" (est. error {est_error_s * 1000:.0f} ms)"
    figures: dict[str, object] = {"kernel_synced": synced, "host_time": time.time()}
    figures.update({f"offset_vs_{k}_s": round(v, 3) for k, v in references.items()})
    if references:
        source, offset = min(references.items(), key=lambda kv: abs(kv[1]))
        text = f"host {offset:+.3f} s vs {source}; kernel {kernel}"
        if abs(offset) > th.max_clock_offset_s:
            return CheckResult("clock", False, f"{text}: more than {th.max_clock_offset_s} s "
                               "off (evidence times would be wrong)", figures)
        return CheckResult("clock", True, text, figures)
    if synced:
        return CheckResult("clock", True, f"kernel {kernel}", figures)
    return CheckResult("clock", False, f"kernel {kernel} and no GNSS or synchronised DAQ "
                       "time to compare with (start chrony/timesyncd)", figures)
