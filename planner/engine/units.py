"""Distances become minutes through the easy pace; the engine counts only minutes."""

from __future__ import annotations

from .plan import PlanRequest, Unit

DEFAULT_PACE = {Unit.KM: "6:30", Unit.MI: "10:30"}


def pace_minutes(pace: str) -> float:
    """ "6:30" -> 6.5 minutes per unit."""
    minutes, seconds = pace.split(":")
    return int(minutes) + int(seconds) / 60


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
