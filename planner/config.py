"""Configuration, read from the environment once (CONTRACT.md, "Running it")."""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path


def _secret_key(instance_path: Path) -> str:
    """SECRET_KEY, or one generated once and kept under instance/ for development."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    path = instance_path / "secret_key"
    try:
        # O_EXCL: when several workers start at once, exactly one writes the key and all read it.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_urlsafe(48))
    for _ in range(50):  # another worker may have created the file and not yet written it
        if key := path.read_text().strip():
            return key
        time.sleep(0.01)
    raise RuntimeError(f"{path} is empty; delete it or set SECRET_KEY")


def _database_url(instance_path: Path) -> str:
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return f"sqlite:///{instance_path / 'planner.sqlite3'}"
    # Accept the plain libpq form too; SQLAlchemy needs the driver named.
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def from_environment(instance_path: Path) -> dict[str, object]:
    instance_path.mkdir(parents=True, exist_ok=True)
    database = _database_url(instance_path)
    ratelimit_enabled = os.environ.get("RATELIMIT_ENABLED", "true").strip().lower() not in {"0", "false", "no", "off"}
    return {
        "SECRET_KEY": _secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": database,
        # A server database may drop idle connections: test each one as it leaves the pool. A SQLite
        # file cannot, and the test would be a second statement on every calendar poll.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": not database.startswith("sqlite")},
        "PUBLIC_BASE_URL": os.environ.get("PUBLIC_BASE_URL", "").rstrip("/") or None,
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_ENABLED": ratelimit_enabled,
        "RATELIMIT_HEADERS_ENABLED": True,
        "MAX_CONTENT_LENGTH": 64 * 1024,
        "MAX_FORM_MEMORY_SIZE": 64 * 1024,
        "WTF_CSRF_TIME_LIMIT": None,
    }
