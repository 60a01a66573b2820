"""Finished runs come back in (rule 36): a watch file becomes the numbers of its day's check-in, the
plan is re-planned from them, and every bad file is a 422 naming `file` with nothing stored."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from planner.activities import read_activity
from planner.extensions import db
from planner.store.models import ActivityRecord, CheckInRecord, PlanRevision

FILES = Path(__file__).resolve().parent.parent / "activities" / "files"


def _day(name: str) -> date:
    return read_activity((FILES / name).read_bytes()).start.date()  # the plans below are in UTC


def _plan_with_a_run_on(client: FlaskClient, clock, day: date, **fields: object) -> dict:
    """A plan (made the day before it starts) whose first week has a run on `day`."""
    for back in range(7):
        start = day - timedelta(days=back)
        clock.at(datetime.combine(start - timedelta(days=1), time(12), tzinfo=UTC))
        body = {"weekly_volume": 20, "current_pain": 1, "easy_pace": "6:00", "start_date": start.isoformat(), **fields}
        created = client.post("/api/v1/plans", json=body).json
        if any(s["date"] == day.isoformat() and s["kind"] == "run" for s in created["plan"]["weeks"][0]["sessions"]):
            return created
    raise AssertionError(f"no plan start puts a run on {day}")


def _upload(client: FlaskClient, token: str, name: str, data: bytes | None = None):
    content = (FILES / name).read_bytes() if data is None else data
    return client.post(f"/api/v1/plans/{token}/activities", data={"file": (io.BytesIO(content), name)},
                       content_type="multipart/form-data")


def _counts(app: Flask) -> tuple[int, int, int]:
    with app.app_context():
        return tuple(db.session.scalar(select(func.count()).select_from(table))
                     for table in (PlanRevision, ActivityRecord, CheckInRecord))  # type: ignore[return-value]


def test_a_run_file_waits_for_its_check_in_and_becomes_its_numbers(client: FlaskClient, app: Flask, clock) -> None:
    day = _day("walk_breaks.fit")
    plan = _plan_with_a_run_on(client, clock, day)
    token = plan["token"]
    run = next(s for s in plan["plan"]["weeks"][0]["sessions"] if s["date"] == day.isoformat())
    clock.morning_after(day)
    uploaded = _upload(client, token, "walk_breaks.fit")
    assert uploaded.status_code == 201, uploaded.json
    activity = uploaded.json["activity"]
    assert activity["date"] == day.isoformat() and uploaded.json["session_uid"] == run["uid"]
    assert 22 <= activity["running_minutes"] <= 26 and 28 <= activity["moving_minutes"] <= 32
    assert 3.5 <= activity["longest_bout_minutes"] <= 4.5
    # The check-in of that day, sent without numbers, takes the file's.
    checked = client.post(f"/api/v1/plans/{token}/checkins", json={"date": day.isoformat(), "pain_during": 2,
                                                                     "pain_next_morning": 1})
    assert checked.status_code == 201, checked.json
    assert checked.json["checkin"]["actual"] == {k: v for k, v in activity.items() if k != "date"}
    stored = client.get(f"/api/v1/plans/{token}").json["checkins"]
    assert stored[0]["actual"]["running_minutes"] == activity["running_minutes"]
    assert _counts(app)[1] == 0  # nothing left waiting


def test_a_file_for_a_day_already_checked_in_re_plans_from_what_was_run(client: FlaskClient, clock) -> None:
    day = _day("walk_breaks.fit")
    plan = _plan_with_a_run_on(client, clock, day, weekly_volume=40, longest_run=60)
    token = plan["token"]
    clock.morning_after(day)
    assert client.post(f"/api/v1/plans/{token}/checkins", json={
        "date": day.isoformat(), "pain_during": 1, "pain_next_morning": 0}).status_code == 201
    before = client.get(f"/api/v1/plans/{token}").json["plan"]["weeks"]
    uploaded = _upload(client, token, "walk_breaks.fit")  # 24 minutes run where the plan said far more
    assert uploaded.status_code == 201
    assert any("minutes planned; next week is sized from what you ran" in n for n in uploaded.json["notes"])
    after = client.get(f"/api/v1/plans/{token}").json
    assert after["checkins"][0]["actual"]["running_minutes"] == uploaded.json["activity"]["running_minutes"]
    assert after["checkins"][0]["remarks"] == uploaded.json["notes"]
    assert after["plan"]["weeks"][0] == before[0]  # the week that was run stays as it was shown
    assert after["plan"]["weeks"][1]["running_minutes"] < before[1]["running_minutes"]


def test_hills_speed_and_cadence_are_said_in_words(client: FlaskClient, clock) -> None:
    for name, words in (("hilly.fit", "m of climbing. Hills are not in the plan yet"),
                        ("strides.fit", "well faster than your easy pace. Speed is not in the plan yet")):
        day = _day(name)
        token = _plan_with_a_run_on(client, clock, day)["token"]
        clock.morning_after(day)
        uploaded = _upload(client, token, name)
        assert uploaded.status_code == 201, uploaded.json
        assert any(words in n for n in uploaded.json["notes"]), (name, uploaded.json["notes"])
    day = _day("low_cadence.fit")
    token = _plan_with_a_run_on(client, clock, day, cadence=165)["token"]
    clock.morning_after(day)
    uploaded = _upload(client, token, "low_cadence.fit")
    assert 145 <= uploaded.json["activity"]["cadence_spm"] <= 155
    assert any("steps a minute; aim for about 173" in n for n in uploaded.json["notes"])


@pytest.mark.parametrize("name, data, words", [
    ("notes.txt", b"this is not a run", "not a FIT, GPX or TCX file"),
    ("walk_breaks.fit", (FILES / "walk_breaks.fit").read_bytes()[:3000], ""),
    ("walk_breaks.fit", None, "flip"),
    ("run.gpx", (FILES / "run.gpx").read_bytes()[:5000], ""),
    ("walk_run.tcx", (FILES / "walk_run.tcx").read_bytes()[:5000], ""),
    ("cycling.fit", None, ""),
    ("big.fit", b"0" * (10 * 1024 * 1024 + 10), "10 MB"),
])
def test_every_bad_file_is_a_422_naming_file_and_stores_nothing(client: FlaskClient, app: Flask, clock,
                                                               name: str, data: bytes | None, words: str) -> None:
    token = _plan_with_a_run_on(client, clock, _day("walk_breaks.fit"))["token"]
    clock.morning_after(_day("walk_breaks.fit"))
    if words == "flip":  # one byte changed: the CRC no longer matches
        raw = bytearray((FILES / name).read_bytes())
        raw[len(raw) // 2] ^= 0xFF
        data, words = bytes(raw), ""
    before = _counts(app)
    refused = _upload(client, token, name, data)
    assert refused.status_code == 422, refused.json
    assert refused.mimetype == "application/problem+json"
    assert [e["field"] for e in refused.json["errors"]] == ["file"]
    assert words in refused.json["errors"][0]["message"]
    assert _counts(app) == before


def test_a_run_outside_the_plan_or_no_file_at_all_is_refused(client: FlaskClient, app: Flask, clock) -> None:
    day = _day("walk_breaks.fit")
    clock.at(datetime.combine(day + timedelta(days=2), time(12), tzinfo=UTC))
    later = client.post("/api/v1/plans", json={"weekly_volume": 20, "current_pain": 1,
                                               "start_date": (day + timedelta(days=7)).isoformat()}).json["token"]
    before = _counts(app)
    outside = _upload(client, later, "walk_breaks.fit")
    assert outside.status_code == 422 and "outside your plan" in outside.json["errors"][0]["message"]
    empty = client.post(f"/api/v1/plans/{later}/activities", data={}, content_type="multipart/form-data")
    assert empty.status_code == 422 and empty.json["errors"][0]["field"] == "file"
    assert _counts(app) == before
    assert _upload(client, "no-such-plan-token-000000000000", "walk_breaks.fit").status_code == 404


def test_a_run_on_a_day_without_a_session_is_extra_running(client: FlaskClient, clock) -> None:
    day = _day("walk_breaks.fit")
    for back in range(7):  # a plan whose first week has no run on that day
        start = day - timedelta(days=back)
        clock.at(datetime.combine(start - timedelta(days=1), time(12), tzinfo=UTC))
        plan = client.post("/api/v1/plans", json={"weekly_volume": 20, "current_pain": 1,
                                                  "start_date": start.isoformat()}).json
        if not any(s["date"] == day.isoformat() and s["kind"] == "run" for s in plan["plan"]["weeks"][0]["sessions"]):
            break
    token = plan["token"]
    clock.morning_after(day)
    uploaded = _upload(client, token, "walk_breaks.fit")
    assert uploaded.status_code == 201 and uploaded.json["session_uid"] is None
    assert "was not in the plan" in uploaded.json["notes"][0]
    checked = client.post(f"/api/v1/plans/{token}/checkins", json={"date": day.isoformat(), "pain_during": 1})
    assert checked.status_code == 201, checked.json  # a check-in for extra running, on a day without a session
    assert checked.json["checkin"]["actual"]["running_minutes"] == uploaded.json["activity"]["running_minutes"]
