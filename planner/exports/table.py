"""The plan as a table, one row per session: a CSV for spreadsheets (and physios) and the same rows as JSON."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from ..engine import Plan, Session, Week
from ..engine.units import to_distance
from ..engine.words import DISCLAIMER, dose, intervals_in_words

COLUMNS = (
    "date", "week", "phase", "kind", "title", "running_minutes", "total_minutes", "distance", "unit",
    "intervals", "exercises", "uid",
)
DISCLAIMER_COLUMN = "disclaimer"  # the CSV's last column (rule 29); the JSON table says it once, beside the rows


def sessions_frame(plan: Plan) -> pd.DataFrame:
    """One row per session in date order; `distance` is in the request's unit, empty when it counts minutes."""
    rows = [_row(plan, week, session) for week in plan.weeks for session in week.sessions]
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    return frame.astype({
        "week": "int64", "running_minutes": "float64", "total_minutes": "float64", "distance": "float64",
    })


def to_csv(plan: Plan) -> bytes:
    """UTF-8 with a byte order mark, so Excel reads the "×" and accents right; CRLF rows (RFC 4180).

    The last column, `disclaimer`, carries rule 29's words on every row: a sorted, filtered or
    copied-out row keeps them, and the table stays one row per session with one type per column.
    """
    frame = sessions_frame(plan)
    frame[DISCLAIMER_COLUMN] = DISCLAIMER
    text = frame.to_csv(index=False, lineterminator="\r\n")
    return str(text).encode("utf-8-sig")


def to_records(plan: Plan) -> list[dict[str, Any]]:
    """The same table as JSON-ready dicts: ISO dates, numbers, and null where the CSV cell is empty."""
    # to_dict keys rows by the column labels, which are the str COLUMNS.
    return [{str(key): _plain(value) for key, value in row.items()} for row in sessions_frame(plan).to_dict("records")]


def _row(plan: Plan, week: Week, session: Session) -> dict[str, Any]:
    unit = plan.request.unit.value
    distance = to_distance(session.running_minutes, plan.request)
    return {
        "date": session.date.isoformat(),
        "week": week.number,
        "phase": week.phase.value,
        "kind": session.kind.value,
        "title": session.title,
        "running_minutes": float(session.running_minutes),
        "total_minutes": float(session.total_minutes),
        "distance": distance,
        "unit": None if distance is None else unit,
        "intervals": intervals_in_words(session.intervals) if session.intervals else None,
        "exercises": "; ".join(f"{e.name} {dose(e)}" for e in session.exercises) or None,
        "uid": session.uid,
    }


def _plain(value: Any) -> Any:
    """numpy scalars to Python ones, NaN to None."""
    if value is None:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value
