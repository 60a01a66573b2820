"""Small helpers shared by the engine tests."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from planner.engine import CheckIn, Kind, Phase, Plan, PlanRequest, Session, Week, build_plan

TODAY = date(2025, 3, 5)  # a Wednesday: plans start on the next Monday
START = date(2025, 3, 10)
SEED = "test-seed"
CONTINUOUS_PHASES = (Phase.EASY_RUN, Phase.BUILD, Phase.REINTRODUCE, Phase.MAINTAIN)
STAGE_3_IDS = {"swiss_ball_hamstring_curl", "runners_arabesque", "single_leg_romanian_deadlift"}


def request(**fields: Any) -> PlanRequest:
    fields.setdefault("weekly_volume", 0)
    fields.setdefault("current_pain", 0)
    return PlanRequest(**fields)


def plan(checkins: tuple[CheckIn, ...] | list[CheckIn] = (), **fields: Any) -> Plan:
    return build_plan(request(**fields), today=TODAY, seed=SEED, checkins=tuple(checkins))


def runs(week: Week) -> list[Session]:
    return [s for s in week.sessions if s.kind is Kind.RUN]


def run_days(week: Week) -> list[int]:
    return [(s.date - week.start).days for s in runs(week)]


def longest_run(week: Week) -> float:
    return max((s.running_minutes for s in runs(week)), default=0)


def quality_weeks(p: Plan) -> list[Week]:
    return [w for w in p.weeks if any(s.intensity.value != "easy" or s.terrain.value != "flat" for s in runs(w))]


def exercise_ids(week: Week) -> set[str]:
    return {e.id for s in week.sessions for e in s.exercises}


def checkin(day: date, during: int, morning: int = 0, completed: bool = True) -> CheckIn:
    return CheckIn(date=day, pain_during=during, pain_next_morning=morning, completed=completed)


def week_of(p: Plan, day: date) -> Week:
    return next(w for w in p.weeks if w.start <= day < w.start + timedelta(days=7))


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]
