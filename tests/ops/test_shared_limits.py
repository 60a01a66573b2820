"""The embedded default counts a rate limit once for every worker on the machine: a SQLite file under
instance/, not each process's memory (with 5 workers, memory:// let 143 creates a minute through a
30/minute limit)."""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from planner import config

from .servers import Gunicorn, migrate, request

RED_FLAG = {"weekly_volume": 10, "current_pain": 1, "red_flags": ["night_pain"]}  # answered 200, stores nothing


def test_the_default_storage_is_a_file_every_worker_shares(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)
    monkeypatch.setenv("SECRET_KEY", "x")
    settings = config.from_environment(tmp_path)
    assert settings["RATELIMIT_STORAGE_URI"] == f"sqlite:///{tmp_path / 'ratelimits.sqlite3'}"
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "memory://")  # still there, per process, when asked for
    assert config.from_environment(tmp_path)["RATELIMIT_STORAGE_URI"] == "memory://"


def test_the_file_storage_counts_windows_across_instances(tmp_path: Path) -> None:
    uri = f"sqlite:///{tmp_path / 'limits.sqlite3'}"
    one, two = storage_from_string(uri), storage_from_string(uri)  # as two worker processes would
    assert one.check() and two.check()
    limit = parse("3/second")
    strategy_one, strategy_two = FixedWindowRateLimiter(one), FixedWindowRateLimiter(two)
    hits = [strategy_one.hit(limit, "1.2.3.4"), strategy_two.hit(limit, "1.2.3.4"), strategy_one.hit(limit, "1.2.3.4")]
    assert hits == [True, True, True]
    assert not strategy_two.hit(limit, "1.2.3.4")  # the fourth, whichever process takes it
    assert strategy_two.hit(limit, "5.6.7.8")  # another client has its own budget
    reset, remaining = strategy_one.get_window_stats(limit, "1.2.3.4")
    assert remaining == 0 and time.time() < reset <= time.time() + 1
    time.sleep(1.1)  # the window ends: a new budget
    assert strategy_two.hit(limit, "1.2.3.4")
    assert strategy_one.get_window_stats(limit, "1.2.3.4").remaining == 2
    one.clear(limit.key_for("1.2.3.4"))
    assert two.get(limit.key_for("1.2.3.4")) == 0
    assert one.reset() == 1 and two.get(limit.key_for("5.6.7.8")) == 0


def test_the_file_storage_refuses_a_uri_without_a_path() -> None:
    from limits.errors import ConfigurationError

    with pytest.raises(ConfigurationError):
        storage_from_string("sqlite://")


def test_five_workers_allow_the_limit_once(tmp_path: Path) -> None:
    """gunicorn with 5 workers; 45 requests on new connections, 9 at a time, spread over the workers."""
    settings = {"DATABASE_URL": f"sqlite:///{tmp_path / 'planner.sqlite3'}",
                "RATELIMIT_STORAGE_URI": f"sqlite:///{tmp_path / 'ratelimits.sqlite3'}"}
    migrate({**os.environ, **settings})
    server = Gunicorn(tmp_path / "gunicorn.log", settings, workers=5, threads=2)
    try:
        server.wait_ready()
        with ThreadPoolExecutor(9) as pool:
            statuses = list(pool.map(lambda _: request(server.port, "POST", "/api/v1/plans", RED_FLAG)[0], range(45)))
        assert sorted(statuses) == [200] * 30 + [429] * 15, statuses
    finally:
        server.stop()
