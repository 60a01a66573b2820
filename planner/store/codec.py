"""A computed plan as JSON data and back, exactly: the form a revision stores it in.

pydantic serialises the engine's dataclasses field by field (enums as their values, dates as ISO
text) and rebuilds them from their own type hints, so `load_plan(dump(plan)) == plan` for every plan
the engine makes, and dumping the plan that comes back gives the same data (tests/store/test_revisions.py
checks both with hypothesis). Unlike the API's JSON, nothing is left out: warm-ups, deloads,
decisions and the rehab stage come back too.
"""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

from ..engine import Plan

_ADAPTERS: dict[type, TypeAdapter[Any]] = {}


def _adapter(kind: type) -> TypeAdapter[Any]:
    if kind not in _ADAPTERS:  # built once per class: building one compiles its schema
        _ADAPTERS[kind] = TypeAdapter(kind)
    return _ADAPTERS[kind]


def dump(value: Any) -> Any:
    """JSON-ready data for an engine value (a plan, a week, a session)."""
    return _adapter(type(value)).dump_python(value, mode="json")


def load_plan(data: dict[str, Any]) -> Plan:
    plan: Plan = _adapter(Plan).validate_python(data)
    return plan
