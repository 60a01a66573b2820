"""Run sessions as FIT workout files for Garmin watches (standards.md §3.2-3.4), written with fit-tool.

One file per run session: file_id, workout, then workout_step messages. Walk-run blocks become a
run step, a walk step and a repeat step; continuous runs one timed run step, with the quality part
(strides, tempo, hills) as its own step in the middle. Every step is timed, so the steps add up to
the session's whole length. Same session in, same bytes out: nothing depends on the clock.

Beside them, one FIT schedules file (file type 7) puts the next four weeks of runs on the watch's own
calendar: each schedule entry names its workout file by that file's file_id. Which runs are "next"
depends on the runner's today, so the zip takes `today` as an argument; the clock stays outside.
"""

from __future__ import annotations

import io
import uuid
import zipfile
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from fit_tool.fit_file_builder import FitFileBuilder
from fit_tool.profile.messages.file_id_message import FileIdMessage
from fit_tool.profile.messages.schedule_message import ScheduleMessage
from fit_tool.profile.messages.workout_message import WorkoutMessage
from fit_tool.profile.messages.workout_step_message import WorkoutStepMessage
from fit_tool.profile.profile_type import (
    FileType,
    Intensity,
    Manufacturer,
    Schedule,
    Sport,
    WorkoutStepDuration,
    WorkoutStepTarget,
)

from ..engine import Intensity as Effort
from ..engine import Kind, Plan, Session
from ..engine.words import DISCLAIMER, minutes
from .ical import placements

MAX_STRING_BYTES = 254  # FIT strings: at most 255 bytes with the terminating NUL
ZIP_DATE = (2026, 1, 1, 0, 0, 0)  # fixed, so the same plan zips to the same bytes

QUALITY_NAMES = {Effort.STRIDES: "Strides", Effort.TEMPO: "Tempo"}

SCHEDULE_FILE = "schedule.fit"
# Watches keep about a month (about 30 entries) of future scheduled workouts and ignore past ones:
# today and the 27 days after it.
SCHEDULE_DAYS = 28
# The schedule file's own serial comes from this namespace, so it is apart from any workout's.
SCHEDULE_NAMESPACE = uuid.UUID("5c4e0a52-2f0e-4d1b-9a57-3f1c6a0e7b21")
FIT_EPOCH = datetime(1989, 12, 31)  # FIT's day zero; a local_date_time counts seconds from it on the wall clock

NEW_FILES_HOWTO = """\
Put these workouts on a Garmin watch
====================================

1. Connect the watch to a computer with its USB cable.
   Windows: it shows up as a drive or a device named after the watch.
   macOS: modern watches need an MTP app (Android File Transfer, OpenMTP or MacDroid).
2. Open the GARMIN folder on the watch, then the NewFiles folder inside it.
3. Copy all the .fit files into GARMIN/NewFiles.
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

SCHEDULE_HOWTO = """\
The watch's calendar
--------------------

schedule.fit places the runs of the next 4 weeks (from the day you downloaded this zip) on the
watch's own training calendar, each on its day{at}. It points at the workout files
by their IDs, so copy it together with them.

Watches that honour it: Garmin watches that take FIT workouts and have a training calendar, such as
Forerunner 255, 265, 955 and 965, fenix 6 and 7, epix, and Venu-class watches. A watch keeps about
30 future entries and ignores days that have passed, which is why only 4 weeks are in it: download
the zip again every few weeks (and after a check-in changes the plan) and copy the files again.
Some older or lifestyle watches (vivoactive 3, Forerunner 45) may show the workouts without the
calendar entries; then start each workout from the Workouts list. We could not test this on a
watch ourselves.
"""


def file_name(session: Session, number: int) -> str:
    """`2026-12-01-run-04.fit`: sorts by date, then by run number."""
    return f"{session.date.isoformat()}-run-{number:02d}.fit"


def workout_name(session: Session, number: int) -> str:
    """Short: watches truncate long names."""
    return f"RTR {session.date.isoformat()} Run {number}"


@dataclass(frozen=True)
class FileId:
    """What a FIT file's file_id message says of it. A schedule entry names a workout file by
    repeating these four exactly, so both are written from one value."""

    manufacturer: int
    product: int
    serial_number: int
    time_created: int  # milliseconds since 1970-01-01 UTC, as fit-tool takes a date_time

    def file_id(self, file_type: FileType) -> FileIdMessage:
        message = FileIdMessage()
        message.type = file_type
        message.manufacturer = self.manufacturer
        message.product = self.product
        message.serial_number = self.serial_number
        message.time_created = self.time_created
        return message


def workout_id(session: Session) -> FileId:
    """A run's workout file identity: stable across re-plans (the uid is the plan's seed, day and kind)
    and distinct per session (the serial comes from the uid, and the day is in time_created)."""
    return FileId(Manufacturer.DEVELOPMENT.value, 0, _serial(session.uid), _milliseconds(session.date))


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

    file_id = workout_id(session).file_id(FileType.WORKOUT)

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


def workouts_zip(plan: Plan, *, today: date) -> bytes:
    """Every run session as a FIT file, the schedule of those from `today` (the runner's day) for four
    weeks, and README.txt; a plan without runs gives just the README, one without runs ahead no schedule."""
    runs = run_sessions(plan)
    scheduled = scheduled_runs(plan, today=today)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        _add(archive, "README.txt", _readme(plan, runs, today=today, scheduled=scheduled).encode("utf-8"))
        for number, session in runs:
            _add(archive, file_name(session, number), workout_file(session, name=workout_name(session, number)))
        if scheduled:
            _add(archive, SCHEDULE_FILE, _schedule(scheduled, today=today))
    return buffer.getvalue()


# -- the schedule -------------------------------------------------------------------------------

def scheduled_runs(plan: Plan, *, today: date) -> list[tuple[Session, datetime]]:
    """The runs from `today` to `today` + 27 days, each with its local start on the wall clock: the
    calendar feed's start when the plan has a session time (after any rehab that day), else midnight.
    An entry stays on its run's day: a late session time pushed past midnight by rehab keeps the time itself."""
    last = today + timedelta(days=SCHEDULE_DAYS - 1)
    starts = placements(plan)
    runs: list[tuple[Session, datetime]] = []
    for _, session in run_sessions(plan):
        if not today <= session.date <= last:
            continue
        wall = datetime.combine(session.date, plan.request.session_time or time(0, 0))
        placed = starts.get(session.uid)
        if placed is not None and placed.start.date() == session.date:
            wall = placed.start.replace(tzinfo=None)
        runs.append((session, wall))
    return runs


def schedule_file(plan: Plan, *, today: date) -> bytes | None:
    """A FIT schedules file (file type 7) placing the runs ahead on the watch's calendar; None when
    there are none in the next four weeks."""
    runs = scheduled_runs(plan, today=today)
    return _schedule(runs, today=today) if runs else None


def _schedule(runs: list[tuple[Session, datetime]], *, today: date) -> bytes:
    first = runs[0][0].uid
    own = FileId(Manufacturer.DEVELOPMENT.value, 0, _serial(str(uuid.uuid5(SCHEDULE_NAMESPACE, first))),
                 _milliseconds(today))
    builder = FitFileBuilder(auto_define=True)
    builder.add(own.file_id(FileType.SCHEDULES))
    for session, wall in runs:
        workout = workout_id(session)
        entry = ScheduleMessage()
        entry.manufacturer = workout.manufacturer
        entry.product = workout.product
        entry.serial_number = workout.serial_number
        entry.time_created = workout.time_created
        entry.completed = False
        entry.type = Schedule.WORKOUT
        entry.scheduled_time = local_date_time(wall)
        builder.add(entry)
    return bytes(builder.build().to_bytes())


def local_date_time(wall: datetime) -> int:
    """A FIT local_date_time: seconds from the FIT epoch to `wall`, both read on the local clock."""
    return round((wall - FIT_EPOCH).total_seconds())


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


def _milliseconds(day: date) -> int:
    """Midnight UTC of `day`, in the milliseconds fit-tool takes for a FIT date_time."""
    return round(datetime.combine(day, time(0, 0), tzinfo=UTC).timestamp() * 1000)


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


def _readme(plan: Plan, runs: list[tuple[int, Session]], *, today: date,
            scheduled: list[tuple[Session, datetime]]) -> str:
    calendar = ""
    if scheduled:
        at = (f", at your session time ({plan.request.session_time:%H:%M}; after any rehab that day)"
              if plan.request.session_time else "")
        calendar = "\n" + SCHEDULE_HOWTO.format(at=at)
    elif runs:
        calendar = (f"\nNo run falls between {today.isoformat()} and "
                    f"{(today + timedelta(days=SCHEDULE_DAYS - 1)).isoformat()}, so there is no schedule.fit "
                    "for the watch's calendar this time.\n")
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
    return intro + NEW_FILES_HOWTO + calendar + "\n" + DISCLAIMER + "\n"
