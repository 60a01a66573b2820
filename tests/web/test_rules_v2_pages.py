"""The form and the plan page under clinical rules v2: current_runs on the form, target week, notices and
rules version on the page, the runner's day (rule 30) and the morning score added a day later (rule 31)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient

from planner import services

AUCKLAND = ZoneInfo("Pacific/Auckland")


def _page(client: FlaskClient, token: str) -> str:
    response = client.get(f"/plans/{token}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _session_days(plan: dict) -> list[str]:
    return [s["date"] for w in plan["weeks"] for s in w["sessions"] if s["kind"] != "rest"]


# -- the form ---------------------------------------------------------------------------------------

def test_the_form_asks_how_many_runs_beside_the_weekly_volume(client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    assert '<label class="label" for="current_runs">How many runs was that?' in html
    assert 'id="current_runs" name="current_runs"' in html and 'inputmode="numeric"' in html
    assert 'id="current_runs-help"' in html
    assert html.index('id="weekly_volume"') < html.index('id="current_runs"') < html.index('id="easy_pace"')
    assert not re.search(r'id="current_runs"[^>]*required', html)  # optional


def test_the_form_says_the_pace_it_assumes(client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    assert "5:00 per km (8:00 per mile)" in html
    assert "6:30 per km (10:30" not in html


@pytest.mark.parametrize("volume,runs,words", [
    ("20", "lots", "whole number"),
    ("20", "15", "whole number"),
    ("0", "3", "Enter 0 runs"),
    ("20", "0", "Enter at least 1 run"),
])
def test_current_runs_errors_sit_beside_the_field_with_the_value_kept(client: FlaskClient, volume: str, runs: str,
                                                                      words: str) -> None:
    response = client.post("/plans", data={"weekly_volume": volume, "current_runs": runs, "current_pain": "2"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    error = re.search(r'<p class="field-error" id="current_runs-error">(.*?)</p>', html, re.S)
    assert error and words in error.group(1)
    assert re.search(r'id="current_runs"[^>]*value="' + re.escape(runs) + '"[^>]*aria-describedby="current_runs-help '
                     r'current_runs-error"', html, re.S)
    assert 'href="#current_runs">Runs in the last 7 days:' in html  # the summary names it in words
    assert f'value="{volume}"' in html


def test_current_runs_from_the_form_is_stored(client: FlaskClient) -> None:
    response = client.post("/plans", data={"weekly_volume": "20", "current_runs": "2", "current_pain": "2"})
    assert response.status_code == 303
    token = response.headers["Location"].rsplit("/", 1)[1]
    assert client.get(f"/api/v1/plans/{token}").json["plan"]["request"]["current_runs"] == 2
    left_blank = client.post("/plans", data={"weekly_volume": "20", "current_runs": "", "current_pain": "2"})
    assert left_blank.status_code == 303


def test_the_suggested_start_is_next_monday_in_the_runners_zone(client: FlaskClient, clock) -> None:
    clock.at(datetime(2026, 11, 29, 12, tzinfo=UTC))  # Sunday in UTC, already Monday in Auckland
    html = client.get("/").get_data(as_text=True)
    assert 'value="2026-11-30"' in html and 'data-default-start="2026-11-30"' in html
    again = client.post("/plans", data={"weekly_volume": "lots", "current_pain": "2",
                                        "timezone": "Pacific/Auckland"}).get_data(as_text=True)
    assert 'id="start_date" name="start_date" value="2026-12-07"' in again


# -- the plan page ------------------------------------------------------------------------------------

@pytest.fixture
def shaped(monkeypatch: pytest.MonkeyPatch, client: FlaskClient, past_start: date):
    """A plan stored as the engine would give it with a target week or a notice: the page's plumbing,
    not the rules."""
    real = services.build_plan

    def shape(**fields):
        def build(*args, **kwargs):
            return replace(real(*args, **kwargs), **fields)
        monkeypatch.setattr(services, "build_plan", build)
        created = client.post("/api/v1/plans", json={"weekly_volume": 30, "current_pain": 2,
                                                      "start_date": past_start.isoformat()})
        assert created.status_code == 201, created.json
        return created.json

    return shape


def test_the_page_shows_the_target_week_and_its_date(client: FlaskClient, shaped) -> None:
    stored_plan = shaped(target_week=3)
    html = _page(client, stored_plan["token"])
    week3 = date.fromisoformat(stored_plan["plan"]["weeks"][2]["start"])
    assert f"Target expected in week 3, the week of {week3.day} {week3:%B %Y}." in html
    assert html.index('id="target"') < html.index('id="disclaimer"') < html.index('id="this-week"')


def test_no_target_week_says_nothing_about_it(client: FlaskClient, shaped) -> None:
    stored_plan = shaped(target_week=None)
    assert "Target expected" not in _page(client, stored_plan["token"])


def test_the_page_shows_notices_prominently_and_the_rules_version(client: FlaskClient, shaped) -> None:
    stored_plan = shaped(notices=["See a physiotherapist: your check-ins show repeated flare-ups."])
    html = _page(client, stored_plan["token"])
    notice = html.index("See a physiotherapist: your check-ins show repeated flare-ups.")
    assert html.index("<h1>") < notice < html.index('id="this-week"')
    assert re.search(r'<p class="notice notice-warn" role="status"><strong>Please note:</strong> See a physio', html)
    assert '<p class="muted rules-version">Rules version 2</p>' in html


def test_this_week_is_the_runners_week(client: FlaskClient, clock) -> None:
    start = date(2026, 11, 30)
    tokens = {zone: client.post("/api/v1/plans", json={"weekly_volume": 20, "current_pain": 2,
                                                       "start_date": start.isoformat(), "timezone": zone}).json["token"]
              for zone in ("Pacific/Auckland", "UTC")}
    # 01:00 on Monday of week 2 in Auckland: still Sunday of week 1 in UTC.
    clock.at(datetime.combine(start + timedelta(days=7), time(1, 0), tzinfo=AUCKLAND))
    assert "This week: week 2" in _page(client, tokens["Pacific/Auckland"])
    assert "This week: week 1" in _page(client, tokens["UTC"])


def test_the_checkin_form_offers_the_runners_today(client: FlaskClient, clock) -> None:
    token_plan = client.post("/api/v1/plans", json={"weekly_volume": 20, "current_pain": 2,
                                                    "start_date": "2026-11-30", "timezone": "Pacific/Auckland"}).json
    day = _session_days(token_plan["plan"])[0]
    clock.at(datetime.combine(date.fromisoformat(day), time(7, 30), tzinfo=AUCKLAND))
    html = _page(client, token_plan["token"])
    assert f'<option value="{day}"' in html
    response = client.post(f"/plans/{token_plan['token']}/checkins", data={"date": day, "pain_during": "2"})
    assert response.status_code == 303, response.get_data(as_text=True)


# -- the morning score, a day later -----------------------------------------------------------------------

def test_the_checkin_forms_morning_field_is_optional(client: FlaskClient, stored_plan: dict) -> None:
    html = _page(client, stored_plan["token"])
    assert '<label class="label" for="pain_next_morning">Pain the next morning (optional)</label>' in html
    assert "Leave it empty if it is still the same day" in html


def test_a_checkin_without_its_morning_asks_for_it_the_next_day(client: FlaskClient, stored_plan: dict) -> None:
    token = stored_plan["token"]
    day = _session_days(stored_plan["plan"])[0]
    response = client.post(f"/plans/{token}/checkins", data={"date": day, "pain_during": "2", "pain_next_morning": "",
                                                             "completed": "yes"})
    assert response.status_code == 303
    assert client.get(f"/api/v1/plans/{token}").json["checkins"][0]["pain_next_morning"] is None
    html = _page(client, token)
    assert "How was it this morning?" in html
    assert f'action="/plans/{token}/checkins/{day}/morning"' in html
    form = html[html.index(f'action="/plans/{token}/checkins/{day}/morning"'):]
    form = form[:form.index("</form>")]
    assert 'name="csrf_token"' in form
    assert f'<select id="morning-{day}" name="pain_next_morning" aria-describedby="morning-{day}-help">' in form
    assert '<option value="10">' in form
    assert '<span class="muted">not yet</span>' in html  # the history says the morning is still to come

    saved = client.post(f"/plans/{token}/checkins/{day}/morning", data={"pain_next_morning": "1"})
    assert saved.status_code == 303
    assert saved.headers["Location"].endswith(f"/plans/{token}?saved={day}#saved")
    assert client.get(f"/api/v1/plans/{token}").json["checkins"][0]["pain_next_morning"] == 1
    html = _page(client, token)
    assert f"/checkins/{day}/morning" not in html and "1/10" in html


def test_morning_form_errors_sit_beside_the_field(client: FlaskClient, stored_plan: dict) -> None:
    token = stored_plan["token"]
    day = _session_days(stored_plan["plan"])[0]
    client.post(f"/plans/{token}/checkins", data={"date": day, "pain_during": "2"})
    for sent in ("", "11"):
        response = client.post(f"/plans/{token}/checkins/{day}/morning", data={"pain_next_morning": sent})
        html = response.get_data(as_text=True)
        assert response.status_code == 422
        assert f'<p class="field-error" id="morning-{day}-error">' in html
        assert f'aria-describedby="morning-{day}-help morning-{day}-error" aria-invalid="true"' in html
        assert f'href="#morning-{day}">The morning after' in html  # the error summary links to the field
    assert client.get(f"/api/v1/plans/{token}").json["checkins"][0]["pain_next_morning"] is None


def test_todays_checkin_waits_for_tomorrow_morning(client: FlaskClient, clock) -> None:
    created = client.post("/api/v1/plans", json={"weekly_volume": 20, "current_pain": 2, "start_date": "2026-11-30",
                                                 "timezone": "Pacific/Auckland"}).json
    token, day = created["token"], _session_days(created["plan"])[0]
    clock.at(datetime.combine(date.fromisoformat(day), time(20, 0), tzinfo=AUCKLAND))
    assert client.post(f"/plans/{token}/checkins", data={"date": day, "pain_during": "2"}).status_code == 303
    html = _page(client, token)
    assert f"/checkins/{day}/morning" not in html and "come back tomorrow morning" in html
    refused = client.post(f"/plans/{token}/checkins/{day}/morning", data={"pain_next_morning": "1"})
    assert refused.status_code == 422
    assert f'id="morning-{day}-error"' in refused.get_data(as_text=True)
    clock.at(datetime.combine(date.fromisoformat(day) + timedelta(days=1), time(7, 0), tzinfo=AUCKLAND))
    assert f'action="/plans/{token}/checkins/{day}/morning"' in _page(client, token)
    # A morning score given with the same day's check-in is refused beside its field, values kept.
    other = _session_days(created["plan"])[1]
    clock.at(datetime.combine(date.fromisoformat(other), time(20, 0), tzinfo=AUCKLAND))
    same_day = client.post(f"/plans/{token}/checkins", data={"date": other, "pain_during": "2",
                                                             "pain_next_morning": "1"})
    html = same_day.get_data(as_text=True)
    assert same_day.status_code == 422 and 'id="pain_next_morning-error"' in html
    assert re.search(r'id="pain_next_morning".*?<option value="1" selected>', html, re.S)


def test_the_morning_route_answers_404_without_a_checkin(client: FlaskClient, stored_plan: dict) -> None:
    token = stored_plan["token"]
    day = _session_days(stored_plan["plan"])[0]
    for path_day in (day, "not-a-day", "2027-02-30"):
        assert client.post(f"/plans/{token}/checkins/{path_day}/morning",
                           data={"pain_next_morning": "1"}).status_code == 404
    assert client.post(f"/plans/nope/checkins/{day}/morning", data={"pain_next_morning": "1"}).status_code == 404


def test_the_morning_form_needs_its_csrf_token(app: Flask, stored_plan: dict) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    token = stored_plan["token"]
    day = _session_days(stored_plan["plan"])[0]
    response = app.test_client().post(f"/plans/{token}/checkins/{day}/morning", data={"pain_next_morning": "1"})
    assert response.status_code == 400
