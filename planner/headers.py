"""Security headers on every response."""

from __future__ import annotations

from flask import Response, request

# Added in one step to every response (this runs on every calendar poll too).
_ALWAYS = (
    ("Content-Security-Policy",
     "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
     "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; connect-src 'self'"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Frame-Options", "DENY"),
)


SHARED = "/shared/"
UNSUBSCRIBE = "/reminders/"
SECRET_PATHS = ("/plans/", "/api/", SHARED, UNSUBSCRIBE)  # every URL holding a token


def secure(response: Response) -> Response:
    """Plan URLs are secrets: never leak them in a Referer, never let shared caches keep a page.
    Views that serve stored bytes say "no-cache, private" (revalidate with the ETag); anything
    else under /plans/, /api/ and /shared/ is not stored at all."""
    if response.status_code not in (429, 503):
        response.headers.pop("Retry-After", None)  # the rate limiter's, on answers that are not a refusal
    if response.status_code == 304:
        return response  # no content: the client keeps the headers of the copy it revalidated
    headers = response.headers
    if "Content-Security-Policy" not in headers:  # no view sets any of these four itself
        headers.extend(_ALWAYS)
    if "Cache-Control" not in headers and request.path.startswith(SECRET_PATHS):
        headers["Cache-Control"] = "no-store, private"
    if request.path.startswith((SHARED, UNSUBSCRIBE)):
        headers["X-Robots-Tag"] = "noindex, nofollow"  # a physio's link, if ever posted somewhere, stays unlisted
    return response
