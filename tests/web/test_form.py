"""The web form: GET /, POST /plans (422 with errors beside fields, 303 to the plan, referral)."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from planner.engine.screening import RED_FLAGS
from planner.extensions import db
from planner.store.models import PlanRecord


def _count(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(PlanRecord))


def test_form_asks_every_field_with_labels_tied_to_inputs(client: FlaskClient) -> None:
    response = client.get("/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    for name in ("weekly_volume", "easy_pace", "target_weekly_volume", "current_pain", "pain_tolerance",
                 "pain_at_rest", "longest_run", "cadence", "runs_per_week", "start_date", "timezone",
                 "session_time", "name"):
        assert f'<label class="label" for="{name}">' in html, name
        assert f'id="{name}" name="{name}"' in html or f'id="{name}"' in html, name
        assert f'{name}-help' in html, name
    for unit in ("km", "mi", "min"):
        assert f'id="unit-{unit}" value="{unit}"' in html
    assert 'name="morning_after_worse"' in html
    for flag in RED_FLAGS:
        assert f'value="{flag.id}" id="rf-{flag.id}"' in html
        assert f'<label for="rf-{flag.id}">' in html
    assert "<summary>More detail (optional)</summary>" in html
    assert 'name="csrf_token"' in html


def test_form_has_sensible_defaults(client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    assert re.search(r'id="unit-km" value="km" checked', html)
    assert re.search(r'<option value="3" selected>3 runs', html)
    assert re.search(r'id="pain_tolerance".*?<option value="3" selected>', html, re.S)
    assert re.search(r'id="start_date" name="start_date" value="\d{4}-\d{2}-\d{2}"', html)


def test_bad_values_answer_422_with_errors_beside_fields_and_values_kept(client: FlaskClient, app: Flask) -> None:
    response = client.post("/plans", data={
        "weekly_volume": "lots", "unit": "mi", "easy_pace": "9.30", "cadence": "12", "name": "Sam",
        "pain_tolerance": "4", "red_flags": [], "morning_after_worse": "yes",
    })
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="error-summary"' in html
    for field in ("weekly_volume", "current_pain", "easy_pace", "cadence"):
        assert f'id="{field}-error"' in html, field
        assert re.search(rf'id="{field}"[^>]*aria-describedby="[^"]*{field}-error', html, re.S), field
    assert "This field is required." in html
    assert 'value="lots"' in html and 'value="9.30"' in html and 'value="12"' in html and 'value="Sam"' in html
    assert re.search(r'id="unit-mi" value="mi" checked', html)
    assert re.search(r'id="pain_tolerance".*?<option value="4" selected>', html, re.S)
    assert re.search(r'id="morning_after_worse-yes" value="yes" checked', html)
    assert "<details class=\"card more\" open>" in html  # an error inside "More detail" opens it
    assert _count(app) == 0


def test_a_good_form_answers_303_to_the_plan_page(client: FlaskClient, app: Flask) -> None:
    response = client.post("/plans", data={"weekly_volume": "20", "unit": "km", "current_pain": "2",
                                           "morning_after_worse": "no", "timezone": "Europe/London"})
    assert response.status_code == 303
    assert re.fullmatch(r"/plans/[A-Za-z0-9_-]{22,}", response.headers["Location"].replace("http://planner.test", ""))
    assert _count(app) == 1
    page = client.get(response.headers["Location"])
    assert page.status_code == 200


def test_morning_after_no_is_false(client: FlaskClient) -> None:
    response = client.post("/plans", data={"weekly_volume": "20", "current_pain": "2", "morning_after_worse": "no"})
    token = response.headers["Location"].rsplit("/", 1)[1]
    stored = client.get(f"/api/v1/plans/{token}").json
    assert stored["plan"]["request"]["morning_after_worse"] is False


@pytest.mark.parametrize("flag,heading", [
    ("saddle_numbness", "Get urgent medical care now"),
    ("night_pain", "Please see a doctor or physiotherapist before you run"),
])
def test_red_flags_show_a_referral_and_store_nothing(client: FlaskClient, app: Flask, flag: str, heading: str) -> None:
    response = client.post("/plans", data={"weekly_volume": "20", "current_pain": "2", "red_flags": [flag]})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert heading in html
    assert "We have not saved your answers" in html
    assert "/plans/" not in html.replace('action="/plans"', "")
    assert _count(app) == 0


def test_a_post_without_the_csrf_token_is_rejected(app: Flask) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    response = client.post("/plans", data={"weekly_volume": "20", "current_pain": "2"})
    assert response.status_code == 400
    assert "The form expired" in response.get_data(as_text=True)
    assert _count(app) == 0
