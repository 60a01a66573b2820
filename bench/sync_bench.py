"""How long syncing a plan to intervals.icu takes, and how many requests it makes, against the local
intervals.icu (tests/fakes: it checks every request against the published OpenAPI document, which is
most of its own time per request).

Three figures for a 31-week plan of a runner who has stopped running (184 sessions that become events):
the first sync after linking, the re-plan after a painful check-in, and a pass with nothing to change.
Usage: python bench/sync_bench.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    from cryptography.fernet import Fernet
    from flask_migrate import upgrade

    from planner import create_app, services
    from planner.sync.worker import Worker
    from tests.fakes.intervals import FakeIntervals

    folder = Path(tempfile.mkdtemp(prefix="sync-bench-"))
    with FakeIntervals() as fake:
        fake.add_athlete("i1", "bench-key-0001")
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.sqlite3'}", "TESTING": True,
                          "RATELIMIT_ENABLED": False, "INTERVALS_API_URL": fake.url,
                          "CONNECTION_KEY": Fernet.generate_key().decode(), "SERVER_NAME": "localhost"})
        with app.app_context():
            upgrade()
        client = app.test_client()
        start = date.today() - timedelta(days=date.today().weekday())
        made = client.post("/api/v1/plans", json={"weekly_volume": 0, "current_pain": 2,
                                                  "start_date": start.isoformat()})
        token, plan = made.json["token"], made.json["plan"]
        events = sum(1 for w in plan["weeks"] for s in w["sessions"] if s["kind"] != "rest")
        assert client.put(f"/api/v1/plans/{token}/connections/intervals",
                          json={"athlete_id": "i1", "api_key": "bench-key-0001"}).status_code == 204

        def sync(label: str) -> None:
            fake.reset_log()
            began = time.perf_counter()
            passes = Worker(app).run(once=True)
            took = time.perf_counter() - began
            kinds = Counter(f"{r.method} {r.path.rsplit('/', 1)[-1]}" for r in fake.requests)
            done = passes[0] if passes else None
            print(f"{label:<34} {took * 1000:8.0f} ms  {len(fake.requests):3d} requests  {dict(kinds)}  "
                  f"created {done.created if done else 0}, updated {done.updated if done else 0}, "
                  f"deleted {done.deleted if done else 0}")

        print(f"plan: {len(plan['weeks'])} weeks, {events} sessions that become events")
        sync("first sync")
        run = next(s for w in plan["weeks"] for s in w["sessions"] if s["kind"] == "run")
        services.now = lambda: datetime.combine(date.fromisoformat(run["date"]) + timedelta(days=1),  # type: ignore[assignment]
                                                clock_time(8), tzinfo=UTC)
        answer = client.post(f"/api/v1/plans/{token}/checkins", json={"date": run["date"], "pain_during": 7,
                                                                      "pain_next_morning": 6})
        print(f"painful check-in: decision {answer.json['decision']}")
        sync("re-plan after the check-in")
        client.post(f"/api/v1/plans/{token}/share")  # a new revision that changes no session
        sync("a revision with nothing to send")
        assert fake.invalid == [], fake.invalid


if __name__ == "__main__":
    main()
