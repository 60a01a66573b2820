"""The calendar renderer on its own: a Plan value in, iCalendar bytes out, read by independent parsers."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import ics
import pytest
import recurring_ical_events
import vobject
from icalendar import Calendar

from planner.engine import Kind, build_plan
from planner.engine.plan import Plan, PlanRequest, Unit
from planner.engine.words import DISCLAIMER
from planner.exports.ical import SessionStamp, calendar_name, render_calendar

PAGE = "https://planner.test/plans/abc"
CHANGED = datetime(2027, 2, 20, 9, 15, tzinfo=UTC)


def plan_for(**overrides: object) -> Plan:
    request = {"weekly_volume": 5, "current_pain": 4, "pain_at_rest": 1, "start_date": date(2027, 3, 1), **overrides}
    return build_plan(PlanRequest(**request), today=date(2027, 2, 20), seed="test-seed")  # type: ignore[arg-type]


def render(plan: Plan, sequence: int = 0) -> bytes:
    """The feed with every event showing the plan's notices, as a plan's first revision has it."""
    stamps = {s.uid: SessionStamp(sequence, CHANGED, tuple(plan.notices)) for s in plan.sessions}
    return render_calendar(plan, stamps=stamps, page_url=PAGE)


def calendar_sessions(plan: Plan) -> list:
    return [s for s in plan.sessions if s.kind is not Kind.REST]


def normal(value: date | datetime) -> date | datetime:
    """All-day: the date; timed: the instant in UTC."""
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return value


# -- three independent parsers agree -------------------------------------------------------------

def by_icalendar(body: bytes) -> list[tuple]:
    cal = Calendar.from_ical(body)
    assert not [c.errors for c in cal.walk() if c.errors]
    return sorted((str(e["UID"]), normal(e.start), normal(e.end), str(e["SUMMARY"])) for e in cal.events)


def by_vobject(body: bytes) -> list[tuple]:
    cal = vobject.readOne(body.decode(), validate=True)  # raises on a missing UID/DTSTAMP
    return sorted((e.uid.value, normal(e.dtstart.value), normal(e.dtend.value), e.summary.value)
                  for e in cal.vevent_list)


def by_ics(body: bytes) -> list[tuple]:
    events = []
    for e in ics.Calendar(body.decode()).events:
        if e.all_day:
            start, end = e.begin.date(), e.end.date()
        else:
            start, end = e.begin.datetime.astimezone(UTC), e.end.datetime.astimezone(UTC)
        events.append((e.uid, start, end, e.name))
    return sorted(events)


@pytest.mark.parametrize("timing", [{}, {"timezone": "Europe/London", "session_time": time(7, 30)},
                                    {"timezone": "America/New_York", "session_time": time(18, 0)}])
def test_parsers_agree_on_every_event(timing: dict) -> None:
    plan = plan_for(**timing)
    body = render(plan)
    seen = by_icalendar(body)
    assert seen == by_vobject(body) == by_ics(body)
    sessions = calendar_sessions(plan)
    assert len(seen) == len(sessions)
    assert {uid for uid, *_ in seen} == {s.uid for s in sessions}
    assert {(uid, summary) for uid, _, _, summary in seen} == {(s.uid, s.title) for s in sessions}


def test_expanded_like_a_calendar_view_one_occurrence_per_session() -> None:
    plan = plan_for()
    sessions = calendar_sessions(plan)
    cal = Calendar.from_ical(render(plan))
    occurrences = recurring_ical_events.of(cal).between(sessions[0].date, sessions[-1].date + timedelta(days=1))
    assert sorted((str(o["UID"]), o.start) for o in occurrences) == sorted((s.uid, s.date) for s in sessions)


# -- events -----------------------------------------------------------------------------------

def test_all_day_events_end_the_next_day_and_only_runs_block_time() -> None:
    plan = plan_for()
    events = {str(e["UID"]): e for e in Calendar.from_ical(render(plan)).events}
    for session in calendar_sessions(plan):
        event = events[session.uid]
        assert event.start == session.date and not isinstance(event.start, datetime)
        assert event.end == session.date + timedelta(days=1)
        assert (event.get("TRANSP") == "TRANSPARENT") == (session.kind is not Kind.RUN)
    assert not any(s.kind is Kind.REST and s.uid in events for s in plan.sessions)
    assert {str(e["CATEGORIES"].cats[0]) for e in events.values()} == {"Run", "Rehab", "Cross-training"}


def test_stamps_become_dtstamp_last_modified_and_sequence() -> None:
    plan = plan_for()
    for event in Calendar.from_ical(render(plan, sequence=3)).events:
        assert event.DTSTAMP == event.LAST_MODIFIED == CHANGED
        assert event.sequence == 3
        assert str(event["DESCRIPTION"]).endswith(f"Not a diagnosis or medical advice. Cues and more: {PAGE}")
        assert "URL" not in event  # the link is in the text, which every client shows (Google ignores URL)
    assert b"DTSTAMP:20270220T091500Z" in render(plan)


def test_same_plan_same_bytes_and_no_calendar_uid_or_method() -> None:
    plan = plan_for(timezone="Europe/London", session_time=time(7, 30))
    body = render(plan)
    assert body == render(plan)
    cal = Calendar.from_ical(body)
    assert "UID" not in cal and "METHOD" not in cal
    assert b"\r\nREFRESH-INTERVAL;VALUE=DURATION:PT12H\r\n" in body
    assert b"\r\nX-PUBLISHED-TTL:PT12H\r\n" in body
    starts = [e.start for e in cal.events]
    assert starts == sorted(starts)


def test_lines_are_crlf_and_folded_to_75_octets() -> None:
    body = render(plan_for(name="Zoë 🏃‍♀️ " * 8))
    assert body.endswith(b"\r\n")
    lines = body.split(b"\r\n")
    assert all(b"\n" not in line and b"\r" not in line for line in lines)
    assert max(len(line) for line in lines) <= 75


def test_description_says_what_to_do_when_to_stop_and_where_the_rest_is() -> None:
    plan = plan_for()
    events = {str(e["UID"]): e for e in Calendar.from_ical(render(plan)).events}
    walk_run = next(s for s in plan.sessions if s.intervals)
    text = str(events[walk_run.uid]["DESCRIPTION"])
    assert "Warm-up: 5 min brisk walk. Then 4 × run 1 min / walk 4 min (easy jog, flat)." in text
    assert "30 min in all, 4 min running." in text
    assert f"Stop (walk home) if pain passes {plan.ceiling}/10 or you start to limp." in text
    assert text.endswith(f"Not a diagnosis or medical advice. Cues and more: {PAGE}")
    # The advice that is the same every session is on the page, not in each event (rule 29's disclaimer
    # in full is in the calendar's description).
    assert "Next morning:" not in text and DISCLAIMER not in text and "Shorter, quicker" not in text
    assert text.count("4 × run 1 min / walk 4 min") == 1
    strength = next(s for s in plan.sessions if s.kind is Kind.STRENGTH and s.exercises[0].hold_seconds)
    text = str(events[strength.uid]["DESCRIPTION"])
    assert text.startswith("- 90-degree hamstring bridge hold, 5 × 45 s hold")
    assert strength.exercises[0].cue not in text
    assert f"Stop (walk home) if pain passes {plan.ceiling}/10" in text
    assert "<" not in text  # plain text, no HTML


def test_a_session_of_the_day_keeps_its_own_cues() -> None:
    """Strides, hills and walks are what to do that day, so they stay in the event."""
    plan = plan_for(current_pain=8)
    walk = next(s for s in plan.sessions if s.kind is Kind.CROSS_TRAIN)
    event = next(e for e in Calendar.from_ical(render(plan)).events if str(e["UID"]) == walk.uid)
    assert str(event["DESCRIPTION"]).startswith(walk.cues[0])
    assert walk.cues[0].startswith("Walk briskly")


def test_calendar_carries_name_summary_and_red_flags() -> None:
    plan = plan_for(name="Sam; Jo, 5k")
    body = render(plan)
    cal = Calendar.from_ical(body)
    assert str(cal["NAME"]) == str(cal["X-WR-CALNAME"]) == "Return to running · Sam; Jo, 5k"
    description = str(cal["DESCRIPTION"])
    # VALUE=TEXT: parsers unescape X- properties (and RFC 7986's NAME) only when told they are TEXT
    assert str(cal["X-WR-CALDESC"]) == description
    assert b"\r\nNAME;VALUE=TEXT:Return to running \xc2\xb7 Sam\\; Jo\\, 5k\r\n" in body
    assert description.startswith(plan.summary)
    assert DISCLAIMER in description and description.endswith(f"Your plan, its cues and check-ins: {PAGE}")
    assert all(flag in description for flag in plan.red_flags)
    assert str(Calendar.from_ical(render(plan_for()))["NAME"]) == "Return to running"


def test_physio_notice_reaches_every_event() -> None:
    from dataclasses import replace

    from planner.engine.words import PHYSIO_NOTICE

    plan = replace(plan_for(), notices=[PHYSIO_NOTICE])
    cal = Calendar.from_ical(render(plan))
    assert all(PHYSIO_NOTICE in str(e["DESCRIPTION"]) for e in cal.events)
    assert PHYSIO_NOTICE in str(cal["DESCRIPTION"])
    # A passed day keeps the text it had (rule 34): its stamp says which notices it showed.
    first = plan.sessions[0]
    stamps = {s.uid: SessionStamp(0, CHANGED, () if s is first else (PHYSIO_NOTICE,)) for s in plan.sessions}
    events = {str(e["UID"]): e for e in Calendar.from_ical(render_calendar(plan, stamps=stamps, page_url=PAGE)).events}
    assert PHYSIO_NOTICE not in str(events[first.uid]["DESCRIPTION"])
    assert all(PHYSIO_NOTICE in str(e["DESCRIPTION"]) for uid, e in events.items() if uid != first.uid)


# -- time zones -------------------------------------------------------------------------------

def test_timed_events_across_the_london_spring_forward() -> None:
    plan = plan_for(start_date=date(2027, 3, 22), weekly_volume=30, current_pain=2, pain_at_rest=0,
                    timezone="Europe/London", session_time=time(7, 30))
    body = render(plan)
    cal = Calendar.from_ical(body)
    assert cal.get_missing_tzids() == set()
    assert [str(tz["TZID"]) for tz in cal.timezones] == ["Europe/London"]
    daylight = next(c for c in cal.timezones[0].subcomponents if c.name == "DAYLIGHT"
                    and c["TZOFFSETFROM"].td != c["TZOFFSETTO"].td)
    assert daylight["DTSTART"].dt == datetime(2027, 3, 28, 1, 0)  # trap 5: the local time before the jump
    assert b"DTSTART;TZID=Europe/London:20270326T073000" in body

    # vobject reads the embedded VTIMEZONE (not its own zone database): 07:30 is 07:30Z before, 06:30Z after.
    vcal = vobject.readOne(body.decode(), validate=True)
    starts = {e.uid.value: e.dtstart.value for e in vcal.vevent_list}
    first_run = next(s for s in plan.sessions if s.kind is Kind.RUN and s.date < date(2027, 3, 28))
    later_run = next(s for s in plan.sessions if s.kind is Kind.RUN and s.date > date(2027, 3, 28))
    assert starts[first_run.uid].astimezone(UTC).time() == time(7, 30)
    assert starts[later_run.uid].astimezone(UTC).time() == time(6, 30)
    embedded = vcal.vtimezone.gettzinfo()
    assert embedded.utcoffset(datetime(2027, 3, 28, 0, 59)) == timedelta(0)
    assert embedded.utcoffset(datetime(2027, 3, 28, 1, 30)) == timedelta(hours=1)  # onset 01:00, not 02:00
    assert embedded.utcoffset(datetime(2027, 3, 28, 2, 30)) == timedelta(hours=1)
    assert embedded.utcoffset(datetime(2027, 10, 31, 0, 30)) == timedelta(hours=1)


def test_one_vtimezone_block_per_change_of_offset() -> None:
    """A year and a bit from March 2027: London changes three times. Each change is a block of its own
    (ical.js skips a block's DTSTART when it has RDATEs), opened by the offset in force before them."""
    plan = plan_for(weekly_volume=0, current_pain=2, pain_at_rest=0, unit=Unit.MIN, target_weekly_volume=320,
                    runs_per_week=3, timezone="Europe/London", session_time=time(7, 30))
    assert plan.weeks[-1].start > date(2028, 3, 26)
    cal = Calendar.from_ical(render(plan))
    [zone] = cal.timezones
    blocks = [(c.name, c["DTSTART"].dt, c["TZOFFSETFROM"].td, c["TZOFFSETTO"].td, str(c["TZNAME"]))
              for c in zone.subcomponents]
    hour, none = timedelta(hours=1), timedelta()
    assert blocks == [("STANDARD", datetime(2027, 2, 22, 7, 30), none, none, "GMT"),
                      ("DAYLIGHT", datetime(2027, 3, 28, 1, 0), none, hour, "BST"),
                      ("STANDARD", datetime(2027, 10, 31, 2, 0), hour, none, "GMT"),
                      ("DAYLIGHT", datetime(2028, 3, 26, 1, 0), none, hour, "BST")]
    assert not any("RDATE" in c or "RRULE" in c for c in zone.subcomponents)


@pytest.mark.parametrize(("zone", "onset"), [("America/New_York", datetime(2027, 3, 14, 2, 0)),
                                             ("Australia/Lord_Howe", datetime(2027, 10, 3, 2, 0))])  # a half-hour jump
def test_daylight_onsets_are_in_the_time_before_the_jump(zone: str, onset: datetime) -> None:
    plan = plan_for(start_date=date(2027, 3, 1), timezone=zone, session_time=time(6, 0))
    cal = Calendar.from_ical(render(plan))
    onsets = [c["DTSTART"].dt for c in cal.timezones[0].subcomponents
              if c.name == "DAYLIGHT" and c["TZOFFSETFROM"].td != c["TZOFFSETTO"].td]
    assert onset in onsets


def test_timed_events_last_the_whole_session_and_same_day_sessions_follow_each_other() -> None:
    plan = plan_for(timezone="Europe/London", session_time=time(7, 30))
    events = {str(e["UID"]): e for e in Calendar.from_ical(render(plan)).events}
    for session in calendar_sessions(plan):
        event = events[session.uid]
        assert event.end - event.start == timedelta(minutes=session.total_minutes)
        assert str(event["DTSTART"].params["TZID"]) == "Europe/London"
    first_day = sorted((events[s.uid] for s in calendar_sessions(plan) if s.date == plan.weeks[0].start),
                       key=lambda e: e.start)
    assert len(first_day) == 2
    assert first_day[0].start.time() == time(7, 30) and first_day[1].start == first_day[0].end


# -- hostile names ----------------------------------------------------------------------------

@pytest.mark.parametrize("name", [
    "Eve\r\nEND:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:evil",
    "a;b,c\\d:e\"f",
    "x" * 2048,
    "🏃‍♀️ Zoë\u2028NAME:evil\x00\x1b\x0b\x85",
])
def test_hostile_names_neither_break_nor_inject(name: str) -> None:
    plan = plan_for(name=name)
    body = render(plan)
    assert by_icalendar(body) == by_vobject(body) == by_ics(body)
    lines = body.decode().split("\r\n")
    assert lines.count("BEGIN:VCALENDAR") == lines.count("END:VCALENDAR") == 1
    assert sum(line.startswith("UID:") for line in lines) == len(calendar_sessions(plan))
    assert not any(line.startswith(("UID:evil", "NAME:evil")) for line in lines)
    assert all(ord(ch) >= 0x20 and ch not in "\x85\u2028" for line in lines for ch in line)
    vcal = vobject.readOne(body.decode())
    shown = vcal.contents["x-wr-calname"][0].value
    assert shown == vcal.contents["name"][0].value == calendar_name(name)
    assert shown.startswith("Return to running · ")
    assert len(shown) <= len("Return to running · ") + 80
