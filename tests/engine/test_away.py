"""Away for a while: days with no sessions; up to a week is planned rest, longer follows rule 7's gap rule.

Unit tests on worked examples, then hypothesis properties over any valid request and any one period.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, note, reject
from hypothesis import strategies as st

from planner.engine import Away, InputError, Phase, Plan, PlanRequest, Week, build_plan, words
from planner.engine.continuous import DELOAD_FACTOR, SINGLE_RUN_CAP
from planner.engine.ladder import walk_run

from .engine_support import runs
from .test_properties import SETTINGS, requests

TODAY = date(2026, 3, 4)
START = date(2026, 3, 9)  # a Monday
SEED = "away-seed"
BUILDING = PlanRequest(weekly_volume=30, current_pain=2, target_weekly_volume=40, start_date=START)
FROM_ZERO = PlanRequest(weekly_volume=0, current_pain=1, target_weekly_volume=25, start_date=START)
RUNG_1 = walk_run(1).running_minutes  # the lowest a walk-run session goes


def build(request: PlanRequest, *periods: Away) -> Plan:
    return build_plan(request, today=TODAY, seed=SEED, away=periods)


def week_starting(plan: Plan, day: date) -> Week:
    return next(w for w in plan.weeks if w.start == day)


def monday(weeks: int) -> date:
    return START + timedelta(days=7 * weeks)


# -- worked examples ------------------------------------------------------------------------------------

def test_a_plan_without_away_periods_is_the_same_plan() -> None:
    assert build(BUILDING) == build_plan(BUILDING, today=TODAY, seed=SEED)
    assert build(FROM_ZERO) == build_plan(FROM_ZERO, today=TODAY, seed=SEED)


def test_days_away_hold_no_session_and_the_days_around_them_keep_theirs() -> None:
    period = Away(monday(4) + timedelta(days=2), monday(4) + timedelta(days=6))  # Wednesday to Sunday of week 5
    plan = build(BUILDING, period)
    assert not [s for s in plan.sessions if s.date in period]
    week = week_starting(plan, monday(4))
    assert [s.date for s in week.sessions if s.date < period.start] == \
        [s.date for s in week_starting(build(BUILDING), monday(4)).sessions if s.date < period.start]
    assert "You are away 8–12 April: no sessions on those days." in week.rationale


def test_rule_7_planned_rest_of_five_days_picks_up_the_load_before_it() -> None:
    plain = build(BUILDING)
    period = Away(monday(4) + timedelta(days=2), monday(4) + timedelta(days=6))
    plan = build(BUILDING, period)
    before = week_starting(plan, monday(3))  # week 4, a lighter week: its full load is week 3's
    assert before.deload and week_starting(plain, monday(2)).running_minutes == 180
    after = week_starting(plan, monday(5))
    assert after.running_minutes == 180  # the load before the break; no step back, no rise
    assert "You were away 8–12 April, a planned rest" in after.rationale
    assert "no step back" in after.rationale
    # The sessions move on: the plan is longer, nothing missed is crammed into the week after.
    assert len(plan.weeks) > len(plain.weeks)
    assert max(len(runs(w)) for w in plan.weeks) == max(len(runs(w)) for w in plain.weeks)


def test_rule_7_planned_rest_on_the_ladder_repeats_the_last_week_run() -> None:
    period = Away(monday(4) + timedelta(days=2), monday(4) + timedelta(days=6))
    plan = build(FROM_ZERO, period)
    before, after = week_starting(plan, monday(3)), week_starting(plan, monday(5))
    assert [s.running_minutes for s in runs(after)] == [s.running_minutes for s in runs(before)]
    assert after.phase is Phase.WALK_RUN


def test_rule_7_sixteen_days_away_restart_at_about_half() -> None:
    period = Away(monday(4) + timedelta(days=2), monday(6) + timedelta(days=3))  # 8-23 April
    assert period.days == 16
    plan = build(BUILDING, period)
    back = week_starting(plan, monday(6))  # Thursday the 24th is the first day back
    first_full = week_starting(plan, monday(7))
    assert [s.running_minutes for s in runs(back)] == [30.0]
    assert first_full.running_minutes == 90  # half of the 180 of the last full week run (week 3's load)
    assert "You were away 8–23 April (16 days)" in back.rationale
    assert "about half of it" in back.rationale
    assert "first full week back after being away 8–23 April" in first_full.rationale
    # Then progression resumes by the usual rules: it grows again, by at most 10% a week.
    following = week_starting(plan, monday(8))
    assert 90 < following.running_minutes <= 99


def test_rule_7_ten_days_away_restart_at_about_80_percent() -> None:
    period = Away(monday(4) + timedelta(days=2), monday(5) + timedelta(days=4))  # 8-17 April
    plan = build(BUILDING, period)
    first_full = week_starting(plan, monday(6))
    assert first_full.running_minutes == 144  # 80% of 180
    assert "about 80% of it, or one step lower" in week_starting(plan, monday(5)).rationale


def test_rule_7_long_away_on_the_ladder_takes_the_highest_rung_that_fits() -> None:
    period = Away(monday(4) + timedelta(days=2), monday(6) + timedelta(days=3))
    plan = build(FROM_ZERO, period)
    longest_before = max(s.running_minutes for s in runs(week_starting(plan, monday(3))))
    first_full = week_starting(plan, monday(7))
    assert all(s.running_minutes <= max(longest_before / 2, RUNG_1) for s in runs(first_full))


def test_away_from_the_first_day_cuts_the_runners_own_running() -> None:
    period = Away(START, START + timedelta(days=15))
    plan = build(BUILDING, period)
    plain = build(BUILDING)
    assert not runs(plan.weeks[0]) and not runs(plan.weeks[1])
    assert plan.weeks[3].running_minutes <= plain.weeks[0].running_minutes / 2


def test_a_flare_before_leaving_still_holds() -> None:
    from planner.engine import CheckIn, Decision

    period = Away(monday(4) + timedelta(days=3), monday(4) + timedelta(days=6))
    plan = build_plan(BUILDING, today=TODAY, seed=SEED, checkins=[CheckIn(monday(4), 5, 1)], away=[period])
    assert week_starting(plan, monday(4)).decision is Decision.HOLD


def test_day_span_reads_as_a_runner_writes_it() -> None:
    assert words.day_span(date(2026, 5, 12), date(2026, 5, 18)) == "12–18 May"
    assert words.day_span(date(2026, 4, 28), date(2026, 5, 3)) == "28 April–3 May"
    assert words.day_span(date(2026, 12, 28), date(2027, 1, 3)) == "28 December 2026–3 January 2027"
    assert words.day_span(date(2026, 5, 12), date(2026, 5, 12)) == "12 May"


# -- properties ---------------------------------------------------------------------------------------

@st.composite
def periods(draw: st.DrawFn, *, shortest: int = 1, longest: int = 40) -> Away:
    start = START + timedelta(days=draw(st.integers(7, 120)))
    return Away(start, start + timedelta(days=draw(st.integers(shortest, longest)) - 1))


def _plan_or_reject(request: PlanRequest, *periods_: Away) -> Plan:
    try:
        return build(request, *periods_)
    except InputError:
        reject()


def _full_weeks_before(plan: Plan, period: Away) -> list[Week]:
    """The weeks wholly before the period (no day away), with runs."""
    return [w for w in plan.weeks if w.start + timedelta(days=6) < period.start and runs(w)]


def _first_week_after(plan: Plan, period: Away) -> Week | None:
    return next((w for w in plan.weeks if w.start > period.end), None)


@SETTINGS
@given(requests(), st.lists(periods(longest=30), max_size=3))
def test_property_no_session_inside_an_away_period(request: PlanRequest, drawn: list[Away]) -> None:
    kept: list[Away] = []
    for period in sorted(drawn, key=lambda p: p.start):
        if not kept or period.start > kept[-1].end:
            kept.append(period)
    plan = _plan_or_reject(request, *kept)
    note(f"away: {kept}")
    assert not [s for s in plan.sessions if any(s.date in p for p in kept)]


@SETTINGS
@given(requests(), periods(longest=7))
def test_property_planned_rest_never_lowers_the_load_after_it(request: PlanRequest, period: Away) -> None:
    plan = _plan_or_reject(request, period)
    before, after = _full_weeks_before(plan, period), _first_week_after(plan, period)
    if not before or after is None or after.phase is Phase.SETTLE:
        return
    last = before[-1]
    load_before = last.running_minutes / (DELOAD_FACTOR if last.deload else 1)
    floor = load_before * (DELOAD_FACTOR if after.deload else 1) - len(runs(after)) - 1e-6  # whole minutes
    note(f"{request!r}")
    note(f"away {period}; before {last.number}: {last.running_minutes}; after {after.number}: {after.running_minutes}")
    assert after.running_minutes >= min(floor, last.running_minutes - 1e-6)


@SETTINGS
@given(requests(), periods(shortest=8, longest=40))
def test_property_a_long_gap_never_comes_back_above_the_gap_rule(request: PlanRequest, period: Away) -> None:
    plan = _plan_or_reject(request, period)
    before, after = _full_weeks_before(plan, period), _first_week_after(plan, period)
    if not before or after is None or before[-1].phase is Phase.SETTLE:
        return
    last = before[-1]
    full = last.running_minutes / (DELOAD_FACTOR if last.deload else 1) + len(runs(last))  # whole-minute runs
    longest = max(s.running_minutes for s in runs(last))
    note(f"{request!r}")
    note(f"away {period}; before {last.number}: {last.running_minutes}; after {after.number}: {after.running_minutes}")
    factor = 0.5 if period.days >= 14 else 0.8
    if last.phase in (Phase.BUILD, Phase.REINTRODUCE, Phase.MAINTAIN):
        # Weekly minutes: about half, or about 80%, of the last full week; its runs within rule 15's cap.
        assert after.running_minutes <= full * factor + 1e-6
        assert all(s.running_minutes <= longest * SINGLE_RUN_CAP + 1e-6 for s in runs(after))
    elif period.days >= 14:  # on the steps: the highest that fits in half a run
        assert all(s.running_minutes <= max(longest / 2, RUNG_1) + 1e-6 for s in runs(after))
    else:  # on the steps: one lower
        assert all(s.running_minutes <= longest + 1e-6 for s in runs(after))


@SETTINGS
@given(requests(), periods())
def test_property_the_plan_stays_deterministic(request: PlanRequest, period: Away) -> None:
    assert _plan_or_reject(request, period) == build(request, period)


@pytest.mark.parametrize("days", [1, 7, 8, 13, 14])
def test_away_at_the_boundaries_of_planned_rest(days: int) -> None:
    period = Away(monday(4), monday(4) + timedelta(days=days - 1))
    plan = build(BUILDING, period)
    after = _first_week_after(plan, period)
    assert after is not None
    before = _full_weeks_before(plan, period)[-1]
    load_before = before.running_minutes / (DELOAD_FACTOR if before.deload else 1)
    if days <= 7:
        assert after.running_minutes >= load_before * DELOAD_FACTOR - 3
    elif days < 14:
        assert after.running_minutes <= load_before * 0.8
    else:
        assert after.running_minutes <= load_before / 2
