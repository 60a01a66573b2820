"""Laying out one week: which days run, which days hold the rehab, and each session's contents
(rules 5, 12, 17, 20, 22-28)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from functools import cache, lru_cache
from itertools import combinations, pairwise
from typing import NamedTuple

from . import continuous, exercises, ladder, pain, reintroduce, words
from .ladder import Step
from .plan import Exercise, Intensity, Interval, Kind, Session, Terrain

UID_NAMESPACE = uuid.UUID("5b0f6c2e-1f7d-4c1a-9a43-2d1f0b8e7c31")  # fixed forever: UIDs depend on it
SETTLE_WALK_DAYS = (0, 2, 4)
SETTLE_WALKS = (20, 30)  # minutes: the first settle week, then 30 (rule 8's 30-minute brisk walk)
STRENGTH_DAYS = range(6)  # heavy days Monday to Saturday, so no two fall together across weeks
CADENCE_RISE = 0.05  # rule 20: +5%, never more than +10%


@lru_cache(maxsize=8192)  # pure; a plan asks for some 250, and its re-plans and previews for the same ones
def session_uid(seed: str, day: date, kind: Kind) -> str:
    """Opaque and stable: the same day and kind of the same plan keep their UID across re-plans."""
    return str(uuid.uuid5(UID_NAMESPACE, f"{seed}/{day.isoformat()}/{kind.value}")).upper()


def _adjacent(days: tuple[int, ...]) -> int:
    return sum(1 for a, b in pairwise(days) if b - a == 1)


def _longest_streak(days: list[int]) -> int:
    longest = streak = 0
    for a, b in pairwise([-99, *days]):
        streak = streak + 1 if b - a == 1 else 1
        longest = max(longest, streak)
    return longest


def run_days(count: int, *, earliest: int, before: list[int], back_to_back: bool) -> list[int]:
    return list(_run_days(count, earliest, tuple(before), back_to_back))


@cache
def _run_days(count: int, earliest: int, before: tuple[int, ...], back_to_back: bool) -> tuple[int, ...]:
    """Up to `count` run days of a week (rules 12 and 17).

    `before` holds last week's run days (0-6); `earliest` is the first day running may start.
    Back-to-back days only when allowed, never more than two running days in a row, and the
    days spread so the same pattern repeats well week after week.
    """
    previous = [d - 7 for d in before]
    for wanted in range(count, 0, -1):
        best: tuple[tuple[int, int, tuple[int, ...]], tuple[int, ...]] | None = None
        for days in combinations(range(max(0, earliest), 7), wanted):
            joined = [*previous, *days]
            pairs = _adjacent(tuple(joined)) - _adjacent(tuple(previous))  # pairs this week makes
            if (pairs and not back_to_back) or _longest_streak(joined) > continuous.MOST_DAYS_IN_A_ROW:
                continue
            cyclic = [b - a for a, b in pairwise([*days, days[0] + 7])]
            key = (_adjacent((*days, days[0] + 7)), -min(cyclic), days)
            if best is None or key < best[0]:
                best = (key, days)
        if best is not None:
            return best[1]
    return ()


def strength_days(count: int, *, runs: list[int], before: list[int]) -> list[int]:
    """Heavy sessions on non-consecutive days, on non-running days where possible (rule 24 v2)."""
    return list(_strength_days(count, tuple(runs), tuple(before)))


@cache
def _strength_days(count: int, runs: tuple[int, ...], before: tuple[int, ...]) -> tuple[int, ...]:
    previous = [d - 7 for d in before]
    best: tuple[tuple[int, int, tuple[int, ...]], tuple[int, ...]] | None = None
    for days in combinations(STRENGTH_DAYS, count):
        if _adjacent(tuple([*previous, *days])) - _adjacent(tuple(previous)):
            continue
        key = (sum(d in runs for d in days), -min(b - a for a, b in pairwise([*days, days[0] + 7])), days)
        if best is None or key < best[0]:
            best = (key, days)
    return best[1] if best else ()


def settle_week(start: date, seed: str, ceiling: int, settle_week_number: int) -> list[Session]:
    """Daily bridge holds, walks within the ceiling and advice on sitting (rule 8)."""
    walk = SETTLE_WALKS[min(settle_week_number, len(SETTLE_WALKS) - 1)]
    sessions = []
    for day in range(7):
        when = start + timedelta(days=day)
        sessions.append(strength(when, seed, ceiling, 1, plyo=False))
        if day in SETTLE_WALK_DAYS:
            sessions.append(_session(
                seed, when, Kind.CROSS_TRAIN, words.walk_title(walk),
                [words.walk_cue(walk, ceiling), pain.stop_rule(ceiling), words.SITTING_ADVICE], [],
                continuous_minutes=walk))
    return sessions


def run(when: date, seed: str, number: int, step: Step, *, ceiling: int, baseline: int, cadence_cue: str,
        quality: reintroduce.Step | None, level: int) -> Session:
    """One run session: a walk-run rung or a continuous easy run, with its quality if any (rules 13-22)."""
    parts = _run_parts(step, ceiling, baseline, cadence_cue, quality, level)
    return _session(
        seed, when, Kind.RUN, words.run_title(number, parts.what), list(parts.cues), list(parts.exercises),
        running_minutes=step.running_minutes, intervals=None if parts.intervals is None else list(parts.intervals),
        continuous_minutes=parts.continuous_minutes, terrain=parts.terrain, intensity=parts.intensity,
        warmup_minutes=ladder.WARMUP_WALK, cooldown_minutes=ladder.COOLDOWN_WALK,
        quality_minutes=parts.quality_minutes,
    )


class _RunParts(NamedTuple):
    """What a run session holds beyond its day and number: the same for every run of the same step."""

    what: str  # the title after the run's number
    intervals: tuple[Interval, ...] | None
    continuous_minutes: float | None
    terrain: Terrain
    intensity: Intensity
    cues: tuple[str, ...]
    exercises: tuple[Exercise, ...]
    quality_minutes: float


@lru_cache(maxsize=4096)  # pure: a plan asks for the same few steps week after week
def _run_parts(step: Step, ceiling: int, baseline: int, cadence_cue: str, quality: reintroduce.Step | None,
               level: int) -> _RunParts:
    cues = [pain.stop_rule(ceiling), pain.next_morning_rule(baseline), cadence_cue]
    intensity, terrain = Intensity.EASY, Terrain.FLAT
    intervals = step.intervals()
    if step.continuous:
        what = words.run_what(step.minutes)
        cues.insert(0, words.EASY_FLAT)
        continuous_minutes: float | None = step.minutes
    else:
        rung = ladder.rung(step.rung)
        what = words.walk_run_what(rung.repeats, rung.run_minutes, rung.walk_minutes)
        cues.insert(0, words.walk_run_cue(intervals or []))
        continuous_minutes = None
    quality_minutes = 0.0
    if quality is not None:
        intensity, terrain = quality.intensity, quality.terrain
        quality_minutes = quality.minutes
        cues.insert(1, words.quality_cue(quality))
        what += words.quality_title(quality)
    run_exercises: list[Exercise] = exercises.isometrics() if level == 1 else []
    cues.append(words.HOLDS_WITH_RUN if run_exercises else exercises.HOLDS_BEFORE_A_RUN)
    return _RunParts(what, None if intervals is None else tuple(intervals), continuous_minutes, terrain,
                     intensity, tuple(cues), tuple(run_exercises), quality_minutes)


def strength(when: date, seed: str, ceiling: int, level: int, *, plyo: bool, maintenance: bool = False) -> Session:
    """A rehab (or, after the return, maintenance) strength session (rules 23-28)."""
    title, cues, chosen, minutes = _strength_parts(ceiling, level, plyo, maintenance)
    return _session(seed, when, Kind.STRENGTH, title, list(cues), list(chosen), duration_minutes=minutes)


@cache  # pure, and a handful of combinations: every strength session of a level is the same but for its day
def _strength_parts(ceiling: int, level: int, plyo: bool,
                    maintenance: bool) -> tuple[str, tuple[str, ...], tuple[Exercise, ...], float]:
    chosen: list[Exercise] = exercises.strength_session(level)
    if plyo:
        # Rule 24 (v2): four to six exercises; the plyometrics take the place of the last lift.
        chosen = chosen[:exercises.MOST_IN_A_SESSION - len(exercises.plyometrics())] + exercises.plyometrics()
    cues = [pain.stop_rule(ceiling)]
    cues.append(words.HOLDS_CUE if level == 1 else exercises.HEAVY_CUE)
    if plyo:
        cues.append(exercises.PLYO_CUE)
    if maintenance:
        cues.append(words.MAINTENANCE_CUE)
    if level > 1:
        cues.append(exercises.HOLDS_BEFORE_A_RUN)
    minutes = exercises.session_minutes(chosen)
    title = words.strength_title(exercises.short_name(chosen), minutes, maintenance=maintenance)
    return title, tuple(cues), tuple(chosen), minutes


def rest(when: date, seed: str, *, why: str | None = None) -> Session:
    return _session(seed, when, Kind.REST, words.REST_TITLE,
                    [why, words.SITTING_ADVICE] if why else [words.SITTING_ADVICE], [])


def _session(seed: str, day: date, kind: Kind, title: str, cues: list[str], exercises: list[Exercise], *,
             running_minutes: float = 0, intervals: list[Interval] | None = None,
             continuous_minutes: float | None = None, terrain: Terrain = Terrain.FLAT,
             intensity: Intensity = Intensity.EASY, warmup_minutes: float = 0, cooldown_minutes: float = 0,
             quality_minutes: float = 0, duration_minutes: float = 0) -> Session:
    """A new Session, every one of its fields given here (flat and easy unless said otherwise).

    A plan makes its sessions by the hundred (252 for a 36-week plan), and a frozen dataclass's
    `__init__` sets each of the 15 fields with its own call to `object.__setattr__`: that was about
    a sixth of a plan's time. So the fields go into the new instance's `__dict__` in one step, the
    way `copy` and `pickle` restore an instance. Session has no `__post_init__` and no slots, so the
    result is the Session that `Session(...)` makes (tests/engine/test_layout.py compares the two).
    """
    session = object.__new__(Session)
    session.__dict__.update(
        uid=session_uid(seed, day, kind), date=day, kind=kind, title=title, running_minutes=running_minutes,
        intervals=intervals, continuous_minutes=continuous_minutes, terrain=terrain, intensity=intensity, cues=cues,
        exercises=exercises, warmup_minutes=warmup_minutes, cooldown_minutes=cooldown_minutes,
        quality_minutes=quality_minutes, duration_minutes=duration_minutes)
    return session


def cadence_cue(cadence: int | None) -> str:
    """Rule 20: a numeric target +5% with a cadence, else the plain cue."""
    if cadence is None:
        return words.CADENCE_CUE
    return words.cadence_target(round(cadence * (1 + CADENCE_RISE)), cadence)
