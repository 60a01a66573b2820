"""The one place errors become responses: application/problem+json (RFC 9457)."""

from __future__ import annotations

from http import HTTPStatus

from flask import Response, jsonify


def problem(status: int, detail: str, *, errors: list[dict[str, str]] | None = None,
            headers: dict[str, str] | None = None) -> Response:
    body: dict[str, object] = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if errors is not None:
        body["errors"] = errors
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def validation_problem(errors: list[dict[str, str]]) -> Response:
    fields = ", ".join(e["field"] for e in errors)
    return problem(422, f"Some values are not valid: {fields}.", errors=errors)
