"""Revisions: the plan after each write, stored whole and never changed.

A revision holds the computed plan (store/codec.py) and one stamp per calendar event: its content
digest, SEQUENCE, LAST-MODIFIED and the notices its text shows. Every read (page, API, feed, files)
comes from the latest revision, so the engine runs on writes only, and a new revision takes the
past from the one before it (engine/frozen.py).
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from pydantic_core import to_json
from sqlalchemy import select

from ..engine import Plan, Session
from ..exports import nudges
from ..exports.ical import same_day_offsets
from ..extensions import db
from . import codec, outbox
from .models import PlanRecord, PlanRevision, SessionVersion

CREATE, CHECKIN, MORNING, ACTIVITY, ROTATE, UPGRADE, RECORDED, NUDGES, SHARE, UNSHARE, AWAY = (
    "create", "checkin", "morning", "activity", "rotate", "upgrade", "recorded", "nudges", "share", "unshare", "away")


@dataclass(frozen=True)
class Stamp:
    """One calendar event's history: SEQUENCE rises, and LAST-MODIFIED moves, only when its digest does."""

    digest: str
    sequence: int
    modified: datetime
    notices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Revision:
    number: int
    plan: Plan
    stamps: dict[str, Stamp]
    reason: str
    as_of: date
    created_at: datetime
    day: date | None = None
    decision: str | None = None


def restamp(plan: Plan, before: dict[str, Stamp], today: date, moment: datetime,
            logged: Mapping[date, str] | None = None) -> dict[str, Stamp]:
    """The stamps of `plan`'s events, given the stamps before it.

    An event keeps its stamp unless what it shows changed. A day before `today` keeps the notices it
    showed (rule 34: its text never changes); a day from today on shows the plan's notices now.
    A check-in nudge's notices are what it says of its run's check-in (`logged`: run day -> its line;
    none: it asks), and a nudge whose day has passed keeps what it said, whatever check-in came late.
    An event the plan no longer has keeps a stamp marking it gone, so one that comes back carries on
    counting. Whatever changed is stamped at least a second after every earlier stamp: the feed's
    Last-Modified (whole seconds) moves forward with every revision that changes it.
    """
    latest = max((s.modified for s in before.values()), default=None)
    if latest is not None and moment < latest + timedelta(seconds=1):
        moment = latest + timedelta(seconds=1)
    stamps = dict(before)
    offsets = same_day_offsets(plan.sessions)
    present: set[str] = set()

    def stamp(uid: str, digest: str, notices: tuple[str, ...]) -> None:
        present.add(uid)
        earlier = before.get(uid)
        if earlier is None:
            stamps[uid] = Stamp(digest, 0, moment, notices)
        elif earlier.digest != digest:
            stamps[uid] = Stamp(digest, earlier.sequence + 1, moment, notices)

    for session, data in _sessions(plan):
        earlier = before.get(session.uid)
        notices = earlier.notices if earlier and session.date < today else tuple(plan.notices)
        stamp(session.uid, _digest(data, notices, offsets.get(session.uid, timedelta())), notices)
    for run in nudges.nudged_runs(plan):
        earlier = before.get(nudges.uid(run.uid))
        said = earlier.notices if earlier and nudges.day_of(run) < today else _said(logged, run.date)
        stamp(nudges.uid(run.uid), _nudge_digest(run, said), said)
    for uid, earlier in before.items():
        if uid not in present and earlier.digest != GONE:
            stamps[uid] = Stamp(GONE, earlier.sequence + 1, moment, earlier.notices)
    return stamps


GONE = "gone"  # the digest of a session the plan no longer has


def _sessions(plan: Plan) -> Iterator[tuple[Session, dict[str, Any]]]:
    """Each session beside its stored data (the plan dumped once, not session by session)."""
    data = codec.dump(plan)
    for week, week_data in zip(plan.weeks, data["weeks"], strict=True):
        yield from zip(week.sessions, week_data["sessions"], strict=True)


def _digest(session: dict[str, Any], notices: tuple[str, ...], offset: timedelta) -> str:
    """Everything an event is made from besides the plan's fixed answers."""
    body = {"session": session, "notices": notices, "offset": offset.total_seconds()}
    return hashlib.sha256(to_json(body)).hexdigest()


def _said(logged: Mapping[date, str] | None, day: date) -> tuple[str, ...]:
    line = (logged or {}).get(day)
    return (line,) if line else ()


def _nudge_digest(run: Session, said: tuple[str, ...]) -> str:
    """Everything a nudge is made from besides the plan's fixed answers (its time and zone)."""
    return hashlib.sha256(to_json({"nudge": nudges.run_in_words(run), "said": said})).hexdigest()


def logged_lines(checkins: Iterable[nudges.Logged]) -> dict[date, str]:
    """Run day -> what its nudge says of the day's check-in."""
    return {c.date: nudges.logged_line(c) for c in checkins}


def changed(before: dict[str, Stamp], after: dict[str, Stamp]) -> list[str]:
    """UIDs whose events are new or changed between two sets of stamps."""
    return [uid for uid, stamp in after.items() if before.get(uid) != stamp]


def encode(plan: Plan, stamps: dict[str, Stamp]) -> bytes:
    notice_sets: list[list[str]] = []
    index: dict[tuple[str, ...], int] = {}
    events = {}
    for uid, stamp in stamps.items():
        if stamp.notices not in index:
            index[stamp.notices] = len(notice_sets)
            notice_sets.append(list(stamp.notices))
        events[uid] = [stamp.digest, stamp.sequence, stamp.modified.isoformat(), index[stamp.notices]]
    body = {"plan": codec.dump(plan), "events": events, "notice_sets": notice_sets}
    return gzip.compress(to_json(body), compresslevel=6, mtime=0)


def decode(body: bytes) -> tuple[Plan, dict[str, Stamp]]:
    data: dict[str, Any] = json.loads(gzip.decompress(body))
    notice_sets = [tuple(n) for n in data["notice_sets"]]
    stamps = {uid: Stamp(digest, sequence, datetime.fromisoformat(modified), notice_sets[notices])
              for uid, (digest, sequence, modified, notices) in data["events"].items()}
    return codec.load_plan(data["plan"]), stamps


def add(record: PlanRecord, number: int, plan: Plan, stamps: dict[str, Stamp], *, reason: str, as_of: date,
        moment: datetime, day: date | None = None, decision: str | None = None) -> None:
    db.session.add(PlanRevision(
        plan_id=record.id, number=number, reason=reason, rules_version=plan.rules_version, as_of=as_of,
        day=day, decision=decision, created_at=moment, body=encode(plan, stamps),
    ))
    outbox.enqueue(record.id)  # the plan's intervals.icu calendar follows, in this same transaction


def latest(record: PlanRecord) -> PlanRevision | None:
    return db.session.scalars(
        select(PlanRevision).where(PlanRevision.plan_id == record.id).order_by(PlanRevision.number.desc()).limit(1)
    ).first()


def read(row: PlanRevision) -> Revision:
    plan, stamps = decode(row.body)
    return Revision(number=row.number, plan=plan, stamps=stamps, reason=row.reason, as_of=row.as_of,
                    created_at=as_utc(row.created_at), day=row.day, decision=row.decision)


def last_upgrade(plan_id: int) -> tuple[int, date] | None:
    """The rules version and day of the plan's latest upgrade (the page says so), if it had one."""
    row = db.session.execute(
        select(PlanRevision.rules_version, PlanRevision.as_of).where(
            PlanRevision.plan_id == plan_id, PlanRevision.reason == UPGRADE)
        .order_by(PlanRevision.number.desc()).limit(1)
    ).first()
    return (row[0], row[1]) if row else None


def decisions(plan_id: int) -> dict[date, str]:
    """day -> what that day's check-in did to the weeks after it, as its latest revision recorded it
    (a morning score or a run's file added later can change a check-in's decision)."""
    rows = db.session.execute(
        select(PlanRevision.day, PlanRevision.decision).where(
            PlanRevision.plan_id == plan_id, PlanRevision.day.is_not(None), PlanRevision.decision.is_not(None))
        .order_by(PlanRevision.number)
    )
    return {day: decision for day, decision in rows if day is not None and decision is not None}


def legacy_stamps(record: PlanRecord, plan: Plan, moment: datetime, today: date) -> dict[str, Stamp]:
    """Stamps for a plan written before revisions, from its session_versions rows (every event
    showed the plan's notices then); its nudges are new."""
    versions = {v.uid: v for v in db.session.scalars(select(SessionVersion).where(SessionVersion.plan_id == record.id))}
    offsets = same_day_offsets(plan.sessions)
    notices = tuple(plan.notices)
    stamps = {}
    for session, data in _sessions(plan):
        version = versions.get(session.uid)
        digest = _digest(data, notices, offsets.get(session.uid, timedelta()))
        stamps[session.uid] = Stamp(digest, version.sequence if version else 0,
                                    as_utc(version.modified_at) if version else moment, notices)
    return restamp(plan, stamps, today, moment, logged_lines(record.checkins))  # adds the nudges


def as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything stored is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
