"""Away for a while (rule 7's gaps, planned ahead): days with no sessions, and what the load does after.

Up to `PLANNED_REST_DAYS` away is planned rest: the load neither rises nor steps back, and the runner
picks up where they were; what fell in the away days is not made up later. Longer is a gap: the first
week back follows rule 7's gap rule from the last full week run before it (`progression.after_away`).
The periods come in sorted and never overlap (the schemas check), so each question here is a scan.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from . import adapt
from .plan import Away

PLANNED_REST_DAYS = 7  # up to a week away: no step back, the sessions move on
WEEK = timedelta(days=7)


def is_away(periods: Sequence[Away], day: date) -> bool:
    return any(day in period for period in periods)


def in_week(periods: Sequence[Away], week_start: date) -> list[Away]:
    """The periods with at least one day in the week starting `week_start`."""
    week_end = week_start + timedelta(days=6)
    return [p for p in periods if p.start <= week_end and p.end >= week_start]


def returning(periods: Sequence[Away], week_start: date) -> Away | None:
    """A period longer than planned rest whose first day back falls in this week (the gap rule's week)."""
    week_end = week_start + timedelta(days=6)
    back = [p for p in periods if p.days > PLANNED_REST_DAYS and week_start <= p.end + timedelta(days=1) <= week_end]
    return back[-1] if back else None


def gap_factor(period: Away) -> float:
    """Rule 7 (v2): about 80% of the last week run after up to 13 days, about half from 14 days."""
    return adapt.LONG_GAP_FACTOR if period.days >= adapt.LONG_GAP_DAYS else adapt.SHORT_GAP_FACTOR
