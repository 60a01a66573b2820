"""Away for a while through the API: POST and DELETE /api/v1/plans/{token}/away, end to end on a real
database, with the feed and the stored revisions following."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from flask.testing import FlaskClient
from icalendar import Calendar

START = date(2027, 1, 4)  # a Monday
TODAY = START + timedelta(weeks=3, days=2)  # Wednesday of week 4: three weeks lived
SHORT = (TODAY + timedelta(days=5), TODAY + timedelta(days=9))  # Monday-Friday of week 5: five days
LONG = (START + timedelta(weeks=7), START + timedelta(weeks=7, days=15))  # Monday of week 8, 16 days


@pytest.fixture
def plan(client: FlaskClient, clock) -> dict:
    """A plan that started three weeks ago, made the day before it started, seen on a Wednesday."""
    clock.at(datetime.combine(START - timedelta(days=1), time(18), tzinfo=UTC))
    created = client.post("/api/v1/plans", json={"weekly_volume": 30, "current_pain": 2, "target_weekly_volume": 40,
                                                  "start_date": START.isoformat()})
    assert created.status_code == 201, created.json
    clock.at(datetime.combine(TODAY, time(12), tzinfo=UTC))
    return created.json


def _add(client: FlaskClient, token: str, start: date, end: date) -> dict:
    response = client.post(f"/api/v1/plans/{token}/away", json={"start": start.isoformat(), "end": end.isoformat()})
    assert response.status_code == 201, response.json
    return response.json


def _sessions(plan: dict) -> list[dict]:
    return [s for w in plan["weeks"] for s in w["sessions"]]


def _week(plan: dict, monday: date) -> dict:
    return next(w for w in plan["weeks"] if w["start"] == monday.isoformat())


def _inside(day: str, period: tuple[date, date]) -> bool:
    return period[0] <= date.fromisoformat(day) <= period[1]


def _feed(client: FlaskClient, token: str) -> dict[str, tuple[date, str, int]]:
    feed = Calendar.from_ical(client.get(f"/plans/{token}.ics").data)
    return {str(e["UID"]): (e.start if isinstance(e.start, date) and not isinstance(e.start, datetime)
                            else e.start.date(), str(e["SUMMARY"]), int(e.get("SEQUENCE", 0))) for e in feed.events}


def test_five_days_away_is_planned_rest_and_the_feed_follows(client: FlaskClient, plan: dict) -> None:
    token = plan["token"]
    before = client.get(f"/api/v1/plans/{token}").json["plan"]
    feed_before = _feed(client, token)
    body = _add(client, token, *SHORT)
    assert body["away"] == [{"start": SHORT[0].isoformat(), "end": SHORT[1].isoformat()}]
    after = body["plan"]
    assert client.get(f"/api/v1/plans/{token}").json["plan"] == after  # stored as the latest revision
    assert not [s for s in _sessions(after) if _inside(s["date"], SHORT)]
    week5, week6 = START + timedelta(weeks=4), START + timedelta(weeks=5)
    assert "You are away 1–5 February: no sessions on those days." in _week(after, week5)["rationale"]
    assert "You were away 1–5 February, a planned rest" in _week(after, week6)["rationale"]
    # No step back: the week after picks up the load of the last full week before the break.
    full_before = _week(before, START + timedelta(weeks=3))  # week 4
    assert _week(after, week6)["running_minutes"] >= full_before["running_minutes"]
    assert len(after["weeks"]) > len(before["weeks"])  # the sessions move on
    # The past is frozen: the three lived weeks are word for word the same.
    assert after["weeks"][:3] == before["weeks"][:3]
    # The feed: no run inside the period, and the events that changed carry a higher SEQUENCE.
    feed = _feed(client, token)
    assert not [uid for uid, (day, _s, _q) in feed.items() if SHORT[0] <= day <= SHORT[1] and "-checkin" not in uid]
    changed = [uid for uid in feed if uid in feed_before and feed[uid][:2] != feed_before[uid][:2]]
    assert changed and all(feed[uid][2] > feed_before[uid][2] for uid in changed)
    assert all(feed[uid] == feed_before[uid] for uid in feed_before if uid in feed and feed_before[uid][0] < TODAY)


def test_sixteen_days_away_restart_at_about_half(client: FlaskClient, plan: dict) -> None:
    token = plan["token"]
    before = client.get(f"/api/v1/plans/{token}").json["plan"]
    after = _add(client, token, *LONG)["plan"]
    assert not [s for s in _sessions(after) if _inside(s["date"], LONG)]
    back = _week(after, LONG[1] + timedelta(days=1) - timedelta(days=(LONG[1] + timedelta(days=1)).weekday()))
    assert "(16 days), so running restarts from the last full week you ran: about half of it" in back["rationale"]
    last_full = _week(before, LONG[0] - timedelta(weeks=1))
    full_load = max(last_full["running_minutes"], _week(before, LONG[0] - timedelta(weeks=2))["running_minutes"])
    first_full = _week(after, LONG[1] + timedelta(days=1 + (7 - (LONG[1] + timedelta(days=1)).weekday()) % 7))
    assert first_full["running_minutes"] <= full_load / 2
    assert "first full week back" in first_full["rationale"] or first_full is back


def test_removing_it_gives_the_plan_back(client: FlaskClient, plan: dict) -> None:
    token = plan["token"]
    before = client.get(f"/api/v1/plans/{token}").json["plan"]
    _add(client, token, *SHORT)
    response = client.delete(f"/api/v1/plans/{token}/away/{SHORT[0].isoformat()}")
    assert response.status_code == 200, response.json
    assert response.json["away"] == []
    assert response.json["plan"]["weeks"] == before["weeks"]
    assert client.delete(f"/api/v1/plans/{token}/away/{SHORT[0].isoformat()}").status_code == 404
    for not_a_day in ("not-a-date", "2027-02-30"):
        assert client.delete(f"/api/v1/plans/{token}/away/{not_a_day}").status_code == 404


def test_periods_are_kept_in_date_order_and_every_replan_sees_them(client: FlaskClient, plan: dict, clock) -> None:
    token = plan["token"]
    _add(client, token, *LONG)
    body = _add(client, token, *SHORT)
    assert [p["start"] for p in body["away"]] == [SHORT[0].isoformat(), LONG[0].isoformat()]
    # A check-in re-plans from the stored request: the periods away are still there.
    day = next(s["date"] for s in _sessions(body["plan"]) if s["kind"] == "run" and s["date"] < TODAY.isoformat())
    checked = client.post(f"/api/v1/plans/{token}/checkins", json={"date": day, "pain_during": 1})
    assert checked.status_code == 201, checked.json
    sessions = _sessions(checked.json["plan"])
    assert not [s for s in sessions if _inside(s["date"], SHORT) or _inside(s["date"], LONG)]


@pytest.mark.parametrize(("body", "field"), [
    ({"start": "2027-02-10", "end": "2027-02-09"}, "end"),
    ({"start": "2027-02-10", "end": "2027-07-01"}, "end"),  # over 120 days
    ({"start": "2027-01-01", "end": "2027-01-12"}, "end"),  # over before yesterday
    ({"start": "2027-02-10"}, "end"),
    ({"start": "10 Feb", "end": "2027-02-12"}, "start"),
    ({"start": "2027-02-10", "end": "2027-02-12", "why": "holiday"}, "why"),
])
def test_bad_periods_are_422_naming_the_field(client: FlaskClient, plan: dict, body: dict, field: str) -> None:
    response = client.post(f"/api/v1/plans/{plan['token']}/away", json=body)
    assert response.status_code == 422, response.json
    assert response.mimetype == "application/problem+json"
    assert [e["field"] for e in response.json["errors"]] == [field]


def test_an_overlapping_period_or_a_day_checked_in_is_refused(client: FlaskClient, plan: dict) -> None:
    token = plan["token"]
    _add(client, token, *SHORT)
    overlap = client.post(f"/api/v1/plans/{token}/away",
                          json={"start": SHORT[1].isoformat(), "end": (SHORT[1] + timedelta(days=3)).isoformat()})
    assert overlap.status_code == 422 and overlap.json["errors"][0]["field"] == "start"
    assert "overlap" in overlap.json["errors"][0]["message"]
    yesterday = TODAY - timedelta(days=1)
    day = max(s["date"] for s in _sessions(plan["plan"]) if s["kind"] == "run" and s["date"] <= yesterday.isoformat())
    assert client.post(f"/api/v1/plans/{token}/checkins", json={"date": day, "pain_during": 1}).status_code == 201
    checked = client.post(f"/api/v1/plans/{token}/away", json={"start": day, "end": TODAY.isoformat()})
    assert checked.status_code == 422 and checked.json["errors"][0]["field"] == "start"


def test_a_period_begun_already_changes_only_what_is_ahead(client: FlaskClient, plan: dict) -> None:
    token = plan["token"]
    before = client.get(f"/api/v1/plans/{token}").json["plan"]
    began = (TODAY - timedelta(days=2), TODAY + timedelta(days=3))
    after = _add(client, token, *began)["plan"]
    passed = [s for s in _sessions(before) if s["date"] < TODAY.isoformat()]
    assert [s for s in _sessions(after) if s["date"] < TODAY.isoformat()] == passed
    assert not [s for s in _sessions(after) if TODAY.isoformat() <= s["date"] <= began[1].isoformat()]


def test_a_plan_created_with_away_periods_names_a_bad_one(client: FlaskClient) -> None:
    response = client.post("/api/v1/plans", json={
        "weekly_volume": 20, "current_pain": 1, "start_date": "2027-03-01",
        "away": [{"start": "2027-03-10", "end": "2027-03-20"}, {"start": "2027-03-15", "end": "2027-03-16"}]})
    assert response.status_code == 422
    assert [e["field"] for e in response.json["errors"]] == ["away.1.start"]
    early = client.post("/api/v1/plans", json={
        "weekly_volume": 20, "current_pain": 1, "start_date": "2027-03-01",
        "away": [{"start": "2027-02-10", "end": "2027-02-20"}]})
    assert [e["field"] for e in early.json["errors"]] == ["away.0.end"]


def test_the_openapi_document_describes_it(client: FlaskClient) -> None:
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert "post" in paths["/api/v1/plans/{token}/away"]
    assert "delete" in paths["/api/v1/plans/{token}/away/{start}"]
