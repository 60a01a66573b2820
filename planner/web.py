"""The web form and the plan page: thin translation between HTML forms and the services."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta
from itertools import groupby
from typing import Any

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask import session as browser_session
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from pydantic import ValidationError
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response
from werkzeug.wrappers import Response as WerkzeugResponse

from . import reminders, serve, services, urls
from .chart import PHASE_COLOURS, Scores, pain_chart_svg, week_number, weekly_minutes_svg
from .engine.build import next_monday
from .engine.plan import Kind, Plan, Session, Week
from .engine.screening import RED_FLAGS
from .engine.words import DISCLAIMER, PHASE_NAMES, day_span, intervals_in_words
from .extensions import checkin_limit, create_limit, manage_limit
from .pictures import exercise_picture
from .schemas import (
    AwayModel,
    CheckInModel,
    IntervalsConnectionModel,
    MorningModel,
    PlanRequestModel,
    ReminderModel,
    field_errors,
)
from .store import exports, revisions
from .store.exports import Body
from .store.models import IntervalsConnection, Reminder
from .uploads import activity_file, too_large

bp = Blueprint("web", __name__)
# A global, not page context: the exercise card is a macro in macros.html, imported without context.
bp.add_app_template_global(exercise_picture)
bp.add_app_template_global(week_number, "pain_week")


@bp.app_template_global("pain_chart_svg")
def pain_chart(plan: Plan, checkins: Sequence[Scores]) -> Markup:
    """The pain chart for templates/pain_chart.html, on any page that shows a plan's check-ins: the
    ceiling is the plan's own (rule 4)."""
    return Markup(pain_chart_svg(plan, checkins, ceiling=plan.ceiling))

CHECKBOXES = ("morning_after_worse",)
# Ticked by default: the box sends "yes" before a hidden "no", so a form without the field keeps the default.
DEFAULT_ON = ("nudges",)
REQUIRED = "This field is required."
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
    "email": "Enter an email address of up to 254 characters, such as runner@example.com.",
    "athlete_id": "Copy the athlete ID from intervals.icu's Settings, Developer Settings: it looks like i123456.",
    "api_key": "Copy the API key from intervals.icu's Settings, Developer Settings: letters and numbers, "
               "at least 8 of them.",
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
    for name in DEFAULT_ON:
        if name in form:
            data[name] = any(v.strip().lower() not in FALSE_WORDS for v in form.getlist(name))
    data["red_flags"] = [v for v in form.getlist("red_flags") if v]
    return data


def friendly_errors(error: ValidationError) -> dict[str, str]:
    """field -> message, in the words a runner reads beside the field."""
    errors: dict[str, str] = {}
    for item in field_errors(error):
        field, message = item["field"], item["message"]
        if message != REQUIRED and field in HINTS and not message.startswith("Enter "):
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
    record, plan = services.create(PlanRequestModel.model_validate(form_data(request.form)))
    if record is None:
        return render_template("referral.html", plan=plan, red_flags=RED_FLAGS), 200
    return redirect(url_for("web.plan_page", token=record.token), 303)


# -- errors: every form that fails is shown again, with its values and a message beside each field --

@bp.errorhandler(ValidationError)
def _invalid(error: ValidationError) -> WerkzeugResponse | tuple[str, int]:
    return _again(friendly_errors(error))


@bp.errorhandler(services.InputError)
def _rejected(error: services.InputError) -> WerkzeugResponse | tuple[str, int]:
    return _again({error.field: error.message})


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(error: RequestEntityTooLarge) -> WerkzeugResponse | tuple[str, int]:
    upload = too_large()
    if upload is None:
        return render_template("error.html", status=413, message=error.description), 413
    return _again({upload.field: upload.message})


@bp.errorhandler(services.CheckInNotFound)
def _no_checkin(_error: services.CheckInNotFound) -> tuple[str, int]:
    return render_template("error.html", status=404, message="There is no check-in on that day."), 404


@bp.errorhandler(services.AwayNotFound)
def _no_away(_error: services.AwayNotFound) -> tuple[str, int]:
    return render_template("error.html", status=404, message="There is no time away starting on that day."), 404


def _again(errors: dict[str, str]) -> WerkzeugResponse | tuple[str, int]:
    """The page the failed form was on, again, with what was sent (nothing a runner typed is lost)."""
    try:
        return _form_again(errors)
    except services.PlanNotFound as missing:  # a form sent to a plan that is gone: its 404 page
        return current_app.make_response(current_app.handle_user_exception(missing))


def _form_again(errors: dict[str, str]) -> tuple[str, int]:
    if request.endpoint == "web.create":
        return _form(request.form, errors, 422)
    token = (request.view_args or {})["token"]
    if request.form.get(RETURN_TO) == ONE_TAP:  # the one-tap page, again, with what was tapped
        sent_day: date | None = (request.view_args or {}).get("day")
        day = sent_day.isoformat() if sent_day else request.form.get("date", "")
        if request.endpoint == "web.morning" and next(iter(errors.values())) == REQUIRED:
            errors = {"pain_next_morning": HINTS["pain_next_morning"]}
        return _one_tap(token, day, errors, request.form, 422)
    if request.endpoint == "web.morning":  # one field, named per check-in day
        key = morning_key((request.view_args or {})["day"])
        message = next(iter(errors.values()))
        if message == REQUIRED:
            message = HINTS["pain_next_morning"]
        return _plan_page(token, {key: message}, MultiDict({key: request.form.get("pain_next_morning", "").strip()}),
                          422)
    values = MultiDict() if request.endpoint == "web.activity" else request.form  # an upload has no fields to keep
    return _plan_page(token, errors, values, 422)


RETURN_TO, ONE_TAP = "return_to", "one-tap"  # a form field saying the post came from the one-tap page


@bp.get("/plans/<token:token>/checkins/new")
def new_checkin(token: str) -> tuple[str, int]:
    """The one-tap check-in for one day (the calendar's nudge opens it): pain during, finished, notes in
    one post; the next morning, the morning score alone; a day fully logged, what was logged."""
    return _one_tap(token, request.args.get("date", ""), {}, MultiDict())


def _one_tap(token: str, raw_day: str, errors: dict[str, str], values: MultiDict[str, str],
             status: int = 200) -> tuple[str, int]:
    stored = services.get(token)
    plan = stored.plan
    runner_today = services.today(plan.request.timezone)  # rule 30
    try:
        day = date.fromisoformat(raw_day.strip())
    except ValueError:
        return _one_tap_problem(token, "That link has no day we can read. Open the check-in from your plan.")
    problem = services.day_problem(plan, day, runner_today)
    if problem:
        return _one_tap_problem(token, problem)
    session = next((s for s in plan.sessions if s.date == day and s.kind is Kind.RUN), None) or next(
        s for s in plan.sessions if s.date == day and s.kind is not Kind.REST)
    checkin = next((c for c in stored.checkins if c.date == day), None)
    morning_open = day < runner_today  # that morning has come (rule 31)
    if checkin is None:
        state = "new"
    elif checkin.pain_next_morning is not None:
        state = "done"
    else:
        state = "morning" if morning_open else "wait"
    return render_template("checkin.html", token=token, day=day, checkin=checkin, state=state, problem=None,
                           morning_open=morning_open, ceiling=plan.ceiling, errors=errors, values=values,
                           day_words=f"{day:%A} {day.day} {day:%B}: {session.title}"), status


def _one_tap_problem(token: str, problem: str) -> tuple[str, int]:
    return render_template("checkin.html", token=token, problem=problem, errors={}, values=MultiDict()), 422


def current_week(plan: Plan, today: date) -> Week:
    """The week containing today, else week 1."""
    for week in plan.weeks:
        if week.start <= today < week.start + timedelta(days=7):
            return week
    return plan.weeks[0]


def checkin_days(stored: services.Stored, today: date, pending: list[date]) -> list[date]:
    """Past session days without a check-in yet, and days of runs read from a file (extra running
    too), latest first: the check-in form's choices."""
    done = {c.date for c in stored.checkins}
    days = {s.date for s in stored.plan.sessions if s.kind.value != "rest" and s.date <= today}
    days |= set(pending)
    return sorted(days - done, reverse=True)


def recent_runs(stored: services.Stored, today: date) -> list[Session]:
    """Runs of the last week not checked in yet, latest first: each gets a one-tap check-in link."""
    done = {c.date for c in stored.checkins}
    runs = [s for s in stored.plan.sessions
            if s.kind is Kind.RUN and today - timedelta(days=7) < s.date <= today and s.date not in done]
    return sorted(runs, key=lambda s: s.date, reverse=True)[:3]


def actual_words(actual: dict[str, Any]) -> str:
    """What a watch file said, in a line: "34 min running in 41 min, 6.2 km, 120 m climbing, 162 steps/min"."""
    parts = [f"{actual['running_minutes']:g} min running"]
    if actual.get("moving_minutes"):
        parts[0] += f" in {actual['moving_minutes']:g} min"
    if actual.get("distance_km"):
        parts.append(f"{actual['distance_km']:g} km")
    if actual.get("ascent_m"):
        parts.append(f"{actual['ascent_m']:g} m climbing")
    if actual.get("cadence_spm"):
        parts.append(f"{actual['cadence_spm']:g} steps/min")
    return ", ".join(parts)


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


DECISION_LABELS = {"progress": "Moving on", "hold": "Repeat this level", "step_back": "Step back a level"}

DECISION_WORDS = {
    "progress": "Within your limits: the plan goes on as planned.",
    "hold": "Next week repeats this week's load, so the tendon can settle.",
    "step_back": "The plan steps back a level, with two days without running; keep up the rehab exercises.",
}


def saved_checkin(stored: services.Stored, saved: str | None) -> dict[str, Any] | None:
    """After a check-in: what it did to the plan, in words, and the week it changed. The decision is
    the one the check-in's revision recorded (a late check-in's own week is frozen as it was)."""
    try:
        day = date.fromisoformat(saved or "")
    except ValueError:
        return None
    plan, revision = stored.plan, stored.revision
    week = next((w for w in plan.weeks if w.start <= day < w.start + timedelta(days=7)), None)
    decision = revision.decision if revision.day == day else week.decision.value if week and week.decision else None
    if week is None or decision is None:
        return None
    following = week.number + 1 if week.number < len(plan.weeks) else None
    return {"day": day, "words": DECISION_WORDS[decision], "next_week": following, "decision": decision}


def plan_context(stored: services.Stored, today: date) -> dict[str, Any]:
    """What plan.html shows of a stored plan on the runner's `today` to anyone who may read it (the
    runner, or a physio through the read-only link): no token, no link and no form in it."""
    plan = stored.plan
    now = current_week(plan, today)
    in_plan = plan.weeks[0].start <= today < plan.weeks[-1].start + timedelta(days=7)
    return dict(
        stored=stored, plan=plan, today=today, current=now, current_is_today=in_plan,
        chart=Markup(weekly_minutes_svg(plan, current_week=now.number if in_plan else None)),
        phase_names=PHASE_NAMES, phase_colours=PHASE_COLOURS, phases=list(dict.fromkeys(w.phase for w in plan.weeks)),
        days=_days, repeats=repeated_exercises, in_words=intervals_in_words, disclaimer=DISCLAIMER,
        target=target_week(plan), checkins=sorted(stored.checkins, key=lambda c: c.date, reverse=True),
        upgraded=revisions.last_upgrade(stored.record.id), actual_words=actual_words,
    )


def _context(token: str, stored: services.Stored, today: date) -> dict[str, Any]:
    """Everything plan.html shows the runner: the plan, and their links, forms and share link."""
    mornings_due, mornings_later = waiting_mornings(stored, today)
    pending = services.pending_activities(stored.record)
    share = stored.record.share_token
    return dict(
        plan_context(stored, today), token=token, links=urls.links(token),
        checkin_days=checkin_days(stored, today, [a.date for a in pending]),
        mornings_due=mornings_due, mornings_later=mornings_later, morning_key=morning_key,
        fit_url=lambda uid: f"/plans/{token}/sessions/{uid}.fit",
        pending=pending, quick_runs=recent_runs(stored, today), intervals_panel=Markup(INTERVALS_SLOT),
        reminders_panel=Markup(REMINDERS_SLOT),
        share=urls.shared(share) if share else None,
        away=services.away_of(stored.record), day_span=day_span,
    )


def intervals_panel(token: str, connection: IntervalsConnection | None, errors: dict[str, str],
                    values: MultiDict[str, str], csrf: str | None = None) -> Markup:
    """The intervals.icu part of the page, drawn per request: its status changes between revisions."""
    extra = {"csrf_token": lambda: csrf} if csrf else {}
    return Markup(render_template("intervals.html", token=token, connection=connection, errors=errors,
                                  values=values, **extra))


def reminders_panel(token: str, reminder: Reminder | None, errors: dict[str, str], values: MultiDict[str, str],
                    csrf: str | None = None) -> Markup:
    """The email reminder's part of the page, drawn per request like the intervals.icu panel: the
    address is given and stopped between revisions."""
    extra = {"csrf_token": lambda: csrf} if csrf else {}
    return Markup(render_template("reminders.html", token=token, reminder=reminder, available=reminders.available(),
                                  errors=errors, values=values, **extra))


def _plan_page(token: str, errors: dict[str, str], values: MultiDict[str, str], status: int = 200) -> tuple[str, int]:
    """The page drawn for this request: after a check-in (what it did) or beside a form's errors."""
    stored = services.get(token)
    today = services.today(stored.plan.request.timezone)  # the runner's day (rule 30)
    saved = None if errors else saved_checkin(stored, request.args.get("saved"))
    context = _context(token, stored, today)
    context["intervals_panel"] = intervals_panel(token, services.intervals_status(token), errors, values)
    context["reminders_panel"] = reminders_panel(token, reminders.status(token), errors, values)
    return render_template("plan.html", errors=errors, values=values, saved=saved, **context), status


# The plain page is drawn once per revision and day, and stored with these in place of the form token
# and of the intervals.icu and email reminder panels, which are put in at send time.
CSRF_SLOT = "csrf-token-slot-9d1f47c2"
INTERVALS_SLOT = "<!-- intervals-panel-slot-4be1 -->"
REMINDERS_SLOT = "<!-- reminders-panel-slot-7c3a -->"


@bp.get("/plans/<token:token>")
def plan_page(token: str) -> WerkzeugResponse | tuple[str, int]:
    if request.args.get("saved"):
        return _plan_page(token, {}, MultiDict())
    base = urls.base()

    def fresh(variant: str) -> bool:
        """Stored for this base URL, and drawn on what is still the runner's today."""
        url, _, rest = variant.partition(" ")
        timezone, _, day = rest.partition(" ")
        return url == base and services.today(timezone).isoformat() == day

    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    live, panels = exports.unless_committed((token, "page-live", ""), lambda: _live_panels(token))
    stamp = exports.stamp(token, "page", fresh)
    raw = browser_session.get(field)
    if stamp is not None and raw and request.if_none_match.contains(_page_etag(stamp.etag, raw, live)):
        return serve.not_modified(_page_etag(stamp.etag, raw, live))

    def render() -> list[Body]:
        stored = services.get(token)
        timezone = stored.plan.request.timezone
        today = services.today(timezone)
        html = render_template("plan.html", errors={}, values=MultiDict(), saved=None,
                               csrf_token=lambda: CSRF_SLOT, **_context(token, stored, today))
        return [Body("page", html.encode(), stored.revision.created_at, variant=f"{base} {timezone} {today}")]

    page = exports.bytes_of(token, "page", stamp, fresh, render)
    form_token = generate_csrf()  # the session's own token, signed, in every form of the page
    raw = browser_session[field]
    panel, emails = panels
    html = (page.body.replace(INTERVALS_SLOT.encode(), panel).replace(REMINDERS_SLOT.encode(), emails)
            .replace(CSRF_SLOT.encode(), form_token.encode()))
    return serve.send(replace(page, body=html, etag=_page_etag(page.etag, raw, live)), "text/html")


def _live_panels(token: str) -> tuple[str, tuple[bytes, bytes]]:
    """The parts of the page that change without a new revision (the intervals.icu sync's status, the
    email reminder), drawn with the form-token placeholder, and their state for the page's ETag."""
    connection = services.intervals_status(token)
    reminder = reminders.status(token)
    live = f"{_sync_state(connection)}|{_reminder_state(reminder)}"
    panel = intervals_panel(token, connection, {}, MultiDict(), csrf=CSRF_SLOT)
    emails = reminders_panel(token, reminder, {}, MultiDict(), csrf=CSRF_SLOT)
    return live, (panel.encode(), emails.encode())


def _sync_state(connection: IntervalsConnection | None) -> str:
    """What the intervals.icu panel shows, as text for the page's ETag."""
    if connection is None:
        return ""
    return f"{connection.athlete_id}/{connection.status}/{connection.last_sync}/{connection.error}"


def _reminder_state(reminder: Reminder | None) -> str:
    """What the email reminder panel shows, as text for the page's ETag (the masked address only)."""
    return f"{reminders.available()}/{reminder.masked if reminder else ''}"


def _page_etag(stored_etag: str, raw_csrf: str, live: str = "") -> str:
    """The page differs per browser session only by its form token, and per request only by the sync's
    status: the ETag covers all three."""
    return hashlib.sha256(f"{stored_etag}/{raw_csrf}/{live}".encode()).hexdigest()


@bp.post("/plans/<token:token>/checkins")
@checkin_limit
def checkin(token: str) -> Response:
    skip = (*CHECKBOXES, *DEFAULT_ON, "red_flags", RETURN_TO)
    data = {k: v for k, v in form_data(request.form).items() if k not in skip}
    data["completed"] = request.form.get("completed", "yes").strip().lower() not in FALSE_WORDS
    written = services.check_in(token, CheckInModel.model_validate(data))
    saved_day = written.checkin.date.isoformat()
    return redirect(url_for("web.plan_page", token=token, saved=saved_day) + "#saved", 303)


@bp.post("/plans/<token:token>/activities")
@checkin_limit
def activity(token: str) -> Response:
    """An activity file, read and not kept: its numbers wait in the check-in form (rule 36)."""
    uploaded = services.add_activity(token, *activity_file())
    if uploaded.checkin is not None:  # that day was checked in already: its numbers were added, and it re-planned
        return redirect(url_for("web.plan_page", token=token, saved=uploaded.day.isoformat()) + "#saved", 303)
    return redirect(url_for("web.plan_page", token=token) + f"#activity-{uploaded.day.isoformat()}", 303)


@bp.post("/plans/<token:token>/checkins/<day:day>/morning")
@checkin_limit
def morning(token: str, day: date) -> Response:
    """The "How was it this morning?" form: adds a check-in's next-morning score (rule 31)."""
    submitted = request.form.get("pain_next_morning", "").strip()
    data = {"pain_next_morning": submitted} if submitted else {}
    services.add_morning(token, day, MorningModel.model_validate(data))
    return redirect(url_for("web.plan_page", token=token, saved=day.isoformat()) + "#saved", 303)


@bp.post("/plans/<token:token>/connections/intervals")
@manage_limit
def connect_intervals(token: str) -> Response:
    """The page's "Link intervals.icu" form: checked with intervals.icu, then the first sync is queued."""
    data = {name: request.form.get(name, "").strip() for name in ("athlete_id", "api_key")}
    services.connect_intervals(token, IntervalsConnectionModel.model_validate(data), urls.base())
    return redirect(url_for("web.plan_page", token=token) + "#intervals", 303)


INTERVALS_DOWN = ("intervals.icu did not answer, so the key could not be checked and nothing was saved. "
                  "Please try again in a minute.")


@bp.errorhandler(services.IntervalsUnavailable)
def _intervals_down(_error: services.IntervalsUnavailable) -> tuple[str, int]:
    """The link form again, its values kept (never the key), saying intervals.icu did not answer."""
    return _plan_page((request.view_args or {})["token"], {"api_key": INTERVALS_DOWN}, request.form, 503)


@bp.post("/plans/<token:token>/connections/intervals/delete")
@manage_limit
def disconnect_intervals(token: str) -> Response:
    services.disconnect_intervals(token)
    return redirect(url_for("web.plan_page", token=token) + "#intervals", 303)


@bp.post("/plans/<token:token>/reminders")
@manage_limit
def subscribe_reminders(token: str) -> Response:
    """"Email me a reminder the morning after each run": the address kept encrypted, shown back masked."""
    reminders.subscribe(token, ReminderModel.model_validate({"email": request.form.get("email", "")}), urls.base())
    return redirect(url_for("web.plan_page", token=token) + "#reminders", 303)


@bp.post("/plans/<token:token>/reminders/delete")
@manage_limit
def stop_reminders(token: str) -> Response:
    """"Stop the emails": the address is deleted."""
    reminders.unsubscribe(token)
    return redirect(url_for("web.plan_page", token=token) + "#reminders", 303)


@bp.errorhandler(reminders.NotSetUp)
def _no_email(_error: reminders.NotSetUp) -> tuple[str, int]:
    return render_template("error.html", status=409, message=NO_EMAIL), 409


NO_EMAIL = "Email reminders are not set up on this server, so no address was saved."


@bp.post("/plans/<token:token>/nudges")
@manage_limit
def nudges(token: str) -> Response:
    """The plan page's switch for the calendar's check-in nudges: a new revision, the plan unchanged."""
    on = request.form.get("nudges", "").strip().lower() not in FALSE_WORDS
    services.set_nudges(token, on)
    return redirect(url_for("web.plan_page", token=token) + "#calendar", 303)


@bp.post("/plans/<token:token>/rotate")
@manage_limit
def rotate(token: str) -> Response | tuple[str, int]:
    if not request.form.get("confirm_rotate"):
        return _plan_page(token, {"confirm_rotate": "Tick the box to confirm you want a new link."},
                          request.form, 422)
    new = services.rotate(token)
    return redirect(url_for("web.plan_page", token=new) + "#manage", 303)


@bp.post("/plans/<token:token>/delete")
@manage_limit
def delete(token: str) -> Response | tuple[str, int]:
    if not request.form.get("confirm_delete"):
        return _plan_page(token, {"confirm_delete": "Tick the box to confirm you want to delete this plan."},
                          request.form, 422)
    services.delete(token)
    return redirect(url_for("web.index", deleted=1), 303)


@bp.post("/plans/<token:token>/away")
@checkin_limit
def add_away(token: str) -> Response:
    """The page's "Away for a while?" form: the days get no sessions, and the plan is re-planned."""
    data = {name: request.form.get(name, "").strip() for name in ("start", "end")}
    period = AwayModel.model_validate({k: v for k, v in data.items() if v})
    services.add_away(token, period.start, period.end)
    return redirect(url_for("web.plan_page", token=token) + "#away", 303)


@bp.post("/plans/<token:token>/away/<day:start>/delete")
@checkin_limit
def remove_away(token: str, start: date) -> Response:
    """Remove a time away; the plan is re-planned from today on."""
    services.remove_away(token, start)
    return redirect(url_for("web.plan_page", token=token) + "#away", 303)


@bp.post("/plans/<token:token>/share")
@manage_limit
def share(token: str) -> Response:
    """Make (or replace) the physio's read-only link; the runner's own link stays as it is."""
    services.share(token)
    return redirect(url_for("web.plan_page", token=token) + "#share", 303)


@bp.post("/plans/<token:token>/share/delete")
@manage_limit
def stop_sharing(token: str) -> Response:
    """"Stop sharing": the physio's link answers 404 from now on."""
    services.stop_sharing(token)
    return redirect(url_for("web.plan_page", token=token) + "#share", 303)
