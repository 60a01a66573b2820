"""Linking a plan to intervals.icu and keeping its calendar in step, against the local intervals.icu.

Every test ends with `fake.invalid == []`: each request the app sent matched the published document.
"""

from __future__ import annotations

import base64
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time

import pytest
from flask import Flask
from flask.testing import FlaskClient
from garmin_fit_sdk import Decoder, Stream
from sqlalchemy import func, select

from planner import services
from planner.extensions import db
from planner.store.models import IntervalsConnection, IntervalsEvent, OutboxJob
from planner.sync import events
from tests.fakes.intervals import FakeIntervals

from .conftest import ATHLETE, KEY, link, make_plan, sync, this_monday


def future(plan: dict, today: date) -> dict[str, dict]:
    """uid -> every session on `today` or later that becomes an event (rest days do not)."""
    return {s["uid"]: s for w in plan["weeks"] for s in w["sessions"]
            if s["kind"] != "rest" and date.fromisoformat(s["date"]) >= today}


def by_external_id(fake: FakeIntervals, athlete: str = ATHLETE) -> dict[str, dict]:
    stored = fake.events(athlete)
    ids = [e["external_id"] for e in stored]
    assert len(ids) == len(set(ids)), "one event per session, never two"
    return {e["external_id"]: e for e in stored}


def decoded(event: dict) -> list[dict]:
    """The workout steps of an event's FIT file, read by Garmin's SDK."""
    data = bytearray(base64.b64decode(event["file_contents_base64"]))
    assert Decoder(Stream.from_byte_array(data)).check_integrity()
    messages, errors = Decoder(Stream.from_byte_array(bytearray(data))).read()
    assert errors == []
    return messages["workout_step_mesgs"]


def api(client: FlaskClient, token: str) -> dict:
    response = client.get(f"/api/v1/plans/{token}")
    assert response.status_code == 200
    return response.json


def test_connect_then_the_first_pass_puts_every_session_from_today_on_in_the_calendar(
    client: FlaskClient, app: Flask, fake: FakeIntervals
) -> None:
    plan = make_plan(client, this_monday() - timedelta(days=14), session_time="07:30", timezone="Europe/London")
    token = plan["token"]
    link(client, token)
    assert fake.requests[0].path == f"/api/v1/athlete/{ATHLETE}"  # the key was checked before it was kept
    pending = api(client, token)["connections"]["intervals"]
    assert pending == {"status": "pending", "last_sync": None, "error": None, "athlete_id": ATHLETE}

    passes = sync(app)

    today = services.today("Europe/London")
    wanted = future(plan["plan"], today)
    calendar = by_external_id(fake)
    assert set(calendar) == set(wanted) and len(calendar) > 30
    for uid, session in wanted.items():
        event = calendar[uid]
        assert event["start_date_local"] == f"{session['date']}T07:30:00"
        assert event["name"] == session["title"]
        if session["kind"] == "run":
            assert (event["category"], event["type"]) == ("WORKOUT", "Run")
            steps = decoded(event)
            names = [s.get("wkt_step_name") for s in steps]
            assert names[0] == "Warm-up walk" and names[-1] == "Cool-down walk"
            assert any("Stop (walk home)" in (s.get("notes") or "") for s in steps)  # the stop rule, on the watch
            assert session["running_minutes"] == pytest.approx(sum(
                s["duration_time"] * (_repeats(steps, i)) for i, s in enumerate(steps)
                if s.get("intensity") in ("active", "interval")) / 60, abs=0.1)
        else:
            assert event["category"] == "NOTE"
            assert all(exercise["name"] in event["description"] for exercise in session["exercises"])
    assert min(date.fromisoformat(e["start_date_local"][:10]) for e in calendar.values()) >= today
    assert passes[0].outcome == "ok" and passes[0].created == len(wanted)
    status = api(client, token)["connections"]["intervals"]
    assert status["status"] == "ok" and status["error"] is None and status["last_sync"] is not None
    assert fake.invalid == []


def _repeats(steps: list[dict], index: int) -> int:
    """How many times step `index` runs: a repeat step after it that points back at or before it."""
    for step in steps[index + 1:]:
        if step.get("duration_type") == "repeat_until_steps_cmplt":
            if step["duration_step"] <= index:
                return int(step["repeat_steps"])
    return 1


def test_the_key_is_checked_kept_encrypted_and_never_shown(client: FlaskClient, app: Flask, fake: FakeIntervals,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    token = make_plan(client, this_monday())["token"]
    refused = client.put(f"/api/v1/plans/{token}/connections/intervals",
                         json={"athlete_id": ATHLETE, "api_key": "not-the-key-123"})
    assert refused.status_code == 422 and refused.json["errors"][0]["field"] == "api_key"
    unknown = client.put(f"/api/v1/plans/{token}/connections/intervals", json={"athlete_id": "i999", "api_key": KEY})
    assert unknown.status_code == 422 and unknown.json["errors"][0]["field"] in ("athlete_id", "api_key")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(IntervalsConnection)) == 0

    link(client, token)
    sync(app)
    with app.app_context():
        stored = db.session.scalars(select(IntervalsConnection)).one()
        assert KEY.encode() not in stored.secret
    assert KEY not in client.get(f"/api/v1/plans/{token}").get_data(as_text=True)
    assert KEY not in client.get(f"/plans/{token}").get_data(as_text=True)
    assert KEY not in caplog.text
    assert fake.invalid == []


def test_intervals_down_at_connect_is_a_503_and_nothing_is_saved(client: FlaskClient, app: Flask,
                                                                fake: FakeIntervals) -> None:
    token = make_plan(client, this_monday())["token"]
    fake.fail(503)
    answer = client.put(f"/api/v1/plans/{token}/connections/intervals", json={"athlete_id": ATHLETE, "api_key": KEY})
    assert answer.status_code == 503 and answer.headers["Retry-After"]
    assert api(client, token)["connections"]["intervals"] is None

    # The page's form: the panel again, the message beside the key, the athlete ID kept, the key not.
    fake.fail(503)
    page = client.post(f"/plans/{token}/connections/intervals", data={"athlete_id": ATHLETE, "api_key": KEY})
    html = " ".join(page.get_data(as_text=True).split())
    assert page.status_code == 503
    assert 'id="api_key-error"' in html and "intervals.icu did not answer" in html
    assert f'value="{ATHLETE}"' in html and KEY not in html
    assert api(client, token)["connections"]["intervals"] is None
    assert fake.invalid == []


def test_a_painful_check_in_sends_only_what_changed_and_the_calendar_matches_the_new_plan(
    client: FlaskClient, app: Flask, fake: FakeIntervals, clock
) -> None:
    start = this_monday() - timedelta(days=7 * 6)
    plan = make_plan(client, start)
    token = plan["token"]
    runs = [s for w in plan["plan"]["weeks"] for s in w["sessions"] if s["kind"] == "run"]
    run = next(s for s in runs if date.fromisoformat(s["date"]) >= start + timedelta(days=14))
    clock.morning_after(run["date"])
    link(client, token)
    sync(app)
    today = services.today()
    before = by_external_id(fake)
    lived = api(client, token)["plan"]
    with app.app_context():
        sent_before = events.wanted(services.get(token).plan, today, "")

    fake.reset_log()
    answer = client.post(f"/api/v1/plans/{token}/checkins", json={"date": run["date"], "pain_during": 7,
                                                                  "pain_next_morning": 6})
    assert answer.status_code == 201 and answer.json["decision"] in ("hold", "step_back")
    sync(app)

    replanned = api(client, token)["plan"]
    assert replanned != lived
    after = by_external_id(fake)
    # The calendar from today on is exactly the re-planned sessions.
    wanted = future(replanned, today)
    assert {uid for uid, e in after.items() if e["start_date_local"][:10] >= today.isoformat()} == set(wanted)
    for uid, session in wanted.items():
        assert (after[uid]["name"], after[uid]["start_date_local"][:10]) == (session["title"], session["date"])
    # Only what changed went out: the events whose content differs, nothing else.
    with app.app_context():
        sent_after = events.wanted(services.get(token).plan, today, "")
    changed = {uid for uid, w in sent_after.items() if uid not in sent_before or sent_before[uid].digest != w.digest}
    removed = set(sent_before) - set(sent_after)
    sent = {e["external_id"] for r in fake.requests if r.path.endswith("/events/bulk") for e in r.body}
    deleted = {e["external_id"] for r in fake.requests if r.path.endswith("/bulk-delete") for e in r.body}
    assert changed and sent == changed and deleted == removed
    assert len(sent) < len(sent_after)
    assert len(fake.requests) == 1 + (1 if removed else 0)  # one bulk upsert (under 50 changes), one delete
    # Past days are never touched.
    for uid, event in before.items():
        if event["start_date_local"][:10] < today.isoformat():
            assert after[uid] == event
    assert fake.invalid == []


@pytest.mark.parametrize("action", ["disconnect", "rotate", "delete"])
def test_disconnect_rotate_and_delete_leave_no_events_and_no_key(client: FlaskClient, app: Flask,
                                                                fake: FakeIntervals, action: str) -> None:
    token = make_plan(client, this_monday())["token"]
    link(client, token)
    sync(app)
    assert len(fake.events(ATHLETE)) > 30
    if action == "disconnect":
        assert client.delete(f"/api/v1/plans/{token}/connections/intervals").status_code == 204
        assert api(client, token)["connections"]["intervals"] is None
    elif action == "rotate":
        assert client.post(f"/plans/{token}/rotate", data={"confirm_rotate": "yes"}).status_code == 303
    else:
        assert client.delete(f"/api/v1/plans/{token}").status_code == 204

    passes = sync(app)

    assert [p.outcome for p in passes] == ["retired"]
    assert fake.events(ATHLETE) == []
    with app.app_context():
        for table in (IntervalsConnection, IntervalsEvent, OutboxJob):
            assert db.session.scalar(select(func.count()).select_from(table)) == 0
    assert fake.invalid == []


def test_relinking_another_athlete_clears_the_first_calendar(client: FlaskClient, app: Flask,
                                                             fake: FakeIntervals) -> None:
    fake.add_athlete("i777", "second-key-7777")
    token = make_plan(client, this_monday())["token"]
    link(client, token)
    sync(app)
    link(client, token, "i777", "second-key-7777")
    sync(app)
    assert fake.events(ATHLETE) == [] and len(fake.events("i777")) > 30
    assert api(client, token)["connections"]["intervals"]["athlete_id"] == "i777"
    assert fake.invalid == []


def test_a_429_storm_is_waited_out_honouring_retry_after(client: FlaskClient, app: Flask,
                                                          fake: FakeIntervals) -> None:
    token = make_plan(client, this_monday())["token"]
    link(client, token)
    fake.fail(429, times=2, retry_after=1)

    passes = sync(app)

    assert [p.outcome for p in passes] == ["ok"]
    tries = [r for r in fake.requests if r.path.endswith("/events/bulk")]
    assert [r.status for r in tries[:3]] == [429, 429, 200]
    assert tries[1].time - tries[0].time >= 0.95 and tries[2].time - tries[1].time >= 0.95
    assert set(by_external_id(fake)) == set(future(api(client, token)["plan"], services.today()))
    assert fake.invalid == []


def test_a_500_storm_is_retried_with_backoff_until_it_passes(client: FlaskClient, app: Flask,
                                                             fake: FakeIntervals) -> None:
    token = make_plan(client, this_monday())["token"]
    link(client, token)
    fake.fail(500, times=9)  # four tries a pass: two passes fail, the third goes through

    passes = sync(app)

    assert [p.outcome for p in passes] == ["retry", "retry", "ok"]
    assert set(by_external_id(fake)) == set(future(api(client, token)["plan"], services.today()))
    assert api(client, token)["connections"]["intervals"]["status"] == "ok"
    assert fake.invalid == []


def test_a_failed_pass_waits_longer_each_time(client: FlaskClient, app: Flask, fake: FakeIntervals) -> None:
    app.config["SYNC_BACKOFF_SECONDS"] = 10
    token = make_plan(client, this_monday())["token"]
    link(client, token)
    fake.fail(500, times=8)
    waits = []
    for _ in range(2):
        with app.app_context():
            db.session.execute(OutboxJob.__table__.update().values(due_at=datetime.now(UTC) - timedelta(seconds=1)))
            db.session.commit()
        started = datetime.now(UTC)
        assert [p.outcome for p in sync(app)] == ["retry"]
        with app.app_context():
            due = db.session.scalar(select(func.min(OutboxJob.due_at)))
        waits.append((due.replace(tzinfo=UTC) - started).total_seconds())
    assert 9 <= waits[0] <= 12 and 19 <= waits[1] <= 22
    status = api(client, token)["connections"]["intervals"]
    assert status["status"] == "pending" and "500" in status["error"]


def test_a_request_that_hangs_times_out_and_is_tried_again(client: FlaskClient, app: Flask,
                                                           fake: FakeIntervals) -> None:
    token = make_plan(client, this_monday())["token"]
    link(client, token)
    fake.hang(4)  # longer than the 2 s timeout; it still takes effect, so the retry must not duplicate

    assert [p.outcome for p in sync(app)] == ["ok"]
    time.sleep(2.5)  # the hung request finishes on the fake's side
    assert set(by_external_id(fake)) == set(future(api(client, token)["plan"], services.today()))
    assert fake.invalid == []


def test_a_revoked_key_stops_the_sync_and_the_page_says_why(client: FlaskClient, app: Flask, fake: FakeIntervals,
                                                             clock) -> None:
    start = this_monday() - timedelta(days=14)
    plan = make_plan(client, start)
    token = plan["token"]
    run = next(s for w in plan["plan"]["weeks"] for s in w["sessions"] if s["kind"] == "run")
    clock.morning_after(run["date"])
    link(client, token)
    sync(app)
    fake.revoke(ATHLETE)
    client.post(f"/api/v1/plans/{token}/checkins", json={"date": run["date"], "pain_during": 6})

    assert [p.outcome for p in sync(app)] == ["broken"]
    status = api(client, token)["connections"]["intervals"]
    assert status["status"] == "broken" and "API key" in status["error"]
    page = client.get(f"/plans/{token}").get_data(as_text=True)
    assert "Sync stopped." in page and "did not accept the API key" in page and 'id="api_key"' in page
    fake.reset_log()
    assert sync(app) == [] and fake.requests == []  # not retried forever,
    morning = client.patch(f"/api/v1/plans/{token}/checkins/{run['date']}", json={"pain_next_morning": 2})
    assert morning.status_code == 200
    assert sync(app) == [] and fake.requests == []  # nor at each new revision, until a new key is pasted
    # A new key brings it back.
    fake.add_athlete(ATHLETE, "fresh-key-0001")
    link(client, token, key="fresh-key-0001")
    assert [p.outcome for p in sync(app)] == ["ok"]
    assert api(client, token)["connections"]["intervals"]["status"] == "ok"
    assert fake.invalid == []


def test_the_page_links_and_unlinks_with_plain_steps(client: FlaskClient, app: Flask, fake: FakeIntervals) -> None:
    token = make_plan(client, this_monday())["token"]
    page = client.get(f"/plans/{token}").get_data(as_text=True)
    assert "Make a free account at intervals.icu." in page and "uploading planned workouts" in page
    wrong = client.post(f"/plans/{token}/connections/intervals", data={"athlete_id": ATHLETE, "api_key": "wrong-key-1"})
    html = wrong.get_data(as_text=True)
    assert wrong.status_code == 422 and 'id="api_key-error"' in html and f'value="{ATHLETE}"' in html
    assert "wrong-key-1" not in html
    blank = client.post(f"/plans/{token}/connections/intervals", data={"athlete_id": "", "api_key": ""})
    assert blank.status_code == 422 and 'id="athlete_id-error"' in blank.get_data(as_text=True)

    assert client.post(f"/plans/{token}/connections/intervals",
                       data={"athlete_id": ATHLETE, "api_key": KEY}).status_code == 303
    assert "on their way" in client.get(f"/plans/{token}").get_data(as_text=True)
    sync(app)
    linked = client.get(f"/plans/{token}")
    assert "Last synced" in linked.get_data(as_text=True)
    # The page's ETag follows the sync's status, not only the plan's revision.
    etag = linked.headers["ETag"]
    assert client.get(f"/plans/{token}", headers={"If-None-Match": etag}).status_code == 304
    assert client.post(f"/plans/{token}/connections/intervals/delete").status_code == 303
    assert client.get(f"/plans/{token}", headers={"If-None-Match": etag}).status_code == 200
    sync(app)
    assert fake.events(ATHLETE) == []
    assert fake.invalid == []


def test_past_days_stay_as_they_were_after_days_go_by(client: FlaskClient, app: Flask, fake: FakeIntervals,
                                                      clock) -> None:
    start = this_monday() - timedelta(days=7)
    plan = make_plan(client, start)
    token = plan["token"]
    clock.at(datetime.combine(start, clock_time(9), tzinfo=UTC))
    link(client, token)
    sync(app)
    first = by_external_id(fake)
    clock.at(datetime.combine(start + timedelta(days=10), clock_time(9), tzinfo=UTC))
    client.delete(f"/api/v1/plans/{token}/connections/intervals")  # then link again, ten days on
    sync(app)
    link(client, token)
    sync(app)
    again = by_external_id(fake)
    assert min(e["start_date_local"] for e in again.values())[:10] >= (start + timedelta(days=10)).isoformat()
    assert set(again) < set(first)
