"""Reads (and one write) of the real app beside their physical limits, as ratios from one run.

    .venv/bin/python bench/reads.py [--rounds 7] [--seconds-per-kind 2] [--threads 4]
                                    [--workers 2] [--server-threads 4] [--creates 40] [--json PATH]

Starts two servers under the project's own gunicorn.conf.py with the same settings (gthread,
WEB_CONCURRENCY=--workers, GUNICORN_THREADS=--server-threads; access lines written to /dev/null, no
worker recycling): the real app (`wsgi:app`, temporary migrated SQLite, rate limits off) and
bench/minimal_app.py, a bare Flask app that serves the real app's feed bytes and ETag from memory: the
physical limit for the feed. Then, over HTTP only:

* rates (req/s, --threads keep-alive client threads, kinds interleaved round by round, each kind's median
  round): the feed 200 and 304 of the real app beside the minimal app's, and the plan page, GET of the
  API plan and the API preview beside the real app's /healthz;
* latency: one client creating plans one after the other (POST /api/v1/plans), p50 beside /healthz's p50
  from the same single client, interleaved.

Prints a markdown table (figure, ratio, goal, met) and writes the figures with --json. It is a measurement:
the exit code is 0 whatever the ratios, 1 only when a server fails (does not start, answers an unexpected
status). See bench/README.md.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from feed_bench import server_cpu_seconds  # noqa: E402
from load import Client, free_port, past_monday  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
JSON_HEADERS = {"Content-Type": "application/json"}


class ServerFailed(Exception):
    """A server did not start, died or answered something it should not have."""


def plan_body(start: date | None = None) -> dict[str, Any]:
    """The plan every write in the bench asks for: from nothing to 25 km a week, about 36 weeks."""
    body: dict[str, Any] = {"weekly_volume": 0, "current_pain": 2, "target_weekly_volume": 25, "unit": "km",
                            "runs_per_week": 3, "timezone": "Europe/London", "session_time": "07:30"}
    if start is not None:
        body["start_date"] = start.isoformat()
    return body


def next_monday() -> date:
    today = date.today()
    return today + timedelta(days=7 - today.weekday())


class Gunicorn:
    """`python -m gunicorn -c gunicorn.conf.py MODULE` on a free loopback port, its output in a log file."""

    def __init__(self, name: str, module: str, env: dict[str, str], folder: Path, workers: int) -> None:
        self.name, self.port, self.expected_workers = name, free_port(), workers
        self.log_path = folder / f"{name}.log"
        self.log = open(self.log_path, "wb")  # noqa: SIM115
        # Command-line settings override the config file's (gunicorn: defaults < file < GUNICORN_CMD_ARGS <
        # command line): both servers log each request's line to /dev/null and never recycle a worker mid-run.
        command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--access-logfile", "/dev/null",
                   "--max-requests", "0", module]
        self.process = subprocess.Popen(command, cwd=ROOT, env={**env, "BIND": f"{HOST}:{self.port}"},
                                        stdout=self.log, stderr=subprocess.STDOUT)

    def workers(self) -> list[int]:
        try:
            return [int(pid) for pid in
                    Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()]
        except FileNotFoundError:
            return []

    def wait_ready(self, seconds: float = 60) -> None:
        """Until /healthz answers and every worker is up (a late worker would skew the first rounds)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                connection = http.client.HTTPConnection(HOST, self.port, timeout=2)
                connection.request("GET", "/healthz")
                response = connection.getresponse()
                response.read()
                connection.close()
                if response.status == 200 and len(self.workers()) == self.expected_workers:
                    time.sleep(0.5)  # let the last worker finish booting its app
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise ServerFailed(f"{self.name} did not start; its log:\n{self.tail()}")

    def alive(self) -> None:
        if self.process.poll() is not None:
            raise ServerFailed(f"{self.name} exited ({self.process.returncode}); its log:\n{self.tail()}")

    def tail(self, lines: int = 30) -> str:
        self.log.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


# -- keep-alive connections, spread evenly over the workers ----------------------------------------------

def connection_owners(server: Gunicorn) -> dict[int, int]:
    """Client port -> gunicorn worker pid, for every established connection to the server (from /proc)."""
    inodes: dict[int, int] = {}
    for pid in server.workers():
        try:
            fds = list(Path(f"/proc/{pid}/fd").iterdir())
        except OSError:
            continue
        for fd in fds:
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes[int(target[8:-1])] = pid
    owners: dict[int, int] = {}
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote, state, inode = fields[1], fields[2], fields[3], int(fields[9])
        if state == "01" and int(local.split(":")[1], 16) == server.port and inode in inodes:
            owners[int(remote.split(":")[1], 16)] = inodes[inode]
    return owners


def open_connections(server: Gunicorn, count: int, attempts: int = 30) -> tuple[list[http.client.HTTPConnection],
                                                                             bool]:
    """`count` keep-alive connections, as evenly spread over the workers as the kernel lets us.

    A gthread worker keeps a keep-alive connection for good, and which worker accepts it is a race: 4 client
    connections can all land on one worker, which then does the work of two on one core. So connections are
    opened, located through /proc, and opened again (up to `attempts` times) until no worker has more than
    one connection more than another. Returns the connections and whether they are balanced.
    """
    workers = server.workers()
    best: list[http.client.HTTPConnection] = []
    for _ in range(attempts):
        connections = []
        for _ in range(count):
            connection = http.client.HTTPConnection(HOST, server.port, timeout=30)
            connection.request("GET", "/healthz")  # connected and accepted once this has been answered
            connection.getresponse().read()
            connections.append(connection)
        owners = connection_owners(server)
        ports = [c.sock.getsockname()[1] for c in connections if c.sock is not None]
        per_worker = Counter({pid: 0 for pid in workers})
        per_worker.update(owners[port] for port in ports if port in owners)
        if len(ports) == count and all(port in owners for port in ports) and \
                max(per_worker.values()) - min(per_worker.values()) <= 1:
            for connection in best:
                connection.close()
            return connections, True
        for connection in best:
            connection.close()
        best = connections
    return best, False


Body = bytes | Callable[[], bytes] | None  # a callable gives a new body for each request


def send(connection: http.client.HTTPConnection, method: str, path: str, body: Body,
         headers: dict[str, str]) -> None:
    """connection.request() without the `Accept-Encoding: identity` http.client adds: no Accept-Encoding at all."""
    if callable(body):
        body = body()
    connection.putrequest(method, path, skip_accept_encoding=True)
    for name, value in headers.items():
        connection.putheader(name, value)
    if body is not None:
        connection.putheader("Content-Length", str(len(body)))
    connection.endheaders(body)


def rate(connections: list[http.client.HTTPConnection], method: str, path: str, body: Body,
         headers: dict[str, str], expect: int, seconds: float) -> tuple[float, int, float]:
    """Requests per second over `seconds`, one thread per connection, each sending the same request back to
    back and reading the answer and nothing more; also the number of requests and the wall time."""
    count = len(connections)
    done = [0] * count
    finished = [0.0] * count
    failures: list[str] = []
    start = threading.Barrier(count + 1)

    def worker(index: int) -> None:
        connection = connections[index]
        start.wait()
        deadline = time.perf_counter() + seconds
        n = 0
        try:
            while time.perf_counter() < deadline:
                send(connection, method, path, body, headers)
                response = connection.getresponse()
                response.read()
                if response.status != expect:
                    failures.append(f"{method} {path}: {response.status}, expected {expect}")
                    break
                n += 1
        except (OSError, http.client.HTTPException) as error:
            failures.append(f"{method} {path}: {error!r}")
        done[index] = n
        finished[index] = time.perf_counter()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    if failures:
        raise ServerFailed(failures[0])
    elapsed = max(finished) - began
    return sum(done) / elapsed, sum(done), elapsed


def latencies(connection: http.client.HTTPConnection, method: str, path: str, body: bytes | None,
              headers: dict[str, str], expect: int, count: int) -> list[float]:
    """Seconds per request for `count` requests sent one after the other on one connection."""
    samples = []
    for _ in range(count):
        began = time.perf_counter()
        send(connection, method, path, body, headers)
        response = connection.getresponse()
        response.read()
        samples.append(time.perf_counter() - began)
        if response.status != expect:
            raise ServerFailed(f"{method} {path}: {response.status}, expected {expect}")
    return samples


# -- setup through the API ----------------------------------------------------------------------------------

def create_plan(client: Client) -> tuple[str, dict[str, Any], bool]:
    """A plan started about 3 weeks ago (next Monday if a past start is refused); True if it started in the
    past, so it has session days to check in on."""
    status, payload, _ = client.send("POST", "/api/v1/plans", plan_body(date.fromisoformat(past_monday(3))))
    if status == 201:
        created = json.loads(payload)
        return created["token"], created["plan"], True
    status, payload, _ = client.send("POST", "/api/v1/plans", plan_body(next_monday()))
    if status != 201:
        raise ServerFailed(f"create answered {status}: {payload[:300]!r}")
    created = json.loads(payload)
    return created["token"], created["plan"], False


def check_in(client: Client, token: str, plan: dict[str, Any], wanted: int = 3) -> list[str]:
    """Up to `wanted` check-ins on past run days, earliest first; each answer's plan picks the next day (a
    check-in may re-plan later days, which then answer 422 and are skipped)."""
    done: list[str] = []
    tried: set[str] = set()
    today = date.today().isoformat()
    while len(done) < wanted:
        days = [s["date"] for w in plan["weeks"] for s in w["sessions"]
                if s["kind"] != "rest" and s["date"] < today and s["date"] not in tried]
        if not days:
            break
        day = min(days)
        tried.add(day)
        status, payload, _ = client.send("POST", f"/api/v1/plans/{token}/checkins",
                                         {"date": day, "pain_during": 2, "pain_next_morning": 2, "completed": True})
        if status == 201:
            done.append(day)
            plan = json.loads(payload)["plan"]
        elif status != 422:
            raise ServerFailed(f"check-in answered {status}: {payload[:300]!r}")
    return done


def fetch(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes, dict[str, str]]:
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    send(connection, "GET", path, None, headers or {})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, body, {k.lower(): v for k, v in response.getheaders()}


# -- the run ------------------------------------------------------------------------------------------------

def measure(args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder}/bench.sqlite3", "RATELIMIT_ENABLED": "false",
           "SECRET_KEY": "bench-only", "WEB_CONCURRENCY": str(args.workers),
           "GUNICORN_THREADS": str(args.server_threads)}
    migrated = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=env,
                              capture_output=True, timeout=300)
    if migrated.returncode != 0:
        raise ServerFailed(f"flask db upgrade failed:\n{migrated.stderr.decode(errors='replace')[-2000:]}")

    servers: list[Gunicorn] = []
    try:
        real = Gunicorn("real", "wsgi:app", env, folder, args.workers)
        servers.append(real)
        real.wait_ready()

        setup = Client(real.port)
        token, plan, past = create_plan(setup)
        checked = check_in(setup, token, plan) if past else []
        feed = f"/plans/{token}.ics"
        status, feed_bytes, headers = fetch(real.port, feed)
        etag = headers.get("etag", "")
        if status != 200 or not etag.startswith('"'):
            raise ServerFailed(f"feed answered {status} with ETag {etag!r}")
        status, _, _ = fetch(real.port, feed, {"If-None-Match": etag})
        if status != 304:
            raise ServerFailed(f"feed with its own ETag answered {status}, expected 304")
        weeks = len(json.loads(fetch(real.port, f"/api/v1/plans/{token}")[1])["plan"]["weeks"])

        body_file = folder / "feed.ics"
        body_file.write_bytes(feed_bytes)
        minimal = Gunicorn("minimal", "bench.minimal_app:app",
                           {**env, "BENCH_BODY_FILE": str(body_file), "BENCH_ETAG": etag[1:-1]}, folder, args.workers)
        servers.append(minimal)
        minimal.wait_ready()
        status, same_bytes, same_headers = fetch(minimal.port, feed)
        if status != 200 or same_bytes != feed_bytes or same_headers.get("etag") != etag:
            raise ServerFailed("the minimal app does not serve the real feed's bytes and ETag")
        if fetch(minimal.port, feed, {"If-None-Match": etag})[0] != 304:
            raise ServerFailed("the minimal app does not answer 304 to the feed's ETag")

        print(f"plan: {weeks} weeks, {len(checked)} check-ins, feed {len(feed_bytes)} bytes; "
              f"servers: {args.workers} workers x {args.server_threads} threads (gthread) each; "
              f"{args.threads} client threads; {args.rounds} rounds x {args.seconds_per_kind:g} s per kind",
              flush=True)

        preview = json.dumps(plan_body()).encode()
        counter = itertools.count()

        def new_preview() -> bytes:
            """A body the server has not seen: the same plan at another session time and pace (the server keeps
            a few dozen answers per worker; this comes round again after 86,400 requests)."""
            n = next(counter)
            hour, minute = divmod(n % 1440, 60)
            seconds = n // 1440 % 60
            return json.dumps({**plan_body(), "session_time": f"{hour:02d}:{minute:02d}",
                               "easy_pace": f"6:{seconds:02d}"}).encode()

        kinds: dict[str, tuple[Gunicorn, str, str, Body, dict[str, str], int]] = {
            "healthz": (real, "GET", "/healthz", None, {}, 200),
            "limit 200": (minimal, "GET", feed, None, {}, 200),
            "limit 304": (minimal, "GET", feed, None, {"If-None-Match": etag}, 304),
            "feed 200": (real, "GET", feed, None, {}, 200),
            "feed 304": (real, "GET", feed, None, {"If-None-Match": etag}, 304),
            "page": (real, "GET", f"/plans/{token}", None, {}, 200),
            "api get": (real, "GET", f"/api/v1/plans/{token}", None, {}, 200),
            "preview": (real, "POST", "/api/v1/plans/preview", preview, JSON_HEADERS, 200),
            "preview new": (real, "POST", "/api/v1/plans/preview", new_preview, JSON_HEADERS, 200),
        }
        rates: dict[str, list[float]] = {name: [] for name in kinds}
        # CPU seconds of the server's processes and of this client, and requests, per kind over all rounds.
        server_cpu: dict[str, float] = dict.fromkeys(kinds, 0.0)
        client_cpu: dict[str, float] = dict.fromkeys(kinds, 0.0)
        wall: dict[str, float] = dict.fromkeys(kinds, 0.0)
        requests: dict[str, int] = dict.fromkeys(kinds, 0)
        unbalanced = 0
        names = list(kinds)
        for round_number in range(-1, args.rounds):  # round -1 warms every path up and is thrown away
            shift = max(round_number, 0) % len(names)
            for name in names[shift:] + names[:shift]:  # a different kind goes first each round
                server, method, path, body, headers, expect = kinds[name]
                server.alive()
                connections, balanced = open_connections(server, args.threads)
                seconds = args.seconds_per_kind if round_number >= 0 else min(0.5, args.seconds_per_kind)
                cpu_before, client_before = server_cpu_seconds(server.process.pid), time.process_time()
                measured, sent, elapsed = rate(connections, method, path, body, headers, expect, seconds)
                cpu_after, client_after = server_cpu_seconds(server.process.pid), time.process_time()
                for connection in connections:
                    connection.close()
                if round_number >= 0:
                    rates[name].append(measured)
                    unbalanced += not balanced
                    server_cpu[name] += cpu_after - cpu_before
                    client_cpu[name] += client_after - client_before
                    wall[name] += elapsed
                    requests[name] += sent
            if round_number >= 0:
                print(f"round {round_number + 1}/{args.rounds}: "
                      + ", ".join(f"{name} {rates[name][-1]:.0f}" for name in names), flush=True)

        # One client, one request at a time: creates beside /healthz, interleaved.
        create_body = json.dumps(plan_body(date.fromisoformat(past_monday(3)) if past else next_monday())).encode()
        single = http.client.HTTPConnection(HOST, real.port, timeout=60)
        latencies(single, "GET", "/healthz", None, {}, 200, 20)
        health_lat: list[float] = []
        create_lat: list[float] = []
        rounds = max(1, args.create_rounds)
        for index in range(rounds):
            share = args.creates // rounds + (index < args.creates % rounds)
            health_lat += latencies(single, "GET", "/healthz", None, {}, 200, max(1, args.healthz_requests // rounds))
            create_lat += latencies(single, "POST", "/api/v1/plans", create_body, JSON_HEADERS, 201, max(1, share))
        single.close()
        for server in servers:
            server.alive()
    finally:
        for server in servers:
            server.stop()

    cpu = {name: {"server_us_per_request": server_cpu[name] / requests[name] * 1e6,
                  "client_cores": client_cpu[name] / wall[name]} for name in kinds}
    return {"weeks": weeks, "checkins": len(checked), "feed_bytes": len(feed_bytes), "rates": rates,
            "cpu": cpu, "unbalanced": unbalanced, "healthz_latencies": health_lat, "create_latencies": create_lat}


def report(args: argparse.Namespace, measured: dict[str, Any]) -> dict[str, Any]:
    median = {name: statistics.median(samples) for name, samples in measured["rates"].items()}
    health_p50 = statistics.median(measured["healthz_latencies"]) * 1000
    create_p50 = statistics.median(measured["create_latencies"]) * 1000
    rows = [
        ("feed 200: GET /plans/{token}.ics ÷ physical limit's 200", median["feed 200"], "req/s",
         median["feed 200"] / median["limit 200"], ">=", 0.8),
        ("feed 304: same + If-None-Match ÷ physical limit's 304", median["feed 304"], "req/s",
         median["feed 304"] / median["limit 304"], ">=", 0.9),
        ("plan page GET /plans/{token} ÷ /healthz", median["page"], "req/s",
         median["page"] / median["healthz"], ">=", 0.3),
        ("GET /api/v1/plans/{token} ÷ /healthz", median["api get"], "req/s",
         median["api get"] / median["healthz"], ">=", 0.3),
        ("POST /api/v1/plans/preview ÷ /healthz", median["preview"], "req/s",
         median["preview"] / median["healthz"], ">=", 0.3),
        ("create POST /api/v1/plans, one client, p50 ÷ /healthz p50", create_p50, "ms",
         create_p50 / health_p50, "<=", 40.0),
    ]
    print()
    print("| path | rate or p50 | ratio | goal | met |")
    print("| --- | ---: | ---: | --- | --- |")
    figures = []
    for path, value, unit, ratio, op, goal in rows:
        met = ratio >= goal if op == ">=" else ratio <= goal
        shown = f"{value:.0f} req/s" if unit == "req/s" else f"{value:.1f} ms"
        sign = "≥" if op == ">=" else "≤"
        print(f"| {path} | {shown} | {ratio:.2f}× | {sign} {goal:g}× | {'yes' if met else 'no'} |")
        figures.append({"path": path, "value": value, "unit": unit, "ratio": ratio, "goal": f"{op} {goal:g}",
                        "met": met})
    new_ratio = median["preview new"] / median["healthz"]
    print()
    print(f"preview with a body it has not answered before (the engine runs each time; not a row of the issue's "
          f"table): {median['preview new']:.0f} req/s, {new_ratio:.2f}× /healthz")
    print(f"baselines: /healthz {median['healthz']:.0f} req/s, physical limit 200 {median['limit 200']:.0f} req/s, "
          f"304 {median['limit 304']:.0f} req/s; one client: /healthz p50 {health_p50:.2f} ms "
          f"({len(measured['healthz_latencies'])} requests), create p50 {create_p50:.1f} ms "
          f"({len(measured['create_latencies'])} creates)")
    # The same ratios from the server's CPU time per request instead of throughput: steadier when other work
    # shares the machine, and blind to the client's share of the cores.
    cpu_us = {name: figures["server_us_per_request"] for name, figures in measured["cpu"].items()}
    cpu_ratios = {"feed 200": cpu_us["limit 200"] / cpu_us["feed 200"],
                  "feed 304": cpu_us["limit 304"] / cpu_us["feed 304"],
                  **{name: cpu_us["healthz"] / cpu_us[name] for name in ("page", "api get", "preview")}}
    for figure, name in zip(figures, cpu_ratios, strict=False):
        figure["cpu_ratio"] = cpu_ratios[name]
    print("the same ratios from server CPU per request (capacity): "
          + ", ".join(f"{name} {value:.2f}×" for name, value in cpu_ratios.items())
          + f"; preview new {cpu_us['healthz'] / cpu_us['preview new']:.2f}×")
    print("per kind: median rate, the rounds' range; the server's CPU per request and the client's CPU "
          "(in cores) while it ran:")
    for name, samples in measured["rates"].items():
        cpu = measured["cpu"][name]
        print(f"  {name:10} {median[name]:7.0f} req/s, rounds {min(samples):.0f}-{max(samples):.0f}; "
              f"server {cpu['server_us_per_request']:6.0f} us/request, client {cpu['client_cores']:.2f} cores")
    if measured["unbalanced"]:
        print(f"  {measured['unbalanced']} measurements ran with connections unevenly spread over the workers")
    return {
        "settings": {"rounds": args.rounds, "seconds_per_kind": args.seconds_per_kind, "client_threads": args.threads,
                     "workers": args.workers, "server_threads": args.server_threads, "creates": args.creates,
                     "healthz_requests": args.healthz_requests, "cores": os.cpu_count()},
        "plan": {"weeks": measured["weeks"], "checkins": measured["checkins"], "feed_bytes": measured["feed_bytes"]},
        "rows": figures,
        "preview_new_body": {"rate": median["preview new"], "ratio": new_ratio},
        "median_rates": median,
        "rounds": measured["rates"],
        "cpu": measured["cpu"],
        "p50_ms": {"healthz": health_p50, "create": create_p50},
        "unbalanced_measurements": measured["unbalanced"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=7, help="interleaved rounds; each kind's median round counts")
    parser.add_argument("--seconds-per-kind", type=float, default=2.0, help="length of one kind's round")
    parser.add_argument("--threads", type=int, default=4, help="client threads, one keep-alive connection each")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers of each server (WEB_CONCURRENCY)")
    parser.add_argument("--server-threads", type=int, default=4,
                        help="gunicorn threads per worker of each server (GUNICORN_THREADS)")
    parser.add_argument("--creates", type=int, default=40, help="sequential creates for the create p50")
    parser.add_argument("--healthz-requests", type=int, default=200, help="sequential /healthz for its p50")
    parser.add_argument("--create-rounds", type=int, default=2, help="interleaved rounds of the latency part")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    if args.rounds < 1 or args.threads < 1 or args.workers < 1 or args.server_threads < 1 or args.creates < 1 \
            or not 0 < args.seconds_per_kind <= 60:
        parser.error("--rounds, --threads, --workers, --server-threads, --creates must be >= 1; "
                     "--seconds-per-kind in (0, 60]")

    with tempfile.TemporaryDirectory(prefix="planner-reads-") as folder:
        try:
            measured = measure(args, Path(folder))
        except (ServerFailed, OSError, http.client.HTTPException) as error:
            print(f"server failed: {error!r}" if not isinstance(error, ServerFailed) else f"server failed: {error}",
                  file=sys.stderr)
            return 1
    figures = report(args, measured)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
        print(f"figures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
