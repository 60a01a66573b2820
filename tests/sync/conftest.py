"""The sync tests run the app against a local intervals.icu (tests/fakes) that checks every request
against the service's published OpenAPI document."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from cryptography.fernet import Fernet
from flask import Flask
from flask.testing import FlaskClient

from planner.sync.worker import Pass, Worker
from tests.conftest import empty_tables, make_app
from tests.fakes.intervals import FakeIntervals

ATHLETE, KEY = "i424242", "runner-api-key-0042"

# Fast retries and backoff; a call times out after 2 s without an answer.
SYNC = {"SYNC_BACKOFF_SECONDS": 0, "INTERVALS_RETRY_SECONDS": 0.01, "INTERVALS_TIMEOUT_SECONDS": 2,
        "SYNC_LEASE_SECONDS": 30, "WORKER_POLL_SECONDS": 0.05}


@pytest.fixture
def fake() -> Iterator[FakeIntervals]:
    with FakeIntervals() as intervals:
        intervals.add_athlete(ATHLETE, KEY)
        yield intervals


@pytest.fixture(scope="session")
def connection_key() -> str:
    return Fernet.generate_key().decode()


@pytest.fixture
def app(_database: str, fake: FakeIntervals, connection_key: str) -> Iterator[Flask]:
    app = make_app(_database, INTERVALS_API_URL=fake.url, CONNECTION_KEY=connection_key, **SYNC)
    yield app
    empty_tables(app)


def sync(app: Flask) -> list[Pass]:
    """One worker pass over everything due, in this process (so the tests' clock holds)."""
    return Worker(app).run(once=True)


def this_monday() -> date:
    today = date.today()
    return today - timedelta(days=today.weekday())


def make_plan(client: FlaskClient, start: date, **fields: object) -> dict:
    response = client.post("/api/v1/plans", json={"weekly_volume": 20, "current_pain": 2,
                                                  "start_date": start.isoformat(), **fields})
    assert response.status_code == 201, response.json
    return response.json


def link(client: FlaskClient, token: str, athlete: str = ATHLETE, key: str = KEY) -> None:
    response = client.put(f"/api/v1/plans/{token}/connections/intervals", json={"athlete_id": athlete, "api_key": key})
    assert response.status_code == 204, response.json
