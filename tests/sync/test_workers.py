"""The worker as its own process (`flask --app wsgi worker`): killed mid-sync, and two at once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from planner import services
from planner.extensions import db
from planner.store.models import IntervalsEvent, OutboxJob
from tests.fakes.intervals import FakeIntervals

from .conftest import ATHLETE, link, make_plan, this_monday

ROOT = Path(__file__).resolve().parents[2]


def worker_env(app: Flask, fake: FakeIntervals, **extra: str) -> dict[str, str]:
    database = app.config["SQLALCHEMY_DATABASE_URI"]
    return {**os.environ, "DATABASE_URL": database, "INTERVALS_API_URL": fake.url,
            "CONNECTION_KEY": app.config["CONNECTION_KEY"], "SECRET_KEY": "worker-test-secret",
            "RATELIMIT_ENABLED": "false", "SYNC_BACKOFF_SECONDS": "0", "INTERVALS_RETRY_SECONDS": "0.05",
            "INTERVALS_TIMEOUT_SECONDS": "20", "WORKER_POLL_SECONDS": "0.05", **extra}


def start_worker(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "worker", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


@pytest.fixture
def workers() -> Iterator[list[subprocess.Popen[str]]]:
    started: list[subprocess.Popen[str]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


def wait_for(condition, seconds: float = 30) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.05)


def future_uids(client: FlaskClient, token: str) -> set[str]:
    plan = client.get(f"/api/v1/plans/{token}").json["plan"]
    today = services.today()
    return {s["uid"] for w in plan["weeks"] for s in w["sessions"]
            if s["kind"] != "rest" and date.fromisoformat(s["date"]) >= today}


def test_a_worker_killed_mid_sync_and_started_again_leaves_one_event_per_session(
    client: FlaskClient, app: Flask, fake: FakeIntervals, workers: list[subprocess.Popen[str]]
) -> None:
    token = make_plan(client, this_monday(), weekly_volume=0)["token"]  # a long plan: several bulk requests
    wanted = future_uids(client, token)
    assert len(wanted) > 100
    link(client, token)
    fake.hang(3, times=2)  # the first two requests wait, then take effect: the worker dies before the answer
    env = worker_env(app, fake, SYNC_LEASE_SECONDS="1")
    first = start_worker(env)
    workers.append(first)

    def in_flight() -> bool:
        with app.app_context():
            return bool(db.session.scalar(select(func.count()).select_from(IntervalsEvent)
                                          .where(IntervalsEvent.digest.is_(None))))
    wait_for(in_flight)
    time.sleep(0.3)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    time.sleep(3.5)  # the hung request lands on the fake's side; the dead worker's lease (1 s) runs out
    assert 0 < len(fake.events(ATHLETE)) < len(wanted)  # half a sync: some events made, none recorded

    again = start_worker(env, "--once")
    workers.append(again)
    output, _ = again.communicate(timeout=120)
    assert again.returncode == 0, output

    made = Counter(e["external_id"] for e in fake.events(ATHLETE))
    assert set(made) == wanted and max(made.values()) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OutboxJob)) == 0
        rows = db.session.scalars(select(IntervalsEvent)).all()
        assert {r.uid for r in rows} == wanted and all(r.digest and r.event_id for r in rows)
    assert fake.invalid == []


def test_two_workers_share_the_outbox_and_never_send_a_plan_twice(
    client: FlaskClient, app: Flask, fake: FakeIntervals, workers: list[subprocess.Popen[str]]
) -> None:
    athletes = [f"i90{n}" for n in range(6)]
    plans = {}
    for athlete in athletes:
        fake.add_athlete(athlete, f"key-for-{athlete}")
        token = make_plan(client, this_monday() + timedelta(days=7), weekly_volume=0)["token"]
        link(client, token, athlete, f"key-for-{athlete}")
        plans[athlete] = future_uids(client, token)
    fake.reset_log()
    env = worker_env(app, fake, SYNC_LEASE_SECONDS="60")
    pair = [start_worker(env, "--once"), start_worker(env, "--once")]
    workers.extend(pair)
    outputs = [p.communicate(timeout=180)[0] for p in pair]
    assert [p.returncode for p in pair] == [0, 0], outputs

    for athlete, wanted in plans.items():
        made = Counter(e["external_id"] for e in fake.events(athlete))
        assert set(made) == wanted and max(made.values()) == 1
        sent = Counter(e["external_id"] for r in fake.requests
                       if r.path == f"/api/v1/athlete/{athlete}/events/bulk" for e in r.body)
        assert set(sent.values()) == {1}, "each session was sent once, by one worker"
    passes = [int(o.strip().splitlines()[-1].split()[0]) for o in outputs]
    assert sum(passes) == len(athletes) and all(passes), f"both workers took a share: {passes}"
    assert fake.invalid == []
