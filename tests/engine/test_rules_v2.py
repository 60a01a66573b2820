"""Rules v2 (docs/clinical-rules.md): one or more tests per changed or added rule, and one per defect
the clinical review found in version 1 (each failed on the v1 engine).

Multi-week stories are lived the way a runner lives them: each check-in is dated on a session of
the plan as it stood after the check-ins before it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from itertools import pairwise
from typing import Any

import pytest

from planner.engine import CheckIn, Decision, Intensity, Kind, Phase, Plan, PlanRequest, Terrain, Unit, build_plan
from planner.engine.exercises import CATALOGUE_BY_ID

from .engine_support import STAGE_3_IDS, runs

TODAY = date(2026, 3, 4)
START = date(2026, 3, 9)  # the review's start date


def make(checkins: list[CheckIn] | tuple[CheckIn, ...] = (), **fields: Any) -> Plan:
    fields.setdefault("start_date", START)
    return build_plan(PlanRequest(**fields), today=TODAY, seed="v2", checkins=tuple(checkins))


Score = tuple[int, int | None, bool]  # pain during, next morning (None: not logged), completed


def live(fields: dict[str, Any], score: Callable[[int, CheckIn | None], Score | None], *, sessions: int = 60,
         kinds: tuple[Kind, ...] = (Kind.RUN,)) -> tuple[Plan, list[CheckIn]]:
    """Check in session after session; `score(n, last)` gives the n-th session's scores, or None to stop."""
    checkins: list[CheckIn] = []
    plan = make(**fields)
    for n in range(sessions):
        after = checkins[-1].date if checkins else START - timedelta(days=1)
        nxt = min((s.date for s in plan.sessions if s.kind in kinds and s.date > after), default=None)
        if nxt is None:
            break
        scores = score(n, checkins[-1] if checkins else None)
        if scores is None:
            break
        during, morning, completed = scores
        checkins.append(CheckIn(nxt, during, morning, completed))
        plan = make(checkins, **fields)
    return plan, checkins


def run_minutes(plan: Plan) -> list[float]:
    return [w.running_minutes for w in plan.weeks]


def week_of(plan: Plan, day: date) -> int:
    return next(i for i, w in enumerate(plan.weeks) if w.start <= day < w.start + timedelta(days=7))


def first_quality(plan: Plan) -> int | None:
    return next((i for i, w in enumerate(plan.weeks)
                 if any(s.intensity is not Intensity.EASY or s.terrain is not Terrain.FLAT for s in runs(w))), None)


def first_hills(plan: Plan) -> int | None:
    return next((i for i, w in enumerate(plan.weeks) if any(s.terrain is Terrain.HILLS for s in runs(w))), None)


# -- Defect 1 (rules 11, 32): week 1 as the runner runs now ---------------------------------------

def test_defect_01_week_one_runs_are_never_longer_than_the_runners_own() -> None:
    # 30 km at the assumed 5:00/km is 150 minutes; five runs a week now are 30 minutes each.
    p = make(weekly_volume=30, current_pain=2, current_runs=5)
    assert all(s.running_minutes <= 30 for s in runs(p.weeks[0]))
    assert len(runs(p.weeks[0])) <= 3  # runs_per_week's 3
    default = make(weekly_volume=30, current_pain=2)  # current_runs defaults to runs_per_week: 3 x 50
    assert len(runs(default.weeks[0])) == 3 and max(s.running_minutes for s in runs(default.weeks[0])) <= 50


def test_defect_01_eighty_km_with_a_25_km_longest_run_is_not_inflated() -> None:
    p = make(weekly_volume=80, current_pain=1, runs_per_week=5, longest_run=25)
    week = p.weeks[0]
    assert week.running_minutes <= 80 * 5  # never more than the runner's week at the brisk 5:00/km
    assert all(s.running_minutes <= 80 for s in runs(week))  # 400 minutes over the runner's 5 runs
    assert any("5:00 per km" in w for w in p.warnings)


def test_rule_32_pace_given_is_used_and_no_warning() -> None:
    p = make(weekly_volume=30, current_pain=2, easy_pace="6:00")
    assert p.weeks[0].running_minutes == 180
    assert not any("pace" in w for w in p.warnings)
    assert make(weekly_volume=20, unit=Unit.MI, current_pain=2).weeks[0].running_minutes == 159  # 3 x floor(53.3)


# -- Defect 2 (rule 15): the 110% cap on every continuous run -------------------------------------

def _over_the_cap(plan: Plan, checkins: list[CheckIn]) -> list[tuple[date, float, float]]:
    """Continuous runs over 110% of the longest continuous run done in the 30 days before them."""
    by_date = {c.date: c for c in checkins}
    done = [s for s in plan.sessions if s.kind is Kind.RUN and s.continuous_minutes
            and (s.date not in by_date or by_date[s.date].completed)]
    over = []
    for s in (s for s in plan.sessions if s.kind is Kind.RUN and s.continuous_minutes):
        recent = [r.running_minutes for r in done if s.date - timedelta(days=30) <= r.date < s.date]
        if recent and s.running_minutes > 1.1 * max(recent) + 1e-6:
            over.append((s.date, s.running_minutes, max(recent)))
    return over


def test_defect_02_after_missed_runs_and_a_step_back_no_run_passes_110_percent_of_what_was_run() -> None:
    # A story found against the v1 engine: short runs after missed ones, a step back, then 20 minutes
    # after nothing longer than 16 in the 30 days before.
    fields = dict(weekly_volume=75, unit=Unit.MIN, current_pain=1, target_weekly_volume=150)
    day = START
    story = [(0, 1, 0, True), (2, 0, 0, False), (4, 0, 0, False), (9, 0, 0, False), (11, 1, 0, True),
             (13, 1, 0, True), (16, 1, 0, True), (18, 1, 0, True), (20, 0, 0, False), (22, 5, 1, True),
             (24, 5, 1, True), (26, 1, 0, True), (30, 1, 0, True), (32, 1, 0, True)]
    checkins = [CheckIn(day + timedelta(days=d), during, morning, done) for d, during, morning, done in story]
    assert _over_the_cap(make(checkins, **fields), checkins) == []


def test_rule_15_every_continuous_run_is_capped_over_lived_stories() -> None:
    fields = dict(weekly_volume=75, unit=Unit.MIN, current_pain=1, target_weekly_volume=150)

    def score(n: int, last: CheckIn | None) -> Score:
        if 6 <= n < 9:
            return 0, 0, False  # a week missed
        if n in (9, 10):
            return 5, 1, True  # then two flares
        return 1, 0, True

    p, checkins = live(fields, score, sessions=24)
    assert _over_the_cap(p, checkins) == []


# -- Defect 3 (rules 21, 22): no strides straight after a flare ----------------------------------

def test_defect_03_a_hold_restarts_the_flare_free_weeks_before_speed_and_hills() -> None:
    fields = dict(weekly_volume=30, current_pain=2, target_weekly_volume=30)
    base = make(**fields)
    quality = first_quality(base)
    assert quality is not None
    flare_day = runs(base.weeks[quality - 1])[0].date  # a session over the ceiling the week before strides
    p = make([CheckIn(flare_day, 5, 0)], **fields)
    flare_week = week_of(p, flare_day)
    assert p.weeks[flare_week].decision is Decision.HOLD
    later = first_quality(p)
    assert later is not None and later >= flare_week + 4  # three flare-free weeks first
    assert p.weeks[later].running_minutes <= p.weeks[later - 1].running_minutes  # never new in a rise


# -- Defect 4 (rule 8): pain at entry and in settle -----------------------------------------------

def test_defect_04_settle_goes_on_while_mornings_are_at_three() -> None:
    fields = dict(weekly_volume=20, current_pain=3, pain_at_rest=3)  # mornings at the usual 3: still not settled
    p, _ = live(fields, lambda n, last: (2, 3, True), sessions=9, kinds=(Kind.CROSS_TRAIN,))
    assert [w.phase for w in p.weeks[:3]] == [Phase.SETTLE] * 3
    assert p.weeks[2].running_minutes == 0


def test_defect_04_settle_ends_once_walks_and_mornings_settle() -> None:
    fields = dict(weekly_volume=20, current_pain=3, pain_at_rest=2)
    p, _ = live(fields, lambda n, last: (1, 0, True), sessions=6, kinds=(Kind.CROSS_TRAIN,))
    assert p.weeks[2].phase is not Phase.SETTLE
    # Rule 8 (v2): running restarts where rule 10 puts it for the runner's own volume, not rung 1.
    assert p.weeks[2].running_minutes > 12


def test_defect_04_severe_pain_settles_first_with_a_warning() -> None:
    p = make(weekly_volume=30, current_pain=10, pain_tolerance=5)
    assert p.weeks[0].phase is Phase.SETTLE and p.weeks[0].running_minutes == 0
    assert any("physiotherapist" in w and "7/10" in w for w in p.warnings)


def test_rule_08_four_unsettled_weeks_bring_the_physio_notice() -> None:
    fields = dict(weekly_volume=20, current_pain=3, pain_at_rest=2)
    three, _ = live(fields, lambda n, last: (5, 3, True), sessions=9, kinds=(Kind.CROSS_TRAIN,))
    assert not three.notices
    four, _ = live(fields, lambda n, last: (5, 3, True), sessions=12, kinds=(Kind.CROSS_TRAIN,))
    assert four.notices


# -- Defect 5 (rules 6, 7): holds never cut the load ----------------------------------------------

def test_defect_05_steady_mornings_at_one_are_the_usual_level_not_a_flare() -> None:
    fields = dict(weekly_volume=30, current_pain=2)
    p, _ = live(fields, lambda n, last: (2, 1, True), sessions=45)
    full = [w.running_minutes for w in p.weeks[:15] if not w.deload]
    assert all(b >= a for a, b in pairwise(full))  # never cut
    assert p.target_week is not None and not p.notices
    assert p.weeks[0].decision is Decision.HOLD  # the first morning at 1 is above the 0 before any
    assert p.weeks[2].decision is Decision.PROGRESS  # then 1 is the usual morning


def test_defect_05_holds_in_a_row_keep_the_same_minutes_and_say_so() -> None:
    fields = dict(weekly_volume=30, current_pain=2, pain_tolerance=3)
    p, _ = live(fields, lambda n, last: (4, 0, True) if n % 3 == 0 else (2, 0, True), sessions=12)
    held = [w for w in p.weeks[1:5]]
    assert all("repeats last week's load" in w.rationale for w in held)
    full = [w.running_minutes for w in held if not w.deload]
    assert len(set(full)) == 1  # the words and the numbers agree


# -- Defect 6 (rule 27): strength and running never rise together ----------------------------------

@pytest.mark.parametrize("fields", [
    dict(weekly_volume=60, unit=Unit.MIN, current_pain=1, target_weekly_volume=150),  # v1: up after a lighter week
    dict(weekly_volume=75, unit=Unit.MIN, current_pain=1, target_weekly_volume=200),
    dict(weekly_volume=0, current_pain=1, target_weekly_volume=25),
    dict(weekly_volume=15, current_pain=2, target_weekly_volume=30),
    dict(weekly_volume=30, current_pain=2, target_weekly_volume=40),
])
def test_defect_06_a_strength_rise_comes_in_a_week_whose_running_does_not_rise(fields: dict[str, Any]) -> None:
    p = make(**fields)

    def strength(w: Any) -> tuple[int, set[tuple[str, int | None]]]:
        return w.rehab_stage, {(e.id, e.reps) for s in w.sessions if s.kind is Kind.STRENGTH for e in s.exercises
                               if CATALOGUE_BY_ID[e.id].stage < 4}

    for before, week in pairwise(p.weeks):
        if before.rehab_stage >= 2 and strength(week) != strength(before):
            assert week.running_minutes <= before.running_minutes, week.number


# -- Defect 7 (rule 7): missed sessions are not flares --------------------------------------------

def test_defect_07_a_missed_week_restarts_from_the_last_week_run_without_days_off_or_notice() -> None:
    fields = dict(weekly_volume=150, unit=Unit.MIN, current_pain=1, target_weekly_volume=300)
    base = make(**fields)
    missed_weeks = (3, 4, 5)  # weeks 4-6: three weeks missed in a row
    checkins = [CheckIn(s.date, 0, 0, completed=False) for i in missed_weeks for s in runs(base.weeks[i])]
    p = make(checkins, **fields)
    assert not p.notices
    ran = p.weeks[2].running_minutes  # the last week actually run
    back = p.weeks[6]
    assert back.running_minutes <= 0.55 * ran + 3  # 14+ days: about half of the last week run
    assert min((s.date - back.start).days for s in runs(back)) == 0  # no days off added
    assert "not a flare" in p.weeks[4].rationale


def test_defect_07_one_missed_walk_does_not_restart_settle() -> None:
    fields = dict(weekly_volume=20, current_pain=3, pain_at_rest=2)
    p, _ = live(fields, lambda n, last: (1, 0, n != 1), sessions=6, kinds=(Kind.CROSS_TRAIN,))
    assert p.weeks[2].phase is not Phase.SETTLE


def test_rule_07_a_single_missed_session_changes_nothing() -> None:
    fields = dict(weekly_volume=150, unit=Unit.MIN, current_pain=1, target_weekly_volume=300)
    base = make(**fields)
    day = runs(base.weeks[1])[1].date
    p = make([CheckIn(day, 0, 0, completed=False)], **fields)
    assert run_minutes(p) == run_minutes(base)


# -- Defect 8 (rule 7): no physio notice without pain evidence ------------------------------------

def test_defect_08_a_rising_load_within_the_ceiling_never_brings_the_notice() -> None:
    p, _ = live(dict(weekly_volume=12, unit=Unit.MIN, current_pain=1, current_runs=1), lambda n, last: (1, 0, True),
                sessions=60)
    assert not p.notices
    assert max(run_minutes(p)) >= 66


@pytest.mark.parametrize("pattern", ["three bad weeks", "three step backs in six weeks"])
def test_rule_07_pain_evidence_brings_the_notice(pattern: str) -> None:
    fields = dict(weekly_volume=150, unit=Unit.MIN, current_pain=1, target_weekly_volume=300)
    if pattern == "three bad weeks":
        p, _ = live(fields, lambda n, last: (5, 0, True) if n % 3 == 0 else (1, 0, True), sessions=9)
    else:
        p, _ = live(fields, lambda n, last: (5, 0, True) if n % 4 in (0, 1) else (1, 0, True), sessions=16)
    assert p.notices and "physiotherapist" in p.notices[0]


# -- Defect 9 (rules 12, 17): runs_per_week respected ----------------------------------------------

def test_defect_09_two_runs_a_week_means_two() -> None:
    p = make(weekly_volume=0, current_pain=1, runs_per_week=2)
    assert all(len(runs(w)) <= 2 for w in p.weeks)
    assert len(runs(p.weeks[0])) == 2


@pytest.mark.parametrize("asked", [4, 5, 6])
def test_defect_09_warnings_never_promise_run_days_the_plan_does_not_reach(asked: int) -> None:
    p = make(weekly_volume=30, current_pain=1, runs_per_week=asked, target_weekly_volume=50)
    most = max(len(runs(w)) for w in p.weeks)
    assert most == 4
    text = " ".join(p.warnings)
    assert "come back later" not in text
    if asked > 4:
        assert "at most 4 run days" in text
        assert not any(str(n) + " a week" in text or "cut to" in text for n in range(5, 7))  # one honest number


def test_defect_09_never_three_running_days_in_a_row() -> None:
    p = make(weekly_volume=40, current_pain=1, runs_per_week=5, target_weekly_volume=60)
    days = sorted(s.date for s in p.sessions if s.kind is Kind.RUN)
    streak = 1
    for a, b in pairwise(days):
        streak = streak + 1 if (b - a).days == 1 else 1
        assert streak <= 2


# -- Defect 12 (rules 24-26): rehab dosing -----------------------------------------------------------

def test_defect_12_hip_flexion_exercises_come_one_at_a_time_a_week_apart() -> None:
    p = make(weekly_volume=0, current_pain=1, target_weekly_volume=25)
    first_seen: dict[str, int] = {}
    for w in p.weeks:
        for s in w.sessions:
            for e in s.exercises:
                first_seen.setdefault(e.id, w.number)
    weeks = sorted(first_seen[i] for i in STAGE_3_IDS)
    assert len(weeks) == 3
    assert all(b - a >= 1 for a, b in pairwise(weeks))
    assert first_seen["swiss_ball_hamstring_curl"] < first_seen["runners_arabesque"] \
        < first_seen["single_leg_romanian_deadlift"]


def test_defect_12_heavy_sessions_hold_four_to_six_exercises_and_say_how_long() -> None:
    p = make(weekly_volume=0, current_pain=1, target_weekly_volume=25)
    heavy = [s for s in p.sessions if s.kind is Kind.STRENGTH and s.exercises[0].id != "isometric_bridge_hold"]
    assert heavy
    for s in heavy:
        assert 4 <= len(s.exercises) <= 6
        assert 30 <= s.total_minutes <= 45
        assert f"about {s.total_minutes:g} min" in s.title
    dates = sorted(s.date for s in heavy)
    assert all((b - a).days >= 2 for a, b in pairwise(dates))  # never on consecutive days
    per_week = [sum(1 for s in w.sessions if s in heavy) for w in p.weeks if w.phase is not Phase.MAINTAIN]
    assert all(n in (0, 3) for n in per_week)


def test_defect_12_plyometrics_are_quick_and_light_not_heavy_and_slow() -> None:
    p = make(weekly_volume=0, current_pain=1, target_weekly_volume=25)
    plyo = [s for s in p.sessions if any(CATALOGUE_BY_ID[e.id].stage == 4 for e in s.exercises)]
    assert plyo
    for s in plyo:
        assert any("quick, light" in c.lower() for c in s.cues)
        assert not any(c.startswith("Skips") and "heavy and slow" in c for c in s.cues)


# -- Defect 13 (rules 16, 22, 33, 3): length and rough edges -----------------------------------------

RUNNERS = {
    "from zero": dict(weekly_volume=0, current_pain=1, target_weekly_volume=25),
    "15 of 30 km": dict(weekly_volume=15, current_pain=2, target_weekly_volume=30),
    "30 km within the ceiling": dict(weekly_volume=30, current_pain=2, target_weekly_volume=40),
    "pain 6 with worse mornings": dict(weekly_volume=30, current_pain=6, morning_after_worse=True),
    "rest pain 2": dict(weekly_volume=20, current_pain=3, pain_at_rest=2),
}


@pytest.mark.parametrize("target_km", [None, 20, 25])
def test_defect_13_rule_33_from_zero_target_within_26_weeks_and_hills_within_32(target_km: int | None) -> None:
    p = make(weekly_volume=0, current_pain=1, target_weekly_volume=target_km)
    assert p.target_week is not None and p.target_week <= 26
    hills = first_hills(p)
    assert hills is not None and hills + 1 <= 32


def test_defect_13_rule_33_half_of_the_target_reaches_it_within_16_weeks() -> None:
    p = make(**RUNNERS["15 of 30 km"])
    assert p.target_week is not None and p.target_week <= 16
    assert len(p.weeks) <= 34


def test_defect_13_a_step_back_never_stacks_on_a_lighter_week() -> None:
    fields = dict(weekly_volume=150, unit=Unit.MIN, current_pain=1, target_weekly_volume=300)
    base = make(**fields)
    lighter = next(w for w in base.weeks if w.deload)
    days = [s.date for s in runs(lighter)][:2]
    p = make([CheckIn(d, 6, 1) for d in days], **fields)
    i = lighter.number - 1
    assert p.weeks[i].decision is Decision.STEP_BACK
    full_before = base.weeks[i - 1].running_minutes
    after = p.weeks[i + 1]
    assert not after.deload
    assert after.running_minutes >= 0.75 * full_before - 3  # about 20% under the full load, not 37.5%


def test_defect_13_lighter_weeks_in_speed_and_hills_and_maintenance_keeps_quality() -> None:
    p = make(**RUNNERS["15 of 30 km"])
    quality = [w for w in p.weeks if w.phase is Phase.REINTRODUCE]
    assert any(w.deload for w in quality)
    maintain = [w for w in p.weeks if w.phase is Phase.MAINTAIN]
    assert maintain and all(any(s.intensity is not Intensity.EASY or s.terrain is not Terrain.FLAT
                                for s in runs(w)) for w in maintain)
    kinds = [next(s.terrain for s in runs(w) if s.quality_minutes) for w in maintain]
    assert Terrain.HILLS in kinds and Terrain.FLAT in kinds  # strides, and hills every other week


def test_defect_13_rule_03_emergency_signs_say_seek_emergency_care_now() -> None:
    signs = make(weekly_volume=0, current_pain=1).red_flags
    assert sum("seek emergency care now" in s for s in signs) == 3
    assert sum("stop running and see a clinician" in s for s in signs) == 6
    assert not any("stop and get checked" in s for s in signs)


# -- Rule 7 (v2): a decision reaches the rest of its week -----------------------------------------------

def test_rule_07_after_one_session_over_the_ceiling_the_next_run_repeats_the_last_good_one() -> None:
    fields = dict(weekly_volume=0, current_pain=1)
    p, checkins = live(fields, lambda n, last: (5, 0, True) if n == 4 else (1, 0, True), sessions=5)
    week = p.weeks[week_of(p, checkins[4].date)]
    over = checkins[4].date
    before = [s for s in runs(week) if s.date < over]
    after = [s for s in runs(week) if s.date > over]
    assert after and after[0].intervals == before[-1].intervals


def test_rule_07_after_a_second_the_week_has_no_more_running_and_rehab_goes_on() -> None:
    fields = dict(weekly_volume=150, unit=Unit.MIN, current_pain=1, target_weekly_volume=300)
    base = make(**fields)
    first, second, third = runs(base.weeks[1])[:3]
    p = make([CheckIn(first.date, 5, 1), CheckIn(second.date, 5, 1)], **fields)
    week = p.weeks[1]
    assert week.decision is Decision.STEP_BACK
    assert not [s for s in runs(week) if s.date > second.date]
    assert any(s.kind is Kind.STRENGTH for s in week.sessions if s.date > second.date)
    following = p.weeks[2]
    assert min(s.date for s in runs(following)) >= second.date + timedelta(days=3)  # two days off
    assert following.running_minutes <= 0.85 * base.weeks[1].running_minutes


# -- Rule 13 (v2): progress per session ----------------------------------------------------------------

def test_rule_13_two_good_sessions_at_a_rung_move_the_next_one_up_mid_week() -> None:
    p = make(weekly_volume=0, current_pain=1)
    first = [s.intervals[0].run_minutes for s in runs(p.weeks[0])]  # type: ignore[index]
    assert first == [1, 1, 2]
    climbed = sum(1 for a, b in pairwise(s for w in p.weeks[:4] for s in runs(w))
                  if a.running_minutes != b.running_minutes)
    assert climbed >= 5  # about one and a half rungs a week


# -- Rule 31: the morning score comes later ------------------------------------------------------------

def test_rule_31_a_checkin_without_its_morning_is_judged_on_pain_during_alone() -> None:
    fields = dict(weekly_volume=0, current_pain=1)
    base = make(**fields)
    day = runs(base.weeks[0])[0].date
    waiting = make([CheckIn(day, 2, None)], **fields)
    assert waiting.weeks[0].decision is Decision.PROGRESS
    morning = make([CheckIn(day, 2, 3)], **fields)
    assert morning.weeks[0].decision is Decision.HOLD


# -- Rules 33 and 35: when, and what it takes ------------------------------------------------------------

def test_rule_33_the_summary_says_when_the_target_is_expected_and_check_ins_move_it() -> None:
    fields = dict(weekly_volume=15, current_pain=2, target_weekly_volume=30)
    base = make(**fields)
    assert base.target_week is not None
    assert f"week {base.target_week}" in base.summary
    flared = make([CheckIn(s.date, 5, 2) for s in runs(base.weeks[1])[:2]], **fields)
    assert flared.target_week is not None and flared.target_week > base.target_week


def test_rule_35_every_rationale_says_what_it_takes_and_setbacks_say_how_far_they_moved_the_target() -> None:
    fields = dict(weekly_volume=15, current_pain=2, target_weekly_volume=30)
    base = make(**fields)
    assert all("To move on" in w.rationale or "To start running" in w.rationale or w.phase is Phase.MAINTAIN
               for w in base.weeks)
    held = make([CheckIn(runs(base.weeks[1])[0].date, 5, 0)], **fields)
    assert "moves the expected target week out by 1 week" in held.weeks[2].rationale
