"""SQLite, the embedded default, tuned for a web server with several workers."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from . import generation


def tune(engine: Any) -> None:
    """WAL for concurrent readers, a busy timeout, foreign keys, secure delete, and write transactions that
    take the write lock up front (BEGIN IMMEDIATE, see exports.write_lock) so two writers never
    deadlock on upgrade. Nothing happens on other databases."""
    if engine.dialect.name != "sqlite":
        return
    generation.attach(engine)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # let SQLAlchemy's "begin" below issue BEGIN
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA secure_delete=ON")  # deleted rows are overwritten, not left in free pages
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        writing = connection.get_execution_options().get("planner_write")
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")


def forget(engine: Any) -> None:
    """After a delete: copy the write-ahead log into the database and empty it, so a deleted plan's
    name, notes and token are left in neither file. Best effort: a reader still on an older snapshot
    keeps the log until the next checkpoint. Nothing happens on other databases."""
    if engine.dialect.name != "sqlite":
        return
    connection = engine.raw_connection()
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # autocommit: isolation_level is None
    finally:
        connection.close()
