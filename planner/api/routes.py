"""/api/v1: thin translation between HTTP and the services."""

from __future__ import annotations

import datetime as dt
from typing import TypeVar

from flask import Blueprint, Response, current_app, jsonify, request, url_for
from pydantic import BaseModel, ValidationError
from pydantic_core import to_json
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response as WerkzeugResponse

from .. import reminders, serve, services, urls
from ..engine import Plan
from ..engine.words import DISCLAIMER
from ..exports import table
from ..extensions import checkin_limit, create_limit, csrf, manage_limit
from ..schemas import (
    ActivityOut,
    ActivityResultOut,
    AwayModel,
    CheckInModel,
    CheckInOut,
    IntervalsConnectionModel,
    IntervalsStatusOut,
    LinksOut,
    MorningModel,
    PlanRequestModel,
    PreviewRequestModel,
    ReminderModel,
    ReminderOut,
    SessionRowOut,
    SessionTableOut,
    ShareOut,
    field_errors,
    plan_data,
    plan_json,
)
from ..store import codec, exports
from ..store.exports import Body
from ..store.models import CheckInRecord
from ..uploads import activity_file, too_large
from .openapi import document
from .problems import problem, validation_problem

M = TypeVar("M", bound=BaseModel)

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)


class BadBody(Exception):
    def __init__(self, response: Response) -> None:
        self.response = response


@bp.errorhandler(BadBody)
def _bad_body(error: BadBody) -> Response:
    return error.response


def _parse(model: type[M]) -> M:
    """The JSON body validated by `model`: 415 when it is not sent as JSON, 400 when it is not JSON
    (or nests deeper than pydantic's parser goes, 200 levels), 422 naming each bad field.

    Only a JSON media type is read, so a page on another site cannot post a body without a CORS
    preflight (text/plain and forms need none). The raw bytes go straight to pydantic's parser, whose
    depth limit stops deep nesting before Python's recursion limit is anywhere near."""
    raw = request.get_data(cache=True)
    if not _sent_as_json() and (raw or request.content_type):  # no body at all is simply not JSON: 400
        accept = "Accept-Patch" if request.method == "PATCH" else "Accept-Post"
        raise BadBody(problem(415, "Send the request body as JSON, with Content-Type: application/json.",
                              headers={accept: "application/json"}))
    try:
        return model.model_validate_json(raw, strict=True)
    except ValidationError as error:
        raise BadBody(_invalid(error)) from None


def _sent_as_json() -> bool:
    """application/json or a +json type (RFC 6839), in UTF-8, the only charset JSON has (RFC 8259)."""
    mimetype = request.mimetype  # lower case, without parameters
    if mimetype != "application/json" and not (mimetype.startswith("application/") and mimetype.endswith("+json")):
        return False
    return request.mimetype_params.get("charset", "utf-8").lower() in ("utf-8", "utf8")


def _invalid(error: ValidationError) -> Response:
    """The answer to a body pydantic refused: not JSON (400), not an object, or bad fields (422)."""
    problems = error.errors(include_url=False, include_input=False)
    not_json = next((item for item in problems if item["type"] == "json_invalid"), None)
    if not_json is not None:
        deep = "recursion limit exceeded" in not_json["msg"]
        return problem(400, "The request body is not valid JSON: it is nested too deeply." if deep
                       else "The request body is not valid JSON.")
    if any(item["type"] == "model_type" and not item["loc"] for item in problems):
        return problem(422, "The request body must be a JSON object.",
                       errors=[{"field": "body", "message": "Expected a JSON object."}])
    return validation_problem(field_errors(error))


def _json(body: BaseModel | dict[str, object], status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """A response model, or its data (schemas.plan_data), serialised by pydantic: the models the OpenAPI
    document describes."""
    raw = body.model_dump_json() if isinstance(body, BaseModel) else to_json(body)
    return Response(raw, status=status, headers=headers, mimetype="application/json")


@bp.errorhandler(services.InputError)
def _input_problem(error: services.InputError) -> Response:
    return validation_problem([{"field": error.field, "message": error.message}])


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(error: RequestEntityTooLarge) -> Response:
    upload = too_large()
    return _input_problem(upload) if upload else problem(413, error.description or "")


@bp.errorhandler(services.CheckInNotFound)
def _no_checkin(_error: services.CheckInNotFound) -> Response:
    return problem(404, "There is no check-in on that day.")


def _stored(token: str, plan: Plan, checkins: list[CheckInRecord] | None = None,
            share_token: str | None = None) -> dict[str, object]:
    """A StoredPlan's data."""
    return {
        "token": token,
        "links": LinksOut(**urls.links(token)).model_dump(mode="json"),
        "plan": plan_data(plan),
        "checkins": [CheckInOut.model_validate(c).model_dump(mode="json") for c in checkins or []],
        "share": urls.shared(share_token) if share_token else None,
    }


def _result(written: services.Written, status: int) -> Response:
    """A CheckInResult."""
    return _json({"checkin": CheckInOut.model_validate(written.checkin).model_dump(mode="json"),
                  "decision": written.decision.value, "plan": plan_data(written.plan)}, status)


PREVIEWS_KEPT = 16 * 1024 * 1024  # bytes of preview answers kept per app (and so per worker process)


@bp.post("/plans/preview")
def preview() -> Response:
    """The engine is deterministic, so answers are kept by what determines them: a what-if asked again
    (a physio going back to it, a script polling it) is not computed again."""
    model = _parse(PreviewRequestModel)  # a plain PlanRequest, or one with checkins and as_of
    kept: exports.Recent | None = current_app.extensions.get("planner.previews")
    if kept is None:
        kept = current_app.extensions.setdefault("planner.previews", exports.Recent(PREVIEWS_KEPT))
    key = services.preview_key(model)
    body = kept.get(key)
    if body is None:
        body = plan_json(services.preview(model))
        kept.put(key, body)
    return Response(body, mimetype="application/json")


@bp.post("/plans")
@create_limit
def create_plan() -> Response:
    record, plan = services.create(_parse(PlanRequestModel))
    if record is None:
        return _json({"token": None, "links": None, "plan": plan_data(plan)})  # a ReferralOut
    body = {**_stored(record.token, plan), "connections": {"intervals": None}, "reminders": None}  # nothing linked yet
    return _json(body, 201, {"Location": url_for("api.get_plan", token=record.token)})


@bp.get("/plans/<token:token>")
def get_plan(token: str) -> WerkzeugResponse:
    """The stored plan: its JSON rendered once per revision, with a strong ETag."""
    def render() -> list[Body]:
        stored = services.get(token)
        body = to_json(_stored(token, stored.plan, stored.checkins, stored.record.share_token))
        return [Body("api", body, stored.revision.created_at)]

    return serve.stored(token, "api", urls.base(), render, "application/json",
                        live=lambda: exports.unless_committed((token, "api-live", ""), lambda: _live(token)))


def _live(token: str) -> bytes:
    """`"connections": {...}, "reminders": {...}`: how the plan's syncs stand and where its email
    reminder goes, read on every request (they change between revisions). Never the key, never the
    whole address."""
    connection = services.intervals_status(token)
    status = None if connection is None else IntervalsStatusOut.model_validate(connection, from_attributes=True)
    reminder = reminders.status(token)
    emails = None if reminder is None else ReminderOut(email=reminder.masked).model_dump(mode="json")
    return (b'"connections":' + to_json({"intervals": status.model_dump(mode="json") if status else None})
            + b',"reminders":' + to_json(emails))


@bp.put("/plans/<token:token>/reminders")
@manage_limit
def subscribe_reminders(token: str) -> tuple[str, int]:
    """Email a reminder to this address the morning after each run (replacing any address given before)."""
    reminders.subscribe(token, _parse(ReminderModel), urls.base())
    return "", 204


@bp.delete("/plans/<token:token>/reminders")
@manage_limit
def stop_reminders(token: str) -> tuple[str, int]:
    """No more reminders: the address is deleted (204 whether or not there was one)."""
    reminders.unsubscribe(token)
    return "", 204


@bp.errorhandler(reminders.NotSetUp)
def _no_email(_error: reminders.NotSetUp) -> Response:
    return problem(409, "Email reminders are not set up on this server (it has no SMTP server, SMTP_URL), "
                        "so no address was saved.")


@bp.put("/plans/<token:token>/connections/intervals")
@manage_limit
def connect_intervals(token: str) -> tuple[str, int]:
    """Link the plan to the runner's intervals.icu calendar (and through it Garmin Connect's)."""
    services.connect_intervals(token, _parse(IntervalsConnectionModel), urls.base())
    return "", 204


@bp.delete("/plans/<token:token>/connections/intervals")
@manage_limit
def disconnect_intervals(token: str) -> tuple[str, int]:
    """Unlink it: the worker's next pass removes our events from that calendar and deletes the key."""
    services.disconnect_intervals(token)
    return "", 204


@bp.errorhandler(services.IntervalsUnavailable)
def _intervals_down(error: services.IntervalsUnavailable) -> Response:
    wait = str(round(error.retry_after)) if error.retry_after else "60"
    return problem(503, "intervals.icu did not answer, so the key could not be checked and nothing was saved. "
                        "Please try again in a minute.", headers={"Retry-After": wait})


@bp.get("/plans/<token:token>/sessions")
def get_sessions(token: str) -> WerkzeugResponse:
    """The session table of the CSV export, as JSON."""
    def render() -> list[Body]:
        stored = services.get(token)
        rows = [SessionRowOut.model_validate(row) for row in table.to_records(stored.plan)]
        body = SessionTableOut(token=token, sessions=rows, disclaimer=DISCLAIMER).model_dump_json().encode()
        return [Body("sessions", body, stored.revision.created_at)]

    return serve.stored(token, "sessions", "", render, "application/json")


@bp.delete("/plans/<token:token>")
@manage_limit
def delete_plan(token: str) -> tuple[str, int]:
    services.delete(token)
    return "", 204


@bp.post("/plans/<token:token>/share")
@manage_limit
def share_plan(token: str) -> Response:
    """A read-only link for a physio; posting again replaces it (the old one answers 404)."""
    return _json(ShareOut(link=urls.shared(services.share(token))), 201)


@bp.delete("/plans/<token:token>/share")
@manage_limit
def stop_sharing(token: str) -> tuple[str, int]:
    """Revoke the physio's link (204 whether or not there was one); the runner's links stay."""
    services.stop_sharing(token)
    return "", 204


@bp.post("/plans/<token:token>/checkins")
@checkin_limit
def add_checkin(token: str) -> Response:
    return _result(services.check_in(token, _parse(CheckInModel)), 201)


@bp.patch("/plans/<token:token>/checkins/<day:date>")
@checkin_limit
def add_morning(token: str, date: dt.date) -> Response:
    """Add or correct a check-in's next-morning score (and notes), a day later (rule 31)."""
    return _result(services.add_morning(token, date, _parse(MorningModel)), 200)


@bp.errorhandler(services.AwayNotFound)
def _no_away(_error: services.AwayNotFound) -> Response:
    return problem(404, "There is no time away starting on that day.")


def _away(written: services.AwayWritten, status: int) -> Response:
    """An AwayResult: the periods away as stored, and the plan re-planned around them."""
    return _json({"away": [p.model_dump(mode="json") for p in written.away], "plan": plan_data(written.plan)}, status)


@bp.post("/plans/<token:token>/away")
@checkin_limit
def add_away(token: str) -> Response:
    """Days away with no sessions (rule 7: up to 7 days is planned rest, longer restarts by the gap rule)."""
    period = _parse(AwayModel)
    return _away(services.add_away(token, period.start, period.end), 201)


@bp.delete("/plans/<token:token>/away/<day:start>")
@checkin_limit
def remove_away(token: str, start: dt.date) -> Response:
    """Remove the time away starting on that day; the plan is re-planned from today on."""
    return _away(services.remove_away(token, start), 200)


@bp.post("/plans/<token:token>/activities")
@checkin_limit
def add_activity(token: str) -> Response:
    """A finished run's file (multipart, field `file`: FIT, GPX or TCX), read and not kept (rule 36)."""
    uploaded = services.add_activity(token, *activity_file())
    activity = ActivityOut(date=uploaded.day, **codec.dump(uploaded.actual))
    body = ActivityResultOut(activity=activity, session_uid=uploaded.session_uid, notes=uploaded.remarks)
    return _json(body, 201)


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(document())
