"""The settings this work added: timeouts that make a dead service a quick 503, and options that
stay valid whatever URI a test or an operator puts in their place."""

from __future__ import annotations

from pathlib import Path

import pytest

from planner import config, create_app


@pytest.fixture(autouse=True)
def _secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRET_KEY", "x")


@pytest.mark.parametrize(("url", "expected"), [
    ("postgresql://u@h:5432/db", "postgresql+psycopg://u@h:5432/db?connect_timeout=5"),
    ("postgres://u@h/db?sslmode=require", "postgresql+psycopg://u@h/db?sslmode=require&connect_timeout=5"),
    ("postgresql+psycopg://u@h/db?connect_timeout=2", "postgresql+psycopg://u@h/db?connect_timeout=2"),
])
def test_postgresql_gives_up_connecting_after_a_few_seconds(url: str, expected: str, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", url)
    assert config.from_environment(tmp_path)["SQLALCHEMY_DATABASE_URI"] == expected


def test_redis_commands_time_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/3")
    settings = config.from_environment(tmp_path)
    assert settings["RATELIMIT_STORAGE_OPTIONS"] == {"wrap_exceptions": True, "socket_connect_timeout": 2,
                                                     "socket_timeout": 2}
    assert settings["RATELIMIT_SWALLOW_ERRORS"] is False
    assert settings["RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"] is False


def test_the_environments_options_fit_another_database_put_in_its_place(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    # DATABASE_URL names PostgreSQL (as in CI's second run); a test app on SQLite must still start.
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/3")
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'other.sqlite3'}", "TESTING": True,
                      "RATELIMIT_STORAGE_URI": "memory://"})
    assert app.test_client().get("/healthz").json == {"status": "ok", "database": "ok", "rate_limits": "ok"}
