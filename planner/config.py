"""Configuration, read from the environment once (CONTRACT.md, "Running it")."""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Callable
from pathlib import Path

from cryptography.fernet import Fernet

# A service that does not answer in this long is down for this request: a 503, not a hung worker.
CONNECT_TIMEOUT = 5  # seconds, PostgreSQL (libpq's connect_timeout)
REDIS_TIMEOUT = 2  # seconds, each connect and each command to the rate-limit storage


def _kept(instance_path: Path, variable: str, filename: str, make: Callable[[], str]) -> str:
    """The environment's `variable`, or, for development, a value made once and kept in instance/."""
    if value := os.environ.get(variable, "").strip():
        return value
    path = instance_path / filename
    try:
        # O_EXCL: when several workers start at once, exactly one writes the value and all read it.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(descriptor, "w") as file:
            file.write(make())
    for _ in range(50):  # another worker may have created the file and not yet written it
        if value := path.read_text().strip():
            return value
        time.sleep(0.01)
    raise RuntimeError(f"{path} is empty; delete it or set {variable}")


def _database_url(instance_path: Path) -> str:
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return f"sqlite:///{instance_path / 'planner.sqlite3'}"
    # Accept the plain libpq form too; SQLAlchemy needs the driver named.
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    if url.startswith("postgresql") and "connect_timeout=" not in url:
        # In the URL rather than the engine's connect_args, so that it goes wherever the URL goes.
        url += ("&" if "?" in url else "?") + f"connect_timeout={CONNECT_TIMEOUT}"
    return url


def _storage_options(storage: str) -> dict[str, object]:
    """limits' options for the rate-limit storage. Its client's errors are wrapped in
    limits.errors.StorageError, which errors.py answers with a 503; a Redis that does not answer
    costs a request REDIS_TIMEOUT at most (options in the URI's query win over these)."""
    options: dict[str, object] = {"wrap_exceptions": True}
    if storage.split("://", 1)[0] in {"redis", "rediss", "redis+unix", "valkey", "valkeys", "valkey+unix"}:
        options.update(socket_connect_timeout=REDIS_TIMEOUT, socket_timeout=REDIS_TIMEOUT)
    return options


def _trusted_proxies() -> int:
    """TRUSTED_PROXIES: how many proxies in front of the app append to X-Forwarded-For (and set
    X-Forwarded-Proto); 0, the default, believes no forwarded header."""
    value = os.environ.get("TRUSTED_PROXIES", "").strip() or "0"
    if not (value.isascii() and value.isdigit()):
        raise ValueError(f"TRUSTED_PROXIES must be a count of proxies (0, 1, 2, ...), not {value!r}")
    return int(value)


LOOPBACK = ("localhost", "127.0.0.1", "::1")


def from_environment(instance_path: Path) -> dict[str, object]:
    instance_path.mkdir(parents=True, exist_ok=True)
    database = _database_url(instance_path)
    public = os.environ.get("PUBLIC_BASE_URL", "").rstrip("/") or None
    allowed = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
    ratelimit_enabled = os.environ.get("RATELIMIT_ENABLED", "true").strip().lower() not in {"0", "false", "no", "off"}
    # Unset: a file every worker on this machine shares (extensions.SQLiteStorage); memory:// would
    # count per process, letting each of gunicorn's workers take the whole limit.
    storage = os.environ.get("RATELIMIT_STORAGE_URI", "").strip() or f"sqlite:///{instance_path / 'ratelimits.sqlite3'}"
    return {
        "SECRET_KEY": _kept(instance_path, "SECRET_KEY", "secret_key", lambda: secrets.token_urlsafe(48)),
        "SQLALCHEMY_DATABASE_URI": database,
        # A server database may drop idle connections: test each one as it leaves the pool. A SQLite
        # file cannot, and the test would be a second statement on every calendar poll.
        # hide_parameters: a database error's message never carries a query's values (a token, notes).
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": not database.startswith("sqlite"), "hide_parameters": True},
        "TRUSTED_PROXIES": _trusted_proxies(),
        "PUBLIC_BASE_URL": public,
        # Links (in pages, feeds and the API) come from PUBLIC_BASE_URL; without it, from the request's
        # Host, which is then checked against ALLOWED_HOSTS (default: this machine's loopback names), so a
        # forged Host header cannot put its own links in a calendar (a 400 instead).
        "TRUSTED_HOSTS": None if public and not allowed else allowed or list(LOOPBACK),
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": bool(public and public.startswith("https://")),
        "RATELIMIT_STORAGE_URI": storage,
        "RATELIMIT_STORAGE_OPTIONS": _storage_options(storage),
        "RATELIMIT_ENABLED": ratelimit_enabled,
        # While the storage does not answer, the limited routes (the writes) answer 503 with
        # Retry-After (errors.py). Not swallow_errors: writes would go unlimited exactly when
        # something is wrong, and the limits are what keeps a flood of creates (each a plan computed
        # and rendered) off the CPU and the database. Not the in-memory fallback: it counts per
        # process, so N workers on M machines would allow N x M times the limit, silently.
        "RATELIMIT_SWALLOW_ERRORS": False,
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": False,
        "RATELIMIT_HEADERS_ENABLED": True,
        "MAX_CONTENT_LENGTH": 64 * 1024,
        "MAX_FORM_MEMORY_SIZE": 64 * 1024,
        "WTF_CSRF_TIME_LIMIT": None,
        # intervals.icu (sync/): where its API is, the key that encrypts the runners' API keys, and the
        # worker's pace: a claim lasts SYNC_LEASE_SECONDS, a failed pass waits SYNC_BACKOFF_SECONDS doubling
        # (up to an hour), a call is retried after INTERVALS_RETRY_SECONDS doubling and times out after
        # INTERVALS_TIMEOUT_SECONDS without an answer, an idle worker polls every WORKER_POLL_SECONDS.
        "INTERVALS_API_URL": (os.environ.get("INTERVALS_API_URL", "").strip() or "https://intervals.icu").rstrip("/"),
        "CONNECTION_KEY": _kept(instance_path, "CONNECTION_KEY", "connection_key",
                                lambda: Fernet.generate_key().decode()),
        "SYNC_LEASE_SECONDS": _seconds("SYNC_LEASE_SECONDS", 300),
        "SYNC_BACKOFF_SECONDS": _seconds("SYNC_BACKOFF_SECONDS", 30),
        "INTERVALS_RETRY_SECONDS": _seconds("INTERVALS_RETRY_SECONDS", 1),
        "INTERVALS_TIMEOUT_SECONDS": _seconds("INTERVALS_TIMEOUT_SECONDS", 20),
        "WORKER_POLL_SECONDS": _seconds("WORKER_POLL_SECONDS", 2),
        # Email reminders (reminders.py): the SMTP server the worker sends through (unset: no email at all,
        # and the page offers none) and the From of each mail.
        "SMTP_URL": os.environ.get("SMTP_URL", "").strip() or None,
        "MAIL_FROM": os.environ.get("MAIL_FROM", "").strip() or "Return-to-Run Planner <noreply@localhost>",
    }


def _seconds(name: str, default: float) -> float:
    value = os.environ.get(name, "").strip()
    try:
        seconds = float(value) if value else default
    except ValueError:
        raise ValueError(f"{name} must be a number of seconds, not {value!r}") from None
    if seconds < 0:
        raise ValueError(f"{name} must not be negative")
    return seconds
