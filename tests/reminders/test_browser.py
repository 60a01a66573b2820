"""The reminder panel on a phone (390x844, Debian's Chromium), CSRF on: the form, its error, the masked
address after subscribing, and no accessibility violations (axe)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from cryptography.fernet import Fernet
from flask import Flask

from tests.web.test_browser import CHROMIUM, PHONE, _no_horizontal_scroll, _shot, serving
from tests.web.test_browser import browser as browser  # the fixture  # noqa: PLC0414

from .conftest import ADDRESS, MASKED, Mailbox

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium is not installed at /usr/bin/chromium")


@pytest.fixture
def base_url(app: Flask, mailbox: tuple[Mailbox, str]) -> Iterator[str]:
    with serving(app, SMTP_URL=mailbox[1], CONNECTION_KEY=Fernet.generate_key().decode()) as url:
        yield url


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
