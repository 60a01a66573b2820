"""The walk-run ladder (rules 12-13) and the continuous rungs that follow it (rule 14).

Rungs 1-7 are 4 x 5-minute walk-run blocks; rung 8 is 20 minutes continuous and runs then
grow in 2-minute steps to 30 minutes (rung 13). Past rung 13 the plan counts weekly minutes.
"""

from __future__ import annotations

from dataclasses import dataclass

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
TOP = len(LADDER)  # 30 minutes continuous
WALK_RUN_SESSIONS = 3  # rule 12: three sessions a week whatever runs_per_week asks
WARMUP_WALK = 5
COOLDOWN_WALK = 5


def rung(number: int) -> Rung:
    return LADDER[max(1, min(number, TOP)) - 1]


def highest_rung_within(run_minutes_per_session: float) -> int:
    """The highest rung whose running fits in what one session already holds (rule 10)."""
    fitting = [r.number for r in LADDER if r.running_minutes <= run_minutes_per_session]
    return max(fitting, default=1)

TOP_MINUTES = LADDER[-1].running_minutes
