"""Speed and hills (rules 21-22): behind their gate, speed before hills, one new thing at a time."""

from __future__ import annotations

import math
from dataclasses import dataclass

from .plan import Intensity, Terrain

WEEKS_AT_TARGET_FIRST = 3  # flare-free weeks at the target, flat and continuous
EARLIEST_RUNNING_WEEK = 8  # never before about the eighth running week
QUALITY_SHARE = 0.10  # quality running at most 10% of the week's minutes
CALM_WEEKS = 3  # rules 21-22 (v2): no speed or hills within three weeks of a hold or a step back


@dataclass(frozen=True)
class Step:
    intensity: Intensity
    terrain: Terrain
    words: str
    minutes: float  # quality minutes in the one session that carries it


STEPS: tuple[Step, ...] = (
    Step(Intensity.STRIDES, Terrain.FLAT, "4-6 strides of 15-20 seconds on the flat, walking back between them", 2),
    Step(Intensity.STRIDES, Terrain.FLAT, "4-6 strides of 15-20 seconds on the flat, walking back between them", 2),
    Step(Intensity.TEMPO, Terrain.FLAT, "a steady tempo block on the flat (comfortably hard, still in control)", 0),
    Step(Intensity.EASY, Terrain.HILLS, "6 short, gentle hills of about 30 seconds, easy effort, short steps", 3),
    Step(Intensity.EASY, Terrain.HILLS, "6 short, gentle hills of about 30 seconds, easy effort, short steps", 3),
)


TEMPO_MOST = 10  # minutes of tempo in one run


def step(index: int, week_minutes: float) -> Step:
    """The reintroduction step for its week, with quality held to 10% of the week's minutes."""
    chosen = STEPS[min(index, len(STEPS) - 1)]
    wanted = TEMPO_MOST if chosen.intensity is Intensity.TEMPO else chosen.minutes
    return within_share(Step(chosen.intensity, chosen.terrain, chosen.words, wanted), week_minutes)


def within_share(quality: Step, week_minutes: float) -> Step:
    """Quality running at most 10% of the week's minutes, in tenths of a minute rounded down."""
    cap = math.floor(week_minutes * QUALITY_SHARE * 10 + 1e-9) / 10
    return quality if quality.minutes <= cap else Step(quality.intensity, quality.terrain, quality.words, cap)


MAINTAIN_STEPS = (STEPS[0], STEPS[-1])  # rule 22 (v2): strides, or hills every other week


def keep(week: int, week_minutes: float) -> Step:
    """Maintenance keeps one quality run a week so what came back stays (rule 22, v2)."""
    chosen = MAINTAIN_STEPS[week % len(MAINTAIN_STEPS)]
    return within_share(chosen, week_minutes)
