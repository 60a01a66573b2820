"""The download routes: the CSV table, the Garmin zip and one session's FIT file, on a stored plan."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date

import pandas as pd
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
    assert len(names) == 1 + len(runs)
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
