"""POST /api/v1/plans/preview: the contract's shapes and errors, for good and bad bodies."""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

BASIC = {"weekly_volume": 30, "current_pain": 2}


def test_preview_returns_a_plan_with_contract_fields(client):
    response = client.post("/api/v1/plans/preview", json=BASIC)
    assert response.status_code == 200
    plan = response.json
    assert set(plan) >= {"status", "request", "summary", "weeks", "warnings", "referral", "red_flags",
                         "progression_rule"}
    assert plan["status"] == "plan"
    week = plan["weeks"][0]
    assert set(week) == {"number", "start", "phase", "running_minutes", "distance", "rationale", "sessions"}
    session = week["sessions"][0]
    assert set(session) == {"uid", "date", "kind", "title", "running_minutes", "intervals", "continuous_minutes",
                            "terrain", "intensity", "cues", "exercises"}
    assert date.fromisoformat(plan["request"]["start_date"]).weekday() == 0  # next Monday by default
    assert "not a diagnosis or medical advice" in plan["summary"]


def test_preview_stores_nothing(client, app):
    from planner.extensions import db
    from planner.store.models import PlanRecord

    client.post("/api/v1/plans/preview", json=BASIC)
    with app.app_context():
        assert db.session.query(PlanRecord).count() == 0


def test_preview_is_deterministic(client):
    body = {**BASIC, "start_date": "2027-01-04"}
    first = client.post("/api/v1/plans/preview", json=body).json
    second = client.post("/api/v1/plans/preview", json=body).json
    assert first == second


def test_a_preview_asked_again_is_the_kept_answer_and_a_changed_one_is_not(client, app):
    body = {**BASIC, "start_date": "2027-01-04"}
    first = client.post("/api/v1/plans/preview", json=body)
    kept = app.extensions["planner.previews"]
    assert len(kept.bodies) == 1
    again = client.post("/api/v1/plans/preview", json=dict(reversed(list(body.items()))))  # same request
    assert again.data == first.data and len(kept.bodies) == 1
    # Anything the answer depends on is part of the key: the request, the check-ins and the day seen on.
    fewer = client.post("/api/v1/plans/preview", json={**body, "runs_per_week": 2}).json
    assert {len([s for s in w["sessions"] if s["kind"] == "run"]) for w in fewer["weeks"][1:]} == {2}
    day = "2027-01-05"
    checked = {**body, "as_of": day,
               "checkins": [{"date": day, "pain_during": 2, "pain_next_morning": 8, "completed": True}]}
    with_checkin = client.post("/api/v1/plans/preview", json=checked)
    assert with_checkin.status_code == 200 and len(kept.bodies) == 3
    later = client.post("/api/v1/plans/preview", json={**checked, "as_of": "2027-01-06"})
    assert later.data != with_checkin.data  # the morning score of the 5th, worse by 6, now counts
    assert len(kept.bodies) == 4
    kept.bodies.clear()
    assert client.post("/api/v1/plans/preview", json=body).data == first.data  # computed afresh, the same


def test_distance_is_in_the_request_unit_and_null_for_minutes(client):
    miles = client.post("/api/v1/plans/preview", json={**BASIC, "weekly_volume": 20, "unit": "mi"}).json
    # Holds the current volume, converted back through the pace, in whole-minute runs (rounded down).
    assert 19.8 <= miles["weeks"][0]["distance"] <= 20.0
    minutes = client.post("/api/v1/plans/preview", json={**BASIC, "weekly_volume": 120, "unit": "min"}).json
    assert minutes["weeks"][0]["distance"] is None
    assert minutes["weeks"][0]["running_minutes"] == 120


def test_broken_json_is_400_problem(client):
    response = client.post("/api/v1/plans/preview", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert response.json["status"] == 400 and response.json["title"] and response.json["detail"]


def test_every_bad_field_is_named(client):
    response = client.post("/api/v1/plans/preview", json={
        "weekly_volume": -1, "current_pain": 11, "unit": "yards", "easy_pace": "6:75", "timezone": "Mars/Olympus",
        "session_time": "25:00", "runs_per_week": 9, "red_flags": ["bad_knee"], "name": "x" * 81,
    })
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    fields = {e["field"] for e in response.json["errors"]}
    assert fields == {"weekly_volume", "current_pain", "unit", "easy_pace", "timezone", "session_time",
                      "runs_per_week", "red_flags", "name"}
    assert all(e["message"] for e in response.json["errors"])


def test_missing_required_fields_are_named(client):
    response = client.post("/api/v1/plans/preview", json={})
    assert response.status_code == 422
    assert {e["field"] for e in response.json["errors"]} == {"weekly_volume", "current_pain"}


def test_json_that_is_not_an_object_is_422(client):
    response = client.post("/api/v1/plans/preview", json=[1, 2])
    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == "body"


def test_engine_input_errors_name_the_field(client):
    response = client.post("/api/v1/plans/preview", json={**BASIC, "target_weekly_volume": 1})
    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == "target_weekly_volume"


def test_red_flags_answer_with_a_referral_and_no_weeks(client):
    emergency = client.post("/api/v1/plans/preview", json={**BASIC, "red_flags": ["saddle_numbness"]}).json
    assert emergency["status"] == "emergency" and emergency["weeks"] == []
    assert "emergency" in emergency["referral"].lower()
    clinician = client.post("/api/v1/plans/preview", json={**BASIC, "red_flags": ["night_pain"]}).json
    assert clinician["status"] == "see_clinician" and clinician["weeks"] == []
    assert "night" in clinician["referral"]


def test_tolerance_above_five_is_held_with_a_warning(client):
    plan = client.post("/api/v1/plans/preview", json={**BASIC, "pain_tolerance": 8}).json
    assert any("held at 5/10" in w for w in plan["warnings"])
    assert "5/10" in plan["progression_rule"]


JSON_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6),
                         st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=20))
FIELDS = ["weekly_volume", "unit", "easy_pace", "target_weekly_volume", "current_pain", "pain_tolerance",
          "morning_after_worse", "pain_at_rest", "longest_run", "cadence", "red_flags", "runs_per_week",
          "start_date", "timezone", "session_time", "name"]
PLAUSIBLE = {
    "weekly_volume": st.floats(0, 300), "unit": st.sampled_from(["km", "mi", "min", "m"]),
    "easy_pace": st.sampled_from(["6:30", "4:00", "12:59", "0:10", "x"]), "current_pain": st.integers(-1, 11),
    "pain_tolerance": st.integers(-1, 11), "pain_at_rest": st.integers(0, 10),
    "target_weekly_volume": st.floats(0.1, 400), "longest_run": st.floats(0.1, 60),
    "cadence": st.integers(90, 250), "runs_per_week": st.integers(1, 7),
    "red_flags": st.lists(st.sampled_from(["night_pain", "saddle_numbness", "nope"]), max_size=3),
    "start_date": st.dates().map(date.isoformat), "timezone": st.sampled_from(["UTC", "Europe/London", "Nowhere"]),
    "session_time": st.sampled_from(["07:30", "23:59", "24:00"]), "name": st.text(max_size=90),
    "morning_after_worse": st.booleans(), "unit_extra": JSON_SCALARS,
}
bodies = st.fixed_dictionaries({}, optional={name: st.one_of(PLAUSIBLE.get(name, JSON_SCALARS), JSON_SCALARS)
                                             for name in FIELDS})


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=bodies)
def test_random_bodies_never_give_a_server_error(client, body):
    response = client.post("/api/v1/plans/preview", json=body)
    assert response.status_code in (200, 422), (response.status_code, body, response.data[:300])
    if response.status_code == 422:
        assert response.json["errors"] and all(e["field"] for e in response.json["errors"])
