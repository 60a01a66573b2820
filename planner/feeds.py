"""The plan where runners live: the calendar feed, the CSV table and the Garmin workouts."""

from __future__ import annotations

import hashlib

from flask import Blueprint, Response, abort, request
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
    if request.if_none_match:
        # Most polls repeat the last ETag: answer those without reading the body at all.
        stamp = services.cached_export(token, "ics", with_body=False)
        if request.if_none_match.contains(stamp.etag):
            response = Response(status=304)
            response.set_etag(stamp.etag)
            response.headers["Cache-Control"] = "no-cache, private"
            return response
    export = services.cached_export(token, "ics")
    response = Response(export.body, mimetype="text/calendar")
    response.set_etag(export.etag)
    response.last_modified = services.as_utc(export.last_modified)
    response.headers["Cache-Control"] = "no-cache, private"
    if request.args.get("download", "").lower() in {"1", "true", "yes"}:
        response.headers["Content-Disposition"] = 'attachment; filename="return-to-run.ics"'
    return response.make_conditional(request)


@bp.get("/plans/<token>.csv")
def table(token: str) -> WerkzeugResponse:
    """One row per session, UTF-8 with a BOM so Excel opens it right."""
    plan = services.get(token).plan
    return _download(tables.to_csv(plan), "text/csv; charset=utf-8", "return-to-run.csv")


@bp.get("/plans/<token>/garmin.zip")
def garmin(token: str) -> WerkzeugResponse:
    """One FIT workout per run session and a README on copying them to GARMIN/NewFiles."""
    plan = services.get(token).plan
    return _download(fit.workouts_zip(plan), "application/zip", "return-to-run-garmin.zip")


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
