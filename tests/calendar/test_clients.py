"""Every event at the instant RFC 5545 gives it, as two strict clients read the feed: ical.js and khal.

The instants to expect come from Python's zoneinfo alone: a day's first session at the session time
(fold=0, which is RFC 5545 §3.3.5's reading both of a time the clocks skip and of one they repeat), each
session after it when the one before ends, each lasting its minutes of real time.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from planner.engine import build_plan
from planner.engine.plan import Plan, PlanRequest, Unit
from planner.exports.ical import SessionStamp, calendar_name, event_sessions, render_calendar
from tests.calendar import clients

PAGE = "https://planner.test/plans/abcdefghijklmnopqrstuvwxyz012345"
CHANGED = datetime(2027, 2, 20, 9, 15, tzinfo=UTC)


def plan_for(**overrides: object) -> Plan:
    request = {"weekly_volume": 5, "current_pain": 4, "pain_at_rest": 1, "start_date": date(2027, 3, 1), **overrides}
    return build_plan(PlanRequest(**request), today=date(2027, 2, 20), seed="clients")  # type: ignore[arg-type]


def long_plan(zone: str, at: time) -> Plan:
    """57 weeks from March 2027 to March 2028: two spring changes and one autumn change."""
    plan = plan_for(weekly_volume=0, current_pain=2, pain_at_rest=0, unit=Unit.MIN, target_weekly_volume=320,
                    runs_per_week=3, timezone=zone, session_time=at)
    assert len(plan.weeks) == 57
    return plan


def settle_plan(zone: str, at: time, monday: date) -> Plan:
    """Pain of 8: the first weeks settle, with bridge holds every day (rule 8), so every day has a session."""
    return plan_for(current_pain=8, start_date=monday, timezone=zone, session_time=at)


def feed(plan: Plan, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "feed.ics"
    path.write_bytes(render_calendar(plan, stamps={s.uid: SessionStamp(1, CHANGED, tuple(plan.notices))
                                                   for s in plan.sessions}, page_url=PAGE))
    return path


def expected(plan: Plan) -> dict[str, tuple[date | datetime, date | datetime]]:
    at = plan.request.session_time
    if at is None:
        return {s.uid: (s.date, s.date + timedelta(days=1)) for s in event_sessions(plan.sessions)}
    zone = ZoneInfo(plan.request.timezone)
    found: dict[str, tuple[date | datetime, date | datetime]] = {}
    day, clock = None, datetime.min.replace(tzinfo=UTC)
    for session in event_sessions(plan.sessions):
        if session.date != day:
            day, clock = session.date, datetime.combine(session.date, at, tzinfo=zone).astimezone(UTC)
        end = clock + timedelta(minutes=session.total_minutes)
        found[session.uid], clock = (clock, end), end
    return found


def check_both_clients(plan: Plan, tmp_path: Path) -> Path:
    """Both clients read every event at the expected instants; returns the feed's path."""
    path = feed(plan, tmp_path)
    want = expected(plan)
    sessions = event_sessions(plan.sessions)
    by_icaljs = clients.icaljs(path).events
    by_khal = clients.khal(path, tmp_path / "khal", sessions[0].date - timedelta(days=1),
                           sessions[-1].date + timedelta(days=2)).events
    for client, seen in (("ical.js", by_icaljs), ("khal", by_khal)):
        wrong = {uid: (seen.get(uid), want[uid]) for uid in want if seen.get(uid) != want[uid]}
        assert not wrong, f"{client}: {len(wrong)} of {len(want)} events elsewhere, e.g. {next(iter(wrong.items()))}"
        assert set(seen) == set(want), client
    return path


def event_on(path: Path, day: date) -> tuple[str, str, str]:
    """The first event of `day`: its DTSTART line, its DESCRIPTION and its UID."""
    lines = path.read_bytes().replace(b"\r\n ", b"").decode().split("\r\n")
    events = "\n".join(lines).split("BEGIN:VEVENT")[1:]
    stamp = day.strftime("%Y%m%d")
    zulu = (day - timedelta(days=1)).strftime("%Y%m%d")
    for text in events:
        start = next(line for line in text.split("\n") if line.startswith("DTSTART"))
        local = ":" + stamp + "T" in start and "TZID=" in start
        if local or (start.endswith("Z") and (":" + stamp in start or ":" + zulu in start)):
            description = next(line for line in text.split("\n") if line.startswith("DESCRIPTION"))
            description = description.replace("\\n", "\n").replace("\\,", ",").replace("\\;", ";")
            uid = next(line for line in text.split("\n") if line.startswith("UID:"))[4:]
            return start, description, uid
    raise AssertionError(f"no event on {day}")


# -- the clocks going forward and back ------------------------------------------------------------

@pytest.mark.parametrize(("zone", "at", "monday", "jump", "moved"), [
    ("Europe/London", time(1, 30), date(2027, 3, 22), date(2027, 3, 28), "023000"),
    # 20 minutes from 01:45 ended at 02:05 on the wall, before it began: khal refused the whole file
    ("Europe/London", time(1, 45), date(2027, 3, 22), date(2027, 3, 28), "024500"),
    ("America/New_York", time(2, 30), date(2027, 3, 8), date(2027, 3, 14), "033000"),
    ("Australia/Sydney", time(2, 30), date(2027, 9, 27), date(2027, 10, 3), "033000"),
])
def test_a_session_time_the_clocks_skip_moves_past_the_jump(zone: str, at: time, monday: date, jump: date,
                                                            moved: str, tmp_path: Path) -> None:
    plan = settle_plan(zone, at, monday)
    path = check_both_clients(plan, tmp_path)
    start, description, uid = event_on(path, jump)
    assert start == f"DTSTART;TZID={zone}:{jump:%Y%m%d}T{moved}"
    assert description.startswith(f"DESCRIPTION:Moved to {moved[:2]}:{moved[2:4]} because the clocks go forward "
                                   "that night.")
    event = next(e for e in Calendar.from_ical(path.read_bytes()).events if str(e["UID"]) == uid)
    session = next(s for s in plan.sessions if s.uid == uid)
    assert event.end - event.start == timedelta(minutes=session.total_minutes)
    # the days around it keep their time and say nothing about clocks
    other, text, _ = event_on(path, jump - timedelta(days=1))
    assert other.endswith(f"T{at:%H%M%S}") and "clocks" not in text


def test_a_session_time_the_clocks_repeat_is_the_first_and_written_in_utc(tmp_path: Path) -> None:
    """Sydney, 4 April 2027: 03:00 AEDT becomes 02:00 AEST, so 02:30 happens twice. khal reads a local
    02:30 as the second (pytz's is_dst=False); RFC 5545 and ical.js as the first. UTC leaves no choice."""
    plan = settle_plan("Australia/Sydney", time(2, 30), date(2027, 3, 29))
    path = check_both_clients(plan, tmp_path)
    start, description, _ = event_on(path, date(2027, 4, 4))
    assert start == "DTSTART:20270403T153000Z"  # 02:30 AEDT (+11)
    assert "At the first 02:30: the clocks go back that night, so 02:30 comes twice." in description


def test_sessions_running_through_the_autumn_change_follow_each_other(tmp_path: Path) -> None:
    """London, 31 October 2027, from 00:45: the day's sessions end and start inside the repeated hour."""
    plan = settle_plan("Europe/London", time(0, 45), date(2027, 10, 25))
    check_both_clients(plan, tmp_path)


# -- long plans -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("zone", "at"), [("Europe/London", time(7, 30)), ("America/New_York", time(18, 0))])
def test_a_57_week_timed_plan_is_read_at_the_same_instants_by_both_clients(zone: str, at: time,
                                                                            tmp_path: Path) -> None:
    """Two spring changes in one plan: icalendar 7.3 wrote the second as an RDATE on the first
    DAYLIGHT block, and ical.js then missed the first change (186 of 340 London events an hour off)."""
    plan = long_plan(zone, at)
    path = check_both_clients(plan, tmp_path)
    assert len(expected(plan)) == 340
    assert b"RDATE" not in path.read_bytes() and b"RRULE" not in path.read_bytes()


def test_all_day_plans_are_read_as_the_same_days(tmp_path: Path) -> None:
    check_both_clients(plan_for(), tmp_path)


def test_utc_and_fixed_offset_zones(tmp_path: Path) -> None:
    check_both_clients(plan_for(timezone="UTC", session_time=time(23, 30)), tmp_path / "utc")
    check_both_clients(plan_for(timezone="Etc/GMT-14", session_time=time(6, 0)), tmp_path / "kiribati")


# -- names --------------------------------------------------------------------------------------------

HOSTILE = 'Zoë "Q" O\'Neil; 5k, again\\ \nEND:VCALENDAR 🏃‍♀️🇬🇧 ' + "x" * 60


def test_a_hostile_name_reads_the_same_in_both_clients(tmp_path: Path) -> None:
    name = HOSTILE[:80]
    assert len(name) == 80
    plan = plan_for(name=name, timezone="Europe/London", session_time=time(7, 30))
    path = check_both_clients(plan, tmp_path)
    shown = calendar_name(name)
    assert shown.startswith('Return to running · Zoë "Q" O\'Neil; 5k, again\\ END:VCALENDAR 🏃‍♀️🇬🇧')
    by_icaljs = clients.icaljs(path)
    assert by_icaljs.name == by_icaljs.calname == shown
    assert clients.khal_names(path) == (shown, shown)
    lines = path.read_bytes().decode().split("\r\n")
    assert lines.count("BEGIN:VCALENDAR") == lines.count("END:VCALENDAR") == 1


def test_a_plain_name_is_shown_as_is(tmp_path: Path) -> None:
    path = feed(plan_for(name="Sam"), tmp_path)
    assert clients.icaljs(path).calname == "Return to running · Sam"
    assert clients.khal_names(path) == ("Return to running · Sam", "Return to running · Sam")


# -- the compact form of the largest plans ------------------------------------------------------------

def test_the_compact_form_is_read_at_the_same_instants(tmp_path: Path) -> None:
    """A plan too big for full texts is written with UTC times (see test_size.py)."""
    from tests.calendar.test_size import settling_for_two_years

    plan = settling_for_two_years("Europe/London", time(1, 30))
    path = check_both_clients(plan, tmp_path)
    body = path.read_bytes()
    assert b"TZID=" not in body and b"BEGIN:VTIMEZONE" not in body
    assert b"Moved to 02:30 because the clocks go forward that night." in body.replace(b"\r\n ", b"")

