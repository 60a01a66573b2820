"""Stored bytes as HTTP responses: strong ETag, Last-Modified, 304 on a matching condition."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from functools import lru_cache

from flask import Response, request
from werkzeug.http import http_date
from werkzeug.wrappers import Response as WerkzeugResponse

from .store import exports
from .store.exports import Body

REVALIDATE = "no-cache, private"  # a private copy, checked with the ETag before every use


def stored(token: str, kind: str, variant: exports.Fresh, render: Callable[[], list[Body]], mimetype: str, *,
           filename: str | None = None, headers: dict[str, str] | None = None,
           live: Callable[[], bytes] | None = None) -> WerkzeugResponse:
    """`kind` of the plan's current revision: one lookup for its stamp; a request that repeats the
    current ETag is answered 304 from it alone, any other gets the bytes (kept, stored or rendered).

    `live` gives a JSON object's last member(s) that change without a new revision (a sync's status):
    they are added to the stored object on the way out, and the ETag covers them too."""
    extra = live() if live else b""
    stamp = exports.stamp(token, kind, variant)
    if stamp is not None and request.if_none_match.contains(with_live(stamp.etag, extra)):
        return not_modified(with_live(stamp.etag, extra), headers)
    body = exports.bytes_of(token, kind, stamp, variant, render)
    if extra:
        body = replace(body, body=body.body[:-1] + b"," + extra + b"}", etag=with_live(body.etag, extra))
    return send(body, mimetype, filename=filename, headers=headers)


def with_live(etag: str, extra: bytes) -> str:
    """The ETag of stored bytes sent with a live part."""
    return hashlib.sha256(etag.encode() + b"/" + extra).hexdigest() if extra else etag


def not_modified(etag: str, headers: dict[str, str] | None = None) -> Response:
    response = Response(status=304)
    response.set_etag(etag)
    response.headers["Cache-Control"] = REVALIDATE
    response.headers.update(headers or {})
    return response


@lru_cache(maxsize=4096)
def _http_date(moment: datetime) -> str:
    """Last-Modified as HTTP spells it: a stored revision's moment, formatted once per process."""
    return http_date(moment)


# The request headers werkzeug's make_conditional answers (with a 304, 412 or 206).
_CONDITIONS = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE",
               "HTTP_RANGE")


def send(body: Body, mimetype: str, *, filename: str | None = None,
         headers: dict[str, str] | None = None) -> WerkzeugResponse:
    """`body` as `mimetype` (a text type gets "; charset=utf-8"); 304 when the request already has it."""
    response = Response(body.body, mimetype=mimetype)
    response.set_etag(body.etag)
    response.headers["Last-Modified"] = _http_date(body.last_modified)
    response.headers["Cache-Control"] = REVALIDATE
    if filename:
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    if headers:
        response.headers.update(headers)
    environ = request.environ
    if any(name in environ for name in _CONDITIONS):  # an unconditional GET has nothing to compare
        return response.make_conditional(request)
    return response
