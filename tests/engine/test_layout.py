"""Sessions as `layout` makes them: the Session that `Session(...)` would make, field for field."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from planner.engine import Kind, Session, Unit

from .engine_support import START, checkin, plan


def test_every_session_is_the_one_its_constructor_makes() -> None:
    # Settling weeks (walks and holds), walk-run and continuous runs, heavy and plyometric strength, rest days,
    # speed and hills, and a week stopped by two sessions over the ceiling.
    stopped = [checkin(START + timedelta(days=7 * 12), 6), checkin(START + timedelta(days=7 * 12 + 2), 6)]
    sessions = [*plan(current_pain=7, pain_at_rest=2).sessions,
                *plan(stopped, weekly_volume=30, unit=Unit.KM, target_weekly_volume=40, runs_per_week=4).sessions]
    assert {s.kind for s in sessions} == set(Kind)
    assert any(s.cues and s.cues[0].startswith("No more running") for s in sessions)
    names = [f.name for f in dataclasses.fields(Session)]
    for session in sessions:
        made = Session(**{name: getattr(session, name) for name in names})
        assert vars(session) == vars(made)
        assert session == made and dataclasses.asdict(session) == dataclasses.asdict(made)
    with pytest.raises(dataclasses.FrozenInstanceError):
        sessions[0].title = "changed"  # type: ignore[misc]
