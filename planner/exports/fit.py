"""Run sessions as FIT workout files for Garmin watches (standards.md §3.2-3.4), written with fit-tool.

One file per run session: file_id, workout, then workout_step messages. Walk-run blocks become a
run step, a walk step and a repeat step; continuous runs one timed run step, with the quality part
(strides, tempo, hills) as its own step in the middle. Every step is timed, so the steps add up to
the session's whole length. Same session in, same bytes out: nothing depends on the clock.
"""

from __future__ import annotations

import io
import uuid
import zipfile
from datetime import UTC, datetime, time

from fit_tool.fit_file_builder import FitFileBuilder
from fit_tool.profile.messages.file_id_message import FileIdMessage
from fit_tool.profile.messages.workout_message import WorkoutMessage
from fit_tool.profile.messages.workout_step_message import WorkoutStepMessage
from fit_tool.profile.profile_type import (
    FileType,
    Intensity,
    Manufacturer,
    Sport,
    WorkoutStepDuration,
    WorkoutStepTarget,
)

from ..engine import Intensity as Effort
from ..engine import Kind, Plan, Session
from ..engine.words import DISCLAIMER, minutes

MAX_STRING_BYTES = 254  # FIT strings: at most 255 bytes with the terminating NUL
ZIP_DATE = (2026, 1, 1, 0, 0, 0)  # fixed, so the same plan zips to the same bytes

QUALITY_NAMES = {Effort.STRIDES: "Strides", Effort.TEMPO: "Tempo"}

NEW_FILES_HOWTO = """\
Put these workouts on a Garmin watch
====================================

1. Connect the watch to a computer with its USB cable.
   Windows: it shows up as a drive or a device named after the watch.
   macOS: modern watches need an MTP app (Android File Transfer, OpenMTP or MacDroid).
2. Open the GARMIN folder on the watch, then the NewFiles folder inside it.
3. Copy the .fit files into GARMIN/NewFiles (all of them, or only the next few weeks).
4. Eject the watch and unplug it. It reads the files and moves them on its own.
5. On the watch: Training (or Training & Planning) > Workouts. Each workout is named
   "RTR <date> Run <n>"; start it on that day.

The files are named by date, so the list sorts in plan order. The workouts do not appear in
Garmin Connect's calendar and Garmin Connect's web import does not take workout files: the copy
over USB is the way in. Your finished runs sync to Garmin Connect (and on to Strava, if you have
linked it) as usual.

If the plan changes after a check-in, download the zip again and copy the files for the days
ahead. Workouts copied before stay on the watch until you delete them there, so remove the
old ones to avoid running an outdated session.

Each step carries its cue: stop (walk home) if pain passes your limit or you start to limp.
"""


def file_name(session: Session, number: int) -> str:
    """`2026-12-01-run-04.fit`: sorts by date, then by run number."""
    return f"{session.date.isoformat()}-run-{number:02d}.fit"


def workout_name(session: Session, number: int) -> str:
    """Short: watches truncate long names."""
    return f"RTR {session.date.isoformat()} Run {number}"


def run_sessions(plan: Plan) -> list[tuple[int, Session]]:
    """Every run session with its 1-based number in the plan, in date order."""
    runs = sorted((s for s in plan.sessions if s.kind is Kind.RUN), key=lambda s: s.date)
    return list(enumerate(runs, start=1))


def workout_file(session: Session, *, name: str) -> bytes:
    """One FIT workout file (file type 5) for a run session."""
    if session.kind is not Kind.RUN:
        raise ValueError(f"only run sessions become FIT workouts, not {session.kind.value}")
    steps = _steps(session)
    for index, step in enumerate(steps):
        step.message_index = index

    file_id = FileIdMessage()
    file_id.type = FileType.WORKOUT
    file_id.manufacturer = Manufacturer.DEVELOPMENT.value
    file_id.product = 0
    file_id.serial_number = _serial(session.uid)
    created = datetime.combine(session.date, time(0, 0), tzinfo=UTC)
    file_id.time_created = round(created.timestamp() * 1000)

    workout = WorkoutMessage()
    workout.workout_name = _fit_string(name)
    workout.workout_description = _fit_string(DISCLAIMER)  # wkt_description (field 17): rule 29 on the watch file
    workout.sport = Sport.RUNNING
    # Garmin's cookbook counts every step message, repeat steps included (standards.md §3.4).
    workout.num_valid_steps = len(steps)

    builder = FitFileBuilder(auto_define=True, min_string_size=50)
    builder.add(file_id)
    builder.add(workout)
    builder.add_all(steps)
    return bytes(builder.build().to_bytes())


def workouts_zip(plan: Plan) -> bytes:
    """Every run session as a FIT file, plus README.txt; a plan without runs gives just the README."""
    runs = run_sessions(plan)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        _add(archive, "README.txt", _readme(plan, runs).encode("utf-8"))
        for number, session in runs:
            _add(archive, file_name(session, number), workout_file(session, name=workout_name(session, number)))
    return buffer.getvalue()


def session_file(plan: Plan, uid: str) -> tuple[str, bytes] | None:
    """The file name and bytes of one run session, or None when the plan has no run with that uid."""
    for number, session in run_sessions(plan):
        if session.uid == uid:
            return file_name(session, number), workout_file(session, name=workout_name(session, number))
    return None


# -- steps --------------------------------------------------------------------------------------

def _steps(session: Session) -> list[WorkoutStepMessage]:
    stop_rule = _stop_rule(session)
    steps: list[WorkoutStepMessage] = []

    def add(step: WorkoutStepMessage | None) -> None:
        if step is not None:
            steps.append(step)

    before = next((c for c in session.cues if c.startswith("Before you run")), "")
    before = before.replace(" of this session", " on your plan")
    add(_step("Warm-up walk", Intensity.WARMUP, session.warmup_minutes, f"{before} Brisk walk to warm up.".strip()))
    if session.intervals:
        for block in session.intervals:
            first = len(steps)
            add(_step(f"Run {minutes(block.run_minutes)} min", Intensity.ACTIVE, block.run_minutes,
                      f"Easy jog, flat ground. {stop_rule}"))
            add(_step(f"Walk {minutes(block.walk_minutes)} min", Intensity.RECOVERY, block.walk_minutes,
                      "Walk briskly."))
            if block.repeats > 1 and len(steps) > first:
                add(_repeat(back_to=first, times=block.repeats))
    else:
        for step in _continuous(session, stop_rule):
            add(step)
    add(_step("Cool-down walk", Intensity.COOLDOWN, session.cooldown_minutes,
              "Walk to cool down. " + _next_morning_rule(session)))
    return steps


def _continuous(session: Session, stop_rule: str) -> list[WorkoutStepMessage | None]:
    total = round(session.running_minutes * 60)
    quality = min(round(session.quality_minutes * 60), total)
    easy_note = f"Easy and conversational. {stop_rule}"
    if not quality:
        return [_step_seconds("Run easy", Intensity.ACTIVE, total, easy_note)]
    before = (total - quality) // 2
    after = total - quality - before
    label = "Hills" if session.terrain.value == "hills" else QUALITY_NAMES.get(session.intensity, "Quality")
    return [
        _step_seconds("Run easy", Intensity.ACTIVE, before, easy_note),
        _step_seconds(label, Intensity.INTERVAL, quality, f"{_quality_cue(session)} {stop_rule}"),
        _step_seconds("Run easy", Intensity.ACTIVE, after, easy_note),
    ]


def _step(name: str, intensity: Intensity, step_minutes: float, notes: str) -> WorkoutStepMessage | None:
    return _step_seconds(name, intensity, round(step_minutes * 60), notes)


def _step_seconds(name: str, intensity: Intensity, seconds: int, notes: str) -> WorkoutStepMessage | None:
    """A timed step with an open target; None for a step of no length."""
    if seconds <= 0:
        return None
    step = WorkoutStepMessage()
    step.workout_step_name = _fit_string(name)
    step.intensity = intensity
    step.duration_type = WorkoutStepDuration.TIME
    step.duration_time = float(seconds)  # seconds; stored as ms
    step.target_type = WorkoutStepTarget.OPEN
    step.notes = _fit_string(notes)
    return step


def _repeat(*, back_to: int, times: int) -> WorkoutStepMessage:
    """Repeat the steps from message_index `back_to` until `times` rounds are done."""
    step = WorkoutStepMessage()
    step.duration_type = WorkoutStepDuration.REPEAT_UNTIL_STEPS_CMPLT
    step.duration_step = back_to
    step.target_type = WorkoutStepTarget.OPEN
    step.target_repeat_steps = times
    return step


def _stop_rule(session: Session) -> str:
    return next((c for c in session.cues if c.startswith("Stop")), "Stop (walk home) if pain rises or you limp.")


def _next_morning_rule(session: Session) -> str:
    return next((c for c in session.cues if c.startswith("Next morning")), "")


def _quality_cue(session: Session) -> str:
    return next((c for c in session.cues if c.startswith("Include")), session.title)


def _fit_string(text: str) -> str:
    """Cut to what a FIT string field holds, on a character boundary."""
    encoded = text.encode("utf-8")
    if len(encoded) <= MAX_STRING_BYTES:
        return text
    return encoded[: MAX_STRING_BYTES - 3].decode("utf-8", errors="ignore").rstrip() + "..."


def _serial(uid: str) -> int:
    """A stable, non-zero uint32 per session: schedules and devices tell workouts apart by it."""
    try:
        value = uuid.UUID(uid).int
    except ValueError:
        value = int.from_bytes(uid.encode("utf-8")[-8:].rjust(8, b"\0"), "big")
    return (value & 0xFFFFFFFF) or 1


# -- zip ----------------------------------------------------------------------------------------

def _add(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    archive.writestr(info, data)


def _readme(plan: Plan, runs: list[tuple[int, Session]]) -> str:
    if runs:
        first, last = runs[0][1].date, runs[-1][1].date
        intro = (f"{len(runs)} run workouts, one per run session, from {first.isoformat()} to {last.isoformat()}.\n"
                 "Walks, rehab exercises and rest days are in the calendar feed and on the plan page, not here.\n\n")
    elif plan.referral:
        intro = ("There are no run workouts: this plan is a referral, not a running plan.\n"
                 f"{plan.referral}\n\n")
    else:
        intro = ("There are no run workouts yet: these weeks settle the tendon with walks and rehab exercises,\n"
                 "which are in the calendar feed and on the plan page. Once running starts, download this zip\n"
                 "again and it will hold one workout file per run.\n\n")
    return intro + NEW_FILES_HOWTO + "\n" + DISCLAIMER + "\n"
