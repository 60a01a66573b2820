"""Which sport a file says it is: runs are read, everything else is refused by name."""

from __future__ import annotations

from .errors import ActivityError

# Words of a sport's name that mean it is not a run (lower case; matched inside the name).
NOT_RUNNING = (
    "cycl", "bik", "biking", "ride", "riding", "swim", "walk", "hik", "ski", "snowboard", "row", "paddl", "kayak",
    "canoe", "skat", "golf", "driv", "motor", "fly", "flying", "sail", "surf", "climb", "mountaineer", "triathlon",
    "multisport", "transition", "fitness_equipment", "training", "strength", "yoga", "tennis", "soccer", "dive",
)
# Names that say nothing about the sport: such a file is read as the run it was uploaded as.
UNSAID = ("", "generic", "other", "all", "none", "unknown")


def _mixed(words: str) -> bool:
    return any(word in words for word in ("ride", "bik", "cycl", "swim", "multisport", "triathlon"))


def refuse_unless_running(name: str | int | None, where: str, *, strict: bool = False) -> None:
    """Raise ActivityError when `name` (a FIT sport, a TCX Sport, a GPX type) is a sport other than running.

    `strict` for a format whose sports are a fixed list (FIT, TCX): any name but running or an unsaid one is
    refused. Free text (GPX's type) is refused only when a word of it names another sport."""
    if name is None:
        return
    if isinstance(name, int):
        raise ActivityError(f"The {where} says this is not a run (sport number {name}); only runs can be read.")
    words = name.strip().lower().replace(" ", "_").replace("-", "_")
    if words in UNSAID or (words == "running" if strict else "run" in words and not _mixed(words)):
        return
    if strict or any(word in words for word in NOT_RUNNING):
        label = " ".join("".join(c if c.isalnum() else " " for c in name).split())[:40]
        raise ActivityError(f"This is a {label} activity, not a run ({where}); only runs can be read.")
