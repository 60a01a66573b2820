"""A plan as intervals.icu calendar events (pure: no I/O).

Each session from the runner's today on is one event, keyed by the session's UID as its
`external_id`, so sending it again updates it instead of adding a second one:
- a run is a `WORKOUT` of type `Run` carrying our FIT workout (warm-up walk, run/walk repeats or the
  continuous run, cool-down, the stop rule in each step's notes), which intervals.icu passes on to
  Garmin Connect's calendar and the watch;
- strength and cross-training sessions are `NOTE`s listing what to do;
- rest days are not sent.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from datetime import date, time
from typing import Any

from ..engine import Kind, Plan, Session
from ..exports import fit, ical


@dataclass(frozen=True)
class Wanted:
    """One session as the event intervals.icu should hold, and the digest of that event."""

    uid: str
    day: date
    payload: dict[str, Any]
    digest: str


def wanted(plan: Plan, today: date, page_url: str) -> dict[str, Wanted]:
    """uid -> the event of every session on `today` or later (past days are never sent)."""
    numbers = {session.uid: number for number, session in fit.run_sessions(plan)}
    events: dict[str, Wanted] = {}
    for session in sorted(plan.sessions, key=lambda s: (s.date, s.uid)):
        if session.date < today or session.kind is Kind.REST:
            continue
        payload = _payload(plan, session, numbers.get(session.uid), page_url)
        digest = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
        events[session.uid] = Wanted(session.uid, session.date, payload, digest)
    return events


def _payload(plan: Plan, session: Session, number: int | None, page_url: str) -> dict[str, Any]:
    at = plan.request.session_time or time(0, 0)
    payload: dict[str, Any] = {
        "external_id": session.uid,
        "start_date_local": f"{session.date.isoformat()}T{at.strftime('%H:%M')}:00",
        "name": session.title,
        "description": ical.session_description(plan, session, page_url, notices=(), compact=True),
    }
    if session.kind is Kind.RUN and number is not None:
        workout = fit.workout_file(session, name=fit.workout_name(session, number))
        payload.update(category="WORKOUT", type="Run", moving_time=round(session.total_minutes * 60),
                       filename=fit.file_name(session, number),
                       file_contents_base64=base64.b64encode(workout).decode("ascii"))
    else:
        payload.update(category="NOTE")
    return payload
