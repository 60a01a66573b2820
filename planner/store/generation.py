"""When a process may answer a read from memory: a counter that every process on this machine shares,
moved on after every commit.

On SQLite (one machine, by nature) the counter is eight bytes in a file beside the database, mapped
into each process's memory. A read remembers which stored export it found at which count; while the
count has not moved, no process has committed anything since, so the same answer is still right and
the database need not be asked again. Any commit, of a plan, a check-in, a revision or an export,
moves it on, and every process's memory of reads is then void at once. The count is read before the
database is, so an answer is only ever remembered under a count no later than the data it was read
from. Other databases serve many machines, which share no file: there is no counter, and every read
asks the database.
"""

from __future__ import annotations

import fcntl
import mmap
import os
import struct
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

SIZE = struct.calcsize("<Q")


class Counter:
    def __init__(self, path: Path) -> None:
        self.descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        with _locked(self.descriptor):
            if os.fstat(self.descriptor).st_size < SIZE:
                os.write(self.descriptor, bytes(SIZE))
        self.map = mmap.mmap(self.descriptor, SIZE)
        self.threads = threading.Lock()  # a record lock does not part the threads of one process

    def current(self) -> int:
        value: int = struct.unpack_from("<Q", self.map)[0]
        return value

    def bump(self) -> None:
        with self.threads, _locked(self.descriptor):
            struct.pack_into("<Q", self.map, 0, (self.current() + 1) % 2**64)


class _locked:
    """An exclusive POSIX record lock on the file: held per process, so it also parts processes forked
    with the file already open (which share one open file, where flock would not exclude them)."""

    def __init__(self, descriptor: int) -> None:
        self.descriptor = descriptor

    def __enter__(self) -> None:
        fcntl.lockf(self.descriptor, fcntl.LOCK_EX)

    def __exit__(self, *_: object) -> None:
        fcntl.lockf(self.descriptor, fcntl.LOCK_UN)


_COUNTERS: dict[str, Counter] = {}
_GUARD = threading.Lock()


def attach(engine: Any) -> None:
    """Give a SQLite file database its counter (the same one for every engine on that file)."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        return
    with _GUARD:
        if database not in _COUNTERS:
            try:
                _COUNTERS[database] = Counter(Path(database + "-generation"))
            except OSError:  # its folder is missing or read-only: no memory, every read asks the database
                return
    counter = _COUNTERS[database]
    # A commit outside the ORM session (a migration, a script) moves it too, here just before the
    # commit lands; the session's commits move it again once they have landed (below).
    event.listen(engine, "commit", lambda _connection: counter.bump())


def of(engine: Any) -> Counter | None:
    """The counter of this engine's database, or None (not SQLite: ask the database every time)."""
    database = engine.url.database
    return _COUNTERS.get(database) if database else None


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    bind = session.get_bind()
    counter = of(getattr(bind, "engine", bind))
    if counter is not None:
        counter.bump()


class Remembered:
    """Reads remembered with the count they were made at (a bounded LRU, per process)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.entries: OrderedDict[tuple[str, str, str], tuple[int, Any]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple[str, str, str], count: int) -> Any:
        with self.lock:
            entry = self.entries.get(key)
            if entry is None or entry[0] != count:
                return None
            self.entries.move_to_end(key)
            return entry[1]

    def put(self, key: tuple[str, str, str], count: int, value: Any) -> None:
        with self.lock:
            self.entries[key] = (count, value)
            self.entries.move_to_end(key)
            while len(self.entries) > self.limit:
                self.entries.popitem(last=False)
