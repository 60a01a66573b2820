"""The one-click unsubscribe of the email reminders, at /reminders/{unsubscribe}/stop (RFC 8058).

A mail client's "Unsubscribe" POSTs there with no cookie and no form token: the key in the URL is the
only credential (192 random bits, and it stops one plan's emails and opens nothing else), so the POST
is exempt from CSRF. A person who follows the link gets a page whose button makes the same POST.
"""

from __future__ import annotations

from flask import Blueprint, render_template

from . import reminders
from .extensions import csrf

bp = Blueprint("unsubscribe", __name__)
csrf.exempt(bp)  # its one POST is the one-click unsubscribe; nothing else here writes


@bp.get("/reminders/<token:key>/stop")
def confirm(key: str) -> str:
    """A page with one button: a GET never unsubscribes (link checkers and previews follow links)."""
    return render_template("stop.html", key=key, live=reminders.exists(key), stopped=False)


@bp.post("/reminders/<token:key>/stop")
def stop(key: str) -> str:
    """Stopped: the reminder and its address deleted; 200 also when it already was (a second click)."""
    reminders.stop(key)
    return render_template("stop.html", key=key, live=False, stopped=True)
