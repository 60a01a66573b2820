"""Email reminders: the morning after each run, one email with yesterday's one-tap check-in link and
today's session (mail/letters.py), sent by the worker through SMTP_URL (mail/smtp.py).

The address is kept encrypted with CONNECTION_KEY and shown back only masked ("r•••@example.com");
it is never logged. Each row carries `due_at`, the next moment the worker should look at it (the
plan's session time, else 07:00, in the plan's zone), so a worker with nothing due does one indexed
query. A mail is claimed before it goes out by a conditional UPDATE of `last_sent`, so two workers
never send one morning twice; a send that fails gives the claim back and is tried again shortly.
"""

from __future__ import annotations

import logging
import secrets
import smtplib
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import delete, or_, select, update

from . import services
from .engine import CheckIn, Kind
from .exports import nudges
from .extensions import db
from .mail import letters, smtp
from .schemas import ReminderModel
from .store.exports import PlanNotFound
from .store.models import PlanRecord, Reminder
from .store.transactions import rowcount, write_lock, writing
from .sync.keys import InvalidToken, cipher

log = logging.getLogger(__name__)

UNSUBSCRIBE_BYTES = 24
RETRY = timedelta(minutes=1)  # after a failed send: soon, but not on every pass of the worker
BATCH = 100  # reminders read per query; a busy morning takes several


class NotSetUp(Exception):
    """This server has no SMTP_URL, so it sends no email and takes no address."""


def available() -> bool:
    """Whether this server sends email at all (SMTP_URL is set)."""
    return bool(current_app.config.get("SMTP_URL"))


def masked(address: str) -> str:
    """"r•••@example.com": the first character of the address and its domain; all anyone is shown."""
    local, _, domain = address.rpartition("@")
    return f"{local[:1]}•••@{domain}"


def stop_url(base_url: str, unsubscribe: str) -> str:
    """The one-click unsubscribe link of a reminder (RFC 8058): no token of the plan in it."""
    return f"{base_url}/reminders/{unsubscribe}/stop"


# -- the runner's side: subscribe, look, stop ---------------------------------------------------

def subscribe(token: str, model: ReminderModel, base_url: str) -> None:
    """Send the plan's reminders to this address from the next morning after a run (replacing any
    address given before; a mail already sent this morning is not sent again)."""
    record = _plan_for_update(token)  # an unknown token is a 404 first
    if not available():
        db.session.rollback()
        raise NotSetUp()
    secret = cipher(current_app.config["CONNECTION_KEY"]).encrypt(model.email.encode())
    reminder = db.session.scalars(select(Reminder).where(Reminder.plan_id == record.id)).first()
    if reminder is None:
        reminder = Reminder(plan_id=record.id, unsubscribe=secrets.token_urlsafe(UNSUBSCRIBE_BYTES))
        db.session.add(reminder)
    reminder.secret, reminder.masked, reminder.base_url = secret, masked(model.email), base_url
    reminder.due_at = _utc(services.now())  # the worker decides on its next pass whether one is due
    db.session.commit()


def unsubscribe(token: str) -> None:
    """No more reminders for the plan: the address is deleted (nothing to do when there is none)."""
    record = _plan_for_update(token)
    db.session.execute(delete(Reminder).where(Reminder.plan_id == record.id))
    db.session.commit()


def stop(unsubscribe_key: str) -> bool:
    """The one-click unsubscribe: the reminder and its address deleted; False when there was none."""
    write_lock()
    gone = rowcount(db.session.execute(delete(Reminder).where(Reminder.unsubscribe == unsubscribe_key)))
    db.session.commit()
    return gone > 0


def exists(unsubscribe_key: str) -> bool:
    """Whether an unsubscribe link still stops something (its page says so either way)."""
    return db.session.scalars(select(Reminder.id).where(Reminder.unsubscribe == unsubscribe_key)).first() is not None


def status(token: str) -> Reminder | None:
    """The plan's reminder (for its masked address), or None: one indexed lookup."""
    return db.session.scalars(select(Reminder).join(PlanRecord, PlanRecord.id == Reminder.plan_id)
                              .where(PlanRecord.token == token)).first()


def _plan_for_update(token: str) -> PlanRecord:
    write_lock()
    record = db.session.scalars(select(PlanRecord).where(PlanRecord.token == token).with_for_update()).first()
    if record is None:
        raise PlanNotFound(token)
    return record


# -- the worker's side: send what is due -------------------------------------------------------

def send_due() -> int:
    """Look at every reminder whose moment has come and send those that are due; how many were sent.
    Without SMTP_URL nothing is read; with nothing due, one indexed query."""
    if not available():
        return 0
    now = _utc(services.now())
    seen: set[int] = set()
    sent = 0
    while True:
        due = [i for i in db.session.scalars(select(Reminder.id).where(Reminder.due_at <= now)
                                             .order_by(Reminder.due_at, Reminder.id).limit(BATCH))
               if i not in seen]
        db.session.rollback()
        if not due:
            return sent
        for reminder_id in due:
            seen.add(reminder_id)
            sent += _attend(reminder_id, now)


def _attend(reminder_id: int, now: datetime) -> int:
    """One reminder whose moment has come: sent (1) if yesterday had a run and this morning's mail has
    not gone yet, else moved on to its next moment (0)."""
    row = db.session.execute(select(Reminder, PlanRecord.token).join(PlanRecord, PlanRecord.id == Reminder.plan_id)
                             .where(Reminder.id == reminder_id)).first()
    if row is None:  # unsubscribed, or the plan deleted, since the query
        db.session.rollback()
        return 0
    reminder, token = row
    try:
        stored = services.get(token)
    except PlanNotFound:
        db.session.rollback()
        return 0
    plan = stored.plan
    zone = services.zone(plan.request.timezone)
    today = now.astimezone(zone).date()
    at = nudges.time_of(plan)  # when the calendar's nudge is, too
    this_morning = _moment(today, at, zone)
    if now < this_morning:  # subscribed before today's reminder time: come back then
        _move(reminder_id, this_morning)
        return 0
    following = _moment(today + timedelta(days=1), at, zone)
    yesterday = today - timedelta(days=1)
    ran = any(s.date == yesterday and s.kind is Kind.RUN for s in plan.sessions)
    last_sent = reminder.last_sent
    if not ran or (last_sent is not None and last_sent >= today):
        _move(reminder_id, following)
        return 0
    logged = next((CheckIn(date=c.date, pain_during=c.pain_during, pain_next_morning=c.pain_next_morning,
                           completed=c.completed) for c in stored.checkins if c.date == yesterday), None)
    secret, base_url, key = reminder.secret, reminder.base_url, reminder.unsubscribe
    if not _claim(reminder_id, today, following):
        return 0  # another worker has it
    try:
        address = cipher(current_app.config["CONNECTION_KEY"]).decrypt(secret).decode()
    except InvalidToken:  # CONNECTION_KEY lost the key it was stored with: nothing to send it to
        log.warning("reminder %s: the stored address could not be read with CONNECTION_KEY", reminder_id)
        return 0
    links = letters.Links(page=f"{base_url}/plans/{token}", stop=stop_url(base_url, key))
    message = letters.reminder(plan, yesterday, logged, links, sender=current_app.config["MAIL_FROM"],
                               to=address, moment=now)
    try:
        smtp.send(current_app.config["SMTP_URL"], message)
    except (smtplib.SMTPException, OSError) as error:
        _give_back(reminder_id, today, last_sent, now + RETRY)
        log.warning("reminder %s not sent (%s); trying again after %s", reminder_id, _why(error),
                    (now + RETRY).isoformat())
        return 0
    log.info("reminder %s sent for plan %s…, the morning after %s", reminder_id, token[:4], yesterday.isoformat())
    return 1


def _claim(reminder_id: int, today: date, following: datetime) -> bool:
    """This morning's mail is ours to send: last_sent moves to today only if it was before, in one
    statement, so of two workers exactly one sees the row change."""
    with writing():
        claimed = rowcount(db.session.execute(
            update(Reminder).where(Reminder.id == reminder_id,
                                   or_(Reminder.last_sent.is_(None), Reminder.last_sent < today))
            .values(last_sent=today, due_at=following)))
    return claimed == 1


def _give_back(reminder_id: int, today: date, last_sent: date | None, retry_at: datetime) -> None:
    """The send failed: the claim is undone, and the reminder is due again at `retry_at`."""
    with writing():
        db.session.execute(update(Reminder).where(Reminder.id == reminder_id, Reminder.last_sent == today)
                           .values(last_sent=last_sent, due_at=retry_at))


def _move(reminder_id: int, due_at: datetime) -> None:
    with writing():
        db.session.execute(update(Reminder).where(Reminder.id == reminder_id).values(due_at=due_at))


def _moment(day: date, at: time, zone: ZoneInfo) -> datetime:
    """`at` on `day` in the plan's zone, in UTC (a time the clocks skip comes out past the jump)."""
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(microsecond=0)


def _why(error: Exception) -> str:
    """What went wrong, without the address: the error's kind and the server's reply codes only
    (smtplib's messages may quote the recipient)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = sorted({code for code, _ in error.recipients.values()})
        return f"{type(error).__name__} {codes}"
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{type(error).__name__} {error.smtp_code}"
    if isinstance(error, OSError) and error.errno is not None:
        return f"{type(error).__name__} errno {error.errno}"
    return type(error).__name__
