"""Absolute URLs of a plan's views (CONTRACT.md, `links`): PUBLIC_BASE_URL when set, else the request's host."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import current_app, request, url_for
from werkzeug.routing import BaseConverter, ValidationError


def base() -> str:
    """What every absolute URL starts with: what the links in stored pages and files depend on.

    Part of every stored read's key, so it is remembered by the request's own scheme, host and script
    root (werkzeug's root_url, which checks and decodes them, was a tenth of a calendar poll's time)."""
    configured: str | None = current_app.config.get("PUBLIC_BASE_URL")
    if configured:
        return configured
    environ = request.environ
    key = (environ.get("wsgi.url_scheme"), environ.get("HTTP_HOST"), environ.get("SERVER_NAME"),
           environ.get("SERVER_PORT"), environ.get("SCRIPT_NAME"))
    found = _BASES.get(key)
    if found is None:
        found = request.root_url.rstrip("/")  # raises for a host TRUSTED_HOSTS does not allow, so not kept
        if len(_BASES) >= _BASES_KEPT:
            _BASES.clear()  # a client sending a new Host each time must not grow memory
        _BASES[key] = found
    return found


_BASES: dict[tuple[Any, ...], str] = {}
_BASES_KEPT = 256


def absolute(endpoint: str, **values: Any) -> str:
    base: str | None = current_app.config.get("PUBLIC_BASE_URL")
    if base:
        return base + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def page(token: str) -> str:
    return absolute("web.plan_page", token=token)


def shared(share_token: str) -> str:
    """The physio's read-only link to a plan (its own token, never the runner's)."""
    return absolute("shared.plan", share_token=share_token)


def links(token: str) -> dict[str, str]:
    ics = absolute("feeds.calendar", token=token)
    return {
        "page": page(token),
        "ics": ics,
        "webcal": "webcal://" + ics.split("://", 1)[1],
        "csv": absolute("feeds.table", token=token),
        "garmin": absolute("feeds.garmin", token=token),
        "api": absolute("api.get_plan", token=token),
    }


class DayConverter(BaseConverter):
    """`<day:…>` in a route: an ISO date (2027-01-04), given to the view as a `date`; anything else is
    the router's 404, so no view parses a day itself."""

    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value: str) -> date:
        try:
            return date.fromisoformat(value)
        except ValueError:  # 2027-02-30
            raise ValidationError from None

    def to_url(self, value: date | str) -> str:
        return value.isoformat() if isinstance(value, date) else str(value)


class TokenConverter(BaseConverter):
    """`<token:…>` in a route: URL-safe characters only, so a NUL or a slash never reaches a query
    (a URL with any other token is a 404 from the router)."""

    regex = r"[A-Za-z0-9_-]{1,64}"
