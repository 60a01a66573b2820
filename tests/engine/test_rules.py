"""One or a few tests per numbered rule of docs/clinical-rules.md (version 2)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from itertools import pairwise

import pytest

from planner.engine import Decision, Kind, Phase, Status, Unit

from .engine_support import (
    STAGE_3_IDS,
    START,
    checkin,
    exercise_ids,
    longest_run,
    plan,
    quality_weeks,
    run_days,
    runs,
    sentences,
)

EMERGENCY = ("saddle_numbness", "bladder_bowel_change", "bilateral_leg_symptoms")
SEE_CLINICIAN = (
    "pain_on_hopping", "night_pain", "pain_worsens_during_run", "sudden_pop_bruising",
    "pins_and_needles_below_knee", "unexplained_weight_loss_or_fever",
)


# -- Screening --------------------------------------------------------------------------------

@pytest.mark.parametrize("flag", EMERGENCY)
def test_rule_01_emergency_flag_gives_no_plan_and_urgent_referral(flag: str) -> None:
    p = plan(weekly_volume=20, red_flags=(flag,))
    assert p.status is Status.EMERGENCY
    assert p.weeks == []
    assert p.referral and "emergency care now" in p.referral
    assert "cauda equina" in p.referral


def test_rule_01_emergency_wins_over_see_clinician() -> None:
    p = plan(red_flags=("night_pain", "saddle_numbness"))
    assert p.status is Status.EMERGENCY


@pytest.mark.parametrize(("flag", "why"), [
    ("pain_on_hopping", "bone stress"),
    ("night_pain", "bone stress"),
    ("pain_worsens_during_run", "bone stress"),
    ("sudden_pop_bruising", "avulsion"),
    ("pins_and_needles_below_knee", "nerve"),
    ("unexplained_weight_loss_or_fever", "serious"),
])
def test_rule_02_see_clinician_flag_gives_no_plan_and_says_which_sign_and_why(flag: str, why: str) -> None:
    p = plan(weekly_volume=20, red_flags=(flag,))
    assert p.status is Status.SEE_CLINICIAN
    assert p.weeks == []
    assert p.referral is not None
    assert why in p.referral
    assert "does not manage bone or nerve pain" in p.referral


def test_rule_04_tolerance_above_5_is_held_at_5_with_warning() -> None:
    p = plan(pain_tolerance=8)
    assert p.ceiling == 5
    assert any("held at 5/10" in w for w in p.warnings)
    assert all("5/10" in s.cues[0] or "5/10" in " ".join(s.cues) for s in p.sessions if s.kind is Kind.RUN)


@pytest.mark.parametrize("tolerance", [0, 1, 3, 5])
def test_rule_04_tolerance_within_0_to_5_is_the_ceiling_without_warning(tolerance: int) -> None:
    p = plan(pain_tolerance=tolerance)
    assert p.ceiling == tolerance
    assert not any("held at" in w for w in p.warnings)


def test_rule_04_default_ceiling_is_3() -> None:
    assert plan().ceiling == 3


def test_rule_05_every_run_and_rehab_session_carries_the_stop_rule() -> None:
    p = plan(weekly_volume=30, current_pain=1, pain_tolerance=4)
    sessions = [s for s in p.sessions if s.kind in (Kind.RUN, Kind.STRENGTH)]
    assert sessions
    for s in sessions:
        assert "Stop (walk home) if pain passes 4/10 or you start to limp." in s.cues


def test_rule_06_every_run_carries_the_next_morning_rule() -> None:
    p = plan(pain_at_rest=0)
    for s in p.sessions:
        if s.kind is Kind.RUN:
            assert any(c.startswith("Next morning: pain should be back to your usual level") for c in s.cues)


# -- Rule 7: decisions from check-ins ---------------------------------------------------------

def _walk_run_day(week: int, day: int) -> date:  # week is 1-based; walk-run run days are Mon/Wed/Fri
    return START + timedelta(days=7 * (week - 1) + day)


def test_rule_07_progress_within_ceiling_keeps_the_plan_as_planned() -> None:
    base = plan()
    checked = plan(checkins=[checkin(_walk_run_day(1, d), during=3, morning=0) for d in (0, 2, 4)])
    assert [w.running_minutes for w in checked.weeks] == [w.running_minutes for w in base.weeks]
    assert checked.weeks[0].decision is Decision.PROGRESS
    assert checked.notices == []


def test_rule_07_one_session_over_ceiling_holds_next_week_at_same_load() -> None:
    base = plan()
    assert base.weeks[1].running_minutes > base.weeks[0].running_minutes  # would have progressed
    held = plan(checkins=[checkin(_walk_run_day(1, 2), during=5)])
    assert held.weeks[0].decision is Decision.HOLD
    assert held.weeks[1].running_minutes == held.weeks[0].running_minutes
    assert held.weeks[1].sessions[0].intervals == held.weeks[0].sessions[0].intervals
    assert "repeats last week's load" in held.weeks[1].rationale


def test_rule_07_morning_pain_above_baseline_holds() -> None:
    held = plan(checkins=[checkin(_walk_run_day(1, 0), during=1, morning=2)])
    assert held.weeks[0].decision is Decision.HOLD
    assert held.weeks[1].running_minutes == held.weeks[0].running_minutes


def test_rule_07_hold_in_a_lighter_week_repeats_the_lighter_load() -> None:
    base = plan(weekly_volume=150, unit=Unit.MIN, target_weekly_volume=300)
    deload = next(w for w in base.weeks if w.deload)
    day = runs(deload)[0].date
    held = plan(checkins=[checkin(day, during=5)], weekly_volume=150, unit=Unit.MIN, target_weekly_volume=300)
    index = deload.number - 1
    assert held.weeks[index].decision is Decision.HOLD
    assert held.weeks[index + 1].running_minutes <= held.weeks[index].running_minutes


def test_rule_07_over_ceiling_sessions_across_a_week_boundary_within_7_days_step_back() -> None:
    stepped = plan(checkins=[checkin(_walk_run_day(1, 4), during=6), checkin(_walk_run_day(2, 0), during=6)])
    assert stepped.weeks[0].decision is Decision.HOLD
    assert stepped.weeks[1].decision is Decision.STEP_BACK


def test_rule_07_morning_pain_rising_two_weeks_running_steps_back() -> None:
    checks = [checkin(_walk_run_day(w, 0), during=1, morning=m) for w, m in ((1, 1), (2, 2), (3, 3))]
    p = plan(checkins=checks, pain_tolerance=5)
    assert p.weeks[2].decision is Decision.STEP_BACK
    assert "rose two weeks running" in p.weeks[3].rationale


def test_rule_07_five_days_without_running_steps_back_one_rung() -> None:
    base = plan()
    missed = [checkin(_walk_run_day(4, d), during=0, completed=False) for d in (0, 2, 4)]
    p = plan(checkins=missed)
    assert p.weeks[3].decision is Decision.STEP_BACK
    assert p.weeks[4].running_minutes < base.weeks[4].running_minutes
    assert p.weeks[4].running_minutes < p.weeks[3].running_minutes


def test_rule_07_third_bad_week_in_a_row_adds_physio_notice() -> None:
    two = plan(checkins=[checkin(_walk_run_day(w, 0), during=5) for w in (1, 2)])
    assert two.notices == []
    three = plan(checkins=[checkin(_walk_run_day(w, 0), during=5) for w in (1, 2, 3)])
    assert len(three.notices) == 1
    assert "physiotherapist" in three.notices[0]


def test_rule_08_morning_after_worse_within_ceiling_is_not_reactive() -> None:
    p = plan(morning_after_worse=True, current_pain=2, weekly_volume=20)
    assert p.weeks[0].phase is not Phase.SETTLE


def test_rule_13_ladder_rungs_in_order_each_done_at_least_twice() -> None:
    expected = [(1, 4), (2, 3), (2.5, 2.5), (3, 2), (3.5, 1.5), (4, 1), (4.5, 0.5)]
    p = plan()
    sessions = [s for s in p.sessions if s.kind is Kind.RUN and s.intervals]
    seen = [(s.intervals[0].run_minutes, s.intervals[0].walk_minutes) for s in sessions]
    assert all(s.intervals[0].repeats == 4 for s in sessions)
    assert list(dict.fromkeys(seen)) == expected
    for rung in expected:
        assert seen.count(rung) >= 2
    first_continuous = next(s for s in p.sessions if s.kind is Kind.RUN and s.continuous_minutes)
    assert first_continuous.continuous_minutes == 20


def test_rule_13_at_most_two_rungs_in_seven_days() -> None:
    p = plan()
    rungs = [(s.date, s.intervals[0].run_minutes) for s in p.sessions if s.kind is Kind.RUN and s.intervals]
    for day, _ in rungs:
        window = {r for d, r in rungs if day <= d < day + timedelta(days=7)}
        assert len(window) <= 2


# -- Continuous running -----------------------------------------------------------------------

def test_rule_16_every_fourth_continuous_week_is_a_deload_about_20_percent_lighter() -> None:
    p = plan(weekly_volume=120, unit=Unit.MIN, current_pain=1, target_weekly_volume=400)
    continuous = [w for w in p.weeks if w.phase in (Phase.EASY_RUN, Phase.BUILD)]
    flags = [w.deload for w in continuous]
    assert flags[3] and flags[7]
    assert not any(flags[:3]) and not any(flags[4:7])
    for i, w in enumerate(continuous[:8]):
        if w.deload:
            before = continuous[i - 1].running_minutes
            assert 0.65 * before <= w.running_minutes <= 0.85 * before
            assert "lighter week" in w.rationale


def test_rule_17_more_run_days_and_back_to_back_only_after_two_weeks_at_30_minutes() -> None:
    p = plan(runs_per_week=5, unit=Unit.MIN, target_weekly_volume=300)
    weeks = p.weeks
    first_more = next(i for i, w in enumerate(weeks) if len(runs(w)) > 3)
    assert all(w.phase not in (Phase.SETTLE, Phase.WALK_RUN) for w in weeks[first_more:])
    first_b2b = next(i for i, w in enumerate(weeks) if any(b - a == 1 for a, b in pairwise(run_days(w))))
    at_30 = [w for w in weeks[:first_b2b] if longest_run(w) >= 30 and not w.deload]
    assert len(at_30) >= 2


def test_rule_18_never_above_target_and_two_weeks_there_end_the_return() -> None:
    p = plan(weekly_volume=100, unit=Unit.MIN, current_pain=1, target_weekly_volume=150)
    assert max(w.running_minutes for w in p.weeks) <= 150
    at_target = [i for i, w in enumerate(p.weeks) if w.running_minutes >= 150 * 0.97]
    assert len(at_target) >= 2
    assert p.weeks[-1].phase is Phase.MAINTAIN
    assert "return is done" in " ".join(w.rationale for w in p.weeks)


def test_rule_19_one_change_a_week() -> None:
    p = plan(weekly_volume=0, runs_per_week=5, target_weekly_volume=300, unit=Unit.MIN)
    previous = None
    for w in p.weeks:
        if w.deload or not runs(w):
            continue
        if previous is not None:
            changes = 0
            changes += len(runs(w)) > len(runs(previous))
            changes += longest_run(w) > longest_run(previous)
            changes += {s.intensity for s in runs(w)} - {s.intensity for s in runs(previous)} != set()
            changes += {s.terrain for s in runs(w)} - {s.terrain for s in runs(previous)} != set()
            assert changes <= 1, w.number
        previous = w


def test_rule_20_cadence_target_is_at_most_10_percent_up() -> None:
    p = plan(weekly_volume=100, unit=Unit.MIN, current_pain=1, cadence=160)
    for s in p.sessions:
        if s.kind is Kind.RUN:
            numbers = [int(n) for c in s.cues for n in re.findall(r"about (\d+) steps/min", c)]
            assert numbers and all(160 < n <= 176 for n in numbers)


def test_rule_20_without_cadence_the_cue_is_shorter_quicker_lighter_steps() -> None:
    p = plan(weekly_volume=100, unit=Unit.MIN, current_pain=1)
    for s in p.sessions:
        if s.kind is Kind.RUN:
            assert any("shorter, quicker, lighter steps" in c.lower() for c in s.cues)


# -- Speed and hills --------------------------------------------------------------------------

def test_rule_23_stage_1_daily_isometric_bridge_holds() -> None:
    p = plan()
    stage_1 = [w for w in p.weeks if w.rehab_stage == 1]
    assert stage_1
    for w in stage_1:
        for day in range(7):
            holds = [e for s in w.sessions if (s.date - w.start).days == day for e in s.exercises
                     if e.id == "isometric_bridge_hold"]
            assert len(holds) == 1
            assert holds[0].sets == 5 and holds[0].hold_seconds is not None and 30 <= holds[0].hold_seconds <= 45


def test_rule_24_stage_2_heavy_slow_three_times_a_week_on_non_running_days() -> None:
    p = plan()
    stage_2 = [w for w in p.weeks if w.rehab_stage == 2]
    assert stage_2
    for w in stage_2:
        strength = [s for s in w.sessions if s.kind is Kind.STRENGTH]
        assert len(strength) == 3
        assert {s.date for s in strength}.isdisjoint({s.date for s in runs(w)})
        ids = {e.id for s in strength for e in s.exercises}
        assert ids == {"glute_march", "single_leg_bridge", "single_leg_hamstring_catch", "hip_abduction",
                       "pelvic_control"}
        assert all(e.reps == 15 for s in strength for e in s.exercises)
        assert all("3 seconds up, 3 seconds down" in " ".join(s.cues) for s in strength)


def test_rule_26_stage_4_plyometrics_twice_a_week_before_speed_and_hills() -> None:
    p = plan(weekly_volume=200, unit=Unit.MIN, current_pain=1)
    plyo_weeks = [w for w in p.weeks if {"a_skip", "bounding"} <= exercise_ids(w)]
    assert plyo_weeks
    first_quality = quality_weeks(p)[0]
    assert plyo_weeks[0].number < first_quality.number
    for w in plyo_weeks:
        if w.phase is not Phase.MAINTAIN:
            assert sum(any(e.id == "a_skip" for e in s.exercises) for s in w.sessions) == 2


def test_rule_27_no_stretching_and_no_loaded_hip_flexion_before_stage_3() -> None:
    p = plan(weekly_volume=200, unit=Unit.MIN, current_pain=1)
    for w in p.weeks:
        for s in w.sessions:
            for e in s.exercises:
                assert "stretch" not in f"{e.id} {e.name} {e.cue}".lower()
        if w.rehab_stage < 3:
            assert not exercise_ids(w) & STAGE_3_IDS


def test_rule_27_running_does_not_rise_in_a_week_strength_load_goes_up() -> None:
    for fields in (dict(), dict(weekly_volume=200, unit=Unit.MIN, current_pain=1)):
        p = plan(**fields)
        for a, b in pairwise(p.weeks):
            if b.rehab_stage > a.rehab_stage and a.phase is not Phase.SETTLE:
                assert b.running_minutes <= a.running_minutes or a.deload


def test_rule_28_maintain_keeps_strength_sessions_at_unchanged_load() -> None:
    p = plan(weekly_volume=200, unit=Unit.MIN, current_pain=1)
    maintain = [w for w in p.weeks if w.phase is Phase.MAINTAIN]
    assert len(maintain) >= 2
    loads = []
    for w in maintain:
        strength = [s for s in w.sessions if s.kind is Kind.STRENGTH]
        assert 1 <= len(strength) <= 2
        loads.append(sorted((e.id, e.sets, e.reps) for s in strength for e in s.exercises))
        assert all("Maintenance" in " ".join(s.cues) for s in strength)
    assert all(load == loads[0] for load in loads)


def test_rule_29_summary_says_not_medical_advice_3_to_6_months_and_see_a_physio() -> None:
    summary = plan().summary
    assert "not a diagnosis or medical advice" in summary
    assert "3-6 months" in summary
    assert "See a physiotherapist" in summary


def test_rationale_is_made_of_full_sentences() -> None:
    for fields in (dict(), dict(pain_at_rest=1), dict(weekly_volume=200, unit=Unit.MIN, current_pain=1)):
        for w in plan(**fields).weeks:
            for sentence in sentences(w.rationale):
                assert sentence[0].isupper() and sentence.endswith("."), sentence
                assert len(sentence.split()) >= 4, sentence
                assert not re.match(r"^[\w -]+ phase, rehab stage \d\.$", sentence), sentence
                assert not re.match(r"^(\S+ ){0,3}\S+:", sentence), sentence  # no "At your target:" fragments


# -- Regressions found by the property tests --------------------------------------------------

def test_rule_07_step_back_with_days_off_never_lengthens_runs_and_hold_never_raises() -> None:
    kwargs = dict(weekly_volume=150, unit=Unit.MIN, pain_tolerance=0, runs_per_week=5)
    days = ["2025-03-10", "2025-03-12", "2025-03-14", "2025-03-17"]
    p = plan(checkins=[checkin(date.fromisoformat(d), during=int(d >= "2025-03-14")) for d in days], **kwargs)
    assert p.weeks[0].decision is Decision.HOLD and p.weeks[1].decision is Decision.STEP_BACK
    assert [s.date for s in runs(p.weeks[1])] == [date(2025, 3, 17)]  # no more running after the second
    assert longest_run(p.weeks[2]) < longest_run(p.weeks[1])
    assert p.weeks[2].running_minutes < p.weeks[0].running_minutes
    full = [w.running_minutes for w in p.weeks[2:8] if not w.deload]
    assert all(b <= 1.2 * a for a, b in pairwise(full))


def test_rule_15_single_run_cap_holds_after_several_lighter_weeks() -> None:
    days = ["2025-06-30", "2025-07-07", "2025-07-14"]
    p = plan(checkins=[checkin(date.fromisoformat(d), during=0, morning=1) for d in days],
             pain_tolerance=0, runs_per_week=2)
    for i, w in enumerate(p.weeks):
        recent = [s.continuous_minutes or 0 for x in p.weeks[max(0, i - 4):i] for s in runs(x)]
        if max(recent, default=0) >= 20:
            assert longest_run(w) <= 1.1 * max(recent)
