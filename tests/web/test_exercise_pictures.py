"""Exercise pictures: one drawing of each catalogue exercise's start and end, in one style, with its
movement in words as alt text, on the plan page (and in a real Chromium at phone width, and in print)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from pathlib import Path

import lxml.html
import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st

from planner.engine.exercises import CATALOGUE, CATALOGUE_BY_ID, MOVEMENTS
from planner.engine.plan import Exercise
from planner.pictures import STATIC, exercise_picture
from tests.web.test_browser import CHROMIUM, PHONE, SHOTS, _no_horizontal_scroll, _page, base_url, browser, problems

__all__ = ["base_url", "browser", "problems"]  # the browser tests' fixtures, used here as they are there

SVG = "{http://www.w3.org/2000/svg}"
VIEWBOX = (0.0, 0.0, 240.0, 100.0)
SHAPES = {"line", "polyline", "circle"}  # what a stick figure, a floor, a ball and an arrow are drawn with
ALLOWED = SHAPES | {"svg", "g", "title"}
PAINT = {"none", "currentColor"}
IDS = [entry.id for entry in CATALOGUE]


def _drawing(exercise_id: str) -> ET.Element:
    return ET.parse(STATIC / "exercises" / f"{exercise_id}.svg").getroot()


def _local(tag: str) -> str:
    return tag.removeprefix(SVG)


def _points(element: ET.Element) -> list[tuple[float, float]]:
    """The points a shape touches (a circle: its bounding box corners)."""
    tag = _local(element.tag)
    if tag == "line":
        return [(float(element.get("x1", 0)), float(element.get("y1", 0))),
                (float(element.get("x2", 0)), float(element.get("y2", 0)))]
    if tag == "polyline":
        numbers = [float(n) for n in re.split(r"[\s,]+", element.get("points", "").strip())]
        return list(zip(numbers[::2], numbers[1::2], strict=True))
    cx, cy, r = (float(element.get(a, 0)) for a in ("cx", "cy", "r"))
    return [(cx - r, cy - r), (cx + r, cy + r)]


def _shift(group: ET.Element) -> tuple[float, float]:
    transform = group.get("transform")
    if transform is None:
        return 0.0, 0.0
    match = re.fullmatch(r"translate\(([\d.]+) ([\d.]+)\)", transform)
    assert match, f"only a plain translate moves a drawing's half: {transform}"
    return float(match[1]), float(match[2])


@pytest.mark.parametrize("exercise_id", IDS)
def test_every_catalogue_exercise_has_a_drawing_in_the_shared_style(exercise_id: str) -> None:
    root = _drawing(exercise_id)
    assert root.tag == f"{SVG}svg"
    assert tuple(float(n) for n in root.get("viewBox", "").split()) == VIEWBOX
    assert (root.get("fill"), root.get("stroke"), root.get("stroke-width")) == ("none", "currentColor", "3")
    assert (root.get("stroke-linecap"), root.get("stroke-linejoin")) == ("round", "round")
    for element in root.iter():
        tag = _local(element.tag)
        assert tag in ALLOWED, f"{exercise_id}: <{tag}> is not part of the shared style (no <image>, <use>, text)"
        assert element.get("stroke", "currentColor") == "currentColor", f"{exercise_id}: a stroke colour of its own"
        assert element.get("fill", "none") in PAINT, f"{exercise_id}: a fill of its own"
        assert element.get("stroke-width", "3") == "3", f"{exercise_id}: a stroke of another width"
        assert "style" not in element.attrib, f"{exercise_id}: inline style"
        assert "class" not in element.attrib or tag == "g", f"{exercise_id}: a class on a shape"
        for name, value in element.attrib.items():
            assert not name.endswith("href"), f"{exercise_id}: a reference to {value}"
            assert "url(" not in value and "://" not in value.replace("http://www.w3.org/2000/svg", ""), (
                f"{exercise_id}: an external reference in {name}")


@pytest.mark.parametrize("exercise_id", IDS)
def test_each_drawing_is_a_start_and_an_end_inside_the_view_with_an_arrow_between(exercise_id: str) -> None:
    root = _drawing(exercise_id)
    halves = {group.get("class"): group for group in root.findall(f"{SVG}g")}
    assert set(halves) == {"start", "end"}
    spans = {}
    for name, group in halves.items():
        dx, dy = _shift(group)
        points = [(x + dx, y + dy) for shape in group for (x, y) in _points(shape)]
        assert all(0 <= x <= 240 and 0 <= y <= 100 for x, y in points), f"{exercise_id} {name}: drawn outside the view"
        heads = [shape for shape in group if _local(shape.tag) == "circle" and shape.get("r") == "6"]
        floors = [shape for shape in group
                  if _local(shape.tag) == "line" and shape.get("y1") == shape.get("y2") == "96"]
        assert len(heads) == 1 and len(floors) == 1, f"{exercise_id} {name}: one round head, one floor"
        spans[name] = (min(x for x, _ in points), max(x for x, _ in points))
    assert spans["start"][1] < spans["end"][0], f"{exercise_id}: the start is on the left, the end on the right"
    arrow = [shape for shape in root if _local(shape.tag) in SHAPES]
    assert arrow and all(spans["start"][1] < x < spans["end"][0] for shape in arrow for x, _ in _points(shape))


def test_the_words_cover_exactly_the_catalogue_and_each_is_a_full_sentence() -> None:
    assert set(MOVEMENTS) == set(CATALOGUE_BY_ID)
    for exercise_id, words in MOVEMENTS.items():
        assert re.fullmatch(r"[A-Z][^\n]*[a-z]\.", words), f"{exercise_id}: a capital first, a full stop last"
        assert "  " not in words and len(words.split()) >= 12, f"{exercise_id}: says the start and the end"
        start, _, end = words.partition(": ")
        assert start and end, f"{exercise_id}: where the body starts, then what it does"


@given(st.text(max_size=40))
def test_an_exercise_without_a_drawing_has_no_picture(exercise_id: str) -> None:
    picture = exercise_picture(exercise_id)
    if exercise_id in CATALOGUE_BY_ID:
        assert picture is not None and (STATIC / picture.filename).is_file()
    else:
        assert picture is None


def _with_class(element: lxml.html.HtmlElement, tag: str, name: str) -> list[lxml.html.HtmlElement]:
    return element.xpath(f'.//{tag}[contains(concat(" ", normalize-space(@class), " "), " {name} ")]')


def _cards(html: str) -> list[lxml.html.HtmlElement]:
    return _with_class(lxml.html.fromstring(html), "li", "exercise")


def test_the_plan_page_shows_each_exercise_with_its_picture_and_words(client: FlaskClient, stored_plan: dict) -> None:
    html = client.get(f"/plans/{stored_plan['token']}").get_data(as_text=True)
    in_plan = {e["id"] for w in stored_plan["plan"]["weeks"] for s in w["sessions"] for e in s["exercises"]}
    assert len(in_plan) >= 5
    shown = set()
    for card in _cards(html):
        name = _with_class(card, "h5", "exercise-name")[0].text_content()
        exercise_id = next(e.id for e in CATALOGUE if e.name == name)
        (img,) = _with_class(card, "img", "exercise-picture")
        assert img.get("src") == f"/static/exercises/{exercise_id}.svg"
        assert img.get("alt") == MOVEMENTS[exercise_id]
        assert (img.get("width"), img.get("height")) == ("240", "100")  # the space is kept before it loads
        shown.add(exercise_id)
    assert shown == in_plan


def test_a_drawing_is_served_as_svg_and_revalidates_from_the_cache(client: FlaskClient) -> None:
    first = client.get("/static/exercises/single_leg_bridge.svg")
    assert first.status_code == 200 and first.mimetype == "image/svg+xml"
    assert ET.fromstring(first.data).tag == f"{SVG}svg"
    assert first.headers["ETag"] and "no-store" not in first.headers.get("Cache-Control", "")
    again = client.get("/static/exercises/single_leg_bridge.svg", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_a_card_for_an_exercise_without_a_drawing_shows_no_image(app: Flask) -> None:
    card = app.jinja_env.get_template("macros.html").module.exercise_card  # type: ignore[attr-defined]
    new = Exercise(id="nordic_curl", name="Nordic curl", sets=3, reps=5, hold_seconds=None, cue="Slowly.")
    drawn = Exercise(id="glute_march", name="Glute march", sets=3, reps=12, hold_seconds=None, cue="Slowly.")
    with app.test_request_context():
        without = lxml.html.fragment_fromstring(str(card(new)))
        with_one = lxml.html.fragment_fromstring(str(card(drawn)))
    assert _with_class(without, "h5", "exercise-name")[0].text_content() == "Nordic curl"
    assert without.xpath(".//img") == [] and "Slowly." in without.text_content()
    assert with_one.xpath(".//img")[0].get("alt") == MOVEMENTS["glute_march"]


# -- in a real browser --

def _strength_week_plan(client: FlaskClient) -> str:
    """A plan whose current week has heavy strength sessions (stage 2 onward), for the page's this-week card."""
    monday = date.today() - timedelta(days=date.today().weekday() + 7 * 6)
    response = client.post("/api/v1/plans", json={"weekly_volume": 30, "current_pain": 1,
                                                   "start_date": monday.isoformat()})
    assert response.status_code == 201
    return str(response.json["token"])


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium is not installed at /usr/bin/chromium")
def test_pictures_show_at_phone_width_print_small_and_pass_axe(browser, base_url, problems, client) -> None:
    from axe_playwright_python.sync_playwright import Axe

    page = _page(browser, problems, PHONE)
    page.goto(f"{base_url}/plans/{_strength_week_plan(client)}")
    section = page.locator("#this-week")
    pictures = section.locator("img.exercise-picture")
    assert pictures.count() >= 4
    for i in range(pictures.count()):
        picture = pictures.nth(i)
        picture.scroll_into_view_if_needed()
        assert picture.is_visible()
        assert picture.evaluate("img => img.complete && img.naturalWidth > 0"), "the drawing loaded"
        box = picture.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        assert box["width"] >= 200 and abs(box["width"] / box["height"] - 2.4) < 0.05  # its shape kept
    _no_horizontal_scroll(page)
    found = Axe().run(page, context="#this-week").response["violations"]
    assert [f"{v['id']} at {v['nodes'][0]['target']}" for v in found] == []

    SHOTS.mkdir(parents=True, exist_ok=True)
    first_card = section.locator("li.exercise").first
    first_card.scroll_into_view_if_needed()
    section.locator("ul.exercises").first.screenshot(path=str(SHOTS / "exercises-phone.png"))
    page.emulate_media(media="print")  # paper shows every week (this week's card is left out as a repeat)
    assert section.is_hidden() and page.locator(".checkin-form").is_hidden()
    week = page.locator("details.week", has=page.locator("img.exercise-picture")).first
    printed = week.locator("img.exercise-picture").first
    assert printed.is_visible()
    assert 160 < printed.bounding_box()["width"] < 180  # 45 mm at 96 px an inch is 170 px
    week.locator("ul.exercises").first.screenshot(path=str(SHOTS / "exercises-print.png"))
    page.pdf(path=str(SHOTS / "plan-print.pdf"))
    assert problems == []


def test_the_pictures_folder_holds_only_catalogue_drawings() -> None:
    files = {path.stem for path in Path(STATIC / "exercises").glob("*")}
    assert files == set(IDS)
