"""Tables: a plan (its request, its secret token and the physio's read-only one), its check-ins,
its revisions (each the whole computed plan as it stood after a write) and its rendered exports,
cached per revision.
"""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db

TOKEN_BYTES = 24  # 192 random bits, URL-safe: 32 characters


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def utcnow() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


class PlanRecord(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    seed: Mapped[str] = mapped_column(String(64))
    request: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    # The physio's read-only link (GET /shared/{share_token}), or None when the plan is not shared. A
    # key of its own: it opens no runner URL, and the runner's token opens no /shared/ URL.
    share_token: Mapped[str | None] = mapped_column(String(64), unique=True, index=True, nullable=True)

    checkins: Mapped[list[CheckInRecord]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", passive_deletes=True, order_by="CheckInRecord.date"
    )


class CheckInRecord(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "checkins"
    __table_args__ = (UniqueConstraint("plan_id", "date", name="uq_checkins_plan_date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    date: Mapped[date] = mapped_column(Date)
    pain_during: Mapped[int] = mapped_column(Integer)
    pain_next_morning: Mapped[int | None] = mapped_column(Integer, nullable=True)  # added the next day (rule 31)
    completed: Mapped[bool] = mapped_column(Boolean, default=True)
    notes: Mapped[str | None] = mapped_column(Text, nullable=True)
    actual: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)  # what was really run (rule 36)
    remarks: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)  # rule 36's notes on that run
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    plan: Mapped[PlanRecord] = relationship(back_populates="checkins")


class ActivityRecord(db.Model):  # type: ignore[name-defined,misc]
    """An uploaded run waiting for its day's check-in: the numbers read from the file (never the file)."""

    __tablename__ = "activities"
    __table_args__ = (UniqueConstraint("plan_id", "date", name="uq_activities_plan_date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    date: Mapped[date] = mapped_column(Date)
    actual: Mapped[dict[str, Any]] = mapped_column(JSON)
    remarks: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PlanRevision(db.Model):  # type: ignore[name-defined,misc]
    """The plan after one write, as a record that never changes: the computed plan and the stamps
    (SEQUENCE, LAST-MODIFIED, the notices shown) of each calendar event, gzip'd JSON (store/revisions.py)."""

    __tablename__ = "plan_revisions"

    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    reason: Mapped[str] = mapped_column(String(16))  # create, checkin, morning, rotate, upgrade, recorded
    rules_version: Mapped[int] = mapped_column(Integer)
    as_of: Mapped[date] = mapped_column(Date)  # the runner's today when it was written: days before it are frozen
    day: Mapped[date | None] = mapped_column(Date, nullable=True)  # the check-in's day, for check-in revisions
    decision: Mapped[str | None] = mapped_column(String(16), nullable=True)  # what that check-in did
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    body: Mapped[bytes] = mapped_column(LargeBinary)


class SessionVersion(db.Model):  # type: ignore[name-defined,misc]
    """Before revisions (migration 5c1e0d7a9f32): the last digest of each session UID. Read once, to
    carry a plan's SEQUENCE values into its first revision; nothing writes it any more."""

    __tablename__ = "session_versions"

    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), primary_key=True)
    uid: Mapped[str] = mapped_column(String(64), primary_key=True)
    digest: Mapped[str] = mapped_column(String(64))
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    modified_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RenderedExport(db.Model):  # type: ignore[name-defined,misc]
    """An export's bytes for one plan revision (and variant), so reads never re-render."""

    __tablename__ = "rendered_exports"

    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    revision: Mapped[int] = mapped_column(Integer)
    variant: Mapped[str] = mapped_column(String(300), default="")  # what else the bytes depend on: base URL, day
    body: Mapped[bytes] = mapped_column(LargeBinary)
    etag: Mapped[str] = mapped_column(String(64))
    last_modified: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class IntervalsConnection(db.Model):  # type: ignore[name-defined,misc]
    """A plan linked to the runner's intervals.icu calendar: the athlete, the API key (encrypted,
    sync/keys.py) and how the last sync went.

    Disconnecting, rotating the token or deleting the plan detaches the row (`plan_id` NULL, `retiring`):
    the worker then removes our events from the runner's calendar and deletes the row, key and all.
    """

    __tablename__ = "intervals_connections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id", ondelete="SET NULL"), nullable=True,
                                                unique=True)
    athlete_id: Mapped[str] = mapped_column(String(64))
    base_url: Mapped[str] = mapped_column(String(300))  # where the plan's page is, for the events' links
    secret: Mapped[bytes] = mapped_column(LargeBinary)  # the API key, Fernet-encrypted
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending, ok, broken
    error: Mapped[str | None] = mapped_column(Text, nullable=True)  # why the last sync failed, in words
    last_sync: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    retiring: Mapped[bool] = mapped_column(Boolean, default=False)
    # A worker's claim: no other worker sends this connection until it has passed.
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    lease_owner: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class IntervalsEvent(db.Model):  # type: ignore[name-defined,misc]
    """Which intervals.icu event holds which session, and the digest of what was sent. A row is
    written before its event is sent (event_id NULL until intervals.icu answers), so every event we
    may have made is known, even after a crash."""

    __tablename__ = "intervals_events"

    connection_id: Mapped[int] = mapped_column(ForeignKey("intervals_connections.id", ondelete="CASCADE"),
                                               primary_key=True)
    uid: Mapped[str] = mapped_column(String(64), primary_key=True)  # the session's UID, also its external_id
    day: Mapped[date] = mapped_column(Date)
    event_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    digest: Mapped[str | None] = mapped_column(String(64), nullable=True)  # None: sent, answer not yet stored


class OutboxJob(db.Model):  # type: ignore[name-defined,misc]
    """Work for the worker, written in the same transaction as the revision that calls for it. Jobs
    of one connection fold together: a pass sends the plan's latest revision and clears them all."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("intervals_connections.id", ondelete="CASCADE"),
                                               index=True)
    reason: Mapped[str] = mapped_column(String(16))  # connect, revision, retire
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Reminder(db.Model):  # type: ignore[name-defined,misc]
    """A runner's morning email (reminders.py): the address encrypted with CONNECTION_KEY (sync/keys.py),
    its masked form for the page, the key of its one-click unsubscribe link, and when it is next due.

    One per plan, deleted with it (ON DELETE CASCADE); a new runner token keeps it, since each mail's
    links are made from the plan's token at send time.
    """

    __tablename__ = "reminders"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), unique=True)
    secret: Mapped[bytes] = mapped_column(LargeBinary)  # the address, Fernet-encrypted
    masked: Mapped[str] = mapped_column(String(300))  # "r•••@example.com": all the page and the API show
    unsubscribe: Mapped[str] = mapped_column(String(64), unique=True)  # /reminders/{unsubscribe}/stop
    base_url: Mapped[str] = mapped_column(String(300))  # where the plan's pages are, for the links in mails
    last_sent: Mapped[date | None] = mapped_column(Date, nullable=True)  # the runner's day of the last mail
    # When the worker next looks at it (the next reminder time, UTC): its idle pass is one indexed query.
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
