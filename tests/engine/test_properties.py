"""Invariants that hold for every valid request and any check-ins (hypothesis)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from itertools import pairwise

from hypothesis import HealthCheck, given, note, reject, settings
from hypothesis import strategies as st

from planner.engine import (
    CheckIn,
    Decision,
    InputError,
    Intensity,
    Kind,
    Phase,
    Plan,
    PlanRequest,
    Status,
    Terrain,
    Unit,
    Week,
    build_plan,
    units,
)

from .engine_support import CONTINUOUS_PHASES, STAGE_3_IDS, longest_run, runs

TODAY = date(2025, 3, 5)
SEED = "property-seed"
DEFAULT_TARGET = 90  # three 30-minute runs
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
EPS = 1e-6


@st.composite
def requests(draw: st.DrawFn) -> PlanRequest:
    unit = draw(st.sampled_from(list(Unit)))
    top = 900 if unit is Unit.MIN else 150
    volume = draw(st.one_of(st.just(0), st.integers(0, top), st.floats(0, top, allow_nan=False)))
    pace = None
    if unit is not Unit.MIN and draw(st.booleans()):
        low, high = (240, 540) if unit is Unit.KM else (390, 660)  # seconds per km or mi
        seconds = draw(st.integers(low, high))
        pace = f"{seconds // 60}:{seconds % 60:02d}"
    target = None
    if draw(st.booleans()):
        target = draw(st.integers(20, 900)) if unit is Unit.MIN else draw(st.integers(4, 150))
    longest = None
    if draw(st.booleans()):
        longest = draw(st.integers(5, 240)) if unit is Unit.MIN else draw(st.integers(1, 40))
    return PlanRequest(
        weekly_volume=volume,
        current_pain=draw(st.integers(0, 10)),
        unit=unit,
        easy_pace=pace,
        target_weekly_volume=target,
        pain_tolerance=draw(st.integers(0, 10)),
        morning_after_worse=draw(st.booleans()),
        pain_at_rest=draw(st.one_of(st.just(0), st.just(0), st.integers(0, 10))),
        longest_run=longest,
        cadence=draw(st.one_of(st.none(), st.integers(140, 200))),
        runs_per_week=draw(st.integers(2, 6)),
        start_date=draw(st.one_of(st.none(), st.dates(date(2024, 1, 1), date(2027, 12, 31)))),
    )


def build(request: PlanRequest, checkins: list[CheckIn] | tuple[CheckIn, ...] = ()) -> Plan:
    return build_plan(request, today=TODAY, seed=SEED, checkins=tuple(checkins))


@st.composite
def checkins_for(draw: st.DrawFn, p: Plan, most: int = 8) -> list[CheckIn]:
    run_dates = sorted({s.date for s in p.sessions if s.kind is Kind.RUN})
    if not run_dates:
        return []
    days = draw(st.lists(st.sampled_from(run_dates), max_size=most, unique=True))
    return [
        CheckIn(date=day, pain_during=draw(st.integers(0, 10)), pain_next_morning=draw(st.integers(0, 10)),
                completed=draw(st.sampled_from([True, True, True, False])))
        for day in days
    ]


@st.composite
def cases(draw: st.DrawFn, with_checkins: bool = True) -> tuple[PlanRequest, list[CheckIn]]:
    """A valid request and check-ins dated on its plan's run days."""
    request = draw(requests())
    try:
        base = build(request)
    except InputError:  # a target too small or more than 30 hours a week: not a valid request
        reject()
    return request, (draw(checkins_for(base)) if with_checkins else [])


def target_minutes(p: Plan) -> float:
    request = p.request
    current = units.to_minutes(request.weekly_volume, request)
    if request.target_weekly_volume is None:
        return max(current, DEFAULT_TARGET)
    return units.to_minutes(request.target_weekly_volume, request)


def is_quality(week: Week) -> bool:
    return any(s.intensity is not Intensity.EASY or s.terrain is not Terrain.FLAT for s in runs(week))


# -- the invariants ---------------------------------------------------------------------------

def check_invariants(p: Plan) -> None:
    assert p.status is Status.PLAN
    weeks = p.weeks
    assert len(weeks) >= 12
    target = target_minutes(p)
    longest_input = units.to_minutes(p.request.longest_run, p.request) if p.request.longest_run else None
    running_weeks = 0
    all_runs = [s for s in p.sessions if s.kind is Kind.RUN]

    for i, week in enumerate(weeks):
        previous = weeks[i - 1] if i else None
        # Phases never go back without a step_back check-in.
        if previous is not None and week.phase.order < previous.phase.order:
            assert previous.decision is Decision.STEP_BACK, (i, previous.phase, week.phase)

        # Never above the target.
        assert week.running_minutes <= target + EPS

        # Weekly minutes grow at most 10% on the last full week once running is continuous.
        if previous is not None and week.phase in CONTINUOUS_PHASES and previous.phase in CONTINUOUS_PHASES:
            if previous.decision in (Decision.HOLD, Decision.STEP_BACK):
                assert week.running_minutes <= previous.running_minutes + EPS
            else:
                full = [w for w in weeks[:i] if not w.deload and w.phase in CONTINUOUS_PHASES]
                if full:
                    assert week.running_minutes <= 1.10 * full[-1].running_minutes + EPS, (i, week.running_minutes)

        # No run longer than 110% of the longest continuous run in the previous 4 weeks.
        recent = [s.continuous_minutes or 0 for w in weeks[max(0, i - 4):i] for s in runs(w)]
        if longest_input is not None and i < 4:
            recent.append(longest_input)
        reference = max(recent, default=0)
        if reference >= 20:
            for s in runs(week):
                assert s.running_minutes <= 1.10 * reference + EPS, (i, s.running_minutes, reference)

        # Rehab exercises every week; never stretching; no stage 3 in weeks 1-2.
        assert any(s.exercises for s in week.sessions)
        for s in week.sessions:
            for e in s.exercises:
                assert "stretch" not in f"{e.id} {e.name} {e.cue}".lower()
                if i < 2:
                    assert e.id not in STAGE_3_IDS

        # Speed and hills only in reintroduce, from the eighth running week, at most 10% of the week.
        if week.running_minutes > 0:
            running_weeks += 1
        if is_quality(week):
            assert week.phase is Phase.REINTRODUCE
            assert running_weeks >= 8
        assert sum(s.quality_minutes for s in runs(week)) <= 0.10 * week.running_minutes + EPS

        # Walk-run: exactly three runs.
        if week.phase is Phase.WALK_RUN:
            assert len(runs(week)) == 3

        # Decisions shape the next week only as the rules say.
        following = weeks[i + 1] if i + 1 < len(weeks) else None
        if following is not None and week.decision is Decision.HOLD:
            assert following.running_minutes <= week.running_minutes + EPS
        if following is not None and week.decision is Decision.STEP_BACK:
            assert following.running_minutes <= week.running_minutes + EPS
            assert all((s.date - following.start).days >= 2 for s in runs(following))

    # No back-to-back run days around any walk-run week, across week boundaries too.
    walk_run_days = {s.date for w in weeks if w.phase is Phase.WALK_RUN for s in runs(w)}
    run_days = sorted(s.date for s in all_runs)
    for a, b in pairwise(run_days):
        if a in walk_run_days or b in walk_run_days:
            assert (b - a).days >= 2, (a, b)

    # Session UIDs are unique; every session belongs to its week.
    uids = [s.uid for s in p.sessions]
    assert len(uids) == len(set(uids))
    for week in weeks:
        assert all(week.start <= s.date < week.start + timedelta(days=7) for s in week.sessions)

    # A third bad week in a row brings the physiotherapist notice.
    streak = 0
    for week in weeks:
        streak = streak + 1 if week.decision in (Decision.HOLD, Decision.STEP_BACK) else 0
        if streak >= 3:
            assert p.notices


@SETTINGS
@given(cases(with_checkins=False))
def test_invariants_hold_without_checkins(case: tuple[PlanRequest, list[CheckIn]]) -> None:
    p = build(case[0])
    check_invariants(p)
    assert all(w.decision is None for w in p.weeks)
    # Without check-ins, phases only move forward.
    assert all(a.phase.order <= b.phase.order for a, b in pairwise(p.weeks))


@SETTINGS
@given(cases())
def test_invariants_hold_with_random_checkins(case: tuple[PlanRequest, list[CheckIn]]) -> None:
    request, checkins = case
    note(repr(case))
    p = build(request, checkins)
    check_invariants(p)
    checked_weeks = {w.number for w in p.weeks for c in checkins if w.start <= c.date < w.start + timedelta(days=7)}
    assert {w.number for w in p.weeks if w.decision is not None} == checked_weeks


@SETTINGS
@given(cases())
def test_same_inputs_give_an_equal_plan(case: tuple[PlanRequest, list[CheckIn]]) -> None:
    request, checkins = case
    p = build(request, checkins)
    assert build(request, checkins) == p
    assert build(request, list(reversed(checkins))) == p


@SETTINGS
@given(st.data())
def test_adding_a_checkin_keeps_every_session_up_to_its_week(data: st.DataObject) -> None:
    request, checkins = data.draw(cases())
    before = build(request, checkins)
    run_dates = sorted({s.date for s in before.sessions if s.kind is Kind.RUN} - {c.date for c in checkins})
    if not run_dates:
        return
    day = data.draw(st.sampled_from(run_dates))
    new = CheckIn(date=day, pain_during=data.draw(st.integers(0, 10)),
                  pain_next_morning=data.draw(st.integers(0, 10)), completed=data.draw(st.booleans()))
    after = build(request, [*checkins, new])
    check_invariants(after)
    for old, now in zip(before.weeks, after.weeks, strict=False):
        if old.start > day:
            break
        assert now.sessions == old.sessions


@SETTINGS
@given(cases(with_checkins=False), st.data())
def test_checkins_within_the_ceiling_change_nothing(case: tuple[PlanRequest, list[CheckIn]],
                                                     data: st.DataObject) -> None:
    request = case[0]
    base = build(request)
    baseline = request.pain_at_rest
    run_dates = sorted({s.date for s in base.sessions if s.kind is Kind.RUN})
    if not run_dates:
        return
    days = data.draw(st.lists(st.sampled_from(run_dates), min_size=1, max_size=10, unique=True))
    good = [CheckIn(date=d, pain_during=data.draw(st.integers(0, base.ceiling)),
                    pain_next_morning=data.draw(st.integers(0, baseline))) for d in days]
    after = build(request, good)
    strip = [replace(w, decision=None) for w in after.weeks]
    assert [w.sessions for w in strip] == [w.sessions for w in base.weeks]
    assert all(w.decision in (None, Decision.PROGRESS) for w in after.weeks)


@SETTINGS
@given(requests(), st.lists(st.sampled_from([
    "saddle_numbness", "bladder_bowel_change", "bilateral_leg_symptoms", "pain_on_hopping", "night_pain",
    "pain_worsens_during_run", "sudden_pop_bruising", "pins_and_needles_below_knee",
    "unexplained_weight_loss_or_fever",
]), min_size=1, max_size=4))
def test_red_flags_give_a_referral_and_no_weeks(request: PlanRequest, flags: list[str]) -> None:
    p = build(replace(request, red_flags=tuple(flags)))
    emergency = {"saddle_numbness", "bladder_bowel_change", "bilateral_leg_symptoms"}
    assert p.status is (Status.EMERGENCY if emergency & set(flags) else Status.SEE_CLINICIAN)
    assert p.weeks == [] and p.sessions == []
    assert p.referral


def test_longest_run_helper_sees_runs() -> None:  # guards the helpers the properties rely on
    p = build(PlanRequest(weekly_volume=120, current_pain=1, unit=Unit.MIN))
    assert longest_run(p.weeks[0]) == 40
    assert len(runs(p.weeks[0])) == 3
