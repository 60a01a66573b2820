"""Return-to-Run Planner: a Flask service around a pure return-to-running engine."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix

from . import config, cookies, urls
from .extensions import csrf, db, limiter, migrate
from .logs import TokenMaskingFilter, mask_tokens
from .mail import smtp
from .sync import keys

__all__ = ["TokenMaskingFilter", "create_app", "mask_tokens"]

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: configuration, extensions, blueprints, error handlers, commands."""
    app = Flask(__name__, instance_path=str(PROJECT_ROOT / "instance"),
                template_folder=str(PROJECT_ROOT / "templates"), static_folder=str(PROJECT_ROOT / "static"))
    app.config.from_mapping(config.from_environment(Path(app.instance_path)))
    app.config.from_mapping(test_config or {})
    keys.cipher(app.config["CONNECTION_KEY"])  # a malformed key stops the app here, not at the first sync
    if app.config.get("SMTP_URL"):
        smtp.server(app.config["SMTP_URL"])  # so does an SMTP_URL that names no server we can use
    app.session_interface = cookies.SigningOnce()
    app.url_map.converters["token"] = urls.TokenConverter
    app.url_map.converters["day"] = urls.DayConverter

    from . import cli, errors, feeds, headers, health, logs, shared, unsubscribe, web
    from .api import routes as api
    from .store import sqlite

    # after_request functions run last-registered first: registered before the rate limiter's, the
    # security headers see its headers (and drop its Retry-After from answers that are not refusals).
    app.after_request(headers.secure)
    db.init_app(app)
    with app.app_context():
        sqlite.tune(db.engine)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    _csrf_on_writes_only(app)
    limiter.init_app(app)
    _limits_in_routes_only(app)

    for blueprint in (web.bp, feeds.bp, shared.bp, unsubscribe.bp, api.bp):
        app.register_blueprint(blueprint)
    app.add_url_rule("/healthz", view_func=health.healthz)
    errors.register(app)
    cli.register(app)
    logs.mask(app)
    _trust_proxies(app)
    return app


def _trust_proxies(app: Flask) -> None:
    """Behind TRUSTED_PROXIES proxies, the client's address (what rate limits count by) is the one
    the nearest of them appended to X-Forwarded-For, and the scheme its X-Forwarded-Proto; with none
    (the default) both headers are ignored, so a client cannot choose its own address."""
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]


def _csrf_on_writes_only(app: Flask) -> None:
    """Flask-WTF's hook looks up the view's exemptions before it looks at the method, so every GET paid
    for the lookup (a sixth of a calendar poll's own time). The same check, the method first."""
    hooks = app.before_request_funcs.get(None, [])
    protect = hooks.pop()  # the hook csrf.init_app has just added
    assert protect.__name__ == "csrf_protect", protect

    def csrf_protect() -> None:
        if request.method in app.config["WTF_CSRF_METHODS"]:
            protect()

    hooks.append(csrf_protect)


def _limits_in_routes_only(app: Flask) -> None:
    """Flask-Limiter checks default and application-wide limits before every request. This app has
    none: each write route carries its own limit, checked inside the route. That check before every
    request cost three times the feed's database lookup on every calendar poll, so it is not run."""
    hooks = app.before_request_funcs.get(None, [])
    app.before_request_funcs[None] = [hook for hook in hooks if hook != limiter._check_request_limit]
