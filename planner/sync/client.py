"""intervals.icu's REST API, as the worker and the connect check use it.

HTTP Basic with the user `API_KEY` and the runner's key. Every call is paced under intervals.icu's
rate limit, and a 429, a 5xx, a timeout or a dropped connection is tried again with exponential
backoff (a 429's Retry-After wins) a few times before the call gives up with `Unavailable`. A 401
or 403 is never retried: `Refused`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any

import requests

REQUESTS_PER_SECOND = 8.0  # intervals.icu allows about 10 a second; keep a margin
TIMEOUT = 20.0  # seconds to connect, and then between bytes of the answer
CHUNK = 50  # events per bulk request


class IntervalsError(Exception):
    """A call to intervals.icu that did not work; the message is for the runner's page."""


class Refused(IntervalsError):
    """401 or 403: the key is wrong, revoked, or not this athlete's. Retrying cannot help."""


class NotFound(IntervalsError):
    """404: no such athlete (or event)."""


class Unavailable(IntervalsError):
    """429, 5xx, a timeout or no connection, still so after the retries; `retry_after` in seconds."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Pace:
    """At most `rate` calls a second from this process (a shared, thread-safe pacer)."""

    def __init__(self, rate: float, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.interval = 1.0 / rate
        self.clock, self.sleep = clock, sleep
        self.next = 0.0
        self.lock = threading.Lock()

    def wait(self) -> None:
        with self.lock:
            now = self.clock()
            start = max(now, self.next)
            self.next = start + self.interval
        if start > now:
            self.sleep(start - now)


PACE = Pace(REQUESTS_PER_SECOND)


@dataclass
class Client:
    base_url: str
    athlete_id: str
    api_key: str
    attempts: int = 4  # tries per call
    backoff: float = 1.0  # seconds before the second try, doubling after
    max_wait: float = 60.0  # the longest Retry-After honoured inside a call
    timeout: float = TIMEOUT
    calls: int = 0  # HTTP requests made, retries included
    pace: Pace = field(default_factory=lambda: PACE)
    session: requests.Session = field(default_factory=requests.Session)

    def __post_init__(self) -> None:
        self.session.auth = ("API_KEY", self.api_key)
        self.session.headers["Accept"] = "application/json"

    # -- the calls we make ---------------------------------------------------------------------

    def athlete(self) -> dict[str, Any]:
        """The athlete the key belongs to: the connect check."""
        return dict(self._call("GET", f"/api/v1/athlete/{self.athlete_id}"))

    def upsert(self, events: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        """Create the events, or update those whose `external_id` is already there (no duplicates)."""
        answered: list[dict[str, Any]] = []
        for start in range(0, len(events), CHUNK):
            answered += self._call("POST", f"/api/v1/athlete/{self.athlete_id}/events/bulk",
                                   params={"upsert": "true", "upsertOnUid": "false", "updatePlanApplied": "false"},
                                   json=list(events[start:start + CHUNK]))
        return answered

    def delete(self, external_ids: Sequence[str]) -> int:
        """Delete the events with these external ids; how many intervals.icu deleted."""
        deleted = 0
        for start in range(0, len(external_ids), CHUNK * 2):
            doomed = [{"external_id": e} for e in external_ids[start:start + CHUNK * 2]]
            answer = self._call("PUT", f"/api/v1/athlete/{self.athlete_id}/events/bulk-delete", json=doomed)
            deleted += int(answer.get("eventsDeleted", 0)) if isinstance(answer, dict) else 0
        return deleted

    # -- the one way a call is made -------------------------------------------------------------

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        wait = self.backoff
        for attempt in range(1, self.attempts + 1):
            self.pace.wait()
            self.calls += 1
            try:
                response = self.session.request(method, self.base_url + path, timeout=self.timeout, **kwargs)
            except requests.RequestException:
                failure = Unavailable("intervals.icu did not answer in time.")
            else:
                if response.status_code in (401, 403):
                    raise Refused("intervals.icu did not accept the API key for this athlete "
                                  f"({response.status_code}). Paste a new key from intervals.icu's settings.")
                if response.status_code == 404:
                    raise NotFound(f"intervals.icu has no athlete {self.athlete_id}.")
                if response.ok:
                    return response.json() if response.content else {}
                retry_after = _retry_after(response.headers.get("Retry-After"))
                if response.status_code != 429 and response.status_code < 500:
                    raise IntervalsError(f"intervals.icu refused our request ({response.status_code}).")
                failure = Unavailable(f"intervals.icu is busy or down ({response.status_code}).", retry_after)
            if attempt == self.attempts:
                raise failure
            pause = failure.retry_after if failure.retry_after is not None else wait
            if pause > self.max_wait:
                raise failure  # the worker schedules the next pass instead of holding the job
            time.sleep(pause)
            wait *= 2
        raise AssertionError("unreachable")


def _retry_after(value: str | None) -> float | None:
    """Retry-After in seconds: a number of seconds or an HTTP date (RFC 9110, 10.2.3)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - time.time())
