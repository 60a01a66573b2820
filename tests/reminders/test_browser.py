"""The reminder panel on a phone (390x844, Debian's Chromium), CSRF on: the form, its error, the masked
address after subscribing, and no accessibility violations (axe)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from cryptography.fernet import Fernet
from flask import Flask
from werkzeug.serving import make_server

from planner import create_app
from tests.web.test_browser import ARGS, CHROMIUM, PHONE, _free_port, _no_horizontal_scroll, _shot

from .conftest import ADDRESS, MASKED, Mailbox

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium is not installed at /usr/bin/chromium")


@pytest.fixture
def base_url(app: Flask, mailbox: tuple[Mailbox, str]) -> Iterator[str]:
    live = create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "TESTING": True,
                       "RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": True, "SECRET_KEY": "browser-test-secret",
                       "SMTP_URL": mailbox[1], "CONNECTION_KEY": Fernet.generate_key().decode()})
    server = make_server("127.0.0.1", _free_port(), live, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield browser
        browser.close()


def test_subscribe_on_a_phone_shows_the_masked_address_and_axe_finds_nothing(browser, base_url: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    page = browser.new_context(viewport=PHONE).new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    start = date.today() - timedelta(days=date.today().weekday() + 7)
    created = page.request.post(base_url + "/api/v1/plans",
                                data={"weekly_volume": 20, "current_pain": 2, "start_date": start.isoformat()})
    token = created.json()["token"]
    page.goto(f"{base_url}/plans/{token}#reminders")
    field = page.get_by_label("Email address")
    assert field.get_attribute("type") == "email" and field.get_attribute("autocomplete") == "email"
    field.scroll_into_view_if_needed()
    _shot(page, "reminders-form-phone")
    found = [f"form: {v['id']} at {v['nodes'][0]['target']}" for v in Axe().run(page).response["violations"]]

    field.fill("runner@")
    page.get_by_role("button", name="Email me reminders").click()
    page.wait_for_load_state()
    error = page.locator("#email-error")
    assert "Enter an email address" in error.text_content()
    page.locator("#reminders").scroll_into_view_if_needed()
    _shot(page, "reminders-error-phone")
    found += [f"error: {v['id']} at {v['nodes'][0]['target']}" for v in Axe().run(page).response["violations"]]

    page.get_by_label("Email address").fill(ADDRESS)
    page.get_by_role("button", name="Email me reminders").click()
    page.wait_for_url("**#reminders")
    status = page.locator("#reminders-status")
    assert MASKED in status.text_content()
    assert ADDRESS not in page.content()
    status.scroll_into_view_if_needed()
    _shot(page, "reminders-masked-phone")
    _no_horizontal_scroll(page)
    found += [f"masked: {v['id']} at {v['nodes'][0]['target']}" for v in Axe().run(page).response["violations"]]

    page.get_by_role("button", name="Stop the emails").click()
    page.wait_for_url("**#reminders")
    assert page.get_by_label("Email address").is_visible()
    assert found == [] and problems == []
