"""1,000 hostile bodies, from one seeded generator (the same every run), across every write route:
the JSON API, the activity upload and the HTML forms. Whatever comes in, the answer is never a 5xx,
and nothing is logged as an error.

Bodies: valid ones with fields swapped for hostile values (control characters, lone surrogates,
numbers such as 1e309 and 10**400, NaN, wrong types, very long strings, impossible dates), JSON
nested up to 5,000 deep, truncated JSON, random bytes, bodies in UTF-16, and odd content types.
"""

from __future__ import annotations

import io
import json
import logging
import os
import random
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

# FUZZ_SEED and FUZZ_BODIES explore further (say, FUZZ_SEED=7 FUZZ_BODIES=20000); the suite runs the default.
SEED = int(os.environ.get("FUZZ_SEED", "20260707"))
BODIES = int(os.environ.get("FUZZ_BODIES", "1000"))
FILES = Path(__file__).resolve().parent / "activities" / "files"

Request = tuple[str, str, dict[str, Any]]  # method, path, keyword arguments of client.open

# -- hostile values, as raw JSON text --------------------------------------------------------------

NUMBERS = ["1e309", "-1e309", "1e-400", "1" + "0" * 400, "-" + "9" * 400, "NaN", "Infinity", "-Infinity",
           "-0", "0.1", "2.5", "1E2", str(2**63), str(-(2**63) - 1), "10", "0", "-1", "11", "1e3", "601", "4300.0"]
WRONG = ["[]", "{}", "[1, 2]", '{"a": 1}', "true", "false", "null", '"3"', '""', '" "', '"null"', '["km"]']
DATES = ["0001-01-01", "9999-12-31", "2026-02-30", "2026-1-1", "20260101", "2026-01-01T00:00:00Z", "today",
         "1999-12-31", "2100-01-02", "-2026-01-01", "２０２６-01-01"]
ODD_CHARS = ["\x00", "\x01", "\x07", "\x0b", "\x1b", "\x7f", "\x85", "\x9f", "\t", "\n", "\r", "\u2028", "\u202e",
             "\ufeff", "\uffff", "é", "🏃", "\U0010ffff", "'", '"', "\\", "<", "&", "%00", "{{7*7}}"]


def _text(rng: random.Random) -> str:
    """A JSON string with odd characters, escaped surrogates, or great length."""
    kind = rng.randrange(5)
    if kind == 0:
        return json.dumps("x" * rng.choice([81, 501, 4000, 20000, 70000]))
    if kind == 1:
        return '"' + rng.choice(["\\ud800", "\\udfff", "\\ud83c", "\\u0000", "\\u001b", "\\x41", "\\u12"]) + '"'
    text = "".join(rng.choice(ODD_CHARS + ["a", " ", "knee"]) for _ in range(rng.randint(1, 40)))
    return json.dumps(text, ensure_ascii=rng.random() < 0.5)


def _deep(rng: random.Random) -> str:
    depth = rng.choice([150, 199, 200, 201, 256, 1000, 5000])
    if rng.random() < 0.5:
        return "[" * depth + "]" * depth
    return '{"a":' * depth + "0" + "}" * depth


def _hostile(rng: random.Random) -> str:
    kind = rng.randrange(6)
    if kind == 0:
        return rng.choice(NUMBERS)
    if kind == 1:
        return rng.choice(WRONG)
    if kind == 2:
        return json.dumps(rng.choice(DATES))
    if kind == 3:
        return _deep(rng) if rng.random() < 0.3 else "[" + ", ".join(_hostile(rng) for _ in range(3)) + "]"
    return _text(rng)


def _object(fields: dict[str, str]) -> str:
    return "{" + ", ".join(f"{json.dumps(name)}: {value}" for name, value in fields.items()) + "}"


def _mutated(rng: random.Random, fields: dict[str, str]) -> str:
    """`fields` (raw JSON values) with one to three swapped for hostile ones, some left out or added."""
    fields = dict(fields)
    for name in rng.sample(sorted(fields), k=min(len(fields), rng.randint(1, 3))):
        fields[name] = _hostile(rng)
    if rng.random() < 0.2:
        del fields[rng.choice(sorted(fields))]
    if rng.random() < 0.1:
        fields[rng.choice(["extra", "", "__proto__", "name\x00", "x" * 300])] = _hostile(rng)
    return _object(fields)


# -- valid bodies, as raw JSON values --------------------------------------------------------------

def _plan_fields(start: str) -> dict[str, str]:
    return {"weekly_volume": "30", "current_pain": "2", "unit": '"km"', "easy_pace": '"6:00"',
            "start_date": f'"{start}"', "runs_per_week": "3", "timezone": '"Europe/London"',
            "session_time": '"07:30"', "name": '"Sam"', "red_flags": "[]", "cadence": "170", "longest_run": "10",
            "target_weekly_volume": "40", "current_runs": "3", "pain_tolerance": "3", "pain_at_rest": "0",
            "morning_after_worse": "false"}


def _actual(rng: random.Random) -> str:
    fields = {"running_minutes": "25", "moving_minutes": "30", "distance_km": "4.2", "longest_bout_minutes": "10",
              "ascent_m": "40", "climbing_seconds": "60", "cadence_spm": "165", "fast_seconds": "0"}
    return _mutated(rng, fields) if rng.random() < 0.5 else _object(fields)


def _checkin_fields(rng: random.Random, day: str) -> dict[str, str]:
    return {"date": f'"{day}"', "pain_during": "1", "pain_next_morning": "1", "completed": "true",
            "notes": '"fine"', "actual": _actual(rng)}


# -- bodies ----------------------------------------------------------------------------------------

CONTENT_TYPES = ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "",
                 "application/json; charset=utf-16", "application/xml", "application/json; charset=latin-1",
                 "application/merge-patch+json", "APPLICATION/JSON", "application/json; charset=utf-8",
                 "application/json; boundary=\x00", "application/json;;;", "*/*"]


def _json_body(rng: random.Random, fields: dict[str, str]) -> dict[str, Any]:
    """Keyword arguments of client.open: a JSON-ish body and its content type."""
    content_type = "application/json"
    kind = rng.randrange(20)
    if kind < 10:
        raw = _mutated(rng, fields).encode("utf-8", "surrogatepass")
    elif kind < 12:
        raw = _deep(rng).encode() if rng.random() < 0.5 else _object({**fields, rng.choice(sorted(fields)): _deep(rng)})
    elif kind == 12:
        raw = rng.randbytes(rng.randint(0, 2000))
    elif kind == 13:
        whole = _object(fields).encode()
        raw = whole[: rng.randrange(len(whole))]
    elif kind == 14:
        raw = rng.choice(WRONG + NUMBERS + ['"text"', "", " ", "\ufeff{}"]).encode("utf-8", "surrogatepass")
    elif kind == 15:
        raw = _object(fields).encode(rng.choice(["utf-16", "utf-32", "utf-8-sig"]))
    elif kind == 16:
        raw = (_object(fields) + rng.choice(["x", "}", ",", " {}", "\x00"])).encode()
    else:  # a good body, or a mutated one, under a content type that is not plain JSON
        raw = (_object(fields) if rng.random() < 0.5 else _mutated(rng, fields)).encode("utf-8", "surrogatepass")
        content_type = rng.choice(CONTENT_TYPES)
    if isinstance(raw, str):
        raw = raw.encode("utf-8", "surrogatepass")
    headers = {"Content-Type": content_type} if content_type else {}
    return {"data": raw, "headers": headers}


def _form_value(rng: random.Random) -> str:
    kind = rng.randrange(4)
    if kind == 0:
        return rng.choice(NUMBERS + ["", " ", "1,5", "٣", "½", "0x10", "1_000", "+3", " 7 "])
    if kind == 1:
        return rng.choice(DATES)
    if kind == 2:
        return "x" * rng.choice([81, 501, 4000])
    return "".join(rng.choice(ODD_CHARS + ["a", " "]) for _ in range(rng.randint(1, 30)))


def _form_body(rng: random.Random, fields: dict[str, str]) -> dict[str, Any]:
    """Keyword arguments of client.open: a form with fields swapped for hostile text, or a body that is no form."""
    kind = rng.randrange(10)
    if kind < 7:
        data: dict[str, Any] = dict(fields)
        for name in rng.sample(sorted(data), k=min(len(data), rng.randint(1, 3))):
            data[name] = _form_value(rng)
        if rng.random() < 0.2:
            data[rng.choice(["red_flags", "confirm", "csrf_token", "extra", "completed"])] = _form_value(rng)
        if rng.random() < 0.1:
            data["red_flags"] = [rng.choice(["night_pain", "nope", "\x00"]) for _ in range(rng.randint(1, 12))]
        return {"data": data}
    if kind == 7:
        return {"data": rng.randbytes(rng.randint(0, 2000)), "content_type": "application/x-www-form-urlencoded"}
    if kind == 8:
        return {"data": json.dumps(fields).encode(), "content_type": rng.choice(["application/json", "text/plain"])}
    pairs = "&".join(f"{name}={rng.choice(['%00', '%ff%fe', '%', '%zz', '1e309', '+' * 50])}" for name in fields)
    return {"data": pairs.encode(), "content_type": "application/x-www-form-urlencoded"}


def _upload(rng: random.Random) -> dict[str, Any]:
    """A multipart upload: a real run's file cut, flipped or replaced, under odd names and fields."""
    name = rng.choice(sorted(path.name for path in FILES.iterdir() if path.suffix in (".fit", ".gpx", ".tcx")))
    content = (FILES / name).read_bytes()
    kind = rng.randrange(8)
    if kind == 0:
        content = content[: rng.randrange(len(content))]
    elif kind == 1:
        flipped = bytearray(content)
        for _ in range(rng.randint(1, 50)):
            flipped[rng.randrange(len(flipped))] = rng.randrange(256)
        content = bytes(flipped)
    elif kind == 2:
        content = rng.randbytes(rng.randint(0, 5000))
    elif kind == 3:
        content = rng.choice([
            b'<?xml version="1.0"?><!DOCTYPE g [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
            b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]><gpx>&c;</gpx>',
            b'<?xml version="1.0"?><!DOCTYPE g [<!ENTITY x SYSTEM "file:///etc/passwd">]><gpx>&x;</gpx>',
            b"<gpx>" + b"<trk>" * 5000 + b"</trk>" * 5000 + b"</gpx>",
            b'<gpx><trk><trkseg><trkpt lat="1e309" lon="-1e309"><time>9999-99-99</time></trkpt></trkseg></trk></gpx>',
            b'<gpx><trk><trkseg><trkpt lat="NaN" lon="0"><ele>' + b"9" * 400 + b"</ele></trkpt></trkseg></trk></gpx>",
            b"<TrainingCenterDatabase><Activities><Activity><Lap StartTime='x'/></Activity></Activities>"
            b"</TrainingCenterDatabase>",
        ])
    filename = rng.choice([name, "run.fit", "run.gpx", "run.tcx", "run.exe", "", "../../etc/passwd", "x" * 300,
                           "run\x00.fit", "rün 🏃.gpx", "run.FIT"])
    field = "file" if rng.random() < 0.9 else rng.choice(["files", "", "file\x00"])
    data: dict[str, Any] = {field: (io.BytesIO(content), filename)}
    if rng.random() < 0.2:
        data["date"] = _form_value(rng)
    if rng.random() < 0.1:  # not multipart at all
        return {"data": content, "content_type": rng.choice(["application/octet-stream", "application/json"])}
    return {"data": data, "content_type": "multipart/form-data"}


# -- the routes ------------------------------------------------------------------------------------

def _routes(token: str, day: str, start: str) -> list[Callable[[random.Random], Request]]:
    plan = _plan_fields(start)

    def checkin_token(rng: random.Random) -> str:
        return token if rng.random() < 0.85 else rng.choice(["made-up-token", "x" * 200, "A" * 64, "-_-"])

    def preview(rng: random.Random) -> Request:
        fields = {**plan, "checkins": "[" + _mutated(rng, _checkin_fields(rng, day)) + "]", "as_of": f'"{day}"'}
        return "POST", "/api/v1/plans/preview", _json_body(rng, fields)

    def create(rng: random.Random) -> Request:
        return "POST", "/api/v1/plans", _json_body(rng, plan)

    def checkin(rng: random.Random) -> Request:
        return "POST", f"/api/v1/plans/{checkin_token(rng)}/checkins", _json_body(rng, _checkin_fields(rng, day))

    def morning(rng: random.Random) -> Request:
        when = day if rng.random() < 0.8 else rng.choice(DATES + ["x", "2026-13-01", "9" * 40])
        return ("PATCH", f"/api/v1/plans/{checkin_token(rng)}/checkins/{when}",
                _json_body(rng, {"pain_next_morning": "1", "notes": '"later"'}))

    def activity(rng: random.Random) -> Request:
        return "POST", f"/api/v1/plans/{checkin_token(rng)}/activities", _upload(rng)

    def form_create(rng: random.Random) -> Request:
        fields = {name: value.strip('"') for name, value in plan.items() if name != "red_flags"}
        return "POST", "/plans", _form_body(rng, fields)

    def form_checkin(rng: random.Random) -> Request:
        fields = {"date": day, "pain_during": "1", "pain_next_morning": "1", "completed": "yes", "notes": "fine"}
        return "POST", f"/plans/{checkin_token(rng)}/checkins", _form_body(rng, fields)

    return [preview, create, checkin, morning, activity, form_create, form_checkin]


def test_a_thousand_fuzzed_bodies_get_no_5xx(client: FlaskClient, stored_plan: dict,
                                             caplog: pytest.LogCaptureFixture) -> None:
    rng = random.Random(SEED)
    token, start = stored_plan["token"], stored_plan["plan"]["request"]["start_date"]
    day = next(s["date"] for w in stored_plan["plan"]["weeks"] for s in w["sessions"] if s["kind"] == "run")
    routes = _routes(token, day, start)
    caplog.set_level(logging.WARNING)
    statuses: Counter[tuple[str, int]] = Counter()
    server_errors: list[str] = []
    began = time.monotonic()
    for number in range(BODIES):
        route = routes[number % len(routes)]
        method, path, arguments = route(rng)
        try:
            status = client.open(path, method=method, **arguments).status_code
        except Exception as error:  # TESTING lets an exception out of an error handler: a 500 in production
            status, path = 500, f"{path} ({type(error).__name__}: {str(error)[:160]})"
        statuses[(route.__name__, status)] += 1
        if status >= 500:
            kind = arguments.get("headers") or arguments.get("content_type")
            server_errors.append(f"#{number} {method} {path} {kind} -> {status}: {str(arguments.get('data'))[:160]!r}")
    elapsed = time.monotonic() - began
    print(f"\n{BODIES} fuzzed bodies in {elapsed:.1f} s; 5xx: {len(server_errors)}; "
          f"statuses: {dict(sorted(statuses.items()))}")
    assert not server_errors, "\n".join(server_errors[:5])
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text[:5000]
    # The fuzz reached every route and both sides of their checks.
    seen = {status for (_route, status) in statuses}
    assert {400, 413, 415, 422} <= seen and seen & {200, 201} and seen & {303}
    assert {name for (name, _status) in statuses} == {route.__name__ for route in routes}
