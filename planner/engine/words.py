"""What the plan says in words (rule 29 and every rationale)."""

from __future__ import annotations

from .plan import Exercise, Interval, Phase

DISCLAIMER = (
    "This plan is not a diagnosis or medical advice. Full recovery from a tendon injury commonly "
    "takes 3-6 months. See a physiotherapist if any of the warning signs appear or nothing improves."
)

PHYSIO_NOTICE = (
    "See a physiotherapist: your check-ins show repeated flare-ups or no improvement. "
    "The plan goes on cautiously, but a face-to-face assessment is due."
)

SITTING_ADVICE = (
    "Sitting: use a cushion, avoid hard seats and take a break to stand every 20-30 minutes."
)

CADENCE_CUE = "Shorter, quicker, lighter steps; don't stride out."

PHASE_NAMES = {
    Phase.SETTLE: "Settle",
    Phase.WALK_RUN: "Walk-run",
    Phase.EASY_RUN: "Easy running",
    Phase.BUILD: "Build",
    Phase.REINTRODUCE: "Speed and hills",
    Phase.MAINTAIN: "Maintain",
}


PHASE_WEEK = {
    Phase.SETTLE: "a settling week",
    Phase.WALK_RUN: "a walk-run week",
    Phase.EASY_RUN: "an easy-running week",
    Phase.BUILD: "a build week",
    Phase.REINTRODUCE: "a speed-and-hills week",
    Phase.MAINTAIN: "a maintenance week",
}


def minutes(value: float) -> str:
    """6.0 -> "6", 2.5 -> "2.5"."""
    return f"{value:g}"


def dose(exercise: Exercise) -> str:
    """How much of an exercise: "5 × 45 s hold", "3 × 10", or "3 sets"."""
    if exercise.hold_seconds:
        return f"{exercise.sets} × {exercise.hold_seconds} s hold"
    if exercise.reps:
        return f"{exercise.sets} × {exercise.reps}"
    return f"{exercise.sets} sets"


def intervals_in_words(intervals: list[Interval]) -> str:
    """How a runner reads a walk-run session: "4 × run 2 min / walk 3 min"."""
    return "; ".join(
        f"{i.repeats} × run {minutes(i.run_minutes)} min / walk {minutes(i.walk_minutes)} min" for i in intervals
    )


def progression_rule(ceiling: int, baseline: int) -> str:
    return (
        f"Move on only when every session stayed at or under {ceiling}/10 pain and the next morning was back "
        f"to your usual level ({baseline}/10). One session over {ceiling}/10, or a worse morning: repeat the week. "
        f"Two sessions over {ceiling}/10 within 7 days, or mornings getting worse two weeks running: step back "
        "one level, take two days without running and keep the rehab exercises going."
    )


def summary(*, weeks: int, start_phase: Phase, target: str, reason: str, ceiling: int) -> str:
    return (
        f"A {weeks}-week return to running, starting in the {PHASE_NAMES[start_phase].lower()} phase because "
        f"{reason}. It builds towards {target} a week, keeps pain during and after each session at or under "
        f"{ceiling}/10, and keeps your rehab exercises in every week and on afterwards. {DISCLAIMER}"
    )
