"""Pain monitoring (rules 4-6): the ceiling, the stop rule, the next-morning rule."""

from __future__ import annotations

DEFAULT_TOLERANCE = 3  # rule 4: the ceiling when the runner gives none
HIGHEST_CEILING = 5  # Silbernagel 2007: pain above 5/10 is never accepted


def ceiling(pain_tolerance: int) -> int:
    """The most pain a session may bring: the runner's tolerance held to 0-5 (rule 4)."""
    return max(0, min(pain_tolerance, HIGHEST_CEILING))


def stop_rule(limit: int) -> str:
    """Rule 5, with the runner's own ceiling."""
    return f"Stop (walk home) if pain passes {limit}/10 or you start to limp."


def next_morning_rule(baseline: int) -> str:
    """Rule 6: the morning after, pain must be back to the runner's usual level (a trend, v2)."""
    usual = f"{baseline}/10 at rest" if baseline else "your usual mornings of the last two weeks"
    return (
        f"Next morning: pain should be back to your usual level ({usual}). "
        "If it is not, the plan repeats this week's load instead of moving on."
    )


def over_ceiling(pain: int, limit: int) -> bool:
    return pain > limit
