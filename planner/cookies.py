"""The browser session (it carries only the CSRF token of the forms)."""

from __future__ import annotations

from typing import Any

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer


class SigningOnce(SecureCookieSessionInterface):
    """Flask's signed-cookie session, with its serializer built once per secret key instead of on
    every request: opening the session is part of every request, calendar polls included, and
    building the serializer was most of its cost."""

    def __init__(self) -> None:
        self._serializers: dict[Any, URLSafeTimedSerializer | None] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        key = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        if key not in self._serializers:
            self._serializers[key] = super().get_signing_serializer(app)
        return self._serializers[key]

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        """A request without any cookie (every calendar poll and API call) gets a new, empty session
        without parsing the headers for one."""
        if "HTTP_COOKIE" not in request.environ and self.get_signing_serializer(app) is not None:
            return self.session_class()
        return super().open_session(app, request)
