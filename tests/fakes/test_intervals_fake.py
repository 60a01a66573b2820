"""The intervals.icu fake, driven over real HTTP with `requests` and judged by its own OpenAPI document.

Answers are checked against the document too (openapi-core's response validation), so a handler
that drifts from the document's Event shape fails here before a sync test trusts it.
"""

from __future__ import annotations

import base64
import functools
import itertools
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st
from openapi_core import Config, OpenAPI
from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse

from planner.engine import Kind, PlanRequest, build_plan
from planner.exports import fit
from tests.fakes.intervals import FakeIntervals
from tests.fakes.intervals_document import DOCUMENT, document

ATHLETE, KEY = "i123", "secretkey"
AUTH = ("API_KEY", KEY)
BULK = {"upsert": "true", "upsertOnUid": "false", "updatePlanApplied": "false"}
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def fake() -> Iterator[FakeIntervals]:
    with FakeIntervals() as fake:
        fake.add_athlete(ATHLETE, KEY, name="Rita Runner")
        yield fake


@functools.cache
def answers() -> OpenAPI:
    """The document for judging the fake's answers: it types them `*/*`, which openapi-core leaves unread."""
    spec = json.loads(json.dumps(document()).replace('"*/*"', '"application/json"'))
    return OpenAPI.from_dict(spec, config=Config(spec_validator_cls=None))


class Client:
    """`requests` against the fake for one athlete; every 2xx answer must match the document."""

    def __init__(self, fake: FakeIntervals, athlete: str = ATHLETE, auth: Any = AUTH) -> None:
        self.base = f"{fake.url}/api/v1/athlete/{athlete}"
        self.auth = auth

    def __call__(self, method: str, path: str = "", **kwargs: Any) -> requests.Response:
        kwargs.setdefault("auth", self.auth)
        kwargs.setdefault("timeout", 10)
        response = requests.request(method, self.base + path, **kwargs)
        if response.ok:
            answers().validate_response(RequestsOpenAPIRequest(response.request),
                                        RequestsOpenAPIResponse(response))
        return response


def workout(day: str, external_id: str, **fields: Any) -> dict[str, Any]:
    return {"category": "WORKOUT", "type": "Run", "start_date_local": day, "name": f"Run {external_id}",
            "external_id": external_id, **fields}


def run_file() -> tuple[str, bytes]:
    """A real run's FIT workout from the app's own exporter."""
    plan = build_plan(PlanRequest(weekly_volume=20, current_pain=2, start_date=date(2026, 11, 30)),
                      today=date(2026, 11, 25), seed="fake-intervals")
    session = next(s for s in plan.sessions if s.kind is Kind.RUN)
    return fit.file_name(session, 1), fit.workout_file(session, name=fit.workout_name(session, 1))


def test_the_vendored_document_is_valid_openapi() -> None:
    """The fake skips this check to start fast, so a refreshed document must pass it here."""
    OpenAPI.from_dict(json.loads(DOCUMENT.read_text(encoding="utf-8")))  # checks it, raising when it is not
    OpenAPI.from_dict(document())  # and as the fake reads it


# -- the operations, with valid requests -----------------------------------------------------------

def test_valid_requests_pass_the_document_and_leave_invalid_empty(fake: FakeIntervals) -> None:
    api = Client(fake)
    assert api("GET").json() == {"id": ATHLETE, "name": "Rita Runner"}

    one = api("POST", "/events", params={"upsertOnUid": "false"}, json=workout("2026-12-01", "a"))
    assert one.status_code == 200
    assert one.json()["start_date_local"] == "2026-12-01T00:00:00"
    created = api("POST", "/events/bulk", params=BULK,
                  json=[workout("2026-12-03T07:30", "b"), workout("2026-12-02", "c", category="NOTE")]).json()
    assert [event["external_id"] for event in created] == ["b", "c"]
    ids = [one.json()["id"], *(event["id"] for event in created)]
    assert ids == sorted(ids) and len(set(ids)) == 3 and all(0 < i < 2**31 for i in ids)

    for form in ("", ".json"):
        listed = api("GET", f"/events{form}", params={"oldest": "2026-12-01", "newest": "2026-12-03"}).json()
        assert [event["external_id"] for event in listed] == ["a", "c", "b"]  # by start_date_local

    event_id = ids[0]
    assert api("GET", f"/events/{event_id}").json()["name"] == "Run a"
    updated = api("PUT", f"/events/{event_id}", json={"name": "Easy run", "moving_time": 1800}).json()
    assert (updated["name"], updated["moving_time"], updated["external_id"]) == ("Easy run", 1800, "a")
    assert api("DELETE", f"/events/{event_id}").status_code == 200
    assert api("GET", f"/events/{event_id}").status_code == 404

    assert [event["external_id"] for event in fake.events(ATHLETE)] == ["c", "b"]
    assert fake.invalid == []
    assert [(r.method, r.status) for r in fake.requests][:3] == [("GET", 200), ("POST", 200), ("POST", 200)]
    assert fake.requests[2].query == BULK and fake.requests[2].body[0]["external_id"] == "b"


def test_list_keeps_inclusive_days_the_categories_asked_for_and_the_limit(fake: FakeIntervals) -> None:
    api = Client(fake)
    api("POST", "/events/bulk", params=BULK, json=[
        workout("2026-11-30", "before"), workout("2026-12-01T23:59:59", "first"),
        workout("2026-12-07", "last", category="NOTE"), workout("2026-12-08", "after"),
        workout("2026-12-04", "race", category="RACE_B"),
    ])
    week = {"oldest": "2026-12-01", "newest": "2026-12-07"}

    def listed(**query: Any) -> list[str]:
        return [event["external_id"] for event in api("GET", "/events", params={**week, **query}).json()]

    assert listed() == ["first", "race", "last"]
    assert listed(category="WORKOUT,NOTE") == ["first", "last"]
    assert listed(category=["RACE_B", "NOTE"]) == ["race", "last"]
    assert listed(limit=2) == ["first", "race"]
    assert [e["external_id"] for e in api("GET", "/events", params={"oldest": "2026-12-01"}).json()] == \
        ["first", "race", "last"]  # newest: oldest plus 6 days
    assert fake.invalid == []


def test_upsert_by_external_id_updates_instead_of_adding(fake: FakeIntervals) -> None:
    api = Client(fake)
    first = api("POST", "/events/bulk", params=BULK, json=[workout("2026-12-01", "s1"), workout("2026-12-03", "s2")])
    again = api("POST", "/events/bulk", params=BULK,
                json=[workout("2026-12-01", "s1", name="Run 1, repeated"), workout("2026-12-05", "s3")])

    assert again.json()[0]["id"] == first.json()[0]["id"]
    assert [(e["external_id"], e["name"]) for e in fake.events(ATHLETE)] == [
        ("s1", "Run 1, repeated"), ("s2", "Run s2"), ("s3", "Run s3")]

    api("POST", "/events/bulk", params={**BULK, "upsert": "false"}, json=[workout("2026-12-01", "s1")])
    assert [e["external_id"] for e in fake.events(ATHLETE)].count("s1") == 2  # without upsert: a new event
    assert fake.invalid == []


def test_upsert_on_uid_for_one_event(fake: FakeIntervals) -> None:
    api = Client(fake)
    first = api("POST", "/events", params={"upsertOnUid": "true"}, json=workout("2026-12-01", "u", uid="run-1"))
    second = api("POST", "/events", params={"upsertOnUid": "true"},
                 json=workout("2026-12-02", "u", uid="run-1", name="Moved"))
    assert second.json()["id"] == first.json()["id"]
    assert [(e["start_date_local"], e["name"]) for e in fake.events(ATHLETE)] == [("2026-12-02T00:00:00", "Moved")]


ATHLETES = itertools.count(1)


@pytest.fixture(scope="module")
def shared_fake() -> Iterator[FakeIntervals]:
    """One fake for every hypothesis example; each example is an athlete of its own."""
    with FakeIntervals() as fake:
        yield fake
        assert fake.invalid == []


@settings(max_examples=15, deadline=None)
@given(st.lists(st.lists(st.tuples(st.sampled_from("abcd"), st.integers(1, 28), st.text("xyz ", max_size=5)),
                         min_size=1, max_size=4), min_size=1, max_size=3))
def test_property_upserts_keep_one_event_per_external_id_holding_the_last_sent(
        shared_fake: FakeIntervals, batches: list[list[tuple[str, int, str]]]) -> None:
    athlete = f"i{next(ATHLETES)}"
    shared_fake.add_athlete(athlete, f"key-{athlete}")
    api = Client(shared_fake, athlete, ("API_KEY", f"key-{athlete}"))
    last: dict[str, tuple[str, str]] = {}
    for batch in batches:
        sent = [workout(f"2026-12-{day:02d}", external_id, name=name) for external_id, day, name in batch]
        assert api("POST", "/events/bulk", params=BULK, json=sent).status_code == 200
        last.update({external_id: (f"2026-12-{day:02d}T00:00:00", name) for external_id, day, name in batch})
    stored = shared_fake.events(athlete)
    assert {e["external_id"]: (e["start_date_local"], e["name"]) for e in stored} == last
    assert len(stored) == len(last)
    order = [(e["start_date_local"], e["id"]) for e in stored]
    assert order == sorted(order)


def test_bulk_delete_by_external_id_or_id_ignores_the_unknown(fake: FakeIntervals) -> None:
    api = Client(fake)
    created = api("POST", "/events/bulk", params=BULK,
                  json=[workout("2026-12-01", "a"), workout("2026-12-02", "b"), workout("2026-12-03", "c")]).json()
    answer = api("PUT", "/events/bulk-delete", json=[
        {"external_id": "a"}, {"id": created[1]["id"]}, {"external_id": "gone"}, {"id": 99999},
        {"id": created[2]["id"], "external_id": "nothing-like-it"},  # external_id wins, so c stays
    ])
    assert answer.json() == {"eventsDeleted": 2}
    assert [e["external_id"] for e in fake.events(ATHLETE)] == ["c"]
    assert fake.invalid == []


def test_delete_a_range_of_days_and_categories(fake: FakeIntervals) -> None:
    api = Client(fake)
    api("POST", "/events/bulk", params=BULK, json=[
        workout("2026-11-30", "a"), workout("2026-12-01", "b"), workout("2026-12-02", "note", category="NOTE"),
        workout("2026-12-07", "c"), workout("2027-03-01", "d"),
    ])
    answer = api("DELETE", "/events", params={"oldest": "2026-12-01", "newest": "2026-12-07", "category": "WORKOUT"})
    assert answer.json() == {"eventsDeleted": 2}
    assert [e["external_id"] for e in fake.events(ATHLETE)] == ["a", "note", "d"]
    api("DELETE", "/events", params={"oldest": "2026-12-01", "category": "WORKOUT,NOTE"})  # no newest: all ahead
    assert [e["external_id"] for e in fake.events(ATHLETE)] == ["a"]
    assert fake.invalid == []


def test_an_unknown_event_is_404_and_no_contract_breach(fake: FakeIntervals) -> None:
    api = Client(fake)
    assert api("GET", "/events/4242").status_code == 404
    assert api("PUT", "/events/4242", json={"name": "x"}).status_code == 404
    assert api("DELETE", "/events/4242").status_code == 404
    assert fake.invalid == []


# -- what the document (or the service) forbids ------------------------------------------------

@pytest.mark.parametrize(("method", "path", "params", "body", "named"), [
    ("POST", "/events/bulk", {"upsert": "true"}, [workout("2026-12-01", "a")], "query parameter: upsertOnUid"),
    ("POST", "/events", {}, workout("2026-12-01", "a"), "query parameter: upsertOnUid"),
    ("POST", "/events", {"upsertOnUid": "maybe"}, workout("2026-12-01", "a"), "upsertOnUid"),
    ("POST", "/events/bulk", BULK, [workout("2026-12-01", "a", moving_time="half an hour")], "body[0].moving_time"),
    ("POST", "/events/bulk", BULK, [workout("2026-12-01", "a", category="RUN")], "body[0].category"),
    ("POST", "/events", {"upsertOnUid": "false"}, workout("2026-12-01", "a", tags="one"), "body.tags"),
    ("PUT", "/events/bulk-delete", {}, [{"id": "first"}], "body[0].id"),
    ("PUT", "/events/bulk-delete", {}, {"external_id": "a"}, "body: "),
    ("GET", "/events", {"category": "WORKOUTS"}, None, "category: WORKOUTS"),
    ("GET", "/events", {"oldest": "next week"}, None, "oldest"),
    ("DELETE", "/events", {"oldest": "2026-12-01"}, None, "query parameter: category"),
    ("GET", "/events/abc", {}, None, "eventId"),
    ("POST", "/events", {"upsertOnUid": "false"}, {"category": "WORKOUT"}, "body.start_date_local: needed"),
    ("POST", "/events/bulk", BULK, [workout("2026-12-01", "a"), {"start_date_local": "2026-12-02"}],
     "body[1].category: needed"),
    ("POST", "/events", {"upsertOnUid": "false"}, workout("2026-12-01T07:00:00Z", "a"), "has a zone"),
    ("POST", "/events", {"upsertOnUid": "false"}, workout("1 December", "a"), "not an ISO-8601"),
])
def test_a_request_the_document_forbids_is_422_and_recorded(
        fake: FakeIntervals, method: str, path: str, params: dict[str, str], body: Any, named: str) -> None:
    answer = Client(fake)(method, path, params=params, json=body)
    assert answer.status_code == 422, answer.text
    assert any(named in problem for problem in answer.json()["problems"]), answer.json()
    assert fake.invalid and all(line.startswith(f"{method} /api/v1/athlete/{ATHLETE}") for line in fake.invalid)
    assert any(named in line for line in fake.invalid)
    assert fake.events(ATHLETE) == []  # nothing stored, not even the valid half of a batch


def test_a_body_that_is_not_json_is_422(fake: FakeIntervals) -> None:
    answer = Client(fake)("POST", "/events", params={"upsertOnUid": "false"}, data="{oops",
                          headers={"Content-Type": "application/json"})
    assert answer.status_code == 422
    assert "Failed to deserialize" in fake.invalid[0]


def test_paths_and_methods_outside_the_document_are_recorded(fake: FakeIntervals) -> None:
    assert requests.get(f"{fake.url}/api/v1/athlete/{ATHLETE}/calendar-of-dreams", auth=AUTH).status_code == 404
    assert requests.patch(f"{fake.url}/api/v1/athlete/{ATHLETE}/events/1", auth=AUTH).status_code == 405
    assert fake.invalid == [
        f"GET /api/v1/athlete/{ATHLETE}/calendar-of-dreams: not a path in the document",
        f"PATCH /api/v1/athlete/{ATHLETE}/events/1: not an operation in the document",
    ]


def test_documented_operations_outside_the_fake_answer_501(fake: FakeIntervals) -> None:
    answer = Client(fake)("GET", "/wellness.json")
    assert answer.status_code == 501 and "listWellnessRecords" in answer.json()["error"]
    assert fake.invalid == []


# -- FIT files ------------------------------------------------------------------------------------

def test_a_fit_workout_that_garmins_sdk_reads_is_kept_as_sent(fake: FakeIntervals) -> None:
    name, data = run_file()
    encoded = base64.b64encode(data).decode()
    answer = Client(fake)("POST", "/events/bulk", params=BULK,
                          json=[workout("2026-12-01", "f", filename=name, file_contents_base64=encoded)])
    assert answer.status_code == 200, answer.text
    stored = fake.events(ATHLETE)[0]
    assert (stored["filename"], base64.b64decode(stored["file_contents_base64"])) == (name, data)
    assert fake.invalid == []


@pytest.mark.parametrize(("damage", "problem"), [
    (lambda data: base64.b64encode(data[:-1]).decode(), "CRC does not match"),
    (lambda data: base64.b64encode(data[:-3] + bytes([data[-3] ^ 0xFF]) + data[-2:]).decode(), "CRC does not match"),
    (lambda data: base64.b64encode(b"<workout_file/>" * 4).decode(), "not a FIT file"),
    (lambda data: "not base64 at all!", "not base64"),
])
def test_a_fit_file_garmins_sdk_refuses_is_422(fake: FakeIntervals, damage: Any, problem: str) -> None:
    name, data = run_file()
    answer = Client(fake)("POST", "/events", params={"upsertOnUid": "false"},
                          json=workout("2026-12-01", "f", filename=name, file_contents_base64=damage(data)))
    assert answer.status_code == 422
    assert problem in answer.json()["problems"][0] and problem in fake.invalid[0]
    assert fake.events(ATHLETE) == []


# -- accounts ---------------------------------------------------------------------------------------

def test_keys_401_and_403(fake: FakeIntervals) -> None:
    fake.add_athlete("i456", "otherkey")
    events = f"{fake.url}/api/v1/athlete/{ATHLETE}/events"
    assert requests.get(events).status_code == 401
    assert requests.get(events, auth=("API_KEY", "wrong")).status_code == 401
    assert requests.get(events, auth=("someone", KEY)).status_code == 401  # the user must be API_KEY
    assert requests.get(events, auth=("API_KEY", "otherkey")).status_code == 403
    assert requests.get(events, headers={"Authorization": f"Bearer {KEY}"}).status_code == 200
    fake.revoke(ATHLETE)
    assert requests.get(events, auth=AUTH).status_code == 401
    assert requests.get(f"{fake.url}/api/v1/athlete/i456", auth=("API_KEY", "otherkey")).status_code == 200
    assert requests.get(events).headers["WWW-Authenticate"].startswith("Basic")
    assert fake.invalid == []


# -- faults -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("status", [500, 503, 401])
def test_fail_answers_the_status_and_changes_nothing(fake: FakeIntervals, status: int) -> None:
    api = Client(fake)
    fake.fail(status, times=2)
    for _ in range(2):
        assert api("POST", "/events/bulk", params=BULK, json=[workout("2026-12-01", "a")]).status_code == status
    assert fake.events(ATHLETE) == []
    assert api("POST", "/events/bulk", params=BULK, json=[workout("2026-12-01", "a")]).status_code == 200
    assert [r.status for r in fake.requests] == [status, status, 200]


def test_fail_comes_before_the_key_is_checked(fake: FakeIntervals) -> None:
    fake.fail(503)
    assert requests.get(f"{fake.url}/api/v1/athlete/{ATHLETE}").status_code == 503
    assert requests.get(f"{fake.url}/api/v1/athlete/{ATHLETE}").status_code == 401


def test_429_carries_retry_after(fake: FakeIntervals) -> None:
    fake.fail(429, retry_after=7)
    answer = Client(fake)("GET")
    assert (answer.status_code, answer.headers["Retry-After"]) == (429, "7")
    fake.fail(429)
    assert "Retry-After" not in Client(fake)("GET").headers


def test_hang_makes_the_clients_timeout_fire_and_the_request_still_lands(fake: FakeIntervals) -> None:
    fake.hang(1.5)
    started = time.monotonic()
    with pytest.raises(requests.exceptions.ReadTimeout):
        Client(fake)("POST", "/events/bulk", params=BULK, json=[workout("2026-12-01", "a")], timeout=0.3)
    assert time.monotonic() - started < 1.4
    assert fake.events(ATHLETE) == []
    deadline = time.monotonic() + 10
    while not fake.events(ATHLETE) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [e["external_id"] for e in fake.events(ATHLETE)] == ["a"]  # so a retry must upsert, not add
    assert Client(fake)("GET", timeout=1).status_code == 200  # only the next request hung


def test_fail_after_breaks_a_sync_halfway(fake: FakeIntervals) -> None:
    api = Client(fake)
    fake.fail_after(2, 503, times=2)
    statuses = [api("POST", "/events", params={"upsertOnUid": "false"}, json=workout(f"2026-12-0{day}", str(day)))
                .status_code for day in range(1, 7)]
    assert statuses == [200, 200, 503, 503, 200, 200]
    assert [e["external_id"] for e in fake.events(ATHLETE)] == ["1", "2", "5", "6"]


def test_rate_limit_over_a_sliding_second() -> None:
    with FakeIntervals(rate_limit_per_second=2) as fake:
        fake.add_athlete(ATHLETE, KEY)
        api = Client(fake)
        answers = [api("GET") for _ in range(5)]
        time.sleep(1.1)
        answers.append(api("GET"))
        records = fake.requests
    # Judged against the arrival times the fake recorded: a request is refused exactly when two were
    # admitted in the second before it, whatever the speed of this machine.
    admitted: list[float] = []
    for answer, record in zip(answers, records, strict=True):
        full = len([t for t in admitted if t > record.time - 1.0]) >= 2
        assert answer.status_code == (429 if full else 200)
        if full:
            assert answer.headers["Retry-After"] == "1"
        else:
            admitted.append(record.time)
    assert [a.status_code for a in answers[:2]] == [200, 200] and answers[-1].status_code == 200
    assert any(a.status_code == 429 for a in answers), "five requests took over a second"


# -- run by hand ------------------------------------------------------------------------------------------

def test_runs_standalone_until_ctrl_c() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.intervals", "--port", "0", "--athlete", "i9:key9"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        url = line.split(" at ", 1)[1].split(" ", 1)[0]
        assert url.startswith("http://127.0.0.1:") and not url.endswith("/")
        assert requests.get(f"{url}/api/v1/athlete/i9", auth=("API_KEY", "key9"), timeout=10).json()["id"] == "i9"
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=10)
    assert process.returncode == 0
