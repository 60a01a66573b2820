"""Continuous running (rules 14-18): weekly and single-run caps, lighter weeks, run days."""

from __future__ import annotations

import math

WEEKLY_GROWTH = 1.10  # rule 14: at most 10% a week...
MOST_IN_ONE_WEEK = 1.20  # ...never over 20%...
MOST_IN_TWO_WEEKS = 1.30  # ...never over 30% across two weeks
SINGLE_RUN_CAP = 1.10  # rule 15: no run longer than 110% of the longest in the previous 30 days
INPUT_DAYS = 30  # the runner's longest_run counts for the plan's sessions in its first 30 days
LOOKBACK_DAYS = 21  # "the previous 30 days", read cautiously: the three whole weeks before a week
DELOAD_EVERY = 4  # rule 16: every fourth week of continuous running...
# ...about 20% fewer minutes: a sixth off, so the week after it returns within rule 14's 20%.
DELOAD_FACTOR = 5 / 6
MOST_RUNS = 5  # rule 17
MOST_DAYS_IN_A_ROW = 2  # rule 17 (v2): never more than two running days in a row
# Two rest days a week split the runs into at most two blocks of two, so four run days is the
# most that fits week after week without three running days in a row.
RUN_DAYS_THAT_FIT = 4
BACK_TO_BACK_AFTER_WEEKS = 2  # rule 17: flare-free weeks at 30 minutes continuous first
EPSILON = 1e-9


def is_deload(continuous_week: int) -> bool:
    """Whether the n-th (1-based) week of continuous running is a lighter week (rule 16)."""
    return continuous_week > 0 and continuous_week % DELOAD_EVERY == 0


def lighter(minutes: float) -> float:
    """A lighter week's minutes, whole (rule 16)."""
    return float(math.floor(minutes * DELOAD_FACTOR + EPSILON))


def single_run_cap(recent_longest: float | None) -> float | None:
    """The longest run allowed after `recent_longest` (rule 15), in whole minutes."""
    return None if recent_longest is None else float(math.floor(recent_longest * SINGLE_RUN_CAP + EPSILON))


def grow(total: float, target: float, last_weeks: list[float]) -> float:
    """Next week's minutes: at most 10% more, never over 20% on the week before or 30% on the one
    before that (rule 14), never past the target (rule 18); whole minutes."""
    limits = [total * WEEKLY_GROWTH, target]
    if last_weeks and last_weeks[-1] > 0:
        limits.append(last_weeks[-1] * MOST_IN_ONE_WEEK)
    if len(last_weeks) >= 2 and last_weeks[-2] > 0:
        limits.append(last_weeks[-2] * MOST_IN_TWO_WEEKS)
    return max(total, float(math.floor(min(limits) + EPSILON)))
