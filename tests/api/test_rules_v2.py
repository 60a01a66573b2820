"""The API edges of clinical rules v2: current_runs, rules_version and target_week, the runner's day
(rule 30), the next-morning score added later with PATCH (rule 31), and the preview's what-if.

These check the contract and the plumbing (fields, types, round trips, status codes, the fields
errors name), not the engine's week-by-week numbers.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask.testing import FlaskClient

from planner.engine.words import DISCLAIMER

BASIC = {"weekly_volume": 30, "current_pain": 2}
AUCKLAND = ZoneInfo("Pacific/Auckland")


def _session_days(plan: dict) -> list[str]:
    return [s["date"] for w in plan["weeks"] for s in w["sessions"] if s["kind"] != "rest"]


def _checkin(client: FlaskClient, token: str, day: str, **fields: object):
    return client.post(f"/api/v1/plans/{token}/checkins", json={"date": day, "pain_during": 2, **fields})


def _morning(client: FlaskClient, token: str, day: str, **body: object):
    return client.patch(f"/api/v1/plans/{token}/checkins/{day}", json=body)


def _fields(response) -> set[str]:
    assert response.status_code == 422, response.json
    assert response.mimetype == "application/problem+json"
    return {e["field"] for e in response.json["errors"]}


# -- PlanRequest.current_runs, Plan.rules_version and target_week ----------------------------------

def test_current_runs_round_trips_through_preview_create_and_get(client: FlaskClient, past_start: date) -> None:
    preview = client.post("/api/v1/plans/preview", json={**BASIC, "current_runs": 4})
    assert preview.status_code == 200
    assert preview.json["request"]["current_runs"] == 4
    created = client.post("/api/v1/plans", json={**BASIC, "current_runs": 2, "start_date": past_start.isoformat()})
    assert created.status_code == 201
    assert created.json["plan"]["request"]["current_runs"] == 2
    got = client.get(f"/api/v1/plans/{created.json['token']}").json
    assert got["plan"]["request"]["current_runs"] == 2


def test_current_runs_may_be_left_out(client: FlaskClient) -> None:
    plan = client.post("/api/v1/plans/preview", json=BASIC).json
    assert "current_runs" in plan["request"]
    assert plan["request"]["current_runs"] is None or isinstance(plan["request"]["current_runs"], int)


def test_current_runs_out_of_range_or_not_whole_is_422_naming_it(client: FlaskClient) -> None:
    for value in (-1, 15, 2.5, "3"):
        response = client.post("/api/v1/plans/preview", json={**BASIC, "current_runs": value})
        assert _fields(response) == {"current_runs"}, value


def test_current_runs_must_agree_with_the_weekly_volume(client: FlaskClient) -> None:
    not_running = client.post("/api/v1/plans/preview", json={"weekly_volume": 0, "current_pain": 1, "current_runs": 3})
    assert _fields(not_running) == {"current_runs"}
    running = client.post("/api/v1/plans", json={**BASIC, "current_runs": 0})
    assert _fields(running) == {"current_runs"}
    assert client.post("/api/v1/plans/preview", json={"weekly_volume": 0, "current_pain": 1,
                                                      "current_runs": 0}).status_code == 200


def test_plans_name_their_rules_version_and_target_week(client: FlaskClient, stored_plan: dict) -> None:
    for plan in (client.post("/api/v1/plans/preview", json=BASIC).json, stored_plan["plan"],
                 client.get(f"/api/v1/plans/{stored_plan['token']}").json["plan"]):
        assert plan["rules_version"] == 2
        assert "target_week" in plan
        target = plan["target_week"]
        assert target is None or (isinstance(target, int) and 1 <= target <= len(plan["weeks"]))
    referral = client.post("/api/v1/plans/preview", json={**BASIC, "red_flags": ["night_pain"]}).json
    assert referral["rules_version"] == 2 and referral["target_week"] is None


def test_openapi_describes_the_v2_fields(client: FlaskClient) -> None:
    document = client.get("/api/v1/openapi.json").json
    schemas = document["components"]["schemas"]
    runs = schemas["PlanRequestModel"]["properties"]["current_runs"]
    assert "runs in the last 7 days" in runs["description"].lower()
    assert "5:00/km" in schemas["PlanRequestModel"]["properties"]["easy_pace"]["description"]
    assert "8:00/mi" in schemas["PlanRequestModel"]["properties"]["easy_pace"]["description"]
    assert {"rules_version", "target_week"} <= set(schemas["PlanOut"]["required"])
    assert set(schemas["CheckInModel"]["required"]) == {"date", "pain_during"}
    assert schemas["MorningModel"]["required"] == ["pain_next_morning"]
    assert schemas["MorningModel"]["additionalProperties"] is False
    assert {"checkins", "as_of"} <= set(schemas["PreviewRequestModel"]["properties"])
    assert schemas["PreviewRequestModel"]["properties"]["checkins"]["maxItems"] == 400
    preview = document["paths"]["/api/v1/plans/preview"]["post"]
    assert preview["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/PreviewRequestModel")
    patch = document["paths"]["/api/v1/plans/{token}/checkins/{date}"]["patch"]
    assert set(patch["responses"]) >= {"200", "404", "422"}


def test_the_session_table_says_the_disclaimer(client: FlaskClient, stored_plan: dict) -> None:
    table = client.get(f"/api/v1/plans/{stored_plan['token']}/sessions").json
    assert table["disclaimer"] == DISCLAIMER


# -- rule 31: the morning score, later ---------------------------------------------------------------

def test_a_checkin_may_come_without_its_morning_score(client: FlaskClient, stored_plan: dict) -> None:
    token = stored_plan["token"]
    day = _session_days(stored_plan["plan"])[0]
    response = _checkin(client, token, day)
    assert response.status_code == 201, response.json
    assert response.json["checkin"]["pain_next_morning"] is None
    assert response.json["decision"] in ("progress", "hold", "step_back")
    assert client.get(f"/api/v1/plans/{token}").json["checkins"][0]["pain_next_morning"] is None


def test_patch_adds_the_morning_score_and_replans(client: FlaskClient, stored_plan: dict) -> None:
    token = stored_plan["token"]
    day = _session_days(stored_plan["plan"])[0]
    assert _checkin(client, token, day, notes="evening run").status_code == 201
    response = _morning(client, token, day, pain_next_morning=1)
    assert response.status_code == 200, response.json
    assert set(response.json) == {"checkin", "decision", "plan"}
    checkin = response.json["checkin"]
    assert checkin["date"] == day and checkin["pain_next_morning"] == 1 and checkin["pain_during"] == 2
    assert checkin["notes"] == "evening run"  # notes left out of the body stay as they were
    assert response.json["decision"] in ("progress", "hold", "step_back")
    got = client.get(f"/api/v1/plans/{token}").json
    assert got["checkins"][0]["pain_next_morning"] == 1
    assert got["plan"] == response.json["plan"]


def test_patch_corrects_a_morning_score_and_its_notes(client: FlaskClient, stored_plan: dict) -> None:
    token = stored_plan["token"]
    day = _session_days(stored_plan["plan"])[0]
    assert _checkin(client, token, day, pain_next_morning=0, notes="fine").status_code == 201
    response = _morning(client, token, day, pain_next_morning=6, notes="stiff getting up")
    assert response.status_code == 200
    assert response.json["checkin"]["pain_next_morning"] == 6
    assert response.json["checkin"]["notes"] == "stiff getting up"
    cleared = _morning(client, token, day, pain_next_morning=6, notes=None)
    assert cleared.status_code == 200 and cleared.json["checkin"]["notes"] is None
    checkins = client.get(f"/api/v1/plans/{token}").json["checkins"]
    assert [(c["pain_next_morning"], c["notes"]) for c in checkins] == [(6, None)]


def test_patch_without_a_checkin_that_day_is_404(client: FlaskClient, stored_plan: dict) -> None:
    token = stored_plan["token"]
    day = _session_days(stored_plan["plan"])[0]
    for path_day in (day, "2001-01-01", "not-a-date"):
        response = client.patch(f"/api/v1/plans/{token}/checkins/{path_day}", json={"pain_next_morning": 1})
        assert response.status_code == 404, path_day
        assert response.mimetype == "application/problem+json"
    unknown = client.patch(f"/api/v1/plans/nope/checkins/{day}", json={"pain_next_morning": 1})
    assert unknown.status_code == 404 and unknown.mimetype == "application/problem+json"


def test_patch_bodies_are_checked(client: FlaskClient, stored_plan: dict) -> None:
    token = stored_plan["token"]
    day = _session_days(stored_plan["plan"])[0]
    _checkin(client, token, day, pain_next_morning=0)
    assert _fields(_morning(client, token, day)) == {"pain_next_morning"}
    assert _fields(_morning(client, token, day, pain_next_morning=11)) == {"pain_next_morning"}
    assert _fields(_morning(client, token, day, pain_next_morning=1, notes="x" * 501)) == {"notes"}
    assert _fields(_morning(client, token, day, pain_next_morning=1, pain_during=3)) == {"pain_during"}
    broken = client.patch(f"/api/v1/plans/{token}/checkins/{day}", data="{", content_type="application/json")
    assert broken.status_code == 400
    assert client.get(f"/api/v1/plans/{token}").json["checkins"][0]["pain_next_morning"] == 0


# -- rule 30: the runner's day -------------------------------------------------------------------------

def _auckland_and_utc_plans(client: FlaskClient, clock) -> dict[str, dict]:
    clock.at(datetime(2026, 11, 20, 12, tzinfo=UTC))
    plans = {}
    for zone in ("Pacific/Auckland", "UTC"):
        response = client.post("/api/v1/plans", json={**BASIC, "start_date": "2026-11-30", "timezone": zone})
        assert response.status_code == 201
        plans[zone] = response.json
    return plans


def test_a_runner_in_auckland_checks_in_while_utc_is_still_on_the_day_before(client: FlaskClient, clock) -> None:
    plans = _auckland_and_utc_plans(client, clock)
    day = date.fromisoformat(_session_days(plans["Pacific/Auckland"]["plan"])[0])
    assert day.isoformat() == _session_days(plans["UTC"]["plan"])[0]
    # 07:30 in Auckland, after the 06:30 run: in UTC it is still the day before.
    moment = datetime.combine(day, time(7, 30), tzinfo=AUCKLAND)
    assert moment.astimezone(UTC).date() == day - timedelta(days=1)
    clock.at(moment)
    in_utc = _checkin(client, plans["UTC"]["token"], day.isoformat())
    assert _fields(in_utc) == {"date"}  # for a UTC runner that session is tomorrow
    in_auckland = _checkin(client, plans["Pacific/Auckland"]["token"], day.isoformat())
    assert in_auckland.status_code == 201, in_auckland.json


def test_the_morning_score_waits_for_the_runners_next_morning(client: FlaskClient, clock) -> None:
    plans = _auckland_and_utc_plans(client, clock)
    token = plans["Pacific/Auckland"]["token"]
    day = date.fromisoformat(_session_days(plans["Pacific/Auckland"]["plan"])[0])
    clock.at(datetime.combine(day, time(21, 0), tzinfo=AUCKLAND))
    # The same evening: no morning yet, neither in the check-in nor added to it.
    assert _fields(_checkin(client, token, day.isoformat(), pain_next_morning=1)) == {"pain_next_morning"}
    assert _checkin(client, token, day.isoformat()).status_code == 201
    assert _fields(_morning(client, token, day.isoformat(), pain_next_morning=1)) == {"pain_next_morning"}
    # 06:45 the next morning in Auckland (still the check-in's day in UTC): the morning has come.
    next_morning = datetime.combine(day + timedelta(days=1), time(6, 45), tzinfo=AUCKLAND)
    assert next_morning.astimezone(UTC).date() == day
    clock.at(next_morning)
    response = _morning(client, token, day.isoformat(), pain_next_morning=1)
    assert response.status_code == 200, response.json
    assert response.json["checkin"]["pain_next_morning"] == 1


def test_the_default_start_is_next_monday_in_the_runners_zone(client: FlaskClient, clock) -> None:
    # Sunday 29 November 2026, 12:00 UTC: already Monday 30 November (01:00) in Auckland.
    clock.at(datetime(2026, 11, 29, 12, tzinfo=UTC))
    starts = {}
    for zone in ("UTC", "Pacific/Auckland"):
        plan = client.post("/api/v1/plans/preview", json={**BASIC, "timezone": zone}).json
        starts[zone] = plan["request"]["start_date"]
        created = client.post("/api/v1/plans", json={**BASIC, "timezone": zone}).json
        assert created["plan"]["request"]["start_date"] == starts[zone]
    assert starts == {"UTC": "2026-11-30", "Pacific/Auckland": "2026-12-07"}


# -- the preview's what-if ------------------------------------------------------------------------------

def test_preview_still_takes_a_plain_plan_request(client: FlaskClient) -> None:
    body = {**BASIC, "start_date": "2027-01-04"}
    plain = client.post("/api/v1/plans/preview", json=body)
    empty = client.post("/api/v1/plans/preview", json={**body, "checkins": []})
    assert plain.status_code == 200 and plain.json == empty.json


def test_preview_with_checkins_is_the_stored_plans_engine(client: FlaskClient, clock) -> None:
    """The what-if answers what a stored plan with the same check-ins, each sent the morning after
    its session, answers."""
    clock.at(datetime(2027, 1, 2, 12, tzinfo=UTC))
    body = {**BASIC, "start_date": "2027-01-04"}
    stored = client.post("/api/v1/plans", json=body).json
    days = _session_days(stored["plan"])[:3]
    checkins = [{"date": days[0], "pain_during": 6, "pain_next_morning": 2},
                {"date": days[1], "pain_during": 1, "pain_next_morning": 0},
                {"date": days[2], "pain_during": 6, "pain_next_morning": 3, "completed": False}]
    for checkin in checkins:
        clock.morning_after(checkin["date"])
        replanned = client.post(f"/api/v1/plans/{stored['token']}/checkins", json=checkin)
        assert replanned.status_code == 201, replanned.json
    as_of = (date.fromisoformat(days[2]) + timedelta(days=1)).isoformat()
    what_if = client.post("/api/v1/plans/preview", json={**body, "checkins": checkins, "as_of": as_of})
    assert what_if.status_code == 200, what_if.json
    stored_weeks = replanned.json["plan"]["weeks"]
    assert [w["running_minutes"] for w in what_if.json["weeks"]] == [w["running_minutes"] for w in stored_weeks]
    assert [w["phase"] for w in what_if.json["weeks"]] == [w["phase"] for w in stored_weeks]
    assert what_if.json["notices"] == replanned.json["plan"]["notices"]


def test_preview_as_of_defaults_to_the_runners_today(client: FlaskClient, clock) -> None:
    clock.at(datetime(2027, 2, 20, 12, tzinfo=UTC))
    plan = client.post("/api/v1/plans/preview", json={**BASIC, "start_date": "2027-01-04"}).json
    body = {**BASIC, "start_date": "2027-01-04",
            "checkins": [{"date": _session_days(plan)[0], "pain_during": 6, "pain_next_morning": 2}]}
    default = client.post("/api/v1/plans/preview", json=body)
    explicit = client.post("/api/v1/plans/preview", json={**body, "as_of": "2027-02-20"})
    assert default.status_code == 200 and default.json == explicit.json


def test_preview_refuses_checkins_after_as_of_naming_each(client: FlaskClient) -> None:
    plan = client.post("/api/v1/plans/preview", json={**BASIC, "start_date": "2027-01-04"}).json
    days = _session_days(plan)
    checkins = [{"date": days[0], "pain_during": 1}, {"date": days[3], "pain_during": 1}]
    response = client.post("/api/v1/plans/preview", json={**BASIC, "start_date": "2027-01-04",
                                                           "checkins": checkins, "as_of": days[1]})
    assert _fields(response) == {"checkins.1.date"}
    assert days[1] in response.json["errors"][0]["message"]


def test_preview_refuses_two_checkins_on_one_day(client: FlaskClient) -> None:
    plan = client.post("/api/v1/plans/preview", json={**BASIC, "start_date": "2027-01-04"}).json
    day = _session_days(plan)[0]
    checkins = [{"date": day, "pain_during": 1}, {"date": day, "pain_during": 5}]
    response = client.post("/api/v1/plans/preview", json={**BASIC, "start_date": "2027-01-04",
                                                           "checkins": checkins, "as_of": "2027-03-01"})
    assert _fields(response) == {"checkins.1.date"}


def test_preview_checkins_must_be_on_session_days_of_the_plan(client: FlaskClient) -> None:
    body = {**BASIC, "start_date": "2027-01-04", "as_of": "2027-03-01"}
    plan = client.post("/api/v1/plans/preview", json={**BASIC, "start_date": "2027-01-04"}).json
    rest_day = next(s["date"] for w in plan["weeks"] for s in w["sessions"] if s["kind"] == "rest")
    for day in ("2026-12-01", rest_day):
        response = client.post("/api/v1/plans/preview", json={
            **body, "checkins": [{"date": _session_days(plan)[0], "pain_during": 1}, {"date": day, "pain_during": 1}]})
        assert _fields(response) == {"checkins.1.date"}, day


def test_preview_drops_the_morning_score_of_a_checkin_on_as_of(client: FlaskClient) -> None:
    """On as_of the morning after has not come: a score sent for it changes nothing."""
    plan = client.post("/api/v1/plans/preview", json={**BASIC, "start_date": "2027-01-04"}).json
    day = _session_days(plan)[0]
    body = {**BASIC, "start_date": "2027-01-04", "as_of": day}
    with_morning = client.post("/api/v1/plans/preview", json={
        **body, "checkins": [{"date": day, "pain_during": 2, "pain_next_morning": 9}]})
    without = client.post("/api/v1/plans/preview", json={**body, "checkins": [{"date": day, "pain_during": 2}]})
    assert with_morning.status_code == 200 and without.status_code == 200
    assert with_morning.json == without.json


def test_preview_names_bad_nested_checkin_fields(client: FlaskClient) -> None:
    response = client.post("/api/v1/plans/preview", json={
        **BASIC, "as_of": "soon",
        "checkins": [{"date": "2027-01-05", "pain_during": 1},
                     {"date": "2027-01-06", "pain_during": 12, "pain_next_morning": -1, "mood": "ok"}]})
    assert _fields(response) == {"as_of", "checkins.1.pain_during", "checkins.1.pain_next_morning",
                                 "checkins.1.mood"}
    too_many = client.post("/api/v1/plans/preview", json={
        **BASIC, "checkins": [{"date": "2027-01-05", "pain_during": 1}] * 401})
    assert _fields(too_many) == {"checkins"}
