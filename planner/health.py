"""GET /healthz: whether every service the app needs answers, for a load balancer to act on."""

from __future__ import annotations

import json

from flask import Response, current_app
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from .extensions import db, limiter


def healthz() -> Response:
    """200 when every service the app needs answers; 503 (for a load balancer to act on) naming the
    part that does not: {"status", "database": "ok"|"down", "rate_limits": "ok"|"down"|"off"}.
    "off": RATELIMIT_ENABLED is false and no storage is used."""
    parts = {"database": "ok", "rate_limits": "ok"}
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as error:  # the driver's own errors too, not only SQLAlchemy's
        current_app.logger.error("Health check: the database does not answer: %s", error)
        parts["database"] = "down"
        try:
            db.session.rollback()
        except SQLAlchemyError:
            pass
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        parts["rate_limits"] = "off"
    else:
        try:
            answered = bool(limiter.storage.check())
        except Exception:  # a storage whose check raises instead of answering False
            answered = False
        if not answered:
            current_app.logger.error("Health check: the rate-limit storage does not answer")
            parts["rate_limits"] = "down"
    down = "down" in parts.values()
    body = {"status": "unavailable" if down else "ok", **parts}
    return Response(json.dumps(body) + "\n", status=503 if down else 200, mimetype="application/json")
