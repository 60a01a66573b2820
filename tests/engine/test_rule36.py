"""Rule 36: what was really run sizes the next week (never upwards), and is said in words."""

from __future__ import annotations

from dataclasses import replace

from planner.engine import Actual, Intensity, Terrain
from planner.engine.actual import remarks

from .engine_support import checkin, plan, runs

RUNNER = {"weekly_volume": 25, "current_pain": 1, "target_weekly_volume": 40, "longest_run": 12}


def _with_actual(week_number: int, ran: float | None, *, bout: float | None = None) -> tuple:
    """Every run of the week checked in within the ceiling, each with `ran` minutes really run."""
    base = plan(**RUNNER)
    days = [s.date for s in runs(base.weeks[week_number - 1])]
    checkins = []
    for day in days:
        actual = None if ran is None else Actual(running_minutes=ran, longest_bout_minutes=bout)
        checkins.append(replace(checkin(day, 1, 0), actual=actual))
    return base, plan(checkins, **RUNNER)


def test_runs_cut_short_size_the_next_week_from_what_was_run() -> None:
    _, planned = _with_actual(1, None)
    _, short = _with_actual(1, 5)
    assert short.weeks[0] == planned.weeks[0]  # the week itself stays as it was shown
    assert short.weeks[1].running_minutes < planned.weeks[1].running_minutes
    assert max(s.running_minutes for s in runs(short.weeks[1])) < max(s.running_minutes for s in runs(planned.weeks[1]))


def test_running_more_than_planned_never_lifts_the_next_week() -> None:
    _, planned = _with_actual(1, None)
    _, long = _with_actual(1, 90, bout=90)
    assert [w.running_minutes for w in long.weeks[:6]] == [w.running_minutes for w in planned.weeks[:6]]


def test_remarks_say_where_a_run_left_the_plan() -> None:
    base = plan(**RUNNER)
    run = runs(base.weeks[0])[0]
    assert run.terrain is Terrain.FLAT and run.intensity is Intensity.EASY
    hilly = Actual(running_minutes=run.running_minutes + 12, ascent_m=120, climbing_seconds=400, fast_seconds=90,
                   cadence_spm=150)
    said = remarks(run, hilly, cadence=160)
    assert len(said) == 4
    assert said[0].startswith(f"You ran {round(run.running_minutes + 12)} minutes; the plan said "
                              f"{run.running_minutes:g}.")
    assert "120 m of climbing" in said[1] and "Hills are not in the plan yet" in said[1]
    assert "90 seconds" in said[2] and "Speed is not in the plan yet" in said[2]
    assert "150 steps a minute; aim for about 168" in said[3]
    assert remarks(run, Actual(running_minutes=run.running_minutes), cadence=None) == []
    assert "not in the plan" in remarks(None, Actual(running_minutes=20), cadence=None)[0]
