"""The plan's JSON, serialised straight from the engine's dataclasses, is PlanOut's to the byte."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from pydantic_core import to_json

from planner.engine import CheckIn, PlanRequest
from planner.schemas import PlanOut, plan_data, plan_json
from tests.engine.test_properties import build, stories


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stories())
def test_plan_data_is_plan_out_to_the_byte(story: tuple[PlanRequest, list[CheckIn]]) -> None:
    plan = build(*story)
    expected = PlanOut.model_validate(plan).model_dump_json().encode()
    assert to_json(plan_data(plan)) == expected
    assert plan_json(plan) == expected  # the preview's one-pass bytes
