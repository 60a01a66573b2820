"""A new user links their plan to intervals.icu on the page, in Chromium at 390 x 844, CSRF on."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest
from flask import Flask

from planner import services
from tests.fakes.intervals import FakeIntervals
from tests.web.test_browser import CHROMIUM, PHONE, _fill_as_new_user, _no_horizontal_scroll, _page, _shot, serving
from tests.web.test_browser import browser as browser  # the fixture  # noqa: PLC0414

from .conftest import ATHLETE, KEY, sync, this_monday

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium is not installed at /usr/bin/chromium")


@pytest.fixture
def live(app: Flask) -> Iterator[str]:
    """The app served for real, with the sync app's settings (its intervals.icu is the fake)."""
    settings = {name: app.config[name] for name in ("INTERVALS_API_URL", "CONNECTION_KEY", "INTERVALS_TIMEOUT_SECONDS")}
    with serving(app, **settings) as url:
        yield url


def test_a_new_user_links_intervals_and_one_pass_fills_the_calendar(browser, live: str, app: Flask,
                                                                    fake: FakeIntervals) -> None:
    from axe_playwright_python.sync_playwright import Axe
    from garmin_fit_sdk import Decoder, Stream

    problems: list[str] = []
    page = _page(browser, problems, PHONE)
    page.goto(live + "/")
    _fill_as_new_user(page, this_monday())
    page.get_by_role("button", name="Make my plan").click()
    page.wait_for_url("**/plans/*")
    token = page.url.rsplit("/", 1)[1].split("#")[0]
    panel = page.locator("#intervals")
    panel.scroll_into_view_if_needed()
    assert "Make a free account at intervals.icu." in panel.inner_text()
    _shot(page, "intervals-steps-phone")

    page.get_by_label("Athlete ID").fill(ATHLETE)
    page.get_by_label("API key").fill("a-wrong-key-000")
    page.get_by_role("button", name="Link intervals.icu").click()
    page.wait_for_load_state()
    error = page.locator("#api_key-error")
    assert error.is_visible() and "did not accept this API key" in error.inner_text()
    assert page.get_by_label("Athlete ID").input_value() == ATHLETE  # kept; the key is never written back
    assert page.get_by_label("API key").input_value() == ""
    found = [f"error: {v['id']}" for v in Axe().run(page).response["violations"]]
    page.locator("#intervals").scroll_into_view_if_needed()
    _shot(page, "intervals-error-phone")

    page.get_by_label("API key").fill(KEY)
    page.get_by_role("button", name="Link intervals.icu").click()
    page.wait_for_url("**#intervals")
    assert "on their way" in page.locator("#intervals-status").inner_text()

    assert [p.outcome for p in sync(app)] == ["ok"]
    page.reload()
    status = page.locator("#intervals-status")
    status.scroll_into_view_if_needed()
    assert "Last synced" in status.inner_text()
    _no_horizontal_scroll(page)
    found += [f"linked: {v['id']}" for v in Axe().run(page).response["violations"]]
    _shot(page, "intervals-linked-phone")
    assert found == [] and problems == [e for e in problems if "422" in e]

    plan = services_plan(app, token)
    today = services.today(plan.request.timezone)
    runs = {s.uid for s in plan.sessions if s.kind.value == "run" and s.date >= today}
    workouts = [e for e in fake.events(ATHLETE) if e["category"] == "WORKOUT"]
    assert {e["external_id"] for e in workouts} == runs and len(workouts) == len(runs)
    for event in workouts:
        data = bytearray(base64.b64decode(event["file_contents_base64"]))
        messages, errors = Decoder(Stream.from_byte_array(data)).read()
        assert errors == [] and messages["workout_mesgs"][0]["sport"] == "running"
        assert len(messages["workout_step_mesgs"]) >= 3
    assert fake.invalid == []


def services_plan(app: Flask, token: str):  # type: ignore[no-untyped-def]
    with app.app_context():
        return services.get(token).plan
