"""A physio's view: the page's share buttons, the read-only page, and no write through its token."""

from __future__ import annotations

import io
import re
from html import unescape

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from planner.extensions import db
from tests.activities.make_files import FILES
from tests.conftest import TABLES
from tests.web import test_browser as browsing
from tests.web.test_browser import CHROMIUM, PHONE, SHOTS, _no_horizontal_scroll, _page, _unexpected

# The browser tests' fixtures: a live server with CSRF on, Debian's Chromium, the console's messages.
base_url, browser, problems = browsing.base_url, browsing.browser, browsing.problems

NOTES = "tight at the sit bone on the hill"
READ_METHODS = {"GET", "HEAD", "OPTIONS"}


def _runs(stored_plan: dict) -> list[dict]:
    return [s for w in stored_plan["plan"]["weeks"] for s in w["sessions"] if s["kind"] == "run"]


@pytest.fixture
def checked_in(client: FlaskClient, stored_plan: dict) -> dict:
    """The stored plan with two check-ins: one over the ceiling with notes (a hold), one still waiting
    for its morning score."""
    token = stored_plan["token"]
    first, second = _runs(stored_plan)[:2]
    over = client.post(f"/api/v1/plans/{token}/checkins", json={
        "date": first["date"], "pain_during": 5, "pain_next_morning": 2, "notes": NOTES})
    assert over.status_code == 201 and over.json["decision"] == "hold", over.json
    waiting = client.post(f"/api/v1/plans/{token}/checkins", json={"date": second["date"], "pain_during": 1})
    assert waiting.status_code == 201, waiting.json
    return {**stored_plan, "checkin_days": [first["date"], second["date"]], "run": first}


def _share(client: FlaskClient, token: str) -> str:
    """The runner presses "Make a link for my physio"; the link their page then shows, as a path."""
    made = client.post(f"/plans/{token}/share")
    assert made.status_code == 303 and made.headers["Location"].endswith(f"/plans/{token}#share")
    page = client.get(f"/plans/{token}").get_data(as_text=True)
    link = re.search(r'id="share-url" class="copy-source" value="([^"]+)"', page)
    assert link, "the plan page shows the physio's link"
    return link.group(1).removeprefix("http://planner.test")


def test_the_plan_page_offers_a_link_for_the_physio(client: FlaskClient, stored_plan: dict) -> None:
    token = stored_plan["token"]
    page = client.get(f"/plans/{token}").get_data(as_text=True)
    assert f'action="/plans/{token}/share"' in page and "Make a link for my physio" in page
    assert "Stop sharing" not in page and 'id="share-url"' not in page
    path = _share(client, token)
    page = client.get(f"/plans/{token}").get_data(as_text=True)
    assert f'action="/plans/{token}/share/delete"' in page and "Stop sharing" in page
    assert "Make a new physio link" in page
    assert client.get(path).status_code == 200


def test_stop_sharing_on_the_page_revokes_the_link_and_keeps_the_runners(client: FlaskClient,
                                                                          stored_plan: dict) -> None:
    token = stored_plan["token"]
    path = _share(client, token)
    stopped = client.post(f"/plans/{token}/share/delete")
    assert stopped.status_code == 303 and stopped.headers["Location"].endswith(f"/plans/{token}#share")
    assert client.get(path).status_code == 404
    page = client.get(f"/plans/{token}")
    assert page.status_code == 200 and "Make a link for my physio" in page.get_data(as_text=True)


def test_a_new_link_on_the_page_replaces_the_old_one(client: FlaskClient, stored_plan: dict) -> None:
    token = stored_plan["token"]
    first = _share(client, token)
    second = _share(client, token)
    assert first != second
    assert client.get(first).status_code == 404 and client.get(second).status_code == 200


def test_the_physio_sees_the_plan_checkins_notes_pain_and_decisions(client: FlaskClient, checked_in: dict) -> None:
    path = _share(client, checked_in["token"])
    html = client.get(path).get_data(as_text=True)
    text_only = unescape(html)
    assert '<svg class="chart"' in html  # the chart
    for week in checked_in["plan"]["weeks"]:
        assert f'id="week-{week["number"]}"' in html and week["rationale"] in text_only
    run = checked_in["run"]
    assert run["title"] in text_only
    exercise = next(e for w in checked_in["plan"]["weeks"] for s in w["sessions"] for e in s["exercises"])
    assert exercise["name"] in text_only
    start = text_only.index('<table class="history')
    history = text_only[start:text_only.index("</table>", start)]
    assert NOTES in history and "5/10" in history and "2/10" in history and "not yet" in history
    # What each check-in did, as its revision recorded it: the week's decision, a hold, on both days.
    assert history.count("Repeat this level.") == 2 and "Next week repeats this week's load" in history
    assert "Shared with you to read" in text_only
    assert checked_in["plan"]["progression_rule"] in text_only


def test_the_physio_page_has_no_form_control_or_runner_link(client: FlaskClient, checked_in: dict) -> None:
    token = checked_in["token"]
    path = _share(client, token)
    html = client.get(path).get_data(as_text=True)
    assert token not in html  # no URL of the runner's: page, feed, webcal, files, API, FIT
    for absent in ("<form", "<input", "<select", "<textarea", "csrf_token", 'type="file"', "webcal:", ".ics",
                   ".csv", "garmin.zip", ".fit", "/api/", "Stop sharing", "Make a new link", "Delete plan",
                   "Check in after a session", "Save check-in", "Read the run", "How was it this morning?"):
        assert absent not in html, absent


def test_the_physio_page_is_private_unlisted_and_sends_no_referrer(client: FlaskClient, stored_plan: dict) -> None:
    path = _share(client, stored_plan["token"])
    response = client.get(path)
    assert response.headers["Cache-Control"] == "no-store, private"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "noindex" in response.headers["X-Robots-Tag"]
    assert '<meta name="referrer" content="no-referrer">' in response.get_data(as_text=True)
    missing = client.get("/shared/" + "x" * 32)
    assert missing.status_code == 404 and "noindex" in missing.headers["X-Robots-Tag"]


def test_the_physio_page_prints_without_runner_parts(client: FlaskClient, stored_plan: dict) -> None:
    """The print stylesheet is linked, and what it hides on paper (forms, buttons, navigation) the
    physio page does not need; the weeks and check-ins it keeps are there."""
    html = client.get(_share(client, stored_plan["token"])).get_data(as_text=True)
    assert 'href="/static/print.css" media="print"' in html
    assert 'class="card history-card"' in html and 'details class="card week"' in html


def _rows(app: Flask) -> dict[str, list[tuple]]:
    with app.app_context():
        with db.engine.connect() as connection:
            return {table: sorted(map(tuple, connection.execute(text(f"SELECT * FROM {table}"))), key=repr)
                    for table in TABLES}


def _json_bodies(day: str) -> list[dict]:
    """A body each JSON write route takes from the runner: a check-in, a morning score, a connection, an
    address for the email reminders, a time away."""
    return [{"date": day, "pain_during": 2, "completed": True, "notes": "via the link"},
            {"pain_next_morning": 1, "notes": "via the link"}, {"athlete_id": "i12345", "api_key": "a-valid-key-123"},
            {"email": "runner@example.com"}, {"start": day, "end": day}]


def test_no_write_route_takes_the_share_token(app: Flask, client: FlaskClient, checked_in: dict) -> None:
    """Every route of the app that is not a read, given the physio's token where a plan token goes, with
    the JSON bodies and the form (with a run's file) that the runner's token would be let through with:
    404 or 405, and not a row of the database changes. (The API reads a body before the plan, as it
    does for any token: a body the route does not take is refused as such, 400, 415 or 422, which says
    nothing of the token; the body it takes meets the 404.)"""
    token, run = checked_in["token"], checked_in["run"]
    share_token = _share(client, token).removeprefix("/shared/")
    day = checked_in["checkin_days"][1]  # its morning score is still missing: the morning routes would take it
    values = {"token": share_token, "share_token": share_token, "day": day, "date": day, "uid": run["uid"],
              "start": day}
    fields = {"date": day, "pain_during": "2", "pain_next_morning": "1", "completed": "yes", "notes": "via the link",
              "confirm_rotate": "yes", "confirm_delete": "yes", "athlete_id": "i12345", "api_key": "a-valid-key-123",
              "email": "runner@example.com", "start": day, "end": day}
    fit = (FILES / "hilly.fit").read_bytes()
    before = _rows(app)
    tried = set()
    for rule in app.url_map.iter_rules():
        if not rule.arguments & {"token", "share_token"}:
            continue  # creating a plan and previewing one take no plan's token
        path = rule.build({name: values[name] for name in rule.arguments})[1]
        for method in sorted(rule.methods - READ_METHODS):
            tried.add((method, rule.endpoint))
            statuses = [client.open(path, method=method, **body).status_code for body in (
                *({"json": value} for value in _json_bodies(day)),
                {"data": {**fields, "file": (io.BytesIO(fit), "run.fit")}, "content_type": "multipart/form-data"},
            )]
            assert set(statuses) <= {400, 404, 405, 415, 422}, f"{method} {path}: {statuses}"
            assert {404, 405} & set(statuses), f"{method} {path}: {statuses}"
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        for path in (f"/shared/{share_token}", f"/shared/{share_token}/checkins", f"/shared/{share_token}/share"):
            assert client.open(path, method=method, json=fields).status_code in (404, 405), (method, path)
    assert _rows(app) == before
    assert client.get(f"/shared/{share_token}").status_code == 200  # the link itself still reads
    expected = {("POST", "web.checkin"), ("POST", "web.activity"), ("POST", "web.morning"), ("POST", "web.rotate"),
                ("POST", "web.delete"), ("POST", "web.share"), ("POST", "web.stop_sharing"),
                ("DELETE", "api.delete_plan"), ("POST", "api.share_plan"), ("DELETE", "api.stop_sharing"),
                ("POST", "api.add_checkin"), ("PATCH", "api.add_morning"), ("POST", "api.add_activity")}
    assert expected <= tried, expected - tried


def _clip(page, selector: str, name: str) -> None:
    """A full-page screenshot cut to `selector` (at most 1600 px of it)."""
    box = page.locator(selector).bounding_box()
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True, clip={**box, "height": min(box["height"], 1600)})


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium is not installed at /usr/bin/chromium")
def test_a_physio_opens_the_link_the_runner_made(browser, base_url, problems, checked_in: dict) -> None:
    """On a phone, the runner makes the link on their page; a fresh browser (no cookie of the runner's)
    opens it and reads the plan and a check-in's notes. axe finds nothing on the physio's page, on
    screen or printed."""
    from axe_playwright_python.sync_playwright import Axe

    SHOTS.mkdir(parents=True, exist_ok=True)
    runner = _page(browser, problems, PHONE)
    runner.goto(f"{base_url}/plans/{checked_in['token']}#share")
    runner.get_by_role("button", name="Make a link for my physio").click()
    runner.wait_for_url("**#share")
    link = runner.locator("#share-url").input_value()
    assert link.startswith(f"{base_url}/shared/")
    assert runner.get_by_role("button", name="Stop sharing").is_visible()
    runner.locator("#share").screenshot(path=str(SHOTS / "share-runner-phone.png"))

    physio = _page(browser, problems, PHONE)  # a new context: its own cookies, nothing of the runner's
    physio.goto(link)
    assert physio.get_by_role("heading", name="Test runner: a return-to-run plan").is_visible()
    assert physio.locator("svg.chart").is_visible()
    history = physio.locator("table.history")
    assert NOTES in history.inner_text() and "Repeat this level." in history.inner_text()
    assert physio.locator("form, input, select, textarea").count() == 0
    assert checked_in["token"] not in physio.content()
    _no_horizontal_scroll(physio)
    found = [f"screen: {v['id']} at {v['nodes'][0]['target']}" for v in Axe().run(physio).response["violations"]]
    physio.screenshot(path=str(SHOTS / "share-physio-phone.png"))
    physio.screenshot(path=str(SHOTS / "share-physio-phone-full.png"), full_page=True)
    _clip(physio, ".history-card", "share-physio-phone-checkins")

    physio.emulate_media(media="print")
    assert not physio.locator("nav.jump").is_visible() and not physio.locator("header.site").is_visible()
    assert history.is_visible()
    week = physio.locator("#week-1 .rationale")
    assert week.is_visible()  # every week's content prints, not only its summary line
    found += [f"print: {v['id']} at {v['nodes'][0]['target']}" for v in Axe().run(physio).response["violations"]]
    physio.screenshot(path=str(SHOTS / "share-physio-print.png"), full_page=True)
    physio.screenshot(path=str(SHOTS / "share-physio-print-top.png"), full_page=True,
                      clip={"x": 0, "y": 0, "width": PHONE["width"], "height": 1800})
    _clip(physio, ".history-card", "share-physio-print-checkins")
    _clip(physio, "#week-1", "share-physio-print-week-1")
    assert found == []
    assert _unexpected(problems) == []


def test_in_the_physios_browser_every_write_through_the_link_fails(browser, base_url, problems, client: FlaskClient,
                                                                     checked_in: dict) -> None:
    """On a phone, from the physio's page itself: every write the runner's link allows, sent with the
    share token instead (as a script on that page could), answers 404, and the plan reads the same after."""
    token = checked_in["token"]
    share_token = _share(client, token).removeprefix("/shared/")
    before = client.get(f"/api/v1/plans/{token}").json
    day, run = checked_in["checkin_days"][1], checked_in["run"]
    physio = _page(browser, problems, PHONE)
    physio.goto(f"{base_url}/shared/{share_token}")
    attempts = [
        ("POST", f"/plans/{share_token}/checkins", "form", {"date": day, "pain_during": "2"}),
        ("POST", f"/plans/{share_token}/checkins/{day}/morning", "form", {"pain_next_morning": "1"}),
        ("POST", f"/plans/{share_token}/rotate", "form", {"confirm_rotate": "yes"}),
        ("POST", f"/plans/{share_token}/delete", "form", {"confirm_delete": "yes"}),
        ("POST", f"/plans/{share_token}/share", "form", {}),
        ("POST", f"/plans/{share_token}/connections/intervals", "form",
         {"athlete_id": "i1", "api_key": "key-12345678"}),
        ("POST", f"/api/v1/plans/{share_token}/checkins", "json", {"date": run["date"], "pain_during": 2}),
        ("PATCH", f"/api/v1/plans/{share_token}/checkins/{day}", "json", {"pain_next_morning": 1}),
        ("DELETE", f"/api/v1/plans/{share_token}", "json", None),
        ("POST", f"/api/v1/plans/{share_token}/share", "json", None),
        ("DELETE", f"/api/v1/plans/{share_token}/share", "json", None),
        ("PUT", f"/api/v1/plans/{share_token}/connections/intervals", "json",
         {"athlete_id": "i1", "api_key": "key-12345678"}),
        ("POST", f"/shared/{share_token}", "form", {}),
    ]
    # A form token of this browser's own session (the form on / has one), so the form routes are reached
    # and answer for the token rather than refusing a missing CSRF token.
    statuses = physio.evaluate("""async (attempts) => {
        const home = new DOMParser().parseFromString(await (await fetch("/")).text(), "text/html");
        const csrf = home.querySelector("input[name=csrf_token]").value;
        const answers = [];
        for (const [method, url, kind, body] of attempts) {
            const init = {method};
            if (kind === "json" && body !== null) {
                init.headers = {"Content-Type": "application/json"};
                init.body = JSON.stringify(body);
            } else if (kind === "form") {
                init.body = new URLSearchParams({...body, csrf_token: csrf});
            }
            answers.push((await fetch(url, init)).status);
        }
        return answers;
    }""", attempts)
    assert [(a[0], a[1], s) for a, s in zip(attempts, statuses, strict=True) if s not in (404, 405)] == []
    assert client.get(f"/api/v1/plans/{token}").json == before
    assert physio.get_by_role("heading", name="Test runner: a return-to-run plan").is_visible()
