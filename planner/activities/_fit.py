"""FIT activity files, decoded by Garmin's own SDK (garmin-fit-sdk)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from garmin_fit_sdk import Decoder, Stream

from ._measure import Point
from .errors import ActivityError
from .sports import refuse_unless_running

SEMICIRCLE_DEG = 180 / 2**31


def is_fit(data: bytes) -> bool:
    return len(data) >= 12 and data[8:12] == b".FIT"


def _number(record: Mapping[str, object], *names: str) -> float | None:
    for name in names:
        value = record.get(name)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
    return None


def _cadence(record: Mapping[str, object]) -> float | None:
    """Steps per minute: FIT counts one leg (strides/min) in `cadence`, with `fractional_cadence` beside it."""
    whole = _number(record, "cadence")
    if whole is None:
        return None
    return (whole + (_number(record, "fractional_cadence") or 0.0)) * 2


def read_fit(data: bytes) -> list[Point]:
    # The SDK's integrity check moves the stream, so it gets a stream of its own.
    if not Decoder(Stream.from_byte_array(bytearray(data))).is_fit():
        raise ActivityError("The file starts like a FIT file but its header is damaged.")
    if not Decoder(Stream.from_byte_array(bytearray(data))).check_integrity():
        raise ActivityError("The FIT file is damaged or incomplete (its checksum does not match). "
                            "Export it again from your watch or app and upload the new copy.")
    try:
        messages, errors = Decoder(Stream.from_byte_array(bytearray(data))).read()
    except Exception as error:  # the SDK raises bare exceptions on bad content
        raise ActivityError("The FIT file could not be decoded.") from error
    if errors:
        raise ActivityError("The FIT file could not be decoded: part of it is damaged.")

    for file_id in messages.get("file_id_mesgs", []):
        kind = file_id.get("type")
        if kind is not None and kind != "activity":
            raise ActivityError(f"This FIT file is a {str(kind).replace('_', ' ')} file, not a recorded activity; "
                                "upload the file your watch saved after the run.")
    for sport in messages.get("sport_mesgs", []):
        refuse_unless_running(sport.get("sport"), "the file's sport", strict=True)
    for session in messages.get("session_mesgs", []):
        refuse_unless_running(session.get("sport"), "the file's session", strict=True)

    points: list[Point] = []
    for record in messages.get("record_mesgs", []):
        time = record.get("timestamp")
        if not isinstance(time, datetime):
            continue
        lat, lon = _number(record, "position_lat"), _number(record, "position_long")
        points.append(Point(
            time=time.astimezone(UTC),
            distance_m=_number(record, "distance"),
            speed_mps=_number(record, "enhanced_speed", "speed"),
            altitude_m=_number(record, "enhanced_altitude", "altitude"),
            cadence_spm=_cadence(record),
            lat=lat * SEMICIRCLE_DEG if lat is not None else None,
            lon=lon * SEMICIRCLE_DEG if lon is not None else None,
        ))
    return points
