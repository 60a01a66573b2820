"""Check-in nudges: the morning after each run, a short calendar event that opens the one-tap check-in.

A nudge belongs to its run (UID "<run uid>-checkin", so it keeps its UID through every re-plan) and
says one of two things: a question before the run is checked in, what was logged after. Which one is
recorded in the nudge's stamp (store/revisions.py keeps it as the event's `notices`), so a nudge whose
day has passed keeps the words it showed (rule 34) and the renderer needs no check-ins.
"""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Protocol

from ..engine import Kind, Plan
from ..engine.plan import Session

SUFFIX = "-checkin"
DEFAULT_TIME = time(7, 0)  # when the plan has no session time: early enough to catch the morning score
LENGTH = timedelta(minutes=15)
ASK = "Check in: how did yesterday's run feel?"
DONE = "Checked in: yesterday's run"


Day = date  # `date` is also a field name below


class Logged(Protocol):
    """What a nudge says of a check-in (an engine CheckIn and a stored check-in both have these)."""

    @property
    def date(self) -> Day: ...
    @property
    def pain_during(self) -> int: ...
    @property
    def pain_next_morning(self) -> int | None: ...
    @property
    def completed(self) -> bool: ...


def uid(run_uid: str) -> str:
    """The nudge's UID, made from its run's: stable as long as the run is."""
    return run_uid + SUFFIX


def nudged_runs(plan: Plan) -> list[Session]:
    """The runs that get a nudge the morning after: every run, unless the runner switched nudges off."""
    if not plan.request.nudges:
        return []
    return sorted((s for s in plan.sessions if s.kind is Kind.RUN), key=lambda s: (s.date, s.uid))


def day_of(run: Session) -> date:
    """The nudge's day: the morning after the run."""
    return run.date + timedelta(days=1)


def time_of(plan: Plan) -> time:
    """The plan's session time, or 07:00 when its sessions are all-day."""
    return plan.request.session_time or DEFAULT_TIME


def logged_line(checkin: Logged) -> str:
    """What a nudge says once its run is checked in, in one line."""
    line = f"{DONE}, pain {checkin.pain_during}/10 during"
    if not checkin.completed:
        line += ", stopped early"
    if checkin.pain_next_morning is None:
        return line + ". Add how it feels this morning."
    return line + f", {checkin.pain_next_morning}/10 the next morning."


def run_in_words(run: Session) -> str:
    """"Tuesday 3 March: Run 4: 20 min easy": the run the nudge is about."""
    return f"{run.date:%A} {run.date.day} {run.date:%B}: {run.title}"


def checkin_url(page_url: str, day: date) -> str:
    """The one-tap check-in page for `day`'s run (page_url is the plan page's absolute URL)."""
    return f"{page_url}/checkins/new?date={day.isoformat()}"


def description(run: Session, said: tuple[str, ...], url: str, note: str | None = None) -> str:
    """The nudge's text: the run, then the question or what was logged, and the link."""
    if said:
        lines = [*said, run_in_words(run) + ".", f"What you logged: {url}"]
    else:
        lines = [run_in_words(run) + ".", f"Two taps to say how it felt: {url}"]
    return "\n".join([note, *lines] if note else lines)


def summary(said: tuple[str, ...]) -> str:
    return DONE if said else ASK
