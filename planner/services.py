"""The use cases the form and the API share: preview, create, get, check in, add a morning score,
rotate, share with a physio, delete, and move stored plans onto new rules.

Writes run the pure engine and store the result as a new revision (store/revisions.py), keeping
every day before the runner's today as it was (engine/frozen.py, rule 34). Reads never run the
engine: they come from the latest revision, or from its exports rendered once (store/exports.py).
"""

from __future__ import annotations

import hashlib
import secrets
import zoneinfo
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask import current_app
from pydantic import ValidationError
from sqlalchemy import delete as delete_rows
from sqlalchemy import select, update

from .activities import ActivityError, read_activity
from .engine import (
    RULES_VERSION,
    Actual,
    CheckIn,
    Decision,
    InputError,
    Kind,
    Plan,
    Session,
    Status,
    Unit,
    build_plan,
    units,
)
from .engine import actual as engine_actual
from .engine.frozen import freeze
from .extensions import db
from .schemas import (
    AwayModel,
    CheckInModel,
    IntervalsConnectionModel,
    MorningModel,
    PlanRequestModel,
    PreviewRequestModel,
    field_errors,
)
from .store import codec, outbox, revisions, sqlite
from .store.exports import PlanNotFound, rowcount, write_lock
from .store.models import ActivityRecord, CheckInRecord, IntervalsConnection, PlanRecord, new_token, utcnow
from .store.revisions import Revision
from .sync import keys
from .sync.client import Client, IntervalsError, NotFound, Refused, Unavailable

__all__ = ["InputError", "PlanNotFound"]  # re-exported: the errors the web layers turn into responses


class CheckInRejected(InputError):
    """A check-in the plan cannot take; `field` names the field at fault."""


class CheckInNotFound(LookupError):
    """The plan has no check-in on that day (so there is no morning score to add)."""


@dataclass(frozen=True)
class Stored:
    """A stored plan as its latest revision has it."""

    record: PlanRecord
    revision: Revision
    checkins: list[CheckInRecord]

    @property
    def plan(self) -> Plan:
        return self.revision.plan


@dataclass(frozen=True)
class Written:
    """What a check-in or morning score did: the stored check-in, the engine's decision for its
    week (which the weeks ahead follow), and the plan as stored."""

    checkin: CheckInRecord
    decision: Decision
    plan: Plan


@dataclass(frozen=True)
class Uploaded:
    """An activity file read: the day, what was run, the run it matches (None: not in the plan), and
    rule 36's remarks. `checkin` is that day's check-in when there was one (it now carries the numbers)."""

    day: date
    actual: Actual
    session_uid: str | None
    remarks: list[str]
    checkin: CheckInRecord | None
    plan: Plan


def now() -> datetime:
    """The one clock of the app (UTC); tests replace it to stand at a chosen moment."""
    return datetime.now(UTC)


def zone(timezone: str) -> zoneinfo.ZoneInfo:
    """The plan's time zone; UTC for a name this machine does not know (requests are checked on the way in)."""
    try:
        return zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long for a file
        return zoneinfo.ZoneInfo("UTC")


def today(timezone: str = "UTC") -> date:
    """The runner's today: the date now in the plan's time zone (rule 30)."""
    return now().astimezone(zone(timezone)).date()


def _moment() -> datetime:
    return now().astimezone(UTC).replace(microsecond=0)


# -- reads --------------------------------------------------------------------------------------

def get(token: str) -> Stored:
    """The plan as stored: its latest revision and its check-ins."""
    record = _find(token)
    row = revisions.latest(record)
    if row is None:
        record, row = _record_legacy(token)
    return Stored(record, revisions.read(row), list(record.checkins))


def _find(token: str, *, for_update: bool = False) -> PlanRecord:
    if for_update:
        write_lock()
    query = select(PlanRecord).where(PlanRecord.token == token)
    if for_update:
        query = query.with_for_update()
    record = db.session.scalars(query).first()
    if record is None:
        raise PlanNotFound(token)
    return record


def _record_legacy(token: str) -> tuple[PlanRecord, Any]:
    """A plan stored before revisions gets its first one, computed as it was then computed (from its
    creation day), with the SEQUENCE values its calendar events already had."""
    db.session.rollback()
    record = _find(token, for_update=True)
    row = revisions.latest(record)
    if row is None:
        plan = _compute(record, [_engine_checkin(c) for c in record.checkins], _created_day(record))
        moment = _moment()
        stamps = revisions.legacy_stamps(record, plan, moment, today(_timezone(record)))
        revisions.add(record, record.revision, plan, stamps, reason=revisions.RECORDED,
                      as_of=today(_timezone(record)), moment=moment)
        db.session.commit()
        record = _find(token)
        row = revisions.latest(record)
    assert row is not None
    return record, row


def decision_for(plan: Plan, day: date) -> Decision:
    """What the check-ins of `day`'s week did to the weeks after it, as the engine judged it."""
    week = next(w for w in plan.weeks if w.start <= day < w.start + timedelta(days=7))
    assert week.decision is not None, "a week with a check-in always carries a decision"
    return week.decision


# -- preview and create -------------------------------------------------------------------------

def preview_key(model: PlanRequestModel) -> str:
    """What a preview's answer depends on: the request as validated, the day it is seen on and the rules."""
    as_of = model.as_of if isinstance(model, PreviewRequestModel) else None
    day = as_of or today(model.timezone)
    text = f"{RULES_VERSION}/{day.isoformat()}/{model.model_dump_json()}"
    return hashlib.sha256(text.encode()).hexdigest()


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
    plan = build_plan(model.to_engine(), today=as_of, seed="preview", checkins=checkins, away=model.away_periods())
    if plan.status is Status.PLAN:
        for index, item in enumerate(given):
            problem = _date_problem(plan, item.date)
            if problem:
                raise InputError(f"checkins.{index}.date", problem)
    return plan


def create(model: PlanRequestModel) -> tuple[PlanRecord | None, Plan]:
    """Store a plan as its first revision; a referral (red flag) is returned without storing anything."""
    seed = secrets.token_hex(16)
    runner_today = today(model.timezone)
    plan = build_plan(model.to_engine(), today=runner_today, seed=seed, away=model.away_periods())
    if plan.status is not Status.PLAN:
        return None, plan
    stored_request = model.model_dump(mode="json")
    stored_request["start_date"] = plan.request.start_date.isoformat() if plan.request.start_date else None
    moment = _moment()
    stamps = revisions.restamp(plan, {}, runner_today, moment)
    record = PlanRecord(token=new_token(), seed=seed, request=stored_request, revision=1,
                        created_at=moment, updated_at=moment)
    db.session.add(record)
    db.session.flush()
    revisions.add(record, 1, plan, stamps, reason=revisions.CREATE, as_of=runner_today, moment=moment)
    db.session.commit()
    return record, plan


# -- check-ins ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Change:
    """One change to a plan's check-ins: the check-ins the engine sees after it, what to check
    against the plan as stored, and how to store it once the compare-and-swap has landed."""

    day: date
    reason: str
    checkins: list[CheckIn]
    check: Callable[[Plan], None]
    store: Callable[[int], CheckInRecord | None]
    request: dict[str, Any] | None = None  # the stored request after the change, when it changes it


def check_in(token: str, model: CheckInModel) -> Written:
    """Record how a session felt and re-plan from today on."""

    def change(record: PlanRecord) -> _Change:
        earlier = [_engine_checkin(c) for c in record.checkins]
        runner_today = today(_timezone(record))
        uploaded = _pending(record.id, model.date)
        actual = model.actual.model_dump() if model.actual else uploaded.actual if uploaded else None
        said: list[str] | None = None

        def check(plan: Plan) -> None:
            nonlocal said
            _check_date(plan, earlier, model.date, runner_today, extra=actual is not None)
            if model.pain_next_morning is not None and model.date >= runner_today:
                raise CheckInRejected("pain_next_morning", _MORNING_NOT_YET)
            if actual is not None:  # rule 36's words, against the run the runner was shown
                said = _remarks(plan, model.date, Actual(**actual))

        def store(plan_id: int) -> CheckInRecord:
            fields = {**model.model_dump(exclude={"actual"}), "actual": actual, "remarks": said}
            checkin = CheckInRecord(plan_id=plan_id, **fields)
            db.session.add(checkin)
            db.session.execute(delete_rows(ActivityRecord).where(ActivityRecord.plan_id == plan_id,
                                                            ActivityRecord.date == model.date))
            return checkin

        engine = replace(model.to_engine(), actual=Actual(**actual) if actual else None)
        return _Change(model.date, revisions.CHECKIN, [*earlier, engine], check, store)

    return _checked_in(_write(token, change))


def add_morning(token: str, day: date, model: MorningModel) -> Written:
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

        return _Change(day, revisions.MORNING, checkins, lambda _plan: None, store)

    return _checked_in(_write(token, change))


# -- away for a while ---------------------------------------------------------------------------

@dataclass(frozen=True)
class AwayWritten:
    """The periods away as stored after a change, and the plan re-planned around them."""

    away: list[AwayModel]
    plan: Plan


def add_away(token: str, start: date, end: date) -> AwayWritten:
    """Add days away (no sessions on them) and re-plan from today on, through the same compare-and-swap
    write as a check-in. A period may have begun already, but not have ended before yesterday (that past
    is frozen, rule 34), and no day of it may hold a check-in (a day checked in was not a day away)."""
    stored: dict[str, Any] = {}

    def change(record: PlanRecord) -> _Change:
        runner_today = today(_timezone(record))
        yesterday = runner_today - timedelta(days=1)
        if end < yesterday:
            raise InputError("end", "That time away is over, and days that have passed stay as they were: "
                                    f"give a last day from {yesterday.isoformat()} on.")
        logged = sorted(c.date for c in record.checkins if start <= c.date <= end)
        if logged:
            raise InputError("start", f"You checked in on {logged[0].isoformat()}, so you were not away then.")
        existing = list(record.request.get("away") or [])
        stored["request"] = _with_away(record, [*existing, {"start": start.isoformat(), "end": end.isoformat()}])
        return _away_change(record, start, stored["request"])

    written = _write(token, change)
    return AwayWritten(_away_of(stored["request"]), written.plan)


def remove_away(token: str, start: date) -> AwayWritten:
    """Remove the period away that starts on `start` and re-plan from today on (its past days stay)."""
    stored: dict[str, Any] = {}

    def change(record: PlanRecord) -> _Change:
        existing = list(record.request.get("away") or [])
        kept = [p for p in existing if p["start"] != start.isoformat()]
        if len(kept) == len(existing):
            raise AwayNotFound(start)
        stored["request"] = _with_away(record, kept)
        return _away_change(record, start, stored["request"])

    written = _write(token, change)
    return AwayWritten(_away_of(stored["request"]), written.plan)


class AwayNotFound(LookupError):
    """The plan has no period away starting on that day."""


def away_of(record: PlanRecord) -> list[AwayModel]:
    """The plan's periods away as stored, in date order."""
    return _away_of(record.request)


def _away_of(request: dict[str, Any]) -> list[AwayModel]:
    return [AwayModel.model_validate(p) for p in request.get("away") or []]


def _with_away(record: PlanRecord, periods: list[dict[str, str]]) -> dict[str, Any]:
    """The stored request with `periods`, checked by the one validation model. The new period is the
    last: its errors (`away.N.end`) name `start` or `end`, the fields the form and the endpoint take."""
    asked = {**record.request, "away": periods}
    try:
        model = PlanRequestModel.model_validate(asked)
    except ValidationError as error:
        problem = field_errors(error)[0]
        new = f"away.{len(periods) - 1}."
        name = problem["field"].removeprefix(new) if problem["field"].startswith(new) else problem["field"]
        raise InputError(name, problem["message"]) from None
    data = model.model_dump(mode="json")
    data["away"] = sorted(data["away"], key=lambda p: p["start"])
    return data


def _away_change(record: PlanRecord, day: date, request: dict[str, Any]) -> _Change:
    """A change of the stored request's periods away: the check-ins stay; the request is stored once the
    compare-and-swap has landed."""

    def store(plan_id: int) -> None:
        db.session.execute(update(PlanRecord).where(PlanRecord.id == plan_id).values(request=request)
                           .execution_options(synchronize_session=False))

    checkins = [_engine_checkin(c) for c in record.checkins]
    return _Change(day, revisions.AWAY, checkins, lambda _plan: None, store, request)


def _checked_in(written: Written | _Stored) -> Written:
    assert isinstance(written, Written), "a check-in write always stores its check-in"
    return written


def add_activity(token: str, data: bytes, filename: str | None = None) -> Uploaded:
    """Read a finished run's file (FIT, GPX or TCX; the file itself is not kept) and give its numbers to
    that day's check-in, re-planning from them (rule 36); with no check-in yet, they wait for it."""
    stored = get(token)
    plan = stored.plan
    pace = units.pace_minutes(plan.request.easy_pace) if plan.request.easy_pace else None
    try:
        activity = read_activity(data, filename, easy_pace_min_per_km=_per_km(pace, plan))
    except ActivityError as error:
        raise InputError("file", str(error)) from None
    day = activity.start.astimezone(zone(plan.request.timezone)).date()
    first, last = plan.weeks[0].start, plan.weeks[-1].start + timedelta(days=6)
    if not first <= day <= last:
        raise InputError("file", f"That run was on {day}, outside your plan ({first} to {last}).")
    if day > today(plan.request.timezone):
        raise InputError("file", f"That run is dated {day}, which has not come yet; check the watch's clock.")
    actual = Actual(running_minutes=round(activity.running_minutes, 1),
                    moving_minutes=round(activity.moving_minutes, 1), distance_km=round(activity.distance_km, 2),
                    longest_bout_minutes=round(activity.longest_bout_minutes, 1), ascent_m=round(activity.ascent_m),
                    climbing_seconds=round(activity.climbing_seconds),
                    cadence_spm=round(activity.cadence_spm) if activity.cadence_spm else None,
                    fast_seconds=round(activity.fast_seconds))
    session = _run_on(plan, day)
    said = _remarks(plan, day, actual)
    numbers = codec.dump(actual)

    def change(record: PlanRecord) -> _Change:
        checkins = [_engine_checkin(c) for c in record.checkins]
        checkins = [replace(c, actual=actual) if c.date == day else c for c in checkins]

        def store(plan_id: int) -> CheckInRecord | None:
            checkin = db.session.scalars(
                select(CheckInRecord).where(CheckInRecord.plan_id == plan_id, CheckInRecord.date == day)
                .execution_options(populate_existing=True)
            ).first()
            if checkin is not None:
                checkin.actual, checkin.remarks = numbers, said
                return checkin
            db.session.execute(delete_rows(ActivityRecord).where(ActivityRecord.plan_id == plan_id,
                                                            ActivityRecord.date == day))
            db.session.add(ActivityRecord(plan_id=plan_id, date=day, actual=numbers, remarks=said))
            return None

        return _Change(day, revisions.ACTIVITY, checkins, lambda _plan: None, store)

    written = _write(token, change)
    checkin = written.checkin if isinstance(written, Written) else None
    return Uploaded(day, actual, session.uid if session else None, said, checkin, written.plan)


KM_IN_A_MILE = 1.609344


def _per_km(pace: float | None, plan: Plan) -> float | None:
    """The easy pace in minutes a kilometre (a plan in miles keeps its pace a mile)."""
    if pace is None:
        return None
    return pace / KM_IN_A_MILE if plan.request.unit is Unit.MI else pace


def _pending(plan_id: int, day: date) -> ActivityRecord | None:
    return db.session.scalars(select(ActivityRecord).where(ActivityRecord.plan_id == plan_id,
                                                           ActivityRecord.date == day)).first()


def pending_activities(record: PlanRecord) -> list[ActivityRecord]:
    """Uploaded runs still waiting for their day's check-in."""
    return list(db.session.scalars(select(ActivityRecord).where(ActivityRecord.plan_id == record.id)
                                   .order_by(ActivityRecord.date)))


def _run_on(plan: Plan, day: date) -> Session | None:
    return next((s for s in plan.sessions if s.date == day and s.kind is Kind.RUN), None)


def _remarks(plan: Plan, day: date, actual: Actual) -> list[str]:
    """Rule 36's words on what was run on `day`, beside that day's run in `plan` (None: an extra run)."""
    return engine_actual.remarks(_run_on(plan, day), actual, cadence=plan.request.cadence)


_MORNING_NOT_YET = ("That morning has not come yet: leave the next-morning score empty and add it "
                    "tomorrow morning.")

OPTIMISTIC_ATTEMPTS = 3


@dataclass(frozen=True)
class _Stored:
    """A write that stored no check-in (an activity file kept for its day's check-in): the plan as stored."""

    plan: Plan


def _write(token: str, change: Callable[[PlanRecord], _Change]) -> Written | _Stored:
    """Apply a check-in change and re-plan.

    The plan is recomputed outside any lock; the write then lands only if the plan's revision is
    still the one read (compare and swap), else it starts again. The last attempt locks first, so a
    busy plan always makes progress.
    """
    for attempt in range(OPTIMISTIC_ATTEMPTS + 1):
        result = _try_write(token, change, locked=attempt == OPTIMISTIC_ATTEMPTS)
        if result is not None:
            return result
    raise AssertionError("unreachable: the locked attempt always lands")


def _try_write(token: str, change: Callable[[PlanRecord], _Change], *, locked: bool) -> Written | _Stored | None:
    stored = _stored_for_write(token, locked=locked)
    record, lived = stored.record, stored.revision
    plan_id, read_revision = record.id, record.revision
    planned = change(record)
    planned.check(lived.plan)  # the runner checks in against the plan they were shown
    runner_today = today(_timezone(record))
    fresh = _compute(record, planned.checkins, runner_today, planned.request)
    checked_in = any(c.date == planned.day for c in planned.checkins)
    decision = decision_for(fresh, planned.day) if checked_in else None
    plan, stamps = _replan(lived, fresh, runner_today, planned.checkins)
    if not locked:
        db.session.rollback()  # end the read snapshot: SQLite cannot upgrade a stale one to a writer
        write_lock()
    if not _swap(plan_id, read_revision):
        db.session.rollback()
        return None
    checkin = planned.store(plan_id)
    revisions.add(record, read_revision + 1, plan, stamps, reason=planned.reason, as_of=runner_today,
                  moment=_moment(), day=planned.day, decision=decision.value if decision else None)
    db.session.commit()
    if checkin is None or decision is None:
        return _Stored(plan)
    return Written(checkin, decision, plan)


def _stored_for_write(token: str, *, locked: bool) -> Stored:
    return _locked(token) if locked else get(token)


def _locked(token: str) -> Stored:
    """The plan as stored, read under its write lock (taken before the read, never upgraded from one)."""
    get(token)  # a plan stored before revisions gets its first one, in a transaction of its own
    db.session.rollback()
    _find(token, for_update=True)
    return get(token)


def _replan(lived: Revision, fresh: Plan, runner_today: date,
            checkins: list[CheckIn]) -> tuple[Plan, dict[str, revisions.Stamp]]:
    """The re-planned plan with its past frozen (rule 34), and its events' stamps (the nudges saying
    what `checkins` logged)."""
    plan = freeze(lived.plan, fresh, runner_today)
    return plan, revisions.restamp(plan, lived.stamps, runner_today, _moment(), revisions.logged_lines(checkins))


def _swap(plan_id: int, read_revision: int) -> bool:
    return rowcount(db.session.execute(
        update(PlanRecord)
        .where(PlanRecord.id == plan_id, PlanRecord.revision == read_revision)
        .values(revision=read_revision + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )) == 1


def _check_date(plan: Plan, checkins: list[CheckIn], day: date, runner_today: date, *, extra: bool = False) -> None:
    """A check-in is for a past day of the plan that has a session (or, with what was run, any day of
    the plan: extra running, rule 36), once."""
    problem = _date_problem(plan, day)
    if problem and not (extra and problem == NO_SESSION):
        raise CheckInRejected("date", problem)
    if day > runner_today:
        raise CheckInRejected("date", NOT_YET)
    if any(c.date == day for c in checkins):
        raise CheckInRejected("date", "You have already checked in for that day.")


def _date_problem(plan: Plan, day: date) -> str | None:
    """Why a check-in cannot be on `day` of the plan (outside it, or no session that day), or None."""
    first, last = plan.weeks[0].start, plan.weeks[-1].start + timedelta(days=6)
    if not first <= day <= last:
        return f"That date is outside your plan ({first} to {last})."
    if day not in {s.date for s in plan.sessions if s.kind is not Kind.REST}:
        return NO_SESSION
    return None


NO_SESSION = "There is no session on that day; check in on a day with a session."
NOT_YET = "You can only check in for a session that has already happened."


def day_problem(plan: Plan, day: date, runner_today: date) -> str | None:
    """Why `day` cannot take a check-in (outside the plan, no session, not come yet), or None."""
    return _date_problem(plan, day) or (NOT_YET if day > runner_today else None)


# -- manage -------------------------------------------------------------------------------------

def delete(token: str) -> None:
    """Delete the plan; its intervals.icu events leave the runner's calendar on the worker's next pass."""
    record = _find(token, for_update=True)
    _retire_connection(record.id)
    db.session.delete(record)
    db.session.commit()
    sqlite.forget(db.engine)


def rotate(token: str) -> str:
    """A new secret token: every old URL of the plan answers 404 from now on. The plan itself does
    not change; its new revision only moves every link in its exports to the new token. The physio's
    read-only link is kept: it holds no runner URL, and the physio's link should not break because
    the runner replaced theirs ("Stop sharing" is how to end it)."""
    stored = _locked(token)
    record = stored.record
    _retire_connection(record.id)  # the old link may be out; so may the key given with it
    record.token = new_token()
    record.revision += 1
    record.updated_at = utcnow()
    lived = stored.revision
    revisions.add(record, record.revision, lived.plan, lived.stamps, reason=revisions.ROTATE,
                  as_of=today(_timezone(record)), moment=_moment())
    db.session.commit()
    return record.token


# -- intervals.icu ------------------------------------------------------------------------------

class IntervalsUnavailable(Exception):
    """intervals.icu did not answer the connect check; `retry_after` in seconds."""

    def __init__(self, retry_after: float | None) -> None:
        super().__init__("intervals.icu did not answer")
        self.retry_after = retry_after


def connect_intervals(token: str, model: IntervalsConnectionModel, base_url: str) -> None:
    """Prove the athlete ID and API key with intervals.icu, then keep the key encrypted and queue the
    first sync. A plan linked to another athlete before has that link retired (its events removed)."""
    _find(token)
    db.session.rollback()  # no transaction held open across the call
    config = current_app.config
    check = Client(config["INTERVALS_API_URL"], model.athlete_id, model.api_key, attempts=1,
                   timeout=float(config["INTERVALS_TIMEOUT_SECONDS"]))
    try:
        check.athlete()
    except Refused:
        raise InputError("api_key", "intervals.icu did not accept this API key for that athlete ID. Copy both "
                                    "again from intervals.icu: Settings, Developer Settings.") from None
    except NotFound:
        raise InputError("athlete_id", "intervals.icu has no athlete with that ID. Copy it from intervals.icu: "
                                       "Settings, Developer Settings (it looks like i123456).") from None
    except Unavailable as error:
        raise IntervalsUnavailable(error.retry_after) from None
    except IntervalsError:
        raise IntervalsUnavailable(None) from None
    record = _find(token, for_update=True)
    secret = keys.cipher(config["CONNECTION_KEY"]).encrypt(model.api_key.encode())
    connection = _connection(record.id)
    if connection is not None and connection.athlete_id != model.athlete_id:
        outbox.retire(connection)
        connection = None
    if connection is None:
        connection = IntervalsConnection(plan_id=record.id, athlete_id=model.athlete_id)
        db.session.add(connection)
    connection.secret, connection.base_url = secret, base_url
    connection.status, connection.error = "pending", None
    db.session.flush()
    outbox.add(connection.id, outbox.CONNECT)
    db.session.commit()


def disconnect_intervals(token: str) -> None:
    """Unlink the plan: the worker's next pass removes our events from the runner's calendar and then
    deletes the key. Unlinking a plan that is not linked changes nothing."""
    record = _find(token, for_update=True)
    _retire_connection(record.id)
    db.session.commit()


def intervals_status(token: str) -> IntervalsConnection | None:
    """The plan's live intervals.icu connection (for its status), or None: one indexed lookup."""
    return db.session.scalars(select(IntervalsConnection).join(PlanRecord, PlanRecord.id == IntervalsConnection.plan_id)
                              .where(PlanRecord.token == token)).first()


def _connection(plan_id: int) -> IntervalsConnection | None:
    return db.session.scalars(select(IntervalsConnection).where(IntervalsConnection.plan_id == plan_id)).first()


def _retire_connection(plan_id: int) -> None:
    connection = _connection(plan_id)
    if connection is not None:
        outbox.retire(connection)


def set_nudges(token: str, on: bool) -> None:
    """Switch the calendar's check-in nudges on or off: a new revision whose plan is the same but for
    `request.nudges` (no re-plan), the removed nudges' stamps marked gone. Written by compare and swap
    on the revision read, like a check-in; a plan already so is left alone."""
    for attempt in range(OPTIMISTIC_ATTEMPTS + 1):
        stored = _locked(token) if attempt == OPTIMISTIC_ATTEMPTS else get(token)
        record, lived = stored.record, stored.revision
        if lived.plan.request.nudges == on:
            db.session.rollback()
            return
        plan_id, read_revision = record.id, record.revision
        runner_today = today(_timezone(record))
        plan = replace(lived.plan, request=replace(lived.plan.request, nudges=on))
        logged = revisions.logged_lines(record.checkins)
        stamps = revisions.restamp(plan, lived.stamps, runner_today, _moment(), logged)
        asked = {**record.request, "nudges": on}
        if attempt < OPTIMISTIC_ATTEMPTS:
            db.session.rollback()
            write_lock()
        if not _swap(plan_id, read_revision):
            db.session.rollback()
            continue
        db.session.execute(update(PlanRecord).where(PlanRecord.id == plan_id).values(request=asked)
                           .execution_options(synchronize_session=False))
        revisions.add(record, read_revision + 1, plan, stamps, reason=revisions.NUDGES, as_of=runner_today,
                      moment=_moment())
        db.session.commit()
        return
    raise AssertionError("unreachable: the locked attempt always lands")

# -- a physio's read-only link -------------------------------------------------------------------

def shared(share_token: str) -> Stored:
    """The plan a physio's link opens. Only the share token finds it: a runner's token is not one."""
    record = db.session.scalars(select(PlanRecord).where(PlanRecord.share_token == share_token)).first()
    if record is None:
        raise PlanNotFound(share_token)
    return get(record.token)


def share(token: str) -> str:
    """A new read-only link for a physio, replacing any earlier one (which answers 404 from then on).
    The runner's token and links do not change."""
    share_token = new_token()
    _set_share(token, share_token, revisions.SHARE)
    return share_token


def stop_sharing(token: str) -> None:
    """Revoke the physio's link: it answers 404 from now on. Nothing to do when the plan is not shared."""
    _set_share(token, None, revisions.UNSHARE)


def _set_share(token: str, share_token: str | None, reason: str) -> None:
    """Store the plan's share token under its write lock, as a new revision of the same plan (as
    `rotate` does): the page and the API's JSON, which show the link, are stored per revision."""
    stored = _locked(token)
    record = stored.record
    if record.share_token is None and share_token is None:
        db.session.rollback()
        return
    record.share_token = share_token
    record.revision += 1
    record.updated_at = utcnow()
    lived = stored.revision
    revisions.add(record, record.revision, lived.plan, lived.stamps, reason=reason,
                  as_of=today(_timezone(record)), moment=_moment())
    db.session.commit()


# -- new rules ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Upgrade:
    """What `plans replan` did to one plan."""

    token: str
    from_version: int
    to_version: int
    changed_events: int


def upgrade_all() -> Iterator[Upgrade]:
    """Move every stored plan's future onto the installed rules, one plan a transaction. A plan
    already on them is left alone, so running it twice changes nothing the second time."""
    tokens = list(db.session.scalars(select(PlanRecord.token).order_by(PlanRecord.id)))
    db.session.rollback()
    for token in tokens:
        try:
            done = upgrade(token)
        except PlanNotFound:  # deleted or rotated meanwhile
            db.session.rollback()
            continue
        if done is not None:
            yield done


def upgrade(token: str) -> Upgrade | None:
    """Re-plan one plan from today on under the installed rules, if it is not on them yet."""
    stored = _locked(token)
    record, lived = stored.record, stored.revision
    runner_today = today(_timezone(record))
    checkins = [_engine_checkin(c) for c in record.checkins]
    fresh = _compute(record, checkins, runner_today)
    if fresh.rules_version == lived.plan.rules_version:
        db.session.rollback()
        return None
    plan, stamps = _replan(lived, fresh, runner_today, checkins)
    record.revision += 1
    record.updated_at = utcnow()
    revisions.add(record, record.revision, plan, stamps, reason=revisions.UPGRADE, as_of=runner_today,
                  moment=_moment())
    db.session.commit()
    return Upgrade(token, lived.plan.rules_version, plan.rules_version,
                   len(revisions.changed(lived.stamps, stamps)))


# -- the engine's inputs ------------------------------------------------------------------------

def _compute(record: PlanRecord, checkins: list[CheckIn], runner_today: date,
             request: dict[str, Any] | None = None) -> Plan:
    """The engine's plan for a stored request (or `request`, the one a change stores) and check-ins (its
    start date is stored, so `runner_today` only matters to a plan without one)."""
    model = PlanRequestModel.model_validate(record.request if request is None else request)
    return build_plan(model.to_engine(), today=runner_today, seed=record.seed, checkins=checkins,
                      away=model.away_periods())


def _created_day(record: PlanRecord) -> date:
    return revisions.as_utc(record.created_at).astimezone(zone(_timezone(record))).date()


def _timezone(record: PlanRecord) -> str:
    return str(record.request.get("timezone") or "UTC")


def _engine_checkin(c: CheckInRecord) -> CheckIn:
    return CheckIn(date=c.date, pain_during=c.pain_during, pain_next_morning=c.pain_next_morning,
                   completed=c.completed, notes=c.notes, actual=Actual(**c.actual) if c.actual else None)
