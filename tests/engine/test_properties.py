"""Invariants of rules v2 that hold for every valid request and any check-in story (hypothesis).

Check-in stories are built the way a runner lives them: one session at a time, each check-in
dated on a session of the plan as it stood after the check-ins before it, with missed sessions,
mornings logged or not, and pain anywhere from 0 to 10.
"""

from __future__ import annotations

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
from planner.engine.exercises import CATALOGUE_BY_ID

from .engine_support import STAGE_3_IDS, runs

TODAY = date(2026, 3, 4)
START = date(2026, 3, 9)
SEED = "property-seed"
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
EPS = 1e-6
BUILD_ON = (Phase.BUILD, Phase.REINTRODUCE, Phase.MAINTAIN)


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
    current_runs = None
    if draw(st.booleans()):
        current_runs = 0 if volume == 0 else draw(st.integers(1, 7))
    return PlanRequest(
        weekly_volume=volume,
        current_pain=draw(st.integers(0, 10)),
        unit=unit,
        easy_pace=pace,
        target_weekly_volume=target,
        pain_tolerance=draw(st.integers(0, 10)),
        morning_after_worse=draw(st.booleans()),
        pain_at_rest=draw(st.one_of(st.just(0), st.just(0), st.integers(0, 4))),
        longest_run=longest,
        cadence=draw(st.one_of(st.none(), st.integers(140, 200))),
        runs_per_week=draw(st.integers(2, 6)),
        current_runs=current_runs,
        start_date=START,
    )


def build(request: PlanRequest, checkins: list[CheckIn] | tuple[CheckIn, ...] = ()) -> Plan:
    return build_plan(request, today=TODAY, seed=SEED, checkins=tuple(checkins))


@st.composite
def stories(draw: st.DrawFn, *, calm: bool = False, most: int = 16) -> tuple[PlanRequest, list[CheckIn]]:
    """A valid request and check-ins logged session by session, as the plan re-plans after each.

    `calm`: every check-in within the ceiling with mornings at the usual level (missed sessions allowed).
    """
    request = draw(requests())
    note(f"request: {request}")
    try:
        plan = build(request)
    except InputError:  # a target too small or more than 30 hours a week: not a valid request
        reject()
    ceiling = plan.ceiling
    checkins: list[CheckIn] = []
    for _ in range(draw(st.integers(0, most))):
        after = checkins[-1].date if checkins else START - timedelta(days=1)
        days = sorted({s.date for s in plan.sessions
                       if s.kind in (Kind.RUN, Kind.CROSS_TRAIN) and after < s.date <= after + timedelta(days=9)})
        if not days:
            break
        day = draw(st.sampled_from(days[:3]))
        if calm:
            during = draw(st.integers(0, ceiling))
            morning = draw(st.one_of(st.none(), st.just(min(request.pain_at_rest, 1))))
        else:
            during = draw(st.integers(0, 8))
            morning = draw(st.one_of(st.none(), st.integers(0, 6)))
        completed = draw(st.sampled_from([True, True, True, True, False]))
        checkins.append(CheckIn(date=day, pain_during=during, pain_next_morning=morning, completed=completed))
        plan = build(request, checkins)
    note(f"check-ins: {checkins}")
    return request, checkins


def target_minutes(p: Plan) -> float:
    request = p.request
    current = units.to_minutes(request.weekly_volume, request)
    if request.target_weekly_volume is None:
        return max(current, 90)
    return units.to_minutes(request.target_weekly_volume, request)


def quality_kinds(week: Week) -> set[tuple[Intensity, Terrain]]:
    return {(s.intensity, s.terrain) for s in runs(week)
            if s.intensity is not Intensity.EASY or s.terrain is not Terrain.FLAT}


def had_reaction(week: Week, by_date: dict[date, CheckIn], ceiling: int, *, missed: bool = True) -> bool:
    """A week whose own check-ins changed it mid-week (over the ceiling) or, with `missed`, missed runs."""
    return any(c.pain_during > ceiling or (missed and not c.completed)
               for d, c in by_date.items() if week.start <= d < week.start + timedelta(days=7))


# -- the invariants ---------------------------------------------------------------------------

def check_invariants(p: Plan, checkins: list[CheckIn]) -> None:
    assert p.status is Status.PLAN
    assert p.rules_version == 2
    weeks = p.weeks
    assert len(weeks) >= 12
    target = target_minutes(p)
    by_date = {c.date: c for c in checkins}
    request = p.request
    longest_input = units.to_minutes(request.longest_run, request) if request.longest_run else None
    all_runs = [s for s in p.sessions if s.kind is Kind.RUN]
    done = [s for s in all_runs if s.continuous_minutes and (s.date not in by_date or by_date[s.date].completed)]
    running_weeks = 0
    calm_since = 99

    for i, week in enumerate(weeks):
        previous = weeks[i - 1] if i else None
        # Phases never go back without a step back.
        if previous is not None and week.phase.order < previous.phase.order:
            assert previous.decision is Decision.STEP_BACK, (i, previous.phase, week.phase)
        # Never above the target; never more runs than runs_per_week (rules 17, 18).
        assert week.running_minutes <= target + EPS
        assert len(runs(week)) <= min(request.runs_per_week, 4)

        # Rule 15 (v2): no continuous run over 110% of the longest continuous run done in the 30 days before it.
        for s in runs(week):
            if not s.continuous_minutes:
                continue
            recent = [r.running_minutes for r in done if s.date - timedelta(days=30) <= r.date < s.date]
            if longest_input is not None and (s.date - p.request.start_date).days < 30:  # type: ignore[operator]
                recent.append(longest_input)
            if recent:
                assert s.running_minutes <= 1.10 * max(recent) + EPS, (i, s.date, s.running_minutes, max(recent))

        # Rule 14: once counting minutes, a full week grows at most 10% on the last full week, 20% on the
        # full week before it... measured on full weeks: lighter weeks are no baseline.
        full = [w for w in weeks[:i] if not w.deload and w.running_minutes > 0
                and not had_reaction(w, by_date, p.ceiling, missed=False)]
        if week.phase in BUILD_ON and not week.deload and full and full[-1].phase in BUILD_ON:
            assert week.running_minutes <= 1.10 * full[-1].running_minutes + 1 + EPS, (i, week.running_minutes)

        # Rehab every week; never stretching; no stage 3 in weeks 1-2; four to six exercises a heavy session.
        assert any(s.exercises for s in week.sessions)
        for s in week.sessions:
            for e in s.exercises:
                assert "stretch" not in f"{e.id} {e.name} {e.cue}".lower()
                if i < 2:
                    assert e.id not in STAGE_3_IDS
            if s.kind is Kind.STRENGTH and week.rehab_stage >= 2:
                assert 4 <= len(s.exercises) <= 6, (i, [e.id for e in s.exercises])
                assert s.total_minutes >= 30

        # Rules 21-22 (v2): quality only after the eighth running week, never within three weeks of a hold
        # or step back, never new in a week whose minutes rise, at most 10% of the week.
        if week.running_minutes > 0:
            running_weeks += 1
        if quality_kinds(week):
            assert week.phase in (Phase.REINTRODUCE, Phase.MAINTAIN)
            assert running_weeks >= 8
            assert calm_since >= 3, (i, calm_since)
            if previous is not None and quality_kinds(week) - quality_kinds(previous):
                assert week.running_minutes <= previous.running_minutes + EPS, (i, "new quality in a rise")
        assert sum(s.quality_minutes for s in runs(week)) <= 0.10 * week.running_minutes + EPS
        calm_since = 0 if week.decision in (Decision.HOLD, Decision.STEP_BACK) else calm_since + 1

        # Rule 12: walk-run weeks have two or three runs.
        if week.phase is Phase.WALK_RUN:
            assert 1 <= len(runs(week)) <= 3

        # Rule 7 (v2): a hold never lowers the load, unless a lighter week was due or the week's own
        # check-ins cut it short.
        following = weeks[i + 1] if i + 1 < len(weeks) else None
        if following is not None and week.decision is Decision.HOLD and following.phase is week.phase \
                and not following.deload and not had_reaction(following, by_date, p.ceiling):
            assert following.running_minutes >= week.running_minutes - EPS, (i, "a hold lowered the load")
        if following is not None and week.decision is Decision.STEP_BACK:
            assert max(map(_session_running, runs(following)), default=0) <= \
                max(map(_session_running, runs(week)), default=0) + EPS, (i, "a step back went up")
            if not had_reaction(week, by_date, p.ceiling):
                assert following.running_minutes <= week.running_minutes + EPS

        # Rule 27: strength and running never rise in the same week.
        if previous is not None and _strength_rose(previous, week):
            assert week.running_minutes <= previous.running_minutes + EPS, (i, "strength and running rose together")

    # Rule 17 (v2): never more than two running days in a row; no back-to-back days around walk-run weeks.
    days = sorted(s.date for s in all_runs)
    streak = 1
    for a, b in pairwise(days):
        streak = streak + 1 if (b - a).days == 1 else 1
        assert streak <= 2, (b, "three running days in a row")
    walk_run_days = {s.date for w in weeks if w.phase is Phase.WALK_RUN for s in runs(w)}
    for a, b in pairwise(days):
        if a in walk_run_days or b in walk_run_days:
            assert (b - a).days >= 2, (a, b)

    # Rule 24 (v2): heavy days never on consecutive days.
    heavy = sorted(s.date for s in p.sessions if s.kind is Kind.STRENGTH
                   and any(CATALOGUE_BY_ID[e.id].stage >= 2 for e in s.exercises))
    assert all((b - a).days >= 2 for a, b in pairwise(heavy))

    # Session UIDs are unique; every session belongs to its week.
    uids = [s.uid for s in p.sessions]
    assert len(uids) == len(set(uids))
    for week in weeks:
        assert all(week.start <= s.date < week.start + timedelta(days=7) for s in week.sessions)


def _session_running(s: object) -> float:
    return s.running_minutes  # type: ignore[attr-defined, no-any-return]


def _strength_rose(before: Week, week: Week) -> bool:
    def load(w: Week) -> tuple[int, frozenset[str]]:
        ids = frozenset(e.id for s in w.sessions if s.kind is Kind.STRENGTH for e in s.exercises
                        if CATALOGUE_BY_ID[e.id].stage < 4)
        return w.rehab_stage, ids
    return load(week) != load(before) and week.rehab_stage >= before.rehab_stage and week.rehab_stage >= 2


@SETTINGS
@given(stories(most=0))
def test_invariants_hold_without_checkins(story: tuple[PlanRequest, list[CheckIn]]) -> None:
    request, _ = story
    check_invariants(build(request), [])


@SETTINGS
@given(stories())
def test_invariants_hold_over_any_checkin_story(story: tuple[PlanRequest, list[CheckIn]]) -> None:
    request, checkins = story
    check_invariants(build(request, checkins), checkins)


@SETTINGS
@given(stories(calm=True))
def test_no_physio_notice_while_every_checkin_is_within_the_ceiling(story: tuple[PlanRequest, list[CheckIn]]) -> None:
    request, checkins = story
    p = build(request, checkins)
    check_invariants(p, checkins)
    assert all(w.decision in (None, Decision.PROGRESS, Decision.STEP_BACK) for w in p.weeks)
    if p.notices:  # only pain during rising over four weeks at an unchanged load may call for one
        minutes = [w.running_minutes for w in p.weeks]
        assert any(len(set(minutes[i:i + 4])) == 1 for i in range(len(minutes) - 3))
        pains = [c.pain_during for c in checkins]
        assert max(pains) - min(pains) >= 2


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stories())
def test_same_inputs_give_an_equal_plan(story: tuple[PlanRequest, list[CheckIn]]) -> None:
    request, checkins = story
    assert build(request, checkins) == build(request, list(reversed(checkins)))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stories())
def test_a_checkin_changes_nothing_before_the_day_after_it(story: tuple[PlanRequest, list[CheckIn]]) -> None:
    request, checkins = story
    if not checkins:
        reject()
    before, last = build(request, checkins[:-1]), checkins[-1]
    after = build(request, checkins)
    assert [s for s in before.sessions if s.date <= last.date] == [s for s in after.sessions if s.date <= last.date]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(["saddle_numbness", "night_pain", "pain_on_hopping"]), min_size=1, unique=True))
def test_red_flags_give_a_referral_and_no_weeks(flags: list[str]) -> None:
    p = build(PlanRequest(weekly_volume=20, current_pain=2, red_flags=tuple(flags)))
    assert p.status is not Status.PLAN and not p.weeks and p.referral
