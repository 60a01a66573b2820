"""The session table: a DataFrame, a CSV Excel opens right, and the same rows as JSON."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from datetime import date
from typing import Any

import pandas as pd
import pytest

from planner.engine import Kind, Plan, PlanRequest, Unit, build_plan
from planner.engine.words import DISCLAIMER, intervals_in_words
from planner.exports import table

TODAY = date(2026, 11, 25)
START = date(2026, 11, 30)
COLUMNS = ["date", "week", "phase", "kind", "title", "running_minutes", "total_minutes", "distance", "unit",
           "intervals", "exercises", "uid"]
CSV_COLUMNS = [*COLUMNS, "disclaimer"]  # rule 29: every export carries the disclaimer


def make_plan(**fields: Any) -> Plan:
    fields.setdefault("start_date", START)
    return build_plan(PlanRequest(**fields), today=TODAY, seed="table-tests")


@pytest.fixture(scope="module")
def km_plan() -> Plan:
    return make_plan(weekly_volume=0, current_pain=3, unit=Unit.KM)


def read_back(data: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", keep_default_na=False, na_values=[""])


def test_one_row_per_session_in_plan_order(km_plan: Plan) -> None:
    frame = table.sessions_frame(km_plan)
    assert list(frame.columns) == COLUMNS
    assert len(frame) == len(km_plan.sessions)
    assert list(frame["uid"]) == [s.uid for s in km_plan.sessions]
    assert list(frame["date"]) == sorted(frame["date"])
    assert frame["uid"].is_unique


def test_csv_parses_back_with_pandas(km_plan: Plan) -> None:
    data = table.to_csv(km_plan)
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    frame = read_back(data)
    assert list(frame.columns) == CSV_COLUMNS
    assert len(frame) == len(km_plan.sessions)
    by_uid = frame.set_index("uid")
    for week in km_plan.weeks:
        for session in week.sessions:
            row = by_uid.loc[session.uid]
            assert row["date"] == session.date.isoformat()
            assert row["week"] == week.number
            assert row["phase"] == week.phase.value
            assert row["kind"] == session.kind.value
            assert row["title"] == session.title
            assert row["running_minutes"] == session.running_minutes
            assert row["total_minutes"] == session.total_minutes
            if session.intervals:
                assert row["intervals"] == intervals_in_words(session.intervals)
            else:
                assert pd.isna(row["intervals"])
            for exercise in session.exercises:
                assert exercise.name in row["exercises"]


def test_csv_parses_back_with_the_csv_module(km_plan: Plan) -> None:
    text = table.to_csv(km_plan).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert len(rows) == len(km_plan.sessions)
    assert list(rows[0]) == CSV_COLUMNS
    walk_run = next(r for r in rows if r["intervals"])
    assert "×" in walk_run["intervals"]  # survives the round trip as UTF-8
    assert text.count("\r\n") == len(rows) + 1


def test_distance_in_the_request_unit() -> None:
    # The pace is given: the default one is the engine's to choose (rule 32), the conversion is the table's.
    frame = table.sessions_frame(make_plan(weekly_volume=0, current_pain=3, unit=Unit.KM, easy_pace="6:30"))
    run = frame[frame["kind"] == "run"].iloc[0]
    assert run["unit"] == "km"
    assert run["distance"] == pytest.approx(run["running_minutes"] / 6.5, abs=0.05)

    miles = table.sessions_frame(make_plan(weekly_volume=0, current_pain=3, unit=Unit.MI, easy_pace="10:00"))
    run = miles[miles["kind"] == "run"].iloc[0]
    assert run["unit"] == "mi"
    assert run["distance"] == pytest.approx(run["running_minutes"] / 10, abs=0.05)


def test_minutes_plans_have_no_distance() -> None:
    plan = make_plan(weekly_volume=60, current_pain=2, unit=Unit.MIN)
    frame = read_back(table.to_csv(plan))
    assert frame["distance"].isna().all()
    assert frame["unit"].isna().all()
    assert all(r["distance"] is None for r in table.to_records(plan))


def test_records_are_the_same_table_as_json(km_plan: Plan) -> None:
    records = table.to_records(km_plan)
    assert len(records) == len(km_plan.sessions)
    assert all(list(r) == COLUMNS for r in records)
    parsed = json.loads(json.dumps(records, allow_nan=False))
    first_run = next(r for r in parsed if r["kind"] == Kind.RUN.value)
    assert isinstance(first_run["week"], int)
    assert isinstance(first_run["running_minutes"], float)
    assert isinstance(first_run["distance"], float)
    rest = [r for r in parsed if r["kind"] != "run"]
    assert all(r["intervals"] is None for r in rest)


def test_no_weeks_is_an_empty_table_with_its_columns() -> None:
    referral = make_plan(weekly_volume=20, current_pain=2, red_flags=("saddle_numbness",))
    assert not referral.weeks
    frame = read_back(table.to_csv(referral))
    assert list(frame.columns) == CSV_COLUMNS and frame.empty
    assert table.to_records(referral) == []
    assert len(table.sessions_frame(replace(make_plan(weekly_volume=10, current_pain=2), weeks=[]))) == 0


def test_the_csv_carries_the_disclaimer_on_every_row(km_plan: Plan) -> None:
    """Rule 29 in every export: a last column, so pandas still reads one row per session and a row
    sorted, filtered or copied out of the sheet keeps the words."""
    frame = read_back(table.to_csv(km_plan))
    assert list(frame.columns)[-1] == "disclaimer"
    assert len(frame) == len(km_plan.sessions)
    assert (frame["disclaimer"] == DISCLAIMER).all()
    assert frame["week"].dtype == "int64" and frame["running_minutes"].dtype == "float64"
    text = table.to_csv(km_plan).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert {row["disclaimer"] for row in rows} == {DISCLAIMER}
    assert "disclaimer" not in table.to_records(km_plan)[0]  # the JSON table says it once, beside its rows
