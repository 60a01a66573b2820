"""How long one plan takes: the engine alone, and POST /api/v1/plans/preview beside GET /healthz.

Runs in-process through Flask's test client (no network), so the figures are the app's own cost.
Usage: python bench/preview_bench.py [--repeat 300]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

RUNNERS = {
    "30 km/week, little pain": {"weekly_volume": 30, "current_pain": 2},
    "stopped running": {"weekly_volume": 0, "current_pain": 2},
    "pain at rest": {"weekly_volume": 10, "current_pain": 4, "pain_at_rest": 2},
}


def timed(call, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=300)
    args = parser.parse_args()

    folder = tempfile.mkdtemp()
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{folder}/bench.sqlite3")
    os.environ["RATELIMIT_ENABLED"] = "false"
    from flask_migrate import upgrade

    from planner import create_app
    from planner.engine import PlanRequest, build_plan

    app = create_app()
    with app.app_context():
        upgrade()
    client = app.test_client()

    health = statistics.median(timed(lambda: client.get("/healthz"), args.repeat))
    print(f"GET /healthz median {health:.2f} ms")
    for label, body in RUNNERS.items():
        request = PlanRequest(**body)
        engine = statistics.median(timed(lambda r=request: build_plan(r, today=date(2026, 11, 29), seed="b"),
                                         args.repeat))
        api = statistics.median(timed(lambda b=body: client.post("/api/v1/plans/preview", json=b), args.repeat))
        weeks = len(build_plan(request, today=date(2026, 11, 29), seed="b").weeks)
        print(f"{label:28} {weeks:3} weeks  engine median {engine:6.2f} ms   "
              f"preview median {api:6.2f} ms  ({api / health:4.1f} x /healthz)")


if __name__ == "__main__":
    main()
