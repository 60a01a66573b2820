"""Rule 34 end to end: a late check-in and an engine upgrade leave every passed day as it was, in the
API, on the page and in the feed, and change what is ahead."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import pytest
from flask.testing import FlaskClient, FlaskCliRunner
from icalendar import Calendar

from planner import services
from planner.engine import Kind

START = date(2027, 1, 4)  # a Monday
TODAY = START + timedelta(weeks=3, days=2)  # Wednesday of week 4
V3_CUE = "Version 3 rules: walk two minutes before every run."


@pytest.fixture
def lived(client: FlaskClient, clock) -> dict:
    """A plan made the day before it starts, looked at on the Wednesday of its fourth week."""
    clock.at(datetime.combine(START - timedelta(days=1), time(18), tzinfo=UTC))
    created = client.post("/api/v1/plans", json={"weekly_volume": 20, "current_pain": 2, "target_weekly_volume": 40,
                                                  "start_date": START.isoformat()})
    assert created.status_code == 201, created.json
    clock.at(datetime.combine(TODAY, time(12), tzinfo=UTC))
    return created.json


def views(client: FlaskClient, token: str) -> dict:
    """What the runner sees: the API's weeks, the page's week cards and the feed's events."""
    api = client.get(f"/api/v1/plans/{token}").json["plan"]
    page = client.get(f"/plans/{token}").get_data(as_text=True)
    cards = dict(re.findall(r'(<details class="card week" id="week-(\d+)">.*?</details>)', page, re.S))
    feed = client.get(f"/plans/{token}.ics").data
    events = {str(e["UID"]): (e.start, e.to_ical()) for e in Calendar.from_ical(feed).events}
    return {"api": api, "page": page, "cards": {int(n): card for card, n in cards.items()}, "events": events,
            "sequences": {uid: int(Calendar.from_ical(ical).get("SEQUENCE", 0)) for uid, (_s, ical) in events.items()}}


def _day(start: date | datetime) -> date:
    return start.date() if isinstance(start, datetime) else start


def passed_sessions(view: dict) -> list[dict]:
    return [s for w in view["api"]["weeks"] for s in w["sessions"] if date.fromisoformat(s["date"]) < TODAY]


def assert_past_unchanged(before: dict, after: dict) -> None:
    passed = [w for w in before["api"]["weeks"] if date.fromisoformat(w["start"]) + timedelta(days=7) <= TODAY]
    assert len(passed) == 3
    assert after["api"]["weeks"][:3] == passed  # the API's weeks, word for word
    for week in passed:
        assert after["cards"][week["number"]] == before["cards"][week["number"]]  # the page's cards
    assert passed_sessions(after) == passed_sessions(before)  # this week's passed days too
    past_events = {uid: e for uid, e in before["events"].items() if _day(e[0]) < TODAY}
    assert past_events and all(after["events"][uid] == e for uid, e in past_events.items())  # UID, SEQUENCE, text


def ahead(view: dict) -> list[dict]:
    return [s for w in view["api"]["weeks"] for s in w["sessions"] if date.fromisoformat(s["date"]) >= TODAY]


def test_a_late_checkin_changes_only_what_is_ahead(client: FlaskClient, lived: dict) -> None:
    token = lived["token"]
    before = views(client, token)
    week1_run = next(s for s in lived["plan"]["weeks"][0]["sessions"] if s["kind"] == "run")
    late = client.post(f"/api/v1/plans/{token}/checkins", json={
        "date": week1_run["date"], "pain_during": 7, "pain_next_morning": 6})
    assert late.status_code == 201, late.json
    assert late.json["decision"] == "hold"  # what the check-in did to the weeks after it, as the engine judged it
    after = views(client, token)
    assert_past_unchanged(before, after)
    assert ahead(after) != ahead(before)
    assert sum(s["running_minutes"] for s in ahead(after)[:7]) < sum(s["running_minutes"] for s in ahead(before)[:7])
    changed = {uid for uid, e in after["events"].items() if before["events"].get(uid) != e}
    assert changed and all(_day(after["events"][uid][0]) >= TODAY for uid in changed)
    assert all(after["sequences"][uid] == before["sequences"].get(uid, -1) + 1 for uid in changed
               if uid in before["events"])
    assert late.json["plan"] == after["api"]  # the answer is the plan as stored


@pytest.fixture
def version_3(monkeypatch: pytest.MonkeyPatch) -> None:
    """Installs rules version 3: version 2 with one more cue on every run."""
    real = services.build_plan

    def build(*args, **kwargs):
        plan = real(*args, **kwargs)
        weeks = [replace(w, sessions=[replace(s, cues=[*s.cues, V3_CUE]) if s.kind is Kind.RUN else s
                                      for s in w.sessions]) for w in plan.weeks]
        return replace(plan, weeks=weeks, rules_version=3)

    monkeypatch.setattr(services, "build_plan", build)


def test_plans_replan_moves_the_future_onto_new_rules_once(client: FlaskClient, runner: FlaskCliRunner,
                                                           lived: dict, version_3: None) -> None:
    token = lived["token"]
    before = views(client, token)
    assert before["api"]["rules_version"] == 2  # nothing moves until the upgrade is run
    result = runner.invoke(args=["plans", "replan"])
    assert result.exit_code == 0, result.output
    assert f"{token[:4]}…  rules 2 -> 3" in result.output and "1 plan moved" in result.output

    after = views(client, token)
    assert_past_unchanged(before, after)
    assert after["api"]["rules_version"] == 3
    runs_ahead = [s for s in ahead(after) if s["kind"] == "run"]
    assert runs_ahead and all(V3_CUE in s["cues"] for s in runs_ahead)
    for uid, (start, ical) in after["events"].items():
        if _day(start) < TODAY:
            continue
        run = b"CATEGORIES:Run" in ical
        # Only the events that really changed (the runs ahead) get a higher SEQUENCE.
        assert after["sequences"][uid] == before["sequences"][uid] + (1 if run else 0), uid
    assert f"updated to the version 3 rules on {TODAY.day} {TODAY:%B %Y}" in " ".join(after["page"].split())

    again = runner.invoke(args=["plans", "replan"])
    assert again.exit_code == 0 and "nothing changed" in again.output
    assert views(client, token)["events"] == after["events"]


def test_a_replan_reports_every_plan_it_moved(client: FlaskClient, runner: FlaskCliRunner, lived: dict,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    other = client.post("/api/v1/plans", json={"weekly_volume": 10, "current_pain": 1}).json["token"]
    real = services.build_plan
    monkeypatch.setattr(services, "build_plan", lambda *a, **k: replace(real(*a, **k), rules_version=3))
    result = runner.invoke(args=["plans", "replan"])
    assert result.exit_code == 0, result.output
    assert "2 plans moved" in result.output
    assert {lived["token"][:4], other[:4]} <= {line[:4] for line in result.output.splitlines()}
    # Same sessions under the new rules: no event changed, so no SEQUENCE moved.
    assert "0 calendar events changed" in result.output
