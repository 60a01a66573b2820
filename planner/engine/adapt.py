"""Decisions from check-ins (rules 6, 7 and 31): progress, hold, step back, gaps and notices.

A check-in judges what comes after it, never its own day or any before it. The next-morning
score may arrive a day later; until it does the session is judged on pain during alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import pairwise
from statistics import mean

from .pain import over_ceiling
from .plan import CheckIn, Decision

STEP_BACK_WINDOW_DAYS = 7  # two sessions over the ceiling within 7 days
USUAL_MORNING_DAYS = 14  # rule 6 (v2): the usual morning is the lowest of the previous 14 days
STEP_BACK_FACTOR = 0.80  # about 20% of running minutes (or one rung)
REST_DAYS_AFTER_STEP_BACK = 2  # two days with no running; rehab goes on
SHORT_GAP_DAYS = 5  # 5-13 days without running: about 80% of the last week run
LONG_GAP_DAYS = 14  # 14 days or more: about half of it
SHORT_GAP_FACTOR = 0.80
LONG_GAP_FACTOR = 0.50
# The physiotherapist notice, on pain evidence only (rule 7, v2):
BAD_WEEKS_IN_A_ROW = 3
STEP_BACKS_FOR_NOTICE = 3
STEP_BACK_NOTICE_WEEKS = 6
RISING_PAIN_WEEKS = 4
RISING_PAIN_POINTS = 2  # ...and by at least 2 points over them: a rise from 0 to 1 within the ceiling is noise
WEEKS_WITHOUT_A_RISE = 12
SETTLE_WEEKS_FOR_NOTICE = 4  # rule 8 (v2)
SETTLED_MORNING = 1  # rule 8 (v2): settle ends when a week's mornings are at 0-1


def usual_morning(checkins: Sequence[CheckIn], day: date, pain_at_rest: int) -> int:
    """Rule 6 (v2): pain at rest when given, else the lowest morning of the previous 14 days (0 before any)."""
    if pain_at_rest > 0:
        return pain_at_rest
    since = day - timedelta(days=USUAL_MORNING_DAYS)
    mornings = [c.pain_next_morning for c in checkins
                if since <= c.date < day and c.pain_next_morning is not None]
    return min(mornings, default=0)


def over(checkin: CheckIn, ceiling: int) -> bool:
    """A session that hurt past the ceiling (a missed one counts too when it says it hurt)."""
    return over_ceiling(checkin.pain_during, ceiling)


def morning_worse(checkin: CheckIn, checkins: Sequence[CheckIn], pain_at_rest: int) -> bool:
    """The morning after was above the runner's usual level (rule 6); unknown until it is logged (rule 31)."""
    if checkin.pain_next_morning is None:
        return False
    return checkin.pain_next_morning > usual_morning(checkins, checkin.date, pain_at_rest)


@dataclass(frozen=True)
class Judgement:
    """What a week's check-ins do to the weeks after it. Immutable through and through, so the common
    judgements below are made once and shared (most weeks have no check-in)."""

    decision: Decision | None = None  # None: the week has no check-in
    for_pain: bool = False  # a hold or step back called by pain, not by missed days
    reasons: tuple[str, ...] = ()
    gap_factor: float | None = None  # after days without running: the share of the last week run
    rest_after: date | None = None  # a pain step back: two days without running follow this day


NO_DECISION = Judgement()  # a week without check-ins
PROGRESS = Judgement(Decision.PROGRESS)


def two_over_within_a_week(over_days: list[date], week_start: date) -> bool:
    """Two sessions over the ceiling within 7 days, the later one in this week."""
    if len(over_days) < 2:
        return False
    return any(later >= week_start and (later - earlier).days < STEP_BACK_WINDOW_DAYS
               for earlier, later in pairwise(sorted(over_days)))


def weekly_mornings(checkins: Sequence[CheckIn], week_start: date) -> float | None:
    scores = [c.pain_next_morning for c in checkins
              if week_start <= c.date < week_start + timedelta(days=7) and c.pain_next_morning is not None]
    return mean(scores) if scores else None


def mornings_rising(checkins: Sequence[CheckIn], week_start: date, pain_at_rest: int) -> bool:
    """Morning pain rising two weeks running, and above the usual level (rule 7)."""
    m2, m1, m0 = (weekly_mornings(checkins, week_start - timedelta(days=7 * back)) for back in (2, 1, 0))
    if m2 is None or m1 is None or m0 is None:
        return False
    return m2 < m1 < m0 and m0 > usual_morning(checkins, week_start, pain_at_rest)


def judge_week(
    week_start: date,
    checkins: Sequence[CheckIn],
    *,
    ceiling: int,
    pain_at_rest: int,
    gap_days: int,
) -> Judgement:
    """Judge one week by its check-ins (and the weeks before it, for trends).

    `gap_days` is the longest stretch without running, caused by missed sessions, that reaches
    into this week.
    """
    week_end = week_start + timedelta(days=6)
    this_week = [c for c in checkins if week_start <= c.date <= week_end]
    if not this_week:
        return NO_DECISION
    over_days = [c.date for c in checkins if c.date <= week_end and over(c, ceiling)]
    reasons: list[str] = []
    rest_after = None
    if two_over_within_a_week(over_days, week_start):
        reasons.append(f"two sessions within 7 days hurt more than your ceiling of {ceiling}/10")
        rest_after = max(over_days)
    if mornings_rising(checkins, week_start, pain_at_rest):
        reasons.append("next-morning pain rose two weeks running")
        rest_after = week_end
    if reasons:
        return Judgement(Decision.STEP_BACK, True, tuple(reasons), rest_after=rest_after)
    if any(over(c, ceiling) for c in this_week):
        reasons.append(f"a session hurt more than your ceiling of {ceiling}/10")
    if any(morning_worse(c, checkins, pain_at_rest) for c in this_week):
        reasons.append("pain the next morning was above your usual level")
    if reasons:
        return Judgement(Decision.HOLD, True, tuple(reasons))
    if gap_days >= SHORT_GAP_DAYS:
        factor = LONG_GAP_FACTOR if gap_days >= LONG_GAP_DAYS else SHORT_GAP_FACTOR
        return Judgement(Decision.STEP_BACK, False, (f"{gap_days} days went by without running",), factor)
    return PROGRESS


def settled(checkins: Sequence[CheckIn], week_start: date, ceiling: int) -> bool | None:
    """Rule 8 (v2): a settle week's walks stayed within the ceiling and its mornings were at 0-1.

    None when the week has no check-in: the plan then assumes it settled, and says so.
    """
    week = [c for c in checkins if week_start <= c.date < week_start + timedelta(days=7)]
    if not week:
        return None
    return all(not over(c, ceiling) and (c.pain_next_morning or 0) <= SETTLED_MORNING for c in week)


@dataclass
class NoticeWatch:
    """Counts the pain evidence behind the physiotherapist notice (rule 7, v2)."""

    bad_weeks: int = 0
    pain_step_backs: list[int] = field(default_factory=list)  # week numbers
    weeks_without_rise: int = 0
    pain_without_rise: bool = False
    settle_weeks: int = 0
    pain_by_week: list[tuple[float | None, float]] = field(default_factory=list)  # (mean pain during, minutes)

    def week(self, number: int, judgement: Judgement, mean_pain: float | None, minutes: float,
             *, rose: bool, at_target: bool) -> bool:
        """Record a week; True when the notice is due."""
        pain_week = judgement.for_pain
        self.bad_weeks = self.bad_weeks + 1 if pain_week else 0
        if pain_week and judgement.decision is Decision.STEP_BACK:
            self.pain_step_backs.append(number)
        if rose or at_target:
            self.weeks_without_rise, self.pain_without_rise = 0, False
        else:
            self.weeks_without_rise += 1
            self.pain_without_rise = self.pain_without_rise or pain_week
        self.pain_by_week.append((mean_pain, minutes))
        recent_step_backs = [n for n in self.pain_step_backs if n > number - STEP_BACK_NOTICE_WEEKS
                             ] if self.pain_step_backs else []
        return (
            self.bad_weeks >= BAD_WEEKS_IN_A_ROW
            or len(recent_step_backs) >= STEP_BACKS_FOR_NOTICE
            or self._pain_rising_at_same_load()
            or (self.weeks_without_rise >= WEEKS_WITHOUT_A_RISE and self.pain_without_rise)
        )

    def settle_week(self, settled_now: bool | None) -> bool:
        """Record a settle week that did not settle; True when the notice is due (rule 8)."""
        self.settle_weeks = self.settle_weeks + 1 if settled_now is False else 0
        return self.settle_weeks >= SETTLE_WEEKS_FOR_NOTICE

    def _pain_rising_at_same_load(self) -> bool:
        if self.pain_by_week[-1][0] is None:
            return False  # a week without pain scores: no rise (quick, for the many weeks without check-ins)
        last = self.pain_by_week[-RISING_PAIN_WEEKS:]
        if len(last) < RISING_PAIN_WEEKS or any(p is None for p, _ in last):
            return False
        pains = [p for p, _ in last]
        loads = {m for _, m in last}
        rising = all(a < b for a, b in pairwise(pains))  # type: ignore[operator]
        return len(loads) == 1 and rising and pains[-1] - pains[0] >= RISING_PAIN_POINTS  # type: ignore[operator]
