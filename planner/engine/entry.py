"""Where the plan starts (rules 8-11 and 32), and the checks on the inputs it starts from."""

from __future__ import annotations

import math
from dataclasses import dataclass

from . import continuous, ladder, pain, units, words
from .ladder import Step
from .plan import Phase, PlanRequest

HALF = 0.5  # rule 10: week 1 at most half the current minutes
SEVERE_PAIN = 7  # rule 8 (v2): current pain of 7 or more settles first
SMALLEST_TARGET = 20  # minutes a week: below this there is no return to running to plan
LARGEST_VOLUME = 1800  # minutes a week (30 hours)
DEFAULT_TARGET = ladder.TOP_MINUTES_CONTINUOUS * ladder.WALK_RUN_SESSIONS  # three 30-minute runs


class InputError(ValueError):
    """An input the engine cannot plan from; `field` names the request field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Runner:
    """The request in the engine's terms: minutes, the ceiling, how many runs."""

    current: float  # weekly running minutes now
    current_runs: int  # runs in the last 7 days
    current_run: float  # one run now: weekly minutes / runs, or longest_run (rule 11)
    longest: float | None  # longest_run in minutes
    target: float
    ceiling: int
    runs_wanted: int  # runs_per_week held to rule 17's five
    sessions: int  # walk-run sessions a week (rule 12)


@dataclass(frozen=True)
class Entry:
    phase: Phase
    step: Step  # the first runs' step (walk-run rung or continuous minutes)
    runs: int  # run sessions in week 1
    total: float  # weekly minutes once counting (build), else 0
    reason: str
    painful: bool = False


def read_request(request: PlanRequest) -> tuple[Runner, list[str]]:
    """Check the inputs and turn them into minutes, with the warnings they cause (rules 4, 17, 32)."""
    warnings: list[str] = []
    current = units.to_minutes(request.weekly_volume, request)
    target = (units.to_minutes(request.target_weekly_volume, request)
              if request.target_weekly_volume is not None else max(current, DEFAULT_TARGET))
    if target < SMALLEST_TARGET:
        raise InputError("target_weekly_volume", words.TARGET_TOO_SMALL.format(minutes=SMALLEST_TARGET))
    if max(current, target) > LARGEST_VOLUME:
        raise InputError("weekly_volume" if current > LARGEST_VOLUME else "target_weekly_volume",
                         words.VOLUME_TOO_LARGE)
    runs_now = request.current_runs
    if runs_now is None:
        runs_now = request.runs_per_week if current > 0 else 0
    if current > 0 and runs_now == 0:
        raise InputError("current_runs", words.RUNS_WITHOUT_VOLUME)
    if current == 0 and runs_now > 0:
        raise InputError("current_runs", words.VOLUME_WITHOUT_RUNS)
    longest = units.to_minutes(request.longest_run, request) if request.longest_run else None
    current_run = current / runs_now if runs_now else 0.0
    if longest is not None and current_run:
        current_run = min(longest, current_run)  # the cautious reading of rule 11: neither is exceeded
    if request.pain_tolerance > pain.HIGHEST_CEILING:
        warnings.append(words.tolerance_held(request.pain_tolerance, pain.HIGHEST_CEILING))
    if units.pace_assumed(request):
        warnings.append(words.pace_assumed(units.DEFAULT_PACE[request.unit], request.unit.value))
    if request.current_pain >= SEVERE_PAIN:
        warnings.append(words.SEVERE_PAIN_WARNING)
    runner = Runner(
        current=current, current_runs=runs_now, current_run=current_run, longest=longest, target=target,
        ceiling=pain.ceiling(request.pain_tolerance),
        runs_wanted=min(request.runs_per_week, continuous.MOST_RUNS, continuous.RUN_DAYS_THAT_FIT),
        sessions=ladder.sessions_a_week(request.runs_per_week),
    )
    return runner, warnings


def is_reactive(request: PlanRequest, ceiling: int) -> bool:
    """Rule 8: pain at rest, an irritable tendon hurting past the ceiling, or severe pain now."""
    return (request.pain_at_rest > 0
            or (request.morning_after_worse and request.current_pain > ceiling)
            or request.current_pain >= SEVERE_PAIN)


def find_entry(request: PlanRequest, runner: Runner) -> tuple[Entry, list[str]]:
    """Pick the starting phase and load (rules 8-11), with any warnings it causes."""
    if is_reactive(request, runner.ceiling):
        return Entry(Phase.SETTLE, ladder.walk_run(1), 0, 0, words.ENTRY_REACTIVE), []
    painful = request.current_pain > runner.ceiling or request.morning_after_worse
    return running_entry(runner, painful=painful)


def running_entry(runner: Runner, *, painful: bool) -> tuple[Entry, list[str]]:
    """Where running starts for this runner's own volume (rules 9-11); also after settle (rule 8)."""
    if runner.current <= 0:
        return Entry(Phase.WALK_RUN, ladder.walk_run(1), runner.sessions, 0, words.ENTRY_NOT_RUNNING), []
    warnings: list[str] = []
    weekly = runner.current * HALF if painful else runner.current
    if weekly > runner.target:
        weekly = runner.target
        warnings.append(words.ABOVE_TARGET)
    # Rule 11 (v2): as run now, no more runs than now and none longer than one of them.
    runs = min(runner.current_runs, runner.runs_wanted)
    if painful:
        runs = min(runs, runner.sessions)  # rule 10: flat and easy, on non-consecutive days
    per_run = min(runner.current_run, weekly / runs)
    reason = words.ENTRY_PAINFUL if painful else words.ENTRY_WITHIN_CEILING
    if per_run < ladder.TOP_MINUTES_CONTINUOUS:
        # Short runs go back on the ladder at the highest step that fits (rule 10), three sessions at most.
        sessions = min(runs, runner.sessions)
        step = ladder.step_within(per_run)
        phase = Phase.EASY_RUN if step.continuous else Phase.WALK_RUN
        return Entry(phase, step, sessions, 0, reason, painful), warnings
    per_run = float(math.floor(per_run + continuous.EPSILON))
    return Entry(Phase.BUILD, ladder.continuous(per_run), runs, per_run * runs, reason, painful), warnings
