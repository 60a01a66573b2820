"""The plan as an iCalendar feed (RFC 5545 / RFC 7986), built with the icalendar package.

One VEVENT per run, strength and cross-training session; rest days are left out. The bytes are
deterministic (no "now", events sorted), so the feed's ETag only changes when the plan does.
Notes on the standard and on the icalendar 7.3 traps worked around here: reference/standards.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Protocol, cast
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, vDDDTypes, vDuration, vText, vUTCOffset

from ..engine import Kind, Plan
from ..engine.pain import next_morning_rule, stop_rule
from ..engine.plan import Exercise, Session
from ..engine.words import DISCLAIMER, dose, intervals_in_words, minutes

PRODID = "-//Return to Run Planner//EN"
CALENDAR_NAME = "Return to running"
REFRESH = timedelta(hours=12)
NAME_LIMIT = 80  # the API's own limit; kept here too so the renderer is safe on its own

CATEGORIES = {Kind.RUN: "Run", Kind.STRENGTH: "Rehab", Kind.CROSS_TRAIN: "Cross-training"}
DAY_ORDER = {Kind.STRENGTH: 0, Kind.CROSS_TRAIN: 1, Kind.RUN: 2}  # rehab first: it can warm up a run


@dataclass(frozen=True)
class SessionStamp:
    """When a session last changed, how many times (DTSTAMP/LAST-MODIFIED and SEQUENCE), and the
    plan's notices its text shows (a passed day keeps the ones it showed then)."""

    sequence: int
    modified: datetime
    notices: tuple[str, ...] = ()


class EventStamp(Protocol):
    @property
    def sequence(self) -> int: ...
    @property
    def modified(self) -> datetime: ...
    @property
    def notices(self) -> tuple[str, ...]: ...


def render_calendar(plan: Plan, *, stamps: Mapping[str, EventStamp], page_url: str) -> bytes:
    """The subscription feed of `plan`: same plan, stamps and URL in, same bytes out."""
    cal = Calendar.new(prodid=PRODID)
    del cal["UID"]  # trap 2: a calendar-level UID collapses vdirsyncer's items into one
    # Calendar.new(name=, description=) stores the X-WR-* twins unescaped: a line break in the
    # description then fails to serialise and a ";" or "," reaches clients raw. Add all four as TEXT.
    name, description = calendar_name(plan.request.name), calendar_description(plan)
    for key, value in (("NAME", name), ("X-WR-CALNAME", name), ("DESCRIPTION", description),
                       ("X-WR-CALDESC", description)):
        cal.add(key, vText(value))
    cal.add("REFRESH-INTERVAL", REFRESH, parameters={"VALUE": "DURATION"})  # trap 1: VALUE is required
    cal.add("X-PUBLISHED-TTL", vDuration(REFRESH))

    sessions = event_sessions(plan.sessions)
    offsets = same_day_offsets(sessions)
    tz = ZoneInfo(plan.request.timezone) if plan.request.session_time else None
    for session in sessions:
        cal.add_component(_event(plan, session, stamps[session.uid], page_url, tz, offsets[session.uid]))

    if tz is not None and sessions:
        cal.add_missing_timezones(first_date=sessions[0].date - timedelta(days=7),
                                  last_date=sessions[-1].date + timedelta(days=7))
        for vtimezone in cal.timezones:
            _fix_onsets(vtimezone, ZoneInfo(str(vtimezone["TZID"])))
    return cast(bytes, cal.to_ical())  # Component.to_ical is unannotated; it returns bytes


def calendar_name(name: str | None) -> str:
    """"Return to running", plus " · " and the runner's name when they gave one."""
    clean = " ".join(_plain(name or "").split())
    if len(clean) > NAME_LIMIT:
        clean = clean[: NAME_LIMIT - 1].rstrip() + "…"
    return f"{CALENDAR_NAME} · {clean}" if clean else CALENDAR_NAME


def calendar_description(plan: Plan) -> str:
    """The plan's summary, any notice, and the warning signs that stop it."""
    parts = [plan.summary, *plan.notices]
    if plan.red_flags:
        parts.append("Stop the plan and get checked if you notice:\n" + "\n".join(f"- {f}" for f in plan.red_flags))
    return _plain("\n\n".join(parts), keep_newlines=True)


def session_description(plan: Plan, session: Session, page_url: str, notices: Sequence[str] | None = None) -> str:
    """The whole session in plain text: what to do, when to stop, what to check the next morning."""
    request = plan.request
    blocks: list[str] = [_what_to_do(session)]
    if session.exercises:
        blocks.append("Exercises:\n" + "\n".join(_exercise_line(e) for e in session.exercises))
    # The intervals are already spelled out above; every other cue is kept, and the two rules always appear.
    said = intervals_in_words(session.intervals) if session.intervals else None
    cues = [c for c in session.cues if not (said and c.startswith(said))]
    if not any(c == stop_rule(plan.ceiling) for c in cues):
        cues.append(stop_rule(plan.ceiling))
    if not any(c == next_morning_rule(request.pain_at_rest) for c in cues):
        cues.append(next_morning_rule(request.pain_at_rest))
    blocks.append("\n".join(f"- {c}" for c in cues))
    blocks.extend(plan.notices if notices is None else notices)
    blocks.append(DISCLAIMER)
    blocks.append(f"Your plan and check-in: {page_url}")
    return _plain("\n\n".join(b for b in blocks if b), keep_newlines=True)


def _what_to_do(session: Session) -> str:
    if session.kind is not Kind.RUN:
        return f"About {minutes(session.total_minutes)} min."
    lines = []
    if session.warmup_minutes:
        lines.append(f"Warm-up: {minutes(session.warmup_minutes)} min brisk walk.")
    if session.intervals:
        lines.append(f"Then {intervals_in_words(session.intervals)}, easy jog on flat ground.")
    elif session.continuous_minutes:
        lines.append(f"Then {minutes(session.continuous_minutes)} min {session.intensity.value} running"
                     f"{' with hills' if session.terrain.value == 'hills' else ''}.")
    if session.cooldown_minutes:
        lines.append(f"Cool-down: {minutes(session.cooldown_minutes)} min walk.")
    lines.append(f"{minutes(session.running_minutes)} min running, {minutes(session.total_minutes)} min in all.")
    return "\n".join(lines)


def _exercise_line(exercise: Exercise) -> str:
    return f"- {exercise.name}: {dose(exercise)}. {exercise.cue}"


def _event(plan: Plan, session: Session, stamp: EventStamp, page_url: str, tz: ZoneInfo | None,
           offset: timedelta) -> Event:
    modified = stamp.modified.astimezone(UTC)
    description = session_description(plan, session, page_url, stamp.notices)
    event = Event.new(uid=session.uid, stamp=modified, last_modified=modified, sequence=stamp.sequence,
                      summary=_plain(session.title), description=description,
                      url=page_url, categories=[CATEGORIES[session.kind]])
    if tz is None or plan.request.session_time is None:
        event.start, event.end = session.date, session.date + timedelta(days=1)  # DATE; DTEND is exclusive
    else:
        start = datetime.combine(session.date, plan.request.session_time, tzinfo=tz) + offset
        event.start, event.end = start, start + timedelta(minutes=session.total_minutes)
    if session.kind is not Kind.RUN:
        event.add("TRANSP", "TRANSPARENT")
    return event


def event_sessions(sessions: Iterable[Session]) -> list[Session]:
    """The sessions that are events (all but rest days), in the feed's order."""
    return sorted((s for s in sessions if s.kind is not Kind.REST), key=lambda s: (s.date, DAY_ORDER[s.kind], s.uid))


def same_day_offsets(sessions: Iterable[Session]) -> dict[str, timedelta]:
    """Two sessions on one day follow each other from the session time rather than overlap."""
    offsets: dict[str, timedelta] = {}
    day: date | None = None
    elapsed = timedelta()
    for session in event_sessions(sessions):
        if session.date != day:
            day, elapsed = session.date, timedelta()
        offsets[session.uid] = elapsed
        elapsed += timedelta(minutes=session.total_minutes)
    return offsets


def _fix_onsets(vtimezone: Timezone, zone: ZoneInfo) -> None:
    """Trap 5: icalendar 7.3 writes DAYLIGHT onsets as the wall time after the jump (London 02:00).

    RFC 5545 §3.6.5 wants the onset in the local time before it (TZOFFSETFROM): 01:00. Each onset is
    checked against the zone's real transition, so a fixed icalendar release leaves it unchanged.
    """
    for rule in vtimezone.subcomponents:
        # Component.__getitem__ is typed as any property class; in a STANDARD or DAYLIGHT rule these
        # two are UTC-OFFSETs and DTSTART is a local DATE-TIME (RFC 5545 §3.6.5).
        before = cast(vUTCOffset, rule["TZOFFSETFROM"]).td
        after = cast(vUTCOffset, rule["TZOFFSETTO"]).td
        if before == after:
            continue
        start = cast(vDDDTypes, rule["DTSTART"])
        start.dt = _onset(cast(datetime, start.dt), before, after, zone)
        rdates = rule.get("RDATE")
        for rdate_list in rdates if isinstance(rdates, list) else [rdates] if rdates else []:
            for value in rdate_list.dts:
                value.dt = _onset(value.dt, before, after, zone)


def _onset(written: datetime, before: timedelta, after: timedelta, zone: ZoneInfo) -> datetime:
    """The transition's wall time in the offset before it, whichever convention `written` used."""
    for offset in (before, after):
        instant = (written - offset).replace(tzinfo=UTC)
        if (instant - timedelta(seconds=1)).astimezone(zone).utcoffset() == before \
                and instant.astimezone(zone).utcoffset() == after:
            return (instant + before).replace(tzinfo=None)
    return written


# Control characters (Unicode category Cc) and the line and paragraph separators (Zl, Zp).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_UNSAFE_BUT_NEWLINE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def _plain(text: str, *, keep_newlines: bool = False) -> str:
    """Text with no control or line-separator characters (a line break stays where asked)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return (_UNSAFE_BUT_NEWLINE if keep_newlines else _UNSAFE).sub(" ", text)
