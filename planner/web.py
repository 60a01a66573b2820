"""The web form and the plan page: thin translation between HTML forms and the services."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import groupby
from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, url_for
from markupsafe import Markup
from pydantic import ValidationError
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from . import services
from .chart import PHASE_COLOURS, weekly_minutes_svg
from .engine.build import next_monday
from .engine.plan import Plan, Week
from .engine.screening import RED_FLAGS
from .engine.words import DISCLAIMER, PHASE_NAMES, intervals_in_words
from .extensions import checkin_limit, create_limit, manage_limit
from .schemas import CheckInModel, MorningModel, PlanRequestModel, field_errors

bp = Blueprint("web", __name__)

CHECKBOXES = ("morning_after_worse",)
FALSE_WORDS = ("", "false", "off", "0", "no")

# Plain words for a field whose value could not be read or is out of range.
HINTS = {
    "weekly_volume": "Enter how much you ran in the last 7 days as a number, for example 20 (0 if you have stopped).",
    "current_runs": "Enter how many runs that was as a whole number from 0 to 14, for example 3, or leave it blank.",
    "target_weekly_volume": "Enter your goal as a number above 0, for example 40, or leave it blank.",
    "longest_run": "Enter your longest run as a number above 0, or leave it blank.",
    "current_pain": "Choose a number from 0 (no pain) to 10 (the worst pain imaginable).",
    "pain_tolerance": "Choose a number from 0 to 10.",
    "pain_at_rest": "Choose a number from 0 (none) to 10.",
    "pain_during": "Choose a number from 0 (no pain) to 10.",
    "pain_next_morning": "Choose a number from 0 (no pain) to 10.",
    "cadence": "Enter your cadence as whole steps per minute between 100 and 240, for example 165, or leave it blank.",
    "runs_per_week": "Choose between 2 and 6 runs a week.",
    "unit": "Choose km, miles or minutes.",
    "start_date": "Enter a date such as 2026-03-02, or leave it blank to start next Monday.",
    "date": "Choose the day of the session you are checking in for.",
    "name": "Keep the name to 80 characters or fewer.",
    "notes": "Keep notes to 500 characters or fewer.",
}


def form_data(form: MultiDict[str, str]) -> dict[str, Any]:
    """Form fields as the model's input: empty fields left out, checkboxes and yes/no radios as booleans."""
    data: dict[str, Any] = {}
    for name in form:
        if name in ("csrf_token", "red_flags") or name.startswith("confirm"):
            continue
        value = form.get(name, "").strip()
        if value != "":
            data[name] = value
    for name in CHECKBOXES:
        data[name] = name in form and form.get(name, "").strip().lower() not in FALSE_WORDS
    data["red_flags"] = [v for v in form.getlist("red_flags") if v]
    return data


def friendly_errors(error: ValidationError) -> dict[str, str]:
    """field -> message, in the words a runner reads beside the field."""
    errors: dict[str, str] = {}
    for item in field_errors(error):
        field, message = item["field"], item["message"]
        if message != "This field is required." and field in HINTS and not message.startswith("Enter "):
            message = HINTS[field]
        errors[field] = message
    return errors


def _form(values: MultiDict[str, str], errors: dict[str, str], status: int = 200) -> tuple[str, int]:
    # Next Monday in the runner's zone once the form has sent one (the page's script refines it on first load).
    runner_today = services.today(values.get("timezone", "UTC").strip() or "UTC")
    return render_template("form.html", values=values, errors=errors, red_flags=RED_FLAGS,
                           default_start=next_monday(runner_today).isoformat(),
                           deleted=request.args.get("deleted") == "1"), status


@bp.get("/")
def index() -> tuple[str, int]:
    return _form(MultiDict(), {})


@bp.post("/plans")
@create_limit
def create() -> Response | tuple[str, int]:
    values = request.form
    try:
        model = PlanRequestModel.model_validate(form_data(values))
        record, plan = services.create(model)
    except ValidationError as error:
        return _form(values, friendly_errors(error), 422)
    except services.InputError as error:
        return _form(values, {error.field: error.message}, 422)
    if record is None:
        return render_template("referral.html", plan=plan, red_flags=RED_FLAGS), 200
    return redirect(url_for("web.plan_page", token=record.token), 303)


def current_week(plan: Plan, today: date) -> Week:
    """The week containing today, else week 1."""
    for week in plan.weeks:
        if week.start <= today < week.start + timedelta(days=7):
            return week
    return plan.weeks[0]


def checkin_days(stored: services.Stored, today: date) -> list[date]:
    """Past session days without a check-in yet, latest first: the check-in form's choices."""
    done = {c.date for c in stored.checkins}
    days = {s.date for s in stored.plan.sessions if s.kind.value != "rest" and s.date <= today}
    return sorted(days - done, reverse=True)


def morning_key(day: date) -> str:
    """The id (and error key) of the "How was it this morning?" field of `day`'s check-in."""
    return f"morning-{day.isoformat()}"


def waiting_mornings(stored: services.Stored, today: date) -> tuple[list[date], list[date]]:
    """Check-ins without their morning score, latest first: those whose morning has come (the page
    asks for it) and today's, whose morning is tomorrow."""
    missing = sorted((c.date for c in stored.checkins if c.pain_next_morning is None), reverse=True)
    return [d for d in missing if d < today], [d for d in missing if d >= today]


def target_week(plan: Plan) -> Week | None:
    """The week the target volume is expected (rule 33), when the plan names one of its weeks."""
    return next((w for w in plan.weeks if w.number == plan.target_week), None)


def _days(week: Week) -> list[tuple[date, list[Any]]]:
    ordered = sorted(week.sessions, key=lambda s: s.date)
    return [(day, list(sessions)) for day, sessions in groupby(ordered, key=lambda s: s.date)]


def repeated_exercises(week: Week) -> dict[str, date]:
    """uid -> the earlier day of the same week with exactly the same exercises, to say "same as" not repeat them."""
    first: dict[tuple[Any, ...], date] = {}
    repeats: dict[str, date] = {}
    for session in sorted(week.sessions, key=lambda s: s.date):
        if not session.exercises:
            continue
        key = tuple(session.exercises)
        if key in first and first[key] != session.date:
            repeats[session.uid] = first[key]
        else:
            first.setdefault(key, session.date)
    return repeats


DECISION_WORDS = {
    "progress": "Within your limits: the plan goes on as planned.",
    "hold": "Next week repeats this week's load, so the tendon can settle.",
    "step_back": "The plan steps back a level, with two days without running; keep up the rehab exercises.",
}


def saved_checkin(plan: Plan, saved: str | None) -> dict[str, Any] | None:
    """After a check-in: what it did to the plan, in words, and the week it changed."""
    try:
        day = date.fromisoformat(saved or "")
    except ValueError:
        return None
    week = next((w for w in plan.weeks if w.start <= day < w.start + timedelta(days=7)), None)
    if week is None or week.decision is None:
        return None
    following = week.number + 1 if week.number < len(plan.weeks) else None
    return {"day": day, "words": DECISION_WORDS[week.decision.value], "next_week": following,
            "decision": week.decision.value}


def _plan_page(token: str, errors: dict[str, str], values: MultiDict[str, str], status: int = 200) -> tuple[str, int]:
    stored = services.get(token)
    plan = stored.plan
    today = services.today(plan.request.timezone)  # the runner's day (rule 30)
    mornings_due, mornings_later = waiting_mornings(stored, today)
    now = current_week(plan, today)
    in_plan = plan.weeks[0].start <= today < plan.weeks[-1].start + timedelta(days=7)
    return render_template(
        "plan.html", token=token, stored=stored, plan=plan, links=services.links(token), today=today,
        errors=errors, values=values, current=now, current_is_today=in_plan,
        chart=Markup(weekly_minutes_svg(plan, current_week=now.number if in_plan else None)),
        phase_names=PHASE_NAMES, phase_colours=PHASE_COLOURS, phases=list(dict.fromkeys(w.phase for w in plan.weeks)),
        days=_days, repeats=repeated_exercises, in_words=intervals_in_words, disclaimer=DISCLAIMER,
        checkin_days=checkin_days(stored, today), target=target_week(plan),
        mornings_due=mornings_due, mornings_later=mornings_later, morning_key=morning_key,
        checkins=sorted(stored.checkins, key=lambda c: c.date, reverse=True),
        fit_url=lambda uid: f"/plans/{token}/sessions/{uid}.fit",
        saved=None if errors else saved_checkin(plan, request.args.get("saved")),
    ), status


@bp.get("/plans/<token>")
def plan_page(token: str) -> tuple[str, int]:
    return _plan_page(token, {}, MultiDict())


@bp.post("/plans/<token>/checkins")
@checkin_limit
def checkin(token: str) -> Response | tuple[str, int]:
    data = {k: v for k, v in form_data(request.form).items() if k not in ("morning_after_worse", "red_flags")}
    data["completed"] = request.form.get("completed", "yes").strip().lower() not in FALSE_WORDS
    try:
        checkin, _decision, _plan = services.check_in(token, CheckInModel.model_validate(data))
    except ValidationError as error:
        return _plan_page(token, friendly_errors(error), request.form, 422)
    except services.CheckInRejected as error:
        return _plan_page(token, {error.field: error.message}, request.form, 422)
    saved_day = checkin.date.isoformat()
    return redirect(url_for("web.plan_page", token=token, saved=saved_day) + "#saved", 303)


@bp.post("/plans/<token>/checkins/<day>/morning")
@checkin_limit
def morning(token: str, day: str) -> Response | tuple[str, int]:
    """The "How was it this morning?" form: adds a check-in's next-morning score (rule 31)."""
    try:
        checkin_day = date.fromisoformat(day)
    except ValueError:
        abort(404)
    key = morning_key(checkin_day)
    submitted = request.form.get("pain_next_morning", "").strip()
    values = MultiDict({key: submitted})
    data = {"pain_next_morning": submitted} if submitted else {}
    try:
        services.add_morning(token, checkin_day, MorningModel.model_validate(data))
    except ValidationError:  # the one field: missing or not 0-10
        return _plan_page(token, {key: HINTS["pain_next_morning"]}, values, 422)
    except services.CheckInRejected as error:
        return _plan_page(token, {key: error.message}, values, 422)
    except services.CheckInNotFound:
        services.get(token)  # an unknown plan says so
        abort(404, "There is no check-in on that day.")
    return redirect(url_for("web.plan_page", token=token, saved=checkin_day.isoformat()) + "#saved", 303)


@bp.post("/plans/<token>/rotate")
@manage_limit
def rotate(token: str) -> Response | tuple[str, int]:
    if not request.form.get("confirm_rotate"):
        services.get(token)  # an unknown token is 404 before anything else
        return _plan_page(token, {"confirm_rotate": "Tick the box to confirm you want a new link."},
                          request.form, 422)
    new = services.rotate(token)
    return redirect(url_for("web.plan_page", token=new) + "#manage", 303)


@bp.post("/plans/<token>/delete")
@manage_limit
def delete(token: str) -> Response | tuple[str, int]:
    if not request.form.get("confirm_delete"):
        services.get(token)
        return _plan_page(token, {"confirm_delete": "Tick the box to confirm you want to delete this plan."},
                          request.form, 422)
    services.delete(token)
    return redirect(url_for("web.index", deleted=1), 303)
