"""The plan where runners live: the calendar feed, the CSV table and the Garmin workouts."""

from __future__ import annotations

import hashlib
from typing import Any

from flask import Blueprint, Response, abort, request
from sqlalchemy import Row
from werkzeug.wrappers import Response as WerkzeugResponse

from . import services
from .exports import fit
from .exports import table as tables

bp = Blueprint("feeds", __name__)


@bp.get("/plans/<token>.ics")
def calendar(token: str) -> WerkzeugResponse:
    """Serve the bytes rendered at the plan's last revision (never re-rendered on a poll).

    Strong ETag and Last-Modified from the stored row; If-None-Match / If-Modified-Since answer 304.
    `?download=1` makes it a file to import once rather than a feed to subscribe to.
    """
    # Calendar clients mostly send Accept-Encoding: gzip; the compressed bytes are stored with the plain ones.
    compressed = request.accept_encodings["gzip"] > 0
    if request.if_none_match:
        # Most polls repeat the last ETag: answer those without reading the body at all.
        stamp, _ = _stored_calendar(token, compressed, with_body=False)
        if request.if_none_match.contains(stamp.etag):
            response = Response(status=304)
            response.set_etag(stamp.etag)
            _feed_headers(response)
            return response
    export, compressed = _stored_calendar(token, compressed, with_body=True)
    response = Response(export.body, mimetype="text/calendar")
    response.set_etag(export.etag)
    response.last_modified = services.as_utc(export.last_modified)
    _feed_headers(response)
    if compressed:
        response.headers["Content-Encoding"] = "gzip"
    if request.args.get("download", "").lower() in {"1", "true", "yes"}:
        response.headers["Content-Disposition"] = 'attachment; filename="return-to-run.ics"'
    return response.make_conditional(request)


def _stored_calendar(token: str, compressed: bool, *, with_body: bool) -> tuple[Row[Any], bool]:
    """The stored calendar in the wanted encoding; plain when no gzip copy was stored (plans saved
    before gzip copies existed get one at their next revision)."""
    if compressed:
        try:
            return services.cached_export(token, services.CALENDAR_GZIP, with_body=with_body), True
        except services.PlanNotFound:
            pass
    return services.cached_export(token, services.CALENDAR, with_body=with_body), False


def _feed_headers(response: Response) -> None:
    response.headers["Cache-Control"] = "no-cache, private"
    response.headers["Vary"] = "Accept-Encoding"


@bp.get("/plans/<token>.csv")
def table(token: str) -> WerkzeugResponse:
    """One row per session, UTF-8 with a BOM so Excel opens it right."""
    body = services.rendered(token, "csv", tables.to_csv)
    return _download(body, "text/csv; charset=utf-8", "return-to-run.csv")


@bp.get("/plans/<token>/garmin.zip")
def garmin(token: str) -> WerkzeugResponse:
    """One FIT workout per run session and a README on copying them to GARMIN/NewFiles."""
    body = services.rendered(token, "garmin", fit.workouts_zip)
    return _download(body, "application/zip", "return-to-run-garmin.zip")


@bp.get("/plans/<token>/sessions/<uid>.fit")
def session_fit(token: str, uid: str) -> WerkzeugResponse:
    """One run session as a FIT workout; 404 for a uid the plan does not have or a session that is not a run."""
    plan = services.get(token).plan
    found = fit.session_file(plan, uid)
    if found is None:
        abort(404)
    name, body = found
    return _download(body, "application/vnd.ant.fit", name)


def _download(body: bytes, mimetype: str, filename: str) -> WerkzeugResponse:
    response = Response(body, content_type=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-cache, private"
    response.set_etag(hashlib.sha256(body).hexdigest())
    return response.make_conditional(request)
