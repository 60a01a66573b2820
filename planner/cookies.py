"""The browser session (it carries only the CSRF token of the forms)."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
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
