"""read_activity on real files: FIT written by Garmin's SDK, GPX (one of gpxpy's own real tracks and one
written by gpxpy), TCX written by lxml; and every way a file can be refused. The files are made by
make_files.py; damaged copies are made here."""

from __future__ import annotations

import dataclasses
import re
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import gpxpy
import pytest

from planner.activities import MAX_BYTES, Activity, ActivityError, read_activity
from planner.activities._measure import Point, measure
from planner.engine import Kind, PlanRequest, build_plan
from planner.exports import fit

from . import make_files

FILES = Path(__file__).resolve().parent / "files"
START = datetime(2026, 5, 4, 6, 30, tzinfo=UTC)
SAMPLES = ("walk_breaks.fit", "hilly.fit", "strides.fit", "low_cadence.fit", "run.gpx", "cerknicko-jezero.gpx",
           "walk_run.tcx")


def data(name: str) -> bytes:
    return (FILES / name).read_bytes()


def read(name: str, easy_pace: float | None = None) -> Activity:
    return read_activity(data(name), name, easy_pace_min_per_km=easy_pace)


def refused(payload: bytes, filename: str | None = None, *, says: str) -> str:
    with pytest.raises(ActivityError) as caught:
        read_activity(payload, filename)
    message = str(caught.value)
    assert re.search(says, message, re.IGNORECASE), message
    # Plain words for a person: a sentence, no exception names, tracebacks or byte dumps.
    assert message[0].isupper() and message.endswith("."), message
    assert not re.search(r"Traceback|Error\b|Exception|\\x[0-9a-f]{2}|b'", message), message
    assert caught.value.field == "file"
    assert isinstance(caught.value, ValueError)
    return message


# -- what the sample runs measure --------------------------------------------------------------------

def test_walk_breaks_fit() -> None:
    run = read("walk_breaks.fit")
    assert run.start == datetime(2026, 5, 4, 6, 30, tzinfo=UTC) and run.start.tzinfo is not None
    assert run.sport == "running"
    assert run.total_minutes == pytest.approx(30.0)
    assert run.moving_minutes == pytest.approx(30.0, abs=0.25)
    assert run.running_minutes == pytest.approx(24.0, abs=0.5)
    assert run.longest_bout_minutes == pytest.approx(4.0, abs=0.2)
    assert run.distance_km == pytest.approx(6 * (240 * 2.667 + 60 * 1.45) / 1000, rel=0.02)
    assert run.cadence_spm == pytest.approx(167, abs=2)  # running cadence only: the walks' 114 are left out
    assert run.ascent_m < 3 and run.climbing_seconds < 30
    assert run.fast_seconds == 0.0
    assert run.samples == 1801


def test_hilly_fit_climbs_about_120_m() -> None:
    run = read("hilly.fit")
    assert run.ascent_m == pytest.approx(120, rel=0.15)
    # Three 500 m climbs at 8%, run at about 2.4 m/s: some 625 s on the way up.
    assert run.climbing_seconds > 0
    assert run.climbing_seconds == pytest.approx(3 * 500 / 2.4, rel=0.2)
    assert run.running_minutes == pytest.approx(run.total_minutes, abs=0.1)
    assert run.longest_bout_minutes == pytest.approx(run.total_minutes, abs=0.1)


def test_strides_fit_are_fast_seconds() -> None:
    run = read("strides.fit", easy_pace=6.0)
    assert run.fast_seconds == pytest.approx(6 * 20, abs=12)
    assert run.running_minutes == pytest.approx(29.0, abs=0.1)
    assert read("strides.fit").fast_seconds == 0.0  # no easy pace given
    assert read("strides.fit", easy_pace=4.0).fast_seconds == 0.0  # strides are not fast for a 4:00/km runner
    assert read("walk_breaks.fit", easy_pace=6.0).fast_seconds == 0.0


def test_low_cadence_fit_doubles_the_per_leg_cadence() -> None:
    run = read("low_cadence.fit")
    assert run.cadence_spm == pytest.approx(150, abs=1.5)
    assert run.running_minutes == pytest.approx(20.0, abs=0.1)
    assert run.distance_km == pytest.approx(3.0, rel=0.01)


def test_gpx_written_by_gpxpy() -> None:
    run = read("run.gpx")
    assert run.start == datetime(2026, 5, 4, 6, 30, tzinfo=UTC)
    assert run.total_minutes == pytest.approx(20.0)
    assert run.moving_minutes == pytest.approx(20.0, abs=0.25)
    assert run.running_minutes == pytest.approx(18.0, abs=0.5)
    assert run.longest_bout_minutes == pytest.approx(9.0, abs=0.3)
    assert run.distance_km == pytest.approx((2 * 540 * 2.7 + 120 * 1.4) / 1000, rel=0.03)  # from positions
    assert run.cadence_spm == pytest.approx(168, abs=2)  # gpxtpx:cad is per leg too
    assert run.samples == 401


def test_real_gpx_track_from_gpxpy() -> None:
    """A real GPS track (GPX 1.0, GPSBabel): a two-hour outing around a lake with long stops."""
    run = read("cerknicko-jezero.gpx")
    gpx = gpxpy.parse((FILES / "cerknicko-jezero.gpx").read_text(encoding="utf-8"))
    bounds = gpx.get_time_bounds()
    assert bounds.start_time is not None and bounds.end_time is not None
    assert run.start == bounds.start_time.astimezone(UTC) == datetime(2010, 8, 5, 14, 23, 59, tzinfo=UTC)
    assert run.total_minutes == pytest.approx((bounds.end_time - bounds.start_time).total_seconds() / 60)
    assert run.distance_km == pytest.approx(gpx.length_2d() / 1000, rel=0.01)
    assert run.samples == gpx.get_track_points_no()
    assert 0 < run.running_minutes < run.moving_minutes < run.total_minutes
    assert run.longest_bout_minutes <= run.running_minutes
    assert 150 < run.ascent_m < gpx.get_uphill_downhill().uphill * 1.05  # smoothing takes GPS noise away
    assert run.cadence_spm is None


def test_tcx_written_by_lxml() -> None:
    run = read("walk_run.tcx")
    assert run.start == datetime(2026, 5, 4, 6, 30, tzinfo=UTC)
    assert run.total_minutes == pytest.approx(20.0)
    assert run.moving_minutes == pytest.approx(20.0, abs=0.25)
    assert run.running_minutes == pytest.approx(15.0, abs=0.5)
    assert run.longest_bout_minutes == pytest.approx(3.0, abs=0.2)
    assert run.distance_km == pytest.approx((5 * (180 * 2.778 + 60 * 1.4)) / 1000, rel=0.02)
    assert run.cadence_spm == pytest.approx(168, abs=2)  # RunCadence is per leg
    assert run.samples == 401


def test_the_content_decides_the_format_not_the_name() -> None:
    for name in SAMPLES:
        assert read_activity(data(name), "misnamed.txt") == read_activity(data(name)) == read(name)


def test_reading_is_deterministic() -> None:
    assert read("walk_breaks.fit") == read("walk_breaks.fit")


@pytest.mark.parametrize("name", SAMPLES)
def test_parse_time(name: str) -> None:
    payload = data(name)
    started = time.perf_counter()
    run = read_activity(payload, name, easy_pace_min_per_km=6.0)
    elapsed = time.perf_counter() - started
    print(f"\n{name}: {len(payload) / 1024:.0f} KiB, {run.samples} points, parsed in {elapsed * 1000:.1f} ms: "
          + ", ".join(f"{k}={v:.2f}" if isinstance(v, float) else f"{k}={v}"
                      for k, v in dataclasses.asdict(run).items()))


# -- other sports are refused --------------------------------------------------------------------------

def test_cycling_fit_is_refused() -> None:
    refused(data("cycling.fit"), "ride.fit", says=r"cycling activity, not a run")


def test_walking_fit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "walk.fit"
    make_files.write_fit(path, make_files.simulate(60, lambda _t, _d: (1.4, 55.0), seed=9), sport="walking",
                         serial=9)
    refused(path.read_bytes(), says=r"walking activity, not a run")


def test_generic_fit_is_read_as_the_run_it_was_uploaded_as(tmp_path: Path) -> None:
    path = tmp_path / "generic.fit"
    make_files.write_fit(path, make_files.simulate(60, lambda _t, _d: (2.8, 84.0), seed=9), sport="generic",
                         serial=9)
    assert read_activity(path.read_bytes()).running_minutes == pytest.approx(1.0, abs=0.05)


def test_a_planned_workout_from_this_app_is_not_a_run() -> None:
    plan = build_plan(PlanRequest(start_date=date(2026, 11, 30), weekly_volume=20, current_pain=2),
                      today=date(2026, 11, 25), seed="activities")
    session = next(s for s in plan.sessions if s.kind is Kind.RUN)
    refused(fit.workout_file(session, name="RTR"), "run.fit", says=r"workout file, not a recorded activity")


def test_biking_tcx_is_refused() -> None:
    payload = data("walk_run.tcx").replace(b'Sport="Running"', b'Sport="Biking"')
    refused(payload, says=r"Biking activity, not a run")


@pytest.mark.parametrize("kind", ["cycling", "Ride", "VirtualRide", "biking", "walking"])
def test_gpx_of_another_sport_is_refused(kind: str) -> None:
    payload = data("run.gpx").replace(b"<type>running</type>", f"<type>{kind}</type>".encode())
    refused(payload, says=rf"{kind} activity, not a run")


@pytest.mark.parametrize("kind", ["Run", "trail_running", "TrailRun", "9", "jkljkl"])
def test_gpx_types_that_are_runs_or_say_nothing_are_read(kind: str) -> None:
    payload = data("run.gpx").replace(b"<type>running</type>", f"<type>{kind}</type>".encode())
    assert read_activity(payload).running_minutes == pytest.approx(18.0, abs=0.5)


# -- damaged and foreign files -------------------------------------------------------------------------

def test_fit_cut_in_half_is_refused() -> None:
    payload = data("walk_breaks.fit")
    refused(payload[: len(payload) // 2], "run.fit", says=r"damaged or incomplete")


def test_fit_with_a_flipped_byte_fails_its_crc() -> None:
    payload = bytearray(data("strides.fit"))
    payload[len(payload) // 2] ^= 0xFF
    refused(bytes(payload), says=r"checksum does not match")


def test_fit_with_a_damaged_header_is_refused() -> None:
    payload = bytearray(data("strides.fit"))
    payload[4] ^= 0x01  # the data size, covered by the header's CRC
    refused(bytes(payload), says=r"damaged")


def test_fit_cut_inside_the_header_is_not_recognised() -> None:
    refused(data("strides.fit")[:10], "run.fit", says=r"named like a FIT file but its content is not one")


@pytest.mark.parametrize("name", ["run.gpx", "cerknicko-jezero.gpx", "walk_run.tcx"])
def test_xml_cut_midway_is_refused(name: str) -> None:
    payload = data(name)
    refused(payload[: len(payload) // 2], name, says=r"not complete, well-formed XML")


@pytest.mark.parametrize(("payload", "says"), [
    (b"", r"empty"),
    (b"hello, this is a note about my run", r"not a FIT, GPX or TCX file"),
    (b"\x89PNG\r\n\x1a\n" + bytes(64), r"not a FIT, GPX or TCX file"),
    (b"lat,lon,time\n51.4,-2.5,2026-05-04T06:30:00Z\n", r"not a FIT, GPX or TCX file"),
    (b"<html><body>Activity</body></html>", r"XML but not GPX or TCX"),
    (b"<?xml version='1.0'?><kml xmlns='http://www.opengis.net/kml/2.2'/>", r"XML but not GPX or TCX"),
])
def test_foreign_content_is_refused(payload: bytes, says: str) -> None:
    refused(payload, "upload.bin", says=says)


def test_an_entity_declaring_xml_is_refused_unread() -> None:
    payload = (b'<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
               b'<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1"><trk><name>&secret;</name>'
               b"</trk></gpx>")
    refused(payload, "run.gpx", says=r"declares a DTD")


def test_gpx_without_times_is_refused() -> None:
    payload = re.sub(rb"<time>[^<]*</time>", b"", data("run.gpx"))
    refused(payload, says=r"fewer than two points with a time")


def test_gpx_with_one_timed_point_is_refused() -> None:
    payload = re.sub(rb"<time>(?!2026-05-04T06:30:00Z)[^<]*</time>", b"", data("run.gpx"))
    refused(payload, says=r"fewer than two points with a time")


def test_tcx_without_trackpoints_is_refused() -> None:
    payload = re.sub(rb"<Track>.*</Track>", b"<Track/>", data("walk_run.tcx"), flags=re.DOTALL)
    refused(payload, says=r"fewer than two points with a time")


def test_fit_without_records_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "one.fit"
    make_files.write_fit(path, make_files.simulate(0, lambda _t, _d: (2.8, 84.0), seed=9), sport="running",
                         serial=9)
    refused(path.read_bytes(), says=r"fewer than two points with a time")


def ten_mb_tcx() -> bytes:
    """walk_run.tcx grown to exactly 10 MiB by repeating its first trackpoint (same time: counted once)."""
    tcx = data("walk_run.tcx")
    first = re.search(rb"<Trackpoint>.*?</Trackpoint>\s*", tcx, re.DOTALL)
    assert first is not None
    at = first.start()
    grown = tcx[:at] + first.group(0) * ((MAX_BYTES - len(tcx)) // len(first.group(0))) + tcx[at:]
    end = b"</TrainingCenterDatabase>"
    return grown.replace(end, b" " * (MAX_BYTES - len(grown)) + end)


def test_more_than_10_mb_is_refused_before_it_is_parsed() -> None:
    ten = ten_mb_tcx()
    assert len(ten) == MAX_BYTES
    refused(ten + b" ", "run.tcx", says=r"larger than 10 MB")
    refused(bytes(MAX_BYTES + 1), says=r"larger than 10 MB")
    started = time.perf_counter()
    assert read_activity(ten) == read("walk_run.tcx")  # exactly 10 MiB is read
    print(f"\n10 MiB TCX parsed in {(time.perf_counter() - started) * 1000:.0f} ms")


def test_an_easy_pace_must_be_a_positive_number() -> None:
    for pace in (0.0, -5.0, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="easy_pace_min_per_km") as caught:
            read_activity(data("strides.fit"), easy_pace_min_per_km=pace)
        assert not isinstance(caught.value, ActivityError)


# -- the rules on their own -----------------------------------------------------------------------------

def test_without_speed_or_distance_cadence_tells_running_from_walking() -> None:
    """A treadmill TCX: times and RunCadence only (168 steps/min running, 112 walking)."""
    payload = re.sub(rb"<Position>.*?</Position>|<DistanceMeters>[^<]*</DistanceMeters>", b"",
                     data("walk_run.tcx"), flags=re.DOTALL)
    run = read_activity(payload)
    assert run.distance_km == 0.0
    assert run.moving_minutes == pytest.approx(20.0, abs=0.1)
    assert run.running_minutes == pytest.approx(15.0, abs=0.5)
    assert run.longest_bout_minutes == pytest.approx(3.0, abs=0.2)


@pytest.mark.parametrize(("dip_seconds", "longest_seconds"), [(8, 100 + 8 + 100), (20, 100)])
def test_short_dips_do_not_break_a_bout(dip_seconds: int, longest_seconds: int) -> None:
    speeds = [2.8] * 100 + [1.2] * dip_seconds + [2.8] * 100
    points = [Point(time=START + timedelta(seconds=t), speed_mps=v) for t, v in enumerate([2.8, *speeds])]
    run = measure(points)
    assert run.longest_bout_minutes * 60 == pytest.approx(longest_seconds)
    assert run.running_minutes * 60 == pytest.approx(200)
    assert run.distance_km * 1000 == pytest.approx(sum(speeds))  # speed × time, with no distance or position


def test_a_pause_with_no_distance_covered_is_not_moving() -> None:
    """Auto-pause: 5 min with no record, at the same distance; then running again."""
    times = [*range(0, 61), *range(360, 421)]
    points = [Point(time=START + timedelta(seconds=t), distance_m=2.8 * min(t, 60) + 2.8 * max(0, t - 360),
                    speed_mps=2.8) for t in times]
    run = measure(points)
    assert run.total_minutes == pytest.approx(7.0)
    assert run.moving_minutes == pytest.approx(2.0)
    assert run.longest_bout_minutes == pytest.approx(1.0)
