"""The worker: `flask --app wsgi worker` empties the outbox and sends the morning email reminders
(reminders.py) until it is stopped (`--once`: until nothing is due, then exits).

Each pass leases one connection (store/outbox.py) and makes the runner's intervals.icu calendar match
the plan's latest revision from today on: events for new sessions are created, changed ones updated,
removed ones deleted, and nothing before today is touched. Every event is written by its session UID
(`external_id`) and the mapping row is written before the request goes out, so a pass cut off anywhere
(even by SIGKILL) and run again ends with exactly one event per session. A retired connection's
events are all deleted, and then the connection and its key.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from types import FrameType

from flask import Flask, current_app
from sqlalchemy import delete, select

from .. import reminders, services
from ..extensions import db
from ..store import outbox
from ..store.models import IntervalsConnection, IntervalsEvent, PlanRecord
from ..store.transactions import writing
from . import events
from .client import CHUNK, Client, IntervalsError, NotFound, Refused, Unavailable
from .keys import InvalidToken, cipher

log = logging.getLogger(__name__)


class LostLease(Exception):
    """The pass ran past its lease and another worker took the connection over: stop, it carries on."""


@dataclass
class Pass:
    """What one pass did, for the log and the tests."""

    connection_id: int
    created: int = 0
    updated: int = 0
    deleted: int = 0
    requests: int = 0
    outcome: str = "ok"  # ok, retry, broken, retired, lost


class Worker:
    def __init__(self, app: Flask) -> None:
        self.app = app
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        config = app.config
        self.lease = timedelta(seconds=float(config["SYNC_LEASE_SECONDS"]))
        self.backoff = timedelta(seconds=float(config["SYNC_BACKOFF_SECONDS"]))
        self.poll = float(config["WORKER_POLL_SECONDS"])
        self.stopping = threading.Event()

    def stop(self, _signal: int = 0, _frame: FrameType | None = None) -> None:
        self.stopping.set()

    def stop_on_signals(self) -> None:
        """SIGTERM or SIGINT stop the worker once the pass in flight is done (the command's main thread)."""
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)

    def run(self, *, once: bool = False) -> list[Pass]:
        """Pass after pass until stopped; `once`: until nothing is due. Each turn first sends the email
        reminders that are due (one indexed query when none is)."""
        passes: list[Pass] = []
        with self.app.app_context():
            while not self.stopping.is_set():
                try:
                    reminders.send_due()
                    done = self.step()
                except Exception:  # the database gone, say: log it, wait, and carry on
                    log.exception("worker pass failed")
                    db.session.rollback()
                    if once:
                        raise
                    self.stopping.wait(max(self.poll, 1.0))
                    continue
                if done is not None:
                    passes.append(done)
                    continue
                if once:
                    break
                self.stopping.wait(self.poll)
        return passes

    def step(self) -> Pass | None:
        """Claim one connection with work due and do it; None when nothing is due."""
        claim = outbox.claim(self.owner, self.lease)
        if claim is None:
            return None
        connection = db.session.get(IntervalsConnection, claim.connection_id)
        if connection is None:  # deleted between the claim and now
            return None
        result = Pass(claim.connection_id)
        client: Client | None = None
        try:
            client = self._client(connection)
            if connection.retiring:
                self._retire(connection, client, result)
                outbox.forget(claim.connection_id)
                result.outcome = "retired"
            else:
                self._push(connection, client, claim, result)
                outbox.done(claim)
        except Refused as error:
            db.session.rollback()
            result.outcome = "broken"
            if _retiring(claim.connection_id):
                outbox.forget(claim.connection_id)  # the key no longer works: nothing more can be removed
            else:
                outbox.done(claim, status="broken", error=str(error))
        except (Unavailable, NotFound, IntervalsError, InvalidToken) as error:
            db.session.rollback()
            result.outcome = "retry"
            retry_after = error.retry_after if isinstance(error, Unavailable) else None
            message = str(error) if not isinstance(error, InvalidToken) else "The stored key could not be read."
            due = outbox.later(claim, message, self.backoff, retry_after)
            log.warning("intervals.icu sync of connection %s failed (%s); next try at %s",
                        claim.connection_id, message, due.isoformat())
        except LostLease:
            db.session.rollback()
            result.outcome = "lost"
        result.requests = client.calls if client else 0
        log.info("intervals.icu pass: connection %s %s, %s created, %s updated, %s deleted, %s requests",
                 result.connection_id, result.outcome, result.created, result.updated, result.deleted,
                 result.requests)
        return result

    def _client(self, connection: IntervalsConnection) -> Client:
        key = cipher(current_app.config["CONNECTION_KEY"]).decrypt(connection.secret).decode()
        config = current_app.config
        return Client(config["INTERVALS_API_URL"], connection.athlete_id, key,
                      backoff=float(config["INTERVALS_RETRY_SECONDS"]),
                      timeout=float(config["INTERVALS_TIMEOUT_SECONDS"]))

    def _push(self, connection: IntervalsConnection, client: Client, claim: outbox.Claim, result: Pass) -> None:
        record = db.session.get(PlanRecord, connection.plan_id) if connection.plan_id else None
        if record is None:  # unlinked or deleted since the claim: its own retire job is queued behind this one
            return
        plan = services.get(record.token).plan
        today = services.today(plan.request.timezone)
        page = f"{connection.base_url}/plans/{record.token}"
        wanted = events.wanted(plan, today, page)
        known = {row.uid: row for row in _rows(connection.id)}
        sending = [w for uid, w in wanted.items() if uid not in known or known[uid].digest != w.digest]
        dropping = [uid for uid, row in known.items() if uid not in wanted and row.day >= today]
        db.session.rollback()  # no read transaction held across the requests
        for chunk in _chunks(sending, CHUNK):
            with writing():  # written ahead: a crash after the request leaves them to be sent again
                for item in chunk:
                    row = known.get(item.uid)
                    if row is None:
                        row = known[item.uid] = IntervalsEvent(connection_id=connection.id, uid=item.uid,
                                                               day=item.day)
                        db.session.add(row)
                        result.created += 1
                    else:
                        result.updated += 1
                    row.day, row.digest = item.day, None
            answered = {a.get("external_id"): a.get("id") for a in client.upsert([i.payload for i in chunk])}
            with writing():
                for item in chunk:
                    row = known[item.uid]
                    row.event_id, row.digest = answered.get(item.uid, row.event_id), item.digest
            self._renew(claim)
        if dropping:
            client.delete(dropping)
            with writing():
                db.session.execute(delete(IntervalsEvent).where(IntervalsEvent.connection_id == connection.id,
                                                                IntervalsEvent.uid.in_(dropping)))
            result.deleted = len(dropping)

    def _retire(self, connection: IntervalsConnection, client: Client, result: Pass) -> None:
        uids = [row.uid for row in _rows(connection.id)]
        if uids:
            client.delete(uids)
        result.deleted = len(uids)

    def _renew(self, claim: outbox.Claim) -> None:
        if not outbox.renew(claim, self.owner, self.lease):
            raise LostLease(claim.connection_id)


def _rows(connection_id: int) -> list[IntervalsEvent]:
    return list(db.session.scalars(select(IntervalsEvent).where(IntervalsEvent.connection_id == connection_id)))


def _retiring(connection_id: int) -> bool:
    connection = db.session.get(IntervalsConnection, connection_id)
    return connection is None or connection.retiring


def _chunks(items: list[events.Wanted], size: int) -> Iterator[list[events.Wanted]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]
