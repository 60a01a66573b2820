"""The form and the plan page in a real browser (Debian's Chromium through Playwright), CSRF on."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

from planner import create_app

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path("/tmp/shots")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium is not installed at /usr/bin/chromium "
                                "(apt-get install -y chromium); browser tests skipped")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(app: Flask, **config: object) -> Iterator[str]:
    """A real server on `app`'s test database, CSRF protection on as in production, with `config` on top;
    yields its base URL."""
    live = create_app({
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "TESTING": True,
        "RATELIMIT_ENABLED": False,
        "WTF_CSRF_ENABLED": True,
        "SECRET_KEY": "browser-test-secret",
        **config,
    })
    port = _free_port()
    server = make_server("127.0.0.1", port, live, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture
def base_url(app: Flask) -> Iterator[str]:
    with serving(app) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def problems() -> list[str]:
    return []


def _page(browser, problems: list[str], viewport: dict[str, int]):
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.on("console", lambda msg: problems.append(f"console {msg.type}: {msg.text}"))
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    return page


EXPECTED_422 = "Failed to load resource: the server responded with a status of 422 (UNPROCESSABLE ENTITY)"


def _unexpected(problems: list[str]) -> list[str]:
    """Every console message and page error except Chromium's note that the form answered 422 (as it must)."""
    return [p for p in problems if not p.endswith(EXPECTED_422)]


def _no_horizontal_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    client = page.evaluate("document.documentElement.clientWidth")
    assert width <= client, f"page scrolls sideways: {width}px wide in a {client}px viewport"


def _shot(page, name: str, *, full: bool = False) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full)


def _fill_as_new_user(page, start: date) -> None:
    page.get_by_role("radio", name="Kilometres").check()
    page.get_by_label("How much did you run in the last 7 days?").fill("20")
    page.get_by_label("How much does it hurt during or after your usual activity now?").select_option("2")
    page.get_by_label("When do you want to start?").fill(start.isoformat())


@pytest.mark.parametrize("name,viewport", [("phone", PHONE), ("desktop", DESKTOP)])
def test_new_user_gets_a_plan_with_chart_and_links(browser, base_url, problems, name, viewport) -> None:
    page = _page(browser, problems, viewport)
    page.goto(base_url + "/")
    assert page.get_by_role("heading", name="Make your return-to-run plan").is_visible()
    _shot(page, f"form-{name}")
    _shot(page, f"form-{name}-full", full=True)
    if name == "phone":
        _no_horizontal_scroll(page)

    start = date.today() - timedelta(days=date.today().weekday() + 7)
    _fill_as_new_user(page, start)
    page.get_by_role("button", name="Make my plan").click()
    page.wait_for_url("**/plans/*")

    assert page.locator("svg.chart").is_visible()
    assert "Running minutes" in page.locator("svg.chart title").first.text_content()
    assert page.get_by_role("heading", name="This week: week 2").is_visible()
    subscribe = page.get_by_role("link", name="Subscribe in calendar")
    assert subscribe.get_attribute("href").startswith("webcal://")
    assert page.locator("#ics-url").input_value().startswith("http://127.0.0.1")
    assert page.get_by_role("button", name="Copy").first.is_visible()
    assert page.get_by_text("Stop (walk home) if pain passes 3/10").first.is_visible()
    _shot(page, f"plan-{name}")
    for part in ("chart-card", "history-card", "this-week", "checkins", "rules", "calendar", "manage"):
        box = page.locator(f".{part}" if part.endswith("card") else f"#{part}").bounding_box()
        page.screenshot(path=str(SHOTS / f"plan-{name}-{part}.png"), full_page=True,
                        clip={**box, "height": min(box["height"], 1100)})
    _shot(page, f"plan-{name}-full", full=True)
    if name == "phone":
        _no_horizontal_scroll(page)
    else:
        page.emulate_media(media="print")
        assert not page.locator(".checkin-form").is_visible()  # the print stylesheet hides forms
        page.screenshot(path=str(SHOTS / "plan-print.png"), full_page=True,
                        clip={"x": 0, "y": 0, "width": 1280, "height": 1800})
    assert problems == []


def test_keyboard_reaches_the_form_with_visible_focus(browser, base_url, problems) -> None:
    page = _page(browser, problems, PHONE)
    page.goto(base_url + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Enter")  # skip to content, then the first answer
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.id")
    assert focused.startswith("unit-")
    outline = page.evaluate("getComputedStyle(document.activeElement.nextElementSibling).outlineStyle")
    assert outline == "solid"
    _shot(page, "form-phone-focus")
    assert problems == []


def test_bad_values_show_errors_beside_fields_and_keep_values(browser, base_url, problems) -> None:
    page = _page(browser, problems, PHONE)
    page.goto(base_url + "/")
    page.get_by_role("radio", name="Miles").check()
    page.get_by_label("How much did you run in the last 7 days?").fill("lots")
    page.get_by_label("Your easy pace").fill("9.30")
    page.get_by_role("button", name="Make my plan").click()
    page.wait_for_load_state()

    summary = page.locator("#error-summary")
    assert summary.is_visible()
    assert summary.evaluate("el => el === document.activeElement")
    assert page.locator("#weekly_volume-error").is_visible()
    assert page.locator("#current_pain-error").inner_text().endswith("This field is required.")
    assert page.locator("#easy_pace-error").is_visible()
    assert page.get_by_label("How much did you run in the last 7 days?").input_value() == "lots"
    assert page.get_by_label("Your easy pace").input_value() == "9.30"
    assert page.get_by_role("radio", name="Miles").is_checked()
    assert "weekly_volume-error" in page.locator("#weekly_volume").get_attribute("aria-describedby")
    _shot(page, "error-phone")
    _shot(page, "error-phone-full", full=True)
    _no_horizontal_scroll(page)

    # Fixing the answers on the same page goes through, with the CSRF token kept.
    page.get_by_label("How much did you run in the last 7 days?").fill("12")
    page.get_by_label("Your easy pace").fill("9:30")
    page.get_by_label("How much does it hurt during or after your usual activity now?").select_option("1")
    page.get_by_role("button", name="Make my plan").click()
    page.wait_for_url("**/plans/*")
    assert page.locator("svg.chart").is_visible()
    assert _unexpected(problems) == []


def test_error_state_on_desktop(browser, base_url, problems) -> None:
    page = _page(browser, problems, DESKTOP)
    page.goto(base_url + "/")
    page.get_by_role("button", name="Make my plan").click()
    page.wait_for_load_state()
    assert page.locator("#error-summary").is_visible()
    _shot(page, "error-desktop")
    assert _unexpected(problems) == []


def test_red_flag_leads_to_referral(browser, base_url, problems) -> None:
    page = _page(browser, problems, PHONE)
    page.goto(base_url + "/")
    _fill_as_new_user(page, date.today())
    page.get_by_label("Pain that wakes you at night?").check()
    page.get_by_role("button", name="Make my plan").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Please see a doctor or physiotherapist before you run").is_visible()
    _shot(page, "referral-phone", full=True)
    _no_horizontal_scroll(page)
    assert problems == []


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_axe_finds_no_accessibility_violations(browser, base_url, problems, viewport) -> None:
    """axe-core (WCAG 2 A/AA rules, colour contrast included) on the form, its error state, a plan and a referral."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    page = _page(browser, problems, viewport)

    def violations(where: str) -> list[str]:
        found = axe.run(page).response["violations"]
        return [f"{where}: {v['id']} ({v['impact']}) at {v['nodes'][0]['target']}" for v in found]

    page.goto(base_url + "/")
    found = violations("form")
    page.get_by_role("button", name="Make my plan").click()
    page.wait_for_load_state()
    assert page.locator("#error-summary").is_visible()
    found += violations("form with errors")
    page.goto(base_url + "/")
    _fill_as_new_user(page, date.today() - timedelta(days=date.today().weekday() + 7))
    page.get_by_role("button", name="Make my plan").click()
    page.wait_for_url("**/plans/*")
    found += violations("plan page")
    page.goto(base_url + "/")
    _fill_as_new_user(page, date.today())
    page.get_by_label("Pain that wakes you at night?").check()
    page.get_by_role("button", name="Make my plan").click()
    page.wait_for_load_state()
    found += violations("referral")
    assert found == []


def test_axe_on_the_morning_score_form(browser, base_url, problems) -> None:
    """A check-in without its morning score: the page asks for it (rule 31), in its error state too."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    page = _page(browser, problems, PHONE)

    def violations(where: str) -> list[str]:
        found = axe.run(page).response["violations"]
        return [f"{where}: {v['id']} ({v['impact']}) at {v['nodes'][0]['target']}" for v in found]

    page.goto(base_url + "/")
    _fill_as_new_user(page, date.today() - timedelta(days=date.today().weekday() + 7))
    page.get_by_label("How many runs was that?").fill("2")
    page.get_by_role("button", name="Make my plan").click()
    page.wait_for_url("**/plans/*")
    days = page.locator("#date option")
    page.locator("#date").select_option(index=days.count() - 1)  # the earliest: its morning has come
    page.get_by_label("Worst pain during the session").select_option("2")
    page.get_by_role("button", name="Save check-in").click()
    page.wait_for_url("**#saved")
    morning = page.locator("select[id^=morning-]")
    assert morning.is_visible() and page.get_by_role("heading", name="How was it this morning?").is_visible()
    found = violations("plan page asking for a morning score")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#checkins").screenshot(path=str(SHOTS / "plan-phone-morning-form.png"))
    page.get_by_role("button", name="Save the morning after").first.click()
    page.wait_for_load_state()
    assert page.locator("#error-summary").is_visible() and page.locator(".morning-form .field-error").is_visible()
    found += violations("morning form with an error")
    page.locator("#checkins").screenshot(path=str(SHOTS / "plan-phone-morning-error.png"))
    page.locator("select[id^=morning-]").first.select_option("1")
    page.get_by_role("button", name="Save the morning after").first.click()
    page.wait_for_url("**#saved")
    assert page.locator("select[id^=morning-]").count() == 0
    _shot(page, "plan-phone-morning")
    assert found == []
    assert _unexpected(problems) == []


def test_a_watch_file_fills_the_check_in(browser, base_url, problems, client, clock) -> None:
    """A new user uploads a run on the page and sees the check-in filled with what they really ran."""
    from axe_playwright_python.sync_playwright import Axe

    from tests.api.test_activities import FILES, _day, _plan_with_a_run_on

    day = _day("hilly.fit")
    token = _plan_with_a_run_on(client, clock, day)["token"]
    clock.morning_after(day)
    page = _page(browser, problems, PHONE)
    page.goto(f"{base_url}/plans/{token}#checkins")
    assert page.get_by_text("The file itself is not kept").is_visible()
    page.get_by_label("Ran with a watch? Add the run's file").set_input_files(str(FILES / "hilly.fit"))
    page.get_by_role("button", name="Read the run").click()
    page.wait_for_url(f"**#activity-{day.isoformat()}")
    read = page.locator(f"#activity-{day.isoformat()}")
    assert read.is_visible()
    assert "m climbing" in read.inner_text() and "Hills are not in the plan yet" in read.inner_text()
    assert page.locator("#date").input_value() == day.isoformat()
    found = Axe().run(page).response["violations"]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#checkins").screenshot(path=str(SHOTS / "plan-phone-activity.png"))
    page.get_by_label("Worst pain during the session").select_option("2")
    page.get_by_role("button", name="Save check-in").click()
    page.wait_for_url("**#saved")
    history = page.locator("table.history").inner_text()
    assert "min running" in history and "m climbing" in history
    assert [f"{v['id']} at {v['nodes'][0]['target']}" for v in found] == []
    assert _unexpected(problems) == []


def test_the_garmin_zip_from_the_page_carries_the_watch_calendar(browser, base_url, problems, client) -> None:
    """On a phone: the page says what schedule.fit does, and the zip its link downloads holds it."""
    import io
    import zipfile

    from garmin_fit_sdk import Decoder, Stream

    start = date.today() - timedelta(days=date.today().weekday())
    created = client.post("/api/v1/plans", json={"weekly_volume": 20, "current_pain": 2,
                                                 "start_date": start.isoformat()})
    assert created.status_code == 201, created.json
    page = _page(browser, problems, PHONE)
    page.goto(f"{base_url}/plans/{created.json['token']}#watch")
    garmin = page.locator("dl.watch dd").first
    assert "schedule.fit" in garmin.inner_text() and "next 4 weeks" in garmin.inner_text()
    assert page.get_by_text("the next 4 weeks for the watch's calendar").is_visible()
    _no_horizontal_scroll(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("dl.watch").screenshot(path=str(SHOTS / "plan-phone-watch.png"))
    page.locator(".file-links").screenshot(path=str(SHOTS / "plan-phone-files.png"))

    with page.expect_download() as download:
        page.get_by_role("link", name="Garmin workouts (.zip)").click()
    with zipfile.ZipFile(download.value.path()) as archive:
        data = archive.read("schedule.fit")
        assert "schedule.fit" in archive.read("README.txt").decode()
    messages, errors = Decoder(Stream.from_byte_array(bytearray(io.BytesIO(data).getvalue()))).read()
    assert errors == [] and messages["schedule_mesgs"]


def test_the_nudge_opens_the_one_tap_check_in(browser, base_url, problems, client, stored_plan) -> None:
    """Open a nudge's URL from the feed on a phone, tap the scores, save in one post, see the banner."""
    from axe_playwright_python.sync_playwright import Axe
    from icalendar import Calendar

    run = next(s for w in stored_plan["plan"]["weeks"] for s in w["sessions"] if s["kind"] == "run")
    feed = Calendar.from_ical(client.get(f"/plans/{stored_plan['token']}.ics").data)
    nudge = next(e for e in feed.events if str(e["UID"]) == run["uid"] + "-checkin")
    url = str(nudge["URL"])
    assert url.endswith(f"/checkins/new?date={run['date']}")
    page = _page(browser, problems, PHONE)
    page.goto(base_url + url.split("planner.test", 1)[1])
    assert page.get_by_role("heading", name="Check in").is_visible()
    found = [f"blank: {v['id']} at {v['nodes'][0]['target']}" for v in Axe().run(page).response["violations"]]
    for target in page.locator(".tap-scale label").all():
        box = target.bounding_box()
        assert box and box["width"] >= 44 and box["height"] >= 44, box
    _no_horizontal_scroll(page)
    page.get_by_role("button", name="Save check-in").click()  # nothing tapped: the error beside the field
    page.wait_for_load_state()
    assert page.locator("#pain_during-error").is_visible()
    found += [f"error: {v['id']} at {v['nodes'][0]['target']}" for v in Axe().run(page).response["violations"]]
    _shot(page, "checkin-phone-error", full=True)
    page.locator("#pain_during-2").click()  # the radio covers its label: a tap lands on it
    page.locator("#pain_next_morning-1").click()
    _shot(page, "checkin-phone", full=True)
    page.get_by_role("button", name="Save check-in").click()
    page.wait_for_url("**#saved")
    assert page.locator("#saved").is_visible() and "Check-in saved" in page.locator("#saved").inner_text()
    assert found == []
    assert _unexpected(problems) == []
