"""Revisions as records: the codec gives back the very plan, the frozen past is the lived one, and
stamps move only for events that changed."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.engine import CheckIn, Kind, Plan, PlanRequest
from planner.engine.frozen import freeze
from planner.engine.words import PHYSIO_NOTICE
from planner.store import codec, revisions
from tests.engine.test_properties import build, stories

MOMENT = datetime(2027, 1, 1, 8, tzinfo=UTC)
LATER = MOMENT + timedelta(days=30)
SLOW = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SLOW
@given(stories())
def test_the_codec_gives_back_the_very_plan(story: tuple[PlanRequest, list[CheckIn]]) -> None:
    plan = build(*story)
    dumped = json.dumps(codec.dump(plan))
    back = codec.load_plan(json.loads(dumped))
    assert back == plan
    assert json.dumps(codec.dump(back)) == dumped  # 5 stays 5 and 5.0 stays 5.0: event digests do not drift


@SLOW
@given(stories(), st.integers(min_value=0, max_value=200))
def test_a_frozen_plan_is_the_lived_one_before_today_and_the_fresh_one_after(
    story: tuple[PlanRequest, list[CheckIn]], offset: int
) -> None:
    request, checkins = story
    lived, fresh = build(request), build(request, checkins)
    today = lived.weeks[0].start + timedelta(days=offset)
    plan = freeze(lived, fresh, today)
    assert [s for s in plan.sessions if s.date < today] == [s for s in lived.sessions if s.date < today]
    assert [s for s in plan.sessions if s.date >= today] == [s for s in fresh.sessions if s.date >= today]
    whole = [w for w in lived.weeks if w.start + timedelta(days=7) <= today]
    assert plan.weeks[:len(whole)] == whole  # weeks wholly passed: rationale and decision too
    first = lived.weeks[0].start
    assert [w.number for w in plan.weeks] == [(w.start - first).days // 7 + 1 for w in plan.weeks]
    assert [w.start for w in plan.weeks] == sorted({w.start for w in plan.weeks})
    assert (plan.notices, plan.target_week, plan.rules_version) == (fresh.notices, fresh.target_week,
                                                                    fresh.rules_version)


def _plan() -> Plan:
    return build(PlanRequest(weekly_volume=20, current_pain=2, start_date=date(2027, 1, 4)))


def test_stamps_survive_the_store_and_move_only_for_events_that_changed() -> None:
    plan = _plan()
    first = revisions.restamp(plan, {}, date(2027, 1, 4), MOMENT)
    assert {s.sequence for s in first.values()} == {0}
    stored, stamps = revisions.decode(revisions.encode(plan, first))
    assert stored == plan and stamps == first
    assert revisions.restamp(plan, first, date(2027, 2, 1), LATER) == first  # nothing changed, nothing moves

    # A notice on 1 February reaches the events from that day on; the passed days keep their text.
    today = date(2027, 2, 1)
    noticed = replace(plan, notices=[PHYSIO_NOTICE])
    after = revisions.restamp(noticed, first, today, LATER)
    for session in noticed.sessions:
        stamp = after[session.uid]
        if session.date < today:
            assert stamp == first[session.uid]
        else:
            assert (stamp.sequence, stamp.modified, stamp.notices) == (1, LATER, (PHYSIO_NOTICE,))
    assert sorted(revisions.changed(first, after)) == sorted(s.uid for s in noticed.sessions if s.date >= today)


def test_a_session_that_goes_and_comes_back_carries_on_counting() -> None:
    plan = _plan()
    first = revisions.restamp(plan, {}, date(2027, 1, 4), MOMENT)
    gone = plan.weeks[3].sessions[0]
    without = replace(plan, weeks=[replace(w, sessions=[s for s in w.sessions if s is not gone])
                                   if w is plan.weeks[3] else w for w in plan.weeks])
    kept = revisions.restamp(without, first, date(2027, 1, 4), LATER)
    assert (kept[gone.uid].digest, kept[gone.uid].sequence, kept[gone.uid].modified) == (revisions.GONE, 1, LATER)
    nudge = [gone.uid + "-checkin"] if gone.kind is Kind.RUN else []  # a run's check-in nudge goes with it
    assert revisions.changed(first, kept) == [gone.uid, *nudge]  # a removal changes the feed too
    changed = replace(gone, title=gone.title + " (changed)")
    back = replace(plan, weeks=[replace(w, sessions=[changed if s is gone else s for s in w.sessions])
                                if w is plan.weeks[3] else w for w in plan.weeks])
    assert revisions.restamp(back, kept, date(2027, 1, 4), LATER)[gone.uid].sequence == 2


def test_a_change_in_the_same_second_is_stamped_a_second_later() -> None:
    plan = _plan()
    first = revisions.restamp(plan, {}, date(2027, 1, 4), MOMENT)
    noticed = replace(plan, notices=[PHYSIO_NOTICE])
    again = revisions.restamp(noticed, first, date(2027, 1, 4), MOMENT)  # the same clock second
    sessions = {s.uid for s in plan.sessions if s.kind is not Kind.REST}  # nudges show no notices
    assert {again[uid].modified for uid in sessions} == {MOMENT + timedelta(seconds=1)}
