"""The export cache: each view of a plan rendered once per revision, then served as stored bytes.

A row per plan and kind holds the bytes of one revision and variant (what else they depend on: the
base URL, the runner's day). A read is one indexed lookup that also returns the plan's current
revision, so stale bytes are never served; a miss renders, stores and serves.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache
from typing import Any, TypeVar

from sqlalchemy import and_, bindparam, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db
from . import generation
from .models import PlanRecord, RenderedExport, utcnow
from .revisions import as_utc
from .transactions import rowcount, write_lock

T = TypeVar("T")


class PlanNotFound(LookupError):
    """No plan has that token (or it was deleted, or its token rotated)."""


@dataclass(frozen=True)
class Body:
    """Bytes of one kind of export, ready to send."""

    kind: str
    body: bytes
    last_modified: datetime
    etag: str = ""
    variant: str = ""  # what else the bytes depend on (a base URL, the runner's day)

    def __post_init__(self) -> None:
        if not self.etag:
            object.__setattr__(self, "etag", hashlib.sha256(self.body).hexdigest())


Fresh = str | Callable[[str], bool]  # the variant wanted, or a test of a stored one


def _lookup(with_body: bool) -> Any:
    columns = [PlanRecord.revision.label("current"), RenderedExport.revision, RenderedExport.variant,
               RenderedExport.etag, RenderedExport.last_modified]
    if with_body:
        columns.append(RenderedExport.body)
    return (
        select(*columns)
        .select_from(PlanRecord)
        .outerjoin(RenderedExport, and_(RenderedExport.plan_id == PlanRecord.id,
                                        RenderedExport.kind == bindparam("kind")))
        .where(PlanRecord.token == bindparam("token"))
    )


_LOOKUPS = {False: _lookup(False), True: _lookup(True)}


@cache
def _compiled(dialect: Any, with_body: bool) -> tuple[str, tuple[str, ...] | None]:
    """The lookup as this database's own SQL, and the order of its positional parameters (None: named)."""
    compiled = _LOOKUPS[with_body].compile(dialect=dialect)
    return compiled.string, tuple(compiled.positiontup) if compiled.positional and compiled.positiontup else None


class Recent:
    """Bytes this process sent last, by a key that names them for good (so an entry is never stale),
    the least recently used dropped past `limit` bytes in all."""

    def __init__(self, limit: int) -> None:
        self.limit, self.size = limit, 0
        self.bodies: OrderedDict[str, bytes] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, etag: str) -> bytes | None:
        with self.lock:
            body = self.bodies.get(etag)
            if body is not None:
                self.bodies.move_to_end(etag)
            return body

    def put(self, etag: str, body: bytes) -> None:
        if len(body) > self.limit // 4:
            return
        with self.lock:
            if etag not in self.bodies:
                self.bodies[etag] = body
                self.size += len(body)
            while self.size > self.limit:
                _, dropped = self.bodies.popitem(last=False)
                self.size -= len(dropped)


# The bodies of exports, by ETag. An ETag is a hash of the bytes: the indexed lookup says which ETag is
# current, and memory saves reading the blob again. Per worker process.
RECENT = Recent(32 * 1024 * 1024)


def stamp(token: str, kind: str, fresh: Fresh) -> Body | None:
    """The ETag, Last-Modified and variant of the plan's current `kind`, without its bytes; None when it
    must be rendered first.

    The hot path of every calendar poll: one indexed SELECT on a pooled DBAPI connection, no ORM
    session and no transaction around it (a single statement reads one consistent snapshot). A poll
    that repeats the ETag needs nothing more; the bytes come from this process's memory when it sent
    them before (`filled`).
    """
    if not isinstance(fresh, str):
        return _select(token, kind, fresh, with_body=False)
    counter = generation.of(db.engine)
    if counter is None:
        return _select(token, kind, fresh, with_body=False)
    count, key = counter.current(), (token, kind, fresh)  # the count first: see generation.py
    found: Body | None = REMEMBERED.get(key, count)
    if found is None:
        found = _select(token, kind, fresh, with_body=False)
        if found is not None:
            REMEMBERED.put(key, count, found)
    return found


REMEMBERED = generation.Remembered(100_000)  # per worker process: stamps of exports with a fixed variant


def unless_committed(key: tuple[str, str, str], compute: Callable[[], T]) -> T:
    """`compute()`, remembered (on SQLite) until anything is committed: for what a read shows beside the
    stored bytes (a sync's status, a masked address), which changes only with a commit."""
    counter = generation.of(db.engine)
    if counter is None:
        return compute()
    count = counter.current()  # the count first: see generation.py
    found: tuple[T] | None = REMEMBERED.get(key, count)
    if found is None:
        found = (compute(),)
        REMEMBERED.put(key, count, found)
    return found[0]


def filled(token: str, stamp: Body, fresh: Fresh) -> Body | None:
    """`stamp` (read without its bytes) with them: from this process's memory, else read again with
    them (None if the plan moved on meanwhile)."""
    body = RECENT.get(stamp.etag)
    if body is not None:
        return replace(stamp, body=body)
    found = _select(token, stamp.kind, fresh, with_body=True)
    if found is not None:
        RECENT.put(found.etag, found.body)
    return found


def _select(token: str, kind: str, fresh: Fresh, *, with_body: bool) -> Body | None:
    engine = db.engine
    sql, order = _compiled(engine.dialect, with_body)
    values = {"token": token, "kind": kind}
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute(sql, tuple(values[name] for name in order) if order else values)
        row = cursor.fetchone()
        cursor.close()
    finally:
        connection.close()  # back to the pool, which rolls back any transaction the driver opened
    if row is None:
        raise PlanNotFound(token)
    current, revision, variant, etag, last_modified = row[:5]
    if revision != current or not (fresh(variant) if callable(fresh) else variant == fresh):
        return None
    return Body(kind, bytes(row[5]) if with_body else b"", _moment(last_modified), etag, variant)


def _moment(value: datetime | str) -> datetime:
    """A DATETIME as the driver returns it raw: PostgreSQL gives a datetime, SQLite the stored text."""
    return as_utc(value if isinstance(value, datetime) else datetime.fromisoformat(value))


def bytes_of(token: str, kind: str, stamp: Body | None, fresh: Fresh, render: Callable[[], list[Body]]) -> Body:
    """The bytes behind a `stamp` (kept or read), or, when there
    was none or the plan moved on meanwhile, rendered and stored."""
    found = filled(token, stamp, fresh) if stamp is not None else None
    return found or render_and_store(token, kind, fresh, render)


def render_and_store(token: str, kind: str, fresh: Fresh, render: Callable[[], list[Body]]) -> Body:
    """`kind` rendered (with any sibling kinds `render` makes at the same time), stored for the next
    read, and returned. Bodies are stored with the variant they carry, or with `fresh` itself when it is one."""
    revision = db.session.scalar(select(PlanRecord.revision).where(PlanRecord.token == token))
    if revision is None:
        raise PlanNotFound(token)
    bodies = render()
    db.session.rollback()  # end the read; the store below is a short write of its own
    try:
        write_lock()
        plan_id = db.session.scalar(select(PlanRecord.id).where(PlanRecord.token == token,
                                                                PlanRecord.revision == revision))
        if plan_id is not None:  # a write since the read would make these bytes stale
            for body in bodies:
                _store(plan_id, revision, body.variant or (fresh if isinstance(fresh, str) else ""), body)
            db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()  # not stored this time (another request stored it first); the bytes are right
    return next(b for b in bodies if b.kind == kind)


def _store(plan_id: int, revision: int, variant: str, body: Body) -> None:
    values = {"revision": revision, "variant": variant, "body": body.body, "etag": body.etag,
              "last_modified": body.last_modified}
    updated = rowcount(db.session.execute(
        update(RenderedExport).where(RenderedExport.plan_id == plan_id, RenderedExport.kind == body.kind)
        .values(**values).execution_options(synchronize_session=False)
    ))
    if not updated:
        db.session.execute(insert(RenderedExport).values(plan_id=plan_id, kind=body.kind, **values))


__all__ = ["Body", "PlanNotFound", "bytes_of", "rowcount", "stamp", "utcnow", "write_lock"]
