"""The outbox: sync jobs written in the same transaction as the revision (or connection change) that
calls for them, and claimed by workers.

A worker claims a connection, not a job: it takes a lease on the connection row, so no two workers
ever send one plan at once, and every job of that connection waiting at the claim folds into one
pass that sends the plan's latest revision. On PostgreSQL the claim skips rows another worker is
claiming (FOR UPDATE SKIP LOCKED); on SQLite the claim runs under the database's write lock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, insert, literal, or_, select, update

from ..extensions import db
from .models import IntervalsConnection, OutboxJob, utcnow
from .transactions import rowcount, write_lock, writing

REVISION, CONNECT, RETIRE = "revision", "connect", "retire"
MAX_BACKOFF = timedelta(hours=1)


@dataclass(frozen=True)
class Claim:
    connection_id: int
    last_job: int  # jobs up to this id are what the pass answers
    attempts: int  # failed passes so far, for the backoff


def enqueue(plan_id: int, reason: str = REVISION) -> None:
    """A job for the plan's live connection, if it has one and it is not broken (a refused key waits for
    a new one, which queues its own job): one INSERT … SELECT, nothing read back."""
    now = utcnow()
    live = select(IntervalsConnection.id, literal(reason), literal(now, OutboxJob.due_at.type), literal(0),
                  literal(now, OutboxJob.created_at.type)).where(
        IntervalsConnection.plan_id == plan_id, IntervalsConnection.retiring.is_(False),
        IntervalsConnection.status != "broken")
    db.session.execute(insert(OutboxJob).from_select(
        ["connection_id", "reason", "due_at", "attempts", "created_at"], live))


def add(connection_id: int, reason: str) -> None:
    now = utcnow()
    db.session.add(OutboxJob(connection_id=connection_id, reason=reason, due_at=now, attempts=0, created_at=now))


def retire(connection: IntervalsConnection) -> None:
    """Detach a connection from its plan; the next pass removes its events and then the row, key and all."""
    connection.plan_id = None
    connection.retiring = True
    connection.status = "pending"
    db.session.flush()
    add(connection.id, RETIRE)


def claim(owner: str, lease: timedelta, now: datetime | None = None) -> Claim | None:
    """Lease the next connection with a job due, or None; commits either way."""
    now = now or utcnow()
    db.session.rollback()
    write_lock()
    due = select(OutboxJob.connection_id).where(OutboxJob.due_at <= now)
    candidate = db.session.scalars(
        select(IntervalsConnection.id)
        .where(IntervalsConnection.id.in_(due),
               or_(IntervalsConnection.lease_until.is_(None), IntervalsConnection.lease_until < now))
        .order_by(IntervalsConnection.id).limit(1)
        .with_for_update(skip_locked=True)
    ).first()
    if candidate is None:
        db.session.rollback()
        return None
    db.session.execute(update(IntervalsConnection).where(IntervalsConnection.id == candidate)
                       .values(lease_until=now + lease, lease_owner=owner))
    last_job, attempts = db.session.execute(
        select(func.max(OutboxJob.id), func.max(OutboxJob.attempts)).where(OutboxJob.connection_id == candidate)
    ).one()
    db.session.commit()
    return Claim(candidate, last_job, attempts or 0)


def renew(claim: Claim, owner: str, lease: timedelta) -> bool:
    """Extend the lease; False when it was lost (it ran out and another worker took the connection)."""
    with writing():
        held = rowcount(db.session.execute(
            update(IntervalsConnection)
            .where(IntervalsConnection.id == claim.connection_id, IntervalsConnection.lease_owner == owner)
            .values(lease_until=utcnow() + lease)))
    return held == 1


def done(claim: Claim, *, status: str = "ok", error: str | None = None) -> None:
    """The pass answered every job up to the claim's last: clear them and release the lease."""
    with writing():
        db.session.execute(delete(OutboxJob).where(OutboxJob.connection_id == claim.connection_id,
                                                   OutboxJob.id <= claim.last_job))
        db.session.execute(update(IntervalsConnection).where(IntervalsConnection.id == claim.connection_id)
                           .values(lease_until=None, lease_owner=None, status=status, error=error,
                                   last_sync=utcnow() if status == "ok" else IntervalsConnection.last_sync))


def later(claim: Claim, error: str, base: timedelta, retry_after: float | None) -> datetime:
    """The pass failed for now: try again after exponential backoff (or the server's Retry-After)."""
    wait = min(base * (2 ** claim.attempts), MAX_BACKOFF)
    if retry_after is not None:
        wait = max(wait, timedelta(seconds=retry_after))
    due: datetime = utcnow() + wait
    with writing():
        db.session.execute(update(OutboxJob).where(OutboxJob.connection_id == claim.connection_id)
                           .values(due_at=due, attempts=claim.attempts + 1))
        db.session.execute(update(IntervalsConnection).where(IntervalsConnection.id == claim.connection_id)
                           .values(lease_until=None, lease_owner=None, error=error))
    return due


def forget(connection_id: int) -> None:
    """A retired connection whose events are gone (or can no longer be reached): delete it and its key."""
    with writing():
        db.session.execute(delete(IntervalsConnection).where(IntervalsConnection.id == connection_id))
