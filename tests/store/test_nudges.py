"""Check-in nudges' stamps: the morning after each run, a UID made from the run's, text that turns to
"Checked in" with SEQUENCE+1 while its day is ahead, and never changes once its day has passed (rule 34)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from planner.engine import CheckIn, Kind, Plan, PlanRequest
from planner.exports import nudges
from planner.store import revisions
from tests.engine.test_properties import build

MOMENT = datetime(2027, 1, 1, 8, tzinfo=UTC)
LATER = MOMENT + timedelta(days=30)
START = date(2027, 1, 4)


def _plan() -> Plan:
    return build(PlanRequest(weekly_volume=20, current_pain=2, start_date=START))


def test_one_nudge_the_morning_after_each_run_and_only_runs() -> None:
    plan = _plan()
    stamps = revisions.restamp(plan, {}, START, MOMENT)
    runs = [s for s in plan.sessions if s.kind is Kind.RUN]
    assert runs
    nudge_uids = {uid for uid in stamps if uid.endswith(nudges.SUFFIX)}
    assert nudge_uids == {r.uid + "-checkin" for r in runs}
    assert all(nudges.day_of(r) == r.date + timedelta(days=1) for r in runs)
    assert all(stamps[uid].notices == () and stamps[uid].sequence == 0 for uid in nudge_uids)


def test_a_check_in_turns_the_next_nudge_to_checked_in_and_a_passed_nudge_never_changes() -> None:
    plan = _plan()
    first, second = [s for s in plan.sessions if s.kind is Kind.RUN][:2]
    before = revisions.restamp(plan, {}, START, MOMENT)
    on_time = CheckIn(date=second.date, pain_during=2)
    today = second.date + timedelta(days=1)  # the nudge's own morning: not passed yet
    after = revisions.restamp(plan, before, today, LATER, revisions.logged_lines([on_time]))
    nudge = after[nudges.uid(second.uid)]
    assert nudge.sequence == before[nudges.uid(second.uid)].sequence + 1
    assert nudge.notices == ("Checked in: yesterday's run, pain 2/10 during. Add how it feels this morning.",)
    # The first run is checked in late, after its nudge's morning: that nudge stays as it was.
    late = CheckIn(date=first.date, pain_during=3, pain_next_morning=1)
    again = revisions.restamp(plan, after, today, LATER + timedelta(days=1),
                              revisions.logged_lines([on_time, late]))
    assert again[nudges.uid(first.uid)] == before[nudges.uid(first.uid)]
    assert again == after


def test_switching_nudges_off_marks_them_gone_and_on_again_carries_on_counting() -> None:
    plan = _plan()
    before = revisions.restamp(plan, {}, START, MOMENT)
    off = replace(plan, request=replace(plan.request, nudges=False))
    gone = revisions.restamp(off, before, START, LATER)
    for uid, stamp in gone.items():
        if uid.endswith(nudges.SUFFIX):
            assert (stamp.digest, stamp.sequence) == (revisions.GONE, 1)
        else:
            assert stamp == before[uid]  # the sessions themselves do not change
    back = revisions.restamp(plan, gone, START, LATER + timedelta(days=1))
    assert {s.sequence for uid, s in back.items() if uid.endswith(nudges.SUFFIX)} == {2}


def test_nudge_uids_are_stable_across_re_plans() -> None:
    plan = _plan()
    run = next(s for s in plan.sessions if s.kind is Kind.RUN)
    replanned = build(plan.request, [CheckIn(date=run.date, pain_during=7, pain_next_morning=5)])
    runs_before = {s.uid for s in plan.sessions if s.kind is Kind.RUN}
    kept = {s.uid for s in replanned.sessions if s.kind is Kind.RUN} & runs_before
    stamps = revisions.restamp(replanned, revisions.restamp(plan, {}, START, MOMENT), START, LATER)
    assert all(nudges.uid(uid) in stamps and stamps[nudges.uid(uid)].digest != revisions.GONE for uid in kept)
