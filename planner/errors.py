"""Errors the blueprints do not handle themselves: an unknown plan, an expired form, HTTP errors
and the unexpected, as problem+json under /api/ and as a page elsewhere. Each blueprint handles
its own input errors (web.py: the form again; api/routes.py: a problem naming the field)."""

from __future__ import annotations

from typing import Any

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .api.problems import problem
from .extensions import db
from .store.exports import PlanNotFound

SORRY = "Something went wrong on our side."


def _wants_problem() -> bool:
    return request.path.startswith("/api/")


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
    def _unexpected(_error: Exception) -> Any:
        app.logger.exception("Unhandled error")
        db.session.rollback()
        if _wants_problem():
            return problem(500, f"{SORRY} Nothing you sent was lost; please try again.")
        return render_template("error.html", status=500, message=f"{SORRY} Please go back and try again."), 500
