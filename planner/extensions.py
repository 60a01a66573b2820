"""Flask extensions, created unbound and attached in create_app; and the rate limits' file storage."""

from __future__ import annotations

import os
import random
import sqlite3
import threading
import time

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from limits.errors import ConfigurationError
from limits.storage import Storage
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


class SQLiteStorage(Storage):
    """Rate-limit counters (fixed windows) in a SQLite file: `sqlite:////absolute/path` or
    `sqlite:///relative/path`, as SQLAlchemy spells it. Every process that opens the same file
    shares the counters, so gunicorn's workers on one machine count a limit once (memory:// counts
    per process). One machine only: across machines use Redis. Counters are not worth an fsync:
    the file is written without one and may lose its last counts if the machine loses power."""

    STORAGE_SCHEME = ["sqlite"]
    BUSY_TIMEOUT = 5.0  # seconds a write waits for another process's; then a StorageError, a 503

    def __init__(self, uri: str, wrap_exceptions: bool = False, **options: float | str | bool) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        prefix = "sqlite:///"
        if not uri.startswith(prefix) or len(uri) == len(prefix):
            raise ConfigurationError(f"a sqlite rate-limit storage needs a file: sqlite:///path, not {uri}")
        self.path = uri[len(prefix):]
        self._local = threading.local()

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return sqlite3.Error

    def _connection(self) -> sqlite3.Connection:
        """One connection per thread and process (never one inherited across a fork)."""
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None or getattr(self._local, "pid", None) != os.getpid():
            connection = sqlite3.connect(self.path, timeout=self.BUSY_TIMEOUT, isolation_level=None,
                                         check_same_thread=False)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=OFF")
            connection.execute("CREATE TABLE IF NOT EXISTS counters (key TEXT PRIMARY KEY, "
                               "value INTEGER NOT NULL, expires REAL NOT NULL) WITHOUT ROWID")
            self._local.connection, self._local.pid = connection, os.getpid()
        return connection

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        connection = self._connection()
        # One statement, so atomic across processes: a new window when the old one has ended.
        rows = connection.execute(
            "INSERT INTO counters (key, value, expires) VALUES (?1, ?2, ?3) ON CONFLICT (key) DO UPDATE SET "
            "value = CASE WHEN counters.expires <= ?4 THEN excluded.value ELSE counters.value + excluded.value END, "
            "expires = CASE WHEN counters.expires <= ?4 THEN excluded.expires ELSE counters.expires END "
            "RETURNING value", (key, amount, now + expiry, now)).fetchall()
        if random.random() < 0.01:  # now and then, forget the windows that ended
            connection.execute("DELETE FROM counters WHERE expires <= ?", (now,))
        return int(rows[0][0])

    def get(self, key: str) -> int:
        row = self._connection().execute("SELECT value FROM counters WHERE key = ? AND expires > ?",
                                         (key, time.time())).fetchone()
        return int(row[0]) if row else 0

    def get_expiry(self, key: str) -> float:
        now = time.time()
        row = self._connection().execute("SELECT expires FROM counters WHERE key = ? AND expires > ?",
                                         (key, now)).fetchone()
        return float(row[0]) if row else now

    def check(self) -> bool:
        try:
            self._connection().execute("SELECT COUNT(*) FROM counters WHERE key = ''").fetchone()
        except sqlite3.Error:
            return False
        return True

    def reset(self) -> int | None:
        return int(self._connection().execute("DELETE FROM counters").rowcount)

    def clear(self, key: str) -> None:
        self._connection().execute("DELETE FROM counters WHERE key = ?", (key,))


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])

# One budget per use case, shared by the form and the API (Flask-Limiter's shared limits).
create_limit = limiter.shared_limit("30/minute;300/hour", scope="create")
checkin_limit = limiter.shared_limit("60/minute", scope="checkin")
manage_limit = limiter.shared_limit("20/minute", scope="manage")
