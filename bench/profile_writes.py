"""Where a preview and a create spend their time: cProfile over N of each, in-process.

    .venv/bin/python bench/profile_writes.py [--requests 50] [--dump FOLDER]

Builds the app with create_app() on a temporary SQLite database (migrated with flask_migrate.upgrade, rate
limits off) and sends, through Flask's test client (no network), N `POST /api/v1/plans/preview` and N
`POST /api/v1/plans` with the body bench/reads.py uses (a plan from nothing to 25 km a week, about 36 weeks;
creates start 3 weeks ago, the preview has no start_date). For each it prints the mean ms per request
without the profiler, then with cProfile: the top 10 functions by own time and the top 15 by cumulative
time outside the request plumbing (Flask, werkzeug, the rate-limit decorator), in ms per request. --dump also
writes the raw profiles (preview.prof, create.prof) for pstats or snakeviz.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))
from load import past_monday  # noqa: E402
from reads import plan_body  # noqa: E402

# Frames that only carry the request to the view: left out of the cumulative list (they all hold ~100%).
PLUMBING = ("/flask/", "/werkzeug/", "/flask_limiter/", "/contextlib.py", "/bench/profile_writes.py",
            "<built-in method builtins.exec>")


def where(key: tuple[str, int, str]) -> str:
    """A profile entry's function, with its file cut to the package path."""
    filename, line, function = key
    if filename == "~":
        return function
    for marker in ("site-packages/", str(ROOT) + "/"):
        if marker in filename:
            filename = filename.split(marker, 1)[1]
            break
    else:
        filename = filename.rsplit("/lib/", 1)[-1]
    return f"{filename}:{line}({function})"


def top(stats: pstats.Stats, column: int, count: int, requests: int, skip: tuple[str, ...] = ()) -> list[str]:
    """The `count` biggest entries by tottime (column 2) or cumtime (column 3), as printable lines."""
    table: dict[tuple[str, int, str], Any] = stats.stats  # type: ignore[attr-defined]
    rows = sorted(table.items(), key=lambda item: item[1][column], reverse=True)
    lines = []
    for key, (_, calls, own, cumulative, _) in rows:
        name = where(key)
        if any(part in key[0] or part in name for part in skip):
            continue
        per_request = f"{calls / requests:9.1f} {own / requests * 1000:9.2f} {cumulative / requests * 1000:9.2f}"
        lines.append(f"  {per_request}  {name}")
        if len(lines) == count:
            break
    return lines


def profile(label: str, send: Any, requests: int, dump: Path | None) -> None:
    send()  # warm: first-call imports and caches stay out of the figures
    began = time.perf_counter()
    for _ in range(requests):
        send()
    mean = (time.perf_counter() - began) / requests * 1000

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        send()
    profiler.disable()
    stats = pstats.Stats(profiler)
    if dump:
        stats.dump_stats(dump / f"{label.split()[0]}.prof")
    profiled = stats.total_tt / requests * 1000  # type: ignore[attr-defined]
    header = f"  {'calls/req':>9} {'own ms':>9} {'cum ms':>9}  function (per request)"
    print(f"\n== {label}: {mean:.2f} ms per request (mean of {requests}, no profiler); "
          f"{profiled:.2f} ms under cProfile ==")
    print("top 10 by own time (tottime):")
    print(header)
    print("\n".join(top(stats, 2, 10, requests)))
    print("top 15 by cumulative time, outside Flask/werkzeug plumbing:")
    print(header)
    print("\n".join(top(stats, 3, 15, requests, PLUMBING)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=50, help="requests of each kind (default 50)")
    parser.add_argument("--dump", type=Path, help="folder to write preview.prof and create.prof into")
    args = parser.parse_args()
    if args.requests < 1:
        parser.error("--requests must be >= 1")

    folder = tempfile.TemporaryDirectory(prefix="planner-profile-")
    os.environ["DATABASE_URL"] = f"sqlite:///{folder.name}/bench.sqlite3"
    os.environ["RATELIMIT_ENABLED"] = "false"
    os.environ.setdefault("SECRET_KEY", "bench-only")
    from flask_migrate import upgrade

    from planner import create_app

    app = create_app()
    with app.app_context():
        upgrade()
    client = app.test_client()

    preview_body = plan_body()
    create_body = plan_body(date.fromisoformat(past_monday(3)))

    def preview() -> None:
        response = client.post("/api/v1/plans/preview", json=preview_body)
        if response.status_code != 200:
            raise SystemExit(f"preview answered {response.status_code}: {response.get_data(as_text=True)[:300]}")

    def create() -> None:
        response = client.post("/api/v1/plans", json=create_body)
        if response.status_code != 201:
            raise SystemExit(f"create answered {response.status_code}: {response.get_data(as_text=True)[:300]}")

    if args.dump:
        args.dump.mkdir(parents=True, exist_ok=True)
    try:
        profile("preview POST /api/v1/plans/preview", preview, args.requests, args.dump)
        profile("create POST /api/v1/plans", create, args.requests, args.dump)
    finally:
        folder.cleanup()


if __name__ == "__main__":
    main()
