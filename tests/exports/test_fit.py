"""FIT workout files, read back by Garmin's own SDK and by fitdecode (standards.md §3.3-3.4)."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import replace
from datetime import date
from typing import Any

import fitdecode
import pytest
from garmin_fit_sdk import Decoder, Stream

from planner.engine import Intensity, Kind, Phase, Plan, PlanRequest, Session, Status, Terrain, Unit, build_plan
from planner.engine.words import DISCLAIMER
from planner.exports import fit

TODAY = date(2026, 11, 25)
START = date(2026, 11, 30)
NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})-run-(\d{2,})\.fit$")


def make_plan(**fields: Any) -> Plan:
    fields.setdefault("start_date", START)
    return build_plan(PlanRequest(**fields), today=TODAY, seed="fit-tests")


@pytest.fixture(scope="module")
def walk_run_plan() -> Plan:
    """From nothing: walk-run ladder, continuous runs, speed and hills, maintenance."""
    plan = make_plan(weekly_volume=0, current_pain=3, unit=Unit.MIN)
    assert plan.weeks[0].phase is Phase.WALK_RUN
    return plan


@pytest.fixture(scope="module")
def build_plan_km() -> Plan:
    plan = make_plan(weekly_volume=30, current_pain=2, unit=Unit.KM)
    assert any(s.quality_minutes for s in plan.sessions)
    return plan


@pytest.fixture(scope="module")
def settle_plan() -> Plan:
    """Only the settle weeks of a reactive tendon: walks and rehab, no runs."""
    plan = make_plan(weekly_volume=10, current_pain=4, pain_at_rest=2)
    settle = replace(plan, weeks=plan.weeks[:2])
    assert [w.phase for w in settle.weeks] == [Phase.SETTLE, Phase.SETTLE]
    assert not [s for s in settle.sessions if s.kind is Kind.RUN]
    return settle


# -- decoding helpers ----------------------------------------------------------------------------

def garmin_decode(data: bytes) -> dict[str, list[dict[str, Any]]]:
    """is_fit + check_integrity on one stream, read() on a fresh one (the SDK's trap)."""
    check = Decoder(Stream.from_byte_array(bytearray(data)))
    assert check.is_fit()
    assert check.check_integrity()
    messages, errors = Decoder(Stream.from_byte_array(bytearray(data))).read()
    assert errors == []
    return messages


def fitdecode_messages(data: bytes) -> list[fitdecode.FitDataMessage]:
    with fitdecode.FitReader(io.BytesIO(data), check_crc=fitdecode.CrcCheck.RAISE,
                             error_handling=fitdecode.ErrorHandling.RAISE) as reader:
        return [frame for frame in reader if isinstance(frame, fitdecode.FitDataMessage)]


def run_through(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The timed steps in the order a watch plays them, repeat steps expanded as they say."""
    played: list[dict[str, Any]] = []
    done: dict[int, int] = {}
    index = 0
    while index < len(steps):
        step = steps[index]
        assert step["message_index"] == index
        if step["duration_type"] == "repeat_until_steps_cmplt":
            assert step["target_type"] == "open"
            assert step["duration_step"] < index
            done[index] = done.get(index, 1) + 1
            if done[index] <= step["repeat_steps"]:
                index = step["duration_step"]
                continue
            done[index] = 1
        else:
            assert step["duration_type"] == "time"
            assert step["target_type"] == "open"
            played.append(step)
        index += 1
    return played


def check_workout(data: bytes, session: Session, name: str) -> list[dict[str, Any]]:
    """Everything a watch relies on, from Garmin's decoder; returns the played steps."""
    messages = garmin_decode(data)
    (file_id,) = messages["file_id_mesgs"]
    assert file_id["type"] == "workout"
    assert file_id["manufacturer"] == "development"
    assert file_id["serial_number"] > 0
    assert file_id["time_created"].date() == session.date
    (workout,) = messages["workout_mesgs"]
    assert workout["sport"] == "running"
    assert workout["wkt_name"] == name
    steps = messages["workout_step_mesgs"]
    assert workout["num_valid_steps"] == len(steps)

    played = run_through(steps)
    seconds = sum(s["duration_time"] for s in played)
    assert seconds == pytest.approx(session.total_minutes * 60)
    running = sum(s["duration_time"] for s in played if s["intensity"] in ("active", "interval"))
    assert running == pytest.approx(session.running_minutes * 60)
    assert played[0]["intensity"] == "warmup"
    assert played[-1]["intensity"] == "cooldown"
    assert played[0]["duration_time"] == session.warmup_minutes * 60
    assert played[-1]["duration_time"] == session.cooldown_minutes * 60
    for step in played:
        if step["intensity"] in ("active", "interval"):
            assert "Stop (walk home)" in step["notes"]

    # fitdecode reads the same file, CRC and all, to the same steps.
    frames = fitdecode_messages(data)
    assert [f.get_value("type") for f in frames if f.name == "file_id"] == ["workout"]
    assert [f.get_value("sport") for f in frames if f.name == "workout"] == ["running"]
    other = [f for f in frames if f.name == "workout_step"]
    assert [f.get_value("duration_type") for f in other] == [s["duration_type"] for s in steps]
    assert [f.get_value("message_index") for f in other] == list(range(len(steps)))
    return played


def zip_entries(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name) for name in archive.namelist()}


def workout_names(entries: dict[str, bytes]) -> list[str]:
    """The workout files of a zip, in its order: every .fit but the schedule."""
    return [n for n in entries if n.endswith(".fit") and n != fit.SCHEDULE_FILE]


def runs_of(plan: Plan) -> list[Session]:
    return sorted((s for s in plan.sessions if s.kind is Kind.RUN), key=lambda s: s.date)


# -- the whole zip ------------------------------------------------------------------------------

@pytest.mark.parametrize("plan_fixture", ["walk_run_plan", "build_plan_km"])
def test_every_file_in_the_zip_decodes_to_its_session(plan_fixture: str, request: pytest.FixtureRequest) -> None:
    plan: Plan = request.getfixturevalue(plan_fixture)
    entries = zip_entries(fit.workouts_zip(plan, today=TODAY))
    runs = runs_of(plan)
    fit_names = workout_names(entries)
    assert set(entries) == {"README.txt", fit.SCHEDULE_FILE, *fit_names}
    assert len(fit_names) == len(runs)
    assert fit_names == sorted(fit_names)  # the order in the zip is the plan's order
    serials = set()
    for number, (file_name, session) in enumerate(zip(fit_names, runs, strict=True), start=1):
        match = NAME.match(file_name)
        assert match, file_name
        assert match.group(1) == session.date.isoformat()
        assert int(match.group(2)) == number
        check_workout(entries[file_name], session, f"RTR {session.date.isoformat()} Run {number}")
        serials.add(garmin_decode(entries[file_name])["file_id_mesgs"][0]["serial_number"])
    assert len(serials) == len(runs)  # type + manufacturer + product + serial is unique per workout


def test_names_sort_by_date_past_run_99() -> None:
    """Zero-padded run numbers behind an ISO date: a plain sort is the plan's order."""
    plan = make_plan(weekly_volume=40, current_pain=1, runs_per_week=6)
    names = workout_names(zip_entries(fit.workouts_zip(plan, today=TODAY)))
    dates = [NAME.match(n).group(1) for n in names]  # type: ignore[union-attr]
    assert dates == sorted(dates)
    assert sorted(names) == names


def test_walk_run_session_is_run_walk_repeat(walk_run_plan: Plan) -> None:
    session = runs_of(walk_run_plan)[0]
    (block,) = session.intervals or []
    steps = garmin_decode(fit.workout_file(session, name="RTR test"))["workout_step_mesgs"]
    assert [s.get("intensity") for s in steps] == ["warmup", "active", "recovery", None, "cooldown"]
    repeat = steps[3]
    assert repeat["duration_type"] == "repeat_until_steps_cmplt"
    assert repeat["duration_step"] == 1
    assert repeat["repeat_steps"] == block.repeats
    assert steps[1]["duration_time"] == block.run_minutes * 60
    assert steps[2]["duration_time"] == block.walk_minutes * 60
    played = run_through(steps)
    assert len(played) == 2 + 2 * block.repeats


def test_every_walk_run_rung_adds_up(walk_run_plan: Plan) -> None:
    """Half-minute rungs (2.5/2.5, 4.5/0.5) too: seconds, not rounded minutes."""
    walk_runs = [s for s in runs_of(walk_run_plan) if s.intervals]
    rungs = {(i.run_minutes, i.walk_minutes) for s in walk_runs for i in s.intervals or []}
    assert (2.5, 2.5) in rungs and (4.5, 0.5) in rungs
    for session in walk_runs:
        check_workout(fit.workout_file(session, name="RTR test"), session, "RTR test")


@pytest.mark.parametrize("kind", [Intensity.STRIDES, Intensity.TEMPO, Terrain.HILLS])
def test_quality_part_is_its_own_step(build_plan_km: Plan, kind: Intensity | Terrain) -> None:
    session = next(s for s in runs_of(build_plan_km)
                   if s.quality_minutes and kind in (s.intensity, s.terrain))
    played = check_workout(fit.workout_file(session, name="RTR q"), session, "RTR q")
    quality = [s for s in played if s["intensity"] == "interval"]
    assert len(quality) == 1
    assert quality[0]["duration_time"] == pytest.approx(session.quality_minutes * 60)
    assert quality[0]["wkt_step_name"] == {Intensity.STRIDES: "Strides", Intensity.TEMPO: "Tempo",
                                           Terrain.HILLS: "Hills"}[kind]
    assert quality[0]["notes"].startswith("Include ")


def test_continuous_easy_run_is_one_timed_step(build_plan_km: Plan) -> None:
    session = next(s for s in runs_of(build_plan_km) if not s.quality_minutes and not s.intervals)
    played = check_workout(fit.workout_file(session, name="RTR e"), session, "RTR e")
    assert [s["intensity"] for s in played] == ["warmup", "active", "cooldown"]
    assert played[1]["duration_time"] == session.running_minutes * 60


def test_same_plan_same_bytes(walk_run_plan: Plan) -> None:
    first = fit.workouts_zip(walk_run_plan, today=TODAY)
    assert first == fit.workouts_zip(walk_run_plan, today=TODAY)
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {info.date_time for info in archive.infolist()} == {fit.ZIP_DATE}


def test_long_cues_are_cut_to_fit_strings(walk_run_plan: Plan) -> None:
    session = runs_of(walk_run_plan)[0]
    long_stop = "Stop (walk home) if pain passes 3/10 — " + "really " * 80 + "or you limp."
    wordy = replace(session, cues=[long_stop, *session.cues[1:]])
    cut = "RTR ü " + "x" * (fit.MAX_STRING_BYTES - 3 - len("RTR ü ".encode())) + "..."
    assert len(cut.encode()) == fit.MAX_STRING_BYTES
    played = check_workout(fit.workout_file(wordy, name="RTR ü " + "x" * 300), wordy, cut)
    assert all(len(s["notes"].encode()) <= fit.MAX_STRING_BYTES for s in played)
    assert played[1]["notes"].endswith("...")


def test_only_runs_become_workouts(walk_run_plan: Plan) -> None:
    strength = next(s for s in walk_run_plan.sessions if s.kind is Kind.STRENGTH)
    with pytest.raises(ValueError):
        fit.workout_file(strength, name="RTR no")
    assert fit.session_file(walk_run_plan, strength.uid) is None
    assert fit.session_file(walk_run_plan, "NOT-A-UID") is None
    run = runs_of(walk_run_plan)[1]
    name, data = fit.session_file(walk_run_plan, run.uid) or ("", b"")
    assert name == f"{run.date.isoformat()}-run-02.fit"
    assert data == zip_entries(fit.workouts_zip(walk_run_plan, today=TODAY))[name]


# -- README ---------------------------------------------------------------------------------------

def test_every_zip_says_how_to_copy_to_new_files(build_plan_km: Plan) -> None:
    readme = zip_entries(fit.workouts_zip(build_plan_km, today=TODAY))["README.txt"].decode("utf-8")
    assert "GARMIN/NewFiles" in readme
    assert f"{len(runs_of(build_plan_km))} run workouts" in readme


def test_settle_weeks_give_a_readme_only_zip(settle_plan: Plan) -> None:
    entries = zip_entries(fit.workouts_zip(settle_plan, today=TODAY))
    assert list(entries) == ["README.txt"]
    readme = entries["README.txt"].decode("utf-8")
    assert "no run workouts yet" in readme
    assert "GARMIN/NewFiles" in readme


def test_referral_gives_a_readme_only_zip() -> None:
    plan = make_plan(weekly_volume=20, current_pain=2, red_flags=("night_pain",))
    assert plan.status is not Status.PLAN and not plan.weeks
    entries = zip_entries(fit.workouts_zip(plan, today=TODAY))
    assert list(entries) == ["README.txt"]
    readme = entries["README.txt"].decode("utf-8")
    assert "referral" in readme
    assert plan.referral and plan.referral in readme


# -- rule 29: the disclaimer in every export ----------------------------------------------------------

def test_every_workout_file_carries_the_disclaimer(walk_run_plan: Plan) -> None:
    """In the workout message's wkt_description (FIT profile field 17), read back by both decoders."""
    entries = zip_entries(fit.workouts_zip(walk_run_plan, today=TODAY))
    for name in workout_names(entries):
        data = entries[name]
        (workout,) = garmin_decode(data)["workout_mesgs"]
        assert workout["wkt_description"] == DISCLAIMER, name
        (frame,) = [f for f in fitdecode_messages(data) if f.name == "workout"]
        assert frame.get_value("wkt_description") == DISCLAIMER
    assert len(DISCLAIMER.encode()) <= fit.MAX_STRING_BYTES  # whole, not cut


@pytest.mark.parametrize("plan_fixture", ["walk_run_plan", "settle_plan"])
def test_every_zip_readme_carries_the_disclaimer(plan_fixture: str, request: pytest.FixtureRequest) -> None:
    plan: Plan = request.getfixturevalue(plan_fixture)
    readme = zip_entries(fit.workouts_zip(plan, today=TODAY))["README.txt"].decode("utf-8")
    assert DISCLAIMER in readme
