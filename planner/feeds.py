"""The plan where runners live: the calendar feed, the CSV table and the Garmin workouts.

Each is rendered from the plan's latest revision on its first read and served as stored bytes after.
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Callable
from datetime import UTC, datetime, time

from flask import Blueprint, abort, request
from werkzeug.wrappers import Response as WerkzeugResponse

from . import services, urls
from .engine import Plan
from .exports import fit, ical
from .exports import table as tables
from .serve import send, stored
from .store.exports import Body

bp = Blueprint("feeds", __name__)

CALENDAR, CALENDAR_GZIP = "ics", "ics.gz"


@bp.get("/plans/<token:token>.ics")
def calendar(token: str) -> WerkzeugResponse:
    """The subscription feed. Calendar clients mostly send Accept-Encoding: gzip, so a gzip copy is
    stored beside the plain one. `?download=1` makes it a file to import once."""
    environ = request.environ  # most polls send neither header nor query: nothing to parse
    compressed = "HTTP_ACCEPT_ENCODING" in environ and request.accept_encodings["gzip"] > 0
    headers = {"Vary": "Accept-Encoding"}
    if compressed:
        headers["Content-Encoding"] = "gzip"
    if environ.get("QUERY_STRING") and request.args.get("download", "").lower() in {"1", "true", "yes"}:
        headers["Content-Disposition"] = 'attachment; filename="return-to-run.ics"'
    variant = f"{urls.base()} {ical.FORMAT}"  # a new renderer makes stored feeds stale
    return stored(token, CALENDAR_GZIP if compressed else CALENDAR, variant, lambda: _calendars(token),
                  "text/calendar", headers=headers)


def _calendars(token: str) -> list[Body]:
    plan = services.get(token)
    body = ical.render_calendar(plan.plan, stamps=plan.revision.stamps, page_url=urls.page(token))
    # Every stamp, those of sessions gone too: a removed event changes the feed as much as a new one.
    modified = max((s.modified for s in plan.revision.stamps.values()), default=plan.revision.created_at)
    return [Body(CALENDAR, body, modified), Body(CALENDAR_GZIP, gzip.compress(body, mtime=0), modified)]


@bp.get("/plans/<token:token>.csv")
def table(token: str) -> WerkzeugResponse:
    """One row per session, UTF-8 with a BOM so Excel opens it right."""
    return stored(token, "csv", "", lambda: _file(token, "csv", tables.to_csv), "text/csv",
                  filename="return-to-run.csv")


@bp.get("/plans/<token:token>/garmin.zip")
def garmin(token: str) -> WerkzeugResponse:
    """One FIT workout per run session, the schedule of the next four weeks for the watch's calendar,
    and a README on copying them to GARMIN/NewFiles. The schedule starts at the runner's today, so the
    stored zip is kept per day: its variant is the plan's zone and that day."""

    def fresh(variant: str) -> bool:
        timezone, _, day = variant.partition(" ")
        return bool(timezone) and services.today(timezone).isoformat() == day

    return stored(token, "garmin", fresh, lambda: _garmin(token), "application/zip",
                  filename="return-to-run-garmin.zip")


def _garmin(token: str) -> list[Body]:
    plan = services.get(token)
    timezone = plan.plan.request.timezone
    today = services.today(timezone)
    body = fit.workouts_zip(plan.plan, today=today)
    # The bytes changed at the start of the runner's day as much as at the revision: a client asking
    # If-Modified-Since with yesterday's copy must not be told it is current.
    day_began = datetime.combine(today, time(0, 0), tzinfo=services.zone(timezone)).astimezone(UTC)
    modified = max(plan.revision.created_at, day_began)
    return [Body("garmin", body, modified, etag=_link_etag(token, body), variant=f"{timezone} {today}")]


def _file(token: str, kind: str, render: Callable[[Plan], bytes]) -> list[Body]:
    plan = services.get(token)
    body = render(plan.plan)
    return [Body(kind, body, plan.revision.created_at, etag=_link_etag(token, body))]


def _link_etag(token: str, body: bytes) -> str:
    """A file's ETag, of this link's copy: a file holds no URL, so after "New link" the same bytes
    must not carry the same ETag, or the old and new links could be tied to one plan."""
    return hashlib.sha256(token.encode() + b"\0" + body).hexdigest()


@bp.get("/plans/<token:token>/sessions/<uid>.fit")
def session_fit(token: str, uid: str) -> WerkzeugResponse:
    """One run session as a FIT workout; 404 for a uid the plan does not have or a session that is not a run."""
    plan = services.get(token)
    found = fit.session_file(plan.plan, uid)
    if found is None:
        abort(404)
    name, body = found
    return send(Body(uid, body, plan.revision.created_at, etag=_link_etag(token, body)), "application/vnd.ant.fit",
                filename=name)
