"""Two helpers every writer in the store uses."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

from sqlalchemy import CursorResult, Result

from ..extensions import db


def write_lock() -> None:
    """Start the session's transaction as a writer: SQLite takes its write lock up front (BEGIN
    IMMEDIATE, see sqlite.py), so two writers never deadlock upgrading a read lock."""
    db.session.connection(execution_options={"planner_write": True})


@contextmanager
def writing() -> Iterator[None]:
    """One short write transaction, begun as a writer (any read transaction before it is ended first),
    committed at the end; for callers that write between slow things, such as requests to another service."""
    db.session.rollback()
    write_lock()
    yield
    db.session.commit()


def rowcount(result: Result[*tuple[Any, ...]]) -> int:
    """Rows an UPDATE matched: Session.execute is typed as returning a plain Result, but a Core DML
    statement always yields a CursorResult, which carries the count."""
    return cast(CursorResult[*tuple[Any, ...]], result).rowcount
