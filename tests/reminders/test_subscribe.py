"""Giving and stopping the address, on the plan page and through the API: shown back masked only,
a clear error beside the field (or a problem naming `email`), and no form when the server sends no email."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from planner.reminders import masked
from planner.schemas import EMAIL_PATTERN, ReminderModel
from tests.conftest import Clock, empty_tables, make_app

from .conftest import ADDRESS, MASKED, make_plan, subscribe


def test_the_page_form_subscribes_and_the_next_view_shows_the_masked_address(
    client: FlaskClient, clock: Clock
) -> None:
    token = make_plan(client, clock)["token"]
    first = client.get(f"/plans/{token}")
    html = first.get_data(as_text=True)
    assert "Email me a reminder the morning after each run" in html
    assert 'type="email" id="email" name="email" autocomplete="email"' in html
    etag = first.headers["ETag"]

    sent = client.post(f"/plans/{token}/reminders", data={"email": f"  {ADDRESS} "})
    assert sent.status_code == 303 and sent.headers["Location"].endswith("#reminders")
    again = client.get(f"/plans/{token}", headers={"If-None-Match": etag})
    assert again.status_code == 200  # the stored page did not change, the panel did: a new ETag
    html = again.get_data(as_text=True)
    assert MASKED in html and ADDRESS not in html and "runner.jones" not in html
    assert "Stop the emails" in html and 'id="email"' not in html
    assert client.get(f"/plans/{token}", headers={"If-None-Match": again.headers["ETag"]}).status_code == 304

    stopped = client.post(f"/plans/{token}/reminders/delete")
    assert stopped.status_code == 303
    html = client.get(f"/plans/{token}").get_data(as_text=True)
    assert MASKED not in html and 'id="email"' in html


def test_a_bad_address_is_shown_again_beside_the_field(client: FlaskClient, clock: Clock) -> None:
    token = make_plan(client, clock)["token"]
    for typed in ("runner@", "not an address", "a@b", "x" * 250 + "@example.com", ""):
        page = client.post(f"/plans/{token}/reminders", data={"email": typed})
        assert page.status_code == 422, typed
        html = page.get_data(as_text=True)
        assert 'id="email-error"' in html and 'aria-invalid="true"' in html
        assert "Enter an email address" in html
        assert "Email address: Enter an email address" in html  # the summary at the top names it too
    assert client.get(f"/api/v1/plans/{token}").json["reminders"] is None


def test_the_api_subscribes_shows_it_masked_and_stops(client: FlaskClient, clock: Clock) -> None:
    token = make_plan(client, clock)["token"]
    assert client.get(f"/api/v1/plans/{token}").json["reminders"] is None
    before = client.get(f"/api/v1/plans/{token}").headers["ETag"]
    subscribe(client, token)
    answer = client.get(f"/api/v1/plans/{token}")
    assert answer.json["reminders"] == {"email": MASKED}
    assert ADDRESS not in answer.get_data(as_text=True) and answer.headers["ETag"] != before
    assert client.delete(f"/api/v1/plans/{token}/reminders").status_code == 204
    assert client.delete(f"/api/v1/plans/{token}/reminders").status_code == 204  # none: still 204
    assert client.get(f"/api/v1/plans/{token}").json["reminders"] is None
    assert client.put("/api/v1/plans/nosuchplanatall/reminders", json={"email": ADDRESS}).status_code == 404


def test_a_bad_address_through_the_api_is_a_problem_naming_email(client: FlaskClient, clock: Clock) -> None:
    token = make_plan(client, clock)["token"]
    for body in ({"email": "runner@"}, {"email": "a@b.com\r\nBcc: all@example.com"}, {"email": 5}, {},
                 {"email": ADDRESS, "extra": 1}):
        answer = client.put(f"/api/v1/plans/{token}/reminders", json=body)
        assert answer.status_code == 422 and answer.mimetype == "application/problem+json", body
        assert "email" in {e["field"] for e in answer.json["errors"]} or "extra" in answer.json["detail"]
    answer = client.put(f"/api/v1/plans/{token}/reminders", data="email=" + ADDRESS,
                        content_type="application/x-www-form-urlencoded")
    assert answer.status_code == 415


def test_without_smtp_the_page_offers_no_form_and_the_api_answers_409(_database: str) -> None:
    app: Flask = make_app(_database, SMTP_URL=None)
    try:
        client = app.test_client()
        response = client.post("/api/v1/plans", json={"weekly_volume": 20, "current_pain": 2})
        token = response.json["token"]
        html = client.get(f"/plans/{token}").get_data(as_text=True)
        assert "Email reminders are not set up on this server" in html and 'id="email"' not in html
        answer = client.put(f"/api/v1/plans/{token}/reminders", json={"email": ADDRESS})
        assert answer.status_code == 409 and answer.mimetype == "application/problem+json"
        assert "SMTP_URL" in answer.json["detail"]
        page = client.post(f"/plans/{token}/reminders", data={"email": ADDRESS})
        assert page.status_code == 409 and "not set up on this server" in page.get_data(as_text=True)
        assert client.get(f"/api/v1/plans/{token}").json["reminders"] is None
    finally:
        empty_tables(app)


def test_the_openapi_document_describes_the_routes(client: FlaskClient) -> None:
    document = client.get("/api/v1/openapi.json").json
    route = document["paths"]["/api/v1/plans/{token}/reminders"]
    assert set(route) >= {"put", "delete"} and "409" in route["put"]["responses"]
    assert document["components"]["schemas"]["ReminderModel"]["properties"]["email"]["maxLength"] == 254


ADDRESSES = st.from_regex(EMAIL_PATTERN, fullmatch=True).filter(lambda a: len(a) <= 254 and len(a.split("@")[0]) <= 64)


@settings(max_examples=200, deadline=None)
@given(ADDRESSES)
def test_any_address_taken_is_shown_back_masked_and_never_whole(address: str) -> None:
    taken = ReminderModel.model_validate({"email": address}).email
    shown = masked(taken)
    local, domain = taken.rsplit("@", 1)
    assert shown == f"{local[0]}•••@{domain}"
    assert taken not in shown


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=300))
def test_any_text_taken_as_an_address_has_one_at_and_no_line_breaks(text: str) -> None:
    try:
        taken = ReminderModel.model_validate({"email": text}).email
    except ValidationError:
        return
    assert taken.count("@") == 1 and len(taken) <= 254
    assert not any(c in taken for c in "\r\n\x00 <>,;\"")
