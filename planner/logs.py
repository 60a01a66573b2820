"""Logs that never show a whole plan token (a token is the plan's only key)."""

from __future__ import annotations

import logging
import re

from flask import Flask

# /plans/abcd… and /api/v1/plans/abcd…: a token cut to its first four characters.
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


def mask(app: Flask) -> None:
    """The app's own log and the development server's request log never show a whole token."""
    for logger in (app.logger, logging.getLogger("werkzeug")):
        if not any(isinstance(f, TokenMaskingFilter) for f in logger.filters):
            logger.addFilter(TokenMaskingFilter())
