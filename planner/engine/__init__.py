"""The pure return-to-run engine: stdlib only, no Flask, no database, no clock."""

from .build import build_plan, session_uid
from .entry import InputError
from .plan import (
    RULES_VERSION,
    Actual,
    Away,
    CheckIn,
    Decision,
    Exercise,
    Intensity,
    Interval,
    Kind,
    Phase,
    Plan,
    PlanRequest,
    Session,
    Status,
    Terrain,
    Unit,
    Week,
)

__all__ = [
    "Actual", "Away", "CheckIn", "Decision", "Exercise", "InputError", "Intensity", "Interval", "Kind", "Phase", "Plan",
    "PlanRequest", "RULES_VERSION", "Session", "Status", "Terrain", "Unit", "Week", "build_plan", "session_uid",
]
