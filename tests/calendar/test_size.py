"""The feed's size. Google Calendar is reported to drop subscriptions past about 1 MB; every plan's feed
stays under 512 KB, and rule 29 is in every one of them.

The largest plans the engine makes run to LONGEST_PLAN (104 weeks). The most events: a runner whose pain
never settles stays in the settling weeks, with bridge holds every day and three walks a week, for all
104 weeks (1040 events). The rest: the longest climb (0 to 1800 minutes a week, six runs a week: 97 weeks,
662 events), and plans held back by painful check-ins.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from planner.engine import Kind, build_plan
from planner.engine.pain import stop_rule
from planner.engine.plan import CheckIn, Plan
from planner.engine.words import DISCLAIMER, PHYSIO_NOTICE
from planner.exports.ical import FEED_BUDGET, SessionStamp, event_sessions, render_calendar
from planner.schemas import PlanRequestModel

LIMIT = 512_000
PAGE = "https://return-to-run.example.org/plans/" + "x" * 32  # tokens are 32 characters; a long base URL
LONG_ZONE = "America/Argentina/ComodRivadavia"  # the longest zone name
START = date(2027, 3, 1)


def largest_request(checkins: list[CheckIn] = (), **overrides: object) -> Plan:  # type: ignore[assignment]
    """A plan as the API makes it (the request goes through the API's model), as long as it gets."""
    request = PlanRequestModel(**{  # type: ignore[arg-type]
        "weekly_volume": 0, "current_pain": 2, "unit": "min", "target_weekly_volume": 1800, "runs_per_week": 6,
        "start_date": START.isoformat(), "timezone": LONG_ZONE, "session_time": "07:00", "name": "x" * 80,
        **overrides}).to_engine()
    return build_plan(request, today=date(2029, 3, 1), seed="largest", checkins=list(checkins))


def settling_for_two_years(zone: str = LONG_ZONE, at: time | None = time(7, 0)) -> Plan:
    """Pain of 8, and a walk every Monday for two years that goes over the ceiling."""
    checkins = [CheckIn(START + timedelta(weeks=week), pain_during=8, pain_next_morning=7) for week in range(104)]
    return largest_request(checkins, current_pain=8, timezone=zone,
                           session_time=None if at is None else f"{at:%H:%M}")


def painful_every_other_run() -> Plan:
    runs = [s.date for s in largest_request().sessions if s.kind is Kind.RUN]
    return largest_request([CheckIn(day, pain_during=5, pain_next_morning=3) for day in runs[::2]])


def render(plan: Plan) -> bytes:
    """As a long-lived plan's feed: many revisions, and the plan's notices on every event."""
    changed = datetime(2029, 2, 20, 9, 15, tzinfo=UTC)
    return render_calendar(plan, stamps={s.uid: SessionStamp(999, changed, tuple(plan.notices))
                                         for s in plan.sessions}, page_url=PAGE)


def descriptions(body: bytes) -> list[str]:
    unfolded = body.replace(b"\r\n ", b"").decode()
    return [line.split(":", 1)[1].replace("\\n", "\n").replace("\\,", ",").replace("\\;", ";")
            for line in unfolded.split("\r\n") if line.startswith(("DESCRIPTION:", "DESCRIPTION;"))]


PLANS = {
    "settling for two years, timed": lambda: settling_for_two_years(),
    "settling for two years, all day": lambda: settling_for_two_years(at=None),
    "the longest climb": lambda: largest_request(),
    "the longest climb, with a cadence": lambda: largest_request(cadence=150),
    "two runs a week": lambda: largest_request(runs_per_week=2),
    "every other run painful": painful_every_other_run,
    "every Monday painful": lambda: largest_request(
        [CheckIn(START + timedelta(weeks=week), pain_during=5, pain_next_morning=4) for week in range(104)]),
}


@pytest.mark.parametrize("which", PLANS)
def test_every_plan_stays_under_512_kb(which: str, record_property: pytest.RecordProperty) -> None:
    plan = PLANS[which]()
    body = render(plan)
    events = body.count(b"BEGIN:VEVENT")
    record_property("feed", f"{which}: {len(plan.weeks)} weeks, {events} events, {len(body)} bytes")
    print(f"{which}: {len(plan.weeks)} weeks, {events} events, {len(body)} bytes")
    assert len(body) < LIMIT
    assert events == len(event_sessions(plan.sessions))


def test_the_largest_plan_has_1040_events_and_keeps_rule_29() -> None:
    plan = settling_for_two_years()
    assert len(plan.weeks) == 104 and len(event_sessions(plan.sessions)) == 1040
    assert plan.notices == [PHYSIO_NOTICE]
    body = render(plan)
    assert len(body) < LIMIT
    calendar, *events = descriptions(body)
    # The calendar: the whole disclaimer, the notice, the warning signs and the page.
    assert DISCLAIMER in calendar and PHYSIO_NOTICE in calendar and PAGE in calendar
    assert all(flag in calendar for flag in plan.red_flags)
    # Every event: what to do, the stop rule, and that it is not a diagnosis or medical advice.
    assert len(events) == 1040
    assert all(stop_rule(plan.ceiling) in text and "Not a diagnosis or medical advice" in text for text in events)
    walks = [text for text in events if text.startswith("Walk briskly")]
    assert len(walks) == 312 and all(PAGE in text for text in walks)


def test_a_plan_held_back_by_pain_keeps_the_full_texts() -> None:
    """Just under the budget: the page's link, the notice and the disclaimer line on every event."""
    body = render(painful_every_other_run())
    assert len(body) <= FEED_BUDGET
    events = descriptions(body)[1:]
    assert all(PAGE in text and PHYSIO_NOTICE in text and "Not a diagnosis or medical advice" in text
               for text in events)
    assert b"TZID=" + LONG_ZONE.encode() in body


def test_a_42_week_plan_is_a_fraction_of_what_it_was() -> None:
    """It was about 380 KB when every event repeated the disclaimer, the cues and the page."""
    request = PlanRequestModel(weekly_volume=30, current_pain=2, unit="min", target_weekly_volume=170,
                               runs_per_week=3, start_date=START.isoformat(), timezone="Europe/London",
                               session_time="07:30").to_engine()
    plan = build_plan(request, today=date(2027, 2, 20), seed="42")
    assert len(plan.weeks) == 42
    assert len(render(plan)) < 200_000
