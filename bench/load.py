"""Load and fault run against a real gunicorn on loopback (bench/README.md).

Starts gunicorn (gunicorn.conf.py) on a temporary, migrated SQLite database with rate limits off, then:
1. load: for --seconds, client threads send a mix of feed polls (with and without If-None-Match), plan page
   views, API creates, API check-ins and /healthz; prints requests, errors, throughput, p50/p95 per kind and
   each kind's p50 and throughput beside /healthz's from the same run;
2. faults: for --fault-seconds, writers create plans and check in while a worker is SIGKILLed every
   --kill-every seconds; afterwards every acknowledged write is looked up again.
Only 127.0.0.1 is ever contacted; every loop is bounded in time. Exits 1 if an acknowledged write is lost.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
MIX = {"feed": 30, "feed_304": 30, "page": 15, "healthz": 10, "create": 5, "checkin": 10}


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def past_monday(weeks: int) -> str:
    today = date.today()
    return (today - timedelta(days=today.weekday() + 7 * weeks)).isoformat()


class Client:
    """One keep-alive connection; reconnects after any error."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.connection: http.client.HTTPConnection | None = None

    def send(self, method: str, path: str, body: dict | None = None,
             headers: dict[str, str] | None = None) -> tuple[int, bytes, dict[str, str]]:
        if self.connection is None:
            self.connection = http.client.HTTPConnection(HOST, self.port, timeout=30)
        all_headers = dict(headers or {})
        data = None
        if body is not None:
            data = json.dumps(body)
            all_headers["Content-Type"] = "application/json"
        try:
            self.connection.request(method, path, body=data, headers=all_headers)
            response = self.connection.getresponse()
            payload = response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()
            self.connection = None
            raise
        if response.getheader("Connection", "").lower() == "close":
            self.connection.close()
            self.connection = None
        return response.status, payload, {k.lower(): v for k, v in response.getheaders()}


class Server:
    def __init__(self, workers: int, threads: int) -> None:
        self.folder = tempfile.TemporaryDirectory(prefix="planner-bench-")
        self.port = free_port()
        self.env = {**os.environ, "DATABASE_URL": f"sqlite:///{self.folder.name}/bench.sqlite3",
                    "RATELIMIT_ENABLED": "false", "SECRET_KEY": "bench", "BIND": f"{HOST}:{self.port}",
                    "WEB_CONCURRENCY": str(workers), "GUNICORN_THREADS": str(threads)}
        subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=self.env,
                       check=True, capture_output=True)
        self.log = open(Path(self.folder.name) / "gunicorn.log", "wb")  # noqa: SIM115
        self.process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
                                        cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while True:
            try:
                if Client(self.port).send("GET", "/healthz")[0] == 200 and len(self.workers()) == workers:
                    break
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise SystemExit("gunicorn did not start")
            time.sleep(0.2)

    def workers(self) -> list[int]:
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in path.read_text().split()]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()
        kept = ROOT / "bench" / "results" / f"gunicorn-{time.strftime('%Y%m%d-%H%M%S')}.log"
        kept.parent.mkdir(exist_ok=True)
        log = (Path(self.folder.name) / "gunicorn.log").read_text(errors="replace")
        kept.write_text(log)
        errors = [line for line in log.splitlines() if "ERROR" in line or line.startswith(("Traceback", "  File", "E"))]
        print(f"\ngunicorn log (tokens masked): {kept.relative_to(ROOT)}; error lines: {len(errors)}")
        for line in errors[:20]:
            print("  " + line)
        self.folder.cleanup()


def plan_body(rng: random.Random, weeks_back: int = 20) -> dict:
    return {"weekly_volume": rng.choice([10, 20, 30, 45]), "current_pain": rng.randint(0, 3),
            "start_date": past_monday(weeks_back), "name": "bench"}


def create_plan(client: Client, rng: random.Random) -> tuple[str, list[str]]:
    status, payload, _ = client.send("POST", "/api/v1/plans", plan_body(rng))
    if status != 201:
        raise RuntimeError(f"create answered {status}: {payload[:200]!r}")
    body = json.loads(payload)
    today = date.today().isoformat()
    days = [s["date"] for w in body["plan"]["weeks"] for s in w["sessions"]
            if s["kind"] != "rest" and s["date"] < today]
    return body["token"], days


class Days:
    """Check-in slots (token, day), each handed out once across threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.slots: list[tuple[str, str]] = []

    def add(self, token: str, days: list[str]) -> None:
        with self.lock:
            self.slots.extend((token, d) for d in days)

    def take(self, rng: random.Random) -> tuple[str, str] | None:
        with self.lock:
            if not self.slots:
                return None
            return self.slots.pop(rng.randrange(len(self.slots)))


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def load_phase(server: Server, seconds: float, threads: int, seed: int) -> dict:
    setup = Client(server.port)
    rng = random.Random(seed)
    days = Days()
    plans: list[tuple[str, str]] = []  # (token, etag)
    for _ in range(12):
        token, slots = create_plan(setup, rng)
        days.add(token, slots)
        etag = setup.send("GET", f"/plans/{token}.ics")[2]["etag"]
        plans.append((token, etag))

    latencies: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    statuses: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds
    kinds, weights = zip(*MIX.items(), strict=True)

    def worker(index: int) -> None:
        client = Client(server.port)
        local = random.Random(seed * 1000 + index)
        while time.monotonic() < stop_at:
            kind = local.choices(kinds, weights)[0]
            token, etag = local.choice(plans)
            expected: tuple[int, ...] = (200,)
            if kind == "feed":
                method, path, body, headers = "GET", f"/plans/{token}.ics", None, None
            elif kind == "feed_304":
                method, path, body, headers = "GET", f"/plans/{token}.ics", None, {"If-None-Match": etag}
                expected = (304, 200)  # 200 once a check-in changed that plan's feed
            elif kind == "page":
                method, path, body, headers = "GET", f"/plans/{token}", None, None
            elif kind == "healthz":
                method, path, body, headers = "GET", "/healthz", None, None
            elif kind == "create":
                method, path, body, headers = "POST", "/api/v1/plans", plan_body(local), None
                expected = (201,)
            else:
                slot = days.take(local)
                if slot is None:
                    continue
                method, path, headers = "POST", f"/api/v1/plans/{slot[0]}/checkins", None
                body = {"date": slot[1], "pain_during": local.randint(0, 3), "pain_next_morning": local.randint(0, 3),
                        "completed": True}
                expected = (201, 422)  # 422: an earlier check-in re-planned that day away
            started = time.perf_counter()
            try:
                status, payload, _ = client.send(method, path, body, headers)
            except (OSError, http.client.HTTPException):
                status, payload = 0, b""
            elapsed = time.perf_counter() - started
            with lock:
                latencies[kind].append(elapsed)
                statuses[kind][status] += 1
                if status not in expected:
                    errors[kind] += 1
            if kind == "create" and status == 201:
                created = json.loads(payload)
                today = date.today().isoformat()
                days.add(created["token"], [s["date"] for w in created["plan"]["weeks"] for s in w["sessions"]
                                            if s["kind"] != "rest" and s["date"] < today])

    started = time.monotonic()
    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    elapsed = time.monotonic() - started
    return {"seconds": elapsed, "latencies": latencies, "errors": errors, "statuses": statuses}


def report_load(result: dict) -> None:
    latencies, errors, seconds = result["latencies"], result["errors"], result["seconds"]
    health = latencies.get("healthz") or [float("nan")]
    health_p50, health_rate = percentile(health, 0.5), len(health) / seconds
    total = sum(len(v) for v in latencies.values())
    print(f"\n== load: {seconds:.1f} s, {total} requests ({total / seconds:.0f}/s), "
          f"{sum(errors.values())} errors ==")
    print(f"{'kind':10} {'requests':>8} {'errors':>6} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} "
          f"{'p50/healthz':>11} {'rate/healthz':>12}  statuses")
    for kind in MIX:
        values = latencies.get(kind, [])
        p50, p95 = percentile(values, 0.5), percentile(values, 0.95)
        rate = len(values) / seconds
        codes = " ".join(f"{code}:{n}" for code, n in sorted(result["statuses"][kind].items()))
        print(f"{kind:10} {len(values):8d} {errors.get(kind, 0):6d} {rate:7.1f} {p50 * 1000:8.1f} {p95 * 1000:8.1f} "
              f"{p50 / health_p50:11.1f} {rate / health_rate:12.2f}  {codes}")


def fault_phase(server: Server, seconds: float, kill_every: float, threads: int, seed: int) -> bool:
    rng = random.Random(seed)
    setup = Client(server.port)
    days = Days()
    for _ in range(6):
        token, slots = create_plan(setup, rng)
        days.add(token, slots)
    acknowledged_plans: set[str] = set()
    acknowledged_checkins: set[tuple[str, str]] = set()
    unknown = 0
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds
    kills: list[int] = []

    def killer() -> None:
        while time.monotonic() + kill_every < stop_at:
            time.sleep(kill_every)
            try:
                victim = rng.choice(server.workers())
                os.kill(victim, signal.SIGKILL)
                kills.append(victim)
            except (IndexError, ProcessLookupError, OSError):
                pass

    def writer(index: int) -> None:
        nonlocal unknown
        client = Client(server.port)
        local = random.Random(seed * 1000 + index)
        while time.monotonic() < stop_at:
            try:
                if local.random() < 0.3:
                    status, payload, _ = client.send("POST", "/api/v1/plans", plan_body(local))
                    if status == 201:
                        with lock:
                            acknowledged_plans.add(json.loads(payload)["token"])
                    continue
                slot = days.take(local)
                if slot is None:
                    time.sleep(0.05)
                    continue
                body = {"date": slot[1], "pain_during": 1, "pain_next_morning": 1, "completed": True}
                status, _, _ = client.send("POST", f"/api/v1/plans/{slot[0]}/checkins", body)
                if status == 201:
                    with lock:
                        acknowledged_checkins.add(slot)
            except (OSError, http.client.HTTPException):
                with lock:
                    unknown += 1
                time.sleep(0.05)

    pool = [threading.Thread(target=writer, args=(i,)) for i in range(threads)]
    chaos = threading.Thread(target=killer)
    for t in (*pool, chaos):
        t.start()
    for t in (*pool, chaos):
        t.join()

    # Wait for the master to bring the workers back, then look every acknowledged write up.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if Client(server.port).send("GET", "/healthz")[0] == 200:
                break
        except OSError:
            time.sleep(0.2)
    reader = Client(server.port)
    lost_plans = [t for t in acknowledged_plans if reader.send("GET", f"/api/v1/plans/{t}")[0] != 200]
    found: dict[str, set[str]] = {}
    for token in {t for t, _ in acknowledged_checkins}:
        status, payload, _ = reader.send("GET", f"/api/v1/plans/{token}")
        found[token] = {c["date"] for c in json.loads(payload)["checkins"]} if status == 200 else set()
    lost_checkins = [(t, d) for t, d in acknowledged_checkins if d not in found[t]]
    print(f"\n== faults: {seconds:.0f} s, {len(kills)} workers killed with SIGKILL ==")
    print(f"creates acknowledged {len(acknowledged_plans)}, found afterwards "
          f"{len(acknowledged_plans) - len(lost_plans)}")
    print(f"check-ins acknowledged {len(acknowledged_checkins)}, found afterwards "
          f"{len(acknowledged_checkins) - len(lost_checkins)}")
    print(f"requests cut off by a kill (outcome unknown to the client): {unknown}")
    return not lost_plans and not lost_checkins


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=120, help="length of the load phase (default 120)")
    parser.add_argument("--fault-seconds", type=float, default=20, help="length of the fault phase (0: skip)")
    parser.add_argument("--kill-every", type=float, default=3, help="seconds between worker kills")
    parser.add_argument("--threads", type=int, default=8, help="client threads")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: gunicorn.conf.py)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if not 0 < args.seconds <= 3600 or not 0 <= args.fault_seconds <= 600:
        parser.error("--seconds must be in (0, 3600] and --fault-seconds in [0, 600]")

    workers = args.workers or (os.cpu_count() or 1) * 2 + 1
    server = Server(workers=workers, threads=4)
    print(f"gunicorn on {HOST}:{server.port}: {workers} workers x 4 threads (gthread), SQLite, "
          f"{args.threads} client threads on the same {os.cpu_count()} cores")
    try:
        report_load(load_phase(server, args.seconds, args.threads, args.seed))
        ok = True
        if args.fault_seconds:
            ok = fault_phase(server, args.fault_seconds, args.kill_every, args.threads, args.seed)
    finally:
        server.stop()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
