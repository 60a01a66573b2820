"""A computed plan as JSON and back, exactly: the form a revision stores it in.

The engine's dataclasses are dumped field by field (enums as their values, dates as ISO text) and
rebuilt from their own type hints, so `load(dump(plan)) == plan`, down to the JSON of each value,
for every plan the engine makes
(tests/store/test_codec.py checks it with hypothesis). Unlike the API's JSON, nothing is left out:
warm-ups, deloads, decisions and the rehab stage come back too.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import date, time
from enum import Enum
from functools import cache
from typing import Any, TypeVar

from ..engine import Plan

T = TypeVar("T")


def dump(value: Any) -> Any:
    """JSON-ready data for an engine value."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: dump(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [dump(item) for item in value]
    return value


def load_plan(data: dict[str, Any]) -> Plan:
    plan: Plan = _load(Plan, data)
    return plan


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _load(kind: Any, data: Any) -> Any:
    if data is None:
        return None
    origin = typing.get_origin(kind)
    if origin in (types.UnionType, typing.Union):
        (inner,) = [arg for arg in typing.get_args(kind) if arg is not type(None)]
        return _load(inner, data)
    if origin is list:
        (inner,) = typing.get_args(kind)
        return [_load(inner, item) for item in data]
    if origin is tuple:
        inner = typing.get_args(kind)[0]
        return tuple(_load(inner, item) for item in data)
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        hints = _hints(kind)
        names = {f.name for f in dataclasses.fields(kind) if f.init}
        return kind(**{name: _load(hints[name], value) for name, value in data.items() if name in names})
    if isinstance(kind, type) and issubclass(kind, Enum):
        return kind(data)
    if kind is date:
        return date.fromisoformat(data)
    if kind is time:
        return time.fromisoformat(data)
    return data  # JSON keeps 5 and 5.0 apart, so numbers come back as the engine made them
