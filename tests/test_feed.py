"""The calendar feed over HTTP: conditional GETs, downloads, re-plans, and a real sync client."""

from __future__ import annotations

import gzip
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import vobject
from flask import Flask
from flask.testing import FlaskClient
from icalendar import Calendar
from sqlalchemy import delete
from werkzeug.serving import make_server

from planner import create_app
from planner.extensions import db
from planner.store.models import RenderedExport

VDIRSYNCER = Path(sys.executable).parent / "vdirsyncer"


def feed_path(plan: dict) -> str:
    return f"/plans/{plan['token']}.ics"


def events_of(body: bytes) -> dict[str, tuple]:
    """UID -> (DTSTART, DTEND, SUMMARY, DESCRIPTION, SEQUENCE)."""
    return {str(e["UID"]): (e.start, e.end, str(e["SUMMARY"]), str(e["DESCRIPTION"]), e.sequence)
            for e in Calendar.from_ical(body).events}


def calendar_sessions(plan: dict) -> list[dict]:
    return [s for w in plan["plan"]["weeks"] for s in w["sessions"] if s["kind"] != "rest"]


def calendar_uids(plan: dict) -> set[str]:
    """Every event the feed carries: each session's, and the check-in nudge the morning after each run."""
    sessions = calendar_sessions(plan)
    return {s["uid"] for s in sessions} | {s["uid"] + "-checkin" for s in sessions if s["kind"] == "run"}


def test_feed_headers_and_body(client: FlaskClient, stored_plan: dict) -> None:
    response = client.get(feed_path(stored_plan))
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["ETag"].startswith('"') and not response.headers["ETag"].startswith("W/")
    assert response.headers["Last-Modified"]
    assert "no-cache" in response.headers["Cache-Control"] and "private" in response.headers["Cache-Control"]
    assert "Content-Disposition" not in response.headers
    events = events_of(response.data)
    sessions = calendar_sessions(stored_plan)
    assert set(events) == calendar_uids(stored_plan)
    assert {s["uid"]: events[s["uid"]][2] for s in sessions} == {s["uid"]: s["title"] for s in sessions}
    assert str(Calendar.from_ical(response.data)["NAME"]) == "Return to running · Test runner"
    assert response.data == client.get(feed_path(stored_plan)).data  # polls read stored bytes


def test_links_point_at_the_feed(client: FlaskClient, stored_plan: dict) -> None:
    assert stored_plan["links"]["ics"].endswith(feed_path(stored_plan))
    assert stored_plan["links"]["webcal"].startswith("webcal://")


def test_conditional_gets_answer_304(client: FlaskClient, stored_plan: dict) -> None:
    first = client.get(feed_path(stored_plan))
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    by_etag = client.get(feed_path(stored_plan), headers={"If-None-Match": etag})
    assert by_etag.status_code == 304 and by_etag.data == b"" and by_etag.headers["ETag"] == etag
    assert client.get(feed_path(stored_plan), headers={"If-Modified-Since": modified}).status_code == 304
    stale = client.get(feed_path(stored_plan), headers={"If-None-Match": '"stale"', "If-Modified-Since": modified})
    assert stale.status_code == 200 and stale.data == first.data  # If-None-Match wins (RFC 9110)
    assert client.head(feed_path(stored_plan), headers={"If-None-Match": etag}).status_code == 304


def test_gzip_clients_get_the_same_calendar_compressed_with_its_own_etag(
    client: FlaskClient, app: Flask, stored_plan: dict
) -> None:
    feed = feed_path(stored_plan)
    plain = client.get(feed)
    packed = client.get(feed, headers={"Accept-Encoding": "gzip, deflate"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Content-Encoding" not in plain.headers
    assert plain.headers["Vary"] == packed.headers["Vary"] == "Accept-Encoding"
    assert gzip.decompress(packed.data) == plain.data
    assert len(packed.data) * 4 < len(plain.data)
    assert packed.headers["ETag"] != plain.headers["ETag"]  # one strong ETag per representation
    again = client.get(feed, headers={"Accept-Encoding": "gzip", "If-None-Match": packed.headers["ETag"]})
    assert again.status_code == 304
    assert client.get(feed, headers={"If-None-Match": packed.headers["ETag"]}).status_code == 200
    assert client.get(feed, headers={"Accept-Encoding": "gzip;q=0"}).data == plain.data
    # A stored copy that is gone is rendered again on the next read, byte for byte the same.
    with app.app_context():
        db.session.execute(delete(RenderedExport).where(RenderedExport.kind == "ics.gz"))
        db.session.commit()
    again = client.get(feed, headers={"Accept-Encoding": "gzip"})
    assert again.status_code == 200 and again.data == packed.data and again.headers["ETag"] == packed.headers["ETag"]


def test_download_is_an_attachment(client: FlaskClient, stored_plan: dict) -> None:
    response = client.get(feed_path(stored_plan) + "?download=1")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="return-to-run.ics"'
    assert response.data == client.get(feed_path(stored_plan)).data
    assert "Content-Disposition" not in client.get(feed_path(stored_plan) + "?download=0").headers


def test_unknown_and_deleted_tokens_are_404(client: FlaskClient, stored_plan: dict) -> None:
    assert client.get("/plans/not-a-real-token-at-all-0123456789.ics").status_code == 404
    assert client.delete(f"/api/v1/plans/{stored_plan['token']}").status_code == 204
    assert client.get(feed_path(stored_plan)).status_code == 404


def test_replan_keeps_uids_and_bumps_sequence_of_changed_events(client: FlaskClient, stored_plan: dict,
                                                                clock) -> None:
    before = client.get(feed_path(stored_plan))
    first_run = next(s for s in calendar_sessions(stored_plan) if s["kind"] == "run")
    clock.morning_after(first_run["date"])
    response = client.post(f"/api/v1/plans/{stored_plan['token']}/checkins", json={
        "date": first_run["date"], "pain_during": 6, "pain_next_morning": 2})
    assert response.status_code == 201, response.json
    assert response.json["decision"] in {"hold", "step_back"}

    after = client.get(feed_path(stored_plan), headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and after.headers["ETag"] != before.headers["ETag"]
    old, new = events_of(before.data), events_of(after.data)
    assert set(new) == calendar_uids(response.json)
    kept = set(old) & set(new)
    assert first_run["uid"] in kept and len(kept) >= len(old) // 2
    changed = {uid for uid in kept if old[uid][:4] != new[uid][:4]}
    assert changed, "a hold changes the weeks after the check-in"
    for uid in kept:
        if uid in changed:
            assert new[uid][4] > old[uid][4], uid
        else:
            assert new[uid][4] == old[uid][4], uid
    past = [s["uid"] for s in calendar_sessions(stored_plan) if date.fromisoformat(s["date"]) <= date.fromisoformat(
        first_run["date"])]
    assert all(old[uid] == new[uid] for uid in past)


@pytest.mark.parametrize("name", ["Eve;X-EVIL:1,\\", "🏃‍♀️ Zoë, 5k; again", "Eve\r\nUID:evil", "x" * 80])
def test_hostile_names_through_the_api(client: FlaskClient, past_start: date, name: str) -> None:
    created = client.post("/api/v1/plans", json={"weekly_volume": 20, "current_pain": 2,
                                                 "start_date": past_start.isoformat(), "name": name})
    assert created.status_code in {201, 422}
    if created.status_code == 422:
        return
    body = client.get(feed_path(created.json)).data
    lines = body.decode().split("\r\n")
    assert lines.count("BEGIN:VCALENDAR") == 1 and not any(line.startswith("UID:evil") for line in lines)
    assert len(vobject.readOne(body.decode(), validate=True).vevent_list) == len(calendar_uids(created.json))


# -- a real sync client against a real server -------------------------------------------------

@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The app on 127.0.0.1 and a free port, reading the test database."""
    served = create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "TESTING": True,
                         "RATELIMIT_ENABLED": False})
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = make_server("127.0.0.1", port, served, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    thread.join()


def vdirsyncer(config: Path, *args: str) -> None:
    result = subprocess.run([str(VDIRSYNCER), "-c", str(config), *args], capture_output=True, text=True,
                            timeout=120, input="")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "error" not in result.stderr.lower(), result.stderr


def synced(folder: Path) -> list[tuple]:
    """(DTSTART, SUMMARY, SEQUENCE) of each .ics file; each file must hold exactly one event.

    vdirsyncer's http storage replaces UIDs with content hashes (standards.md §1.9), so files are
    matched to the feed's events by content, not by UID.
    """
    found = []
    for path in folder.glob("*.ics"):
        events = list(Calendar.from_ical(path.read_bytes()).events)
        assert len(events) == 1, path
        found.append((events[0].start, str(events[0]["SUMMARY"]), events[0].sequence))
    return sorted(found, key=str)  # all-day sessions and timed nudges: dates beside datetimes


def feed_events(body: bytes) -> list[tuple]:
    return sorted(((start, summary, sequence) for start, _, summary, _, sequence in events_of(body).values()), key=str)


def test_vdirsyncer_keeps_one_file_per_event(client: FlaskClient, stored_plan: dict, live_server: str,
                                             tmp_path: Path) -> None:
    local = tmp_path / "local"
    local.mkdir()
    config = tmp_path / "config"
    config.write_text(f"""
[general]
status_path = "{tmp_path / 'status'}/"

[pair plan]
a = "plan_feed"
b = "plan_local"
collections = null

[storage plan_feed]
type = "http"
url = "{live_server}{feed_path(stored_plan)}"

[storage plan_local]
type = "filesystem"
path = "{local}/"
fileext = ".ics"
""")
    vdirsyncer(config, "discover")
    vdirsyncer(config, "sync")
    before = feed_events(client.get(feed_path(stored_plan)).data)
    assert len(before) == len(calendar_uids(stored_plan))
    assert synced(local) == before

    first_run = next(s for s in calendar_sessions(stored_plan) if s["kind"] == "run")
    replanned = client.post(f"/api/v1/plans/{stored_plan['token']}/checkins", json={
        "date": first_run["date"], "pain_during": 6, "pain_next_morning": 2})
    assert replanned.status_code == 201
    vdirsyncer(config, "sync")
    after = feed_events(client.get(feed_path(stored_plan)).data)
    assert after != before and len(after) == len(calendar_uids(replanned.json))
    assert synced(local) == after


def test_last_modified_moves_with_every_revision_even_in_the_same_second(client: FlaskClient, clock) -> None:
    """If-Modified-Since (whole seconds) must never answer 304 for a feed that changed."""
    from datetime import UTC, datetime, time, timedelta

    start = date(2027, 1, 4)
    clock.at(datetime.combine(start + timedelta(days=2), time(9), tzinfo=UTC))
    plan = client.post("/api/v1/plans", json={"weekly_volume": 20, "current_pain": 1,
                                              "start_date": start.isoformat()}).json
    before = client.get(feed_path(plan))
    run = next(s for s in plan["plan"]["weeks"][0]["sessions"] if s["kind"] == "run" and s["date"] < "2027-01-06")
    changed = client.post(f"/api/v1/plans/{plan['token']}/checkins", json={  # the clock has not moved
        "date": run["date"], "pain_during": 7, "pain_next_morning": 5})
    assert changed.status_code == 201
    after = client.get(feed_path(plan), headers={"If-Modified-Since": before.headers["Last-Modified"]})
    assert after.status_code == 200 and after.data != before.data
    assert after.last_modified > before.last_modified
