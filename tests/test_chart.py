"""The plan page's charts as pure functions: the pain chart read back with a real XML parser."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.chart import DURING_RADIUS, MARKER, PAIN_PLOT, pain_chart_svg, weekly_minutes_svg
from planner.engine import CheckIn, Plan
from tests.engine.engine_support import plan as make_plan

SVG = "{http://www.w3.org/2000/svg}"
PLAN = make_plan(weekly_volume=20, current_pain=2, pain_tolerance=3)


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    return root


def bar_centres(root: ET.Element) -> list[float]:
    """The centre of each week's minutes bar, in week order (the minutes chart's bars carry a title)."""
    pain_chart = root.get("class") == "pain-chart"
    rects = [r for r in root.iter(f"{SVG}rect")
             if (r.get("class") == "minutes" if pain_chart else r.find(f"{SVG}title") is not None)]
    return [float(r.get("x", "0")) + float(r.get("width", "0")) / 2 for r in rects]


def pain_axis(root: ET.Element) -> dict[int, float]:
    """score -> y, read from the labels of the second (right) axis: a label's y is its line's y + 4."""
    right = PAIN_PLOT.right + 6
    return {int(t.text or ""): float(t.get("y", "0")) - 4 for t in root.iter(f"{SVG}text")
            if float(t.get("x", "0")) == right and (t.text or "").isdigit()}


def score_y(axis: dict[int, float], score: int) -> float:
    """Where the axis puts `score`: on its label, or halfway between the labels either side."""
    if score in axis:
        return axis[score]
    return (axis[score - 1] + axis[score + 1]) / 2


def markers(root: ET.Element) -> tuple[list[tuple[float, float]], list[tuple[float, float, float]]]:
    """(x, y) of each pain-during circle; (x, y, half size) of each next-morning square, both in drawing order."""
    circles = [(float(c.get("cx", "")), float(c.get("cy", ""))) for c in root.iter(f"{SVG}circle")
               if c.get("class") == "during"]
    squares = []
    for r in root.iter(f"{SVG}rect"):
        if r.get("class") == "morning":
            half = float(r.get("width", "")) / 2
            squares.append((float(r.get("x", "")) + half, float(r.get("y", "")) + half, half))
    return circles, squares


def run_days(p: Plan) -> list[date]:
    return [s.date for w in p.weeks for s in w.sessions if s.kind.value == "run"]


def test_one_marker_per_score_at_its_day_of_its_week_and_its_value() -> None:
    days = run_days(PLAN)
    checkins = [CheckIn(days[0], 1, 0), CheckIn(days[4], 4, 2), CheckIn(days[9], 2, None), CheckIn(days[-1], 10, 7)]
    root = parse(pain_chart_svg(PLAN, checkins, ceiling=3))
    circles, squares = markers(root)
    assert len(circles) == 4 and len(squares) == 3  # the missing morning has no square

    centres = bar_centres(root)
    assert len(centres) == len(PLAN.weeks)  # every week of this plan runs
    slot = centres[1] - centres[0]
    axis = pain_axis(root)
    assert sorted(axis) == [0, 2, 4, 6, 8, 10]
    mornings = iter(squares)
    for checkin, (x, y) in zip(checkins, circles, strict=True):
        week = next(i for i, w in enumerate(PLAN.weeks) if w.start <= checkin.date < w.start + timedelta(days=7))
        offset = (checkin.date - PLAN.weeks[week].start).days
        expected_x = centres[week] + slot * ((offset + 0.5) / 7 - 0.5)  # Monday at the slot's left, Sunday its right
        assert x == pytest.approx(expected_x, abs=0.2)  # the bars are drawn to 0.1; a day is 2.7 apart
        assert y == pytest.approx(score_y(axis, checkin.pain_during), abs=0.06)
        if checkin.pain_next_morning is not None:
            mx, my, _ = next(mornings)
            assert mx == pytest.approx(x, abs=0.01)  # the same day
            assert my == pytest.approx(score_y(axis, checkin.pain_next_morning), abs=0.06)


def test_the_weeks_take_the_minutes_charts_scale() -> None:
    pain = bar_centres(parse(pain_chart_svg(PLAN, [CheckIn(run_days(PLAN)[0], 2, 1)], ceiling=3)))
    minutes = bar_centres(parse(weekly_minutes_svg(PLAN)))
    assert len(pain) == len(minutes) == len(PLAN.weeks)
    assert [x - pain[0] for x in pain] == pytest.approx([x - minutes[0] for x in minutes], abs=0.11)


@pytest.mark.parametrize("tolerance", [0, 1, 2, 3, 4, 5])
def test_the_ceiling_line_sits_at_the_runners_tolerance(tolerance: int) -> None:
    p = make_plan(weekly_volume=20, current_pain=min(tolerance, 2), pain_tolerance=tolerance)
    assert p.ceiling == tolerance
    root = parse(pain_chart_svg(p, [CheckIn(run_days(p)[0], 0, 0)], ceiling=p.ceiling))
    (line,) = [e for e in root.iter(f"{SVG}line") if e.get("class") == "ceiling"]
    assert line.get("stroke-dasharray")
    assert float(line.get("y1", "")) == float(line.get("y2", "")) == pytest.approx(
        score_y(pain_axis(root), tolerance), abs=0.06)
    labels = [t.text for t in root.iter(f"{SVG}text")]
    assert f"your ceiling: {tolerance}/10" in labels


def test_legend_title_and_description_in_words() -> None:
    days = run_days(PLAN)
    root = parse(pain_chart_svg(PLAN, [CheckIn(days[0], 2, 1), CheckIn(days[1], 5, None)], ceiling=3))
    assert root.get("role") == "img" and root.get("aria-labelledby") == "pain-chart-title pain-chart-desc"
    texts = {t.text for t in root.iter(f"{SVG}text")}
    assert {"Pain during", "Next morning", "Running minutes", "Your ceiling"} <= texts
    desc = root.findtext(f"{SVG}desc") or ""
    assert desc.startswith(f"2 check-ins from {days[0].day} {days[0]:%b} to {days[1].day} {days[1]:%b}.")
    assert "Pain during: from 2 to 5 out of 10, 5 at the latest." in desc
    assert "Next morning: 1 out of 10, 1 still to come." in desc
    assert "Your ceiling is 3/10; 1 check-in went above it." in desc


def test_no_checkins_draw_nothing() -> None:
    assert pain_chart_svg(PLAN, [], ceiling=3) == ""
    before = PLAN.weeks[0].start - timedelta(days=1)
    assert pain_chart_svg(PLAN, [CheckIn(before, 3, 1)], ceiling=3) == ""  # outside the plan: no point to place


DAYS = len(PLAN.weeks) * 7


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.integers(0, DAYS - 1),
                       st.tuples(st.integers(0, 10), st.none() | st.integers(0, 10)), min_size=1, max_size=40),
       st.integers(0, 5))
def test_every_marker_lies_inside_the_plot_area(scores: dict[int, tuple[int, int | None]], ceiling: int) -> None:
    checkins = [CheckIn(PLAN.weeks[0].start + timedelta(days=d), during, morning)
                for d, (during, morning) in scores.items()]
    circles, squares = markers(parse(pain_chart_svg(PLAN, checkins, ceiling=ceiling)))
    assert len(circles) == len(checkins)
    assert len(squares) == sum(1 for c in checkins if c.pain_next_morning is not None)
    for x, y, half in [(x, y, DURING_RADIUS) for x, y in circles] + squares:
        assert half <= MARKER
        assert PAIN_PLOT.left <= x - half and x + half <= PAIN_PLOT.right
        assert PAIN_PLOT.top <= y - half and y + half <= PAIN_PLOT.bottom


@given(st.integers(1, 80))
def test_week_numbers_under_the_axis_never_crowd(weeks: int) -> None:
    from planner.chart import _labelled

    labelled = sorted(_labelled(weeks))
    assert labelled[0] == 0 and labelled[-1] == weeks - 1  # the first and the last week are always named
    gaps = {b - a for a, b in zip(labelled, labelled[1:], strict=False)}
    assert not gaps or min(gaps) >= (1 if weeks <= 12 else 2)
