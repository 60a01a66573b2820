"""From timed points to an Activity: the numbers, whatever the file's format.

Every figure is a sum over the intervals between consecutive points, each interval judged by its speed:
the device's own speed at the interval's end where the file records one, otherwise the distance covered
around it over the time taken. Nothing here reads a clock or a file.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import UTC, datetime

from .errors import ActivityError

MOVING_SPEED = 0.5  # m/s: slower than this is standing still
RUNNING_SPEED = 1.9  # m/s: about 8:45/km; slower than this is walking
RUNNING_CADENCE = 140.0  # steps/min: running when the file has no speed at all
BOUT_BRIDGE_S = 15.0  # a dip out of running shorter than this does not end a bout
ALTITUDE_WINDOW_S = 30.0  # altitude is averaged over this many seconds, centred
ASCENT_HYSTERESIS_M = 2.0  # rises smaller than this, after smoothing, are noise
GRADE_SPAN_M = 30.0  # grade is measured over this much distance, centred ...
GRADE_MIN_SPAN_M = 20.0  # ... and not at all over less
CLIMBING_GRADE = 0.04  # steeper than 4% is climbing
SPEED_WINDOW_S = 4.0  # speed derived from distance looks this far either side of the interval
LONG_INTERVAL_S = 10.0  # past this, an interval's speed is its own distance over its own time
EARTH_RADIUS_M = 6371008.8


@dataclass(frozen=True)
class Point:
    """One timed sample as a file gives it; cadence already in steps per minute (both legs)."""

    time: datetime
    distance_m: float | None = None  # cumulative, as the device measured it
    speed_mps: float | None = None
    altitude_m: float | None = None
    cadence_spm: float | None = None
    lat: float | None = None
    lon: float | None = None
    segment: int = 0  # GPX track segments: no distance is counted across a break between two


@dataclass(frozen=True)
class Activity:
    start: datetime  # aware, UTC
    sport: str  # always "running": other sports are refused
    total_minutes: float  # first to last timestamp
    moving_minutes: float  # speed above 0.5 m/s (or cadence above 0 where there is no speed)
    running_minutes: float  # speed at least 1.9 m/s (or cadence at least 140 steps/min where there is no speed)
    distance_km: float
    longest_bout_minutes: float  # longest running stretch; dips shorter than 15 s do not break it
    ascent_m: float  # elevation gain of the altitude averaged over 30 s, rises under 2 m ignored
    climbing_seconds: float  # moving on grades above 4%, grade over 30 m of distance
    cadence_spm: float | None  # average running cadence, steps per minute
    fast_seconds: float  # faster than 85% of the easy pace (0.0 without one)
    samples: int  # timed points read (one per distinct timestamp)


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def _timed(points: list[Point]) -> list[Point]:
    """In time order, one point per timestamp (the first one given)."""
    ordered = sorted(points, key=lambda p: p.time)  # stable: the file's order among equal times
    kept: list[Point] = []
    for point in ordered:
        if not kept or point.time > kept[-1].time:
            kept.append(point)
    return kept


def _distances(points: list[Point]) -> list[float] | None:
    """Cumulative metres from the start: the device's own distance, else positions, else speed × time."""
    if sum(p.distance_m is not None for p in points) * 2 >= len(points):
        out: list[float] = []
        last = next(p.distance_m for p in points if p.distance_m is not None)
        assert last is not None
        for p in points:
            if p.distance_m is not None and p.distance_m > last:
                last = p.distance_m
            out.append(last)
        return [d - out[0] for d in out]
    if sum(p.lat is not None and p.lon is not None for p in points) * 2 >= len(points):
        out = [0.0]
        previous: Point | None = points[0] if points[0].lat is not None and points[0].lon is not None else None
        for p in points[1:]:
            step = 0.0
            if p.lat is not None and p.lon is not None:
                if previous is not None and previous.lat is not None and previous.lon is not None \
                        and previous.segment == p.segment:
                    step = haversine_m(previous.lat, previous.lon, p.lat, p.lon)
                previous = p
            out.append(out[-1] + step)
        return out
    if any(p.speed_mps is not None for p in points):
        out = [0.0]
        for a, b in zip(points, points[1:], strict=False):
            dt = (b.time - a.time).total_seconds()
            out.append(out[-1] + (b.speed_mps or 0.0) * dt)
        return out
    return None


def _speeds(t: list[float], d: list[float] | None, points: list[Point]) -> list[float | None]:
    """Speed over each interval (len(t) - 1 of them), None where the file gives no way to tell."""
    speeds: list[float | None] = []
    for i in range(len(t) - 1):
        dt = t[i + 1] - t[i]
        recorded = points[i + 1].speed_mps
        if dt > LONG_INTERVAL_S:
            # A pause, or sparse recording: the distance actually covered says how fast it went.
            speeds.append((d[i + 1] - d[i]) / dt if d is not None else recorded)
        elif recorded is not None:
            speeds.append(recorded)
        elif d is not None:
            a = max(bisect_left(t, t[i] - SPEED_WINDOW_S), 0)
            b = min(bisect_right(t, t[i + 1] + SPEED_WINDOW_S) - 1, len(t) - 1)
            while points[a].segment != points[i].segment:
                a += 1
            while points[b].segment != points[i + 1].segment:
                b -= 1
            speeds.append((d[b] - d[a]) / (t[b] - t[a]) if t[b] > t[a] else 0.0)
        else:
            speeds.append(None)
    return speeds


def _smoothed_altitude(t: list[float], points: list[Point]) -> tuple[list[int], list[float]]:
    """Indexes of the points with an altitude, and their altitude averaged over a centred time window."""
    index = [i for i, p in enumerate(points) if p.altitude_m is not None]
    times = [t[i] for i in index]
    sums = [0.0]
    for i in index:
        altitude = points[i].altitude_m
        assert altitude is not None
        sums.append(sums[-1] + altitude)
    half = ALTITUDE_WINDOW_S / 2
    smooth: list[float] = []
    for k, time in enumerate(times):
        a = bisect_left(times, time - half)
        b = bisect_right(times, time + half)
        if b <= a:  # pragma: no cover - the point itself is always inside its window
            a, b = k, k + 1
        smooth.append((sums[b] - sums[a]) / (b - a))
    return index, smooth


def _ascent(smooth: list[float]) -> float:
    gain = 0.0
    if not smooth:
        return gain
    reference = smooth[0]
    for altitude in smooth[1:]:
        if altitude - reference >= ASCENT_HYSTERESIS_M:
            gain += altitude - reference
            reference = altitude
        elif reference - altitude >= ASCENT_HYSTERESIS_M:
            reference = altitude
    return gain


def _grades(d: list[float], index: list[int], smooth: list[float], count: int) -> list[float | None]:
    """Grade at the middle of each interval, from the smoothed altitude over about 30 m of distance."""
    along = [d[i] for i in index]
    grades: list[float | None] = []
    half = GRADE_SPAN_M / 2
    for i in range(count):
        middle = (d[i] + d[i + 1]) / 2
        a = max(bisect_right(along, middle - half) - 1, 0)
        b = min(bisect_left(along, middle + half), len(along) - 1)
        run = along[b] - along[a] if along else 0.0
        grades.append((smooth[b] - smooth[a]) / run if run >= GRADE_MIN_SPAN_M else None)
    return grades


def measure(points: list[Point], *, easy_pace_min_per_km: float | None = None) -> Activity:
    timed = _timed(points)
    if len(timed) < 2:
        raise ActivityError("The file has fewer than two points with a time, so there is no run to measure.")
    start = timed[0].time
    t = [(p.time - start).total_seconds() for p in timed]
    d = _distances(timed)
    speeds = _speeds(t, d, timed)
    fast_speed = 1000 / (easy_pace_min_per_km * 0.85 * 60) if easy_pace_min_per_km else math.inf

    index, smooth = _smoothed_altitude(t, timed)
    grades = _grades(d, index, smooth, len(t) - 1) if d is not None and len(index) >= 2 else [None] * (len(t) - 1)

    moving = running = fast = climbing = 0.0
    cadence_time = cadence_sum = 0.0
    longest = bout = gap = 0.0
    for i, speed in enumerate(speeds):
        dt = t[i + 1] - t[i]
        cadence = timed[i + 1].cadence_spm
        if speed is not None:
            is_moving, is_running = speed > MOVING_SPEED, speed >= RUNNING_SPEED
        else:
            is_moving = cadence is not None and cadence > 0
            is_running = cadence is not None and cadence >= RUNNING_CADENCE
        if is_moving:
            moving += dt
            grade = grades[i]
            if grade is not None and grade > CLIMBING_GRADE:
                climbing += dt
        if speed is not None and speed > fast_speed:
            fast += dt
        if is_running:
            running += dt
            if cadence is not None and cadence > 0:
                cadence_time += dt
                cadence_sum += cadence * dt
            bout = (bout + gap + dt) if bout else dt
            gap = 0.0
            longest = max(longest, bout)
        elif bout:
            gap += dt
            if gap >= BOUT_BRIDGE_S:
                bout = gap = 0.0

    return Activity(
        start=start.astimezone(UTC),
        sport="running",
        total_minutes=t[-1] / 60,
        moving_minutes=moving / 60,
        running_minutes=running / 60,
        distance_km=(d[-1] / 1000) if d is not None else 0.0,
        longest_bout_minutes=longest / 60,
        ascent_m=_ascent(smooth),
        climbing_seconds=climbing,
        cadence_spm=(cadence_sum / cadence_time) if cadence_time else None,
        fast_seconds=fast if easy_pace_min_per_km else 0.0,
        samples=len(timed),
    )
