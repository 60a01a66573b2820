"""The activity file of an upload, for the form and the API alike."""

from __future__ import annotations

from flask import request

from .engine import InputError

MOST_BYTES = 10 * 1024 * 1024  # a long run's FIT file is well under 1 MB; GPX a few MB
ALLOWANCE = 64 * 1024  # the multipart wrapping and the form's other fields


TOO_LARGE = ("That file is over 10 MB; a run's file is much smaller. Export the original activity (FIT, GPX "
             "or TCX) and try that.")
UPLOAD_ENDPOINTS = ("api.add_activity", "web.activity")


def too_large() -> InputError | None:
    """A body over the upload's limit, on an upload route: an error naming `file` (elsewhere: None, a 413)."""
    return InputError("file", TOO_LARGE) if request.endpoint in UPLOAD_ENDPOINTS else None


def activity_file() -> tuple[bytes, str | None]:
    """The bytes and name of the upload's `file` field: the body may be larger than elsewhere (10 MB)."""
    request.max_content_length = MOST_BYTES + ALLOWANCE
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise InputError("file", "Choose the file of your run: FIT, GPX or TCX.")
    data = upload.read(MOST_BYTES + 1)
    if len(data) > MOST_BYTES:
        raise InputError("file", TOO_LARGE)
    return data, upload.filename
