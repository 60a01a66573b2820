"""Throughput of the calendar feed next to /healthz, on gunicorn over loopback.

    .venv/bin/python bench/feed_bench.py [--requests 2000] [--threads 4]

Starts `gunicorn wsgi:app` (2 workers, no worker recycling mid-run) on a temporary SQLite
database, creates a plan of about 16 weeks through the API, then times a fixed number of GETs
for /healthz, the feed (200) and the feed with If-None-Match (304), and prints requests/s and
the ratios to /healthz. Everything stops on exit.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_ready(port: int, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not answer /healthz in time")


def server_cpu_seconds(master: int) -> float:
    """User + system CPU time of gunicorn's master and workers so far (from /proc), in seconds."""
    ticks = os.sysconf("SC_CLK_TCK")
    pids = [master]
    children = Path(f"/proc/{master}/task/{master}/children")
    if children.exists():
        pids += [int(pid) for pid in children.read_text().split()]
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def hammer(port: int, path: str, headers: dict[str, str], count: int, threads: int, expect: int) -> float:
    """requests/s for `count` GETs spread over `threads` keep-alive connections."""
    share = [count // threads + (1 if i < count % threads else 0) for i in range(threads)]

    def worker(n: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        for _ in range(n):
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            if response.status != expect:
                raise RuntimeError(f"{path}: {response.status}, expected {expect}")
        connection.close()

    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(worker, share))
    return count / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=5,
                        help="interleaved rounds; the median round of each kind is reported")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder}/bench.sqlite3", "RATELIMIT_ENABLED": "false",
               "SECRET_KEY": "bench-only"}
        subprocess.run([str(BIN / "flask"), "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=env, check=True,
                       capture_output=True, timeout=120)
        port = free_port()
        server = subprocess.Popen([str(BIN / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level",
                                   "warning", "--access-logfile", "/dev/null",
                                   "--max-requests", "0", "wsgi:app"], cwd=ROOT, env=env,
                                  stdout=subprocess.DEVNULL)
        try:
            wait_ready(port, time.monotonic() + 30)
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request("POST", "/api/v1/plans", body=json.dumps({
                "weekly_volume": 12, "current_pain": 3, "name": "Bench runner"}),
                headers={"Content-Type": "application/json"})
            created = connection.getresponse()
            body = json.loads(created.read())
            if created.status != 201:
                raise SystemExit(f"could not create a plan: {created.status} {body}")
            weeks = len(body["plan"]["weeks"])
            feed = f"/plans/{body['token']}.ics"
            connection.request("GET", feed)
            first = connection.getresponse()
            size, etag = len(first.read()), first.getheader("ETag")
            print(f"plan: {weeks} weeks, feed {size} bytes; {args.requests} requests x {args.threads} threads each")

            hammer(port, "/healthz", {}, 200, args.threads, 200)  # warm both workers
            kinds = {
                "/healthz": ("/healthz", {}, 200),
                "feed 200": (feed, {}, 200),
                "feed 304": (feed, {"If-None-Match": etag}, 304),
                "feed gzip": (feed, {"Accept-Encoding": "gzip"}, 200),
            }
            # Interleave the kinds round by round, so a noisy neighbour on a shared machine hits all alike.
            rates: dict[str, list[float]] = {name: [] for name in kinds}
            cpu: dict[str, float] = dict.fromkeys(kinds, 0.0)
            per_round = max(1, args.requests // args.rounds)
            for _ in range(args.rounds):
                for name, (path, headers, status) in kinds.items():
                    before = server_cpu_seconds(server.pid)
                    rates[name].append(hammer(port, path, headers, per_round, args.threads, status))
                    cpu[name] += server_cpu_seconds(server.pid) - before
            # Throughput on a shared machine swings with the neighbours; the server's own CPU time per
            # request does not, so both are printed. "capacity" is healthz's CPU cost over this kind's.
            base = statistics.median(rates["/healthz"])
            base_cpu = cpu["/healthz"] / (per_round * args.rounds)
            for name, samples in rates.items():
                rate = statistics.median(samples)
                per_request = cpu[name] / (per_round * args.rounds)
                print(f"{name:10} {rate:8.0f} req/s  {rate / base:6.1%} of /healthz   "
                      f"server CPU {per_request * 1e6:6.0f} us/request, capacity {base_cpu / per_request:6.1%} "
                      f"of /healthz   (rounds: {', '.join(f'{r:.0f}' for r in samples)})")
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
