"""Distances become minutes through the easy pace; the engine counts only minutes (rule 32)."""

from __future__ import annotations

from functools import cache

from .plan import PlanRequest, Unit

# Rule 32: without a pace, assume a brisk one, so minutes are never over-estimated.
DEFAULT_PACE = {Unit.KM: "5:00", Unit.MI: "8:00"}


@cache  # pure, and a runner has one pace: a plan converts every week's minutes with it
def pace_minutes(pace: str) -> float:
    """ "6:30" -> 6.5 minutes per unit."""
    minutes, seconds = pace.split(":")
    return int(minutes) + int(seconds) / 60


def pace_assumed(request: PlanRequest) -> bool:
    """Whether distances are converted with the assumed pace because the runner gave none."""
    return request.unit is not Unit.MIN and request.easy_pace is None


def effective_pace(request: PlanRequest) -> str | None:
    if request.unit is Unit.MIN:
        return None
    return request.easy_pace or DEFAULT_PACE[request.unit]


def to_minutes(volume: float, request: PlanRequest) -> float:
    pace = effective_pace(request)
    return volume if pace is None else volume * pace_minutes(pace)


def to_distance(minutes: float, request: PlanRequest) -> float | None:
    pace = effective_pace(request)
    return None if pace is None else round(minutes / pace_minutes(pace), 1)
