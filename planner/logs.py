"""Logs that never show a whole plan token (a token is the plan's only key)."""

from __future__ import annotations

import logging
import re

from flask import Flask

# A token is 32 URL-safe characters; wherever a run of 24 or more follows a slash (/plans/…, /PLANS/…,
# /plans//…, /api/v1/Plans/…, or an SQL parameter's value) only its first four characters are logged.
_TOKEN_IN_PATH = re.compile(r"(/+[A-Za-z0-9_-]{4})[A-Za-z0-9_-]{20,}")
_TOKEN_QUOTED = re.compile(r"""(['"][A-Za-z0-9_-]{4})[A-Za-z0-9_-]{28,60}(['"])""")
# Control characters (a CR or LF from %0d%0a in a path would forge a log line) are written escaped.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def mask_tokens(text: str) -> str:
    """`text` with every plan token cut to its first four characters: in a path (whatever its case or
    slashes) or quoted (a database error's parameters)."""
    return _TOKEN_QUOTED.sub("\\1…\\2", _TOKEN_IN_PATH.sub("\\1…", text))


def _escaped(match: re.Match[str]) -> str:
    return match.group().encode("unicode_escape").decode("ascii")


def safe_line(text: str) -> str:
    """`text` as one log line: tokens masked, control characters escaped (\\r, \\n, \\x00)."""
    return _CONTROL.sub(_escaped, mask_tokens(text))


class TokenMaskingFilter(logging.Filter):
    """Rewrites a record's message (and traceback) so no plan token reaches a log; used by gunicorn.conf.py too."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = safe_line(message)
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
