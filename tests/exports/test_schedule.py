"""The FIT schedules file in garmin.zip: the next four weeks of runs on the watch's own calendar.

Read back by Garmin's own SDK (and fitdecode): every entry names exactly one workout file of the zip by
its file_id, on the run's local day (and time), and only runs from the runner's today to 27 days on.
"""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import fitdecode
import pytest
from garmin_fit_sdk import Decoder, Stream
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.engine import Kind, Plan, PlanRequest, Session, build_plan
from planner.exports import fit

TODAY = date(2026, 11, 25)
START = date(2026, 11, 30)
FIT_EPOCH = datetime(1989, 12, 31)  # local_date_time counts from here on the wall clock (FIT profile)
Identity = tuple[str, int, int, datetime]  # manufacturer, product, serial_number, time_created


def make_plan(**fields: Any) -> Plan:
    fields.setdefault("start_date", START)
    return build_plan(PlanRequest(**fields), today=TODAY, seed="schedule-tests")


@pytest.fixture(scope="module")
def plan() -> Plan:
    return make_plan(weekly_volume=30, current_pain=2)


@pytest.fixture(scope="module")
def timed_plan() -> Plan:
    """A runner in Auckland who runs at 06:30."""
    return make_plan(weekly_volume=30, current_pain=2, timezone="Pacific/Auckland", session_time=time(6, 30))


def garmin_decode(data: bytes) -> dict[str, list[dict[str, Any]]]:
    check = Decoder(Stream.from_byte_array(bytearray(data)))
    assert check.is_fit()
    assert check.check_integrity()
    messages, errors = Decoder(Stream.from_byte_array(bytearray(data))).read()
    assert errors == []
    return messages


def zip_entries(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name) for name in archive.namelist()}


def identity(message: dict[str, Any]) -> Identity:
    return (message["manufacturer"], message["product"], message["serial_number"], message["time_created"])


def workout_ids(entries: dict[str, bytes]) -> dict[Identity, str]:
    """Each workout file's file_id, decoded, to its name in the zip."""
    found: dict[Identity, str] = {}
    for name, data in entries.items():
        if name.endswith(".fit") and name != fit.SCHEDULE_FILE:
            (file_id,) = garmin_decode(data)["file_id_mesgs"]
            assert file_id["type"] == "workout"
            assert identity(file_id) not in found, f"{name} shares its file_id with {found.get(identity(file_id))}"
            found[identity(file_id)] = name
    return found


def wall_clock(entry: dict[str, Any]) -> datetime:
    return FIT_EPOCH + timedelta(seconds=entry["scheduled_time"])


def runs_between(plan: Plan, first: date, last: date) -> list[Session]:
    return sorted((s for s in plan.sessions if s.kind is Kind.RUN and first <= s.date <= last), key=lambda s: s.date)


def schedule_of(data: bytes) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    messages = garmin_decode(data)
    (file_id,) = messages["file_id_mesgs"]
    return file_id, messages.get("schedule_mesgs", [])


# -- the file itself -------------------------------------------------------------------------------

def test_schedule_names_each_workout_file_of_the_zip_exactly(plan: Plan) -> None:
    today = START + timedelta(days=10)  # mid-plan: runs behind and ahead
    entries = zip_entries(fit.workouts_zip(plan, today=today))
    file_id, schedule = schedule_of(entries[fit.SCHEDULE_FILE])
    assert file_id["type"] == "schedules"
    assert file_id["time_created"] == datetime.combine(today, time(0, 0), tzinfo=UTC)
    workouts = workout_ids(entries)
    ahead = runs_between(plan, today, today + timedelta(days=27))
    assert len(schedule) == len(ahead) > 0
    named = [workouts[identity(entry)] for entry in schedule]  # KeyError: an entry naming no file
    assert len(set(named)) == len(named)
    for entry, session, name in zip(schedule, ahead, named, strict=True):
        assert entry["type"] == "workout"
        assert entry["completed"] in (0, False)
        assert name.startswith(session.date.isoformat())
        assert wall_clock(entry) == datetime.combine(session.date, time(0, 0))  # no session time: the day
    assert file_id["serial_number"] not in {serial for _, _, serial, _ in workouts}


def test_fitdecode_reads_the_same_schedule(plan: Plan) -> None:
    """A second decoder, CRC checked, agrees on the entries and on what scheduled_time means."""
    data = fit.schedule_file(plan, today=START)
    assert data is not None
    with fitdecode.FitReader(io.BytesIO(data), check_crc=fitdecode.CrcCheck.RAISE,
                             error_handling=fitdecode.ErrorHandling.RAISE) as reader:
        frames = [f for f in reader if isinstance(f, fitdecode.FitDataMessage)]
    assert [f.get_value("type") for f in frames if f.name == "file_id"] == ["schedules"]
    entries = [f for f in frames if f.name == "schedule"]
    _, garmin = schedule_of(data)
    assert [f.get_value("serial_number") for f in entries] == [e["serial_number"] for e in garmin]
    assert [f.get_value("type") for f in entries] == ["workout"] * len(garmin)
    assert [f.get_value("completed") for f in entries] == [False] * len(garmin)
    # fitdecode turns a local_date_time into a datetime from the FIT epoch (tagged UTC): the wall clock.
    read = [f.get_value("scheduled_time").replace(tzinfo=None) for f in entries]
    assert read == [wall_clock(e) for e in garmin]
    assert read[0] == datetime.combine(runs_between(plan, START, START)[0].date, time(0, 0))


def test_scheduled_time_is_the_session_time_on_the_local_day(timed_plan: Plan) -> None:
    """06:30 in Auckland is 06:30 on the watch's clock (local_date_time), not 17:30 the day before in UTC;
    a run after the day's rehab starts when the calendar feed starts it."""
    today = START + timedelta(days=3)
    data = fit.schedule_file(timed_plan, today=today)
    assert data is not None
    _, schedule = schedule_of(data)
    ahead = runs_between(timed_plan, today, today + timedelta(days=27))
    assert len(schedule) == len(ahead) > 0
    for entry, session in zip(schedule, ahead, strict=True):
        before = sum(s.total_minutes for s in timed_plan.sessions
                     if s.date == session.date and s.kind in (Kind.STRENGTH, Kind.CROSS_TRAIN))
        expected = datetime.combine(session.date, time(6, 30)) + timedelta(minutes=before)
        assert wall_clock(entry) == expected, session.date
    assert any(wall_clock(e).time() == time(6, 30) for e in schedule)


def test_a_session_time_the_clocks_skip_moves_as_the_calendar_moves_it() -> None:
    """01:30 in London on the night the clocks go forward becomes 02:30, on the watch as in the feed."""
    spring = date(2027, 3, 28)  # a Sunday: the clocks go forward at 01:00 UTC
    plan = make_plan(weekly_volume=30, current_pain=2, timezone="Europe/London", session_time=time(1, 30),
                     start_date=spring)  # the plan's first day, a run
    runs = {wall.date(): wall for _, wall in fit.scheduled_runs(plan, today=spring)}
    assert runs[spring] == datetime.combine(spring, time(2, 30))
    assert runs[spring + timedelta(days=2)] == datetime.combine(spring + timedelta(days=2), time(1, 30))


# -- which runs --------------------------------------------------------------------------------------

def test_only_today_to_27_days_on_are_scheduled(plan: Plan) -> None:
    """A run today and one 27 days on are in; yesterday's and one 28 days on are not."""
    runs = sorted((s for s in plan.sessions if s.kind is Kind.RUN), key=lambda s: s.date)
    middle = runs[len(runs) // 2]
    for today in (middle.date, middle.date - timedelta(days=27)):
        days = [wall.date() for _, wall in fit.scheduled_runs(plan, today=today)]
        assert middle.date in days
    for today in (middle.date + timedelta(days=1), middle.date - timedelta(days=28)):
        days = [wall.date() for _, wall in fit.scheduled_runs(plan, today=today)]
        assert middle.date not in days
        assert all(today <= day <= today + timedelta(days=27) for day in days)


def test_no_runs_ahead_no_schedule_file(plan: Plan) -> None:
    """A plan that is over, or not yet running, has nothing for the calendar: no schedule.fit, and the
    README says why; the workouts are all still there."""
    after = plan.weeks[-1].start + timedelta(days=7)
    assert fit.schedule_file(plan, today=after) is None
    entries = zip_entries(fit.workouts_zip(plan, today=after))
    assert fit.SCHEDULE_FILE not in entries
    assert len(workout_ids(entries)) == len([s for s in plan.sessions if s.kind is Kind.RUN])
    assert "so there is no schedule.fit" in entries["README.txt"].decode("utf-8")


def test_readme_says_how_the_schedule_works(timed_plan: Plan) -> None:
    readme = zip_entries(fit.workouts_zip(timed_plan, today=START))["README.txt"].decode("utf-8")
    assert "schedule.fit" in readme and "GARMIN/NewFiles" in readme
    assert "next 4 weeks" in readme and "at your session time (06:30;" in readme
    assert "Forerunner 255, 265, 955 and 965" in readme and "vivoactive 3" in readme
    assert "about\n30 future entries" in readme or "about 30 future entries" in readme.replace("\n", " ")
    assert "could not test" in readme


def test_same_day_same_bytes_and_the_next_day_differs(plan: Plan) -> None:
    first = fit.workouts_zip(plan, today=START)
    assert first == fit.workouts_zip(plan, today=START)
    later = zip_entries(fit.workouts_zip(plan, today=START + timedelta(days=1)))
    assert later[fit.SCHEDULE_FILE] != zip_entries(first)[fit.SCHEDULE_FILE]


# -- every plan, every day -------------------------------------------------------------------------

@st.composite
def plans_and_days(draw: st.DrawFn) -> tuple[Plan, date]:
    request = PlanRequest(
        weekly_volume=draw(st.integers(0, 60)),
        current_pain=draw(st.integers(0, 6)),
        runs_per_week=draw(st.integers(2, 6)),
        timezone=draw(st.sampled_from(["UTC", "Pacific/Auckland", "America/Los_Angeles", "Europe/London"])),
        session_time=draw(st.one_of(st.none(), st.times().map(lambda t: t.replace(second=0, microsecond=0)))),
        start_date=START,
    )
    plan = build_plan(request, today=TODAY, seed=draw(st.sampled_from(["a", "b", "c"])))
    last = plan.weeks[-1].start + timedelta(days=7) if plan.weeks else START
    today = draw(st.dates(START - timedelta(days=30), last + timedelta(days=3)))
    return plan, today


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=plans_and_days())
def test_every_schedule_holds_exactly_the_next_four_weeks_of_workouts(case: tuple[Plan, date]) -> None:
    plan, today = case
    entries = zip_entries(fit.workouts_zip(plan, today=today))
    workouts = workout_ids(entries)
    ahead = runs_between(plan, today, today + timedelta(days=27))
    if not ahead:
        assert fit.SCHEDULE_FILE not in entries
        return
    _, schedule = schedule_of(entries[fit.SCHEDULE_FILE])
    named = [workouts[identity(entry)] for entry in schedule]
    assert named == [fit.file_name(s, n) for n, s in fit.run_sessions(plan) if s in ahead]
    walls = [wall_clock(entry) for entry in schedule]
    assert [w.date() for w in walls] == [s.date for s in ahead]  # the local day, whatever the zone
    assert walls == sorted(walls)
    if plan.request.session_time is None:
        assert all(w.time() == time(0, 0) for w in walls)
    assert len(schedule) <= 30  # what a watch keeps
