"""intervals.icu's published OpenAPI document, read once for every fake in a process, and its complaints in words."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

from openapi_core import Config, OpenAPI
from openapi_core.validation.request.exceptions import ParameterValidationError

DOCUMENT = Path(__file__).with_name("intervals-icu-openapi.json")


@cache
def openapi() -> OpenAPI:
    """The document as openapi-core checks requests against it.

    Checking the document itself takes seconds, so a test does it once (test_intervals_fake.py) and
    each fake, the one run by hand included, starts without it.
    """
    return OpenAPI.from_dict(document(), config=Config(spec_validator_cls=None))


def document() -> dict[str, Any]:
    """The document as JSON, with the two readings README.md explains."""
    spec: dict[str, Any] = json.loads(DOCUMENT.read_text(encoding="utf-8"))
    # The real host would never match the fake's port; "/" matches any host and port.
    spec["servers"] = [{"url": "/"}]
    # One requirement naming both schemes means both at once; a client can send only one.
    spec["security"] = [{name: []} for name in spec["components"]["securitySchemes"]]
    return spec


@cache
def categories() -> frozenset[str]:
    """The event categories the document lists (EventEx.category)."""
    event = openapi().spec / "components" / "schemas" / "EventEx" / "properties" / "category"
    return frozenset(str(name) for name in (event / "enum").read_value())


def explain(errors: Iterable[Exception]) -> list[str]:
    """One line per thing wrong with a request, naming where: a parameter, or the body's field."""
    return [line for error in errors for line in _lines(error)]


def _lines(error: Exception) -> Iterator[str]:
    cause = error.__cause__
    schema_errors = getattr(cause, "schema_errors", None) or getattr(error, "schema_errors", None)
    if schema_errors:
        start = f"{error.location} parameter {error.name}" if isinstance(error, ParameterValidationError) else "body"
        for schema_error in schema_errors:
            yield f"{_where(start, schema_error.absolute_path)}: {schema_error.message}"
    elif cause is not None and str(cause) and str(cause) not in str(error):
        yield f"{error}: {cause}"
    else:
        yield str(error)


def _where(start: str, path: Iterable[Any]) -> str:
    """`body[0].category` from jsonschema's path ([0, 'category'])."""
    where = start
    for part in path:
        where += f"[{part}]" if isinstance(part, int) else f".{part}"
    return where
