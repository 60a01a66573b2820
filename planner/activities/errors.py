"""The one error reading an activity file raises."""

from __future__ import annotations


class ActivityError(ValueError):
    """The uploaded file can't be read as a run; the message says why, in plain words, for a 422 on `file`."""

    field = "file"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
