"""Speed and hills (rules 21-22): behind their gate, speed before hills, one new thing at a time."""

from __future__ import annotations

from dataclasses import dataclass

from .plan import Intensity, Terrain

WEEKS_AT_TARGET_FIRST = 3  # flare-free weeks at the target, flat and continuous
EARLIEST_RUNNING_WEEK = 8  # never before about the eighth running week
QUALITY_SHARE = 0.10  # quality running at most 10% of the week's minutes


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
    Step(Intensity.TEMPO, Terrain.FLAT, "a steady tempo block on the flat (comfortably hard, still in control)", 0),
    Step(Intensity.EASY, Terrain.HILLS, "6 short, gentle hills of about 30 seconds, easy effort, short steps", 3),
    Step(Intensity.EASY, Terrain.HILLS, "6 short, gentle hills of about 30 seconds, easy effort, short steps", 3),
)


def step(index: int, week_minutes: float) -> Step:
    """The reintroduction step for its week, with quality held to 10% of the week's minutes."""
    chosen = STEPS[min(index, len(STEPS) - 1)]
    cap = round(week_minutes * QUALITY_SHARE, 1)
    minutes = min(cap, 10) if chosen.intensity is Intensity.TEMPO else min(chosen.minutes, cap)
    return Step(chosen.intensity, chosen.terrain, chosen.words, minutes)
