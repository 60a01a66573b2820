"""Rehab and maintenance exercises (rules 23-28): a catalogue and the stages that use it.

Stages follow Goom 2016 and the seed article's progression: isometric bridge holds, then
single-leg work with little hip flexion, then loading into hip flexion, then light plyometrics.
No hamstring stretching appears anywhere, at any stage (rule 27).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from .plan import Exercise


@dataclass(frozen=True)
class CatalogueEntry:
    id: str
    name: str
    stage: int
    cue: str


CATALOGUE: tuple[CatalogueEntry, ...] = (
    CatalogueEntry("isometric_bridge_hold", "90-degree hamstring bridge hold", 1,
                   "Knees bent to 90 degrees, heels dug in, hips lifted just off the floor (hip near neutral); "
                   "hold at about 70% effort, 2 minutes' rest between holds."),
    CatalogueEntry("glute_march", "Glute march", 2,
                   "Hold a bridge and slowly lift one foot then the other without the pelvis dropping."),
    CatalogueEntry("single_leg_bridge", "Single-leg bridge", 2,
                   "Heavy and slow: 3 seconds up, 3 seconds down; keep the pelvis level."),
    CatalogueEntry("single_leg_hamstring_catch", "Single-leg hamstring catch", 2,
                   "Lower the lifted leg under control and 'catch' it before the hip bends far."),
    CatalogueEntry("hip_abduction", "Side-lying hip abduction", 2,
                   "Toes pointing forward, lift the top leg slightly behind you; 3 seconds up, 3 down."),
    CatalogueEntry("pelvic_control", "Standing pelvic control", 2,
                   "On one leg, keep the pelvis level and neutral (no forward tilt) as the other knee lifts."),
    CatalogueEntry("swiss_ball_hamstring_curl", "Swiss ball hamstring curl", 3,
                   "Hips up, roll the ball in with your heels and out again slowly; stop short of pain."),
    CatalogueEntry("runners_arabesque", "Runner's arabesque", 3,
                   "Hinge forward on one leg into hip flexion only as far as comfortable, then drive back up."),
    CatalogueEntry("single_leg_romanian_deadlift", "Single-leg Romanian deadlift", 3,
                   "Soft knee, flat back; add range before adding load."),
    CatalogueEntry("a_skip", "A-skips", 4,
                   "Light, quick contacts; knee up to hip height only; stop if the buttock pain rises."),
    CatalogueEntry("bounding", "Low bounds", 4,
                   "Short, springy bounds on flat ground, low volume; walk back between sets."),
)

CATALOGUE_BY_ID = {entry.id: entry for entry in CATALOGUE}

# Heavy slow resistance moves from about 15 repetitions toward 8 (rule 24); each step up
# comes with a stage change, so strength load only rises in a week running holds (rule 27).
REPS_BY_STAGE = {2: 15, 3: 10, 4: 8}

@cache  # Exercise is frozen, so one instance per prescription can be shared by every session
def _exercise(entry_id: str, sets: int, reps: int | None = None, hold: int | None = None) -> Exercise:
    entry = CATALOGUE_BY_ID[entry_id]
    return Exercise(id=entry.id, name=entry.name, sets=sets, reps=reps, hold_seconds=hold, cue=entry.cue)


def isometrics() -> list[Exercise]:
    """Stage 1: 5 x 30-45 s bridge holds at about 70% effort, daily (rule 23)."""
    return [_exercise("isometric_bridge_hold", sets=5, hold=45)]


def strength_session(stage: int) -> list[Exercise]:
    """The exercises of one strength session at a rehab stage (rules 23-26); stage 5 is maintenance."""
    if stage <= 1:
        return isometrics()
    reps = REPS_BY_STAGE[min(stage, 4)]
    exercises = [
        _exercise(e.id, sets=3, reps=reps) for e in CATALOGUE if e.stage == 2
    ]
    if stage >= 3:
        exercises += [_exercise(e.id, sets=3, reps=reps) for e in CATALOGUE if e.stage == 3]
    return exercises


def plyometrics() -> list[Exercise]:
    """Stage 4: light plyometrics, twice a week, before speed and hills return (rule 26)."""
    return [_exercise("a_skip", sets=3, reps=10), _exercise("bounding", sets=3, reps=6)]


def short_name(exercises: list[Exercise]) -> str:
    """A few words for a calendar title: "bridges + march"."""
    words = {
        "isometric_bridge_hold": "bridge holds",
        "glute_march": "march",
        "single_leg_bridge": "bridges",
        "swiss_ball_hamstring_curl": "ball curls",
        "runners_arabesque": "arabesque",
        "a_skip": "skips",
    }
    picked = [words[e.id] for e in exercises if e.id in words]
    ordered = list(dict.fromkeys(picked))
    return " + ".join(ordered[:3])
