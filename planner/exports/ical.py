"""The plan as an iCalendar feed (RFC 5545 / RFC 7986), built with the icalendar package."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from icalendar import Calendar, Event

from ..engine import Kind, Plan


@dataclass(frozen=True)
class SessionStamp:
    """When a session last changed, and how many times: DTSTAMP/LAST-MODIFIED and SEQUENCE."""

    sequence: int
    modified: datetime


def render_calendar(plan: Plan, *, stamps: dict[str, SessionStamp], page_url: str) -> bytes:
    """One event per run, strength and cross-training session; deterministic bytes."""
    cal = Calendar.new(prodid="-//Return to Run Planner//EN", name="Return to running",
                       description=plan.summary)
    del cal["UID"]
    for session in plan.sessions:
        if session.kind is Kind.REST:
            continue
        stamp = stamps[session.uid]
        event = Event.new(uid=session.uid, stamp=stamp.modified, last_modified=stamp.modified,
                          sequence=stamp.sequence, summary=session.title,
                          description="\n".join(session.cues + [page_url]))
        event.start, event.end = session.date, session.date + timedelta(days=1)
        cal.add_component(event)
    return cal.to_ical()
