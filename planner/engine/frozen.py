"""Rule 34: days that have passed never change.

A re-plan (a check-in, a morning score, new rules) computes the whole plan again; `freeze` keeps
only what it says from the runner's today on, and takes every day before today from the plan as it
stood, sessions and decisions included. The week that holds today is joined day by day.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from . import units
from .plan import Kind, Plan, Week

WEEK = timedelta(days=7)


def freeze(lived: Plan, fresh: Plan, today: date) -> Plan:
    """`fresh` from `today` on; before `today`, `lived` as it was."""
    old = {w.start: w for w in lived.weeks}
    new = {w.start: w for w in fresh.weeks}
    weeks: list[Week] = []
    for start in sorted(old.keys() | new.keys()):
        if start + WEEK <= today:  # wholly past: as lived (a week the runner never had stays out)
            if start in old:
                weeks.append(old[start])
        elif start >= today:  # wholly ahead
            if start in new:
                weeks.append(new[start])
        else:
            weeks.append(_join(old.get(start), new.get(start), today, fresh))
    return replace(fresh, weeks=weeks)


def _join(lived: Week | None, fresh: Week | None, today: date, plan: Plan) -> Week:
    """The week holding today: its passed days as they were, the rest as re-planned."""
    base = fresh or lived
    assert base is not None
    passed = [s for s in (lived.sessions if lived else []) if s.date < today]
    ahead = [s for s in (fresh.sessions if fresh else []) if s.date >= today]
    sessions = sorted([*passed, *ahead], key=lambda s: (s.date, s.kind.value))
    if sessions == base.sessions:
        return base
    running = round(sum(s.running_minutes for s in sessions if s.kind is Kind.RUN), 1)
    return replace(base, sessions=sessions, running_minutes=running,
                   distance=units.to_distance(running, plan.request))
