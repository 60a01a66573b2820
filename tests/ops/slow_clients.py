"""Slow clients and a health poller, on loopback, for a bounded time.

Each slow client opens a connection, sends a request line and then one more header line every
`interval` seconds, never finishing its request (a "slowloris"); a client the server drops opens a
new connection at once, so `clients` connections are held throughout. Meanwhile another client
polls GET /healthz on a new connection each time and records how long each answer took.

Also a command for measuring a server by hand:
    python -m tests.ops.slow_clients --port 8000 --clients 50 --seconds 30
"""

from __future__ import annotations

import argparse
import http.client
import socket
import statistics
import threading
import time
from dataclasses import dataclass, field

HOST = "127.0.0.1"


@dataclass
class Polls:
    latencies: list[float] = field(default_factory=list)  # seconds, answered 200
    failures: list[str] = field(default_factory=list)  # what happened instead
    drops: int = 0  # slow connections the server closed (and were opened again)
    held: list[int] = field(default_factory=list)  # slow connections open at each poll

    def within(self, seconds: float) -> int:
        return sum(1 for latency in self.latencies if latency <= seconds)

    @property
    def total(self) -> int:
        return len(self.latencies) + len(self.failures)

    def summary(self) -> str:
        if not self.latencies:
            return f"0 of {self.total} polls answered; failures: {self.failures[:5]}"
        ordered = sorted(self.latencies)
        p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
        return (f"{self.within(1.0)} of {self.total} polls answered 200 within 1 s; "
                f"p50 {statistics.median(ordered) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
                f"max {ordered[-1] * 1000:.0f} ms; failed {len(self.failures)}; "
                f"slow connections dropped by the server and reopened: {self.drops}; "
                f"held at each poll: min {min(self.held, default=0)}")


class SlowClients:
    """`clients` slow connections to HOST:port, kept open until stop()."""

    def __init__(self, port: int, clients: int, interval: float = 2.0, path: str = "/healthz") -> None:
        self.port, self.clients, self.interval, self.path = port, clients, interval, path
        self.sockets: list[socket.socket | None] = [None] * clients
        self.sent = [0] * clients
        self.drops = 0
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> SlowClients:
        for index in range(self.clients):
            self._open(index)
        self.thread.start()
        return self

    def held(self) -> int:
        with self.lock:
            return sum(1 for s in self.sockets if s is not None)

    def _open(self, index: int) -> None:
        try:
            connection = socket.create_connection((HOST, self.port), timeout=5)
            connection.sendall(f"GET {self.path} HTTP/1.1\r\nHost: {HOST}\r\n".encode())
        except OSError:
            connection = None
        with self.lock:
            self.sockets[index] = connection
            self.sent[index] = 0

    def _drop(self, index: int) -> None:
        with self.lock:
            connection, self.sockets[index] = self.sockets[index], None
            self.drops += 1
        if connection is not None:
            connection.close()

    def _run(self) -> None:
        while not self.stopping.wait(self.interval):
            for index in range(self.clients):
                if self.stopping.is_set():
                    return
                connection = self.sockets[index]
                if connection is None:
                    self._open(index)
                    continue
                try:
                    connection.setblocking(False)
                    try:  # anything from the server (a 400, a 408, or its closing) ends this request
                        connection.recv(4096, socket.MSG_PEEK)
                    except BlockingIOError:
                        pass  # nothing yet: the server is still waiting for the rest
                    else:
                        self._drop(index)
                        self._open(index)
                        continue
                    connection.setblocking(True)
                    self.sent[index] += 1
                    connection.sendall(f"X-Slow-{self.sent[index]}: {'a' * 20}\r\n".encode())
                except OSError:
                    self._drop(index)
                    self._open(index)

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=10)
        with self.lock:
            for connection in self.sockets:
                if connection is not None:
                    connection.close()
            self.sockets = [None] * self.clients


def poll_health(port: int, seconds: float, slow: SlowClients | None = None, every: float = 0.5,
                timeout: float = 5.0) -> Polls:
    """GET /healthz on a new connection every `every` seconds for `seconds` (each waits `timeout` at most)."""
    polls = Polls()
    stop_at = time.monotonic() + seconds
    while time.monotonic() < stop_at:
        started = time.perf_counter()
        connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
        try:
            connection.request("GET", "/healthz")
            response = connection.getresponse()
            response.read()
            elapsed = time.perf_counter() - started
            if response.status == 200:
                polls.latencies.append(elapsed)
            else:
                polls.failures.append(f"{response.status} after {elapsed:.1f} s")
        except (OSError, http.client.HTTPException) as error:
            polls.failures.append(f"{type(error).__name__} after {time.perf_counter() - started:.1f} s")
        finally:
            connection.close()
        if slow is not None:
            polls.held.append(slow.held())
        time.sleep(max(0.0, every - (time.perf_counter() - started)))
    if slow is not None:
        polls.drops = slow.drops
    return polls


def measure(port: int, clients: int, seconds: float, interval: float = 2.0) -> Polls:
    slow = SlowClients(port, clients, interval).start()
    try:
        time.sleep(min(2.0, interval))  # every slow client is in the middle of its request
        return poll_health(port, seconds, slow)
    finally:
        slow.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, required=True, help="a server on 127.0.0.1")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--interval", type=float, default=2.0)
    args = parser.parse_args()
    if not (0 < args.clients <= 1000 and 0 < args.seconds <= 600):
        parser.error("--clients in 1..1000, --seconds in (0, 600]")
    print(f"{args.clients} slow clients on 127.0.0.1:{args.port}, {args.seconds:.0f} s: "
          + measure(args.port, args.clients, args.seconds, args.interval).summary())


if __name__ == "__main__":
    main()
