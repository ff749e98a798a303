"""`edge check CONFIG`: the field technician's self-test, one line per configured device.

`run_checks(config)` opens every device the config names (in parallel, each within its own
time budget) and returns one `CheckResult` each; nothing is changed on any device (the sign
is asked for its status, never shown a message; the broker gets one message on `up/check`,
a topic the central receiver ignores).
"""

from edge.check.result import CheckResult
from edge.check.runner import plan_checks, run_checks
from edge.check.thresholds import CheckThresholds

__all__ = ["CheckResult", "CheckThresholds", "plan_checks", "run_checks"]
