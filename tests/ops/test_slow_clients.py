"""Slow clients: behind nginx (deploy/nginx.conf) they cost the app nothing; facing gunicorn
directly (`make run`) they cost a thread each, and gunicorn.conf.py has threads to spare.

Real servers on free loopback ports, for a bounded time, always stopped."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import free_port, monday_weeks_ago, need
from .servers import HOST, Gunicorn, deploy_serve, migrate, request
from .slow_clients import measure

RED_FLAG = {"weekly_volume": 10, "current_pain": 1, "red_flags": ["night_pain"]}  # answered 200, stores nothing


def start_gunicorn(tmp_path: Path, workers: int, threads: int | None = None, **env: str) -> Gunicorn:
    settings = {"DATABASE_URL": f"sqlite:///{tmp_path / 'planner.sqlite3'}",
                "RATELIMIT_STORAGE_URI": f"sqlite:///{tmp_path / 'ratelimits.sqlite3'}", **env}
    migrate({**os.environ, **settings})
    server = Gunicorn(tmp_path / "gunicorn.log", settings, workers=workers, threads=threads)
    try:
        server.wait_ready()
    except BaseException:
        server.stop()
        raise
    return server


@pytest.fixture
def behind_nginx(tmp_path: Path) -> Iterator[tuple[Gunicorn, Any]]:
    """gunicorn (2 workers x 2 threads: four slow clients would starve it) behind nginx."""
    serve = deploy_serve()
    need(serve.nginx_binary() is not None, "nginx is not installed (`make nginx` as root installs Debian's)")
    server = start_gunicorn(tmp_path, workers=2, threads=2, TRUSTED_PROXIES="1")
    log = (tmp_path / "nginx.log").open("w")
    try:
        nginx = serve.Nginx(f"{HOST}:{free_port()}", f"{HOST}:{server.port}", log=log)
        try:
            nginx.wait_ready()
            yield server, nginx
        finally:
            nginx.stop()
    finally:
        server.stop()
        log.close()


def port_of(nginx: Any) -> int:
    return int(nginx.listen.rsplit(":", 1)[1])


def test_healthz_through_nginx_answers_within_a_second_beside_50_slow_clients(
        behind_nginx: tuple[Gunicorn, Any]) -> None:
    server, nginx = behind_nginx
    port = port_of(nginx)
    assert request(port, "GET", "/healthz")[0] == 200
    polls = measure(port, clients=50, seconds=30, interval=2.0)
    print("through nginx, 50 slow clients:", polls.summary())
    assert polls.total >= 40, polls.summary()
    assert not polls.failures and polls.within(1.0) == polls.total, polls.summary()
    assert min(polls.held) >= 45, polls.summary()  # the slow clients were there throughout
    assert server.process.poll() is None and nginx.process.poll() is None


def post_from(source: str, port: int, body: dict, headers: dict[str, str] | None = None) -> int:
    """POST /api/v1/plans from a chosen loopback address (127.0.0.0/8 is all loopback on Linux)."""
    import http.client
    import json

    connection = http.client.HTTPConnection(HOST, port, timeout=30, source_address=(source, 0))
    try:
        connection.request("POST", "/api/v1/plans", body=json.dumps(body),
                           headers={"Content-Type": "application/json", **(headers or {})})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def test_nginx_passes_the_client_address_and_a_made_up_one_is_not_believed(
        behind_nginx: tuple[Gunicorn, Any]) -> None:
    _, nginx = behind_nginx
    port = port_of(nginx)
    try:
        post_from("127.0.0.2", port, RED_FLAG)
    except OSError:
        pytest.skip("this machine cannot send from 127.0.0.2")
    spent = [post_from("127.0.0.2", port, RED_FLAG, {"X-Forwarded-For": f"198.51.100.{n}"}) for n in range(30)]
    assert spent == [200] * 29 + [429], spent  # one was spent above; a made-up address buys nothing
    assert post_from("127.0.0.3", port, RED_FLAG) == 200  # another client has its own budget


def test_nginx_takes_an_activity_upload_and_refuses_a_larger_body(behind_nginx: tuple[Gunicorn, Any]) -> None:
    _, nginx = behind_nginx
    port = port_of(nginx)
    status, created, _ = request(port, "POST", "/api/v1/plans",
                                 {"weekly_volume": 20, "current_pain": 1, "start_date": monday_weeks_ago(3)})
    assert status == 201, created
    path = f"/api/v1/plans/{created['token']}/activities"

    def upload(size: int) -> tuple[int, str]:
        boundary = "plannerboundary"
        head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"run.gpx\"\r\n"
                f"Content-Type: application/gpx+xml\r\n\r\n").encode()
        body = head + b"x" * size + f"\r\n--{boundary}--\r\n".encode()
        with socket.create_connection((HOST, port), timeout=60) as s:
            s.sendall(f"POST {path} HTTP/1.1\r\nHost: {HOST}\r\nContent-Length: {len(body)}\r\n"
                      f"Content-Type: multipart/form-data; boundary={boundary}\r\nConnection: close\r\n\r\n".encode())
            try:
                s.sendall(body)
            except OSError:
                pass  # nginx may answer 413 and close before the whole body is sent
            answer = b""
            while chunk := s.recv(65536):
                answer += chunk
        head_line, _, rest = answer.partition(b"\r\n")
        return int(head_line.split()[1]), rest.decode(errors="replace")

    status, answer = upload(10 * 1024 * 1024 + 1)  # through nginx: the app itself names the field
    assert status == 422 and '"file"' in answer, answer[-500:]
    status, _ = upload(12 * 1024 * 1024)  # over client_max_body_size: nginx refuses it
    assert status == 413


# -- gunicorn facing clients itself (`make run`) ------------------------------------------------------

def test_gunicorn_alone_keeps_answering_beside_50_slow_clients(tmp_path: Path) -> None:
    """gunicorn.conf.py's defaults (threads) with 5 workers, as on a 2-core machine; 4 threads a worker
    answered 1 of 7 polls here."""
    server = start_gunicorn(tmp_path, workers=5)
    try:
        polls = measure(server.port, clients=50, seconds=10, interval=2.0)
        print("gunicorn alone, 50 slow clients:", polls.summary())
        assert not polls.failures and polls.within(1.0) == polls.total, polls.summary()
    finally:
        server.stop()


def test_gunicorn_refuses_a_request_head_past_its_limits(tmp_path: Path) -> None:
    server = start_gunicorn(tmp_path, workers=1)
    try:
        assert request(server.port, "GET", "/healthz", headers={f"X-N-{n}": "1" for n in range(40)})[0] == 200
        assert request(server.port, "GET", "/healthz", headers={f"X-N-{n}": "1" for n in range(60)})[0] in (400, 431)
        assert request(server.port, "GET", "/healthz?" + "a" * 3000)[0] in (400, 414)
    finally:
        server.stop()
