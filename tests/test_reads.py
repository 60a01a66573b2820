"""Reads come from the stored revision: strong ETags and 304 for the page and the API, the page's form
token put in per browser, and plans stored before revisions given their first one."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from icalendar import Calendar
from sqlalchemy import delete, insert, select

from planner import create_app
from planner.extensions import db
from planner.store.models import PlanRecord, PlanRevision, RenderedExport, SessionVersion, utcnow


def test_the_api_answers_304_until_the_plan_changes(client: FlaskClient, stored_plan: dict, clock) -> None:
    token = stored_plan["token"]
    first = client.get(f"/api/v1/plans/{token}")
    etag = first.headers["ETag"]
    assert first.status_code == 200 and not etag.startswith("W/")
    assert first.json == {**stored_plan, "checkins": []}  # the stored plan is the one create answered
    same = client.get(f"/api/v1/plans/{token}", headers={"If-None-Match": etag})
    assert same.status_code == 304 and same.data == b"" and same.headers["ETag"] == etag
    run = next(s for w in stored_plan["plan"]["weeks"] for s in w["sessions"] if s["kind"] == "run")
    clock.morning_after(run["date"])
    client.post(f"/api/v1/plans/{token}/checkins", json={"date": run["date"], "pain_during": 1,
                                                          "pain_next_morning": 0})
    changed = client.get(f"/api/v1/plans/{token}", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert [c["date"] for c in changed.json["checkins"]] == [run["date"]]


@pytest.fixture
def guarded(_database: str) -> Iterator[Flask]:
    """The app as served: CSRF on."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": _database, "TESTING": True, "RATELIMIT_ENABLED": False,
                      "SERVER_NAME": "planner.test", "TRUSTED_HOSTS": ["planner.test"]})
    yield app
    with app.app_context():
        db.session.execute(delete(PlanRecord))
        db.session.commit()
        db.engine.dispose()


def _form_tokens(html: str) -> set[str]:
    return set(re.findall(r'name="csrf_token" value="([^"]+)"', html))


def test_the_page_is_stored_once_and_each_browser_gets_its_own_form_token(guarded: Flask, past_start) -> None:
    with guarded.test_client() as maker:
        token = maker.post("/api/v1/plans", json={"weekly_volume": 20, "current_pain": 2,
                                                  "start_date": past_start.isoformat()}).json["token"]
    alice, bob = guarded.test_client(), guarded.test_client()
    first = alice.get(f"/plans/{token}")
    html = first.get_data(as_text=True)
    assert first.status_code == 200 and first.headers["Cache-Control"] == "no-cache, private"
    assert "csrf-token-slot" not in html and len(_form_tokens(html)) == 1
    with guarded.app_context():
        stored = db.session.scalars(select(RenderedExport).where(RenderedExport.kind == "page")).one()
        # Every form of the stored page gets the token, and so does the intervals.icu panel's, drawn per request.
        assert stored.body.count(b"csrf-token-slot") + 1 == html.count(next(iter(_form_tokens(html))))
        assert stored.body.count(b"intervals-panel-slot") == 1 and "intervals-panel-slot" not in html

    assert alice.get(f"/plans/{token}", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    other = bob.get(f"/plans/{token}", headers={"If-None-Match": first.headers["ETag"]})
    assert other.status_code == 200 and other.headers["ETag"] != first.headers["ETag"]  # another browser
    assert _form_tokens(other.get_data(as_text=True)) != _form_tokens(html)
    # The tokens work: Alice's check-in with hers lands, one without any is refused.
    day = re.search(r'<option value="(\d{4}-\d\d-\d\d)"', html).group(1)
    sent = alice.post(f"/plans/{token}/checkins", data={"csrf_token": next(iter(_form_tokens(html))), "date": day,
                                                         "pain_during": "2", "completed": "yes"})
    assert sent.status_code == 303, sent.get_data(as_text=True)[:300]
    assert bob.post(f"/plans/{token}/checkins", data={"date": day, "pain_during": "2"}).status_code == 400
    after = alice.get(f"/plans/{token}", headers={"If-None-Match": first.headers["ETag"]})
    assert after.status_code == 200  # a new revision is a new page


def test_a_plan_stored_before_revisions_gets_its_first_one_with_its_sequences(
    client: FlaskClient, app: Flask, stored_plan: dict
) -> None:
    token = stored_plan["token"]
    run = next(s for w in stored_plan["plan"]["weeks"] for s in w["sessions"] if s["kind"] == "run")
    with app.app_context():  # as the previous release left it: no revision, its SEQUENCEs in session_versions
        plan_id = db.session.scalar(select(PlanRecord.id).where(PlanRecord.token == token))
        db.session.execute(delete(PlanRevision))
        db.session.execute(delete(RenderedExport))
        db.session.execute(insert(SessionVersion).values(plan_id=plan_id, uid=run["uid"], digest="old",
                                                         sequence=4, modified_at=utcnow()))
        db.session.commit()
    feed = client.get(f"/plans/{token}.ics")
    assert feed.status_code == 200
    sequences = {str(e["UID"]): e.sequence for e in Calendar.from_ical(feed.data).events}
    assert sequences[run["uid"]] == 4 and set(sequences.values()) == {0, 4}
    assert client.get(f"/api/v1/plans/{token}").json["plan"] == stored_plan["plan"]
    with app.app_context():
        reasons = db.session.scalars(select(PlanRevision.reason).where(PlanRevision.plan_id == plan_id)).all()
    assert reasons == ["recorded"]


def test_each_read_says_its_type_once(client: FlaskClient, stored_plan: dict) -> None:
    token = stored_plan["token"]
    for path, wanted in ((f"/plans/{token}", "text/html; charset=utf-8"),
                         (f"/plans/{token}.ics", "text/calendar; charset=utf-8"),
                         (f"/plans/{token}.csv", "text/csv; charset=utf-8"),
                         (f"/plans/{token}/garmin.zip", "application/zip"),
                         (f"/api/v1/plans/{token}", "application/json")):
        assert client.get(path).headers["Content-Type"] == wanted, path


def test_a_feed_read_from_memory_follows_a_write_made_in_another_process(app: Flask, client: FlaskClient,
                                                                         stored_plan: dict) -> None:
    """Polls answered from this process's memory (SQLite: store/generation.py) must see a check-in that
    another process (another gunicorn worker) wrote: its commit moves the shared counter on."""
    import subprocess
    import sys
    import textwrap
    from pathlib import Path

    token = stored_plan["token"]
    first = client.get(f"/plans/{token}.ics")
    assert client.get(f"/plans/{token}.ics", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    run = next(s for w in stored_plan["plan"]["weeks"] for s in w["sessions"] if s["kind"] == "run")
    script = textwrap.dedent(f"""
        from tests.conftest import make_app
        app = make_app({app.config["SQLALCHEMY_DATABASE_URI"]!r})
        answer = app.test_client().post("/api/v1/plans/{token}/checkins",
                                        json={{"date": "{run["date"]}", "pain_during": 7}})
        assert answer.status_code == 201, answer.json
    """)
    subprocess.run([sys.executable, "-c", script], check=True, cwd=Path(__file__).resolve().parent.parent)
    again = client.get(f"/plans/{token}.ics", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200 and again.headers["ETag"] != first.headers["ETag"]
    assert client.delete(f"/api/v1/plans/{token}").status_code == 204
    assert client.get(f"/plans/{token}.ics", headers={"If-None-Match": again.headers["ETag"]}).status_code == 404
