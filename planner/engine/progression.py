"""The progression state machine: the load between two weeks, and what progress, hold and step
back do to it (rules 7, 13-22, 25-27, 33).

`Load` says where the runner is; `advance` moves it on after a week, by the week's judgement.
What one week holds is laid out by `layout`; the week loop itself is in `build`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import chain
from typing import NamedTuple

from . import adapt, continuous, exercises, ladder, reintroduce, words
from .entry import Entry, Runner, running_entry
from .ladder import Step
from .plan import Decision, Phase

SETTLE_WEEKS = 2  # rule 8: at least two weeks without running
MAINTAIN_WEEKS = 4  # weeks of maintenance a plan shows after speed and hills are back
WEEKS_AT_TARGET_TO_RETURN = 2  # rule 18: two weeks at the target end the return
# Rule 27: weeks a due strength rise waits for a week whose running does not rise.
STRENGTH_WAIT_WEEKS = continuous.DELOAD_EVERY


@dataclass
class Load:
    """Where the runner is between two weeks."""

    phase: Phase
    step: Step  # the next run's step while on the ladder (walk_run, easy_run)
    total: float  # weekly minutes at full load once counting them (build on)
    runs: int  # run sessions a week
    level: int  # strength level (exercises.LEVELS)
    level_weeks: int = 0  # flare-free weeks at this level
    due_weeks: int = 0  # weeks a due strength rise has waited for a week whose running does not rise
    done_at_step: int = 0  # sessions within the ceiling at the current step (rule 13)
    step_days: list[date] = field(default_factory=list)  # days the step went up (rule 13: two in 7 days)
    settle_weeks: int = 0
    continuous_weeks: int = 0  # for rule 16's every fourth week
    weeks_at_target: int = 0  # flare-free weeks at the target (rules 18, 21)
    weeks_at_top: int = 0  # flare-free weeks at 30 minutes continuous or more (rule 17)
    calm_weeks: int = reintroduce.CALM_WEEKS  # weeks since the last hold or step back (rules 21-22)
    quality: int = 0  # speed-and-hills steps done (rule 22)
    maintain_weeks: int = 0
    running_weeks: int = 0
    added_run_last: bool = False  # rule 19: one change a week, frequency first
    repeat: bool = False  # the next week repeats this one's runs (a hold, or a strength rise)
    stepped_back: bool = False  # the next week follows a step back: it climbs no step
    rest_until: date | None = None  # no running before this day (a step back's two days)
    target_week: int | None = None  # rule 33: the first week laid out at the target


class WeekDone(NamedTuple):
    """What a laid-out week held, as `advance` needs it.

    A named tuple rather than a frozen dataclass: as immutable, and several times quicker to make,
    which counts as one is made for every week and every week a projection (rule 35) runs ahead.
    """

    number: int
    start: date
    phase: Phase
    steps: list[Step]  # each run's step, in order, as laid out (after same-week reactions)
    planned_minutes: float
    lighter: bool
    cut: bool  # a scheduled lighter week took its sixth off this week's runs (rule 16)
    repeated: bool
    ran: bool  # any run actually done
    full_minutes: float  # the week's load before any lighter-week cut
    quality: bool = False  # the week carried a speed or hills run
    ran_minutes: float | None = None  # what the caps count of its runs: really run, never over the plan (rule 36)

    @property
    def counted_minutes(self) -> float:
        return self.planned_minutes if self.ran_minutes is None else min(self.planned_minutes, self.ran_minutes)


def start_load(entry: Entry) -> Load:
    """The load of week 1 (rules 8-11)."""
    level = 1 if entry.phase in (Phase.SETTLE, Phase.WALK_RUN) else 2
    load = Load(phase=entry.phase, step=entry.step, total=entry.total, runs=entry.runs, level=level)
    if entry.phase is Phase.BUILD and not entry.painful:
        # A runner already running 30+ minutes within the ceiling has had their flare-free weeks.
        load.weeks_at_top = continuous.BACK_TO_BACK_AFTER_WEEKS
    return load


# Made once: looking an Enum member up on its class costs about as much as the rest of these checks,
# and `counts_minutes` alone is asked some 500 times a plan.
COUNTING_PHASES = (Phase.BUILD, Phase.REINTRODUCE, Phase.MAINTAIN)
LIGHTER_WEEK_PHASES = (Phase.EASY_RUN, Phase.BUILD, Phase.REINTRODUCE)


def counts_minutes(load: Load) -> bool:
    """From 30 minutes continuous the plan counts weekly minutes (rule 14)."""
    return load.phase in COUNTING_PHASES and load.total > 0


def next_is_lighter(load: Load) -> bool:
    """Whether the coming week is one of rule 16's lighter weeks (every fourth of continuous running;
    speed-and-hills weeks too, rule 22)."""
    running_on = counts_minutes(load) or load.step.continuous
    return (running_on and load.phase in LIGHTER_WEEK_PHASES
            and continuous.is_deload(load.continuous_weeks + 1))


def at_target(load: Load, runner: Runner) -> bool:
    """At the target, give or take the part of a minute each whole-minute run leaves out (rule 18)."""
    if counts_minutes(load):
        return load.total + load.runs > runner.target
    return load.step.up().running_minutes * load.runs > runner.target or (
        load.step.running_minutes * load.runs + load.runs > runner.target)


def advance(load: Load, week: WeekDone, judgement: adapt.Judgement, runner: Runner, *,
            settled: bool | None, history: list[WeekDone]) -> list[str]:
    """Move the load on after a week; returns the reasons the next week's rationale gives."""
    load.repeat = load.stepped_back = False
    load.rest_until = None
    if week.ran:
        load.running_weeks += 1
    if load.phase is Phase.SETTLE:
        return _after_settle(load, week, runner, settled)
    if judgement.decision is Decision.STEP_BACK:
        return _step_back(load, week, judgement, runner, history)
    if judgement.decision is Decision.HOLD:
        return _hold(load, judgement)
    return _progress(load, week, runner, history)


def _after_settle(load: Load, week: WeekDone, runner: Runner, settled: bool | None) -> list[str]:
    load.settle_weeks += 1
    if load.settle_weeks < SETTLE_WEEKS or settled is False:
        return [words.SETTLE_GOES_ON if settled is False else words.SECOND_SETTLE_WEEK]
    # Rule 8 (v2): running restarts where rule 10 puts it for the runner's own volume.
    entry, _ = running_entry(runner, painful=True)
    load.phase, load.step, load.runs, load.total = entry.phase, entry.step, entry.runs, entry.total
    load.level_weeks = 0
    return [words.SETTLE_DONE_ASSUMED if settled is None else words.SETTLE_DONE]


def _reset_flare_free(load: Load) -> None:
    """Rules 21 and 22 (v2): any hold or step back restarts the count of flare-free weeks."""
    load.weeks_at_target = 0
    load.calm_weeks = 0
    load.due_weeks = 0


def _hold(load: Load, judgement: adapt.Judgement) -> list[str]:
    """Rule 7: the next week repeats this week's load, same rung, same minutes; never lower."""
    _reset_flare_free(load)
    load.repeat = True
    load.done_at_step = 0
    return [words.hold(judgement.reasons)]


def _step_back(load: Load, week: WeekDone, judgement: adapt.Judgement, runner: Runner,
               history: list[WeekDone]) -> list[str]:
    _reset_flare_free(load)
    load.done_at_step = 0
    load.stepped_back = True
    load.continuous_weeks = 0  # a step back is never stacked on a lighter week
    load.added_run_last = False
    if judgement.for_pain:
        # Back-to-back days wait for two more flare-free weeks at 30 minutes (rule 17), so a run day goes.
        load.weeks_at_top = 0
        load.runs = min(load.runs, ladder.WALK_RUN_SESSIONS)
        # One rung or about 20% back from this week's full load (never from a lighter week's).
        if counts_minutes(load):
            # From the runs this week really held (never above them, never stacked on a lighter week's cut).
            longest = max((s.running_minutes for s in week.steps), default=0.0)
            full_run = longest / (continuous.DELOAD_FACTOR if week.cut else 1) if longest else load.total / load.runs
            per_run = math.floor(full_run * adapt.STEP_BACK_FACTOR)
            _set_total(load, min(per_run * load.runs, math.floor(load.total * adapt.STEP_BACK_FACTOR)), runner)
        else:
            load.step = max(week.steps, default=load.step).down()
            _back_on_ladder(load)
        if judgement.rest_after is not None:
            load.rest_until = judgement.rest_after + timedelta(days=1 + adapt.REST_DAYS_AFTER_STEP_BACK)
        rest_first = load.rest_until is not None and load.rest_until > week.start + timedelta(days=7)
        return [words.step_back(judgement.reasons, rest_first=rest_first)]
    # Missed days (rule 7, v2): from the last week actually run, not the planned one; no days off.
    factor = judgement.gap_factor or adapt.SHORT_GAP_FACTOR
    _restart_after_gap(load, factor, next((w for w in reversed([*history, week]) if w.ran and w.steps), None), runner)
    return [words.after_gap(judgement.reasons[0], factor)]


def _restart_after_gap(load: Load, factor: float, ran: WeekDone | None, runner: Runner) -> None:
    """Rule 7 (v2): after days without running, about 80% (or one rung lower) or about half (or the highest
    walk-run rung that fits) of `ran`, the last week actually run; nothing changes without one."""
    if ran is None:
        return
    top = max(ran.steps)
    if counts_minutes(load):
        _set_total(load, math.floor(min(load.total, ran.full_minutes) * factor), runner)
    elif factor >= adapt.SHORT_GAP_FACTOR:
        load.step = top.down()
        _back_on_ladder(load)
    else:
        load.step = ladder.step_within(top.running_minutes * factor)
        _back_on_ladder(load)


def pause(load: Load, *, counted: bool, after_lighter: bool) -> None:
    """Planned rest (away up to a week): the next week repeats the last full week run, never lower and
    never higher; after a lighter week, the load it lightened (rule 16's reading). A break is no flare, so
    the flare-free counts go on; the away week is not one of rule 16's four (`counted`: it was counted),
    so the lighter weeks after it move on by a week too."""
    load.repeat = not after_lighter
    if counted:
        load.continuous_weeks = max(0, load.continuous_weeks - 1)


def after_away(load: Load, factor: float, full_weeks: list[WeekDone], runner: Runner) -> None:
    """Back from more than a week away: the gap rule (rule 7) from the last full week run before it, as a
    step back that adds no days off. Speed and hills wait for flare-free weeks again (rules 21-22)."""
    _reset_flare_free(load)
    load.repeat = False
    load.done_at_step = 0
    load.stepped_back = True  # the first week back climbs no step
    load.continuous_weeks = 0
    load.added_run_last = False
    ran = next((w for w in reversed(full_weeks) if w.ran and w.steps), None)
    if ran is None:  # away from the plan's first week: the runner's own running is the last week run
        minutes = load.total if counts_minutes(load) else load.step.running_minutes * load.runs
        step = ladder.continuous(load.total / max(load.runs, 1)) if counts_minutes(load) else load.step
        ran = WeekDone(number=0, start=date.min, phase=load.phase, steps=[step], planned_minutes=minutes,
                       lighter=False, cut=False, repeated=False, ran=True, full_minutes=minutes)
    _restart_after_gap(load, factor, ran, runner)


def _back_on_ladder(load: Load) -> None:
    load.phase = Phase.EASY_RUN if load.step.continuous else Phase.WALK_RUN
    load.total = 0
    load.runs = min(load.runs, ladder.WALK_RUN_SESSIONS)


def _set_total(load: Load, total: float, runner: Runner) -> None:
    """A lower weekly load; below 30-minute runs it goes back onto the continuous steps."""
    load.phase = Phase.BUILD
    load.total = float(total)
    if total / max(load.runs, 1) < ladder.TOP_MINUTES_CONTINUOUS:
        load.runs = min(load.runs, runner.sessions)
        load.step = ladder.step_within(total / max(load.runs, 1))
        _back_on_ladder(load)


def _strength_due(load: Load, week: WeekDone) -> bool:
    if load.level >= exercises.TOP_LEVEL or load.phase is Phase.SETTLE:
        return False
    if load.level_weeks < exercises.weeks_before_next(load.level):
        return False
    if load.level + 1 >= exercises.FIRST_FLEXION_LEVEL and week.number < 2:
        return False  # rule 25: never in the first two weeks
    if load.level + 1 == exercises.PLYO_LEVEL:
        return counts_minutes(load) or load.step.continuous  # rule 26: once running is continuous
    return True


def _progress(load: Load, week: WeekDone, runner: Runner, history: list[WeekDone]) -> list[str]:
    load.level_weeks += 1
    load.calm_weeks += 1
    counting = counts_minutes(load)  # the load's phase and total stay as they are until a branch returns
    if counting and week.counted_minutes < week.planned_minutes:
        # Rule 36: the week was run well short of the plan; the next is sized from what was run.
        _set_total(load, math.floor(week.counted_minutes + continuous.EPSILON), runner)
        return [words.SIZED_FROM_RUNNING]
    steady = counting and at_target(load, runner)
    if week.steps and not week.lighter and (counting or load.step.at_top):
        load.weeks_at_top += 1
    if _strength_due(load, week):
        # Rule 27: strength load rises only in a week whose running does not rise (measured against the
        # week before it, so the week after a lighter one is a rise).
        held_in_full = not week.lighter and week.planned_minutes >= load.total  # no cap kept it under
        free = next_is_lighter(load) or (steady and held_in_full)
        # A rise waits for such a week: a lighter one comes every fourth week of continuous running. The
        # first, into stage 2, is due on the walk-run ladder, where none comes, so running holds for it.
        wait = 0 if load.level == 1 else STRENGTH_WAIT_WEEKS
        if free or load.due_weeks >= wait:
            load.repeat = not free
            load.due_weeks = 0
            load.level_weeks = 0
            load.level += 1
            return [words.strength_rises(exercises.stage_of(load.level), holds=load.repeat)]
        elif counting or load.step.continuous:
            load.due_weeks += 1
    if load.phase in (Phase.WALK_RUN, Phase.EASY_RUN):
        if load.step.continuous and (load.step.at_top or at_target(load, runner)):
            load.phase = Phase.BUILD  # from here weekly minutes count (rule 14)
            load.total = load.step.running_minutes * load.runs
            load.added_run_last = False
            return [words.CONTINUOUS_TOP]
        if at_target(load, runner):
            # A target inside the walk-run ladder: two weeks there end the return (rule 18).
            load.weeks_at_target += 1
            if load.weeks_at_target >= WEEKS_AT_TARGET_TO_RETURN:
                load.phase = Phase.MAINTAIN
                return [words.RETURNED_ON_LADDER]
            return [words.AT_TARGET]
        if load.runs < runner.sessions and load.step.running_minutes * (load.runs + 1) <= runner.target:
            load.runs += 1  # rule 17 (v2): one more session at a time
            return [words.one_more_run(load.runs)]
        return [words.LADDER_GOES_ON]
    if load.phase is Phase.MAINTAIN:
        load.maintain_weeks += 1
        return [words.MAINTAIN]
    if steady:
        return _at_target(load, week, runner)
    return _grow(load, week, runner, history)


def _grow(load: Load, week: WeekDone, runner: Runner, history: list[WeekDone]) -> list[str]:
    if week.lighter:
        return [words.AFTER_LIGHTER]  # the return to the held load is the week's rise
    if next_is_lighter(load):
        return []
    if len(week.steps) == load.runs and not week.repeated:
        load.total = min(load.total, week.planned_minutes)  # what the week really held, in whole minutes
    b2b_ok = load.weeks_at_top >= continuous.BACK_TO_BACK_AFTER_WEEKS
    shorter = load.total / (load.runs + 1)
    if load.runs < runner.runs_wanted and not load.added_run_last and shorter >= ladder.FIRST_CONTINUOUS_MINUTES \
            and (load.runs < ladder.WALK_RUN_SESSIONS or b2b_ok):
        load.runs += 1  # rule 17 (v2): in a week whose minutes do not otherwise rise
        load.added_run_last = True
        return [words.one_more_run(load.runs)]
    load.added_run_last = False
    load.total = continuous.grow(load.total, runner.target, _last_full_weeks(history, week))
    return [words.GROW]


def _last_full_weeks(history: list[WeekDone], week: WeekDone, count: int = 2) -> list[float]:
    """The minutes (rule 36's, as run) of the last `count` full weeks up to `week`, oldest first.

    Rule 14 compares full weeks: a lighter week, or one without runs, is no baseline for the next rise.
    Read back from `week`, so a long plan does not read its whole history every week.
    """
    found: list[float] = []
    for done in chain((week,), reversed(history)):
        if done.steps and not done.lighter:
            found.append(done.counted_minutes)
            if len(found) == count:
                break
    return found[::-1]


def _at_target(load: Load, week: WeekDone, runner: Runner) -> list[str]:
    if not week.lighter:
        load.weeks_at_target += 1
    ready = (load.weeks_at_target >= reintroduce.WEEKS_AT_TARGET_FIRST
             and exercises.stage_of(load.level) >= 4
             and load.running_weeks + 1 >= reintroduce.EARLIEST_RUNNING_WEEK
             and load.calm_weeks >= reintroduce.CALM_WEEKS)
    if load.phase is Phase.REINTRODUCE or ready:
        if load.phase is not Phase.REINTRODUCE:
            load.phase = Phase.REINTRODUCE
            return [words.QUALITY_STARTS]
        if week.lighter or load.calm_weeks < reintroduce.CALM_WEEKS or not week.quality:
            return [words.QUALITY_REPEATS]  # rule 22: nothing new in the week after a lighter one (a rise)
        load.quality += 1
        if load.quality >= len(reintroduce.STEPS):
            load.phase = Phase.MAINTAIN
            return [words.QUALITY_DONE]
        return [words.QUALITY_NEXT]
    if load.weeks_at_target >= WEEKS_AT_TARGET_TO_RETURN:
        return [words.RETURNED]
    return [words.AT_TARGET]
