"""Where the plan starts (rules 8-11)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from . import ladder
from .plan import Phase

HALF = 0.5


class InputError(ValueError):
    """An input the engine cannot plan from; `field` names the request field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Entry:
    phase: Phase
    rung: int  # ladder rung for settle / walk_run / easy_run; ladder.TOP once counting minutes
    total: float  # weekly minutes in build (0 before)
    runs: int
    reason: str
    painful: bool = False


def is_reactive(pain_at_rest: int, morning_after_worse: bool, current_pain: int, ceiling: int) -> bool:
    """Rule 8: pain at rest, or an irritable tendon hurting past the ceiling."""
    return pain_at_rest > 0 or (morning_after_worse and current_pain > ceiling)


def find_entry(
    *,
    current_minutes: float,
    current_pain: int,
    ceiling: int,
    morning_after_worse: bool,
    pain_at_rest: int,
    longest_run_minutes: float | None,
    target_minutes: float,
    runs_wanted: int,
) -> tuple[Entry, list[str]]:
    """Pick the starting phase and load, with any warnings the inputs cause."""
    warnings: list[str] = []
    if is_reactive(pain_at_rest, morning_after_worse, current_pain, ceiling):
        return Entry(Phase.SETTLE, 1, 0, 0,
                     "your tendon is reactive (pain at rest or a flare the morning after)"), warnings
    if current_minutes <= 0:
        return Entry(Phase.WALK_RUN, 1, 0, ladder.WALK_RUN_SESSIONS,
                     "you are not running at the moment, so the walk-run ladder starts at its first rung"), warnings

    painful = current_pain > ceiling or morning_after_worse
    start = current_minutes * HALF if painful else current_minutes
    reason = (
        "running hurts past your ceiling or is worse the next morning, so week 1 is at most half your current minutes"
        if painful
        else "running is within your ceiling, so week 1 holds your current minutes with no increase"
    )
    if start > target_minutes:
        start = target_minutes
        warnings.append("Your current running is above your target, so the plan starts at the target instead.")

    runs = min(runs_wanted, ladder.WALK_RUN_SESSIONS) if painful else runs_wanted
    per_run = start / max(runs, 1)
    if longest_run_minutes is not None and per_run > longest_run_minutes * 1.1:
        per_run = longest_run_minutes * 1.1
        warnings.append(
            "Week 1 is below your current weekly running so that no run is more than 10% longer "
            "than your longest run of the last 30 days."
        )
    if per_run < ladder.TOP_MINUTES:
        # Short runs go back on the ladder: three sessions a week at the highest rung that fits.
        # A walk-run session never holds more running than one of the runner's runs would (rule 15).
        number = ladder.highest_rung_within(min(per_run, per_run * runs / ladder.WALK_RUN_SESSIONS))
        phase = Phase.WALK_RUN if number < ladder.FIRST_CONTINUOUS else Phase.EASY_RUN
        return Entry(phase, number, 0, ladder.WALK_RUN_SESSIONS, reason, painful=painful), warnings
    return Entry(Phase.BUILD, ladder.TOP, math.floor(per_run * runs), runs, reason, painful=painful), warnings
