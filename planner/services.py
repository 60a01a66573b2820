"""The use cases the form and the API share: preview, create, get, check in, delete, rotate.

Each plan is recomputed from its stored request and check-ins by the pure engine. Every write
raises the plan's revision and re-renders the calendar once, so polls only ever read bytes.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import secrets
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypedDict, cast

from flask import current_app, url_for
from sqlalchemy import CursorResult, Result, Row, bindparam, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from .engine import CheckIn, Decision, InputError, Kind, Plan, Status, build_plan
from .exports import ical
from .extensions import db
from .schemas import CheckInModel, MorningModel, PlanRequestModel, PreviewRequestModel, SessionOut
from .store.models import CheckInRecord, PlanRecord, RenderedExport, SessionVersion, new_token, utcnow

__all__ = ["InputError"]  # re-exported: the engine's input errors reach the web layers here


CALENDAR = "ics"  # the stored kinds of rendered export
CALENDAR_GZIP = "ics.gz"


class PlanNotFound(LookupError):
    """No plan has that token (or it was deleted, or its token rotated)."""


class CheckInRejected(InputError):
    """A check-in the plan cannot take; `field` names the field at fault."""


class CheckInNotFound(LookupError):
    """The plan has no check-in on that day (so there is no morning score to add)."""


@dataclass(frozen=True)
class Stored:
    record: PlanRecord
    plan: Plan
    checkins: list[CheckInRecord]


def now() -> datetime:
    """The one clock of the app (UTC); tests replace it to stand at a chosen moment."""
    return datetime.now(UTC)


def zone(timezone: str) -> zoneinfo.ZoneInfo:
    """The plan's time zone; UTC for a name this machine does not know (requests are checked on the way in)."""
    try:
        return zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def today(timezone: str = "UTC") -> date:
    """The runner's today: the date now in the plan's time zone (rule 30)."""
    return now().astimezone(zone(timezone)).date()


def preview(model: PlanRequestModel) -> Plan:
    """A plan computed and not stored: same seed each time, so the same body gives the same plan.

    With check-ins (a PreviewRequest), the plan as it would stand on `as_of` (default the runner's
    today) had each check-in arrived the morning after its session: a check-in on `as_of` itself
    keeps its pain during, and its morning score, not yet come, is left out.
    """
    as_of, given = (model.as_of, model.checkins) if isinstance(model, PreviewRequestModel) else (None, [])
    as_of = as_of or today(model.timezone)
    checkins: list[CheckIn] = []
    seen: set[date] = set()
    for index, item in enumerate(given):
        field = f"checkins.{index}.date"
        if item.date > as_of:
            raise InputError(field, f"That check-in is after {as_of.isoformat()}, the day the plan is seen on.")
        if item.date in seen:
            raise InputError(field, "There is already a check-in for that day.")
        seen.add(item.date)
        checkin = item.to_engine()
        checkins.append(replace(checkin, pain_next_morning=None) if item.date == as_of else checkin)
    plan = build_plan(model.to_engine(), today=as_of, seed="preview", checkins=checkins)
    if plan.status is Status.PLAN:
        for index, item in enumerate(given):
            problem = _date_problem(plan, item.date)
            if problem:
                raise InputError(f"checkins.{index}.date", problem)
    return plan


def create(model: PlanRequestModel) -> tuple[PlanRecord | None, Plan]:
    """Store a plan; a referral (red flag) is returned without storing anything."""
    seed = secrets.token_hex(16)
    plan = build_plan(model.to_engine(), today=today(model.timezone), seed=seed)
    if plan.status is not Status.PLAN:
        return None, plan
    stored_request = model.model_dump(mode="json")
    stored_request["start_date"] = plan.request.start_date.isoformat() if plan.request.start_date else None
    token = new_token()
    revision = _prepare(token, plan, versions={})  # the slow part, before any write lock
    record = PlanRecord(token=token, seed=seed, request=stored_request, revision=1)
    db.session.add(record)
    db.session.flush()
    _apply(record.id, 1, revision)
    db.session.commit()
    return record, plan


def _find(token: str, *, for_update: bool = False) -> PlanRecord:
    if for_update:
        # SQLite: take the write lock up front (BEGIN IMMEDIATE); PostgreSQL: lock the row.
        db.session.connection(execution_options={"planner_write": True})
    query = select(PlanRecord).where(PlanRecord.token == token)
    if for_update:
        query = query.with_for_update()
    record = db.session.scalars(query).first()
    if record is None:
        raise PlanNotFound(token)
    return record


def compute(record: PlanRecord) -> Plan:
    """Recompute a stored plan from its request and check-ins."""
    return _build(record, [_engine_checkin(c) for c in record.checkins])


def _build(record: PlanRecord, checkins: list[CheckIn]) -> Plan:
    model = PlanRequestModel.model_validate(record.request)
    created = as_utc(record.created_at).astimezone(zone(model.timezone)).date()
    return build_plan(model.to_engine(), today=created, seed=record.seed, checkins=checkins)


def get(token: str) -> Stored:
    record = _find(token)
    return Stored(record, compute(record), list(record.checkins))


OPTIMISTIC_ATTEMPTS = 3


@dataclass(frozen=True)
class _Change:
    """One change to a plan's check-ins: the check-ins the engine sees after it, what to check on the
    re-planned weeks, and how to store it once the compare-and-swap has landed."""

    day: date
    checkins: list[CheckIn]
    check: Callable[[Plan], None]
    store: Callable[[int], CheckInRecord]


def check_in(token: str, model: CheckInModel) -> tuple[CheckInRecord, Decision, Plan]:
    """Record how a session felt and re-plan the weeks after it."""

    def change(record: PlanRecord) -> _Change:
        earlier = [_engine_checkin(c) for c in record.checkins]
        runner_today = today(_timezone(record))

        def check(plan: Plan) -> None:
            # A check-in only shapes the weeks after its own, so its week's sessions are the same with or without it.
            _check_date(plan, earlier, model.date, runner_today)
            if model.pain_next_morning is not None and model.date >= runner_today:
                raise CheckInRejected("pain_next_morning", _MORNING_NOT_YET)

        def store(plan_id: int) -> CheckInRecord:
            checkin = CheckInRecord(plan_id=plan_id, **model.model_dump())
            db.session.add(checkin)
            return checkin

        return _Change(model.date, [*earlier, model.to_engine()], check, store)

    return _write(token, change)


def add_morning(token: str, day: date, model: MorningModel) -> tuple[CheckInRecord, Decision, Plan]:
    """Add (or correct) the next-morning score of `day`'s check-in, a day later (rule 31), and re-plan."""

    def change(record: PlanRecord) -> _Change:
        if not any(c.date == day for c in record.checkins):
            raise CheckInNotFound(day)
        if day >= today(_timezone(record)):
            raise CheckInRejected("pain_next_morning", _MORNING_NOT_YET)
        fields: dict[str, Any] = {"pain_next_morning": model.pain_next_morning}
        if "notes" in model.model_fields_set:
            fields["notes"] = model.notes
        checkins = [replace(c, **fields) if c.date == day else c for c in map(_engine_checkin, record.checkins)]

        def store(plan_id: int) -> CheckInRecord:
            checkin = db.session.scalars(
                select(CheckInRecord).where(CheckInRecord.plan_id == plan_id, CheckInRecord.date == day)
                .execution_options(populate_existing=True)
            ).one()
            for name, value in fields.items():
                setattr(checkin, name, value)
            return checkin

        return _Change(day, checkins, lambda _plan: None, store)

    return _write(token, change)


_MORNING_NOT_YET = ("That morning has not come yet: leave the next-morning score empty and add it "
                    "tomorrow morning.")


def _timezone(record: PlanRecord) -> str:
    return str(record.request.get("timezone") or "UTC")


def _write(token: str, change: Callable[[PlanRecord], _Change]) -> tuple[CheckInRecord, Decision, Plan]:
    """Apply a check-in change and re-plan.

    The plan is recomputed and the calendar rendered outside any lock; the write then lands only
    if the plan's revision is still the one read (compare and swap), else it starts again. The
    last attempt locks first, so a busy plan always makes progress.
    """
    for attempt in range(OPTIMISTIC_ATTEMPTS + 1):
        locked = attempt == OPTIMISTIC_ATTEMPTS
        result = _try_write(token, change, locked=locked)
        if result is not None:
            return result
    raise AssertionError("unreachable: the locked attempt always lands")


def _try_write(token: str, change: Callable[[PlanRecord], _Change], *,
               locked: bool) -> tuple[CheckInRecord, Decision, Plan] | None:
    record = _find(token, for_update=locked)
    plan_id, read_revision = record.id, record.revision
    planned = change(record)
    plan = _build(record, planned.checkins)
    planned.check(plan)
    decision = decision_for(plan, planned.day)
    versions = _versions(plan_id)
    prepared = _prepare(record.token, plan, versions)
    if not locked:
        db.session.rollback()  # end the read snapshot: SQLite cannot upgrade a stale one to a writer
        db.session.connection(execution_options={"planner_write": True})
    swapped = _rowcount(db.session.execute(
        update(PlanRecord)
        .where(PlanRecord.id == plan_id, PlanRecord.revision == read_revision)
        .values(revision=read_revision + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    ))
    if swapped != 1:
        db.session.rollback()
        return None
    checkin = planned.store(plan_id)
    _apply(plan_id, read_revision + 1, prepared)
    db.session.commit()
    return checkin, decision, plan


def _check_date(plan: Plan, checkins: list[CheckIn], day: date, runner_today: date) -> None:
    """A check-in is for a past day of the plan that has a session, once."""
    problem = _date_problem(plan, day)
    if problem:
        raise CheckInRejected("date", problem)
    if day > runner_today:
        raise CheckInRejected("date", "You can only check in for a session that has already happened.")
    if any(c.date == day for c in checkins):
        raise CheckInRejected("date", "You have already checked in for that day.")


def _date_problem(plan: Plan, day: date) -> str | None:
    """Why a check-in cannot be on `day` of the plan (outside it, or no session that day), or None."""
    first, last = plan.weeks[0].start, plan.weeks[-1].start + timedelta(days=6)
    if not first <= day <= last:
        return f"That date is outside your plan ({first} to {last})."
    if day not in {s.date for s in plan.sessions if s.kind is not Kind.REST}:
        return "There is no session on that day; check in on a day with a session."
    return None


def decision_for(plan: Plan, day: date) -> Decision:
    """What the check-ins of `day`'s week did to the weeks after it, as the engine judged it."""
    week = next(w for w in plan.weeks if w.start <= day < w.start + timedelta(days=7))
    assert week.decision is not None, "a week with a check-in always carries a decision"
    return week.decision


def delete(token: str) -> None:
    record = _find(token, for_update=True)
    db.session.delete(record)
    db.session.commit()


def rotate(token: str) -> str:
    """A new secret token: every old URL of the plan answers 404 from now on."""
    record = _find(token, for_update=True)
    record.token = new_token()
    record.revision += 1
    record.updated_at = utcnow()
    _apply(record.id, record.revision, _prepare(record.token, compute(record), _versions(record.id)))
    db.session.commit()
    return record.token


# Built once: SQLAlchemy caches their compiled form, and a Core row skips the ORM's identity map.
_EXPORT_STAMP = (
    select(RenderedExport.etag, RenderedExport.last_modified)
    .join(PlanRecord, PlanRecord.id == RenderedExport.plan_id)
    .where(PlanRecord.token == bindparam("token"), RenderedExport.kind == bindparam("kind"))
)
_EXPORT = _EXPORT_STAMP.add_columns(RenderedExport.body)


def cached_export(token: str, kind: str, *, with_body: bool = True) -> Row[Any]:
    """The stored export of the plan's current revision (`etag`, `last_modified` and `body`): one
    indexed read, the hot path of every calendar poll. Without the body when only its ETag is needed."""
    query = _EXPORT if with_body else _EXPORT_STAMP
    row = db.session.connection().execute(query, {"token": token, "kind": kind}).first()
    if row is None:
        raise PlanNotFound(token)
    return row


def rendered(token: str, kind: str, render: Callable[[Plan], bytes]) -> bytes:
    """An export of the plan's current revision: rendered on the first request of a revision, stored,
    and read back on every later one (a Garmin zip takes a few hundred milliseconds to write)."""
    record = _find(token)
    plan_id, revision = record.id, record.revision
    cached = db.session.get(RenderedExport, (plan_id, kind))
    if cached is not None and cached.revision == revision:
        return cached.body
    body = render(compute(record))
    db.session.rollback()  # end the read; the store below is a short write of its own
    try:
        db.session.connection(execution_options={"planner_write": True})
        current = db.session.scalar(select(PlanRecord.revision).where(PlanRecord.id == plan_id))
        if current == revision:  # a check-in since the read would make these bytes stale
            _store_export(plan_id, kind, revision, body, utcnow())
            db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()  # not cached this time (another request stored it first); the bytes are right
    return body


def links(token: str) -> dict[str, str]:
    """Absolute URLs of every view of a plan (CONTRACT.md, `links`)."""
    base: str | None = current_app.config.get("PUBLIC_BASE_URL")

    def absolute(endpoint: str, **values: Any) -> str:
        if base:
            return base + url_for(endpoint, **values)
        return url_for(endpoint, _external=True, **values)

    ics = absolute("feeds.calendar", token=token)
    return {
        "page": absolute("web.plan_page", token=token),
        "ics": ics,
        "webcal": "webcal://" + ics.split("://", 1)[1],
        "csv": absolute("feeds.table", token=token),
        "garmin": absolute("feeds.garmin", token=token),
        "api": absolute("api.get_plan", token=token),
    }


# -- revisions ----------------------------------------------------------------------------------

def _engine_checkin(c: CheckInRecord) -> CheckIn:
    return CheckIn(date=c.date, pain_during=c.pain_during, pain_next_morning=c.pain_next_morning,
                   completed=c.completed, notes=c.notes)


def _digest(session: Any, notices: list[str]) -> str:
    """What a calendar event shows: the session and the plan's notices (the physio notice reaches
    every event, so its arrival must raise every SEQUENCE or Google never shows it)."""
    body = {"session": SessionOut.model_validate(session).model_dump(mode="json"), "notices": notices}
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


class _VersionRow(TypedDict):
    """A session_versions row to insert or update (its plan_id is added when written)."""

    uid: str
    digest: str
    sequence: int
    modified_at: datetime


@dataclass(frozen=True)
class _Revision:
    """Everything a write stores for a new plan revision, prepared before any lock is taken."""

    new_versions: list[_VersionRow]
    changed_versions: list[_VersionRow]
    ics: bytes
    last_modified: datetime


def _versions(plan_id: int) -> dict[str, SessionVersion]:
    return {v.uid: v for v in db.session.scalars(select(SessionVersion).where(SessionVersion.plan_id == plan_id))}


def _prepare(token: str, plan: Plan, versions: dict[str, SessionVersion]) -> _Revision:
    """New SEQUENCE and LAST-MODIFIED for the sessions that changed, and the calendar rendered with them."""
    now = utcnow()
    new: list[_VersionRow] = []
    changed: list[_VersionRow] = []
    stamps: dict[str, ical.SessionStamp] = {}
    for session in plan.sessions:
        digest = _digest(session, plan.notices)
        version = versions.get(session.uid)
        if version is None:
            sequence, modified = 0, now
            new.append(_VersionRow(uid=session.uid, digest=digest, sequence=sequence, modified_at=modified))
        elif version.digest != digest:
            sequence, modified = version.sequence + 1, now
            changed.append(_VersionRow(uid=session.uid, digest=digest, sequence=sequence, modified_at=modified))
        else:
            sequence, modified = version.sequence, as_utc(version.modified_at)
        stamps[session.uid] = ical.SessionStamp(sequence=sequence, modified=modified)
    body = ical.render_calendar(plan, stamps=stamps, page_url=links(token)["page"])
    last_modified = max((s.modified for s in stamps.values()), default=now)
    return _Revision(new, changed, body, last_modified)


def _apply(plan_id: int, revision: int, prepared: _Revision) -> None:
    """Write a prepared revision: a few statements, however many sessions the plan has."""
    if prepared.new_versions:
        db.session.execute(insert(SessionVersion), [{"plan_id": plan_id, **row} for row in prepared.new_versions])
    if prepared.changed_versions:
        db.session.execute(update(SessionVersion), [{"plan_id": plan_id, **row} for row in prepared.changed_versions])
    # Each representation is stored ready to send: plain for any client, gzip for the many that ask for it.
    for kind, body in ((CALENDAR, prepared.ics), (CALENDAR_GZIP, gzip.compress(prepared.ics, mtime=0))):
        _store_export(plan_id, kind, revision, body, prepared.last_modified)


def _store_export(plan_id: int, kind: str, revision: int, body: bytes, last_modified: datetime) -> None:
    values = {"revision": revision, "body": body, "etag": hashlib.sha256(body).hexdigest(),
              "last_modified": last_modified}
    updated = _rowcount(db.session.execute(
        update(RenderedExport).where(RenderedExport.plan_id == plan_id, RenderedExport.kind == kind)
        .values(**values).execution_options(synchronize_session=False)
    ))
    if not updated:
        db.session.execute(insert(RenderedExport).values(plan_id=plan_id, kind=kind, **values))


def _rowcount(result: Result[*tuple[Any, ...]]) -> int:
    """Rows an UPDATE matched: Session.execute is typed as returning a plain Result, but a Core DML
    statement always yields a CursorResult, which carries the count."""
    return cast(CursorResult[*tuple[Any, ...]], result).rowcount


def as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything stored is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
