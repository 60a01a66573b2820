"""Writes the sample activity files in tests/activities/files/, deterministically (fixed seeds, fixed dates).

    .venv/bin/python tests/activities/make_files.py

FIT files are written with Garmin's own SDK (garmin-fit-sdk's Encoder), the GPX run with gpxpy and the TCX
run with lxml. Each run is simulated second by second: the speed follows its target with a lag of a few
seconds, as a runner's does, with a little noise on speed, altitude and position.
cerknicko-jezero.gpx is not made here: it is a real track copied from gpxpy's source distribution (README.md).
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import gpxpy.gpx
from garmin_fit_sdk import Encoder, Profile
from lxml import etree  # type: ignore[import-untyped]

FILES = Path(__file__).resolve().parent / "files"
START = datetime(2026, 5, 4, 6, 30, tzinfo=UTC)
LAT0, LON0 = 51.4545, -2.5879  # a park; the runs head north-east in a straight line
METRES_PER_DEG_LAT = 111_195.0
MESG = Profile["mesg_num"]


@dataclass
class Second:
    t: int
    distance: float  # m, cumulative
    speed: float  # m/s
    altitude: float  # m
    cadence: float  # per leg (strides/min), as FIT and TCX record it
    lat: float
    lon: float


def position(distance: float, rng: random.Random, noise_m: float) -> tuple[float, float]:
    along = distance / math.sqrt(2)
    north = along + rng.gauss(0, noise_m)
    east = along + rng.gauss(0, noise_m)
    return (LAT0 + north / METRES_PER_DEG_LAT,
            LON0 + east / (METRES_PER_DEG_LAT * math.cos(math.radians(LAT0))))


def simulate(seconds: int, target: Callable[[int, float], tuple[float, float]], *, seed: int,
             altitude: Callable[[float], float] = lambda _d: 50.0, lag: float = 0.5,
             position_noise_m: float = 0.0) -> list[Second]:
    """`target(t, distance)` gives (speed m/s, cadence per leg) to aim for; the runner gets there with a lag."""
    rng = random.Random(seed)
    speed, cadence = target(0, 0.0)
    distance = 0.0
    out: list[Second] = []
    for t in range(seconds + 1):
        aim_speed, aim_cadence = target(t, distance)
        speed += (aim_speed - speed) * lag
        cadence += (aim_cadence - cadence) * lag
        if t:
            distance += speed
        recorded_speed = max(0.0, speed + rng.gauss(0, 0.05))
        lat, lon = position(distance, rng, position_noise_m)
        out.append(Second(t, distance, recorded_speed, altitude(distance) + rng.gauss(0, 0.25),
                          max(0.0, cadence + rng.gauss(0, 0.3)), lat, lon))
    return out


# -- the runs ---------------------------------------------------------------------------------------

def walk_breaks(t: int, _d: float) -> tuple[float, float]:
    """6 × (4 min running at 6:15/km, 1 min walking): 24 min running in 30."""
    return (2.667, 83.5) if t % 300 < 240 else (1.45, 57.0)


HILL_START, CLIMB, TOP, DESCENT, VALLEY = 800.0, 500.0, 200.0, 500.0, 300.0
HILLS = 3
RISE = 40.0  # m per hill: 3 × 40 = 120 m of climbing, at 8%


def hill_altitude(d: float) -> float:
    base = 50.0
    x = d - HILL_START
    period = CLIMB + TOP + DESCENT + VALLEY
    if x <= 0 or x >= HILLS * period:
        return base
    x %= period
    if x < CLIMB:
        return base + RISE * x / CLIMB
    if x < CLIMB + TOP:
        return base + RISE
    if x < CLIMB + TOP + DESCENT:
        return base + RISE * (1 - (x - CLIMB - TOP) / DESCENT)
    return base


def hilly(_t: int, d: float) -> tuple[float, float]:
    grade = (hill_altitude(d + 5) - hill_altitude(d - 5)) / 10
    return 2.8 - 5 * grade, 84.0 - 10 * grade


def strides(t: int, _d: float) -> tuple[float, float]:
    """15 min easy at 6:00/km, 6 × (20 s strides at 3:50/km, 70 s easy jog), 5 min easy."""
    x = t - 900
    if 0 <= x < 6 * 90:
        return (4.35, 95.0) if x % 90 < 20 else (2.6, 82.0)
    return 2.778, 83.0


def low_cadence(t: int, _d: float) -> tuple[float, float]:
    """20 min at 6:40/km on short, slow steps: 150 steps/min (75 per leg)."""
    return 2.5, 75.0


def cycling(_t: int, _d: float) -> tuple[float, float]:
    return 7.0, 85.0


# -- FIT ----------------------------------------------------------------------------------------------

def write_fit(path: Path, samples: list[Second], *, sport: str, serial: int) -> None:
    end = START + timedelta(seconds=samples[-1].t)
    seconds = float(samples[-1].t)
    distance = samples[-1].distance
    encoder = Encoder()
    encoder.write_mesg({"mesg_num": MESG["FILE_ID"], "type": "activity", "manufacturer": "development",
                        "product": 1, "serial_number": serial, "time_created": START})
    encoder.write_mesg({"mesg_num": MESG["DEVICE_INFO"], "timestamp": START, "device_index": "creator",
                        "manufacturer": "development", "product": 1, "serial_number": serial,
                        "software_version": 1.0})
    encoder.write_mesg({"mesg_num": MESG["EVENT"], "timestamp": START, "event": "timer",
                        "event_type": "start", "timer_trigger": "manual"})
    semicircles = 2**31 / 180
    for s in samples:
        cadence = round(s.cadence * 128) / 128
        encoder.write_mesg({
            "mesg_num": MESG["RECORD"],
            "timestamp": START + timedelta(seconds=s.t),
            "position_lat": round(s.lat * semicircles),
            "position_long": round(s.lon * semicircles),
            "distance": s.distance,
            "enhanced_speed": s.speed,
            "enhanced_altitude": s.altitude,
            "cadence": int(cadence),
            "fractional_cadence": cadence - int(cadence),
        })
    encoder.write_mesg({"mesg_num": MESG["EVENT"], "timestamp": end, "event": "timer",
                        "event_type": "stop_all", "timer_trigger": "manual"})
    summary = {"timestamp": end, "start_time": START, "total_elapsed_time": seconds,
               "total_timer_time": seconds, "total_distance": distance, "sport": sport, "sub_sport": "generic"}
    encoder.write_mesg({"mesg_num": MESG["LAP"], "message_index": 0, "event": "lap", "event_type": "stop",
                        **summary})
    encoder.write_mesg({"mesg_num": MESG["SESSION"], "message_index": 0, "event": "session",
                        "event_type": "stop", "first_lap_index": 0, "num_laps": 1, **summary})
    encoder.write_mesg({"mesg_num": MESG["ACTIVITY"], "timestamp": end, "total_timer_time": seconds,
                        "num_sessions": 1, "type": "manual", "event": "activity", "event_type": "stop"})
    path.write_bytes(encoder.close())


# -- GPX and TCX --------------------------------------------------------------------------------------

GPXTPX = "http://www.garmin.com/xmlschemas/TrackPointExtension/v1"


def gpx_run(t: int, _d: float) -> tuple[float, float]:
    """9 min running at 6:10/km, 2 min walking, 9 min running."""
    return (1.4, 56.0) if 540 <= t < 660 else (2.7, 84.0)


def write_gpx(path: Path, samples: list[Second], every: int) -> None:
    gpx = gpxpy.gpx.GPX()
    gpx.creator = "tests/activities/make_files.py"
    gpx.nsmap["gpxtpx"] = GPXTPX
    track = gpxpy.gpx.GPXTrack(name="Morning run")
    track.type = "running"  # type: ignore[assignment]  # gpxpy annotates it as None
    segment = gpxpy.gpx.GPXTrackSegment()
    for s in samples[::every]:
        point = gpxpy.gpx.GPXTrackPoint(round(s.lat, 7), round(s.lon, 7), elevation=round(s.altitude, 1),
                                        time=START + timedelta(seconds=s.t))
        extension = etree.Element(f"{{{GPXTPX}}}TrackPointExtension")
        etree.SubElement(extension, f"{{{GPXTPX}}}cad").text = str(round(s.cadence))
        point.extensions.append(extension)
        segment.points.append(point)
    track.segments.append(segment)
    gpx.tracks.append(track)
    path.write_text(gpx.to_xml(version="1.1"), encoding="utf-8")


TCX = "http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"
TPX = "http://www.garmin.com/xmlschemas/ActivityExtension/v2"


def tcx_run(t: int, _d: float) -> tuple[float, float]:
    """5 × (3 min running at 6:00/km, 1 min walking)."""
    return (2.778, 84.0) if t % 240 < 180 else (1.4, 56.0)


def write_tcx(path: Path, samples: list[Second], every: int) -> None:
    def sub(parent: etree._Element, tag: str, text: str | None = None, ns: str = TCX) -> etree._Element:
        element = etree.SubElement(parent, f"{{{ns}}}{tag}")
        if text is not None:
            element.text = text
        return element

    def stamp(t: int) -> str:
        return (START + timedelta(seconds=t)).strftime("%Y-%m-%dT%H:%M:%S.000Z")

    root = etree.Element(f"{{{TCX}}}TrainingCenterDatabase", nsmap={None: TCX, "ns3": TPX})
    activity = sub(sub(root, "Activities"), "Activity")
    activity.set("Sport", "Running")
    sub(activity, "Id", stamp(0))
    lap = sub(activity, "Lap")
    lap.set("StartTime", stamp(0))
    sub(lap, "TotalTimeSeconds", f"{samples[-1].t:.1f}")
    sub(lap, "DistanceMeters", f"{samples[-1].distance:.1f}")
    sub(lap, "Calories", "250")
    sub(lap, "Intensity", "Active")
    sub(lap, "TriggerMethod", "Manual")
    track = sub(lap, "Track")
    for s in samples[::every]:
        point = sub(track, "Trackpoint")
        sub(point, "Time", stamp(s.t))
        where = sub(point, "Position")
        sub(where, "LatitudeDegrees", f"{s.lat:.7f}")
        sub(where, "LongitudeDegrees", f"{s.lon:.7f}")
        sub(point, "AltitudeMeters", f"{s.altitude:.1f}")
        sub(point, "DistanceMeters", f"{s.distance:.1f}")
        sub(sub(sub(point, "Extensions"), "TPX", ns=TPX), "RunCadence", str(round(s.cadence)), ns=TPX)
    creator = sub(activity, "Creator")
    creator.set("{http://www.w3.org/2001/XMLSchema-instance}type", "Device_t")
    sub(creator, "Name", "tests/activities/make_files.py")
    path.write_bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def files() -> Iterator[tuple[str, Callable[[Path], None]]]:
    yield "walk_breaks.fit", lambda p: write_fit(p, simulate(1800, walk_breaks, seed=1), sport="running",
                                                 serial=1001)
    yield "hilly.fit", lambda p: write_fit(
        p, simulate(2150, hilly, seed=2, altitude=hill_altitude), sport="running", serial=1002)
    yield "strides.fit", lambda p: write_fit(p, simulate(1740, strides, seed=3), sport="running", serial=1003)
    yield "low_cadence.fit", lambda p: write_fit(p, simulate(1200, low_cadence, seed=4), sport="running",
                                                 serial=1004)
    yield "cycling.fit", lambda p: write_fit(p, simulate(1200, cycling, seed=5), sport="cycling", serial=1005)
    yield "run.gpx", lambda p: write_gpx(p, simulate(1200, gpx_run, seed=6, position_noise_m=1.0), every=3)
    yield "walk_run.tcx", lambda p: write_tcx(p, simulate(1200, tcx_run, seed=7, position_noise_m=1.0), every=3)


def main() -> None:
    FILES.mkdir(exist_ok=True)
    for name, write in files():
        write(FILES / name)
        print(f"{name}: {(FILES / name).stat().st_size} bytes")


if __name__ == "__main__":
    main()
