"""The one validation model per input (and the shapes of the outputs), shared by the form,
the API and the OpenAPI document. Pydantic holds every constraint; nothing is checked by hand.
"""

from __future__ import annotations

import re
import zoneinfo
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Annotated, Any, Literal, cast

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    field_serializer,
    field_validator,
    model_validator,
)
from pydantic.main import IncEx
from pydantic_core import InitErrorDetails, PydanticCustomError, to_json

from .engine import Actual, Away, CheckIn, Plan, PlanRequest, Unit
from .engine.screening import RED_FLAGS

RedFlagId = Literal[
    "saddle_numbness",
    "bladder_bowel_change",
    "bilateral_leg_symptoms",
    "pain_on_hopping",
    "night_pain",
    "pain_worsens_during_run",
    "sudden_pop_bruising",
    "pins_and_needles_below_knee",
    "unexplained_weight_loss_or_fever",
]
assert set(RedFlagId.__args__) == {f.id for f in RED_FLAGS}  # type: ignore[attr-defined]

PainScore = Annotated[int, Field(ge=0, le=10)]
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
# Free text a person types (a name, notes): any Unicode but control characters, which no free text
# may hold: C0 but tab, line feed and carriage return; DEL; C1. PostgreSQL refuses a NUL in text
# outright; the rest are invisible, or steer a terminal. A pattern, so the OpenAPI document says so.
_CONTROL_CHARACTER = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
TEXT_PATTERN = rf"^[^{_CONTROL_CHARACTER}]*$"
Text = Annotated[str, Field(pattern=TEXT_PATTERN)]


def _plausible(value: date | None, what: str) -> date | None:
    """A date a plan can use: within 2000-2100."""
    if value is not None and not date(2000, 1, 1) <= value <= date(2100, 1, 1):
        raise ValueError(f"{what} between 2000 and 2100")
    return value


@cache
def _timezones() -> frozenset[str]:
    """The IANA zones a runner can be in: the places, UTC and the Etc/ zones.

    Left out of what zoneinfo offers: the machine's own `localtime`, tzdata's `Factory` (no place at
    all), `posixrules` and the `posix/` and `right/` copies, and the old non-geographic aliases (EST,
    CET, EST5EDT, GMT0, Zulu...), whose meaning is a rule or an abbreviation rather than a place.
    """
    not_places = {"localtime", "Factory", "posixrules", "CET", "CST6CDT", "EET", "EST", "EST5EDT", "HST", "MET",
                  "MST", "MST7MDT", "PST8PDT", "WET", "GMT", "GMT+0", "GMT-0", "GMT0", "Greenwich", "UCT",
                  "Universal", "Zulu"}
    return frozenset(name for name in zoneinfo.available_timezones()
                     if name not in not_places and not name.startswith(("posix/", "right/", "SystemV/")))


AWAY_LONGEST_DAYS = 120  # one period away: about four months at most
AWAY_MOST_PERIODS = 20


class AwayModel(BaseModel):
    """Days away with no sessions, first and last day included (rule 7: up to 7 days is planned rest,
    longer restarts by the gap rule)."""

    model_config = ConfigDict(extra="forbid", title="Away")

    start: date = Field(description="The first day away.")
    end: date = Field(description="The last day away (the same as `start` for one day).")

    @field_validator("start")
    @classmethod
    def _plausible_start(cls, value: date) -> date:
        return _plausible(value, "a date")  # type: ignore[return-value]

    @field_validator("end")
    @classmethod
    def _after_start(cls, value: date, info: ValidationInfo) -> date:
        _plausible(value, "a date")
        start = info.data.get("start")
        if start is not None and value < start:
            raise ValueError(f"a last day on or after the first day away ({start.isoformat()})")
        if start is not None and (value - start).days + 1 > AWAY_LONGEST_DAYS:
            latest = start + timedelta(days=AWAY_LONGEST_DAYS - 1)
            raise ValueError(f"a last day no later than {latest.isoformat()}: {AWAY_LONGEST_DAYS} days away at most")
        return value

    def to_engine(self) -> Away:
        return Away(self.start, self.end)


def _field_error(loc: tuple[str | int, ...], message: str, value: object) -> ValidationError:
    """One error for a field that only the whole request can judge (an away period against the others)."""
    error = PydanticCustomError("value_error", "Value error, {message}", {"message": message})
    return ValidationError.from_exception_data("PlanRequest", [InitErrorDetails(type=error, loc=loc, input=value)])


class PlanRequestModel(BaseModel):
    """What a runner tells us (CONTRACT.md, PlanRequest)."""

    model_config = ConfigDict(extra="forbid", title="PlanRequest")

    weekly_volume: float = Field(ge=0, le=2000, allow_inf_nan=False,
                                 description="Running done in the last week, in `unit`.")
    current_runs: int | None = Field(default=None, ge=0, le=14,
                                     description="Runs in the last 7 days; default runs_per_week, "
                                                 "0 when weekly_volume is 0.")
    unit: Literal["km", "mi", "min"] = "km"
    easy_pace: str | None = Field(default=None, pattern=r"^\d{1,2}:[0-5]\d$",
                                  description='Easy pace "m:ss" per km or mi; none: the plan assumes 5:00/km '
                                              "or 8:00/mi and says so in a warning (rule 32).")
    target_weekly_volume: float | None = Field(default=None, gt=0, le=2000, allow_inf_nan=False)
    current_pain: PainScore
    pain_tolerance: PainScore = 3
    morning_after_worse: bool = False
    pain_at_rest: PainScore = 0
    longest_run: float | None = Field(default=None, gt=0, le=1000, allow_inf_nan=False)
    cadence: int | None = Field(default=None, ge=100, le=240, description="Easy-run cadence, steps per minute.")
    red_flags: list[RedFlagId] = Field(default_factory=list, max_length=9)
    runs_per_week: int = Field(default=3, ge=2, le=6)
    start_date: date | None = Field(default=None, description="First day of the plan; default next Monday.")
    timezone: str = Field(default="UTC", max_length=64, description="IANA time zone name.")
    session_time: str | None = Field(default=None, pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    name: Text | None = Field(default=None, max_length=80)
    nudges: bool = Field(default=True, description="The morning after each run, a short calendar event asking "
                                                   "how it felt, linking to the one-tap check-in.")
    away: list[AwayModel] = Field(
        default_factory=list, max_length=AWAY_MOST_PERIODS,
        description="Periods away, with no sessions: up to 7 days is planned rest (no step back; the plan moves "
                    "on), longer restarts at about 80% (8-13 days) or half (14 or more) of the last week run.")

    @field_validator("easy_pace")
    @classmethod
    def _pace_in_range(cls, value: str | None) -> str | None:
        if value is None:
            return None
        minutes, seconds = (int(part) for part in value.split(":"))
        total = minutes * 60 + seconds
        if not 150 <= total <= 1500:
            raise ValueError("an easy pace between 2:30 and 25:00 per km or mile")
        return f"{minutes}:{seconds:02d}"

    @field_validator("current_runs")
    @classmethod
    def _runs_match_volume(cls, value: int | None, info: ValidationInfo) -> int | None:
        """Runs and volume of the same 7 days must agree: some running is at least one run, none is none."""
        volume = info.data.get("weekly_volume")
        if value is None or volume is None:
            return value
        if volume == 0 and value > 0:
            raise ValueError("0 runs, or leave it blank: your running in the last 7 days is 0")
        if volume > 0 and value == 0:
            raise ValueError("at least 1 run, or leave it blank: your running in the last 7 days is above 0")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        if value not in _timezones():
            raise ValueError("an IANA time zone name such as Europe/London, or UTC")
        return value

    @field_validator("start_date")
    @classmethod
    def _plausible_start(cls, value: date | None) -> date | None:
        return _plausible(value, "a start date")

    @field_validator("name")
    @classmethod
    def _plain_name(cls, value: str | None) -> str | None:
        """One line: tabs and line breaks (the only control characters `Text` lets through) become spaces."""
        if value is None:
            return None
        cleaned = _CONTROL.sub(" ", value).strip()
        return cleaned or None

    @model_validator(mode="after")
    def _away_apart(self) -> PlanRequestModel:
        """Periods away never overlap, and none ends before the plan starts."""
        if not self.away:
            return self
        for index, period in enumerate(self.away):
            if self.start_date is not None and period.end < self.start_date:
                raise _field_error(("away", index, "end"), f"a last day away on or after the plan's first day "
                                   f"({self.start_date.isoformat()})", period.end.isoformat())
            for other in self.away[:index]:
                if period.start <= other.end and other.start <= period.end:
                    raise _field_error(("away", index, "start"), f"days that do not overlap the time away from "
                                       f"{other.start.isoformat()} to {other.end.isoformat()}",
                                       period.start.isoformat())
        return self

    def away_periods(self) -> tuple[Away, ...]:
        """The engine's input of days away, in date order."""
        return tuple(sorted((p.to_engine() for p in self.away), key=lambda p: p.start))

    def to_engine(self) -> PlanRequest:
        return PlanRequest(
            weekly_volume=self.weekly_volume,
            current_pain=self.current_pain,
            unit=Unit(self.unit),
            easy_pace=self.easy_pace,
            target_weekly_volume=self.target_weekly_volume,
            pain_tolerance=self.pain_tolerance,
            morning_after_worse=self.morning_after_worse,
            pain_at_rest=self.pain_at_rest,
            longest_run=self.longest_run,
            cadence=self.cadence,
            red_flags=tuple(dict.fromkeys(self.red_flags)),
            runs_per_week=self.runs_per_week,
            current_runs=self.current_runs,
            start_date=self.start_date,
            timezone=self.timezone,
            session_time=time.fromisoformat(self.session_time) if self.session_time else None,
            name=self.name,
            nudges=self.nudges,
        )


def _amount(upper: float, description: str) -> Any:
    return Field(default=None, ge=0, le=upper, allow_inf_nan=False, description=description)


class ActualModel(BaseModel):
    """What was really run that day (rule 36): read from an activity file, or typed in."""

    model_config = ConfigDict(extra="forbid", title="Actual")

    running_minutes: float = Field(ge=0, le=600, allow_inf_nan=False, description="Minutes running, walks left out.")
    moving_minutes: float | None = _amount(1440, "Minutes moving, walks included.")
    distance_km: float | None = _amount(300, "Distance in kilometres.")
    longest_bout_minutes: float | None = _amount(600, "The longest stretch run without a walk, in minutes.")
    ascent_m: float | None = _amount(10000, "Climbing in metres (smoothed).")
    climbing_seconds: float | None = _amount(86400, "Seconds on grades above about 4%.")
    cadence_spm: float | None = Field(default=None, ge=60, le=260, allow_inf_nan=False,
                                      description="Average running cadence, steps a minute (both feet).")
    fast_seconds: float | None = _amount(86400, "Seconds well faster than the easy pace.")

    def to_engine(self) -> Actual:
        return Actual(**self.model_dump())


class CheckInModel(BaseModel):
    """How a session felt (CONTRACT.md, CheckIn)."""

    model_config = ConfigDict(extra="forbid", title="CheckIn")

    date: date
    pain_during: PainScore
    pain_next_morning: PainScore | None = Field(
        default=None, description="Pain the morning after (0-10); none yet: add it the next day with PATCH (rule 31).")
    completed: bool = True
    notes: Text | None = Field(default=None, max_length=500)
    actual: ActualModel | None = Field(
        default=None, description="What was really run (rule 36); left out, an activity file uploaded for the day "
                                  "gives it.")

    def to_engine(self) -> CheckIn:
        return CheckIn(date=self.date, pain_during=self.pain_during, pain_next_morning=self.pain_next_morning,
                       completed=self.completed, notes=self.notes,
                       actual=self.actual.to_engine() if self.actual else None)


class MorningModel(BaseModel):
    """The next-morning score added to (or corrected on) a check-in a day later (rule 31)."""

    model_config = ConfigDict(extra="forbid", title="CheckInMorning")

    pain_next_morning: PainScore
    notes: Text | None = Field(default=None, max_length=500,
                              description="Replaces the check-in's notes when given; left out: the notes stay.")


class IntervalsConnectionModel(BaseModel):
    """The two values from intervals.icu's settings (Developer Settings) that link a plan to its calendar."""

    model_config = ConfigDict(extra="forbid", title="IntervalsConnection", str_strip_whitespace=True)

    athlete_id: str = Field(pattern=r"^i?[0-9]{1,12}$", max_length=13,
                            description="The athlete ID shown in intervals.icu's settings, such as i123456.")
    api_key: str = Field(min_length=8, max_length=128, pattern=r"^[A-Za-z0-9_\-]+$",
                         description="The API key from the same page; stored encrypted, never shown again.",
                         json_schema_extra={"writeOnly": True})


# An address as people type one: a dot-atom before the @ (RFC 5322, no quoted forms) and a domain of
# letters, digits and hyphens with a dot in it (an internationalised domain in its xn-- form). ASCII
# only, since not every server takes SMTPUTF8. Checked by pattern: email-validator is not a dependency.
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
EMAIL_PATTERN = rf"^{_ATOM}(?:\.{_ATOM})*@(?:{_LABEL}\.)+{_LABEL}$"
EMAIL_MAX = 254  # RFC 5321's limit on a path, less its angle brackets
LOCAL_PART_MAX = 64


class ReminderModel(BaseModel):
    """The address a plan's morning reminder goes to (reminders.py); stored encrypted, shown back masked."""

    model_config = ConfigDict(extra="forbid", title="Reminder", str_strip_whitespace=True)

    email: str = Field(max_length=EMAIL_MAX, pattern=EMAIL_PATTERN,
                       description="Where the reminder goes; stored encrypted and never shown back in full.",
                       json_schema_extra={"writeOnly": True, "format": "email"})

    @field_validator("email")
    @classmethod
    def _short_local_part(cls, value: str) -> str:
        if len(value.rsplit("@", 1)[0]) > LOCAL_PART_MAX:
            raise ValueError(f"an email address with at most {LOCAL_PART_MAX} characters before the @")
        return value


class ReminderOut(BaseModel):
    """A plan's email reminder as anyone reading the plan may see it: the address masked."""

    model_config = ConfigDict(title="ReminderStatus")

    email: str = Field(description='The address masked, such as "r•••@example.com".')


class IntervalsStatusOut(BaseModel):
    """How a plan's intervals.icu sync stands; never holds the key."""

    model_config = ConfigDict(title="IntervalsStatus")

    status: Literal["ok", "pending", "broken"]
    last_sync: datetime | None = Field(description="When the last pass finished, in UTC.")
    error: str | None
    athlete_id: str

    @field_validator("last_sync")
    @classmethod
    def _in_utc(cls, value: datetime | None) -> datetime | None:
        """SQLite hands back naive datetimes; every one stored is UTC."""
        return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


class PreviewRequestModel(PlanRequestModel):
    """A PlanRequest, optionally with check-ins and a day to see the plan on: a what-if (CONTRACT.md, preview)."""

    model_config = ConfigDict(extra="forbid", title="PreviewRequest")

    checkins: list[CheckInModel] = Field(
        default_factory=list, max_length=400,
        description="Check-ins as if each arrived the morning after its session; none later than `as_of`.")
    as_of: date | None = Field(
        default=None, description="The day to see the plan on; default the runner's today in `timezone`. "
                                  "A check-in on this day keeps pain_during; its morning score has not come yet.")

    @field_validator("as_of")
    @classmethod
    def _plausible_day(cls, value: date | None) -> date | None:
        return _plausible(value, "a date")


# -- outputs ------------------------------------------------------------------------------------

class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class IntervalOut(_Out):
    run_minutes: float
    walk_minutes: float
    repeats: int


class ExerciseOut(_Out):
    id: str
    name: str
    sets: int
    reps: int | None
    hold_seconds: int | None
    cue: str


class SessionOut(_Out):
    uid: str
    date: date
    kind: Literal["run", "strength", "rest", "cross_train"]
    title: str
    running_minutes: float
    intervals: list[IntervalOut] | None
    continuous_minutes: float | None
    terrain: Literal["flat", "hills"]
    intensity: Literal["easy", "strides", "tempo"]
    cues: list[str]
    exercises: list[ExerciseOut]


class WeekOut(_Out):
    number: int
    start: date
    phase: Literal["settle", "walk_run", "easy_run", "build", "reintroduce", "maintain"]
    running_minutes: float
    distance: float | None
    rationale: str
    sessions: list[SessionOut]


class RequestOut(_Out):
    weekly_volume: float
    unit: str
    easy_pace: str | None
    target_weekly_volume: float | None
    current_pain: int
    pain_tolerance: int
    morning_after_worse: bool
    pain_at_rest: int
    longest_run: float | None
    cadence: int | None
    red_flags: list[str]
    runs_per_week: int
    current_runs: int | None
    start_date: date | None
    timezone: str
    session_time: time | None
    name: str | None
    nudges: bool = True

    @field_serializer("session_time")
    def _hh_mm(self, value: time | None) -> str | None:
        """Serialised as "HH:MM", like the request (a bare `time` claims RFC 3339 time, which needs an offset)."""
        return value.strftime("%H:%M") if value is not None else None


class PlanOut(_Out):
    model_config = ConfigDict(from_attributes=True, title="Plan")

    status: Literal["plan", "see_clinician", "emergency"]
    request: RequestOut
    summary: str
    weeks: list[WeekOut]
    warnings: list[str]
    referral: str | None
    red_flags: list[str]
    progression_rule: str
    notices: list[str]
    rules_version: int = Field(description="The version of the clinical rules the future weeks follow.")
    target_week: int | None = Field(description="The week the target volume is expected (rule 33); null: none.")


class LinksOut(BaseModel):
    page: str
    ics: str
    webcal: str
    csv: str
    garmin: str
    api: str


class ActualOut(BaseModel):
    model_config = ConfigDict(title="ActualOut")

    running_minutes: float
    moving_minutes: float | None = None
    distance_km: float | None = None
    longest_bout_minutes: float | None = None
    ascent_m: float | None = None
    climbing_seconds: float | None = None
    cadence_spm: float | None = None
    fast_seconds: float | None = None


class CheckInOut(_Out):
    date: date
    pain_during: int
    pain_next_morning: int | None
    completed: bool
    notes: str | None
    actual: ActualOut | None = None
    remarks: list[str] = Field(default_factory=list, description="Rule 36: where the run went past the plan, "
                                                                  "in words.")

    @field_validator("remarks", mode="before")
    @classmethod
    def _none_said(cls, value: object) -> object:
        return [] if value is None else value  # a check-in without what was run has nothing to say


class ActivityOut(ActualOut):
    model_config = ConfigDict(title="Activity")

    date: date


class ActivityResultOut(BaseModel):
    """An uploaded run: what was read from it (the file is not kept), the session it matches, and notes."""

    model_config = ConfigDict(title="ActivityResult")

    activity: ActivityOut
    session_uid: str | None
    notes: list[str]


class ConnectionsOut(BaseModel):
    """The plan's links to other calendars; `intervals` is null until the runner links intervals.icu."""

    model_config = ConfigDict(title="Connections")

    intervals: IntervalsStatusOut | None = None


class StoredPlanOut(BaseModel):
    token: str
    links: LinksOut
    plan: PlanOut
    checkins: list[CheckInOut] = []
    connections: ConnectionsOut | None = Field(default=None, description="Given by GET; absent from a create's answer.")
    share: str | None = Field(default=None,
                              description="The physio's read-only link, or null when the plan is not shared.")
    reminders: ReminderOut | None = Field(default=None, description="Given by GET: the morning email reminder, "
                                                                    "its address masked, or null when there is none.")


class AwayResultOut(BaseModel):
    """What adding or removing time away answers: the periods as stored, in date order, and the plan."""

    model_config = ConfigDict(title="AwayResult")

    away: list[AwayModel]
    plan: PlanOut


class ShareOut(BaseModel):
    """The physio's read-only link to a plan (it opens no runner URL, and nothing can be written through it)."""

    link: str


class ReferralOut(BaseModel):
    """A red flag: the referral plan, and no token, because nothing was stored."""

    token: None = None
    links: None = None
    plan: PlanOut


class CheckInResultOut(BaseModel):
    checkin: CheckInOut
    decision: Literal["progress", "hold", "step_back"]
    plan: PlanOut


class SessionRowOut(BaseModel):
    """One row of the session table: the CSV's columns as JSON."""

    model_config = ConfigDict(title="SessionRow")

    date: date
    week: int
    phase: str
    kind: str
    title: str
    running_minutes: float
    total_minutes: float
    distance: float | None
    unit: str | None
    intervals: str | None
    exercises: str | None
    uid: str


class SessionTableOut(BaseModel):
    token: str
    sessions: list[SessionRowOut]
    disclaimer: str = Field(description="Rule 29's words, which the CSV carries in its last column.")


class FieldError(BaseModel):
    field: str
    message: str


class Problem(BaseModel):
    model_config = ConfigDict(title="Problem")

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[FieldError] | None = None


PATTERN_HINTS = {
    "easy_pace": "Enter a pace as minutes:seconds, for example 6:30.",
    "session_time": "Enter a time as HH:MM on the 24-hour clock, for example 07:30.",
    "email": "Enter an email address such as runner@example.com.",
}


def _control_message(text: str) -> str:
    """What to say of free text with a control character in it, naming the first."""
    found = re.search(f"[{_CONTROL_CHARACTER}]", text)
    which = f" (this has U+{ord(found.group()):04X})" if found else ""
    return f"Enter text without control characters{which}."


def field_errors(error: ValidationError) -> list[dict[str, str]]:
    """Pydantic's errors as [{field, message}], one per bad field, in plain words."""
    result: dict[str, str] = {}
    for item in error.errors():
        # A nested field is named by its path ("checkins.2.date"); an item of a list of plain values
        # ("red_flags", 0) by its list, which is what a form shows.
        location = list(item["loc"])
        while location and isinstance(location[-1], int):
            location.pop()
        name = ".".join(str(part) for part in location) or "body"
        message = item["msg"]
        if item["type"] == "missing":
            message = "This field is required."
        elif message.startswith("Value error, "):
            message = "Enter " + message.removeprefix("Value error, ") + "."
        elif item["type"] == "string_pattern_mismatch" and item.get("ctx", {}).get("pattern") == TEXT_PATTERN:
            message = _control_message(str(item["input"]))
        elif item["type"] == "string_pattern_mismatch" and name in PATTERN_HINTS:
            message = PATTERN_HINTS[name]
        elif item["type"] == "extra_forbidden":
            message = "Unknown field."
        result.setdefault(name, message)
    return [{"field": name, "message": message} for name, message in result.items()]


# -- the plan's JSON, fast ---------------------------------------------------------------------

# What the engine's Plan has beyond PlanOut; everything else lines up field by field, in order.
_NOT_IN_PLAN_OUT = cast(IncEx, {
    "ceiling": True,
    "weeks": {"__all__": {
        "deload": True, "rehab_stage": True, "decision": True,
        "sessions": {"__all__": {"warmup_minutes": True, "cooldown_minutes": True, "quality_minutes": True,
                                 "duration_minutes": True}},
    }},
})


@cache
def _plan_adapter() -> TypeAdapter[Plan]:
    return TypeAdapter(Plan)


_NOT_IN_PLAN_JSON = cast(IncEx, {**cast(dict[str, object], _NOT_IN_PLAN_OUT), "request": True})


def plan_json(plan: Plan) -> bytes:
    """PlanOut's JSON for `plan` as bytes: `to_json(plan_data(plan))`, byte for byte, in one pass (the
    request, the one part with other names than the engine's, is written in its place after the status)."""
    rest = _plan_adapter().dump_json(plan, exclude=_NOT_IN_PLAN_JSON)
    head = b'{"status":' + to_json(plan.status.value) + b","
    assert rest.startswith(head), rest[:60]
    request = RequestOut.model_validate(plan.request).model_dump_json().encode()
    return head + b'"request":' + request + b"," + rest[len(head):]


def plan_data(plan: Plan) -> dict[str, object]:
    """PlanOut's JSON data for `plan`, serialised straight from the engine's dataclasses: what
    `PlanOut.model_validate(plan).model_dump(mode="json")` gives, at half the cost, since the engine's
    output needs no validating (tests/api/test_plan_json.py holds the two to the same bytes)."""
    data: dict[str, object] = _plan_adapter().dump_python(plan, mode="json", exclude=_NOT_IN_PLAN_OUT)
    data["request"] = RequestOut.model_validate(plan.request).model_dump(mode="json")
    return data
