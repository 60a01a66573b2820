"""Fixtures: `app`, `client`, `runner` (as in Flask's tutorial), on a real database.

SQLite in a temporary folder by default; PostgreSQL when DATABASE_URL points at one (CI runs both).
The schema is built by the real migrations, once per test session; tables are emptied between tests.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from flask_migrate import upgrade
from sqlalchemy import text

from planner import create_app, services
from planner.extensions import db

TABLES = ("outbox", "intervals_events", "intervals_connections", "reminders", "rendered_exports", "plan_revisions",
          "activities", "session_versions", "checkins", "plans")


def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    folder: Path = tmp_path_factory.mktemp("db")
    return f"sqlite:///{folder / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def _database(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = database_url(tmp_path_factory)
    app = create_app({"SQLALCHEMY_DATABASE_URI": _sqlalchemy_url(url), "TESTING": True})
    with app.app_context():
        with db.engine.begin() as connection:
            for table in (*TABLES, "alembic_version"):
                connection.execute(text(f"DROP TABLE IF EXISTS {table} CASCADE"
                                        if db.engine.dialect.name == "postgresql" else f"DROP TABLE IF EXISTS {table}"))
        upgrade()
        db.engine.dispose()
    return _sqlalchemy_url(url)


def _sqlalchemy_url(url: str) -> str:
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def make_app(database: str, **config: object) -> Flask:
    """The app as the tests use it: the test database, no rate limits, no CSRF, a fixed host name."""
    return create_app({
        "SQLALCHEMY_DATABASE_URI": database,
        "TESTING": True,
        "RATELIMIT_ENABLED": False,
        "WTF_CSRF_ENABLED": False,
        "SERVER_NAME": "planner.test", "TRUSTED_HOSTS": ["planner.test", "localhost"],
        **config,
    })


def empty_tables(app: Flask) -> None:
    with app.app_context():
        with db.engine.begin() as connection:
            for table in TABLES:
                connection.execute(text(f"DELETE FROM {table}"))
        db.engine.dispose()


@pytest.fixture
def app(_database: str) -> Iterator[Flask]:
    app = make_app(_database)
    yield app
    empty_tables(app)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def past_start() -> date:
    """A Monday far enough back that check-ins on its sessions are in the past."""
    today = date.today()
    return today - timedelta(days=today.weekday() + 7 * 20)


@pytest.fixture
def stored_plan(client: FlaskClient, past_start: date) -> dict:
    """A plan created through the API, for a runner at 30 km a week with little pain."""
    response = client.post("/api/v1/plans", json={
        "weekly_volume": 30, "current_pain": 2, "start_date": past_start.isoformat(), "name": "Test runner",
    })
    assert response.status_code == 201, response.json
    return response.json


class Clock:
    """The app's clock (services.now) stood at a chosen moment; `at` moves it."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.moment = datetime.now(UTC)
        monkeypatch.setattr(services, "now", lambda: self.moment)

    def at(self, moment: datetime) -> None:
        assert moment.tzinfo is not None, "an aware moment: the runner's day depends on the zone"
        self.moment = moment.astimezone(UTC)

    def morning_after(self, day: date | str) -> None:
        """08:00 UTC the day after `day`: when a runner in UTC checks in with both scores (rule 31)."""
        day = date.fromisoformat(day) if isinstance(day, str) else day
        self.at(datetime.combine(day + timedelta(days=1), time(8, 0), tzinfo=UTC))


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)
