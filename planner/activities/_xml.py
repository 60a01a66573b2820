"""GPX (through gpxpy) and TCX (through lxml), both first parsed by lxml with a parser that fetches
nothing and expands no entity; a document that declares a DTD is refused, as neither format uses one."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import gpxpy
import gpxpy.gpx
from lxml import etree  # type: ignore[import-untyped]

from ._measure import Point
from .errors import ActivityError
from .sports import refuse_unless_running

TCX_NS = "http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"
TPX_NS = "http://www.garmin.com/xmlschemas/ActivityExtension/v2"
UTF8_BOM = b"\xef\xbb\xbf"


def looks_like_xml(data: bytes) -> bool:
    head = data[:64]
    if head.startswith(UTF8_BOM):
        head = head[len(UTF8_BOM):]
    return head.lstrip(b" \t\r\n").startswith(b"<") or head.startswith((b"\xff\xfe", b"\xfe\xff"))


def parse_xml(data: bytes) -> etree._Element:
    if data.startswith(UTF8_BOM):
        data = data[len(UTF8_BOM):]
    if not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        data = data.lstrip(b" \t\r\n")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                             huge_tree=False, remove_comments=True, remove_pis=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        raise ActivityError("The file is not complete, well-formed XML (it may have been cut off while "
                            "uploading or saving). Export it again and upload the new copy.") from error
    if root is None:
        raise ActivityError("The file is empty XML: there is no GPX or TCX document in it.")
    if root.getroottree().docinfo.doctype:
        raise ActivityError("The file declares a DTD, which GPX and TCX files never do; it was not read.")
    return root


def localname(element: etree._Element) -> str:
    return str(etree.QName(element).localname)


def _time(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# -- GPX ------------------------------------------------------------------------------------------

def _extension_numbers(point: gpxpy.gpx.GPXTrackPoint) -> dict[str, float]:
    """Numbers in a point's extensions by local name (Garmin's TrackPointExtension: cad, speed)."""
    found: dict[str, float] = {}
    for extension in point.extensions:
        for element in extension.iter():
            if not isinstance(element.tag, str) or element.text is None:
                continue
            try:
                found.setdefault(localname(element).lower(), float(element.text))
            except ValueError:
                continue
    return found


def read_gpx(root: etree._Element) -> list[Point]:
    text = etree.tostring(root, encoding="unicode")  # the checked tree, in one encoding, without a DTD
    try:
        gpx = gpxpy.parse(text)
    except (gpxpy.gpx.GPXException, ValueError) as error:
        raise ActivityError("The GPX file could not be read: part of it is not valid GPX.") from error
    for track in gpx.tracks:
        refuse_unless_running(track.type, "the GPX track's type")

    def points() -> Iterator[Point]:
        segment = 0
        for track in gpx.tracks:
            for track_segment in track.segments:
                segment += 1
                for point in track_segment.points:
                    time = _time(point.time)
                    if time is None:
                        continue
                    extra = _extension_numbers(point) if point.extensions else {}
                    cadence = extra.get("cad", extra.get("cadence", extra.get("runcadence")))
                    speed = point.speed if point.speed is not None else extra.get("speed")
                    yield Point(time=time, speed_mps=speed, altitude_m=point.elevation,
                                cadence_spm=cadence * 2 if cadence is not None else None,
                                lat=point.latitude, lon=point.longitude, segment=segment)

    return list(points())


# -- TCX ------------------------------------------------------------------------------------------

def _child_number(element: etree._Element, path: str) -> float | None:
    found = element.find(path, namespaces={"t": TCX_NS, "x": TPX_NS})
    if found is None or found.text is None:
        return None
    try:
        return float(found.text)
    except ValueError:
        return None


def _parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return _time(datetime.fromisoformat(text.strip()))
    except ValueError:
        return None


def read_tcx(root: etree._Element) -> list[Point]:
    ns = {"t": TCX_NS, "x": TPX_NS}
    activities = root.findall("t:Activities/t:Activity", ns)
    for activity in activities:
        refuse_unless_running(activity.get("Sport"), "the TCX activity's Sport", strict=True)
    if root.findall("t:Activities/t:MultiSportSession", ns):
        raise ActivityError("This is a multisport activity, not a run; only runs can be read.")
    points: list[Point] = []
    for activity in activities:
        for point in activity.iterfind("t:Lap/t:Track/t:Trackpoint", ns):
            time = _parse_time(point.findtext("t:Time", namespaces=ns))
            if time is None:
                continue
            cadence = _child_number(point, "t:Extensions/x:TPX/x:RunCadence")
            points.append(Point(
                time=time,
                distance_m=_child_number(point, "t:DistanceMeters"),
                speed_mps=_child_number(point, "t:Extensions/x:TPX/x:Speed"),
                altitude_m=_child_number(point, "t:AltitudeMeters"),
                cadence_spm=cadence * 2 if cadence is not None else None,
                lat=_child_number(point, "t:Position/t:LatitudeDegrees"),
                lon=_child_number(point, "t:Position/t:LongitudeDegrees"),
            ))
    return points
