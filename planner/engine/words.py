"""Everything the plan says in words (rules 3, 29, 35 and every rationale), in one place to review."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import cache

from .plan import Exercise, Intensity, Interval, Phase
from .reintroduce import Step as QualityStep

# Rule 29 (v2): in the summary and in every export (page, API, calendar, CSV, watch files).
DISCLAIMER = (
    "This plan is not a diagnosis or medical advice. Full recovery from a tendon injury commonly "
    "takes 3-6 months. See a physiotherapist if any of the warning signs appear or nothing improves."
)

PHYSIO_NOTICE = (
    "See a physiotherapist: your check-ins show repeated flare-ups or pain that is not improving. "
    "The plan goes on cautiously, but a face-to-face assessment is due."
)

SITTING_ADVICE = "Sitting: use a cushion, avoid hard seats and take a break to stand every 20-30 minutes."
CADENCE_CUE = "Shorter, quicker, lighter steps; don't stride out."
EASY_FLAT = "Continuous, easy and conversational, on the flat."
HOLDS_WITH_RUN = "Before you run: the bridge holds of this session (daily in this stage)."
HOLDS_CUE = "Hip near neutral; holds should ease the pain, not raise it."
MAINTENANCE_CUE = "Maintenance: keep the same load; at least one session a week for as long as you run."
REST_TITLE = "Rest day"
NO_MORE_RUNNING = ("No more running this week: two sessions went over your ceiling. Keep the rehab exercises "
                   "going.")
NOT_SETTLED = "the walks or the mornings did not settle"

TARGET_TOO_SMALL = "A target under {minutes} minutes of running a week is too small to plan a return."
VOLUME_TOO_LARGE = "That is more than 30 hours of running a week; please check the number and unit."
RUNS_WITHOUT_VOLUME = "You ran this week, so give the number of runs (at least 1), or 0 for the volume."
VOLUME_WITHOUT_RUNS = "With no running in the last week, the number of runs is 0."
SEVERE_PAIN_WARNING = (
    "Your pain is 7/10 or more, so the plan starts with settling weeks and no running. If it does not "
    "settle within a few weeks, see a physiotherapist."
)
ABOVE_TARGET = "Your current running is above your target, so the plan starts at the target instead."

ENTRY_REACTIVE = "your tendon is reactive (pain at rest, a flare the morning after, or severe pain now)"
ENTRY_NOT_RUNNING = "you are not running at the moment, so the walk-run ladder starts at its first rung"
ENTRY_PAINFUL = ("running hurts past your ceiling or is worse the next morning, so week 1 is at most half your "
                 "current minutes, flat and easy")
ENTRY_WITHIN_CEILING = ("running is within your ceiling, so week 1 holds your running as you run it now: no more "
                        "runs and no longer runs")

SECOND_SETTLE_WEEK = ("This is a second settling week, with no running until rest pain is 0 and a 30-minute brisk "
                      "walk stays within your ceiling.")
SETTLE_GOES_ON = ("Settling goes on: last week's walks or mornings were not settled yet (walks within your "
                  "ceiling and mornings at 0-1 are needed).")
SETTLE_DONE = "Running starts now that your walks stayed within your ceiling and your mornings settled."
SETTLE_DONE_ASSUMED = ("Running starts after two settling weeks, assuming your walks stayed within your ceiling and "
                       "your mornings settled; check in on the walks so the plan knows.")
CONTINUOUS_TOP = "Runs are now 30 minutes continuous or more, so from here the plan counts weekly minutes."
LADDER_GOES_ON = ("Each run moves up one step after two sessions at a step stay within your ceiling, so "
                  "about one and a half steps a week.")
AT_TARGET = "You are at your target, so running holds here; the plan never goes past it."
RETURNED = ("After two weeks at your target, your return is done. Running holds here until speed and hills can "
            "come back: after three flare-free weeks at the target, rehab stage 4 and about eight weeks of running.")
RETURNED_ON_LADDER = "After two weeks at your target, your return is done; from here the plan maintains it."
AFTER_LIGHTER = "After the lighter week, the load picks up again from the week before it."
GROW = "Weekly minutes grow by at most 10%, never past your target."
MAINTAIN = "You are back, so running holds at your target and strength work keeps you there."
QUALITY_STARTS = "After three flare-free weeks at your target, speed comes back first, as strides on the flat."
QUALITY_NEXT = "Speed and hills come back one at a time, with weekly minutes unchanged."
QUALITY_REPEATS = ("The quality run repeats last week's, with nothing new: this week's minutes change, or a hold "
                   "or step back came less than three weeks ago.")
QUALITY_DONE = ("Speed and hills are back; from here the plan maintains what you have built, with one quality run "
                "a week so it stays.")

PHASE_NAMES = {
    Phase.SETTLE: "Settle",
    Phase.WALK_RUN: "Walk-run",
    Phase.EASY_RUN: "Easy running",
    Phase.BUILD: "Build",
    Phase.REINTRODUCE: "Speed and hills",
    Phase.MAINTAIN: "Maintain",
}

PHASE_WEEK = {
    Phase.SETTLE: "a settling week",
    Phase.WALK_RUN: "a walk-run week",
    Phase.EASY_RUN: "an easy-running week",
    Phase.BUILD: "a build week",
    Phase.REINTRODUCE: "a speed-and-hills week",
    Phase.MAINTAIN: "a maintenance week",
}

# Rule 35: what must be true to move on, phase by phase.
TO_MOVE_ON = {
    Phase.SETTLE: ("To start running, rest pain must be 0, the walks must stay at or under {ceiling}/10 and "
                   "mornings must be at 0-1."),
    Phase.WALK_RUN: ("To move on, each session must stay at or under {ceiling}/10 and the next morning must be back "
                     "to your usual level; two such sessions at a step move the next one up."),
    Phase.EASY_RUN: ("To move on, each run must stay at or under {ceiling}/10 and the next morning must be back to "
                     "your usual level; two such runs at a length move the next one up about 2 minutes."),
    Phase.BUILD: ("To move on, no session may go over {ceiling}/10 and no morning may be worse than usual; minutes "
                  "then grow by at most 10%."),
    Phase.REINTRODUCE: ("To move on, the quality run, like every run, must stay at or under {ceiling}/10 with a "
                        "usual morning after it."),
    Phase.MAINTAIN: "Keep two strength sessions a week at the same load for as long as you run.",
}


def minutes(value: float) -> str:
    """6.0 -> "6", 2.5 -> "2.5"."""
    return f"{value:g}"


def dose(exercise: Exercise) -> str:
    """How much of an exercise: "5 × 45 s hold", "3 × 10", or "3 sets"."""
    if exercise.hold_seconds:
        return f"{exercise.sets} × {exercise.hold_seconds} s hold"
    if exercise.reps:
        return f"{exercise.sets} × {exercise.reps}"
    return f"{exercise.sets} sets"


def intervals_in_words(intervals: list[Interval]) -> str:
    """How a runner reads a walk-run session: "4 × run 2 min / walk 3 min"."""
    return "; ".join(
        f"{i.repeats} × run {minutes(i.run_minutes)} min / walk {minutes(i.walk_minutes)} min" for i in intervals
    )


def progression_rule(ceiling: int) -> str:
    return (
        f"Move on only when every session stayed at or under {ceiling}/10 pain and the next morning was back "
        f"to your usual level. One session over {ceiling}/10, or a worse morning: the next run repeats the last "
        f"one that felt fine, and next week repeats this week's load. Two sessions over {ceiling}/10 within 7 "
        "days, or mornings getting worse two weeks running: no more running that week, then one step back after "
        "two days without running; keep the rehab exercises going. Missed runs are no flare: after five days or "
        "more without running the plan restarts a little lower."
    )


def target(minutes_a_week: float, distance: float | None, unit: str | None) -> str:
    if distance is None:
        return f"{minutes(round(minutes_a_week))} minutes"
    return f"{minutes(round(minutes_a_week))} minutes (about {minutes(distance)} {unit})"


def summary(*, weeks: int, start_phase: Phase, target: str, reason: str, ceiling: int, target_week: int | None,
            target_start: date | None, assumed_settle: bool) -> str:
    when = (f" With every session within your ceiling, the target is expected in week {target_week} (the week of "
            f"{target_start.isoformat()}); check-ins move that date." if target_week and target_start else "")
    settle = " The plan assumes two settling weeks until your check-ins say otherwise." if assumed_settle else ""
    return (
        f"A {weeks}-week return to running, starting in the {PHASE_NAMES[start_phase].lower()} phase because "
        f"{reason}. It builds towards {target} a week, keeps pain during and after each session at or under "
        f"{ceiling}/10, and keeps your rehab exercises in every week and on afterwards.{when}{settle} {DISCLAIMER}"
    )


def week_one(reason: str) -> str:
    return f"Week 1 starts here because {reason}."


def hold(reasons: Sequence[str]) -> str:
    return f"This week repeats last week's load, same runs and same minutes, because {' and '.join(reasons)}."


def step_back(reasons: Sequence[str], *, rest_first: bool) -> str:
    rest = ("Two days without running come first" if rest_first
            else "The two days without running were the end of last week")
    return (f"This week steps back one level because {' and '.join(reasons)}. {rest}; keep the rehab exercises "
            "going.")


def after_gap(reason: str, factor: float) -> str:
    share = "about half" if factor < 0.8 else "about 80%"
    return (f"This week restarts at {share} of the last week you ran, because {reason}. Missed runs are not a "
            "flare: no days off are added.")


def moved_out(weeks: int, target_week: int | None) -> str:
    plural = "week" if weeks == 1 else "weeks"
    where = f", to week {target_week}" if target_week else ""
    return f"This moves the expected target week out by {weeks} {plural}{where}."


def strength_rises(stage: int, *, holds: bool) -> str:
    running = ("running holds at last week's load (never both up in one week)" if holds
               else "running does not rise this week")
    return f"Rehab moves up this week (stage {stage}, one new exercise), so {running}."


def one_more_run(runs: int) -> str:
    return f"One more run day is added ({runs} a week) and the week's minutes stay the same."


def runs_do_not_fit(asked: int, fits: int) -> str:
    return (f"The plan has at most {fits} run days a week, not {asked}: a tendon needs rest days, and never "
            "more than two running days in a row leaves room for no more.")


def runs_not_reached(wanted: int, most: int) -> str:
    return (f"This plan reaches {most} run days a week, not {wanted}: it returns you to your target first. "
            "Add a day only in a week whose minutes do not otherwise rise.")


def runs_come_back(wanted: int, week: int) -> str:
    return (f"Early weeks have fewer runs, on non-consecutive days; your {wanted} runs a week are back from week "
            f"{week}, one day at a time.")


def tolerance_held(asked: int, held: int) -> str:
    return (f"Your pain tolerance of {asked}/10 is held at {held}/10: more pain than that during rehab is not "
            "advised.")


def pace_assumed(pace: str, unit: str) -> str:
    return (f"No easy pace was given, so distances are read at a brisk {pace} per {unit}, which keeps minutes on "
            "the safe side. Give your easy pace for a plan that fits you better.")


def plan_cut(weeks: int) -> str:
    return f"The plan is cut at {weeks} weeks; check in with a physiotherapist."


def walk_title(walk: float) -> str:
    return f"Brisk walk {minutes(walk)} min"


def walk_cue(walk: float, ceiling: int) -> str:
    return f"Walk briskly on the flat for {minutes(walk)} minutes, keeping pain at or under {ceiling}/10."


def run_title(number: int, what: str) -> str:
    """ "Run 3: 24 min easy": the run's number in the plan, then `run_what` or `walk_run_what`."""
    return f"Run {number}: {what}"


def run_what(run_minutes: float) -> str:
    return f"{minutes(run_minutes)} min easy"


def walk_run_what(repeats: int, run_minutes: float, walk_minutes: float) -> str:
    return f"{repeats} × {minutes(run_minutes)}/{minutes(walk_minutes)} min"


def walk_run_cue(intervals: list[Interval]) -> str:
    return f"{intervals_in_words(intervals)}, easy jog, flat ground."


def quality_cue(quality: QualityStep) -> str:
    if quality.intensity is Intensity.TEMPO:
        return f"Include {minutes(quality.minutes)} min of {quality.words}."
    return f"Include {quality.words}."


def quality_title(quality: QualityStep) -> str:
    if quality.intensity is Intensity.TEMPO:
        return f" incl. {minutes(quality.minutes)} min tempo"
    return " + strides" if quality.intensity is Intensity.STRIDES else " + gentle hills"


def strength_title(names: str, length: float, *, maintenance: bool) -> str:
    label = "Strength" if maintenance else "Rehab"
    return f"{label}: {names} (about {minutes(length)} min)"


def cadence_target(target_cadence: int, cadence: int) -> str:
    return (f"Cadence: aim for about {target_cadence} steps/min (+5% on your {cadence}); "
            "shorter, quicker, lighter steps.")


def rationale(*, phase: Phase, stage: int, why: list[str], lighter: bool, running: float, ceiling: int,
              sessions: int) -> str:
    parts = [f"This is {PHASE_WEEK[phase]}, with rehab at stage {stage}.", *why]
    if lighter:
        parts.append("This is a lighter week, about 20% fewer minutes as every fourth week of continuous running, "
                     "so the tendon can catch up.")
    if phase is Phase.SETTLE:
        parts.append("There is no running this week, just daily bridge holds with the hip near neutral and walks "
                     "within your ceiling.")
    elif phase is not Phase.MAINTAIN:
        days = f"{sessions} runs on their own days, " if sessions else ""
        parts.append(f"It has {days}{minutes(running)} running minutes in all, flat and easy unless "
                     "a quality run is named.")
    parts.append(to_move_on(phase, ceiling))
    return " ".join(parts)


@cache  # six phases by six ceilings at most, and every week's rationale ends with one
def to_move_on(phase: Phase, ceiling: int) -> str:
    return TO_MOVE_ON[phase].format(ceiling=ceiling)


# -- rule 36: what was really run ----------------------------------------------------------------

SIZED_FROM_RUNNING = ("Last week's runs were well shorter than planned, so this week is sized from what you "
                      "really ran.")

def ran_longer(ran: float, planned: float) -> str:
    return (f"You ran {minutes(round(ran))} minutes; the plan said {minutes(planned)}. Next week is sized from the "
            "plan's limits, never from the extra, so the tendon is not asked for more too soon.")


def ran_shorter(ran: float, planned: float) -> str:
    return (f"You ran {minutes(round(ran))} of the {minutes(planned)} minutes planned; next week is sized from "
            "what you ran.")


def hills_not_yet(ascent: float) -> str:
    return (f"The run had {round(ascent)} m of climbing. Hills are not in the plan yet: they load the hamstring "
            "tendon at the sit bone more; keep to flat ground for now.")


def speed_not_yet(seconds: float) -> str:
    return (f"About {round(seconds)} seconds were well faster than your easy pace. Speed is not in the plan yet: "
            "keep every run easy for now.")


def cadence_low(cadence: float, target: int) -> str:
    return (f"Your cadence was {round(cadence)} steps a minute; aim for about {target}: shorter, quicker steps "
            "with your foot landing under you ease the load on the tendon.")


def extra_run(ran: float) -> str:
    return (f"This run of {minutes(round(ran))} minutes was not in the plan. It counts as running done; the plan's "
            "limits stay where they are.")


# -- away for a while (rule 7's gaps, planned ahead) -----------------------------------------------

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")


def day_span(start: date, end: date) -> str:
    """12-18 May; 28 April-3 May; 28 December 2026-3 January 2027. In the engine, so no locale decides it."""
    if start == end:
        return f"{start.day} {_MONTHS[start.month - 1]}"
    if start.year != end.year:
        return (f"{start.day} {_MONTHS[start.month - 1]} {start.year}–"
                f"{end.day} {_MONTHS[end.month - 1]} {end.year}")
    if start.month != end.month:
        return f"{start.day} {_MONTHS[start.month - 1]}–{end.day} {_MONTHS[end.month - 1]}"
    return f"{start.day}–{end.day} {_MONTHS[end.month - 1]}"


def away_days(start: date, end: date) -> str:
    return f"You are away {day_span(start, end)}: no sessions on those days."


def after_short_away(start: date, end: date) -> str:
    return (f"You were away {day_span(start, end)}, a planned rest: this week picks up the load you were on "
            "before it, with no step back. What fell in those days is not made up; the plan moves on by a week.")


def back_from_away(start: date, end: date, days: int, factor: float) -> str:
    share = "about half of it, or the highest walk-run step that fits" if factor < 0.8 else \
        "about 80% of it, or one step lower"
    return (f"You were away {day_span(start, end)} ({days} days), so running restarts from the "
            f"last full week you ran: {share}. A break is no flare: no days off are added, and the plan builds "
            "up again from here.")


def after_long_away(start: date, end: date) -> str:
    return (f"This is your first full week back after being away {day_span(start, end)}: it keeps the lower "
            "restart load before the plan builds up again.")
