"""Helpers for the operations tests: which services answer on this machine, free loopback ports."""

from __future__ import annotations

import os
import socket
from datetime import date, timedelta

import pytest

REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
# Redis databases of their own, flushed before use, so no other user of this Redis is touched.
REDIS_DB_IN_PROCESS = 11
REDIS_DB_SCALE_OUT = 12
PG_ADMIN_URL = os.environ.get("PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/test")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def dead_port() -> int:
    """A loopback port nothing listens on (bound and closed a moment ago)."""
    return free_port()


def redis_flush(db: int) -> bool:
    """FLUSHDB on one Redis database over plain RESP; False when Redis does not answer."""
    try:
        with socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=2) as s:
            s.sendall(f"*2\r\n$6\r\nSELECT\r\n${len(str(db))}\r\n{db}\r\n*1\r\n$7\r\nFLUSHDB\r\n".encode())
            answer = b""
            while answer.count(b"\r\n") < 2:
                chunk = s.recv(64)
                if not chunk:
                    return False
                answer += chunk
            return answer == b"+OK\r\n+OK\r\n"
    except OSError:
        return False


def in_ci() -> bool:
    return os.environ.get("CI") == "true"


def need(condition: bool, reason: str) -> None:
    """Skip, saying why, when a service is missing; in CI (CI=true) the service is required: fail."""
    if condition:
        return
    if in_ci():
        pytest.fail(f"{reason}, and CI requires it")
    pytest.skip(reason)


def monday_weeks_ago(weeks: int) -> str:
    today = date.today()
    return (today - timedelta(days=today.weekday() + 7 * weeks)).isoformat()
