"""Absolute URLs of a plan's views (CONTRACT.md, `links`): PUBLIC_BASE_URL when set, else the request's host."""

from __future__ import annotations

from typing import Any

from flask import current_app, request, url_for
from werkzeug.routing import BaseConverter


def base() -> str:
    """What every absolute URL starts with: what the links in stored pages and files depend on."""
    return current_app.config.get("PUBLIC_BASE_URL") or request.root_url.rstrip("/")


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


class TokenConverter(BaseConverter):
    """`<token:…>` in a route: URL-safe characters only, so a NUL or a slash never reaches a query
    (a URL with any other token is a 404 from the router)."""

    regex = r"[A-Za-z0-9_-]{1,64}"
