"""Warning rules for other users of the water: zones, time windows, actions, escalation.

    engine = WarningEngine(cfg.warnings, cfg.zones, origin=(cfg.home.lat, cfg.home.lon))
    for action in engine.update(t_s, own, observations(result.detections, t_s, own, yaw)):
        ...  # WarningIssued -> screen/speaker, ViolationDue -> record, IncidentClosed -> log

Pure: no clock, no I/O (`vessel.patrol_watch` is the shell).
"""

from vessel.warnings.config import (
    TEMPLATE_VALUES,
    VIOLATION_TYPES,
    EscalationStep,
    TimeWindow,
    WarningRule,
    WarningsSection,
    check_rule_zones,
)
from vessel.warnings.engine import WarningEngine
from vessel.warnings.geometry import Zone, cpa_tcpa
from vessel.warnings.model import (
    Incident,
    IncidentClosed,
    OwnState,
    TargetObservation,
    ViolationDue,
    WarningAction,
    WarningIssued,
    WarningLog,
)
from vessel.warnings.targets import observations

__all__ = [
    "TEMPLATE_VALUES",
    "VIOLATION_TYPES",
    "EscalationStep",
    "Incident",
    "IncidentClosed",
    "OwnState",
    "TargetObservation",
    "TimeWindow",
    "ViolationDue",
    "WarningAction",
    "WarningEngine",
    "WarningIssued",
    "WarningLog",
    "WarningRule",
    "WarningsSection",
    "Zone",
    "check_rule_zones",
    "cpa_tcpa",
    "observations",
]
