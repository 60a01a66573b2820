"""Hostile input that once crashed or slipped through: JSON nested too deeply (500 and a RecursionError
in the log), control characters in free text (a NUL made PostgreSQL fail), bodies that are not sent as
JSON (a page on another site could post them without a CORS preflight), and the lock files."""

from __future__ import annotations

import logging
import re
from html import unescape
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

ROOT = Path(__file__).resolve().parent.parent
PLAN = {"weekly_volume": 30, "current_pain": 2}


def _first_run_day(stored_plan: dict) -> str:
    return next(s["date"] for w in stored_plan["plan"]["weeks"] for s in w["sessions"] if s["kind"] == "run")


def _checkins(client: FlaskClient, token: str) -> list[dict]:
    return client.get(f"/api/v1/plans/{token}").json["checkins"]


def _json_paths(token: str, day: str) -> list[tuple[str, str]]:
    """Every route whose body is JSON, as (method, path)."""
    return [("POST", "/api/v1/plans/preview"), ("POST", "/api/v1/plans"),
            ("POST", f"/api/v1/plans/{token}/checkins"), ("POST", "/api/v1/plans/made-up-token/checkins"),
            ("PATCH", f"/api/v1/plans/{token}/checkins/{day}")]


# -- 1. nesting ----------------------------------------------------------------------------------

DEEP = [
    b"[" * 1000 + b"]" * 1000,
    b'{"a":' * 1000 + b"1" + b"}" * 1000,
    b'{"weekly_volume": 30, "current_pain": 2, "name": ' + b"[" * 1000 + b"]" * 1000 + b"}",
    b'{"date": "2026-01-01", "pain_during": 1, "notes": ' + b'{"x":' * 5000 + b"0" + b"}" * 5000 + b"}",
    b"[" * 60_000,  # never closed, just under the 64 KiB limit
]


@pytest.mark.parametrize("body", DEEP, ids=["array", "object", "in-a-field", "5000-in-notes", "unclosed"])
def test_json_nested_too_deeply_is_a_400_problem_without_a_traceback(
        client: FlaskClient, stored_plan: dict, caplog: pytest.LogCaptureFixture, body: bytes) -> None:
    token = stored_plan["token"]
    caplog.set_level(logging.DEBUG)
    for method, path in _json_paths(token, _first_run_day(stored_plan)):
        response = client.open(path, method=method, data=body, content_type="application/json")
        assert response.status_code == 400, (path, response.status_code)
        assert response.mimetype == "application/problem+json"
        assert response.json["status"] == 400 and "nested too deeply" in response.json["detail"]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info], caplog.text
    assert "RecursionError" not in caplog.text and "Traceback" not in caplog.text
    assert _checkins(client, token) == []


def test_the_nesting_a_body_really_has_still_passes(client: FlaskClient, stored_plan: dict) -> None:
    day = _first_run_day(stored_plan)
    body = {**PLAN, "checkins": [{"date": day, "pain_during": 1, "actual": {"running_minutes": 20}}],
            "start_date": stored_plan["plan"]["request"]["start_date"]}
    assert client.post("/api/v1/plans/preview", json=body).status_code == 200


def test_a_body_that_is_not_an_object_is_still_422_naming_the_body(client: FlaskClient) -> None:
    for body in (b"[]", b"1", b'"text"', b"null", b"[[[[1]]]]"):
        response = client.post("/api/v1/plans/preview", data=body, content_type="application/json")
        assert response.status_code == 422, body
        assert response.json["errors"] == [{"field": "body", "message": "Expected a JSON object."}]


@pytest.mark.parametrize("body", [b"{", b"", b"\xff\xfe{}", b'{"name": "\\ud800"}', b"{'a': 1}"])
def test_what_is_not_json_is_still_400(client: FlaskClient, body: bytes) -> None:
    response = client.post("/api/v1/plans", data=body, content_type="application/json")
    assert response.status_code == 400 and response.mimetype == "application/problem+json"
    assert response.json["detail"] == "The request body is not valid JSON."


# -- 2. control characters ----------------------------------------------------------------------

CONTROL = ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f", "\x80", "\x85", "\x9f"]


@pytest.mark.parametrize("char", CONTROL, ids=[f"U+{ord(c):04X}" for c in CONTROL])
def test_control_characters_in_api_free_text_are_422_naming_the_field(
        client: FlaskClient, stored_plan: dict, char: str) -> None:
    token, day = stored_plan["token"], _first_run_day(stored_plan)
    text = f"knee ok{char}then sore"
    answers = [
        ("name", client.post("/api/v1/plans", json={**PLAN, "name": text})),
        ("name", client.post("/api/v1/plans/preview", json={**PLAN, "name": text})),
        ("checkins.0.notes", client.post("/api/v1/plans/preview", json={
            **PLAN, "start_date": stored_plan["plan"]["request"]["start_date"],
            "checkins": [{"date": day, "pain_during": 1, "notes": text}]})),
        ("notes", client.post(f"/api/v1/plans/{token}/checkins", json={"date": day, "pain_during": 1, "notes": text})),
    ]
    message = f"Enter text without control characters (this has U+{ord(char):04X})."
    for field, response in answers:
        assert response.status_code == 422, (field, response.status_code)
        assert response.mimetype == "application/problem+json"
        assert response.json["errors"] == [{"field": field, "message": message}], response.json
    assert _checkins(client, token) == []
    # A check-in that exists keeps its notes when the morning score's notes are refused.
    assert client.post(f"/api/v1/plans/{token}/checkins", json={"date": day, "pain_during": 1,
                                                                "notes": "fine"}).status_code == 201
    morning = client.patch(f"/api/v1/plans/{token}/checkins/{day}", json={"pain_next_morning": 1, "notes": text})
    assert morning.status_code == 422 and morning.json["errors"][0]["field"] == "notes"
    assert [c["notes"] for c in _checkins(client, token)] == ["fine"]


def test_tabs_and_line_breaks_are_free_text(client: FlaskClient, stored_plan: dict) -> None:
    token, day = stored_plan["token"], _first_run_day(stored_plan)
    notes = "Felt fine.\r\nKnee:\tquiet\nZoë 🏃 \u2028"
    response = client.post(f"/api/v1/plans/{token}/checkins", json={"date": day, "pain_during": 1, "notes": notes})
    assert response.status_code == 201, response.json
    assert _checkins(client, token)[0]["notes"] == notes
    named = client.post("/api/v1/plans", json={**PLAN, "name": "Ann\tLee\n"})
    assert named.status_code == 201 and named.json["plan"]["request"]["name"] == "Ann Lee"


def _field_error(html: str, field: str) -> str:
    found = re.search(rf'<p class="field-error" id="{field}-error">.*?</span>(.*?)</p>', html, re.S)
    assert found, f"no error beside {field}"
    return unescape(found.group(1))


def test_control_characters_in_forms_are_refused_beside_the_field(client: FlaskClient, stored_plan: dict) -> None:
    token, day = stored_plan["token"], _first_run_day(stored_plan)
    checkin = client.post(f"/plans/{token}/checkins", data={"date": day, "pain_during": "1", "completed": "yes",
                                                             "notes": "sore\x00knee"})
    assert checkin.status_code == 422
    assert _field_error(checkin.get_data(as_text=True), "notes") == \
        "Enter text without control characters (this has U+0000)."
    assert _checkins(client, token) == []
    created = client.post("/plans", data={"weekly_volume": "20", "current_pain": "1", "unit": "km",
                                          "runs_per_week": "3", "name": "Eve\x1b[31m"})
    assert created.status_code == 422
    assert _field_error(created.get_data(as_text=True), "name") == \
        "Enter text without control characters (this has U+001B)."


# -- 3. content types ----------------------------------------------------------------------------

NOT_JSON = ["text/plain", "text/plain; charset=utf-8", "application/x-www-form-urlencoded", "multipart/form-data",
            "application/xml", "text/json", None, "application/json; charset=iso-8859-1", "application/jsonp"]


@pytest.mark.parametrize("content_type", NOT_JSON)
def test_a_body_not_sent_as_json_is_415(client: FlaskClient, stored_plan: dict, app: Flask,
                                        content_type: str | None) -> None:
    token, day = stored_plan["token"], _first_run_day(stored_plan)
    bodies = {"/api/v1/plans/preview": PLAN, "/api/v1/plans": PLAN,
              f"/api/v1/plans/{token}/checkins": {"date": day, "pain_during": 1},
              f"/api/v1/plans/{token}/checkins/{day}": {"pain_next_morning": 1}}
    for path, body in bodies.items():
        method = "PATCH" if path.endswith(day) else "POST"
        raw = app.json.dumps(body).encode()
        headers = {"Content-Type": content_type} if content_type else {}
        response = client.open(path, method=method, data=raw, headers=headers)
        assert response.status_code == 415, (path, content_type, response.status_code)
        assert response.mimetype == "application/problem+json" and response.json["status"] == 415
        assert "application/json" in response.json["detail"]
        assert response.headers[f"Accept-{method.title()}"] == "application/json"
    assert _checkins(client, token) == []
    assert client.get(f"/api/v1/plans/{token}").json["plan"] == stored_plan["plan"]


def test_no_body_at_all_is_400_not_json(client: FlaskClient) -> None:
    response = client.post("/api/v1/plans/preview")
    assert response.status_code == 400 and response.json["detail"] == "The request body is not valid JSON."
    assert client.post("/api/v1/plans/preview", content_type="text/plain").status_code == 415


@pytest.mark.parametrize("content_type", ["application/json", "application/json; charset=utf-8",
                                          "Application/JSON; Charset=UTF-8", "application/merge-patch+json",
                                          "application/vnd.planner+json"])
def test_json_and_its_suffix_types_are_read(client: FlaskClient, stored_plan: dict, content_type: str) -> None:
    token, day = stored_plan["token"], _first_run_day(stored_plan)
    preview = client.post("/api/v1/plans/preview", data=b'{"weekly_volume": 30, "current_pain": 2}',
                          headers={"Content-Type": content_type})
    assert preview.status_code == 200, preview.json
    checkin = client.post(f"/api/v1/plans/{token}/checkins", data=f'{{"date": "{day}", "pain_during": 1}}',
                          headers={"Content-Type": content_type})
    assert checkin.status_code == 201, checkin.json


# -- 4. lock files -------------------------------------------------------------------------------

def _pins(path: Path) -> dict[str, str]:
    """name -> version of every `name==version` line (extras and markers left out)."""
    pins = {}
    for line in path.read_text().splitlines():
        found = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)", line)
        if found:
            pins[re.sub(r"[-_.]+", "-", found.group(1)).lower()] = found.group(2)
    return pins


@pytest.mark.parametrize(("inputs", "lock"), [(["requirements.txt"], "requirements.lock"),
                                              (["requirements.txt", "requirements-dev.txt"], "requirements-dev.lock")])
def test_the_lock_files_pin_every_requirement_with_hashes(inputs: list[str], lock: str) -> None:
    """A requirement added or moved without `make lock` fails here, saying which."""
    locked = _pins(ROOT / lock)
    for name in inputs:
        for package, version in _pins(ROOT / name).items():
            assert locked.get(package) == version, f"{name} pins {package}=={version}; run `make lock`"
    lines = (ROOT / lock).read_text().splitlines()
    for number, line in enumerate(lines):
        if re.match(r"^[A-Za-z0-9]", line):  # a requirement; its hashes follow on continuation lines
            assert line.endswith("\\") and "--hash=sha256:" in lines[number + 1], f"{lock}: no hash for {line}"


def test_the_runtime_lock_has_the_versions_the_tests_ran() -> None:
    tested = _pins(ROOT / "requirements-dev.lock")
    for package, version in _pins(ROOT / "requirements.lock").items():
        assert tested.get(package) == version, f"requirements.lock has {package}=={version}; run `make lock`"
