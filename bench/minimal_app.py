"""The physical limit for the calendar feed: a minimal Flask app serving fixed bytes from memory.

    BENCH_BODY_FILE=feed.ics BENCH_ETAG=<etag, unquoted> gunicorn -c gunicorn.conf.py bench.minimal_app:app

bench/reads.py starts it under the project's own gunicorn.conf.py, beside the real app, with the feed bytes
and ETag fetched from the real app. Its one route answers like the real feed: `text/calendar`, the strong
ETag, `Cache-Control: no-cache, private`, and 304 when If-None-Match matches (werkzeug's set_etag and
make_conditional, as planner/feeds.py does). No database, no templates, no extensions: what is left of a
request is gunicorn, Flask's dispatch and the bytes.
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, Response, request
from werkzeug.wrappers import Response as WerkzeugResponse

BODY = Path(os.environ["BENCH_BODY_FILE"]).read_bytes()
ETAG = os.environ["BENCH_ETAG"]

app = Flask(__name__)


@app.get("/healthz")
def healthz() -> str:
    return "ok"


@app.get("/plans/<token>.ics")
def calendar(token: str) -> WerkzeugResponse:
    response = Response(BODY, mimetype="text/calendar")
    response.set_etag(ETAG)
    response.headers["Cache-Control"] = "no-cache, private"
    return response.make_conditional(request)
