"""Rule 36: what was really run, beside what the plan said, in plain words."""

from __future__ import annotations

from . import words
from .plan import Actual, Intensity, Session, Terrain

LONGER = 1.2  # a run much longer than prescribed: a fifth more, and
LONGER_MINUTES = 5  # at least five minutes more
SHORTER = 0.8  # a run cut short: under four fifths of the prescription
HILLS_ASCENT_M = 40  # climbing that makes a run hilly
HILLS_SECONDS = 120  # or two minutes on grades above about 4%
FAST_SECONDS = 60  # a minute well faster than the easy pace
CADENCE_RISE = 1.05  # rule 20: the cue asks for 5% more than the runner's cadence
CADENCE_SHORT = 0.95  # well below the target: 5% under it


def remarks(session: Session | None, actual: Actual, *, cadence: int | None) -> list[str]:
    """Where a run went past the plan (or fell short of it), for the check-in and the page.

    `session` is the day's run, None for a run the plan did not have; `cadence` the runner's own.
    """
    if session is None:
        return [words.extra_run(actual.running_minutes)]
    said: list[str] = []
    planned = session.running_minutes
    ran = actual.running_minutes
    if ran > planned * LONGER and ran >= planned + LONGER_MINUTES:
        said.append(words.ran_longer(ran, planned))
    elif cut_short(planned, ran):
        said.append(words.ran_shorter(ran, planned))
    hilly = (actual.ascent_m or 0) >= HILLS_ASCENT_M or (actual.climbing_seconds or 0) >= HILLS_SECONDS
    if hilly and session.terrain is Terrain.FLAT:
        said.append(words.hills_not_yet(actual.ascent_m or 0))
    if (actual.fast_seconds or 0) >= FAST_SECONDS and session.intensity is Intensity.EASY:
        said.append(words.speed_not_yet(actual.fast_seconds or 0))
    if cadence and actual.cadence_spm and actual.cadence_spm < cadence * CADENCE_RISE * CADENCE_SHORT:
        said.append(words.cadence_low(actual.cadence_spm, round(cadence * CADENCE_RISE)))
    return said


def cut_short(prescribed: float, ran: float) -> bool:
    """Run well short of the prescription. A little under it is a watch's auto-pause or a walked warm-up,
    not a shorter run."""
    return ran < prescribed * SHORTER


def counted_minutes(prescribed: float, actual: Actual | None) -> float:
    """The minutes the caps of rules 14-15 count for a run: what was run when it fell well short,
    else the prescription; never more (running more never lifts the next week, rule 36)."""
    if actual is None or not cut_short(prescribed, actual.running_minutes):
        return prescribed
    return actual.running_minutes


def counted_bout(prescribed: float, actual: Actual | None) -> float:
    """The continuous run rule 15 counts: the longest stretch really run when well short, never more
    than prescribed."""
    if actual is None:
        return prescribed
    bout = actual.longest_bout_minutes if actual.longest_bout_minutes is not None else actual.running_minutes
    return bout if cut_short(prescribed, bout) else prescribed
