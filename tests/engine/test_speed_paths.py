"""The engine's fast paths give what the plain ones would."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import date, timedelta
from typing import Any

from planner.engine import Kind, Session
from planner.engine.layout import UID_NAMESPACE, session_uid

from .engine_support import START, checkin, plan

# A hold, then two sessions over the ceiling within 7 days: a rest day with NO_MORE_RUNNING, a step back.
CHECKINS = [checkin(START, 2), checkin(START + timedelta(days=2), 5, 1), checkin(START + timedelta(days=7), 5, 2),
            checkin(START + timedelta(days=9), 6, 3)]


def test_session_uid_is_uuid5_in_upper_case() -> None:
    for seed in ("", "b", "preview", "golden", "tëst/seed", "x" * 40):
        for offset in range(0, 800, 37):
            day = date(2025, 1, 1) + timedelta(days=offset)
            for kind in Kind:
                expected = str(uuid.uuid5(UID_NAMESPACE, f"{seed}/{day.isoformat()}/{kind.value}")).upper()
                assert session_uid(seed, day, kind) == expected


def test_sessions_are_what_the_dataclass_makes() -> None:
    """layout builds sessions without the frozen dataclass's __init__: the same fields, values and order."""
    names = [f.name for f in dataclasses.fields(Session)]
    kinds = set()
    requests: list[dict[str, Any]] = [
        {"weekly_volume": 30, "current_pain": 2, "target_weekly_volume": 40, "cadence": 160},
        {"weekly_volume": 0, "current_pain": 1},
        {"weekly_volume": 20, "current_pain": 3, "pain_at_rest": 2},
    ]
    for fields in requests:
        p = plan(CHECKINS, **fields)
        for session in p.sessions:
            kinds.add(session.kind)
            assert list(vars(session)) == names
            rebuilt = Session(**vars(session))
            assert vars(rebuilt) == vars(session)
            assert [type(v) for v in vars(rebuilt).values()] == [type(v) for v in vars(session).values()]
    assert kinds == set(Kind)
