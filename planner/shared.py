"""A physio's view: the plan, its check-ins and what each one did, read-only, at /shared/{share_token}.

The share token is a key of its own (plans.share_token): it opens this one page, and no runner URL
takes it. The page has no form, no upload and none of the runner's links, and this blueprint has
no route but GET, so nothing can be written through it.
"""

from __future__ import annotations

from flask import Blueprint, render_template

from . import services
from .store import revisions
from .web import DECISION_LABELS, DECISION_WORDS, plan_context

bp = Blueprint("shared", __name__)


@bp.get("/shared/<token:share_token>")
def plan(share_token: str) -> str:
    """Drawn on each read (a physio reads it now and then); headers.py keeps it out of caches and
    search engines."""
    stored = services.shared(share_token)
    today = services.today(stored.plan.request.timezone)  # the runner's day (rule 30)
    return render_template("shared.html", decisions=revisions.decisions(stored.record.id),
                           decision_labels=DECISION_LABELS, decision_words=DECISION_WORDS,
                           **plan_context(stored, today))
