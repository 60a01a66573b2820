"""The web form and the plan page: thin translation between HTML forms and the services."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, redirect, render_template, request, url_for
from pydantic import ValidationError
from werkzeug.datastructures import MultiDict

from . import services
from .engine.screening import RED_FLAGS
from .schemas import CheckInModel, PlanRequestModel, field_errors

bp = Blueprint("web", __name__)

CHECKBOXES = ("morning_after_worse",)


def form_data(form: MultiDict[str, str]) -> dict[str, Any]:
    """Form fields as the model's input: empty fields left out, checkboxes as booleans."""
    data: dict[str, Any] = {}
    for name in form:
        if name in ("csrf_token", "red_flags"):
            continue
        value = form.get(name, "").strip()
        if value != "":
            data[name] = value
    for name in CHECKBOXES:
        data[name] = name in form and form.get(name) not in ("", "false", "off", "0")
    data["red_flags"] = [v for v in form.getlist("red_flags") if v]
    return data


@bp.get("/")
def index() -> str:
    return render_template("form.html", values={}, errors={}, red_flags=RED_FLAGS)


@bp.post("/plans")
def create() -> Response | tuple[str, int]:
    values = request.form
    try:
        model = PlanRequestModel.model_validate(form_data(values))
        record, plan = services.create(model)
    except ValidationError as error:
        errors = {e["field"]: e["message"] for e in field_errors(error)}
        return render_template("form.html", values=values, errors=errors, red_flags=RED_FLAGS), 422
    except services.InputError as error:
        return render_template("form.html", values=values, errors={error.field: error.message},
                               red_flags=RED_FLAGS), 422
    if record is None:
        return render_template("referral.html", plan=plan), 200
    return redirect(url_for("web.plan_page", token=record.token), 303)


@bp.get("/plans/<token>")
def plan_page(token: str) -> str:
    stored = services.get(token)
    return render_template("plan.html", token=token, stored=stored, plan=stored.plan,
                           links=services.links(token), today=services.today(), errors={}, values={})


@bp.post("/plans/<token>/checkins")
def checkin(token: str) -> Response | tuple[str, int]:
    data = {k: v for k, v in form_data(request.form).items() if k not in ("morning_after_worse", "red_flags")}
    data["completed"] = request.form.get("completed", "yes") not in ("no", "false", "0")
    try:
        services.check_in(token, CheckInModel.model_validate(data))
    except ValidationError as error:
        return _plan_with_errors(token, {e["field"]: e["message"] for e in field_errors(error)})
    except services.CheckInRejected as error:
        return _plan_with_errors(token, {error.field: error.message})
    return redirect(url_for("web.plan_page", token=token) + "#checkins", 303)


def _plan_with_errors(token: str, errors: dict[str, str]) -> tuple[str, int]:
    stored = services.get(token)
    return render_template("plan.html", token=token, stored=stored, plan=stored.plan, links=services.links(token),
                           today=services.today(), errors=errors, values=request.form), 422


@bp.post("/plans/<token>/rotate")
def rotate(token: str) -> Response:
    new = services.rotate(token)
    return redirect(url_for("web.plan_page", token=new), 303)


@bp.post("/plans/<token>/delete")
def delete(token: str) -> Response:
    services.delete(token)
    return redirect(url_for("web.index", deleted=1), 303)
