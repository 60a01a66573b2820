"""Decisions from check-ins (rule 7): progress, hold, step back, and time off.

Each plan week is judged on the check-ins dated inside it; the judgement shapes the weeks
after it, never the week itself or any before it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import pairwise

from .pain import over_ceiling
from .plan import CheckIn, Decision

STEP_BACK_WINDOW_DAYS = 7  # two sessions over the ceiling within 7 days
DAYS_OFF_PER_STEP = 5  # rule 7: back one rung (or ~10%) for each five days without running
STEP_BACK_REST_DAYS = 2
BAD_WEEKS_FOR_NOTICE = 3
WEEKS_BEFORE_REVIEW = 12


@dataclass(frozen=True)
class Adjustment:
    """What a week's check-ins do to the weeks after it."""

    decision: Decision = Decision.PROGRESS
    missed_steps: int = 0
    reasons: list[str] = field(default_factory=list)
    checked_in: bool = False
    pain_step: bool = False  # stepping back for pain (two bad sessions, or mornings rising), not only days off

    @property
    def rest_days(self) -> int:
        """Days without running at the start of the next week (rule 7, step back)."""
        return STEP_BACK_REST_DAYS if self.decision is Decision.STEP_BACK and self.reasons else 0


def _mean_morning(checkins: list[CheckIn]) -> float | None:
    return sum(c.pain_next_morning for c in checkins) / len(checkins) if checkins else None


def assess_week(
    week_start: date,
    run_dates: list[date],
    checkins: list[CheckIn],
    *,
    ceiling: int,
    baseline: int,
) -> Adjustment:
    """Judge one week by its check-ins (and the two weeks before it, for trends).

    `run_dates` are every run date the plan has scheduled up to the end of this week.
    """
    week_end = week_start + timedelta(days=6)
    this_week = [c for c in checkins if week_start <= c.date <= week_end]
    if not this_week:
        return Adjustment()

    reasons: list[str] = []
    over = sorted(c.date for c in checkins if over_ceiling(c.pain_during, ceiling) and c.date <= week_end)
    over_this_week = [d for d in over if d >= week_start]
    two_close = any(
        later >= week_start and (later - earlier).days < STEP_BACK_WINDOW_DAYS
        for earlier, later in pairwise(over)
    )

    weekly_mornings = []
    for back in (2, 1, 0):
        start = week_start - timedelta(days=7 * back)
        week = [c for c in checkins if start <= c.date <= start + timedelta(days=6)]
        weekly_mornings.append(_mean_morning(week))
    m2, m1, m0 = weekly_mornings
    # Worse mornings getting worse: a rise that stays within the usual level is no flare (rule 7, progress).
    rising_twice = None not in (m2, m1, m0) and m2 < m1 < m0 and m0 > baseline  # type: ignore[operator]

    morning_above = [c.date for c in this_week if c.pain_next_morning > baseline]

    if two_close:
        reasons.append(f"two sessions within 7 days hurt more than your ceiling of {ceiling}/10")
    if rising_twice:
        reasons.append("next-morning pain rose two weeks running")
    pain_step = bool(reasons)
    if pain_step:
        decision = Decision.STEP_BACK
    elif over_this_week or morning_above:
        decision = Decision.HOLD
        if over_this_week:
            reasons.append(f"a session hurt more than your ceiling of {ceiling}/10")
        if morning_above:
            reasons.append(f"pain the next morning was above your usual {baseline}/10")
    else:
        decision = Decision.PROGRESS

    missed_steps = _missed_steps(week_start, week_end, run_dates, this_week)
    if missed_steps and decision is Decision.PROGRESS:
        decision = Decision.STEP_BACK
    if missed_steps:
        reasons.append(f"{missed_steps * DAYS_OFF_PER_STEP}+ days without running")
    return Adjustment(decision=decision, missed_steps=missed_steps, reasons=reasons, checked_in=True,
                      pain_step=pain_step)


def _missed_steps(week_start: date, week_end: date, run_dates: list[date], this_week: list[CheckIn]) -> int:
    """Steps back for the longest stretch without running that ends in this week (rule 7)."""
    missed = {c.date for c in this_week if not c.completed}
    if not missed:
        return 0
    ran = [d for d in run_dates if d not in missed and d <= week_end]
    longest = 0
    for day in sorted(missed):
        before = max((d for d in ran if d < day), default=None)
        after = min((d for d in ran if d > day), default=week_end + timedelta(days=1))
        start = before + timedelta(days=1) if before else week_start
        longest = max(longest, (after - start).days)
    return longest // DAYS_OFF_PER_STEP


def no_improvement(checkins: list[CheckIn], plan_start: date, up_to: date) -> bool:
    """True when 12 weeks of check-ins show pain during sessions no lower than at the start."""
    if (up_to - plan_start).days < 7 * WEEKS_BEFORE_REVIEW:
        return False
    dated = sorted((c for c in checkins if c.date <= up_to), key=lambda c: c.date)
    if len(dated) < 2 or (dated[-1].date - dated[0].date).days < 7 * (WEEKS_BEFORE_REVIEW - 1):
        return False
    first = [c.pain_during for c in dated if (c.date - dated[0].date).days < 7]
    last = [c.pain_during for c in dated if (dated[-1].date - c.date).days < 7]
    return sum(last) / len(last) >= sum(first) / len(first) and max(last) > 0
