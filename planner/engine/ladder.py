"""The walk-run ladder (rules 12-13) and the continuous steps that follow it (rule 14).

Rungs 1-7 are 4 x 5-minute walk-run blocks; then runs are continuous, from 20 minutes up in
2-minute steps to 30. A `Step` names one session's running: a walk-run rung, or a continuous
run of some minutes (the build phase's runs are steps too, only longer).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, cached_property, lru_cache

from .plan import Interval


@dataclass(frozen=True)
class Rung:
    number: int
    run_minutes: float
    walk_minutes: float
    repeats: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "run_minutes", float(self.run_minutes))
        object.__setattr__(self, "walk_minutes", float(self.walk_minutes))

    @property
    def continuous(self) -> bool:
        return self.walk_minutes == 0

    @property
    def running_minutes(self) -> float:
        return self.run_minutes * self.repeats

    def intervals(self) -> list[Interval] | None:
        if self.continuous:
            return None
        return [Interval(run_minutes=self.run_minutes, walk_minutes=self.walk_minutes, repeats=self.repeats)]


LADDER: tuple[Rung, ...] = (
    Rung(1, 1, 4, 4),
    Rung(2, 2, 3, 4),
    Rung(3, 2.5, 2.5, 4),
    Rung(4, 3, 2, 4),
    Rung(5, 3.5, 1.5, 4),
    Rung(6, 4, 1, 4),
    Rung(7, 4.5, 0.5, 4),
    Rung(8, 20, 0, 1),
    Rung(9, 22, 0, 1),
    Rung(10, 24, 0, 1),
    Rung(11, 26, 0, 1),
    Rung(12, 28, 0, 1),
    Rung(13, 30, 0, 1),
)

FIRST_CONTINUOUS = 8
WALK_RUN_SESSIONS = 3  # rule 12: three sessions a week on non-consecutive days...
FEWEST_SESSIONS = 2  # ...or two for a runner who asks for two runs a week
SESSIONS_AT_A_STEP = 2  # rule 13: each rung done at least twice before moving up
STEPS_IN_7_DAYS = 2  # rule 13: at most two rungs in 7 days
CONTINUOUS_STEP = 2.0  # rule 14: continuous runs go up in about 2-minute steps...
FIRST_CONTINUOUS_MINUTES = 20.0
TOP_MINUTES_CONTINUOUS = 30.0  # ...to 30 minutes; then weekly minutes count (continuous.py)
WARMUP_WALK = 5
COOLDOWN_WALK = 5


@dataclass(frozen=True, order=True)
class Step:
    """One session's running: walk-run rung 1-7 (minutes 0), or continuous minutes (rung 8)."""

    rung: int
    minutes: float = 0.0

    # Read for every run of every week: worked out once per Step (frozen, and shared: see `continuous`).
    @cached_property
    def continuous(self) -> bool:
        return self.rung >= FIRST_CONTINUOUS

    @cached_property
    def running_minutes(self) -> float:
        return self.minutes if self.continuous else LADDER[self.rung - 1].running_minutes

    def intervals(self) -> list[Interval] | None:
        return None if self.continuous else LADDER[self.rung - 1].intervals()

    def up(self) -> Step:
        """The next step of rules 13-14; 30 minutes continuous is the top of the ladder."""
        if not self.continuous:
            return walk_run(self.rung + 1) if self.rung + 1 < FIRST_CONTINUOUS else continuous(
                FIRST_CONTINUOUS_MINUTES)
        return continuous(min(self.minutes + CONTINUOUS_STEP, max(self.minutes, TOP_MINUTES_CONTINUOUS)))

    def down(self) -> Step:
        """One rung back (rule 7, step back)."""
        if not self.continuous:
            return walk_run(max(1, self.rung - 1))
        if self.minutes - CONTINUOUS_STEP >= FIRST_CONTINUOUS_MINUTES:
            return continuous(self.minutes - CONTINUOUS_STEP)
        return walk_run(FIRST_CONTINUOUS - 1)

    @property
    def at_top(self) -> bool:
        return self.continuous and self.minutes >= TOP_MINUTES_CONTINUOUS


@cache  # a Step is frozen: one per rung
def walk_run(rung: int) -> Step:
    return Step(max(1, min(rung, FIRST_CONTINUOUS - 1)))


@lru_cache(maxsize=4096)  # a Step is frozen, and a plan asks for the same few lengths week after week
def continuous(minutes: float) -> Step:
    return Step(FIRST_CONTINUOUS, float(minutes))


def sessions_a_week(runs_per_week: int) -> int:
    """Rule 12 (v2): three walk-run sessions a week, or two when the runner asks for two."""
    return FEWEST_SESSIONS if runs_per_week <= FEWEST_SESSIONS else WALK_RUN_SESSIONS


def step_within(minutes: float) -> Step:
    """The highest step whose running fits in one session of `minutes` (rule 10), whole minutes."""
    if minutes >= FIRST_CONTINUOUS_MINUTES:
        return continuous(float(int(minutes)))
    return walk_run(highest_rung_within(minutes))


def rung(number: int) -> Rung:
    return LADDER[max(1, min(number, len(LADDER))) - 1]


def highest_rung_within(run_minutes_per_session: float) -> int:
    """The highest rung whose running fits in what one session already holds (rule 10)."""
    fitting = [r.number for r in LADDER if r.running_minutes <= run_minutes_per_session]
    return max(fitting, default=1)

