"""Concurrent check-ins through a real gunicorn (2 workers) on the test database, with a worker killed mid-write.

Every check-in answered 201 must be in the plan afterwards: an acknowledgement is a promise.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
THREADS = 6


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, process: subprocess.Popen[bytes], port: int) -> None:
        self.process, self.port = process, port

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            headers = {"Content-Type": "application/json"} if body is not None else {}
            connection.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
            response = connection.getresponse()
            data = response.read()
            return response.status, json.loads(data) if data else {}
        finally:
            connection.close()

    def workers(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        return [int(pid) for pid in children]


@pytest.fixture
def server(_database: str, tmp_path: Path) -> Iterator[Server]:
    port = free_port()
    env = {**os.environ, "DATABASE_URL": _database, "RATELIMIT_ENABLED": "false", "SECRET_KEY": "test",
           "BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "2", "GUNICORN_THREADS": "4"}
    log = (tmp_path / "gunicorn.log").open("wb")
    process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
                               cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    server = Server(process, port)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if server.request("GET", "/healthz")[0] == 200 and len(server.workers()) == 2:
                    break
            except OSError:
                pass
            assert process.poll() is None, (tmp_path / "gunicorn.log").read_text()
            assert time.monotonic() < deadline, "gunicorn did not start in 30 s"
            time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def session_days(stored: dict) -> list[str]:
    today = date.today().isoformat()
    return [s["date"] for w in stored["plan"]["weeks"] for s in w["sessions"]
            if s["kind"] != "rest" and s["date"] < today]


def check_in_all(server: Server, token: str, days: list[str]) -> tuple[set[str], set[str]]:
    """Check in on every day from THREADS threads: (days answered 201, days whose answer was lost)."""
    acknowledged: set[str] = set()
    unknown: set[str] = set()
    lock = threading.Lock()

    def one(day: str) -> None:
        body = {"date": day, "pain_during": 0, "pain_next_morning": 0, "completed": True, "notes": f"on {day}"}
        try:
            status, answer = server.request("POST", f"/api/v1/plans/{token}/checkins", body)
        except (OSError, http.client.HTTPException):
            with lock:
                unknown.add(day)  # the worker died: it may or may not have committed
            return
        assert status < 500, (status, answer)
        if status == 201:
            assert answer["checkin"]["date"] == day
            with lock:
                acknowledged.add(day)

    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(one, days))
    return acknowledged, unknown


def stored_checkins(server: Server, token: str) -> list[str]:
    status, body = server.request("GET", f"/api/v1/plans/{token}")
    assert status == 200
    return [c["date"] for c in body["checkins"]]


def test_concurrent_checkins_are_all_kept(server: Server, stored_plan: dict) -> None:
    token = stored_plan["token"]
    days = session_days(stored_plan)[:24]
    assert len(days) >= 12
    acknowledged, unknown = check_in_all(server, token, days)
    assert not unknown
    assert len(acknowledged) >= len(days) // 2, f"only {len(acknowledged)} of {len(days)} check-ins taken"
    stored = stored_checkins(server, token)
    assert len(stored) == len(set(stored)), "a day was checked in twice"
    assert set(stored) == acknowledged  # nothing acknowledged is missing, nothing unacknowledged is there
    # A day is taken once, however many threads race for it.
    again = check_in_all(server, token, sorted(acknowledged)[:3])[0]
    assert not again, "a day already checked in was taken twice"


def test_a_killed_worker_loses_no_acknowledged_checkin(server: Server, stored_plan: dict) -> None:
    token = stored_plan["token"]
    days = session_days(stored_plan)[:40]
    assert len(days) >= 20
    killed: list[int] = []

    def killer() -> None:
        time.sleep(0.4)  # in the middle of the writes
        victim = server.workers()[0]
        os.kill(victim, signal.SIGKILL)
        killed.append(victim)

    thread = threading.Thread(target=killer)
    thread.start()
    acknowledged, unknown = check_in_all(server, token, days)
    thread.join()
    assert killed

    # The master replaces the dead worker; the service answers again.
    deadline = time.monotonic() + 30
    while len(server.workers()) < 2 or killed[0] in server.workers():
        assert time.monotonic() < deadline, "the killed worker was not replaced"
        time.sleep(0.2)

    stored = set(stored_checkins(server, token))
    assert acknowledged, "no check-in was acknowledged"
    assert acknowledged <= stored, f"acknowledged but lost: {sorted(acknowledged - stored)}"
    assert stored <= acknowledged | unknown, f"stored but refused: {sorted(stored - acknowledged - unknown)}"
