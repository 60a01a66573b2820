"""A finished run's file (FIT, GPX or TCX) as numbers: time moving and running, distance, longest running
bout, climbing, cadence and time spent fast. Pure: it parses the bytes it is given and nothing else.

    activity = read_activity(data, "morning.fit", easy_pace_min_per_km=6.0)

The format is told by the content (FIT's `.FIT` at bytes 8-11; an XML root `gpx` or
`TrainingCenterDatabase`), never by the name. A file that can't be read as a run raises ActivityError,
a ValueError whose message says why in plain words (for a 422 on the field `file`).
"""

from __future__ import annotations

import math

from ._fit import is_fit, read_fit
from ._measure import Activity, Point, measure
from ._xml import localname, looks_like_xml, parse_xml, read_gpx, read_tcx
from .errors import ActivityError

__all__ = ["MAX_BYTES", "Activity", "ActivityError", "read_activity"]

MAX_BYTES = 10 * 1024 * 1024
KNOWN = "a FIT, GPX or TCX file"


def _points(data: bytes, filename: str | None) -> list[Point]:
    if is_fit(data):
        return read_fit(data)
    if looks_like_xml(data):
        root = parse_xml(data)
        name = localname(root)
        if name == "gpx":
            return read_gpx(root)
        if name == "TrainingCenterDatabase":
            return read_tcx(root)
        raise ActivityError(f"The file is XML but not GPX or TCX (its document is <{name[:40]}>); "
                            f"upload {KNOWN}.")
    suffix = (filename or "").rsplit(".", 1)[-1].lower() if filename and "." in filename else ""
    if suffix in ("fit", "gpx", "tcx"):
        raise ActivityError(f"The file is named like a {suffix.upper()} file but its content is not one; "
                            f"it may be damaged. Export it again and upload the new copy.")
    raise ActivityError(f"The file is not {KNOWN}, the formats running watches and apps export.")


def read_activity(data: bytes, filename: str | None = None, *,
                  easy_pace_min_per_km: float | None = None) -> Activity:
    """The numbers of the run in `data`; `filename` only helps word an error, never decides the format.

    `easy_pace_min_per_km`, the runner's easy pace, sets `fast_seconds`: time faster than 85% of it.
    """
    if len(data) > MAX_BYTES:
        raise ActivityError(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB; "
                            "a run's file is far smaller than that.")
    if not data:
        raise ActivityError("The file is empty.")
    if easy_pace_min_per_km is not None and not (math.isfinite(easy_pace_min_per_km) and easy_pace_min_per_km > 0):
        raise ValueError("easy_pace_min_per_km must be a positive number of minutes per kilometre")
    return measure(_points(bytes(data), filename), easy_pace_min_per_km=easy_pace_min_per_km)
