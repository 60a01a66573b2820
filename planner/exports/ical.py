"""The plan as an iCalendar feed (RFC 5545 / RFC 7986), built with the icalendar package.

One VEVENT per run, strength and cross-training session; rest days are left out. The morning after
each run, a 15-minute check-in nudge links to the one-tap check-in page (exports/nudges.py). The bytes are
deterministic (no "now", events sorted), so the feed's ETag only changes when the plan does.
Notes on the standard and on the icalendar 7.3 traps worked around here: reference/standards.md.

What strict clients (ical.js, khal, Google Calendar's subscriptions) need, and what is done for them:
- Every DATE-TIME names exactly one instant (RFC 5545 §3.3.5). A session time that the clocks skip
  that night moves past the jump, and the event says so; a local time that comes twice (the clocks
  going back) is the first one, written in UTC so that no client has to guess (`placements`, `_written`).
- One VTIMEZONE block per change of offset, built from the zone itself: no RDATE (ical.js takes a
  block's RDATEs as its only onsets and skips its DTSTART, the first change of a long plan), and each
  onset in the local time before the change (`vtimezone`).
- NAME, X-WR-CALNAME and the calendar's descriptions say VALUE=TEXT, or ical.js and khal show a name's
  ";" and "," with their backslashes.
- Short event texts (`session_description`): what to do that day, the stop rule, the notices and one
  line saying the plan is not a diagnosis or medical advice, with the link to the plan page, where the
  cues and the rest are. The calendar's own DESCRIPTION carries rule 29's whole disclaimer, the
  notices and the warning signs. A feed that would still pass FEED_BUDGET (only the longest plans do:
  two years of sessions every day) is written compact: every time in UTC, no categories, no notices
  in the events and the link on runs and walks only. Every plan the engine makes then stays well
  under 512 KB; Google Calendar is reported to drop subscriptions of about 1 MB.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol, cast
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard, vDuration, vText

from ..engine import Kind, Plan
from ..engine.exercises import HEAVY_CUE, HOLDS_BEFORE_A_RUN, PLYO_CUE
from ..engine.layout import cadence_cue
from ..engine.pain import next_morning_rule, stop_rule
from ..engine.plan import Session
from ..engine.words import (
    DISCLAIMER,
    EASY_FLAT,
    HOLDS_CUE,
    HOLDS_WITH_RUN,
    MAINTENANCE_CUE,
    SITTING_ADVICE,
    dose,
    intervals_in_words,
    minutes,
)
from . import nudges

PRODID = "-//Return to Run Planner//EN"
FORMAT = 3  # raised whenever the same plan renders to other bytes: stored feeds are rendered again
CALENDAR_NAME = "Return to running"
REFRESH = timedelta(hours=12)
NAME_LIMIT = 80  # the API's own limit; kept here too so the renderer is safe on its own
# The one line every event carries for rule 29; the page holds the whole text, the cues and the signs.
NOT_ADVICE = "Not a diagnosis or medical advice. Cues and more: {url}"
NOT_ADVICE_SHORT = "Not a diagnosis or medical advice."
FEED_BUDGET = 448 * 1024  # bytes, beyond which the feed is written compact

CATEGORIES = {Kind.RUN: "Run", Kind.STRENGTH: "Rehab", Kind.CROSS_TRAIN: "Cross-training"}
CHECK_IN_CATEGORY = "Check-in"
DAY_ORDER = {Kind.STRENGTH: 0, Kind.CROSS_TRAIN: 1, Kind.RUN: 2}  # rehab first: it can warm up a run
ZONE_MARGIN = timedelta(days=7)  # the VTIMEZONE covers the events and a week either side


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


@dataclass(frozen=True)
class Placement:
    """When a timed session really happens (aware datetimes in the plan's zone), and a word on the
    clocks when they change around it."""

    start: datetime
    end: datetime
    note: str | None = None


def render_calendar(plan: Plan, *, stamps: Mapping[str, EventStamp], page_url: str) -> bytes:
    """The subscription feed of `plan`: same plan, stamps and URL in, same bytes out.

    Written in full while that fits in FEED_BUDGET, else compact (see the module's notes).
    """
    body = _render(plan, stamps, page_url, compact=False)
    return body if len(body) <= FEED_BUDGET else _render(plan, stamps, page_url, compact=True)


def _render(plan: Plan, stamps: Mapping[str, EventStamp], page_url: str, *, compact: bool) -> bytes:
    cal = Calendar.new(prodid=PRODID)
    del cal["UID"]  # trap 2: a calendar-level UID collapses vdirsyncer's items into one
    # Calendar.new(name=, description=) stores the X-WR-* twins unescaped: a line break in the
    # description then fails to serialise and a ";" or "," reaches clients raw. Add all four as TEXT,
    # saying so (VALUE=TEXT): ical.js and icalendar (khal) read NAME and the X- properties as raw
    # values otherwise, and show a runner called "Sam; Jo" as "Sam\; Jo".
    name, description = calendar_name(plan.request.name), calendar_description(plan, page_url)
    for key, value in (("NAME", name), ("X-WR-CALNAME", name), ("DESCRIPTION", description),
                       ("X-WR-CALDESC", description)):
        cal.add(key, vText(value), parameters={"VALUE": "TEXT"})
    cal.add("REFRESH-INTERVAL", REFRESH, parameters={"VALUE": "DURATION"})  # trap 1: VALUE is required
    cal.add("X-PUBLISHED-TTL", vDuration(REFRESH))

    places = placements(plan)
    for session in event_sessions(plan.sessions):
        cal.add_component(_event(plan, session, stamps[session.uid], page_url, places.get(session.uid), compact))
    timed = list(places.values())
    for run, stamp, place in _nudges(plan, stamps):
        cal.add_component(_nudge(run, stamp, page_url, place, compact))
        timed.append(place)
    if timed:
        zone = ZoneInfo(plan.request.timezone)
        if zone.key in cal.get_used_tzids():  # not when every time is written in UTC
            first = min(p.start for p in timed) - ZONE_MARGIN
            last = max(p.end for p in timed) + ZONE_MARGIN
            cal.subcomponents.insert(0, vtimezone(zone, first, last))
    return cast(bytes, cal.to_ical())  # Component.to_ical is unannotated; it returns bytes


def calendar_name(name: str | None) -> str:
    """"Return to running", plus " · " and the runner's name when they gave one."""
    clean = " ".join(_plain(name or "").split())
    if len(clean) > NAME_LIMIT:
        clean = clean[: NAME_LIMIT - 1].rstrip() + "…"
    return f"{CALENDAR_NAME} · {clean}" if clean else CALENDAR_NAME


def calendar_description(plan: Plan, page_url: str = "") -> str:
    """The plan's summary, any notice, rule 29's disclaimer, the warning signs that stop it, and the page."""
    parts = [plan.summary, *plan.notices]
    if DISCLAIMER not in plan.summary:
        parts.append(DISCLAIMER)
    if plan.red_flags:
        parts.append("Stop the plan and get checked if you notice:\n" + "\n".join(f"- {f}" for f in plan.red_flags))
    if page_url:
        parts.append(f"Your plan, its cues and check-ins: {page_url}")
    return _plain("\n\n".join(parts), keep_newlines=True)


def session_description(plan: Plan, session: Session, page_url: str, notices: Sequence[str] | None = None,
                        note: str | None = None, *, compact: bool = False) -> str:
    """What to do that day and when to stop, then any notice and rule 29's line with the page's link.

    The advice that is the same session after session (the next-morning rule, the cadence cue, how
    heavy is heavy, each exercise's form cue) is on the plan page, which the last line links to.
    Compact: the same without the notices (they are in the calendar's DESCRIPTION and on the page),
    and the link only on runs and walks, the sessions a runner checks in on.
    """
    blocks = [note or "", _what_to_do(session), "\n".join(_today_cues(plan, session))]
    if compact:
        blocks.append(NOT_ADVICE_SHORT if session.kind is Kind.STRENGTH else NOT_ADVICE.format(url=page_url))
    else:
        blocks += [*(plan.notices if notices is None else notices), NOT_ADVICE.format(url=page_url)]
    return _plain("\n\n".join(b for b in blocks if b), keep_newlines=True)


def _today_cues(plan: Plan, session: Session) -> list[str]:
    """The session's own cues (a walk's length, strides or hills today), then the stop rule."""
    request = plan.request
    on_the_page = {EASY_FLAT, SITTING_ADVICE, HOLDS_CUE, HOLDS_WITH_RUN, MAINTENANCE_CUE, HEAVY_CUE, PLYO_CUE,
                   HOLDS_BEFORE_A_RUN, cadence_cue(request.cadence), next_morning_rule(request.pain_at_rest)}
    said = intervals_in_words(session.intervals) if session.intervals else None
    stop = stop_rule(plan.ceiling)
    cues = [c for c in session.cues if c not in on_the_page and c != stop and not (said and c.startswith(said))]
    return [*cues, stop]


def _what_to_do(session: Session) -> str:
    """A run's parts and minutes, and the exercises of the day (the title says how long they take)."""
    exercises = [f"{e.name}, {dose(e)}" for e in session.exercises]
    if session.kind is not Kind.RUN:
        return "\n".join(f"- {e}" for e in exercises)
    parts = []
    if exercises:  # the bridge holds of the first stage come before a run (rule 23)
        parts.append(f"Before you run: {'; '.join(exercises)}.")
    if session.warmup_minutes:
        parts.append(f"Warm-up: {minutes(session.warmup_minutes)} min brisk walk.")
    if session.intervals:
        parts.append(f"Then {intervals_in_words(session.intervals)} (easy jog, flat).")
    elif session.continuous_minutes:
        parts.append(f"Then {minutes(session.continuous_minutes)} min {session.intensity.value} running"
                     f"{' with hills' if session.terrain.value == 'hills' else ''}.")
    if session.cooldown_minutes:
        parts.append(f"Cool-down: {minutes(session.cooldown_minutes)} min walk.")
    parts.append(f"{minutes(session.total_minutes)} min in all, {minutes(session.running_minutes)} min running.")
    return " ".join(parts)


def _event(plan: Plan, session: Session, stamp: EventStamp, page_url: str, place: Placement | None,
           compact: bool) -> Event:
    modified = stamp.modified.astimezone(UTC)
    description = session_description(plan, session, page_url, stamp.notices, place.note if place else None,
                                      compact=compact)
    event = Event.new(uid=session.uid, stamp=modified, last_modified=modified, sequence=stamp.sequence,
                      summary=_plain(session.title), description=description,
                      categories=() if compact else [CATEGORIES[session.kind]])
    if place is None:
        event.start, event.end = session.date, session.date + timedelta(days=1)  # DATE; DTEND is exclusive
    elif compact:  # UTC: the shortest form, the same whatever the zone's name
        event.add("DTSTART", place.start.astimezone(UTC))
        event.add("DTEND", place.end.astimezone(UTC))
    else:
        event.add("DTSTART", _written(place.start))
        event.add("DTEND", _written(place.end))
    if session.kind is not Kind.RUN:
        event.add("TRANSP", "TRANSPARENT")
    return event


def _nudges(plan: Plan, stamps: Mapping[str, EventStamp]) -> Iterator[tuple[Session, EventStamp, Placement]]:
    """Each run's check-in nudge with its stamp and time (a revision stored before nudges has no
    stamps for them, and shows none until its next write)."""
    zone = ZoneInfo(plan.request.timezone)
    at = nudges.time_of(plan)
    for run in nudges.nudged_runs(plan):
        stamp = stamps.get(nudges.uid(run.uid))
        if stamp is None:
            continue
        start, note = _first_start(nudges.day_of(run), at, zone)
        end = (start.astimezone(UTC) + nudges.LENGTH).astimezone(zone)
        yield run, stamp, Placement(start, end, note)


def _nudge(run: Session, stamp: EventStamp, page_url: str, place: Placement, compact: bool) -> Event:
    """The morning after a run: a short timed event (even in an all-day plan) that opens its check-in."""
    modified = stamp.modified.astimezone(UTC)
    url = nudges.checkin_url(page_url, run.date)
    event = Event.new(uid=nudges.uid(run.uid), stamp=modified, last_modified=modified, sequence=stamp.sequence,
                      summary=nudges.summary(stamp.notices),
                      description=_plain(nudges.description(run, stamp.notices, url, place.note), keep_newlines=True),
                      url=url, categories=() if compact else [CHECK_IN_CATEGORY])
    if compact:
        event.add("DTSTART", place.start.astimezone(UTC))
        event.add("DTEND", place.end.astimezone(UTC))
    else:
        event.add("DTSTART", _written(place.start))
        event.add("DTEND", _written(place.end))
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


# -- time -----------------------------------------------------------------------------------------

def placements(plan: Plan) -> dict[str, Placement]:
    """Each timed session's real start and end; empty when the plan has no session time (all-day events).

    A day's first session starts at the session time. When the clocks skip that time that night, it
    moves on by the jump (01:30 in London on the night of the spring change becomes 02:30 BST: the
    instant RFC 5545 §3.3.5 itself reads such a time as), and its text says so. When the time comes
    twice, it is the first. Every length is real elapsed time, worked out in UTC, so a session and the
    one after it never overlap, whatever the clocks do.
    """
    session_time = plan.request.session_time
    if session_time is None:
        return {}
    zone = ZoneInfo(plan.request.timezone)
    offsets = same_day_offsets(plan.sessions)
    places: dict[str, Placement] = {}
    first_of_day: dict[date, tuple[datetime, str | None]] = {}
    for session in event_sessions(plan.sessions):
        if session.date not in first_of_day:
            first_of_day[session.date] = _first_start(session.date, session_time, zone)
        day_start, note = first_of_day[session.date]
        offset = offsets[session.uid]
        start = (day_start.astimezone(UTC) + offset).astimezone(zone)
        end = (start.astimezone(UTC) + timedelta(minutes=session.total_minutes)).astimezone(zone)
        places[session.uid] = Placement(start, end, note if not offset else None)
    return places


def _first_start(day: date, at: time, zone: ZoneInfo) -> tuple[datetime, str | None]:
    """The instant of `at` on `day` in `zone`, and a note when the clocks change around it."""
    wall = datetime.combine(day, at)
    first, second = wall.replace(tzinfo=zone, fold=0), wall.replace(tzinfo=zone, fold=1)
    if _local(first.astimezone(UTC), zone) != wall:
        # Skipped: fold=0 reads it in the offset before the jump, which lands that long after it.
        moved = first.astimezone(UTC).astimezone(zone)
        return moved, f"Moved to {moved:%H:%M} because the clocks go forward that night."
    if first.utcoffset() != second.utcoffset():
        return first, f"At the first {wall:%H:%M}: the clocks go back that night, so {wall:%H:%M} comes twice."
    return first, None


def _local(instant: datetime, zone: ZoneInfo) -> datetime:
    return instant.astimezone(zone).replace(tzinfo=None)


def _written(moment: datetime) -> datetime:
    """`moment` as DTSTART or DTEND show it: in its zone when that local time names it alone, else in UTC.

    A local time inside a jump or inside the repeated hour of a change back (the end of a session that
    runs through 02:00 on the autumn night) is read differently by different clients.
    """
    zone = cast(ZoneInfo, moment.tzinfo)
    wall = moment.replace(tzinfo=None)
    readings = {wall.replace(tzinfo=zone, fold=fold).astimezone(UTC) for fold in (0, 1)}
    return moment if readings == {moment.astimezone(UTC)} else moment.astimezone(UTC)


def vtimezone(zone: ZoneInfo, first: datetime, last: datetime) -> Timezone:
    """`zone` from `first` to `last` as a VTIMEZONE: a block for the offset at `first`, then one block
    per change of UTC offset, each with its own DTSTART and no RDATE or RRULE.

    RFC 5545 §3.6.5: a block's DTSTART is the local time of the change in the offset before it
    (TZOFFSETFROM), so London's spring change is 01:00, not 02:00.
    """
    tz = Timezone()
    tz.add("TZID", zone.key)
    opening = first.astimezone(zone)
    tz.add_component(_block(opening, opening.utcoffset() or timedelta(), opening.replace(tzinfo=None)))
    for change in transitions(zone, first, last):
        before = (change - timedelta(seconds=1)).astimezone(zone).utcoffset() or timedelta()
        tz.add_component(_block(change.astimezone(zone), before, (change + before).replace(tzinfo=None)))
    return tz


def _block(after: datetime, before: timedelta, onset: datetime) -> TimezoneStandard | TimezoneDaylight:
    daylight = (after.dst() or timedelta()) > timedelta()
    block = TimezoneDaylight() if daylight else TimezoneStandard()
    block.add("DTSTART", onset)
    block.add("TZNAME", after.tzname() or "")
    block.add("TZOFFSETFROM", before)
    block.add("TZOFFSETTO", after.utcoffset() or timedelta())
    return block


def transitions(zone: ZoneInfo, first: datetime, last: datetime) -> list[datetime]:
    """The instants (UTC, whole seconds) after `first` and up to `last` at which `zone`'s UTC offset changes."""
    step = timedelta(hours=6)  # shorter than the time between any two changes of a real zone
    found = []
    low, end = first.astimezone(UTC).replace(microsecond=0), last.astimezone(UTC)
    offset = low.astimezone(zone).utcoffset()
    while low < end:
        high = low + step
        if high.astimezone(zone).utcoffset() != offset:
            before, after = low, high  # the old offset at `before`, another at `after`: halve to the second
            while after - before > timedelta(seconds=1):
                middle = before + timedelta(seconds=(after - before).total_seconds() // 2)
                before, after = (middle, after) if middle.astimezone(zone).utcoffset() == offset else (before, middle)
            found.append(after)
            offset = after.astimezone(zone).utcoffset()
        low = high
    return found


# Control characters (Unicode category Cc) and the line and paragraph separators (Zl, Zp).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_UNSAFE_BUT_NEWLINE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def _plain(text: str, *, keep_newlines: bool = False) -> str:
    """Text with no control or line-separator characters (a line break stays where asked)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return (_UNSAFE_BUT_NEWLINE if keep_newlines else _UNSAFE).sub(" ", text)
