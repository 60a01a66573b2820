"""Return-to-Run Planner: a Flask service around a pure return-to-running engine."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

from flask import Flask, Response, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy import event, text
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

from . import config
from .extensions import csrf, db, limiter, migrate

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# A plan's token is its only key, so logs show just its first four characters: /plans/abcd…
_TOKEN_IN_PATH = re.compile(r"(/plans/[A-Za-z0-9_-]{4})[A-Za-z0-9_-]{12,}")


def mask_tokens(text: str) -> str:
    """`text` with every plan token in a /plans/… or /api/v1/plans/… path cut to its first four characters."""
    return _TOKEN_IN_PATH.sub("\\1…", text)


class TokenMaskingFilter(logging.Filter):
    """Rewrites a record's message (and traceback) so no plan token reaches a log; used by gunicorn.conf.py too."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_tokens(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_tokens(record.exc_text)
        return True


def _mask_logs(app: Flask) -> None:
    """The app's own log and the development server's request log never show a whole token."""
    for logger in (app.logger, logging.getLogger("werkzeug")):
        if not any(isinstance(f, TokenMaskingFilter) for f in logger.filters):
            logger.addFilter(TokenMaskingFilter())


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: configuration, extensions, blueprints, error handlers."""
    app = Flask(
        __name__,
        instance_path=str(PROJECT_ROOT / "instance"),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.from_mapping(config.from_environment(Path(app.instance_path)))
    if test_config:
        app.config.from_mapping(test_config)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    with app.app_context():
        _tune_sqlite(db.engine)

    from . import feeds, web
    from .api import routes as api

    app.register_blueprint(web.bp)
    app.register_blueprint(feeds.bp)
    app.register_blueprint(api.bp)

    @app.get("/healthz")
    def healthz() -> Response:
        """200 once the database answers; 503 (for a load balancer to act on) while it does not."""
        try:
            db.session.execute(text("SELECT 1"))
        except SQLAlchemyError:
            app.logger.exception("Health check: the database does not answer")
            db.session.rollback()
            return Response('{"status": "unavailable"}\n', status=503, mimetype="application/json")
        return Response('{"status": "ok"}\n', mimetype="application/json")

    _register_errors(app)
    _mask_logs(app)
    app.after_request(_security_headers)
    return app


def _tune_sqlite(engine: Any) -> None:
    """WAL for concurrent readers, a busy timeout, foreign keys, and write transactions that
    take the write lock up front (BEGIN IMMEDIATE) so two writers never deadlock on upgrade."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # let SQLAlchemy's "begin" below issue BEGIN
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        writing = connection.get_execution_options().get("planner_write")
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")


def _wants_problem() -> bool:
    return request.path.startswith("/api/")


def _register_errors(app: Flask) -> None:
    from .api.problems import problem
    from .services import PlanNotFound

    @app.errorhandler(PlanNotFound)
    def _not_found(_error: PlanNotFound) -> Any:
        if _wants_problem():
            return problem(404, "No plan has that token.")
        return render_template("error.html", status=404, message="We can't find that plan. It may have been "
                               "deleted, or its link was replaced with a new one."), 404

    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError) -> Any:
        return render_template("error.html", status=400, message="The form expired or was sent from somewhere "
                               "else. Go back, reload the page and send it again."), 400

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> Any:
        status = error.code or 500
        headers = {}
        if status == 429:
            headers["Retry-After"] = error.get_response().headers.get("Retry-After", "60")
        if _wants_problem():
            return problem(status, error.description or "", headers=headers)
        return render_template("error.html", status=status, message=error.description), status, headers

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Any:
        app.logger.exception("Unhandled error")
        db.session.rollback()
        if _wants_problem():
            return problem(500, "Something went wrong on our side. Nothing you sent was lost; please try again.")
        return render_template("error.html", status=500, message="Something went wrong on our side. "
                               "Please go back and try again."), 500


def _security_headers(response: Response) -> Response:
    """Plan URLs are secrets: never leak them in a Referer, never let shared caches keep a page."""
    headers = response.headers
    headers.setdefault(
        "Content-Security-Policy",
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; connect-src 'self'",
    )
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("X-Frame-Options", "DENY")
    if "Cache-Control" not in headers and request.path.startswith(("/plans/", "/api/")):
        headers["Cache-Control"] = "no-store, private"
    return response
