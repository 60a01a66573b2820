"""/api/v1: thin translation between HTTP and the services."""

from __future__ import annotations

import json
from typing import Any, TypeVar

from flask import Blueprint, Response, jsonify, request, url_for
from pydantic import BaseModel, ValidationError

from .. import services
from ..exports import table
from ..extensions import checkin_limit, create_limit, csrf, manage_limit
from ..schemas import CheckInModel, PlanRequestModel, field_errors, plan_json
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
    """The JSON body validated by `model`: 400 when it is not JSON, 422 naming each bad field."""
    raw = request.get_data(cache=True)
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise BadBody(problem(400, "The request body is not valid JSON.")) from None
    if not isinstance(data, dict):
        raise BadBody(problem(422, "The request body must be a JSON object.",
                              errors=[{"field": "body", "message": "Expected a JSON object."}]))
    try:
        return model.model_validate_json(raw, strict=True)
    except ValidationError as error:
        raise BadBody(validation_problem(field_errors(error))) from None


def _stored_body(token: str, plan_body: dict[str, Any], checkins: list[Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"token": token, "links": services.links(token), "plan": plan_body}
    if checkins is not None:
        body["checkins"] = [_checkin_json(c) for c in checkins]
    return body


def _checkin_json(c: Any) -> dict[str, Any]:
    return {"date": c.date.isoformat(), "pain_during": c.pain_during, "pain_next_morning": c.pain_next_morning,
            "completed": c.completed, "notes": c.notes}


def _engine_error(error: Exception) -> Response:
    field = getattr(error, "field", "body")
    message = getattr(error, "message", str(error))
    return validation_problem([{"field": field, "message": message}])


@bp.post("/plans/preview")
def preview() -> Response:
    model = _parse(PlanRequestModel)
    try:
        plan = services.preview(model)
    except services.InputError as error:
        return _engine_error(error)
    return jsonify(plan_json(plan))


@bp.post("/plans")
@create_limit
def create_plan() -> Response | tuple[Response, int, dict[str, str]]:
    model = _parse(PlanRequestModel)
    try:
        record, plan = services.create(model)
    except services.InputError as error:
        return _engine_error(error)
    if record is None:
        return jsonify({"token": None, "links": None, "plan": plan_json(plan)})
    body = _stored_body(record.token, plan_json(plan))
    return jsonify(body), 201, {"Location": url_for("api.get_plan", token=record.token)}


@bp.get("/plans/<token>")
def get_plan(token: str) -> Response:
    stored = services.get(token)
    return jsonify(_stored_body(token, plan_json(stored.plan), stored.checkins))


@bp.get("/plans/<token>/sessions")
def get_sessions(token: str) -> Response:
    """The session table of the CSV export, as JSON."""
    stored = services.get(token)
    return jsonify({"token": token, "sessions": table.to_records(stored.plan)})


@bp.delete("/plans/<token>")
@manage_limit
def delete_plan(token: str) -> tuple[str, int]:
    services.delete(token)
    return "", 204


@bp.post("/plans/<token>/checkins")
@checkin_limit
def add_checkin(token: str) -> Response | tuple[Response, int]:
    model = _parse(CheckInModel)
    try:
        checkin, decision, plan = services.check_in(token, model)
    except services.CheckInRejected as error:
        return _engine_error(error)
    return jsonify({"checkin": _checkin_json(checkin), "decision": decision.value, "plan": plan_json(plan)}), 201


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(document())
