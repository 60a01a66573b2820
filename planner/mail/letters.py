"""The morning reminder as an email (RFC 5322, with RFC 8058's one-click unsubscribe): plain text,
made from the plan and links the caller gives; no clock, no database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from ..engine import Kind, Plan
from ..engine.plan import Session
from ..exports import nudges
from ..exports.ical import session_description

SUBJECT = "How did yesterday's run feel?"
WHY = "You get this email the morning after each run because you asked for it on your plan's page."


@dataclass(frozen=True)
class Links:
    """The absolute URLs a reminder carries, made from the plan's token at send time."""

    page: str  # the plan page
    stop: str  # the one-click unsubscribe (GET: a page with a button; POST: done)

    def checkin(self, day: date) -> str:
        return nudges.checkin_url(self.page, day)


def reminder(plan: Plan, yesterday: date, logged: nudges.Logged | None, links: Links, *, sender: str,
             to: str, moment: datetime) -> EmailMessage:
    """The reminder for the morning after `yesterday`'s run: the one-tap check-in link (or, when that run
    is logged already, what was logged), today's session in words, and the way to stop these emails."""
    message = EmailMessage()
    message["Subject"] = SUBJECT
    message["From"] = sender
    message["To"] = to
    message["Date"] = format_datetime(moment)
    message["Message-ID"] = make_msgid(domain=_domain(sender))
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies, please
    message["List-Unsubscribe"] = f"<{links.stop}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"  # RFC 8058
    message.set_content(body(plan, yesterday, logged, links))
    return message


def body(plan: Plan, yesterday: date, logged: nudges.Logged | None, links: Links) -> str:
    """The reminder's words, as plain text."""
    runs = [s for s in plan.sessions if s.date == yesterday and s.kind is Kind.RUN]
    said = " and ".join(nudges.run_in_words(run) for run in runs) or f"{yesterday:%A} {yesterday.day} {yesterday:%B}"
    if logged is None:
        asked = [f"Yesterday: {said}.", "", "How did it feel? Two taps to say:", links.checkin(yesterday)]
    elif logged.pain_next_morning is None:
        asked = [f"Yesterday: {said}.", "", nudges.logged_line(logged), links.checkin(yesterday)]
    else:  # logged in full already: nothing to ask
        asked = [f"Yesterday: {said}.", "", nudges.logged_line(logged)]
    return "\n".join([*asked, "", *_today(plan, yesterday + timedelta(days=1), links), "",
                      f"Your plan: {links.page}", "", WHY, f"Stop these emails: {links.stop}", ""])


def _today(plan: Plan, day: date, links: Links) -> list[str]:
    sessions = sorted((s for s in plan.sessions if s.date == day and s.kind is not Kind.REST),
                      key=_order)
    heading = f"Today, {day:%A} {day.day} {day:%B}:"
    if not sessions:
        return [f"{heading} no session, a day to rest."]
    lines = [heading]
    for session in sessions:
        lines += ["", session.title, session_description(plan, session, links.page, compact=True)]
    return lines


def _order(session: Session) -> tuple[int, str]:
    return (0 if session.kind is Kind.RUN else 1, session.uid)


def _domain(sender: str) -> str:
    """The sender's domain, for the Message-ID ("localhost" when the From has none)."""
    address = sender.rsplit("<", 1)[-1].rstrip(">").strip()
    return address.rsplit("@", 1)[1] if "@" in address else "localhost"
