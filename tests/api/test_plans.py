"""Stored plans through the API: create, get, delete, check in, and what check-ins decide."""

from __future__ import annotations

import re
from datetime import date, timedelta


def _runs(plan: dict) -> list[dict]:
    return [s for w in plan["weeks"] for s in w["sessions"] if s["kind"] == "run"]


def test_create_answers_201_with_location_token_and_absolute_links(client, stored_plan):
    token = stored_plan["token"]
    assert len(token) >= 22  # at least 128 random bits, URL-safe
    assert set(stored_plan["links"]) == {"page", "ics", "webcal", "csv", "garmin", "api"}
    assert stored_plan["links"]["ics"].startswith("http://planner.test/plans/")
    assert stored_plan["links"]["webcal"] == "webcal://" + stored_plan["links"]["ics"].split("://", 1)[1]
    got = client.get(f"/api/v1/plans/{token}").json
    assert got["plan"] == stored_plan["plan"] and got["checkins"] == []


def test_create_location_points_at_the_plan(client, past_start):
    response = client.post("/api/v1/plans", json={"weekly_volume": 0, "current_pain": 1,
                                                   "start_date": past_start.isoformat()})
    assert response.status_code == 201
    assert client.get(response.headers["Location"]).status_code == 200


def test_tokens_are_random_not_sequential(client):
    tokens = {client.post("/api/v1/plans", json={"weekly_volume": 10, "current_pain": 0}).json["token"]
              for _ in range(5)}
    assert len(tokens) == 5


def test_referral_is_200_with_no_token_and_nothing_stored(client, app):
    from planner.extensions import db
    from planner.store.models import PlanRecord

    response = client.post("/api/v1/plans", json={"weekly_volume": 10, "current_pain": 2,
                                                   "red_flags": ["bladder_bowel_change"]})
    assert response.status_code == 200
    assert response.json["token"] is None and response.json["plan"]["status"] == "emergency"
    with app.app_context():
        assert db.session.query(PlanRecord).count() == 0


def test_unknown_token_is_404_everywhere(client):
    for url in ("/api/v1/plans/nope", "/plans/nope", "/plans/nope.ics", "/plans/nope.csv",
                "/plans/nope/garmin.zip"):
        assert client.get(url).status_code == 404, url
    assert client.delete("/api/v1/plans/nope").status_code == 404
    assert client.post("/api/v1/plans/nope/checkins", json={"date": "2026-01-01", "pain_during": 1,
                                                             "pain_next_morning": 0}).status_code == 404


def test_delete_makes_every_url_404(client, stored_plan):
    token = stored_plan["token"]
    assert client.delete(f"/api/v1/plans/{token}").status_code == 204
    for url in stored_plan["links"].values():
        if url.startswith("http"):
            path = url.split("planner.test", 1)[1]
            assert client.get(path).status_code == 404, path


def _checkin(client, token, day, during, morning, completed=True):
    return client.post(f"/api/v1/plans/{token}/checkins", json={
        "date": day, "pain_during": during, "pain_next_morning": morning, "completed": completed})


def test_good_checkin_progresses_and_changes_nothing(client, stored_plan):
    token, before = stored_plan["token"], stored_plan["plan"]
    first_run = _runs(before)[0]["date"]
    response = _checkin(client, token, first_run, 2, 0)
    assert response.status_code == 201
    assert response.json["decision"] == "progress"
    assert response.json["checkin"]["date"] == first_run
    assert response.json["plan"]["weeks"] == before["weeks"]


def test_one_session_over_the_ceiling_holds_next_week(client, stored_plan):
    token, before = stored_plan["token"], stored_plan["plan"]
    week1 = before["weeks"][0]
    run = next(s for s in week1["sessions"] if s["kind"] == "run")
    response = _checkin(client, token, run["date"], 5, 0)
    assert response.json["decision"] == "hold"
    after = response.json["plan"]
    assert after["weeks"][0] == week1  # the week checked in never changes
    assert after["weeks"][1]["running_minutes"] == week1["running_minutes"]


def test_two_sessions_over_the_ceiling_step_back_with_two_days_off(client, past_start, clock):
    created = client.post("/api/v1/plans", json={"weekly_volume": 0, "current_pain": 1,
                                                  "start_date": past_start.isoformat()}).json
    token, plan = created["token"], created["plan"]
    # Climb three weeks on good check-ins, then flare twice in week 4.
    weeks = plan["weeks"]
    runs_w4 = [s for s in weeks[3]["sessions"] if s["kind"] == "run"]
    clock.morning_after(runs_w4[0]["date"])
    _checkin(client, token, runs_w4[0]["date"], 6, 0)
    second = date.fromisoformat(runs_w4[1]["date"])
    clock.morning_after(second)  # the step back reaches the days after the second flare, still ahead
    response = _checkin(client, token, second.isoformat(), 6, 1)
    assert response.json["decision"] == "step_back"
    after = response.json["plan"]["weeks"]
    assert after[:3] == weeks[:3]
    # Rule 7 (v2): the decision reaches the rest of the week: no more running after the second flare,
    # then at least two days without running, and the next week runs less.
    later_runs = [date.fromisoformat(s["date"]) for w in after for s in w["sessions"]
                  if s["kind"] == "run" and date.fromisoformat(s["date"]) > second]
    assert (min(later_runs) - second).days >= 3
    assert after[4]["running_minutes"] < weeks[3]["running_minutes"]
    assert any(s["exercises"] for s in after[3]["sessions"] if date.fromisoformat(s["date"]) > second)
    assert any(s["exercises"] for s in after[4]["sessions"])  # rehab goes on


def test_missed_days_step_back(client, stored_plan, clock):
    token, plan = stored_plan["token"], stored_plan["plan"]
    runs = [s for s in plan["weeks"][1]["sessions"] if s["kind"] == "run"]
    for run in runs:
        clock.morning_after(run["date"])
        response = _checkin(client, token, run["date"], 0, 0, completed=False)
    assert response.json["decision"] == "step_back"
    assert response.json["plan"]["weeks"][2]["running_minutes"] < plan["weeks"][1]["running_minutes"]


def test_checkins_are_listed_and_uids_survive_replans(client, stored_plan):
    token, before = stored_plan["token"], stored_plan["plan"]
    run = _runs(before)[0]
    _checkin(client, token, run["date"], 5, 3)
    after = client.get(f"/api/v1/plans/{token}").json
    assert [c["date"] for c in after["checkins"]] == [run["date"]]
    uids_before = {(s["date"], s["kind"]): s["uid"] for s in _runs(before)}
    uids_after = {(s["date"], s["kind"]): s["uid"] for s in _runs(after["plan"])}
    shared = uids_before.keys() & uids_after.keys()
    assert shared and all(uids_before[k] == uids_after[k] for k in shared)


def test_checkin_errors_are_422_naming_the_field(client, stored_plan):
    token, plan = stored_plan["token"], stored_plan["plan"]
    start = date.fromisoformat(plan["weeks"][0]["start"])
    outside = _checkin(client, token, (start - timedelta(days=3)).isoformat(), 1, 0)
    assert outside.status_code == 422 and outside.json["errors"][0]["field"] == "date"
    rest_day = next(s["date"] for w in plan["weeks"] for s in w["sessions"] if s["kind"] == "rest")
    no_session = _checkin(client, token, rest_day, 1, 0)
    assert no_session.status_code == 422 and "no session" in no_session.json["errors"][0]["message"]
    day = _runs(plan)[0]["date"]
    assert _checkin(client, token, day, 1, 0).status_code == 201
    duplicate = _checkin(client, token, day, 2, 0)
    assert duplicate.status_code == 422 and "already" in duplicate.json["errors"][0]["message"]
    bad = client.post(f"/api/v1/plans/{token}/checkins", json={"date": "soon", "pain_during": 12,
                                                                "pain_next_morning": 11})
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json["errors"]} == {"date", "pain_during", "pain_next_morning"}
    missing = client.post(f"/api/v1/plans/{token}/checkins", json={})
    assert {e["field"] for e in missing.json["errors"]} == {"date", "pain_during"}  # the morning score may come later


def test_future_checkins_are_refused(client):
    created = client.post("/api/v1/plans", json={"weekly_volume": 20, "current_pain": 1}).json
    future_run = _runs(created["plan"])[0]["date"]
    response = _checkin(client, created["token"], future_run, 1, 0)
    assert response.status_code == 422 and response.json["errors"][0]["field"] == "date"


def test_openapi_describes_every_api_route(client, app):
    document = client.get("/api/v1/openapi.json").json
    assert document["openapi"].startswith("3.1")
    api_rules = {re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule) for rule in app.url_map.iter_rules()
                 if rule.rule.startswith("/api/v1") and not rule.rule.endswith("openapi.json")}
    assert api_rules <= set(document["paths"])
    request_schema = document["components"]["schemas"]["PlanRequestModel"]
    assert request_schema["properties"]["current_pain"]["maximum"] == 10
    assert set(request_schema["required"]) == {"weekly_volume", "current_pain"}


def test_session_table_as_json_matches_the_plan(client, stored_plan):
    token, plan = stored_plan["token"], stored_plan["plan"]
    table = client.get(f"/api/v1/plans/{token}/sessions").json
    sessions = [s for w in plan["weeks"] for s in w["sessions"]]
    assert [row["uid"] for row in table["sessions"]] == [s["uid"] for s in sessions]
    first_run = next(row for row in table["sessions"] if row["kind"] == "run")
    assert first_run["unit"] == "km" and first_run["distance"] > 0
    assert client.get("/api/v1/plans/unknown/sessions").status_code == 404
