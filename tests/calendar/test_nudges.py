"""Check-in nudges as ical.js and icalendar read them: the morning after each run and only runs, at the
plan's session time or 07:00 in its zone (across a clock change), 15 minutes, with the one-tap URL; a
check-in turns the next nudge to "Checked in" with SEQUENCE+1 while a passed nudge stays byte for byte."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from planner.engine import CheckIn, Kind, build_plan
from planner.engine.plan import Plan, PlanRequest
from planner.exports.ical import render_calendar
from planner.store import revisions
from tests.calendar import clients

PAGE = "https://planner.test/plans/abcdefghijklmnopqrstuvwxyz012345"
MOMENT = datetime(2027, 3, 1, 6, tzinfo=UTC)


def _plan(zone: str, at: time | None) -> Plan:
    # From 1 March 2027: London's clocks go forward on 28 March, New York's on 14 March.
    request = PlanRequest(weekly_volume=10, current_pain=2, start_date=date(2027, 3, 1), timezone=zone,
                          session_time=at)
    return build_plan(request, today=date(2027, 2, 20), seed="nudges")


def _expected(plan: Plan) -> dict[str, tuple[datetime, datetime]]:
    zone, at = ZoneInfo(plan.request.timezone), plan.request.session_time or time(7)
    found = {}
    for run in (s for s in plan.sessions if s.kind is Kind.RUN):
        start = datetime.combine(run.date + timedelta(days=1), at, tzinfo=zone).astimezone(UTC)
        found[run.uid + "-checkin"] = (start, start + timedelta(minutes=15))
    return found


@pytest.mark.parametrize(("zone", "at"), [("Europe/London", None), ("Europe/London", time(18, 30)),
                                          ("America/New_York", None), ("America/New_York", time(6, 15))])
def test_both_clients_read_each_nudge_the_morning_after_each_run(tmp_path: Path, zone: str,
                                                                  at: time | None) -> None:
    plan = _plan(zone, at)
    stamps = revisions.restamp(plan, {}, date(2027, 2, 20), MOMENT)
    body = render_calendar(plan, stamps=stamps, page_url=PAGE)
    path = tmp_path / "feed.ics"
    path.write_bytes(body)
    want = _expected(plan)
    assert len(want) >= 6 and any(s.kind is not Kind.RUN for s in plan.sessions)
    js = {uid: span for uid, span in clients.icaljs(path).events.items() if uid.endswith("-checkin")}
    assert js == want
    events = {str(e["UID"]): e for e in Calendar.from_ical(body).events}
    read = {uid: (e.start.astimezone(UTC), e.end.astimezone(UTC)) for uid, e in events.items()
            if uid.endswith("-checkin")}
    assert read == want
    spring = [uid for uid, (start, _) in want.items() if start.astimezone(ZoneInfo(zone)).dst()]
    assert spring and len(spring) < len(want)  # nudges on both sides of the change
    for run in (s for s in plan.sessions if s.kind is Kind.RUN):
        nudge = events[run.uid + "-checkin"]
        url = f"{PAGE}/checkins/new?date={run.date.isoformat()}"
        assert str(nudge["URL"]) == url and url in str(nudge["DESCRIPTION"])
        assert str(nudge["SUMMARY"]) == "Check in: how did yesterday's run feel?"


def _vevent(body: bytes, uid: str) -> bytes:
    """One VEVENT's bytes as written (folded lines and all)."""
    text = body.decode()
    found = re.search(r"BEGIN:VEVENT\r\n(?:(?!END:VEVENT).)*?UID:" + re.escape(uid) + r"\r\n.*?END:VEVENT\r\n",
                      text, re.S)
    assert found, uid
    return found.group(0).encode()


def test_a_check_in_turns_the_next_nudge_and_a_late_one_leaves_a_passed_nudge_byte_identical() -> None:
    plan = _plan("Europe/London", None)
    first, second = [s for s in plan.sessions if s.kind is Kind.RUN][:2]
    before = revisions.restamp(plan, {}, date(2027, 2, 20), MOMENT)
    old = render_calendar(plan, stamps=before, page_url=PAGE)
    on_time = CheckIn(date=second.date, pain_during=2)
    today = second.date  # the evening of the second run: its nudge is tomorrow
    after = revisions.restamp(plan, before, today, MOMENT + timedelta(days=9), revisions.logged_lines([on_time]))
    new = render_calendar(plan, stamps=after, page_url=PAGE)
    turned = Calendar.from_ical(_vevent(new, second.uid + "-checkin")).walk("VEVENT")[0]
    assert str(turned["SUMMARY"]) == "Checked in: yesterday's run"
    assert "pain 2/10 during" in str(turned["DESCRIPTION"])
    assert turned["SEQUENCE"] == before[second.uid + "-checkin"].sequence + 1
    late = CheckIn(date=first.date, pain_during=4, pain_next_morning=2)
    later = revisions.restamp(plan, after, today, MOMENT + timedelta(days=10),
                              revisions.logged_lines([on_time, late]))
    newest = render_calendar(plan, stamps=later, page_url=PAGE)
    assert _vevent(newest, first.uid + "-checkin") == _vevent(old, first.uid + "-checkin")


def test_switched_off_the_feed_has_no_nudges() -> None:
    plan = _plan("UTC", None)
    off = replace(plan, request=replace(plan.request, nudges=False))
    stamps = revisions.restamp(off, revisions.restamp(plan, {}, date(2027, 2, 20), MOMENT), date(2027, 2, 20),
                               MOMENT + timedelta(days=1))
    body = render_calendar(off, stamps=stamps, page_url=PAGE)
    assert b"-checkin" not in body and b"BEGIN:VEVENT" in body
