"""Security properties of every plan URL: headers, size and rate limits, unguessable tokens, no leaks."""

from __future__ import annotations

import secrets
import string
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner import create_app, mask_tokens

PLAN_FIELDS = ("weekly_volume", "unit", "easy_pace", "target_weekly_volume", "current_pain", "pain_tolerance",
               "morning_after_worse", "pain_at_rest", "longest_run", "cadence", "runs_per_week", "start_date",
               "timezone", "session_time", "name")
CHECKIN_FIELDS = ("date", "pain_during", "pain_next_morning", "completed", "notes")
URLSAFE = string.ascii_letters + string.digits + "-_"
# A well-formed check-in, so that only the token decides the answer.
CHECKIN = {"date": "2020-01-06", "pain_during": 1, "pain_next_morning": 1, "completed": True}


def send(client: FlaskClient, method: str, path: str) -> int:
    if method == "POST" and path.startswith("/api/"):
        return client.post(path, json=CHECKIN).status_code
    if method == "POST":
        return client.post(path, data={**CHECKIN, "completed": "yes"}).status_code
    return client.open(path, method=method).status_code


def plan_urls(token: str) -> list[tuple[str, str]]:
    """Every (method, path) that names a plan by its token."""
    return [
        ("GET", f"/plans/{token}"),
        ("GET", f"/plans/{token}.ics"),
        ("GET", f"/plans/{token}.ics?download=1"),
        ("GET", f"/plans/{token}.csv"),
        ("GET", f"/plans/{token}/garmin.zip"),
        ("POST", f"/plans/{token}/checkins"),
        ("POST", f"/plans/{token}/rotate"),
        ("POST", f"/plans/{token}/delete"),
        ("GET", f"/api/v1/plans/{token}"),
        ("DELETE", f"/api/v1/plans/{token}"),
        ("POST", f"/api/v1/plans/{token}/checkins"),
    ]


def a_session_day(stored: dict) -> str:
    """The first past session day of a stored plan, for a check-in."""
    today = date.today().isoformat()
    return next(s["date"] for w in stored["plan"]["weeks"] for s in w["sessions"]
                if s["kind"] != "rest" and s["date"] < today)


# -- headers ---------------------------------------------------------------------------------------

def test_every_page_sends_the_security_headers(client: FlaskClient, stored_plan: dict) -> None:
    token = stored_plan["token"]
    for path in ("/", f"/plans/{token}", f"/plans/{token}.ics", f"/api/v1/plans/{token}", "/api/v1/openapi.json",
                 "/healthz", "/plans/" + secrets.token_urlsafe(24)):
        response = client.get(path)
        csp = response.headers.get("Content-Security-Policy", "")
        assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp, path
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, path
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
        assert response.headers["Referrer-Policy"] == "no-referrer", path


def test_plan_pages_and_api_are_never_kept_by_shared_caches(client: FlaskClient, stored_plan: dict) -> None:
    token = stored_plan["token"]
    # The page and the API's plan: the runner's own browser may keep a copy, checked by ETag before each use.
    for path in (f"/plans/{token}", f"/api/v1/plans/{token}"):
        response = client.get(path)
        assert response.headers["Cache-Control"] == "no-cache, private", path
        assert response.headers["ETag"], path
    assert "no-store" in client.get("/plans/" + secrets.token_urlsafe(24)).headers["Cache-Control"]
    # The feed may be revalidated (ETag) but never kept by a shared cache.
    feed = client.get(f"/plans/{token}.ics")
    assert feed.status_code == 200
    assert "private" in feed.headers["Cache-Control"] and "public" not in feed.headers["Cache-Control"]


def test_created_plan_answer_is_not_cacheable(client: FlaskClient, past_start: date) -> None:
    response = client.post("/api/v1/plans", json={"weekly_volume": 20, "current_pain": 1,
                                                  "start_date": past_start.isoformat()})
    assert response.status_code == 201
    assert "no-store" in response.headers["Cache-Control"]


# -- size limits -----------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/api/v1/plans", "/api/v1/plans/preview"])
def test_a_megabyte_body_is_refused_with_413_problem(client: FlaskClient, path: str) -> None:
    body = b'{"name": "' + b"x" * (1024 * 1024) + b'"}'
    response = client.post(path, data=body, content_type="application/json")
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"
    assert response.json is not None and response.json["status"] == 413


def test_a_megabyte_checkin_or_form_is_refused_not_crashed(client: FlaskClient, stored_plan: dict) -> None:
    token = stored_plan["token"]
    big = "x" * (1024 * 1024)
    api = client.post(f"/api/v1/plans/{token}/checkins", data='{"notes": "' + big + '"}',
                      content_type="application/json")
    assert api.status_code == 413 and api.mimetype == "application/problem+json"
    for path in ("/plans", f"/plans/{token}/checkins"):
        form = client.post(path, data={"name": big, "notes": big})
        assert form.status_code == 413, path
    assert len(client.get(f"/api/v1/plans/{token}").json["checkins"]) == 0


# -- rate limits -----------------------------------------------------------------------------------

def _limited(database: str) -> Flask:
    """The app with its rate limits on, counted in this process's memory."""
    return create_app({
        "SQLALCHEMY_DATABASE_URI": database, "TESTING": True, "WTF_CSRF_ENABLED": False,
        "SERVER_NAME": "planner.test", "TRUSTED_HOSTS": ["planner.test"],
        "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://",
    })


def test_rate_limits_answer_429_with_retry_after(app: Flask, _database: str) -> None:
    client = _limited(_database).test_client()
    # A red-flag request stores nothing, so this spends the limit without filling the database.
    body = {"weekly_volume": 10, "current_pain": 1, "red_flags": ["night_pain"]}
    statuses = [client.post("/api/v1/plans", json=body).status_code for _ in range(40)]
    assert statuses[0] == 200
    assert 429 in statuses, statuses
    refused = client.post("/api/v1/plans", json=body)
    assert refused.status_code == 429
    assert refused.mimetype == "application/problem+json"
    assert int(refused.headers["Retry-After"]) > 0
    # Reads are not limited by the write limit.
    assert client.get("/healthz").status_code == 200
    # The form spends the same budget: it cannot be used to go round the API's limit.
    form = client.post("/plans", data={"weekly_volume": "10", "current_pain": "1", "red_flags": "night_pain"})
    assert form.status_code == 429


# -- tokens ----------------------------------------------------------------------------------------

@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(token=st.text(alphabet=URLSAFE, min_size=1, max_size=64).filter(lambda t: t != "preview"))
def test_guessed_tokens_find_nothing_on_any_url(client: FlaskClient, token: str) -> None:
    for method, path in plan_urls(token):
        assert send(client, method, path) == 404, (method, path)


def test_near_misses_of_a_real_token_find_nothing(client: FlaskClient, stored_plan: dict) -> None:
    token = stored_plan["token"]
    assert len(token) >= 22  # at least 128 random bits, URL-safe
    near = {token[:-1], token + "A", token.upper() if token.upper() != token else token.lower(),
            token[1:] + token[0], token[:16], secrets.token_urlsafe(24)}
    for guess in near - {token}:
        for method, path in plan_urls(guess):
            if method != "GET":
                continue
            assert client.get(path).status_code == 404, path
    assert client.get(f"/plans/{token}").status_code == 200


def test_tokens_are_random_and_long(client: FlaskClient, past_start: date) -> None:
    body = {"weekly_volume": 20, "current_pain": 1, "start_date": past_start.isoformat()}
    tokens = [client.post("/api/v1/plans", json=body).json["token"] for _ in range(5)]
    assert len(set(tokens)) == 5
    assert all(len(t) >= 22 and set(t) <= set(URLSAFE) for t in tokens)


def test_a_checkin_through_another_plans_token_never_touches_the_first(client: FlaskClient, stored_plan: dict,
                                                                       past_start: date) -> None:
    plan_a = stored_plan
    plan_b = client.post("/api/v1/plans", json={"weekly_volume": 30, "current_pain": 2,
                                                "start_date": past_start.isoformat()}).json
    before_a = client.get(f"/api/v1/plans/{plan_a['token']}").json
    etag_a = client.get(f"/plans/{plan_a['token']}.ics").headers["ETag"]
    day = a_session_day(plan_a)
    checkin = {"date": day, "pain_during": 9, "pain_next_morning": 9, "completed": False, "notes": "for A"}

    assert client.post(f"/api/v1/plans/{plan_b['token']}/checkins", json=checkin).status_code == 201
    client.post(f"/plans/{plan_b['token']}/checkins", data={**checkin, "completed": "no"})

    after_a = client.get(f"/api/v1/plans/{plan_a['token']}").json
    assert after_a == before_a
    assert after_a["checkins"] == []
    assert client.get(f"/plans/{plan_a['token']}.ics").headers["ETag"] == etag_a
    assert [c["notes"] for c in client.get(f"/api/v1/plans/{plan_b['token']}").json["checkins"]] == ["for A"]


def test_a_deleted_plan_is_gone_from_every_url(client: FlaskClient, stored_plan: dict) -> None:
    token = stored_plan["token"]
    assert client.delete(f"/api/v1/plans/{token}").status_code == 204
    for method, path in plan_urls(token):
        assert send(client, method, path) == 404, (method, path)


# -- errors ----------------------------------------------------------------------------------------

def test_a_server_error_shows_no_stack_trace(app: Flask) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def boom() -> str:
        raise RuntimeError("secret internals: /srv/db password=hunter2")

    app.add_url_rule("/api/v1/_boom", "api_boom", boom)
    app.add_url_rule("/_boom", "web_boom", boom)
    client = app.test_client()
    for path, mimetype in (("/api/v1/_boom", "application/problem+json"), ("/_boom", "text/html")):
        response = client.get(path)
        text = response.get_data(as_text=True)
        assert response.status_code == 500, path
        assert response.mimetype == mimetype, path
        for leak in ("Traceback", "RuntimeError", "hunter2", "secret internals", "File \"", ".py"):
            assert leak not in text, (path, leak)


def test_logs_never_show_a_whole_token(app: Flask, caplog: pytest.LogCaptureFixture,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    token = secrets.token_urlsafe(24)
    monkeypatch.setattr(app.logger, "disabled", False)  # alembic's fileConfig in the migration fixture disables it
    assert mask_tokens(f"GET /plans/{token}.ics") == f"GET /plans/{token[:4]}….ics"
    assert mask_tokens(f"/api/v1/plans/{token}/checkins") == f"/api/v1/plans/{token[:4]}…/checkins"
    assert mask_tokens("/api/v1/plans/preview") == "/api/v1/plans/preview"
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def boom(token: str) -> str:
        raise RuntimeError(f"failed on /plans/{token}")

    app.add_url_rule("/plans/<token>/boom", "boom", boom)
    with caplog.at_level("INFO"):
        app.logger.info("viewed /plans/%s", token)
        assert app.test_client().get(f"/plans/{token}/boom").status_code == 500
    logged = "\n".join(record.getMessage() + (record.exc_text or "") for record in caplog.records)
    assert token[:4] + "…" in logged
    assert token not in logged


# -- fuzzed forms ----------------------------------------------------------------------------------

field_value = st.one_of(st.text(max_size=40), st.integers(-10**6, 10**6).map(str),
                        st.floats(allow_nan=True, allow_infinity=True).map(str), st.sampled_from(["", "on", "0"]))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(form=st.fixed_dictionaries({}, optional={name: field_value for name in PLAN_FIELDS}),
       flags=st.lists(st.text(max_size=30), max_size=4))
def test_fuzzed_plan_forms_never_give_a_server_error(client: FlaskClient, form: dict[str, str],
                                                     flags: list[str]) -> None:
    response = client.post("/plans", data={**form, "red_flags": flags})
    assert response.status_code in (200, 303, 422), response.status_code


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(form=st.fixed_dictionaries({}, optional={name: field_value for name in CHECKIN_FIELDS}))
def test_fuzzed_checkin_forms_never_give_a_server_error(client: FlaskClient, stored_plan: dict,
                                                        form: dict[str, str]) -> None:
    response = client.post(f"/plans/{stored_plan['token']}/checkins", data=form)
    assert response.status_code in (303, 422), response.status_code


def test_retry_after_only_on_refusals(app: Flask, _database: str) -> None:
    client = _limited(_database).test_client()
    body = {"weekly_volume": 10, "current_pain": 1, "red_flags": ["night_pain"]}
    answers = [client.post("/api/v1/plans", json=body) for _ in range(40)]
    assert answers[0].status_code == 200 and "X-RateLimit-Limit" in answers[0].headers
    assert all("Retry-After" not in a.headers for a in answers if a.status_code < 400)
    assert all(int(a.headers["Retry-After"]) > 0 for a in answers if a.status_code == 429)


def test_logs_mask_tokens_however_the_path_is_spelled_and_never_break_a_line() -> None:
    from planner.logs import safe_line

    token = secrets.token_urlsafe(24)
    for text in (f"GET /plans//{token}.ics", f"GET /PLANS/{token}", f"/api/v1/Plans/{token}/checkins",
                 f"[parameters: {{'token': '{token}'}}]", f'"GET /plans/{token} HTTP/1.1" 404'):
        assert token not in mask_tokens(text) and token[:4] + "…" in mask_tokens(text), text
    assert safe_line("GET /x\r\n127.0.0.1 - forged 200") == "GET /x\\r\\n127.0.0.1 - forged 200"
    assert "\n" not in safe_line("a\u2028b\x00c\nd")


def test_a_token_with_a_nul_or_odd_characters_is_not_found(client: FlaskClient) -> None:
    for token in ("a%00b", "a%0Ab", "a%20b", "x" * 65, "%C3%A9t%C3%A9"):
        for method, path in plan_urls(token):
            assert send(client, method, path) == 404, (method, path)


def test_links_never_come_from_a_forged_host(_database: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without PUBLIC_BASE_URL the Host header must be one of ALLOWED_HOSTS (default: loopback);
    with it, links come from it whatever Host says."""
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    monkeypatch.delenv("ALLOWED_HOSTS", raising=False)
    plain = create_app({"SQLALCHEMY_DATABASE_URI": _database, "TESTING": True, "RATELIMIT_ENABLED": False})
    client = plain.test_client()
    made = client.post("/api/v1/plans", json={"weekly_volume": 10, "current_pain": 1})
    token = made.json["token"]
    assert made.json["links"]["page"].startswith("http://localhost/")
    assert client.get(f"/plans/{token}.ics", headers={"Host": "evil.example"}).status_code == 400
    assert client.get(f"/api/v1/plans/{token}", headers={"Host": "evil.example"}).status_code == 400
    monkeypatch.setenv("ALLOWED_HOSTS", "plans.example.org")
    listed = create_app({"SQLALCHEMY_DATABASE_URI": _database, "TESTING": True, "RATELIMIT_ENABLED": False})
    assert listed.test_client().get("/healthz", headers={"Host": "plans.example.org"}).status_code == 200
    assert listed.test_client().get("/healthz", headers={"Host": "evil.example"}).status_code == 400
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://plans.example.org")
    monkeypatch.delenv("ALLOWED_HOSTS")
    public = create_app({"SQLALCHEMY_DATABASE_URI": _database, "TESTING": True, "RATELIMIT_ENABLED": False})
    feed = public.test_client().get(f"/plans/{token}.ics", headers={"Host": "evil.example"})
    assert feed.status_code == 200 and b"evil.example" not in feed.data and b"https://plans.example.org/" in feed.data


def test_the_session_cookie_is_lax_and_secure_behind_https(_database: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://plans.example.org")
    app = create_app({"SQLALCHEMY_DATABASE_URI": _database, "TESTING": True, "RATELIMIT_ENABLED": False})
    cookie = app.test_client().get("/").headers["Set-Cookie"]
    assert "SameSite=Lax" in cookie and "Secure" in cookie and "HttpOnly" in cookie
    monkeypatch.delenv("PUBLIC_BASE_URL")
    local = create_app({"SQLALCHEMY_DATABASE_URI": _database, "TESTING": True, "RATELIMIT_ENABLED": False})
    cookie = local.test_client().get("/").headers["Set-Cookie"]
    assert "SameSite=Lax" in cookie and "Secure" not in cookie
