"""The download routes: the CSV table, the Garmin zip and one session's FIT file, on a stored plan."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest
from flask.testing import FlaskClient
from garmin_fit_sdk import Decoder, Stream

COLUMNS = ["date", "week", "phase", "kind", "title", "running_minutes", "total_minutes", "distance", "unit",
           "intervals", "exercises", "uid"]
MISSING = "A" * 43  # shaped like a token, belongs to no plan


def sessions(stored_plan: dict) -> list[dict]:
    return [s for week in stored_plan["plan"]["weeks"] for s in week["sessions"]]


def decode(data: bytes) -> dict:
    check = Decoder(Stream.from_byte_array(bytearray(data)))
    assert check.is_fit() and check.check_integrity()
    messages, errors = Decoder(Stream.from_byte_array(bytearray(data))).read()
    assert errors == []
    return messages


def test_csv_download(client: FlaskClient, stored_plan: dict) -> None:
    response = client.get(stored_plan["links"]["csv"])
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="return-to-run.csv"'
    frame = pd.read_csv(io.BytesIO(response.data), encoding="utf-8-sig")
    assert list(frame.columns) == [*COLUMNS, "disclaimer"]
    assert list(frame["uid"]) == [s["uid"] for s in sessions(stored_plan)]
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"), newline="")))
    assert len(rows) == len(sessions(stored_plan))


def test_garmin_zip_download(client: FlaskClient, stored_plan: dict) -> None:
    response = client.get(stored_plan["links"]["garmin"])
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"] == 'attachment; filename="return-to-run-garmin.zip"'
    runs = [s for s in sessions(stored_plan) if s["kind"] == "run"]
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        names = archive.namelist()
        assert "GARMIN/NewFiles" in archive.read("README.txt").decode()
        fit_names = [n for n in names if n.endswith(".fit")]
        assert len(fit_names) == len(runs)
        assert fit_names == sorted(fit_names)
        first = decode(archive.read(fit_names[0]))
    assert first["workout_mesgs"][0]["sport"] == "running"
    assert fit_names[0].startswith(runs[0]["date"])


def test_one_session_fit(client: FlaskClient, stored_plan: dict) -> None:
    token = stored_plan["token"]
    run = [s for s in sessions(stored_plan) if s["kind"] == "run"][2]
    response = client.get(f"/plans/{token}/sessions/{run['uid']}.fit")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.ant.fit"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{run["date"]}-run-03.fit"'
    messages = decode(response.data)
    assert messages["file_id_mesgs"][0]["type"] == "workout"
    assert messages["workout_mesgs"][0]["wkt_name"] == f"RTR {run['date']} Run 3"

    again = client.get(f"/plans/{token}/sessions/{run['uid']}.fit",
                       headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_only_run_sessions_have_a_fit(client: FlaskClient, stored_plan: dict) -> None:
    token = stored_plan["token"]
    others = [s for s in sessions(stored_plan) if s["kind"] != "run"]
    assert others
    for kind in {s["kind"] for s in others}:
        uid = next(s["uid"] for s in others if s["kind"] == kind)
        assert client.get(f"/plans/{token}/sessions/{uid}.fit").status_code == 404, kind
    assert client.get(f"/plans/{token}/sessions/NOT-A-SESSION.fit").status_code == 404


def test_unknown_token_is_404_everywhere(client: FlaskClient, stored_plan: dict) -> None:
    uid = next(s["uid"] for s in sessions(stored_plan) if s["kind"] == "run")
    for path in (f"/plans/{MISSING}.csv", f"/plans/{MISSING}/garmin.zip", f"/plans/{MISSING}/sessions/{uid}.fit"):
        assert client.get(path).status_code == 404, path


def test_deleted_plan_downloads_are_gone(client: FlaskClient, stored_plan: dict) -> None:
    token = stored_plan["token"]
    uid = next(s["uid"] for s in sessions(stored_plan) if s["kind"] == "run")
    assert client.delete(f"/api/v1/plans/{token}").status_code == 204
    for path in (f"/plans/{token}.csv", f"/plans/{token}/garmin.zip", f"/plans/{token}/sessions/{uid}.fit"):
        assert client.get(path).status_code == 404, path


def test_settle_weeks_have_no_fit_files(client: FlaskClient, past_start: date) -> None:
    """A reactive tendon starts with settle weeks (walks, rehab): the zip holds only the later runs."""
    created = client.post("/api/v1/plans", json={
        "weekly_volume": 10, "current_pain": 4, "pain_at_rest": 2, "start_date": past_start.isoformat(),
    })
    assert created.status_code == 201, created.json
    weeks = created.json["plan"]["weeks"]
    assert weeks[0]["phase"] == "settle"
    response = client.get(created.json["links"]["garmin"])
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        names = archive.namelist()
    runs = [s for w in weeks for s in w["sessions"] if s["kind"] == "run"]
    assert "schedule.fit" in names  # the plan runs on past today
    assert len(names) == 2 + len(runs)
    settle_days = {s["date"] for w in weeks if w["phase"] == "settle" for s in w["sessions"]}
    assert not [n for n in names if n[:10] in settle_days]


def test_a_new_link_gives_the_files_new_etags(client, app, stored_plan) -> None:
    """The same bytes under the old and the new link must not share an ETag (it would tie the two)."""
    from planner import services

    token = stored_plan["token"]
    run = next(s for w in stored_plan["plan"]["weeks"] for s in w["sessions"] if s["kind"] == "run")
    paths = (".csv", "/garmin.zip", f"/sessions/{run['uid']}.fit")
    before = {p: client.get(f"/plans/{token}{p}") for p in paths}
    with app.test_request_context():
        new = services.rotate(token)
    for path, old in before.items():
        again = client.get(f"/plans/{new}{path}")
        assert again.data == old.data and again.headers["ETag"] != old.headers["ETag"], path


# -- the watch's calendar: schedule.fit, the next four weeks from the runner's today ----------------

AUCKLAND_START = date(2027, 1, 4)  # a Monday
FIT_EPOCH = datetime(1989, 12, 31)


def garmin_entries(response) -> dict[str, bytes]:
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def scheduled(entries: dict[str, bytes]) -> list[tuple[str, datetime]]:
    """Each schedule entry as the workout file it names (by file_id) and its local start."""
    by_id = {}
    for name, data in entries.items():
        if name.endswith(".fit") and name != "schedule.fit":
            (file_id,) = decode(data)["file_id_mesgs"]
            key = (file_id["manufacturer"], file_id["product"], file_id["serial_number"], file_id["time_created"])
            assert key not in by_id, name
            by_id[key] = name
    messages = decode(entries["schedule.fit"])
    assert messages["file_id_mesgs"][0]["type"] == "schedules"
    return [(by_id[(e["manufacturer"], e["product"], e["serial_number"], e["time_created"])],
             FIT_EPOCH + timedelta(seconds=e["scheduled_time"]))
            for e in messages["schedule_mesgs"]]


@pytest.fixture
def auckland_plan(client: FlaskClient, clock) -> dict:
    """A runner in Auckland who runs at 06:30, created the week before the plan starts."""
    clock.at(datetime(2026, 12, 30, 20, 0, tzinfo=UTC))
    created = client.post("/api/v1/plans", json={
        "weekly_volume": 30, "current_pain": 2, "start_date": AUCKLAND_START.isoformat(),
        "timezone": "Pacific/Auckland", "session_time": "06:30",
    })
    assert created.status_code == 201, created.json
    return created.json


def test_garmin_zip_schedules_the_runners_next_four_weeks(client: FlaskClient, clock, auckland_plan: dict) -> None:
    """20:00 UTC on the 10th is 09:00 on the 11th in Auckland: the schedule starts on the 11th."""
    clock.at(datetime(2027, 1, 10, 20, 0, tzinfo=UTC))
    today = date(2027, 1, 11)
    entries = garmin_entries(client.get(auckland_plan["links"]["garmin"]))
    runs = [s for s in sessions(auckland_plan) if s["kind"] == "run"]
    ahead = [s for s in runs if today <= date.fromisoformat(s["date"]) <= today + timedelta(days=27)]
    assert any(date.fromisoformat(s["date"]) < today for s in runs)  # runs behind are left out
    found = scheduled(entries)
    assert [name[:10] for name, _ in found] == [s["date"] for s in ahead]
    assert [start.date().isoformat() for _, start in found] == [s["date"] for s in ahead]
    assert all(start.time().isoformat() == "06:30:00" for _, start in found)
    assert "next 4 weeks" in entries["README.txt"].decode()


def test_garmin_zip_changes_with_the_runners_day(client: FlaskClient, app, clock, auckland_plan: dict) -> None:
    """Stored per day: the same day answers 304 from the stored copy; the next day, new bytes, a new ETag,
    and no 304 for yesterday's ETag or Last-Modified."""
    from sqlalchemy import select

    from planner.extensions import db
    from planner.store.models import PlanRecord, RenderedExport

    url = auckland_plan["links"]["garmin"]
    clock.at(datetime(2027, 1, 10, 20, 0, tzinfo=UTC))  # the 11th in Auckland
    first = client.get(url)
    clock.at(datetime(2027, 1, 11, 10, 0, tzinfo=UTC))  # 23:00 on the 11th in Auckland: still that day
    same = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert same.status_code == 304
    assert client.get(url).data == first.data

    with app.app_context():
        plan_id = db.session.scalar(select(PlanRecord.id).where(PlanRecord.token == auckland_plan["token"]))
        row = db.session.get(RenderedExport, (plan_id, "garmin"))
        assert row is not None and row.variant == "Pacific/Auckland 2027-01-11"

    clock.at(datetime(2027, 1, 11, 11, 30, tzinfo=UTC))  # 00:30 on the 12th in Auckland
    stale = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert stale.status_code == 200
    assert client.get(url, headers={"If-Modified-Since": first.headers["Last-Modified"]}).status_code == 200
    assert stale.headers["ETag"] != first.headers["ETag"]
    before, after = scheduled(garmin_entries(first)), scheduled(garmin_entries(stale))
    assert before != after
    assert before[0][1].date() == date(2027, 1, 11) and after[0][1].date() > date(2027, 1, 11)
    assert after[-1][1].date() <= date(2027, 1, 12) + timedelta(days=27)
    assert {name for name, _ in after} - {name for name, _ in before}  # a run 27 days on comes in
