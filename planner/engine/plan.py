"""The engine's vocabulary: what goes in (a request, check-ins) and what comes out (a plan).

Plain frozen dataclasses and string enums, so every layer around the engine can read them
and `dataclasses.asdict` turns them into JSON-ready dicts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from enum import StrEnum

from .pain import DEFAULT_TOLERANCE

RULES_VERSION = 2  # the version of docs/clinical-rules.md this engine follows


class Unit(StrEnum):
    KM = "km"
    MI = "mi"
    MIN = "min"


class Phase(StrEnum):
    """Phases in the order a plan moves through them (clinical-rules.md)."""

    SETTLE = "settle"
    WALK_RUN = "walk_run"
    EASY_RUN = "easy_run"
    BUILD = "build"
    REINTRODUCE = "reintroduce"
    MAINTAIN = "maintain"

    @property
    def order(self) -> int:
        return list(Phase).index(self)


class Kind(StrEnum):
    RUN = "run"
    STRENGTH = "strength"
    REST = "rest"
    CROSS_TRAIN = "cross_train"


class Terrain(StrEnum):
    FLAT = "flat"
    HILLS = "hills"


class Intensity(StrEnum):
    EASY = "easy"
    STRIDES = "strides"
    TEMPO = "tempo"


class Status(StrEnum):
    PLAN = "plan"
    SEE_CLINICIAN = "see_clinician"
    EMERGENCY = "emergency"


class Decision(StrEnum):
    PROGRESS = "progress"
    HOLD = "hold"
    STEP_BACK = "step_back"


@dataclass(frozen=True)
class PlanRequest:
    """A runner's answers, already validated and normalised (minutes inside, see `units`)."""

    weekly_volume: float
    current_pain: int
    unit: Unit = Unit.KM
    easy_pace: str | None = None
    target_weekly_volume: float | None = None
    pain_tolerance: int = DEFAULT_TOLERANCE
    morning_after_worse: bool = False
    pain_at_rest: int = 0
    longest_run: float | None = None
    cadence: int | None = None
    red_flags: tuple[str, ...] = ()
    runs_per_week: int = 3
    current_runs: int | None = None  # runs in the last 7 days; None: runs_per_week (0 when not running)
    start_date: date | None = None
    timezone: str = "UTC"
    session_time: time | None = None
    name: str | None = None
    nudges: bool = True  # check-in reminders in the calendar; the engine ignores it (exports read it)


@dataclass(frozen=True)
class Away:
    """Days the runner is away and plans no sessions, first and last day included (rule 7's gaps)."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end


@dataclass(frozen=True)
class Actual:
    """What was really run that day (rule 36), read from an activity file or typed in."""

    running_minutes: float
    moving_minutes: float | None = None
    distance_km: float | None = None
    longest_bout_minutes: float | None = None  # the longest stretch run without a walk
    ascent_m: float | None = None
    climbing_seconds: float | None = None  # time on grades above about 4%
    cadence_spm: float | None = None  # steps a minute while running
    fast_seconds: float | None = None  # time well faster than the easy pace


@dataclass(frozen=True)
class CheckIn:
    """How one session felt: the two numbers of the pain-monitoring model.

    The next-morning score arrives a day later (rule 31); until then it is None and the session is
    judged on pain during alone.
    """

    date: date
    pain_during: int
    pain_next_morning: int | None = None
    completed: bool = True
    notes: str | None = None
    actual: Actual | None = None  # what was really run, when known (rule 36)


@dataclass(frozen=True)
class Interval:
    run_minutes: float
    walk_minutes: float
    repeats: int


@dataclass(frozen=True)
class Exercise:
    id: str
    name: str
    sets: int
    reps: int | None
    hold_seconds: int | None
    cue: str


@dataclass(frozen=True)
class Session:
    uid: str
    date: date
    kind: Kind
    title: str
    running_minutes: float
    intervals: list[Interval] | None
    continuous_minutes: float | None
    terrain: Terrain
    intensity: Intensity
    cues: list[str]
    exercises: list[Exercise]
    warmup_minutes: float = 0
    cooldown_minutes: float = 0
    quality_minutes: float = 0
    duration_minutes: float = 0  # a strength session's honest length (rule 24)

    @property
    def total_minutes(self) -> float:
        """The session's whole length, walking included: what a calendar blocks out."""
        if self.kind is Kind.RUN:
            walking = sum(i.walk_minutes * i.repeats for i in self.intervals or [])
            return self.warmup_minutes + self.running_minutes + walking + self.cooldown_minutes
        if self.kind is Kind.CROSS_TRAIN:
            return self.continuous_minutes or 30
        if self.kind is Kind.STRENGTH:
            return self.duration_minutes or 30
        return 0


@dataclass(frozen=True)
class Week:
    number: int
    start: date
    phase: Phase
    running_minutes: float
    distance: float | None
    rationale: str
    sessions: list[Session]
    deload: bool = False
    rehab_stage: int = 1
    decision: Decision | None = None  # what this week's check-ins did to the weeks after it; None: no check-in


@dataclass(frozen=True)
class Plan:
    status: Status
    request: PlanRequest
    summary: str
    weeks: list[Week] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    referral: str | None = None
    red_flags: list[str] = field(default_factory=list)
    progression_rule: str = ""
    notices: list[str] = field(default_factory=list)
    ceiling: int = 3
    rules_version: int = RULES_VERSION
    target_week: int | None = None  # the week the target volume is expected (rule 33); None: not in this plan

    @property
    def sessions(self) -> list[Session]:
        return [s for w in self.weeks for s in w.sessions]
