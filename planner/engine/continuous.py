"""Continuous running (rules 14-18): weekly and single-run caps, deloads, frequency."""

from __future__ import annotations

import math

WEEKLY_GROWTH = 1.10  # at most 10% a week (never over 20%, never over 30% across two weeks)
SINGLE_RUN_CAP = 1.10  # no run longer than 110% of the longest in the previous 30 days
DELOAD_EVERY = 4  # every fourth week of continuous running
DELOAD_FACTOR = 0.80  # about 20% fewer minutes
STEP_BACK_FACTOR = 0.80  # rule 7: about 20% of running minutes
TIME_OFF_FACTOR = 0.90  # rule 7: about 10% of weekly minutes for each five days off
MOST_RUNS = 5  # rule 17
BACK_TO_BACK_AFTER_WEEKS = 2  # flare-free weeks at 30 minutes continuous
LOOKBACK_WEEKS = 4  # "the previous 30 days", in whole plan weeks


def is_deload(continuous_week: int) -> bool:
    """Whether the n-th (1-based) week of continuous running is a lighter week."""
    return continuous_week > 0 and continuous_week % DELOAD_EVERY == 0


def single_run_cap(recent_longest: float | None) -> float | None:
    return None if recent_longest is None else recent_longest * SINGLE_RUN_CAP


def grow(total: float, target: float) -> float:
    """Next week's minutes: at most 10% more in whole minutes, never past the target."""
    return min(math.floor(total * WEEKLY_GROWTH + 1e-9), target)
