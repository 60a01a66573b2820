"""The pain chart on the plan page: drawn from the stored check-ins, stored with the page's revision,
with its table for screen readers; and in a real browser on a phone, checked by axe."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date

import lxml.html
import pytest
from flask.testing import FlaskClient

from tests.test_chart import bar_centres, markers, pain_axis, score_y
from tests.web.test_browser import (  # noqa: F401 (browser, base_url and problems are fixtures)
    CHROMIUM,
    PHONE,
    SHOTS,
    _no_horizontal_scroll,
    _page,
    base_url,
    browser,
    problems,
)

SVG = "{http://www.w3.org/2000/svg}"


def _html(client: FlaskClient, token: str) -> str:
    response = client.get(f"/plans/{token}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _chart(html: str) -> ET.Element:
    (svg,) = re.findall(r'<svg class="pain-chart".*?</svg>', html, re.S)
    return ET.fromstring(svg)


def _table(html: str) -> list[list[str]]:
    (table,) = lxml.html.fromstring(html).find_class("pain-table")
    assert table.findtext("caption").startswith("Pain during and the next morning, each check-in")
    assert [th.get("scope") for th in table.iter("th")][:4] == ["col"] * 4
    return [[" ".join(cell.text_content().split()) for cell in row] for row in table.find("tbody")]


def _run_days(plan: dict) -> list[date]:
    return [date.fromisoformat(s["date"]) for w in plan["weeks"] for s in w["sessions"] if s["kind"] == "run"]


def _week_index(plan: dict, day: date) -> int:
    return next(i for i, w in enumerate(plan["weeks"]) if 0 <= (day - date.fromisoformat(w["start"])).days < 7)


SCORES = [(0, 2, 1), (3, 5, 3), (7, 0, 0), (8, 3, None)]  # (which run, pain during, next morning)


@pytest.fixture
def checked_in(client: FlaskClient, stored_plan: dict) -> tuple[dict, list[tuple[date, int, int | None]]]:
    """The stored plan with four check-ins through the API, the last still waiting for its morning score."""
    runs = _run_days(stored_plan["plan"])
    posted = []
    for index, during, morning in SCORES:
        body: dict = {"date": runs[index].isoformat(), "pain_during": during}
        if morning is not None:
            body["pain_next_morning"] = morning
        response = client.post(f"/api/v1/plans/{stored_plan['token']}/checkins", json=body)
        assert response.status_code == 201, response.json
        posted.append((runs[index], during, morning))
    latest = client.get(f"/api/v1/plans/{stored_plan['token']}").json  # check-ins re-plan the weeks ahead
    return latest, posted


def test_no_checkins_yet_is_a_sentence_not_an_empty_chart(client: FlaskClient, stored_plan: dict) -> None:
    html = _html(client, stored_plan["token"])
    assert "Pain and running, week by week" in html
    assert "Your pain chart starts with your first check-in." in html
    assert 'class="pain-chart"' not in html and "pain-table" not in html


def test_one_marker_per_score_at_its_week_and_value(client: FlaskClient, checked_in: tuple) -> None:
    stored_plan, posted = checked_in
    plan = stored_plan["plan"]
    root = _chart(_html(client, stored_plan["token"]))
    assert root.get("role") == "img" and root.findtext(f"{SVG}title")
    assert (root.findtext(f"{SVG}desc") or "").startswith("4 check-ins from ")
    circles, squares = markers(root)
    assert len(circles) == 4 and len(squares) == 3
    centres = bar_centres(root)
    assert len(centres) == len(plan["weeks"])  # a light bar for every week (30 km a week: every week runs)
    slot = centres[1] - centres[0]
    axis = pain_axis(root)
    mornings = iter(squares)
    for (day, during, morning), (x, y) in zip(posted, circles, strict=True):
        week = _week_index(plan, day)
        assert centres[week] - slot / 2 < x < centres[week] + slot / 2  # inside its week's slot
        offset = (day - date.fromisoformat(plan["weeks"][week]["start"])).days
        assert x == pytest.approx(centres[week] + slot * ((offset + 0.5) / 7 - 0.5), abs=0.2)
        assert y == pytest.approx(score_y(axis, during), abs=0.06)
        if morning is not None:
            mx, my, _ = next(mornings)
            assert (mx, my) == (pytest.approx(x, abs=0.01), pytest.approx(score_y(axis, morning), abs=0.06))


def test_the_ceiling_line_sits_at_the_tolerance(client: FlaskClient, past_start: date) -> None:
    created = client.post("/api/v1/plans", json={"weekly_volume": 20, "current_pain": 1, "pain_tolerance": 4,
                                                  "start_date": past_start.isoformat()})
    token = created.json["token"]
    day = _run_days(created.json["plan"])[0]
    assert client.post(f"/api/v1/plans/{token}/checkins", json={"date": day.isoformat(), "pain_during": 1,
                                                                "pain_next_morning": 0}).status_code == 201
    root = _chart(_html(client, token))
    (line,) = [e for e in root.iter(f"{SVG}line") if e.get("class") == "ceiling"]
    assert float(line.get("y1", "")) == pytest.approx(score_y(pain_axis(root), 4), abs=0.06)
    assert "your ceiling: 4/10" in [t.text for t in root.iter(f"{SVG}text")]


def test_the_table_lists_every_checkin_with_both_scores(client: FlaskClient, checked_in: tuple) -> None:
    stored_plan, posted = checked_in
    rows = _table(_html(client, stored_plan["token"]))
    expected = [[f"{day:%a} {day.day} {day:%b}", str(stored_plan["plan"]["weeks"][_week_index(stored_plan["plan"], day)]
                 ["number"]), f"{during}/10", "not yet" if morning is None else f"{morning}/10"]
                for day, during, morning in posted]
    assert rows == expected


def test_a_morning_score_reaches_the_stored_page(client: FlaskClient, checked_in: tuple) -> None:
    """The page is stored per revision: the morning score's revision draws the missing square."""
    stored_plan, posted = checked_in
    token = stored_plan["token"]
    before = _html(client, token)
    assert _html(client, token) == before  # served from the stored page
    last = posted[-1][0]
    patched = client.patch(f"/api/v1/plans/{token}/checkins/{last.isoformat()}", json={"pain_next_morning": 2})
    assert patched.status_code == 200, patched.json
    after = _html(client, token)
    circles, squares = markers(_chart(after))
    assert len(circles) == len(squares) == 4
    assert squares[-1][1] == pytest.approx(score_y(pain_axis(_chart(after)), 2), abs=0.06)
    assert _table(after)[-1][-1] == "2/10" and "not yet" not in str(_table(after))


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium is not installed at /usr/bin/chromium")
def test_the_chart_on_a_phone_fits_and_passes_axe(browser, base_url, problems, client: FlaskClient,  # noqa: F811
                                                  checked_in: tuple) -> None:
    from axe_playwright_python.sync_playwright import Axe

    token = checked_in[0]["token"]
    page = _page(browser, problems, PHONE)
    page.goto(f"{base_url}/plans/{token}")
    chart = page.locator("svg.pain-chart")
    chart.scroll_into_view_if_needed()
    assert chart.is_visible()
    box, card = chart.bounding_box(), page.locator(".pain-card").bounding_box()
    assert box["width"] > 250 and box["x"] >= card["x"] and box["x"] + box["width"] <= card["x"] + card["width"]
    assert box["x"] + box["width"] <= PHONE["width"]
    _no_horizontal_scroll(page)
    found = Axe().run(page).response["violations"]
    page.get_by_text("Show the pain chart as a table").click()
    assert page.locator("table.pain-table").is_visible()
    found += Axe().run(page).response["violations"]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator(".pain-chart-block").screenshot(path=str(SHOTS / "pain-chart-phone.png"))
    page.screenshot(path=str(SHOTS / "pain-chart-phone-viewport.png"))
    assert [f"{v['id']} ({v['impact']}) at {v['nodes'][0]['target']}" for v in found] == []
    assert problems == []
