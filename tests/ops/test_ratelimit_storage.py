"""Where the rate-limit counters live: RATELIMIT_STORAGE_URI, and what the default promises."""

from __future__ import annotations

from flask import Flask

from planner import create_app

from .conftest import REDIS_DB_IN_PROCESS, REDIS_PORT, dead_port, need, redis_flush

RED_FLAG = {"weekly_volume": 10, "current_pain": 1, "red_flags": ["night_pain"]}  # stores nothing


def limited_app(database: str, storage: str) -> Flask:
    return create_app({"SQLALCHEMY_DATABASE_URI": database, "TESTING": True, "WTF_CSRF_ENABLED": False,
                       "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": storage})


def test_a_redis_storage_uri_starts_the_app(_database: str) -> None:
    # Building the app needs the Redis client library, not a Redis server.
    app = limited_app(_database, f"redis://127.0.0.1:{dead_port()}/0")
    assert app.extensions["limiter"]


def test_limits_count_in_redis(_database: str) -> None:
    need(redis_flush(REDIS_DB_IN_PROCESS), f"Redis does not answer on 127.0.0.1:{REDIS_PORT}")
    client = limited_app(_database, f"redis://127.0.0.1:{REDIS_PORT}/{REDIS_DB_IN_PROCESS}").test_client()
    statuses = [client.post("/api/v1/plans", json=RED_FLAG).status_code for _ in range(31)]
    assert statuses[:30] == [200] * 30 and statuses[30] == 429, statuses
    redis_flush(REDIS_DB_IN_PROCESS)

