"""The plan page's charts, as SVG markup: weekly running minutes as bars coloured by phase, and
the pain of each check-in drawn over those minutes.

Pure functions of the plan (and its check-ins), drawn on the server so the page needs no script and
prints as it shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from html import escape
from typing import Protocol

from .engine.plan import Phase, Plan
from .engine.words import PHASE_NAMES

# Each colour keeps at least 3:1 contrast against white (WCAG 1.4.11, graphical objects).
PHASE_COLOURS = {
    Phase.SETTLE: "#6b7280",
    Phase.WALK_RUN: "#0f766e",
    Phase.EASY_RUN: "#1d4ed8",
    Phase.BUILD: "#7c3aed",
    Phase.REINTRODUCE: "#c2410c",
    Phase.MAINTAIN: "#15803d",
}

WIDTH, HEIGHT = 400, 270
LEFT, RIGHT, TOP, BOTTOM = 36, 6, 24, 84  # the plot's margins; the legend sits under the axis


def _nice_step(peak: float) -> int:
    """A round tick step giving four or five gridlines up to `peak`."""
    for step in (5, 10, 15, 20, 30, 50, 60, 100, 150, 200, 300, 500):
        if peak / step <= 5:
            return step
    return 1000


def _slots(plot_w: float, weeks: int) -> tuple[float, float]:
    """Each week's slot and the width of its bar: both charts place weeks alike, so they read together."""
    slot = plot_w / weeks
    return slot, max(slot * 0.72, 1.5)


def _labelled(weeks: int) -> set[int]:
    """The indexes of the weeks whose number is written under the axis: all of up to 12 weeks, else every
    second or fourth, and always the last, which takes the place of one written too close before it."""
    every = 1 if weeks <= 12 else 2 if weeks <= 24 else 4
    return {i for i in range(0, weeks, every) if i == 0 or weeks - 1 - i >= every} | {weeks - 1}


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def weekly_minutes_svg(plan: Plan, *, current_week: int | None = None) -> str:
    """An accessible SVG bar chart of each week's running minutes, coloured by phase, with a legend."""
    weeks = plan.weeks
    if not weeks:
        return ""
    peak = max(w.running_minutes for w in weeks) or 10
    step = _nice_step(peak)
    top_value = step * -(-peak // step)
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    slot, bar_w = _slots(plot_w, len(weeks))
    base_y = TOP + plot_h

    phases = list(dict.fromkeys(w.phase for w in weeks))
    summary = "; ".join(
        f"{PHASE_NAMES[p]} weeks {_span([w.number for w in weeks if w.phase is p])}" for p in phases
    )
    desc = (
        f"{len(weeks)} weeks. Running minutes go from {_fmt(weeks[0].running_minutes)} in week 1 to "
        f"{_fmt(weeks[-1].running_minutes)} in week {weeks[-1].number}, peaking at {_fmt(peak)}. "
        f"Phases: {summary}. The table below the chart lists every week."
    )
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="chart-title chart-desc" xmlns="http://www.w3.org/2000/svg" '
        f'preserveAspectRatio="xMidYMid meet" font-family="inherit">',
        '<title id="chart-title">Running minutes each week, coloured by phase</title>',
        f'<desc id="chart-desc">{escape(desc)}</desc>',
    ]
    # Gridlines and the y axis labels.
    value = 0
    while value <= top_value:
        y = base_y - plot_h * value / top_value
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
                     f'stroke="#d1d5db" stroke-width="1"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="12" '
                     f'fill="#374151">{value}</text>')
        value += step
    parts.append(f'<text x="{LEFT - 6}" y="{TOP - 10}" text-anchor="end" font-size="12" fill="#374151">'
                 'min</text>')
    # Bars: one per week; a settle week (no running) shows as a thin stub so it is still seen.
    labelled = _labelled(len(weeks))
    for index, week in enumerate(weeks):
        x = LEFT + index * slot + (slot - bar_w) / 2
        height = plot_h * week.running_minutes / top_value
        height = max(height, 2.5)
        y = base_y - height
        colour = PHASE_COLOURS[week.phase]
        label = (f"Week {week.number}: {_fmt(week.running_minutes)} running minutes, "
                 f"{PHASE_NAMES[week.phase]}{', lighter week' if week.deload else ''}")
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{height:.1f}" '
                     f'fill="{colour}"><title>{escape(label)}</title></rect>')
        if week.number == current_week:
            parts.append(f'<rect x="{x - 2:.1f}" y="{TOP - 2:.1f}" width="{bar_w + 4:.1f}" '
                         f'height="{plot_h + 4:.1f}" fill="none" stroke="#111827" stroke-width="1.5" '
                         'stroke-dasharray="4 3"/>')
            parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{TOP - 4}" text-anchor="middle" font-size="11" '
                         'fill="#111827" font-weight="700">now</text>')
        if index in labelled:
            parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{base_y + 16}" text-anchor="middle" '
                         f'font-size="12" fill="#374151">{week.number}</text>')
    parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{base_y}" y2="{base_y}" '
                 'stroke="#374151" stroke-width="1.5"/>')
    parts.append(f'<text x="{LEFT + plot_w / 2:.1f}" y="{base_y + 34}" text-anchor="middle" font-size="12" '
                 'fill="#374151">week</text>')
    # Legend: the phases this plan uses, in order, flowing onto a second row when needed.
    lx, ly = float(LEFT), base_y + 54
    for phase in phases:
        name = PHASE_NAMES[phase]
        width = 18 + len(name) * 7.6 + 16  # swatch, text at about 7.6 units a character, gap
        if lx + width > WIDTH and lx > LEFT:
            lx, ly = float(LEFT), ly + 20
        parts.append(f'<rect x="{lx:.1f}" y="{ly - 10}" width="12" height="12" fill="{PHASE_COLOURS[phase]}"/>')
        parts.append(f'<text x="{lx + 18:.1f}" y="{ly}" font-size="13" fill="#111827">{escape(name)}</text>')
        lx += width
    parts.append("</svg>")
    return "\n".join(parts)


def _span(numbers: list[int]) -> str:
    """[1, 2, 3] -> "1-3"; [4] -> "4"."""
    return f"{numbers[0]}" if len(numbers) == 1 else f"{numbers[0]}-{numbers[-1]}"


# -- The pain chart: each check-in's two scores over the weekly minutes, with the runner's ceiling --

class Scores(Protocol):
    """What the pain chart reads of a check-in: a stored one or the engine's alike."""

    @property
    def date(self) -> date: ...

    @property
    def pain_during(self) -> int: ...

    @property
    def pain_next_morning(self) -> int | None: ...


# The weeks keep the minutes chart's scale (its plot width, one slot a week) and the minutes keep its
# left axis; pain 0-10 takes a second axis on the right. The plot reaches a marker's half size past the
# weeks on either side and the pain scale is inset by as much, so a Monday, a Sunday, a 0 and a 10 all
# sit inside it.
MARKER = 4.5  # half the size of a marker
DURING_RADIUS = 3.5
PAIN_MAX = 10
WEEKS_WIDTH = WIDTH - LEFT - RIGHT
PAIN_RIGHT = 34  # room for "pain" and "10"
PAIN_WIDTH = LEFT + WEEKS_WIDTH + 2 * MARKER + PAIN_RIGHT
DURING_COLOUR = "#b91c1c"  # filled circles
MORNING_COLOUR = "#1e3a8a"  # hollow squares: told apart by shape, not colour alone
CEILING_COLOUR = "#92400e"
BAR_COLOUR = "#d5dde8"  # light: the minutes are the background the pain is read against
INK = "#374151"


@dataclass(frozen=True)
class PlotArea:
    """The rectangle the pain chart plots inside, in SVG units."""

    left: float
    top: float
    right: float
    bottom: float


PAIN_PLOT = PlotArea(LEFT, TOP, PAIN_WIDTH - PAIN_RIGHT, HEIGHT - BOTTOM)
WEEKS_LEFT = PAIN_PLOT.left + MARKER


def pain_y(value: float) -> float:
    """The y of a pain score (0-10) on the chart's second axis."""
    span = PAIN_PLOT.bottom - PAIN_PLOT.top - 2 * MARKER
    return PAIN_PLOT.bottom - MARKER - span * value / PAIN_MAX


def week_index(plan: Plan, day: date) -> int | None:
    """The index of the plan's week holding `day`, or None when the day is outside the plan."""
    for index, week in enumerate(plan.weeks):
        if 0 <= (day - week.start).days < 7:
            return index
    return None


def week_number(plan: Plan, day: date) -> int | None:
    """The number of the plan's week holding `day` (for the table beside the chart)."""
    index = week_index(plan, day)
    return None if index is None else plan.weeks[index].number


def checkin_x(plan: Plan, day: date) -> float | None:
    """The x of a check-in: its week's slot, at its day within that week (Monday left, Sunday right)."""
    index = week_index(plan, day)
    if index is None:
        return None
    slot, _ = _slots(WEEKS_WIDTH, len(plan.weeks))
    offset = (day - plan.weeks[index].start).days
    return WEEKS_LEFT + slot * (index + (offset + 0.5) / 7)


def _day(day: date) -> str:
    return f"{day.day} {day:%b}"


def _spread(scores: list[int]) -> str:
    """[1, 4] -> "from 1 to 4 out of 10"; [2, 2] -> "2 out of 10"."""
    low, high = min(scores), max(scores)
    return f"{low} out of 10" if low == high else f"from {low} to {high} out of 10"


def pain_summary(checkins: Sequence[Scores], *, ceiling: int) -> str:
    """The chart in a few sentences, for the SVG's description (the table carries every score)."""
    ordered = sorted(checkins, key=lambda c: c.date)
    during = [c.pain_during for c in ordered]
    mornings = [c.pain_next_morning for c in ordered if c.pain_next_morning is not None]
    first, last = ordered[0], ordered[-1]
    words = [
        f"{len(ordered)} check-in{'s' if len(ordered) != 1 else ''} from {_day(first.date)} to {_day(last.date)}.",
        f"Pain during: {_spread(during)}, {last.pain_during} at the latest.",
    ]
    if mornings:
        waiting = len(ordered) - len(mornings)
        words.append(f"Next morning: {_spread(mornings)}"
                     + (f", {waiting} still to come." if waiting else "."))
    else:
        words.append("No next-morning score yet.")
    over = sum(1 for c in ordered if c.pain_during > ceiling
               or (c.pain_next_morning is not None and c.pain_next_morning > ceiling))
    words.append(f"Your ceiling is {ceiling}/10; {over or 'no'} check-in{'s' if over != 1 else ''} went above it.")
    words.append("Light bars show your running minutes each week. The table below lists every check-in.")
    return " ".join(words)


def pain_chart_svg(plan: Plan, checkins: Sequence[Scores], *, ceiling: int) -> str:
    """An accessible SVG of each check-in's pain during (filled circles) and next morning (hollow
    squares) at its day of its week, over the weekly running minutes as light bars, with the
    runner's ceiling (rule 4) as a dashed line. Empty when there is nothing to draw."""
    weeks = plan.weeks
    points = [(c, x) for c in sorted(checkins, key=lambda c: c.date) if (x := checkin_x(plan, c.date)) is not None]
    if not weeks or not points:
        return ""
    area = PAIN_PLOT
    plot_w, plot_h = area.right - area.left, area.bottom - area.top
    slot, bar_w = _slots(WEEKS_WIDTH, len(weeks))
    peak = max(w.running_minutes for w in weeks) or 10
    step = _nice_step(peak)
    top_minutes = step * -(-peak // step)

    parts = [
        f'<svg class="pain-chart" viewBox="0 0 {PAIN_WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="pain-chart-title pain-chart-desc" xmlns="http://www.w3.org/2000/svg" '
        f'preserveAspectRatio="xMidYMid meet" font-family="inherit">',
        '<title id="pain-chart-title">Pain during and the next morning, with your running minutes</title>',
        f'<desc id="pain-chart-desc">{escape(pain_summary([c for c, _ in points], ceiling=ceiling))}</desc>',
    ]
    # The minutes: light bars on the left axis, placed as in the minutes chart.
    for index, week in enumerate(weeks):
        height = plot_h * week.running_minutes / top_minutes
        if height > 0:
            x = WEEKS_LEFT + index * slot + (slot - bar_w) / 2
            parts.append(f'<rect class="minutes" x="{x:.1f}" y="{area.bottom - height:.1f}" width="{bar_w:.1f}" '
                         f'height="{height:.1f}" fill="{BAR_COLOUR}"/>')
    value = 0
    while value <= top_minutes:
        y = area.bottom - plot_h * value / top_minutes
        parts.append(f'<text x="{area.left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="12" '
                     f'fill="{INK}">{value}</text>')
        value += step
    parts.append(f'<text x="{area.left - 6}" y="{area.top - 10}" text-anchor="end" font-size="12" '
                 f'fill="{INK}">min</text>')
    # Pain: gridlines and the second axis on the right.
    for score in range(0, PAIN_MAX + 1, 2):
        y = pain_y(score)
        parts.append(f'<line x1="{area.left}" x2="{area.right}" y1="{y:.1f}" y2="{y:.1f}" '
                     'stroke="#e5e7eb" stroke-width="1"/>')
        parts.append(f'<text x="{area.right + 6}" y="{y + 4:.1f}" font-size="12" fill="{INK}">{score}</text>')
    parts.append(f'<text x="{area.right + 6}" y="{area.top - 10}" font-size="12" fill="{INK}">pain</text>')
    # Week numbers along the bottom, thinned as in the minutes chart.
    labelled = _labelled(len(weeks))
    for index, week in enumerate(weeks):
        if index in labelled:
            parts.append(f'<text x="{WEEKS_LEFT + (index + 0.5) * slot:.1f}" y="{area.bottom + 16}" '
                         f'text-anchor="middle" font-size="12" fill="{INK}">{week.number}</text>')
    parts.append(f'<line x1="{area.left}" x2="{area.right}" y1="{area.bottom}" y2="{area.bottom}" '
                 f'stroke="{INK}" stroke-width="1.5"/>')
    parts.append(f'<text x="{area.left + plot_w / 2:.1f}" y="{area.bottom + 34}" text-anchor="middle" '
                 f'font-size="12" fill="{INK}">week</text>')
    # The ceiling: a dashed line at the runner's tolerance, labelled in words.
    ceiling_y = pain_y(ceiling)
    parts.append(f'<line class="ceiling" x1="{area.left}" x2="{area.right}" y1="{ceiling_y:.1f}" '
                 f'y2="{ceiling_y:.1f}" stroke="{CEILING_COLOUR}" stroke-width="1.5" stroke-dasharray="6 4"/>')
    # Its label at the right end, over the weeks ahead: the check-ins gather on the left.
    parts.append(f'<text x="{area.right - 4}" y="{ceiling_y - 5:.1f}" text-anchor="end" font-size="12" '
                 f'fill="{CEILING_COLOUR}" stroke="#ffffff" stroke-width="3" paint-order="stroke">'
                 f'your ceiling: {ceiling}/10</text>')
    # The scores: a morning square drawn first, so the day's circle shows inside it at the same score.
    for checkin, x in points:
        day = _day(checkin.date)
        if checkin.pain_next_morning is not None:
            y = pain_y(checkin.pain_next_morning)
            parts.append(f'<rect class="morning" x="{x - MARKER + 0.75:.2f}" y="{y - MARKER + 0.75:.2f}" '
                         f'width="{2 * MARKER - 1.5:.1f}" height="{2 * MARKER - 1.5:.1f}" fill="none" '
                         f'stroke="{MORNING_COLOUR}" stroke-width="1.5">'
                         f'<title>The morning after {day}: {checkin.pain_next_morning}/10</title></rect>')
        y = pain_y(checkin.pain_during)
        parts.append(f'<circle class="during" cx="{x:.2f}" cy="{y:.2f}" r="{DURING_RADIUS}" fill="{DURING_COLOUR}">'
                     f'<title>{day}, during: {checkin.pain_during}/10</title></circle>')
    parts.extend(_pain_legend(area.bottom + 54))
    parts.append("</svg>")
    return "\n".join(parts)


def _pain_legend(baseline: float) -> list[str]:
    """The legend in words, each with its mark, flowing onto a second row when needed."""
    marks = {
        "Pain during": f'<circle cx="{{x}}" cy="{{cy}}" r="4" fill="{DURING_COLOUR}"/>',
        "Next morning": f'<rect x="{{x0}}" y="{{y0}}" width="9" height="9" fill="none" stroke="{MORNING_COLOUR}" '
                        'stroke-width="1.5"/>',
        "Running minutes": f'<rect x="{{x0}}" y="{{y0}}" width="10" height="12" fill="{BAR_COLOUR}"/>',
        "Your ceiling": f'<line x1="{{x0}}" x2="{{x1}}" y1="{{cy}}" y2="{{cy}}" stroke="{CEILING_COLOUR}" '
                        'stroke-width="1.5" stroke-dasharray="4 2"/>',
    }
    parts: list[str] = []
    lx, ly = float(LEFT), baseline
    for name, mark in marks.items():
        width = 18 + len(name) * 7.6 + 16
        if lx + width > PAIN_WIDTH and lx > LEFT:
            lx, ly = float(LEFT), ly + 20
        cy = ly - 4.5
        parts.append(mark.format(x=f"{lx + 6:.1f}", cy=f"{cy:.1f}", x0=f"{lx + 1:.1f}", y0=f"{cy - 5:.1f}",
                                 x1=f"{lx + 13:.1f}"))
        parts.append(f'<text x="{lx + 18:.1f}" y="{ly}" font-size="13" fill="#111827">{name}</text>')
        lx += width
    return parts
