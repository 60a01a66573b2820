"""A service the app needs does not answer: 503 with Retry-After (a problem under /api/, a page
elsewhere), never a 500; /healthz says which part is down."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from psycopg import sql

from planner import create_app
from planner.extensions import db

from .conftest import PG_ADMIN_URL, dead_port, monday_weeks_ago, need

PLAN = {"weekly_volume": 20, "current_pain": 1, "start_date": monday_weeks_ago(3)}
FORM = {"weekly_volume": "20", "current_pain": "1", "start_date": monday_weeks_ago(3)}


def make_app(database: str, **config: object) -> Flask:
    return create_app({"SQLALCHEMY_DATABASE_URI": database, "TESTING": True, "WTF_CSRF_ENABLED": False,
                       "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://", **config})


def assert_unavailable_problem(response: object) -> None:
    from werkzeug.test import TestResponse

    assert isinstance(response, TestResponse)
    assert response.status_code == 503, response.get_data(as_text=True)[:500]
    assert 30 <= int(response.headers["Retry-After"]) <= 60  # 30, or the rate limit's window when later
    assert response.mimetype == "application/problem+json"
    assert response.json is not None and response.json["status"] == 503


def assert_unavailable_page(response: object) -> None:
    from werkzeug.test import TestResponse

    assert isinstance(response, TestResponse)
    assert response.status_code == 503, response.get_data(as_text=True)[:500]
    assert 30 <= int(response.headers["Retry-After"]) <= 60  # 30, or the rate limit's window when later
    assert response.mimetype == "text/html"
    assert "try again" in response.get_data(as_text=True)


def health(client: FlaskClient) -> tuple[int, dict]:
    response = client.get("/healthz")
    assert response.json is not None
    return response.status_code, response.json


# -- the rate-limit storage --------------------------------------------------------------------------

def test_writes_answer_503_while_redis_does_not_answer(_database: str) -> None:
    app = make_app(_database, RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{dead_port()}/0")
    client = app.test_client()
    with app.app_context():
        before = db.session.execute(db.text("SELECT COUNT(*) FROM plans")).scalar_one()
    assert_unavailable_problem(client.post("/api/v1/plans", json=PLAN))
    assert_unavailable_page(client.post("/plans", data=FORM))
    assert health(client) == (503, {"status": "unavailable", "database": "ok", "rate_limits": "down"})
    # Nothing was stored: the limit is checked before the write.
    with app.app_context():
        assert db.session.execute(db.text("SELECT COUNT(*) FROM plans")).scalar_one() == before
        db.engine.dispose()


def test_reads_go_on_while_redis_does_not_answer(_database: str, stored_plan: dict) -> None:
    client = make_app(_database, RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{dead_port()}/0").test_client()
    token = stored_plan["token"]
    assert client.get(f"/api/v1/plans/{token}").status_code == 200
    assert client.get(f"/plans/{token}").status_code == 200
    assert client.get(f"/plans/{token}.ics").status_code == 200


def test_healthz_answers_ok_naming_each_part(_database: str) -> None:
    assert health(make_app(_database).test_client()) == (200, {"status": "ok", "database": "ok", "rate_limits": "ok"})
    off = make_app(_database, RATELIMIT_ENABLED=False).test_client()
    assert health(off) == (200, {"status": "ok", "database": "ok", "rate_limits": "off"})


# -- the database ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("where", ["postgresql", "sqlite"])
def test_pages_and_api_answer_503_while_the_database_does_not_answer(where: str, tmp_path: Path) -> None:
    database = (f"postgresql+psycopg://postgres@127.0.0.1:{dead_port()}/test" if where == "postgresql"
                else f"sqlite:///{tmp_path / 'gone' / 'planner.sqlite3'}")  # a folder that does not exist
    client = make_app(database).test_client()
    assert_unavailable_problem(client.get("/api/v1/plans/abcdefghijklmnopqrstuv"))
    assert_unavailable_problem(client.post("/api/v1/plans", json=PLAN))
    assert_unavailable_page(client.get("/plans/abcdefghijklmnopqrstuv"))
    assert_unavailable_page(client.post("/plans", data=FORM))
    assert_unavailable_page(client.get("/plans/abcdefghijklmnopqrstuv.ics"))
    assert health(client) == (503, {"status": "unavailable", "database": "down", "rate_limits": "ok"})


def _admin() -> psycopg.Connection:
    try:
        return psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError:
        need(False, f"PostgreSQL does not answer at {PG_ADMIN_URL}")
        raise


@pytest.fixture
def own_database() -> Iterator[tuple[psycopg.Connection, str]]:
    """A PostgreSQL database of this test's own, dropped afterwards (the shared `test` is left alone)."""
    admin = _admin()
    name = "planner_dropped"
    admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield admin, name
    finally:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        admin.close()


def test_a_dropped_database_answers_503_and_healthz_says_so(own_database: tuple[psycopg.Connection, str]) -> None:
    admin, name = own_database
    host = PG_ADMIN_URL.split("://", 1)[1].rsplit("/", 1)[0]
    app = make_app(f"postgresql+psycopg://{host}/{name}")
    with app.app_context():
        upgrade()
    client = app.test_client()
    created = client.post("/api/v1/plans", json=PLAN)
    assert created.status_code == 201
    token = created.json["token"]
    assert client.get(f"/api/v1/plans/{token}").status_code == 200
    assert health(client)[0] == 200

    admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
    assert_unavailable_problem(client.get(f"/api/v1/plans/{token}"))
    assert_unavailable_problem(client.post(f"/api/v1/plans/{token}/checkins",
                                           json={"date": PLAN["start_date"], "pain_during": 2}))
    assert_unavailable_page(client.get(f"/plans/{token}"))
    assert health(client) == (503, {"status": "unavailable", "database": "down", "rate_limits": "ok"})
    with app.app_context():
        db.engine.dispose()


def test_a_storage_failing_after_the_view_is_a_503_too(_database: str) -> None:
    # Flask-Limiter reads the storage again in an after_request hook (the X-RateLimit headers): an
    # error there reaches the error handlers as a 500 wrapping it, and is answered as a 503 as well.
    from limits.errors import StorageError

    app = make_app(_database, TESTING=False)

    @app.after_request
    def _storage_gone(_response: object) -> object:
        raise StorageError(ConnectionError("Redis went away"))

    assert_unavailable_problem(app.test_client().get("/api/v1/plans/abcdefghijklmnopqrstuv"))
    assert_unavailable_page(app.test_client().get("/"))
