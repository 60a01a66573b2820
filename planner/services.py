"""The use cases the form and the API share: preview, create, get, check in, delete, rotate.

Each plan is recomputed from its stored request and check-ins by the pure engine. Every write
raises the plan's revision and re-renders the calendar once, so polls only ever read bytes.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask import current_app, url_for
from sqlalchemy import Row, bindparam, select

from .engine import Decision, InputError, Plan, Status, build_plan
from .engine.adapt import assess_week
from .exports import ical
from .extensions import db
from .schemas import CheckInModel, PlanRequestModel, SessionOut
from .store.models import CheckInRecord, PlanRecord, RenderedExport, SessionVersion, new_token, utcnow

__all__ = ["InputError"]  # re-exported: the engine's input errors reach the web layers here


class PlanNotFound(LookupError):
    """No plan has that token (or it was deleted, or its token rotated)."""


class CheckInRejected(ValueError):
    """A check-in the plan cannot take; `field` names the field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Stored:
    record: PlanRecord
    plan: Plan
    checkins: list[CheckInRecord]


def today() -> date:
    return datetime.now(UTC).date()


def preview(model: PlanRequestModel) -> Plan:
    """A plan computed and not stored: same seed each time, so the same body gives the same plan."""
    return build_plan(model.to_engine(), today=today(), seed="preview")


def create(model: PlanRequestModel) -> tuple[PlanRecord | None, Plan]:
    """Store a plan; a referral (red flag) is returned without storing anything."""
    seed = secrets.token_hex(16)
    plan = build_plan(model.to_engine(), today=today(), seed=seed)
    if plan.status is not Status.PLAN:
        return None, plan
    stored_request = model.model_dump(mode="json")
    stored_request["start_date"] = plan.request.start_date.isoformat() if plan.request.start_date else None
    record = PlanRecord(token=new_token(), seed=seed, request=stored_request)
    db.session.add(record)
    db.session.flush()
    _refresh(record, plan)
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
    request = PlanRequestModel.model_validate(record.request).to_engine()
    checkins = [CheckInModel.model_validate(_checkin_dict(c)).to_engine() for c in record.checkins]
    return build_plan(request, today=record.created_at.date(), seed=record.seed, checkins=checkins)


def get(token: str) -> Stored:
    record = _find(token)
    return Stored(record, compute(record), list(record.checkins))


def check_in(token: str, model: CheckInModel) -> tuple[CheckInRecord, Decision, Plan]:
    """Record how a session felt and re-plan the weeks after it."""
    record = _find(token, for_update=True)
    before = compute(record)
    session_days = {s.date for s in before.sessions if s.kind.value != "rest"}
    first, last = before.weeks[0].start, before.weeks[-1].start + timedelta(days=6)
    if not first <= model.date <= last:
        raise CheckInRejected("date", f"That date is outside your plan ({first} to {last}).")
    if model.date > today():
        raise CheckInRejected("date", "You can only check in for a session that has already happened.")
    if model.date not in session_days:
        raise CheckInRejected("date", "There is no session on that day; check in on a day with a session.")
    if any(c.date == model.date for c in record.checkins):
        raise CheckInRejected("date", "You have already checked in for that day.")
    checkin = CheckInRecord(plan=record, **model.model_dump())
    db.session.add(checkin)
    db.session.flush()
    plan = compute(record)
    decision = decision_for(plan, record, model.date)
    record.revision += 1
    record.updated_at = utcnow()
    _refresh(record, plan)
    db.session.commit()
    return checkin, decision, plan


def decision_for(plan: Plan, record: PlanRecord, day: date) -> Decision:
    """What the check-ins of `day`'s week did to the weeks after it."""
    request = plan.request
    week = next(w for w in plan.weeks if w.start <= day < w.start + timedelta(days=7))
    week_end = week.start + timedelta(days=6)
    run_dates = [s.date for s in plan.sessions if s.kind.value == "run" and s.date <= week_end]
    checkins = [CheckInModel.model_validate(_checkin_dict(c)).to_engine() for c in record.checkins]
    return assess_week(week.start, run_dates, checkins, ceiling=plan.ceiling, baseline=request.pain_at_rest).decision


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
    _refresh(record, compute(record))
    db.session.commit()
    return record.token


# Built once: SQLAlchemy caches its compiled form, and a Core row skips the ORM's identity map.
_EXPORT_BY_TOKEN = (
    select(RenderedExport.body, RenderedExport.etag, RenderedExport.last_modified)
    .join(PlanRecord, PlanRecord.id == RenderedExport.plan_id)
    .where(PlanRecord.token == bindparam("token"), RenderedExport.kind == bindparam("kind"))
)


def cached_export(token: str, kind: str) -> Row[Any]:
    """The stored bytes of an export for the plan's current revision (`body`, `etag`, `last_modified`):
    one indexed read, and the hot path of every calendar poll."""
    row = db.session.connection().execute(_EXPORT_BY_TOKEN, {"token": token, "kind": kind}).first()
    if row is None:
        raise PlanNotFound(token)
    return row


def links(token: str) -> dict[str, str]:
    """Absolute URLs of every view of a plan (CONTRACT.md, `links`)."""
    base = current_app.config.get("PUBLIC_BASE_URL")

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

def _checkin_dict(c: CheckInRecord) -> dict[str, Any]:
    return {"date": c.date, "pain_during": c.pain_during, "pain_next_morning": c.pain_next_morning,
            "completed": c.completed, "notes": c.notes}


def _digest(session: Any, notices: list[str]) -> str:
    """What a calendar event shows: the session and the plan's notices (the physio notice reaches
    every event, so its arrival must raise every SEQUENCE or Google never shows it)."""
    body = {"session": SessionOut.model_validate(session).model_dump(mode="json"), "notices": notices}
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def _refresh(record: PlanRecord, plan: Plan) -> None:
    """Bring session versions up to date and render the calendar for this revision."""
    now = utcnow()
    versions = {v.uid: v for v in db.session.scalars(select(SessionVersion).where(SessionVersion.plan_id == record.id))}
    stamps: dict[str, ical.SessionStamp] = {}
    for session in plan.sessions:
        digest = _digest(session, plan.notices)
        version = versions.get(session.uid)
        if version is None:
            version = SessionVersion(plan_id=record.id, uid=session.uid, digest=digest, sequence=0, modified_at=now)
            db.session.add(version)
            versions[session.uid] = version
        elif version.digest != digest:
            version.digest = digest
            version.sequence += 1
            version.modified_at = now
        stamps[session.uid] = ical.SessionStamp(sequence=version.sequence, modified=_aware(version.modified_at))
    page_url = links(record.token)["page"]
    body = ical.render_calendar(plan, stamps=stamps, page_url=page_url)
    last_modified = max((s.modified for s in stamps.values()), default=now)
    _store_export(record, "ics", body, last_modified)


def _store_export(record: PlanRecord, kind: str, body: bytes, last_modified: datetime) -> None:
    row = db.session.get(RenderedExport, (record.id, kind))
    etag = hashlib.sha256(body).hexdigest()
    if row is None:
        db.session.add(RenderedExport(plan_id=record.id, kind=kind, revision=record.revision, body=body, etag=etag,
                                      last_modified=last_modified))
    else:
        row.revision, row.body, row.etag, row.last_modified = record.revision, body, etag, last_modified


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything stored is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
