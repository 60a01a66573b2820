"""TRUSTED_PROXIES: how many proxies in front whose X-Forwarded-For and X-Forwarded-Proto are
believed. 0 (the default) believes none: a client cannot pick its own rate-limit budget."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask, jsonify, request
from flask.testing import FlaskClient

from planner import config, create_app

RED_FLAG = {"weekly_volume": 10, "current_pain": 1, "red_flags": ["night_pain"]}  # answered 200, stores nothing
BALANCER = "10.0.0.2"  # the proxy's own address: the socket's peer behind a load balancer


def app_with(database: str, proxies: int | None) -> Flask:
    settings: dict[str, object] = {"SQLALCHEMY_DATABASE_URI": database, "TESTING": True, "WTF_CSRF_ENABLED": False,
                                   "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://"}
    if proxies is not None:
        settings["TRUSTED_PROXIES"] = proxies
    app = create_app(settings)

    @app.get("/_probe")
    def _probe() -> object:
        return jsonify(remote_addr=request.remote_addr, scheme=request.scheme)

    return app


def client_of(app: Flask) -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = BALANCER
    return client


def create(client: FlaskClient, forwarded_for: str) -> int:
    return client.post("/api/v1/plans", json=RED_FLAG, headers={"X-Forwarded-For": forwarded_for}).status_code


def test_by_default_no_forwarded_header_is_believed(_database: str) -> None:
    client = client_of(app_with(_database, None))
    probe = client.get("/_probe", headers={"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}).json
    assert probe == {"remote_addr": BALANCER, "scheme": "http"}
    # Every client behind the balancer, or one client naming a new address each time: one budget.
    statuses = [create(client, f"203.0.113.{n}") for n in range(31)]
    assert statuses == [200] * 30 + [429]


def test_behind_one_proxy_each_client_has_its_own_budget(_database: str) -> None:
    client = client_of(app_with(_database, 1))
    probe = client.get("/_probe", headers={"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}).json
    assert probe == {"remote_addr": "203.0.113.9", "scheme": "https"}
    assert [create(client, "203.0.113.9") for _ in range(31)] == [200] * 30 + [429]
    assert create(client, "203.0.113.10") == 200  # another runner behind the same balancer
    # A client's own X-Forwarded-For comes first; the proxy appends the address it saw. Only the
    # last one is believed, so a made-up address buys no new budget.
    assert create(client, "198.51.100.1, 203.0.113.9") == 429


def test_two_proxies_believe_the_second_address_from_the_end(_database: str) -> None:
    client = client_of(app_with(_database, 2))
    probe = client.get("/_probe", headers={"X-Forwarded-For": "198.51.100.1, 203.0.113.9, 10.0.0.1"}).json
    assert probe["remote_addr"] == "203.0.113.9"


@pytest.mark.parametrize(("value", "expected"), [("", 0), ("0", 0), ("1", 1), (" 2 ", 2)])
def test_trusted_proxies_is_read_from_the_environment(value: str, expected: int, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRET_KEY", "x")
    monkeypatch.setenv("TRUSTED_PROXIES", value)
    assert config.from_environment(tmp_path)["TRUSTED_PROXIES"] == expected


@pytest.mark.parametrize("value", ["-1", "yes", "1.5"])
def test_a_bad_trusted_proxies_stops_the_start(value: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRET_KEY", "x")
    monkeypatch.setenv("TRUSTED_PROXIES", value)
    with pytest.raises(ValueError, match="TRUSTED_PROXIES"):
        config.from_environment(tmp_path)
