"""Golden plans: a few request + check-ins -> JSON snapshots, so a restructure proves it changed nothing.

A behaviour change updates them on purpose: `GOLDEN_UPDATE=1 pytest tests/engine/test_golden.py`,
then the diff of `tests/engine/golden/` is part of the change and is read like code.
"""

from __future__ import annotations

import dataclasses
import json
import os
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from planner.engine import CheckIn, PlanRequest, build_plan

GOLDEN = Path(__file__).parent / "golden"
TODAY = date(2026, 3, 4)
START = date(2026, 3, 9)

CASES: dict[str, tuple[dict[str, Any], list[CheckIn]]] = {
    "from_zero": ({"weekly_volume": 0, "current_pain": 1, "target_weekly_volume": 25}, []),
    "half_back_15_of_30km": ({"weekly_volume": 15, "current_pain": 2, "target_weekly_volume": 30}, []),
    "within_ceiling_30km": ({"weekly_volume": 30, "current_pain": 2, "target_weekly_volume": 40}, []),
    "painful_worse_mornings": ({"weekly_volume": 30, "current_pain": 6, "morning_after_worse": True}, []),
    "rest_pain": ({"weekly_volume": 20, "current_pain": 3, "pain_at_rest": 2}, []),
    "hold_then_step_back": (
        {"weekly_volume": 30, "current_pain": 2, "target_weekly_volume": 40},
        [
            CheckIn(date(2026, 3, 9), 2, 0),
            CheckIn(date(2026, 3, 11), 5, 1),
            CheckIn(date(2026, 3, 16), 5, 2),
            CheckIn(date(2026, 3, 18), 6, 3),
        ],
    ),
}


def _jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def _plan_json(fields: dict[str, Any], checkins: list[CheckIn]) -> str:
    plan = build_plan(PlanRequest(start_date=START, **fields), today=TODAY, seed="golden", checkins=checkins)
    return json.dumps(_jsonable(plan), indent=1, sort_keys=True, default=str) + "\n"


@pytest.mark.parametrize("name", sorted(CASES))
def test_plan_matches_its_golden_file(name: str) -> None:
    fields, checkins = CASES[name]
    produced = _plan_json(fields, checkins)
    path = GOLDEN / f"{name}.json"
    if os.environ.get("GOLDEN_UPDATE") == "1":
        path.write_text(produced, encoding="utf-8")
    assert produced == path.read_text(encoding="utf-8"), f"{name}: the plan changed; see the module docstring"
