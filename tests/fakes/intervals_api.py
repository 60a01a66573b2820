"""The operations the intervals.icu fake answers: the calendar in memory and one handler per operationId.

Handlers see a request the OpenAPI document already accepted, so they check only what the document
cannot say (a new event's date, a FIT file that decodes). They run under the fake's lock.
"""

from __future__ import annotations

import base64
import binascii
import itertools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from garmin_fit_sdk import Decoder, Stream

from .intervals_document import categories

Event = dict[str, Any]

FIRST_ID = 1001  # ids that are not list positions, so a client mixing the two shows it
SERVER_FIELDS = ("id", "athlete_id")  # the service decides these, whatever is sent
NEEDED_TO_CREATE = ("category", "start_date_local")
LOCAL_TIMES = ("start_date_local", "end_date_local")
DEFAULT_DAYS = 6  # the document: newest defaults to oldest plus 6 days


class Refused(Exception):
    """A request the service would turn down (422); the fake lists each problem in `invalid`."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class Missing(Exception):
    """No such event for this athlete (404)."""


class NotFaked(Exception):
    """Documented, but not part of the fake (501)."""


@dataclass(frozen=True)
class Athlete:
    id: str
    name: str


@dataclass(frozen=True)
class Call:
    """One accepted request: who asked, and its parameters and body as the document read them."""

    athlete: Athlete
    path: Mapping[str, Any]
    query: Mapping[str, Any]
    body: Any


class Calendar:
    """Every athlete's events in memory, with ids that only grow (int32, as the document types them)."""

    def __init__(self) -> None:
        self._events: dict[str, dict[int, Event]] = {}
        self._ids = itertools.count(FIRST_ID)

    def of(self, athlete_id: str) -> list[Event]:
        """Copies of an athlete's events, by start_date_local then id."""
        events = self._events.get(athlete_id, {}).values()
        return [dict(event) for event in sorted(events, key=lambda event: (event["start_date_local"], event["id"]))]

    def get(self, athlete_id: str, event_id: int) -> Event:
        try:
            return dict(self._events.get(athlete_id, {})[event_id])
        except KeyError:
            raise Missing(f"no event {event_id} for athlete {athlete_id}") from None

    def find(self, athlete_id: str, field: str, value: object) -> Event | None:
        """The athlete's event whose `field` is `value` (the oldest, should there be several)."""
        return next((event for event in self.of(athlete_id) if event.get(field) == value), None)

    def add(self, athlete_id: str, fields: Event) -> Event:
        event_id = next(self._ids)
        assert event_id < 2**31, "event ids are int32 in the document"
        self._events.setdefault(athlete_id, {})[event_id] = {**fields, "id": event_id, "athlete_id": athlete_id}
        return self.get(athlete_id, event_id)

    def update(self, athlete_id: str, event_id: int, fields: Event) -> Event:
        """The fields sent replace the stored ones; fields not sent stay."""
        event = self.get(athlete_id, event_id)
        self._events[athlete_id][event_id] = {**event, **fields, "id": event_id, "athlete_id": athlete_id}
        return self.get(athlete_id, event_id)

    def remove(self, athlete_id: str, event_id: int) -> bool:
        return self._events.get(athlete_id, {}).pop(event_id, None) is not None


Handler = Callable[[Calendar, Call], Any]


def get_athlete(calendar: Calendar, call: Call) -> Any:
    return {"id": call.athlete.id, "name": call.athlete.name}


def list_events(calendar: Calendar, call: Call) -> Any:
    if call.path["format"] not in ("", ".json"):
        raise NotFaked(f"events{call.path['format']}: the fake answers JSON only")
    oldest = _day(call.query, "oldest") or date.today()  # the service: today in the athlete's zone
    newest = _day(call.query, "newest") or oldest + timedelta(days=DEFAULT_DAYS)
    wanted = _categories(call.query)
    events = [event for event in calendar.of(call.athlete.id)
              if oldest <= _day_of(event) <= newest and (wanted is None or event["category"] in wanted)]
    limit = call.query.get("limit")
    return events if limit is None else events[:limit]


def create_event(calendar: Calendar, call: Call) -> Any:
    fields = _fields(call.body, "body", new=True)
    return _save(calendar, call.athlete.id, fields, match="uid" if call.query["upsertOnUid"] else None)


def create_events(calendar: Calendar, call: Call) -> Any:
    """All or nothing: one refused event refuses the batch, with every problem in it."""
    batch, problems = [], []
    for index, sent in enumerate(call.body):
        try:
            batch.append(_fields(sent, f"body[{index}]", new=True))
        except Refused as refused:
            problems += refused.problems
    if problems:
        raise Refused(problems)
    # The document: upsert matches external_id; upsertOnUid matches uid, "ignored if upsert=true".
    match = "external_id" if call.query.get("upsert") else "uid" if call.query["upsertOnUid"] else None
    return [_save(calendar, call.athlete.id, fields, match) for fields in batch]


def show_event(calendar: Calendar, call: Call) -> Any:
    return calendar.get(call.athlete.id, call.path["eventId"])


def update_event(calendar: Calendar, call: Call) -> Any:
    calendar.get(call.athlete.id, call.path["eventId"])  # 404 before any 422 about the body
    return calendar.update(call.athlete.id, call.path["eventId"], _fields(call.body, "body", new=False))


def delete_event(calendar: Calendar, call: Call) -> Any:
    if not calendar.remove(call.athlete.id, call.path["eventId"]):
        raise Missing(f"no event {call.path['eventId']} for athlete {call.athlete.id}")
    return {}


def delete_events_bulk(calendar: Calendar, call: Call) -> Any:
    """By external_id when given (the document: it wins over id); events that do not exist are ignored."""
    doomed_ids = []
    for doomed in call.body:
        if doomed.get("external_id") is not None:
            event = calendar.find(call.athlete.id, "external_id", doomed["external_id"])
            doomed_ids.append(None if event is None else event["id"])
        else:
            doomed_ids.append(doomed.get("id"))
    deleted = sum(calendar.remove(call.athlete.id, event_id) for event_id in doomed_ids if event_id is not None)
    return {"eventsDeleted": deleted}


def delete_events(calendar: Calendar, call: Call) -> Any:
    """A range of days (newest left out: every future event) of the categories named."""
    oldest, newest = _day(call.query, "oldest"), _day(call.query, "newest")
    wanted = _categories(call.query) or frozenset()
    doomed = [event["id"] for event in calendar.of(call.athlete.id)
              if oldest is not None and oldest <= _day_of(event) and (newest is None or _day_of(event) <= newest)
              and event["category"] in wanted]
    return {"eventsDeleted": sum(calendar.remove(call.athlete.id, event_id) for event_id in doomed)}


HANDLERS: dict[str, Handler] = {
    "getAthlete": get_athlete,
    "listEvents": list_events,
    "createEvent": create_event,
    "createMultipleEvents": create_events,
    "showEvent": show_event,
    "updateEvent": update_event,
    "deleteEvent": delete_event,
    "deleteEventsBulk": delete_events_bulk,
    "deleteEvents": delete_events,
}


def _save(calendar: Calendar, athlete_id: str, fields: Event, match: str | None) -> Event:
    existing = calendar.find(athlete_id, match, fields[match]) if match and fields.get(match) is not None else None
    if existing is not None:
        return calendar.update(athlete_id, existing["id"], fields)
    return calendar.add(athlete_id, fields)


def _fields(sent: Mapping[str, Any], where: str, *, new: bool) -> Event:
    """The event's fields as stored: local times in the service's form, and a FIT file that decodes."""
    fields = {name: value for name, value in sent.items() if name not in SERVER_FIELDS}
    problems = [f"{where}.{name}: needed to create an event" for name in NEEDED_TO_CREATE
                if new and fields.get(name) is None]
    for name in LOCAL_TIMES:
        if isinstance(fields.get(name), str):
            try:
                fields[name] = _local_time(fields[name])
            except ValueError as error:
                problems.append(f"{where}.{name}: {error}")
    problems += _fit_problems(fields, where)
    if problems:
        raise Refused(problems)
    return fields


def _local_time(text: str) -> str:
    """`2026-01-05` or `2026-01-05T07:30[:00]` as `2026-01-05T07:30:00`, how the service answers them."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not an ISO-8601 local date or date-time") from None
    if moment.tzinfo is not None:
        raise ValueError(f"{text!r} has a zone; a local time has none")
    return moment.isoformat(timespec="seconds")


def _fit_problems(fields: Event, where: str) -> list[str]:
    """A .fit file must be what Garmin's own SDK reads: a FIT header and a matching CRC."""
    filename = fields.get("filename")
    if not isinstance(filename, str) or not filename.lower().endswith(".fit"):
        return []
    if isinstance(fields.get("file_contents"), str):
        return [f"{where}.file_contents: a .fit file is binary; send it in file_contents_base64"]
    text = fields.get("file_contents_base64")
    if not isinstance(text, str):
        return []
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return [f"{where}.file_contents_base64: not base64"]
    decoder = Decoder(Stream.from_byte_array(bytearray(data)))
    if not decoder.is_fit():
        return [f"{where}.file_contents_base64: not a FIT file (Garmin's FIT SDK finds no FIT header)"]
    if not decoder.check_integrity():
        return [f"{where}.file_contents_base64: a damaged or cut-short FIT file (its CRC does not match)"]
    return []


def _day(query: Mapping[str, Any], name: str) -> date | None:
    """A query's local date; the document's examples send dates, so a date-time counts by its day."""
    text = query.get(name)
    if text is None:
        return None
    try:
        return datetime.fromisoformat(text).date()
    except ValueError:
        raise Refused([f"query parameter {name}: {text!r} is not an ISO-8601 local date"]) from None


def _day_of(event: Event) -> date:
    return date.fromisoformat(event["start_date_local"][:10])


def _categories(query: Mapping[str, Any]) -> frozenset[str] | None:
    """`category=WORKOUT,NOTE` (comma-separated, as the document says) or repeated; None: not given."""
    given: Iterable[str] | None = query.get("category")
    if given is None:
        return None
    wanted = frozenset(name.strip() for item in given for name in item.split(",") if name.strip())
    unknown = sorted(wanted - categories())
    if unknown:
        raise Refused([f"query parameter category: {', '.join(unknown)} not among {', '.join(sorted(categories()))}"])
    return wanted
