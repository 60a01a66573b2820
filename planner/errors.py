"""Errors the blueprints do not handle themselves: an unknown plan, an expired form, HTTP errors,
a service that does not answer and the unexpected, as problem+json under /api/ and as a page
elsewhere. Each blueprint handles its own input errors (web.py: the form again; api/routes.py: a
problem naming the field).

A service the app needs that does not answer (the database, or the rate-limit storage such as
Redis) is a 503 with Retry-After, not a 500: the fault is passing and the client may try again.
While the rate-limit storage is down the writes it guards answer 503 rather than going unlimited
(Flask-Limiter's swallow_errors and in-memory fallback stay off, see config.py); reads, which no
limit guards, go on."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, render_template, request
from flask_wtf.csrf import CSRFError
from limits.errors import StorageError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, InternalServerError, SecurityError

from .api.problems import problem
from .extensions import db
from .store.exports import PlanNotFound

SORRY = "Something went wrong on our side."
UNAVAILABLE = "The service is briefly unavailable."
RETRY_AFTER = 30  # seconds: the Retry-After of a 503


def _wants_problem() -> bool:
    return request.path.startswith("/api/")


def unavailable_part(error: BaseException) -> str | None:
    """"database" or "rate_limits" when `error` says that service does not answer; else None.

    The database: SQLAlchemy's OperationalError or InterfaceError, any error that invalidated the
    connection, the pool timing out, and the driver's own OperationalError or InterfaceError (the
    feed's hot path reads on a raw DBAPI connection). The rate limits: limits' StorageError
    (config.py has the storage wrap its client's errors in it)."""
    if isinstance(error, StorageError):
        return "rate_limits"
    if isinstance(error, OperationalError | InterfaceError | PoolTimeout):
        return "database"
    if isinstance(error, DBAPIError):
        return "database" if error.connection_invalidated else None
    try:
        dbapi = db.engine.dialect.loaded_dbapi
    except Exception:  # no app context or no engine: nothing to compare with
        return None
    return "database" if isinstance(error, dbapi.OperationalError | dbapi.InterfaceError) else None


def _rollback() -> None:
    try:
        db.session.rollback()
    except SQLAlchemyError:  # the connection is gone; the pool replaces it
        pass


def register(app: Flask) -> None:
    @app.errorhandler(PlanNotFound)
    def _not_found(_error: PlanNotFound) -> Any:
        if _wants_problem():
            return problem(404, "No plan has that token.")
        return render_template("error.html", status=404, message="We can't find that plan. It may have been "
                               "deleted, or its link was replaced with a new one."), 404

    @app.errorhandler(CSRFError)
    def _csrf(_error: CSRFError) -> Any:
        return render_template("error.html", status=400, message="The form expired or was sent from somewhere "
                               "else. Go back, reload the page and send it again."), 400

    def _unavailable(part: str, error: BaseException) -> Any:
        app.logger.error("Answering 503: the %s does not answer: %s", part.replace("_", "-"), error)
        _rollback()
        headers = {"Retry-After": str(RETRY_AFTER)}
        if _wants_problem():
            return problem(503, f"{UNAVAILABLE} Please try again in a moment.", headers=headers)
        return render_template("error.html", status=503, message=f"{UNAVAILABLE} Please wait a moment and "
                               "try again."), 503, headers

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> Any:
        # An error outside the view (an after_request hook, say) reaches here as a 500 wrapping it.
        original = getattr(error, "original_exception", None)
        if isinstance(error, InternalServerError) and original is not None and (part := unavailable_part(original)):
            return _unavailable(part, original)
        if isinstance(error, SecurityError):  # a Host not allowed: no URL can be built, so no page either
            return Response("400 Bad Request: that host name is not served here.\n", 400, mimetype="text/plain")
        status = error.code or 500
        headers = {}
        if status == 429:
            headers["Retry-After"] = error.get_response().headers.get("Retry-After", "60")
        if _wants_problem():
            return problem(status, error.description or "", headers=headers)
        return render_template("error.html", status=status, message=error.description), status, headers

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Any:
        if part := unavailable_part(error):
            return _unavailable(part, error)
        app.logger.exception("Unhandled error")
        _rollback()
        if _wants_problem():
            return problem(500, f"{SORRY} Nothing you sent was lost; please try again.")
        return render_template("error.html", status=500, message=f"{SORRY} Please go back and try again."), 500
