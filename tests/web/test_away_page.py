"""The plan page's "Away for a while?" card: add days away, see them listed and remove them; errors
beside the fields with what was typed kept; and in Chromium at phone size, with axe finding nothing."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape

import pytest
from flask.testing import FlaskClient

from planner import services
from planner.engine.words import day_span
from tests.web import test_browser as browsing
from tests.web.test_browser import PHONE, SHOTS, _no_horizontal_scroll, _page, _unexpected

base_url, browser, problems = browsing.base_url, browsing.browser, browsing.problems


def _ahead(days: int) -> date:
    return services.today() + timedelta(days=days)


@pytest.fixture
def recent_plan(client: FlaskClient) -> dict:
    """A plan that began two Mondays ago, so the weeks ahead hold the days away."""
    start = services.today() - timedelta(days=services.today().weekday() + 14)
    created = client.post("/api/v1/plans", json={"weekly_volume": 25, "current_pain": 2,
                                                  "start_date": start.isoformat()})
    assert created.status_code == 201, created.json
    return created.json


def _text(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def test_the_card_adds_lists_and_removes_a_time_away(client: FlaskClient, recent_plan: dict) -> None:
    token = recent_plan["token"]
    start, end = _ahead(10), _ahead(14)
    page = client.get(f"/plans/{token}").get_data(as_text=True)
    assert 'id="away-heading"' in page and "Away for a while?" in page
    added = client.post(f"/plans/{token}/away", data={"start": start.isoformat(), "end": end.isoformat()})
    assert added.status_code == 303 and added.location.endswith("#away")
    page = client.get(f"/plans/{token}").get_data(as_text=True)
    shown = _text(page)
    assert f"Remove {day_span(start, end)}" in shown
    assert "You are away" in shown and "no sessions on those days" in shown  # the week's words say it
    plan = client.get(f"/api/v1/plans/{token}").json["plan"]
    assert not [s for w in plan["weeks"] for s in w["sessions"] if start.isoformat() <= s["date"] <= end.isoformat()]
    removed = client.post(f"/plans/{token}/away/{start.isoformat()}/delete")
    assert removed.status_code == 303
    assert f"Remove {day_span(start, end)}" not in _text(client.get(f"/plans/{token}").get_data(as_text=True))
    assert client.post(f"/plans/{token}/away/{start.isoformat()}/delete").status_code == 404


def test_errors_show_beside_the_fields_and_keep_what_was_typed(client: FlaskClient, recent_plan: dict) -> None:
    token = recent_plan["token"]
    start, end = _ahead(10), _ahead(8)
    answer = client.post(f"/plans/{token}/away", data={"start": start.isoformat(), "end": end.isoformat()})
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    error = re.search(r'<p class="field-error" id="end-error">(.*?)</p>', page, re.S)
    assert error and "on or after the first day away" in error.group(1)
    assert f'name="start" value="{start.isoformat()}"' in page and f'name="end" value="{end.isoformat()}"' in page
    assert 'aria-invalid="true"' in page
    blank = client.post(f"/plans/{token}/away", data={"start": start.isoformat(), "end": ""})
    assert blank.status_code == 422 and 'id="end-error"' in blank.get_data(as_text=True)
    over = client.post(f"/plans/{token}/away", data={"start": _ahead(-30).isoformat(), "end": _ahead(-20).isoformat()})
    assert over.status_code == 422 and "That time away is over" in unescape(over.get_data(as_text=True))


def test_the_card_at_phone_size_has_no_accessibility_violations(browser, base_url, problems, client) -> None:
    from axe_playwright_python.sync_playwright import Axe

    start = date.today() - timedelta(days=date.today().weekday() + 14)
    created = client.post("/api/v1/plans", json={"weekly_volume": 25, "current_pain": 2,
                                                  "start_date": start.isoformat()})
    token = created.json["token"]
    axe = Axe()
    page = _page(browser, problems, PHONE)
    page.goto(f"{base_url}/plans/{token}#away")
    card = page.locator("#away")
    first, last = date.today() + timedelta(days=3), date.today() + timedelta(days=18)
    page.get_by_label("First day away").fill(first.isoformat())
    page.get_by_label("Last day away").fill((first - timedelta(days=2)).isoformat())
    page.get_by_role("button", name="I'm away then").click()
    page.wait_for_load_state()
    assert card.locator(".field-error").is_visible()
    SHOTS.mkdir(parents=True, exist_ok=True)
    card.screenshot(path=str(SHOTS / "plan-phone-away-error.png"))
    found = [v["id"] for v in axe.run(page, context="#away").response["violations"]]
    page.get_by_label("Last day away").fill(last.isoformat())
    page.get_by_role("button", name="I'm away then").click()
    page.wait_for_url("**#away")
    assert card.get_by_role("button", name=re.compile("^Remove")).is_visible()
    card.screenshot(path=str(SHOTS / "plan-phone-away.png"))
    found += [v["id"] for v in axe.run(page, context="#away").response["violations"]]
    _no_horizontal_scroll(page)
    week = page.locator("details.week", has_text="You are away").first
    assert week.count() == 1
    assert found == []
    assert _unexpected(problems) == []
