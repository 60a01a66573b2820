"""A local intervals.icu for tests: its REST API on 127.0.0.1, every request checked against its OpenAPI document.

    with FakeIntervals() as fake:
        fake.add_athlete("i123", "secretkey")
        ...  # the app syncs to fake.url
        assert fake.invalid == []

A request passes, in order: the faults planned for it (`fail`, `hang`, `fail_after`, the rate
limit), the document's paths (404, 405), the athlete's key (401, 403), the document's parameters
and bodies (422), then the handler (intervals_api.HANDLERS; 501 for documented operations the fake
does not answer). Every 404/405/422 for a request the document or the service forbids is listed in
`invalid`. Run it alone for a person to try: `python -m tests.fakes.intervals --athlete i123:KEY`.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from http import HTTPStatus
from types import TracebackType
from typing import Any
from urllib.parse import urljoin

from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest
from openapi_core.templating.paths import APICallPathFinder
from openapi_core.templating.paths.exceptions import OperationNotFound, PathNotFound
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from .intervals_api import HANDLERS, Athlete, Calendar, Call, Event, Missing, NotFaked, Refused
from .intervals_document import explain, openapi

API_KEY_USER = "API_KEY"  # the document: "Username is API_KEY, Password is your API key"
RATE_WINDOW = 1.0  # seconds: the sliding window of rate_limit_per_second
POLL = 0.02  # seconds between the server's looks at whether to stop


@dataclass(frozen=True)
class Failure:
    """A planned answer: this status, with Retry-After when given, and nothing done."""

    status: int
    retry_after: int | None = None


@dataclass(frozen=True)
class Hang:
    """A planned delay before an otherwise ordinary answer: the client's timeout should fire first."""

    seconds: float


@dataclass(frozen=True)
class RequestRecord:
    """One request as it came in (`time` is time.monotonic() on arrival) and the status it got."""

    method: str
    path: str
    query: dict[str, str]
    body: Any
    status: int
    time: float


class _Quiet(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Tests read `requests`; a line per request on stderr would only bury the failures."""


class FakeIntervals:
    """intervals.icu's REST API for tests: athletes, their calendars, and faults on demand. Thread-safe."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, rate_limit_per_second: int | None = None,
                 quiet: bool = True) -> None:
        self.host, self.port, self.quiet = host, port, quiet
        self.rate_limit_per_second = rate_limit_per_second
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._athletes: dict[str, Athlete] = {}
        self._keys: dict[str, str] = {}  # api key -> athlete id; a revoked key is simply gone
        self._calendar = Calendar()
        self._plan: deque[Failure | Hang | None] = deque()  # what the next requests get; None: their due
        self._admitted: deque[float] = deque()  # arrival times inside the rate window
        self._requests: list[RequestRecord] = []
        self._invalid: list[str] = []
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self._finder = APICallPathFinder(openapi().spec)

    # -- running --------------------------------------------------------------------------------

    def start(self) -> FakeIntervals:
        if self._server is not None:
            raise RuntimeError("already started")
        self._stopping.clear()
        self._server = make_server(self.host, self.port, self, threaded=True,
                                   request_handler=_Quiet if self.quiet else None)
        # A short poll, so stop() takes a blink rather than werkzeug's default half second.
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": POLL},
                                        name="fake-intervals", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stops serving; requests still hanging wake and finish on their own threads."""
        if self._server is None:
            return
        self._stopping.set()
        self._server.shutdown()
        if self._thread is not None:
            self._thread.join()
        self._server.server_close()
        self._server = self._thread = None

    @property
    def url(self) -> str:
        """Where the app should send its requests, without a trailing slash."""
        if self._server is None:
            raise RuntimeError("not started")
        return f"http://{self.host}:{self._server.port}"

    def __enter__(self) -> FakeIntervals:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stop()

    # -- accounts -------------------------------------------------------------------------------

    def add_athlete(self, athlete_id: str, api_key: str, *, name: str = "Test Athlete") -> None:
        with self._lock:
            self._athletes[athlete_id] = Athlete(athlete_id, name)
            self._keys = {key: owner for key, owner in self._keys.items() if owner != athlete_id}
            self._keys[api_key] = athlete_id

    def revoke(self, athlete_id: str) -> None:
        """The athlete's key stops working, as when they make a new one in their settings: 401 from now on."""
        with self._lock:
            self._keys = {key: owner for key, owner in self._keys.items() if owner != athlete_id}

    # -- faults ---------------------------------------------------------------------------------

    def fail(self, status: int, times: int = 1, retry_after: int | None = None) -> None:
        """The next `times` requests answer `status` at once (429 with Retry-After when given), changing nothing.

        Planned faults queue: a fail() after a fail_after() comes after that one's failures.
        """
        with self._lock:
            self._plan.extend([Failure(status, retry_after)] * times)

    def hang(self, seconds: float, times: int = 1) -> None:
        """The next `times` requests wait `seconds` before they are handled (and do take effect)."""
        with self._lock:
            self._plan.extend([Hang(seconds)] * times)

    def fail_after(self, n: int, status: int, times: int = 1, retry_after: int | None = None) -> None:
        """`n` more requests go through, then `times` answer `status`: a sync broken halfway."""
        with self._lock:
            self._plan.extend([None] * n + [Failure(status, retry_after)] * times)

    # -- what happened --------------------------------------------------------------------------

    @property
    def requests(self) -> list[RequestRecord]:
        with self._lock:
            return list(self._requests)

    @property
    def invalid(self) -> list[str]:
        """Every request the document or the service forbids, one line per problem; kept by reset_log()."""
        with self._lock:
            return list(self._invalid)

    def events(self, athlete_id: str) -> list[Event]:
        """The athlete's stored events, by start_date_local then id."""
        with self._lock:
            return self._calendar.of(athlete_id)

    def reset_log(self) -> None:
        with self._lock:
            self._requests.clear()

    # -- answering ------------------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        arrived = time.monotonic()
        response = self._answer(request, arrived)
        record = RequestRecord(
            method=request.method, path=request.path,
            query={name: ",".join(values) for name, values in request.args.lists()},
            body=request.get_json(silent=True), status=response.status_code, time=arrived,
        )
        with self._lock:
            self._requests.append(record)
        return response(environ, start_response)

    def _answer(self, request: Request, arrived: float) -> Response:
        planned = self._planned(arrived)
        if isinstance(planned, Failure):
            headers = {"Retry-After": str(planned.retry_after)} if planned.retry_after is not None else {}
            return _json({"status": planned.status, "error": _phrase(planned.status)}, planned.status, headers)
        if isinstance(planned, Hang):
            self._stopping.wait(planned.seconds)

        url = urljoin(request.host_url, request.path)
        try:
            found = self._finder.find(request.method.lower(), url)
        except PathNotFound:
            return self._refuse(request, 404, ["not a path in the document"])
        except OperationNotFound:
            return self._refuse(request, 405, ["not an operation in the document"])

        athlete_id = found.path_result.variables.get("id")
        athlete, denied = self._authenticate(request, athlete_id)
        if denied is not None:
            return denied

        result = openapi().unmarshal_request(WerkzeugOpenAPIRequest(request))
        if result.errors:
            return self._refuse(request, 422, explain(result.errors))

        handler = HANDLERS.get(str(found.operation["operationId"]))
        if handler is None or athlete is None:
            return _json({"error": f"{found.operation['operationId']} is not part of the fake"}, 501)
        call = Call(athlete, result.parameters.path, result.parameters.query, request.get_json(silent=True))
        try:
            with self._lock:
                return _json(handler(self._calendar, call))
        except Refused as refused:
            return self._refuse(request, 422, refused.problems)
        except Missing as missing:
            return _json({"error": str(missing)}, 404)
        except NotFaked as not_faked:
            return _json({"error": str(not_faked)}, 501)

    def _planned(self, arrived: float) -> Failure | Hang | None:
        """The fault planned for this request, else the rate limit's verdict (only admitted requests count)."""
        with self._lock:
            if self._plan:
                planned = self._plan.popleft()
                if isinstance(planned, Failure):
                    return planned
            else:
                planned = None
            if self.rate_limit_per_second is not None:
                while self._admitted and self._admitted[0] <= arrived - RATE_WINDOW:
                    self._admitted.popleft()
                if len(self._admitted) >= self.rate_limit_per_second:
                    return Failure(HTTPStatus.TOO_MANY_REQUESTS, retry_after=1)
                self._admitted.append(arrived)
            return planned

    def _authenticate(self, request: Request, athlete_id: str | None) -> tuple[Athlete | None, Response | None]:
        """401 without a working key; 403 for a working key on someone else's calendar."""
        auth = request.authorization
        key = None
        if auth is not None and auth.type == "basic" and auth.username == API_KEY_USER:
            key = auth.password
        elif auth is not None and auth.type == "bearer":
            key = auth.token
        with self._lock:
            owner = self._keys.get(key) if key else None
            athlete = self._athletes.get(owner) if owner else None
        if athlete is None:
            return None, _json({"status": 401, "error": "Unauthorized"}, 401,
                               {"WWW-Authenticate": 'Basic realm="intervals.icu"'})
        if athlete_id is not None and athlete_id != athlete.id:
            return None, _json({"status": 403, "error": f"Access denied to athlete {athlete_id}"}, 403)
        return athlete, None

    def _refuse(self, request: Request, status: int, problems: list[str]) -> Response:
        lines = [f"{request.method} {request.full_path.rstrip('?')}: {problem}" for problem in problems]
        with self._lock:
            self._invalid += lines
        if not self.quiet:  # run by hand: say why beside the server's own line
            print(*(f"invalid: {line}" for line in lines), sep="\n", file=sys.stderr, flush=True)
        return _json({"status": status, "error": _phrase(status), "problems": problems}, status)


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Planned failure"


def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(body), status=status, headers=headers, mimetype="application/json")


def main(argv: list[str] | None = None) -> None:
    """Serve until Ctrl-C, so a person can point the app's INTERVALS_API_URL at it."""
    parser = argparse.ArgumentParser(prog="python -m tests.fakes.intervals", description=main.__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8400)
    parser.add_argument("--athlete", action="append", default=[], metavar="ID:API_KEY",
                        help="an athlete and their API key (repeatable)")
    options = parser.parse_args(argv)
    fake = FakeIntervals(host=options.host, port=options.port, quiet=False)
    for athlete in options.athlete:
        athlete_id, colon, api_key = athlete.partition(":")
        if not (athlete_id and colon and api_key):
            parser.error(f"--athlete {athlete!r}: write it as ID:API_KEY")
        fake.add_athlete(athlete_id, api_key)
    with fake:
        athletes = ", ".join(athlete.partition(":")[0] for athlete in options.athlete) or "none yet"
        print(f"Fake intervals.icu at {fake.url} (athletes: {athletes}); Ctrl-C stops it", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
