"""Each exercise's drawing (its start and end positions) and the movement in words, for the exercise card.

The drawings are files, static/exercises/<id>.svg, shown with <img> rather than drawn inline: a plan
page has an exercise card in every week, so inline markup would repeat each drawing dozens of times,
while a file is fetched once and then revalidated from the browser's cache for every week and page.
An <img> carries its words in `alt`, the plainest accessible name there is, and Chromium prints it as
vector lines. Inside an <img> the drawing cannot take the page's colour, so its currentColor is black:
what paper wants anyway.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .engine.exercises import MOVEMENTS

STATIC = Path(__file__).resolve().parent.parent / "static"
FOLDER = "exercises"


@dataclass(frozen=True)
class Picture:
    """One exercise's drawing: its file under static/ and the sentence that says what it shows."""

    filename: str
    alt: str


@cache
def _drawn() -> frozenset[str]:
    """The ids with a drawing on disk, read once: the files ship with the release and never change under it."""
    return frozenset(path.stem for path in (STATIC / FOLDER).glob("*.svg"))


def exercise_picture(exercise_id: str) -> Picture | None:
    """The drawing of an exercise, or None when it has no drawing or no words for one (the card then
    shows without a picture, never a broken image)."""
    if exercise_id not in MOVEMENTS or exercise_id not in _drawn():
        return None
    return Picture(f"{FOLDER}/{exercise_id}.svg", MOVEMENTS[exercise_id])
