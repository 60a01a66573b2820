"""The plan page's chart: weekly running minutes as bars coloured by phase, as SVG markup.

A pure function of the plan, drawn on the server so the page needs no script and prints as it shows.
"""

from __future__ import annotations

from html import escape

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
    slot = plot_w / len(weeks)
    bar_w = max(slot * 0.72, 1.5)
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
    label_every = 1 if len(weeks) <= 12 else 2 if len(weeks) <= 24 else 4
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
        if index % label_every == 0 or week.number == len(weeks):
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
