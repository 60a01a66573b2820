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

# What the body does from the start of each exercise to its end, in a sentence: the words beside (and
# the alt text of) each exercise's drawing, so a runner who cannot see the picture reads the same movement.
MOVEMENTS: dict[str, str] = {
    "isometric_bridge_hold": "Lying on your back with your knees bent to a right angle: dig your heels in, "
                             "lift your hips just off the floor, then hold still.",
    "glute_march": "Lying on your back with your hips lifted in a bridge: lift one foot off the floor without "
                   "letting the hips drop, put it down, then lift the other.",
    "single_leg_bridge": "Lying on your back with one knee bent and the other leg straight: push through the bent "
                         "leg's heel to lift your hips until your shoulders, hips and knee line up, the straight "
                         "leg in line with your body.",
    "single_leg_hamstring_catch": "Standing on one leg with the other leg lifted behind you: let it swing down "
                                  "and forward, then stop it, nearly straight, before the hip bends far.",
    "hip_abduction": "Lying on your side with your legs straight and together: lift the top leg a little way, "
                     "slightly behind you, then lower it slowly.",
    "pelvic_control": "Standing on one leg with your hands on your hips: lift the other knee to hip height while "
                      "your pelvis stays level and your body stays upright.",
    "swiss_ball_hamstring_curl": "Lying on your back with your heels on a ball and your hips lifted, legs "
                                 "straight: bend your knees to roll the ball in toward you, keeping the hips up, "
                                 "then roll it out again slowly.",
    "runners_arabesque": "Leaning forward on one leg with the other leg reaching back: drive back up to standing "
                         "tall, bringing that knee up in front as in a running stride.",
    "single_leg_romanian_deadlift": "Standing on one leg with the knee soft: hinge forward with a flat back, "
                                    "your other leg reaching straight back and your hands toward the floor, "
                                    "then stand back up.",
    "a_skip": "Standing tall: drive one knee up to hip height with the opposite arm forward as the other foot "
              "skips lightly off the floor, then land and switch legs.",
    "bounding": "Pushing off the back foot with the front knee driving forward: spring forward in a short, low "
                "bound and land softly on that foot, knee slightly bent.",
}

HEAVY_CUE = (
    "Heavy and slow: 3 seconds up, 3 seconds down. Heavy means a load you could lift only a few more times; "
    "add load when the last reps of 3 × 8-10 feel easy and pain stays within your ceiling, in a week your "
    "running does not rise. No hamstring stretching."
)
PLYO_CUE = "Skips and bounds: quick, light contacts and low volume; stop if the buttock pain rises."
HOLDS_BEFORE_A_RUN = "Before you run, if the tendon is grumbling: 5 × 45 s bridge holds ease the pain."


@dataclass(frozen=True)
class Level:
    """One step of strength loading: which exercises a heavy session holds, and how many reps.

    Each level adds one thing (rule 25: one new hip-flexion exercise at a time, each replacing an
    easier stage-2 exercise, so a session keeps four to six exercises).
    """

    stage: int
    exercises: tuple[str, ...]
    reps: int | None


STAGE_2 = ("glute_march", "single_leg_bridge", "single_leg_hamstring_catch", "hip_abduction", "pelvic_control")
LEVELS: tuple[Level, ...] = (
    Level(1, ("isometric_bridge_hold",), None),
    Level(2, STAGE_2, 15),  # rule 24: about 15 reps, moving toward 8
    Level(3, ("swiss_ball_hamstring_curl", *STAGE_2[1:]), 12),
    Level(3, ("swiss_ball_hamstring_curl", "single_leg_bridge", "runners_arabesque", "hip_abduction",
              "pelvic_control"), 10),
    Level(3, ("swiss_ball_hamstring_curl", "single_leg_bridge", "runners_arabesque", "hip_abduction",
              "single_leg_romanian_deadlift"), 10),
    Level(4, ("swiss_ball_hamstring_curl", "single_leg_bridge", "runners_arabesque",
              "single_leg_romanian_deadlift", "hip_abduction"), 8),
)
TOP_LEVEL = len(LEVELS)
PLYO_LEVEL = TOP_LEVEL  # rule 26: plyometrics come with stage 4
FIRST_FLEXION_LEVEL = 3  # rule 25: the first level that loads into hip flexion
WEEKS_AT_STAGE_2 = 2  # rule 25: two weeks of stage 2 within the ceiling before stage 3
WEEKS_AT_A_LEVEL = 1  # rule 25: each new hip-flexion exercise at least a week after the last
MOST_IN_A_SESSION = 6  # rule 24 (v2): four to six exercises a session
HEAVY_SESSIONS = 3  # rule 24: three heavy sessions a week in stages 2-4
MAINTENANCE_SESSIONS = 2  # rule 28: two a week after the return
PLYO_SESSIONS = 2  # rule 26: twice a week

# How long a session really takes (rule 24 asks the calendar to be honest): 3 s up and 3 s down a
# rep, a minute's rest between sets, two minutes between holds, five minutes to warm up.
SECONDS_A_REP = 6
REST_BETWEEN_SETS = 60
REST_BETWEEN_HOLDS = 120
PLYO_SET_SECONDS = 90
WARM_UP_MINUTES = 5


def stage_of(level: int) -> int:
    """The rehab stage (1-4, rules 23-26) a strength level belongs to."""
    return LEVELS[level - 1].stage


def weeks_before_next(level: int) -> int:
    """Weeks a level is done within the ceiling before the next may come (rule 25)."""
    return WEEKS_AT_STAGE_2 if level <= 2 else WEEKS_AT_A_LEVEL


@cache  # Exercise is frozen, so one instance per prescription can be shared by every session
def _exercise(entry_id: str, sets: int, reps: int | None = None, hold: int | None = None) -> Exercise:
    entry = CATALOGUE_BY_ID[entry_id]
    return Exercise(id=entry.id, name=entry.name, sets=sets, reps=reps, hold_seconds=hold, cue=entry.cue)


def isometrics() -> list[Exercise]:
    """Stage 1: 5 x 30-45 s bridge holds at about 70% effort, daily (rule 23)."""
    return [_exercise("isometric_bridge_hold", sets=5, hold=45)]


def strength_session(level: int) -> list[Exercise]:
    """The exercises of one strength session at a level (rules 23-25)."""
    if level <= 1:
        return isometrics()
    chosen = LEVELS[min(level, TOP_LEVEL) - 1]
    return [_exercise(entry_id, sets=3, reps=chosen.reps) for entry_id in chosen.exercises]


def plyometrics() -> list[Exercise]:
    """Stage 4: light plyometrics, twice a week, before speed and hills return (rule 26)."""
    return [_exercise("a_skip", sets=3, reps=10), _exercise("bounding", sets=3, reps=6)]


def session_minutes(exercises: list[Exercise]) -> float:
    """An honest length for a strength session, rounded up to 5 minutes."""
    seconds = WARM_UP_MINUTES * 60
    for exercise in exercises:
        if CATALOGUE_BY_ID[exercise.id].stage == 4:
            seconds += exercise.sets * PLYO_SET_SECONDS
        elif exercise.hold_seconds:
            seconds += exercise.sets * (exercise.hold_seconds + REST_BETWEEN_HOLDS)
        else:
            seconds += exercise.sets * ((exercise.reps or 0) * SECONDS_A_REP + REST_BETWEEN_SETS)
    return float(-(-seconds // 300) * 5)


def short_name(exercises: list[Exercise]) -> str:
    """A few words for a calendar title: "bridges + march"."""
    words = {
        "isometric_bridge_hold": "bridge holds",
        "glute_march": "march",
        "single_leg_bridge": "bridges",
        "swiss_ball_hamstring_curl": "ball curls",
        "runners_arabesque": "arabesque",
        "single_leg_romanian_deadlift": "RDL",
        "a_skip": "skips",
    }
    picked = [words[e.id] for e in exercises if e.id in words]
    ordered = list(dict.fromkeys(picked))
    return " + ".join(ordered[:3])
