"""The plan where runners live: the calendar feed, the CSV table and the Garmin workouts."""

from __future__ import annotations

from flask import Blueprint, Response, abort, request

from . import services

bp = Blueprint("feeds", __name__)


@bp.get("/plans/<token>.ics")
def calendar(token: str) -> Response:
    """Serve the bytes rendered at the plan's last revision; conditional GETs answer 304."""
    export = services.cached_export(token, "ics")
    response = Response(export.body, mimetype="text/calendar")
    response.set_etag(export.etag)
    response.last_modified = services._aware(export.last_modified)
    response.headers["Cache-Control"] = "no-cache, private"
    if request.args.get("download"):
        response.headers["Content-Disposition"] = 'attachment; filename="return-to-run.ics"'
    return response.make_conditional(request)


@bp.get("/plans/<token>.csv")
def table(token: str) -> Response:
    abort(404)


@bp.get("/plans/<token>/garmin.zip")
def garmin(token: str) -> Response:
    abort(404)
