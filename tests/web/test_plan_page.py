"""The plan page: chart, weeks, links, rules, check-ins, rotate and delete."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape

from flask.testing import FlaskClient

from planner.engine.words import DISCLAIMER


def _page(client: FlaskClient, token: str) -> str:
    response = client.get(f"/plans/{token}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _first_run_day(stored_plan: dict) -> str:
    return next(s["date"] for w in stored_plan["plan"]["weeks"] for s in w["sessions"] if s["kind"] == "run")


def test_plan_page_shows_chart_weeks_links_rules_and_disclaimer(client: FlaskClient, stored_plan: dict) -> None:
    token, links = stored_plan["token"], stored_plan["links"]
    html = _page(client, token)
    assert '<svg class="chart"' in html and "<title id=\"chart-title\">" in html and "<desc id=\"chart-desc\">" in html
    assert "Build" in html  # the phase legend
    for week in stored_plan["plan"]["weeks"]:
        assert f'id="week-{week["number"]}"' in html
    assert f'href="{links["webcal"]}"' in html and links["webcal"].startswith("webcal://")
    assert f'value="{links["ics"]}"' in html and "From URL" in html and "Subscribe from web" in html
    assert f'href="{links["ics"]}?download=1"' in html
    assert f'href="{links["csv"]}"' in html and f'href="{links["garmin"]}"' in html
    run = next(s for w in stored_plan["plan"]["weeks"] for s in w["sessions"] if s["kind"] == "run")
    assert f'href="/plans/{token}/sessions/{run["uid"]}.fit"' in html
    assert "GARMIN/NewFiles" in html and "Strava" in html and "Apple Watch" in html
    assert "Stop (walk home) if pain passes <strong>3/10</strong>" in html
    assert stored_plan["plan"]["progression_rule"] in unescape(html)
    for sign in stored_plan["plan"]["red_flags"]:
        assert sign in html
    assert DISCLAIMER in html and "Not medical advice." in html
    assert 'name="csrf_token"' in html


def test_walk_run_intervals_are_written_as_a_runner_reads_them(client: FlaskClient, past_start: date) -> None:
    response = client.post("/api/v1/plans", json={"weekly_volume": 0, "current_pain": 3,
                                                   "start_date": past_start.isoformat()})
    html = _page(client, response.json["token"])
    assert re.search(r"\d+ × run [\d.]+ min / walk [\d.]+ min", html)
    assert re.search(r"\d+ sets? ×\s+(\d+ reps|\d+ s hold)", html)


def test_current_week_comes_first(client: FlaskClient) -> None:
    monday = date.today() - timedelta(days=date.today().weekday() + 7)
    response = client.post("/api/v1/plans", json={"weekly_volume": 20, "current_pain": 2,
                                                   "start_date": monday.isoformat()})
    html = _page(client, response.json["token"])
    assert "This week: week 2" in html
    assert html.index('id="this-week"') < html.index('id="week-1"')


def test_a_plan_not_yet_started_shows_week_one_first(client: FlaskClient) -> None:
    response = client.post("/api/v1/plans", json={"weekly_volume": 20, "current_pain": 2})
    html = _page(client, response.json["token"])
    assert "Week 1: your first week" in html
    assert "Nothing to check in for yet" in html


def test_checkin_round_trip(client: FlaskClient, stored_plan: dict) -> None:
    token = stored_plan["token"]
    day = _first_run_day(stored_plan)
    html = _page(client, token)
    assert f'<option value="{day}"' in html
    response = client.post(f"/plans/{token}/checkins", data={
        "date": day, "pain_during": "2", "pain_next_morning": "0", "completed": "yes", "notes": "felt fine"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/plans/{token}?saved={day}#saved")
    saved = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'id="saved"' in saved and "the plan goes on as planned" in saved
    html = _page(client, token)
    assert "felt fine" in html and "2/10" in html and 'id="saved"' not in html
    assert f'<option value="{day}"' not in html  # a day already checked in is no longer offered
    assert client.get(f"/api/v1/plans/{token}").json["checkins"][0]["notes"] == "felt fine"


def test_a_flare_says_what_it_did_to_the_plan(client: FlaskClient, stored_plan: dict) -> None:
    token = stored_plan["token"]
    day = _first_run_day(stored_plan)
    response = client.post(f"/plans/{token}/checkins", data={
        "date": day, "pain_during": "6", "pain_next_morning": "1", "completed": "yes"})
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Next week repeats this week&#39;s load" in html and 'href="#week-2"' in html


def test_checkin_errors_sit_beside_fields_with_values_kept(client: FlaskClient, stored_plan: dict) -> None:
    token = stored_plan["token"]
    day = _first_run_day(stored_plan)
    response = client.post(f"/plans/{token}/checkins", data={
        "date": day, "pain_during": "", "pain_next_morning": "11", "completed": "no", "notes": "sore"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="pain_during-error"' in html and 'id="pain_next_morning-error"' in html
    assert 'id="error-summary"' in html
    assert ">sore</textarea>" in html
    assert re.search(r'id="completed-no" value="no" checked', html)
    assert re.search(rf'<option value="{day}" selected>', html)
    assert client.get(f"/api/v1/plans/{token}").json["checkins"] == []


def test_checkin_on_a_day_without_a_session_is_refused_beside_the_date(client: FlaskClient, stored_plan: dict) -> None:
    token = stored_plan["token"]
    response = client.post(f"/plans/{token}/checkins", data={
        "date": "2001-01-01", "pain_during": "1", "pain_next_morning": "1", "completed": "yes"})
    assert response.status_code == 422
    assert 'id="date-error"' in response.get_data(as_text=True)


def test_rotate_makes_the_old_url_404(client: FlaskClient, stored_plan: dict) -> None:
    old = stored_plan["token"]
    refused = client.post(f"/plans/{old}/rotate", data={})
    assert refused.status_code == 422 and 'id="confirm_rotate-error"' in refused.get_data(as_text=True)
    response = client.post(f"/plans/{old}/rotate", data={"confirm_rotate": "yes"})
    assert response.status_code == 303
    new = re.search(r"/plans/([^/#]+)", response.headers["Location"]).group(1)
    assert new != old
    assert client.get(f"/plans/{old}").status_code == 404
    assert client.get(f"/plans/{old}.ics").status_code == 404
    assert client.get(f"/plans/{new}").status_code == 200


def test_delete_makes_every_url_404(client: FlaskClient, stored_plan: dict) -> None:
    token = stored_plan["token"]
    refused = client.post(f"/plans/{token}/delete", data={})
    assert refused.status_code == 422 and 'id="confirm_delete-error"' in refused.get_data(as_text=True)
    response = client.post(f"/plans/{token}/delete", data={"confirm_delete": "yes"})
    assert response.status_code == 303
    assert "deleted=1" in response.headers["Location"]
    assert "Your plan has been deleted" in client.get("/?deleted=1").get_data(as_text=True)
    for url in (f"/plans/{token}", f"/plans/{token}.ics", f"/plans/{token}.csv", f"/plans/{token}/garmin.zip",
                f"/api/v1/plans/{token}"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/plans/{token}/checkins", data={"date": "2020-01-01"}).status_code == 404
    assert client.post(f"/plans/{token}/rotate", data={"confirm_rotate": "yes"}).status_code == 404
    assert client.post(f"/plans/{token}/delete", data={"confirm_delete": "yes"}).status_code == 404


def test_unknown_token_is_a_friendly_404(client: FlaskClient) -> None:
    response = client.get("/plans/not-a-real-token")
    assert response.status_code == 404
    assert "We can't find that page" in response.get_data(as_text=True)
