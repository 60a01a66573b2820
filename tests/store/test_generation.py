"""The commit counter that lets a process answer a poll from memory (store/generation.py)."""

from __future__ import annotations

import multiprocessing
import threading
from pathlib import Path

from planner.store.generation import Counter, Remembered


def _bump(counter: Counter, times: int) -> None:
    for _ in range(times):
        counter.bump()


def test_no_bump_is_lost_between_forked_processes_and_threads(tmp_path: Path) -> None:
    """Forked gunicorn workers share the open file: every commit's bump must still count."""
    counter = Counter(tmp_path / "db-generation")
    context = multiprocessing.get_context("fork")
    processes = [context.Process(target=_bump, args=(counter, 400)) for _ in range(3)]
    threads = [threading.Thread(target=_bump, args=(counter, 400)) for _ in range(2)]
    for worker in (*processes, *threads):
        worker.start()
    for worker in (*processes, *threads):
        worker.join()
    assert [p.exitcode for p in processes] == [0, 0, 0]
    assert counter.current() == 5 * 400
    assert Counter(tmp_path / "db-generation").current() == 2000  # another process opening it sees the same


def test_a_remembered_read_is_void_once_the_count_moves() -> None:
    remembered = Remembered(limit=2)
    remembered.put(("t", "ics", ""), 7, "stamp")
    assert remembered.get(("t", "ics", ""), 7) == "stamp"
    assert remembered.get(("t", "ics", ""), 8) is None
    remembered.put(("u", "ics", ""), 7, "u")
    remembered.put(("v", "ics", ""), 7, "v")  # the least recently used goes
    assert remembered.get(("t", "ics", ""), 7) is None and remembered.get(("v", "ics", ""), 7) == "v"
