"""build_plan: a request and its check-ins in, a week-by-week plan out.

The plan is a simulation, one day at a time: each week is laid out from the load, each run is
prescribed when its day comes and judged by its check-in (the morning after), the week is judged
as a whole, and the load moves on (`progression`). Everything depends only on the arguments, so
the same inputs give the same plan.
"""

from __future__ import annotations

import copy
from bisect import bisect_left, insort
from dataclasses import replace
from datetime import date, timedelta
from operator import attrgetter
from statistics import mean

from . import actual as actual_run
from . import (
    adapt,
    away,
    continuous,
    entry,
    exercises,
    ladder,
    layout,
    pain,
    progression,
    reintroduce,
    screening,
    units,
    words,
)
from .entry import InputError
from .ladder import Step
from .layout import session_uid
from .plan import (
    Away,
    CheckIn,
    Decision,
    Intensity,
    Kind,
    Phase,
    Plan,
    PlanRequest,
    Session,
    Status,
    Terrain,
    Week,
)
from .progression import WeekDone, at_target, counts_minutes

SHORTEST_PLAN = 12
LONGEST_PLAN = 104
PROJECTION_WEEKS = 40  # how far ahead rule 35's "weeks moved out" looks for the target
DAYS = tuple(timedelta(days=day) for day in range(8))  # a week's day offsets, made once
LOOKBACK = timedelta(days=continuous.LOOKBACK_DAYS)  # rule 15's spans, made once: read for every run
INPUT_SPAN = timedelta(days=continuous.INPUT_DAYS)
# A week's sessions in order: by day, then by kind (a Kind is its value, a str, so in kind.value's order).
_DAY_AND_KIND = attrgetter("date", "kind")

__all__ = ["InputError", "build_plan", "next_monday", "session_uid"]


def next_monday(today: date) -> date:
    return today + timedelta(days=7 - today.weekday())


def build_plan(
    request: PlanRequest,
    *,
    today: date,
    seed: str,
    checkins: tuple[CheckIn, ...] | list[CheckIn] = (),
    away: tuple[Away, ...] | list[Away] = (),
) -> Plan:
    """Turn a runner's answers (and any check-ins) into a plan, or a referral when a red flag is present.

    `away` holds the days the runner is away (no sessions on them); outside the request, so a plan
    without any is the same plan, byte for byte, as before they existed.
    """
    status, referral = screening.screen(request.red_flags)
    ceiling = pain.ceiling(request.pain_tolerance)
    signs = screening.red_flag_signs()
    if status is not Status.PLAN:
        request = replace(request, start_date=request.start_date or next_monday(today))
        return Plan(status=status, request=request, summary=referral or "", referral=referral, red_flags=signs,
                    progression_rule="", ceiling=ceiling)
    return _Simulation(request, today, seed, list(checkins), tuple(sorted(away, key=attrgetter("start")))).plan(signs)


class _Simulation:
    """One plan's weeks, simulated in order; `_week` lays out and judges one."""

    def __init__(self, request: PlanRequest, today: date, seed: str, checkins: list[CheckIn],
                 away_periods: tuple[Away, ...] = ()) -> None:
        self.runner, self.warnings = entry.read_request(request)
        self.entry, entry_warnings = entry.find_entry(request, self.runner)
        self.warnings += entry_warnings
        self.request = replace(request, start_date=request.start_date or next_monday(today),
                               easy_pace=units.effective_pace(request))
        self.start: date = self.request.start_date  # type: ignore[assignment]
        self.seed = seed
        self.ceiling = self.runner.ceiling
        self.checkins = sorted(checkins, key=lambda c: c.date)
        self.by_date = {c.date: c for c in self.checkins}
        self.over_dates = [c.date for c in self.checkins if adapt.over(c, self.ceiling)]  # in date order
        # Rule 15's reading of the weeks before one week: its first day, the longest run of the weeks before it
        # (with longest_run while early), and whether it is early (the runner's own run counts).
        self.longest_before: tuple[date, float | None, bool] | None = None
        self.load = progression.start_load(self.entry)
        self.history: list[WeekDone] = []
        self.weeks: list[Week] = []
        self.runs_done: list[tuple[date, float]] = []  # continuous runs done (or assumed done), rule 15
        self.week_ran = 0.0  # the minutes of this week's runs the caps count (rule 36)
        self.ran_days: list[date] = []  # every day a run was done (or assumed done)
        self.running_since: date | None = None  # the plan's first run day
        self.last_steps: list[Step] = []
        self.last_lighter = False  # whether last_steps are a lighter week's
        self.last_run_days: list[int] = []
        self.quality_kinds: set[tuple[Intensity, Terrain]] = set()  # last week's quality runs
        self.last_strength_days: list[int] = []
        self.run_number = 0
        self.watch = adapt.NoticeWatch()
        self.notices: list[str] = []
        self.projecting = False
        self.why = [words.week_one(self.entry.reason)]
        self.cadence_cue = layout.cadence_cue(request.cadence)
        self.away = away_periods
        self.runs_away = 0  # this week's runs that fell on days away

    # -- the week loop ----------------------------------------------------------------------------

    def plan(self, signs: list[str]) -> Plan:
        while len(self.weeks) < LONGEST_PLAN and not self._done():
            self._week()
        if not self._done():
            self.warnings.append(words.plan_cut(LONGEST_PLAN))
        self.warnings += self._run_day_warnings()
        return Plan(
            status=Status.PLAN,
            request=self.request,
            summary=words.summary(
                weeks=len(self.weeks), start_phase=self.entry.phase, target=self._target_words(),
                reason=self.entry.reason, ceiling=self.ceiling, target_week=self.load.target_week,
                target_start=self._week_start(self.load.target_week),
                assumed_settle=self.entry.phase is Phase.SETTLE),
            weeks=self.weeks,
            warnings=self.warnings,
            referral=None,
            red_flags=signs,
            progression_rule=words.progression_rule(self.ceiling),
            notices=self.notices,
            ceiling=self.ceiling,
            target_week=self.load.target_week,
        )

    def _done(self) -> bool:
        return (self.load.phase is Phase.MAINTAIN and self.load.maintain_weeks >= progression.MAINTAIN_WEEKS
                and len(self.history) >= SHORTEST_PLAN)

    def _week_start(self, number: int | None) -> date | None:
        return None if number is None else self.start + timedelta(days=7 * (number - 1))

    def _week(self) -> None:
        number = len(self.history) + 1
        start = self.start + timedelta(days=7 * (number - 1))
        away_now = away.in_week(self.away, start) if self.away else []
        if self.away:
            self._back_from_away(start)
        load = self.load
        lighter = False
        counted = False
        if load.phase is not Phase.SETTLE and load.phase is not Phase.MAINTAIN and (
                counts_minutes(load) or load.step.continuous):
            load.continuous_weeks += 1
            counted = True
            lighter = continuous.is_deload(load.continuous_weeks)
        if load.target_week is None and load.phase is not Phase.SETTLE and at_target(load, self.runner):
            load.target_week = number
        phase, level, repeated = load.phase, load.level, load.repeat
        # A hold in a lighter week repeats the lighter load, and a lighter week due meanwhile cuts no more.
        cut = lighter and not (repeated and self.last_lighter)
        lighter = lighter or (repeated and self.last_lighter)
        if phase is Phase.SETTLE:
            # A projection (rule 35) follows only the load: it lays out no sessions.
            sessions = [] if self.projecting else layout.settle_week(start, self.seed, self.ceiling, load.settle_weeks)
            steps: list[Step] = []
            self.quality_kinds = set()
            self.week_ran = 0.0
            self.runs_away = 0
        else:
            sessions, steps = self._running_week(start, lighter, cut)
        planned = sum(s.running_minutes for s in steps)
        full = load.total if counts_minutes(load) and not repeated else sum(
            s.running_minutes for s in (self.last_steps if repeated and self.last_steps else steps))
        done = WeekDone(number=number, start=start, phase=phase, steps=steps, planned_minutes=planned,
                        lighter=lighter, cut=cut, repeated=repeated, ran=self._ran_in(start), full_minutes=full,
                        quality=bool(self.quality_kinds), ran_minutes=self.week_ran)
        settled = adapt.settled(self.checkins, start, self.ceiling) if phase is Phase.SETTLE else None
        judgement = self._judge(start, phase, settled)
        if away_now:
            sessions = [s for s in sessions if not away.is_away(away_now, s.date)]
            # Planned rest (up to a week) or the weeks of a longer gap: the load neither rises nor steps
            # back for the runs it took away; a flare the week's check-ins show still counts.
            pausing = self.runs_away > 0 and judgement.decision in (None, Decision.PROGRESS)
        else:
            pausing = False
        rose = bool(self.history) and planned > self.history[-1].planned_minutes
        if pausing:
            # A week cut short by days away is no baseline: not for growth (rule 14), not for a repeat (the
            # week after repeats the last full week), not for the gap rule.
            done = done._replace(steps=[])
        if self.projecting:
            self._advance(done, judgement, settled, pausing=pausing, counted=counted)
            return
        self._watch(number, start, phase, judgement, settled, planned, rose)
        why = self.why
        if away_now:
            why = [*why, *(words.away_days(max(p.start, start), min(p.end, start + DAYS[6])) for p in away_now)]
        moved = self._moved_out(done, judgement, settled)
        self.why = self._advance(done, judgement, settled, pausing=pausing, counted=counted)
        if moved:
            self.why.append(words.moved_out(moved, self.load.target_week))
        self.weeks.append(Week(
            number=number, start=start, phase=phase, running_minutes=round(planned, 1),
            distance=units.to_distance(planned, self.request),
            rationale=words.rationale(phase=phase, stage=_stage(level), why=why, lighter=lighter,
                                      running=planned, ceiling=self.ceiling,
                                      sessions=len(steps)),
            sessions=sorted(sessions, key=_DAY_AND_KIND), deload=lighter,
            rehab_stage=_stage(level), decision=judgement.decision,
        ))

    def _advance(self, done: WeekDone, judgement: adapt.Judgement, settled: bool | None, *,
                 pausing: bool = False, counted: bool = False) -> list[str]:
        if pausing:
            reasons = self._pause(done, counted)
        else:
            reasons = progression.advance(self.load, done, judgement, self.runner, settled=settled,
                                          history=self.history)
        self.history.append(done)
        if done.steps:
            self.last_steps, self.last_lighter = done.steps, done.lighter
        return reasons

    # -- away for a while ---------------------------------------------------------------------------

    def _pause(self, done: WeekDone, counted: bool) -> list[str]:
        """A week whose runs fell on days away: no rise, no step back; the next week repeats the last
        week run (the load before the break). Said in words once the runner is back."""
        load = self.load
        load.repeat = load.stepped_back = False
        load.rest_until = None
        if done.ran:
            load.running_weeks += 1
        progression.pause(load, counted=counted, after_lighter=self.last_lighter)
        last = max(away.in_week(self.away, done.start), key=attrgetter("end"))
        if last.end > done.start + DAYS[6]:
            return []  # still away at the week's end: the week back says what happens
        if last.days > away.PLANNED_REST_DAYS:
            return [words.after_long_away(last.start, last.end)]
        return [words.after_short_away(last.start, last.end)]

    def _back_from_away(self, start: date) -> None:
        """Rule 7 (v2): the week in which the runner comes back from more than a week away starts from the
        gap rule, before it is laid out, so its first run back is already the lower one."""
        period = away.returning(self.away, start)
        if period is None or self.load.phase is Phase.SETTLE:
            return
        factor = away.gap_factor(period)
        full = [w for w in self.history if not away.in_week(self.away, w.start)]  # the last full week run
        progression.after_away(self.load, factor, full, self.runner)
        self.last_steps, self.last_lighter = [], False  # a repeat after it repeats the lower load
        self.why = [*self.why, words.back_from_away(period.start, period.end, period.days, factor)]

    def _judge(self, start: date, phase: Phase, settled: bool | None) -> adapt.Judgement:
        if phase is Phase.SETTLE:
            if settled is None:
                return adapt.NO_DECISION
            if settled:
                return adapt.PROGRESS
            return adapt.Judgement(Decision.HOLD, True, (words.NOT_SETTLED,))
        if not self.checkins:
            return adapt.NO_DECISION  # no check-in: no decision (and a projection has none)
        return adapt.judge_week(start, self.checkins, ceiling=self.ceiling,
                                pain_at_rest=self.request.pain_at_rest, gap_days=self._gap_days(start))

    def _watch(self, number: int, start: date, phase: Phase, judgement: adapt.Judgement, settled: bool | None,
               planned: float, rose: bool) -> None:
        """The physiotherapist notice, on pain evidence only (rules 7 and 8, v2)."""
        if not self.checkins:
            return  # no check-in, no pain evidence: the notice cannot come due, now or later
        if phase is Phase.SETTLE:
            due = self.watch.settle_week(settled)
        else:
            end = start + DAYS[7]
            pains = [c.pain_during for c in self.checkins if start <= c.date < end]
            due = self.watch.week(number, judgement, mean(pains) if pains else None, planned, rose=rose,
                                  at_target=at_target(self.load, self.runner))
        if due and words.PHYSIO_NOTICE not in self.notices:
            self.notices.append(words.PHYSIO_NOTICE)

    # -- one running week -------------------------------------------------------------------------

    def _running_week(self, start: date, lighter: bool, cut: bool) -> tuple[list[Session], list[Step]]:
        load = self.load
        earliest = max(0, (load.rest_until - start).days) if load.rest_until else 0
        back_to_back = counts_minutes(load) and load.weeks_at_top >= continuous.BACK_TO_BACK_AFTER_WEEKS
        days = layout.run_days(load.runs, earliest=earliest, before=self.last_run_days, back_to_back=back_to_back)
        quality = None
        if load.phase is Phase.REINTRODUCE and load.calm_weeks >= reintroduce.CALM_WEEKS:
            quality = reintroduce.step(load.quality, load.total * (continuous.DELOAD_FACTOR if lighter else 1))
        elif load.phase is Phase.MAINTAIN and counts_minutes(load) and load.calm_weeks >= reintroduce.CALM_WEEKS:
            quality = reintroduce.keep(load.maintain_weeks, load.total)
        climbing = not (load.repeat or load.stepped_back or lighter or counts_minutes(load))
        self.week_ran = 0.0
        self.runs_away = 0
        sessions: list[Session] = []  # none in a projection (rule 35), which follows only the load
        steps: list[Step] = []
        laid: list[int] = []  # the days that hold a run
        last_ok: Step | None = None
        quality_run: tuple[int, date, int, Step] | None = None  # where the week's quality run goes
        stop = False
        for index, day in enumerate(days):
            when = start + DAYS[day]
            if self.away and away.is_away(self.away, when):
                self.runs_away += 1  # the sessions move on: a run on a day away is not made up
                continue
            # Rule 7 (v2): pain over the ceiling on an earlier day (a rehab day too) reaches the rest of the week.
            overs = self._over_days_before(when) if self.over_dates else []
            stop = stop or (len(overs) > 1 and adapt.two_over_within_a_week(overs, start))
            if stop:
                if not self.projecting:
                    sessions.append(layout.rest(when, self.seed, why=words.NO_MORE_RUNNING))
                continue
            step = self._prescribe(index, when, start, cut)
            if last_ok is not None and overs and any(d >= start for d in overs):
                step = min(step, last_ok)  # the next run repeats the last one within the ceiling
            self.run_number += 1
            self.running_since = self.running_since or when
            if index == len(days) // 2:
                quality_run = (len(sessions), when, self.run_number, step)
            if not self.projecting:
                sessions.append(self._run(when, self.run_number, step, None))
            steps.append(step)
            laid.append(day)
            checkin = self.by_date.get(when)
            completed = checkin is None or checkin.completed
            actual = checkin.actual if checkin is not None else None
            self.week_ran += actual_run.counted_minutes(step.running_minutes, actual)  # rule 36
            if completed:
                self.ran_days.append(when)
                if step.continuous:
                    self.runs_done.append((when, actual_run.counted_bout(step.minutes, actual)))
            good = checkin is None or not (adapt.over(checkin, self.ceiling) or adapt.morning_worse(
                checkin, self.checkins, self.request.pain_at_rest) or (  # rule 36: a run cut short is no step up
                actual is not None and actual_run.cut_short(step.running_minutes, actual.running_minutes)))
            if completed and good:
                last_ok = step
                if climbing:
                    self._climb(when, start)
        for extra in self._extra_runs(start, laid):
            insort(self.ran_days, extra)  # rule 36: running done on a day the plan had none
        chosen = self._quality(quality, steps) if quality is not None and quality_run is not None else None
        self.quality_kinds = {(chosen.intensity, chosen.terrain)} if chosen is not None else set()
        self.last_run_days = laid
        if self.projecting:
            return sessions, steps
        if chosen is not None and quality_run is not None:
            at, when, number, step = quality_run
            sessions[at] = self._run(when, number, step, chosen)
        sessions += self._rehab_days(start, days)
        return sessions, steps

    def _run(self, when: date, number: int, step: Step, quality: reintroduce.Step | None) -> Session:
        return layout.run(when, self.seed, number, step, ceiling=self.ceiling, baseline=self.request.pain_at_rest,
                          cadence_cue=self.cadence_cue, quality=quality, level=self.load.level)

    def _quality(self, quality: reintroduce.Step, steps: list[Step]) -> reintroduce.Step | None:
        """Rule 22: the week's quality as the week turned out: at most 10% of its minutes, and nothing new
        in a week whose minutes rise on the week actually before it (v2)."""
        minutes = sum(s.running_minutes for s in steps)
        before = self.history[-1].planned_minutes if self.history else 0
        if (quality.intensity, quality.terrain) not in self.quality_kinds and minutes > before:
            return None
        share = reintroduce.within_share(quality, minutes)
        return share if share.minutes > 0 else None

    def _over_days_before(self, when: date) -> list[date]:
        """Days of the last week whose check-in went over the ceiling, before `when`."""
        if not self.over_dates:
            return []
        since = when - timedelta(days=adapt.STEP_BACK_WINDOW_DAYS)
        return [d for d in self.over_dates if since < d < when]

    def _prescribe(self, index: int, when: date, week_start: date, lighter: bool) -> Step:
        """The run of this day, before any same-week reaction: capped by rule 15, lighter by rule 16."""
        load = self.load
        if load.repeat and self.last_steps:
            step = self.last_steps[min(index, len(self.last_steps) - 1)]
        elif counts_minutes(load):
            step = ladder.continuous(int(load.total / max(load.runs, 1) + continuous.EPSILON))
        else:
            step = load.step
        if not step.continuous:
            return step  # walk-run sessions follow the ladder (rule 13)
        minutes = continuous.lighter(step.minutes) if lighter else step.minutes
        cap = continuous.single_run_cap(self._recent_longest(when, week_start))
        if cap is not None:
            minutes = min(minutes, cap)
        return ladder.continuous(minutes)

    def _climb(self, when: date, week_start: date) -> None:
        """Rule 13 (v2): after two sessions at a step within the ceiling, the next session moves up."""
        load = self.load
        load.done_at_step += 1
        if load.done_at_step < ladder.SESSIONS_AT_A_STEP or load.step.at_top:
            return
        following = load.step.up()
        if following.running_minutes * load.runs > self.runner.target:
            return  # rule 18: never past the target
        recent = [d for d in load.step_days if (when - d).days < 7]
        if len(recent) >= ladder.STEPS_IN_7_DAYS:
            return
        cap = continuous.single_run_cap(self._recent_longest(when, week_start))
        if following.continuous and cap is not None and following.minutes > cap:
            return
        load.step, load.done_at_step = following, 0
        load.step_days.append(when)
        if following.continuous:
            load.phase = Phase.EASY_RUN

    def _rehab_days(self, start: date, run_days: list[int]) -> list[Session]:
        load = self.load
        free = [d for d in range(7) if d not in run_days]
        if load.level == 1:
            self.last_strength_days = []  # bridge holds are no heavy day (rule 24)
            return [layout.strength(start + DAYS[d], self.seed, self.ceiling, 1, plyo=False) for d in free]
        maintenance = load.phase is Phase.MAINTAIN
        count = exercises.MAINTENANCE_SESSIONS if maintenance else exercises.HEAVY_SESSIONS
        chosen = layout.strength_days(count, runs=run_days, before=self.last_strength_days)
        self.last_strength_days = chosen
        plyo = chosen[:exercises.PLYO_SESSIONS] if load.level >= exercises.PLYO_LEVEL else []
        sessions = [layout.strength(start + DAYS[d], self.seed, self.ceiling, load.level,
                                    plyo=d in plyo, maintenance=maintenance) for d in chosen]
        sessions += [layout.rest(start + DAYS[d], self.seed) for d in free if d not in chosen]
        return sessions

    # -- what the check-ins say ----------------------------------------------------------------------

    def _recent_longest(self, when: date, week_start: date) -> float | None:
        """Rule 15 (v2): the longest continuous run done (or planned, without a check-in) before a run day.

        Read cautiously: the three whole weeks before the run's week when they hold a continuous run
        (inside "the previous 30 days" of every day of the week, so never looser than the rule), else
        the 30 days before the day itself, so a cap is never lost to a walk-run stretch. `week_start` is
        the first day of `when`'s week.
        """
        if self.longest_before is None or self.longest_before[0] != week_start:
            # The runs of the weeks before this one are all known by its first day: read them once a week.
            narrow = self._longest_between(week_start - LOOKBACK, week_start)
            early = week_start + DAYS[6] - self.start < INPUT_SPAN
            if narrow is not None and early and self.runner.longest is not None:
                narrow = max(narrow, self.runner.longest)  # longest_run: a run of the 30 days before the plan
            self.longest_before = week_start, narrow, early
        _, narrow, early = self.longest_before
        if narrow is not None:
            return narrow  # the same for every day of the week
        wide = self._longest_between(when - INPUT_SPAN, when)
        recent = [wide] if wide is not None else []
        if early:
            if self.runner.longest is not None:  # longest_run: a run of the 30 days before the plan
                recent.append(self.runner.longest)
            elif not recent and self.runner.current_run:
                recent.append(self.runner.current_run)  # rule 11: week 1 holds the runner's own run
        return max(recent) if recent else None

    def _longest_between(self, since: date, until: date) -> float | None:
        longest = None
        for day, length in reversed(self.runs_done):  # in date order: read back only as far as `since`
            if day < since:
                break
            if day < until and (longest is None or length > longest):
                longest = length
        return longest

    def _extra_runs(self, start: date, laid: list[int]) -> list[date]:
        """Days of the week with running really done (a check-in that says what was run) but no run planned."""
        if not self.checkins:
            return []
        planned = {start + DAYS[d] for d in laid}
        return [c.date for c in self.checkins if c.actual is not None and c.completed
                and start <= c.date < start + DAYS[7] and c.date not in planned]

    def _ran_in(self, start: date) -> bool:
        at = bisect_left(self.ran_days, start)  # ran_days are in date order
        return at < len(self.ran_days) and self.ran_days[at] < start + DAYS[7]

    def _gap_days(self, start: date) -> int:
        """The longest stretch without running that a missed session caused, reaching into this week."""
        end = start + timedelta(days=7)
        missed = [c.date for c in self.checkins if start <= c.date < end and not c.completed
                  and c.date not in self.ran_days and self._was_run_day(c.date)]
        longest = 0
        for day in missed:
            # Days before running started in the plan (settle weeks) are no gap.
            started = self.running_since or day
            before = max((d for d in self.ran_days if d < day), default=started - timedelta(days=1))
            after = min((d for d in self.ran_days if d > day), default=end)
            longest = max(longest, (after - before).days - 1)
        return longest

    def _was_run_day(self, day: date) -> bool:
        week = (day - self.start).days // 7
        return week == len(self.history) and (day - self.start).days % 7 in self.last_run_days

    def _moved_out(self, done: WeekDone, judgement: adapt.Judgement, settled: bool | None) -> int:
        """Rule 35: how many weeks a hold or step back moved the expected target week out."""
        if judgement.decision not in (Decision.HOLD, Decision.STEP_BACK) or self.load.target_week is not None:
            return 0
        with_it = self._project(done, judgement, settled)
        without = self._project(done, adapt.PROGRESS, settled)
        if with_it is None or without is None:
            return 0
        return max(0, with_it - without)

    def _project(self, done: WeekDone, judgement: adapt.Judgement, settled: bool | None) -> int | None:
        clone = copy.copy(self)
        clone.load = copy.copy(self.load)
        clone.load.step_days = list(self.load.step_days)  # the load's one mutable field: a deep copy
        clone.history, clone.weeks = list(self.history), []
        clone.runs_done, clone.ran_days = list(self.runs_done), list(self.ran_days)
        clone.checkins, clone.by_date, clone.over_dates, clone.projecting = [], {}, [], True
        clone._advance(done, judgement, True if settled is False else settled)
        horizon = min(LONGEST_PLAN, len(self.history) + PROJECTION_WEEKS)
        while clone.load.target_week is None and len(clone.history) < horizon:
            clone._week()
        return clone.load.target_week

    # -- words ---------------------------------------------------------------------------------------

    def _target_words(self) -> str:
        distance = units.to_distance(self.runner.target, self.request)
        unit = None if distance is None else self.request.unit.value
        return words.target(self.runner.target, distance, unit)

    def _run_day_warnings(self) -> list[str]:
        """Rule 17 (v2): a warning never promises run days the plan does not reach."""
        asked = self.request.runs_per_week
        run = Kind.RUN  # looked up once: an Enum member looked up on its class is slow, and this reads every session
        runs = [sum(1 for s in w.sessions if s.kind is run) for w in self.weeks]
        most = max(runs, default=0)
        fits = min(asked, continuous.MOST_RUNS, continuous.RUN_DAYS_THAT_FIT)
        warnings = []
        if asked > continuous.RUN_DAYS_THAT_FIT:
            warnings.append(words.runs_do_not_fit(asked, continuous.RUN_DAYS_THAT_FIT))
        first_full = next((w.number for w, count in zip(self.weeks, runs, strict=True) if count >= fits), None)
        if fits > most or first_full is None:
            warnings.append(words.runs_not_reached(fits, most))
        elif first_full > 1:
            warnings.append(words.runs_come_back(fits, first_full))
        return warnings


def _stage(level: int) -> int:
    return exercises.stage_of(level)
