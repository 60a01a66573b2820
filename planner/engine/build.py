"""build_plan: a request and its check-ins in, a week-by-week plan out.

The plan is a simulation, one week at a time: lay out the week from the current load, judge
the week by its check-ins, then move the load on (progress), keep it (hold) or drop it
(step back). Everything depends only on the arguments, so the same inputs give the same plan.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from . import adapt, continuous, exercises, ladder, pain, reintroduce, screening, units, words
from .entry import InputError, find_entry
from .plan import (
    CheckIn,
    Decision,
    Exercise,
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

UID_NAMESPACE = uuid.UUID("5b0f6c2e-1f7d-4c1a-9a43-2d1f0b8e7c31")  # fixed forever: UIDs depend on it
SETTLE_WEEKS = 2
MAINTAIN_WEEKS = 4
SHORTEST_PLAN = 12
LONGEST_PLAN = 104
SMALLEST_TARGET = 20  # minutes a week: below this there is no return to running to plan
LARGEST_VOLUME = 1800  # minutes a week (30 hours)
DEFAULT_TARGET = ladder.TOP_MINUTES * ladder.WALK_RUN_SESSIONS  # three 30-minute runs
CADENCE_RISE = 0.05


def next_monday(today: date) -> date:
    return today + timedelta(days=7 - today.weekday())


def session_uid(seed: str, day: date, kind: Kind) -> str:
    """Opaque and stable: the same day and kind of the same plan keep their UID across re-plans."""
    return str(uuid.uuid5(UID_NAMESPACE, f"{seed}/{day.isoformat()}/{kind.value}")).upper()


@dataclass
class Load:
    """Where the runner is between two weeks."""

    phase: Phase
    rung: int
    total: float
    runs: int
    stage: int
    stage_weeks: int = 0
    settle_weeks: int = 0
    continuous_weeks: int = 0
    weeks_at_target: int = 0
    weeks_at_top: int = 0
    quality_weeks: int = 0
    maintain_weeks: int = 0
    running_weeks: int = 0
    rest_days: int = 0
    last_run_day: int = -7  # weekday index of the last run, relative to this week's start
    repeat_lighter: bool = False  # a hold in a lighter week: the next week repeats the lighter load
    counting: bool = True  # whether the week just done counts towards weeks at the top and at the target
    week_cap: float | None = None  # after a hold or a step back: the next week's running stays at or under this
    history: list[float] = field(default_factory=list)  # longest continuous run per week

    @property
    def counts_minutes(self) -> bool:
        return self.phase in (Phase.BUILD, Phase.REINTRODUCE, Phase.MAINTAIN) and self.total > 0


def build_plan(
    request: PlanRequest,
    *,
    today: date,
    seed: str,
    checkins: tuple[CheckIn, ...] | list[CheckIn] = (),
) -> Plan:
    """Turn a runner's answers (and any check-ins) into a plan, or a referral when a red flag is present."""
    status, referral = screening.screen(request.red_flags)
    ceiling = pain.ceiling(request.pain_tolerance)
    request = replace(
        request,
        start_date=request.start_date or next_monday(today),
        easy_pace=units.effective_pace(request),
    )
    signs = screening.red_flag_signs()
    if status is not Status.PLAN:
        return Plan(status=status, request=request, summary=referral or "", referral=referral, red_flags=signs,
                    progression_rule="", ceiling=ceiling)
    return _Planner(request, seed, list(checkins), ceiling).plan(signs)


class _Planner:
    def __init__(self, request: PlanRequest, seed: str, checkins: list[CheckIn], ceiling: int) -> None:
        self.request = request
        self.seed = seed
        self.checkins = sorted(checkins, key=lambda c: c.date)
        self.ceiling = ceiling
        self.baseline = request.pain_at_rest
        self.warnings: list[str] = []
        self.notices: list[str] = []
        self.current = units.to_minutes(request.weekly_volume, request)
        if request.target_weekly_volume is not None:
            self.target = units.to_minutes(request.target_weekly_volume, request)
        else:
            self.target = max(self.current, DEFAULT_TARGET)
        if self.target < SMALLEST_TARGET:
            raise InputError("target_weekly_volume",
                             f"A target under {SMALLEST_TARGET} minutes of running a week is too small to plan "
                             "a return.")
        if max(self.current, self.target) > LARGEST_VOLUME:
            field_name = "weekly_volume" if self.current > LARGEST_VOLUME else "target_weekly_volume"
            raise InputError(field_name,
                             "That is more than 30 hours of running a week; please check the number and unit.")
        self.runs_wanted = min(request.runs_per_week, continuous.MOST_RUNS)
        if request.pain_tolerance > pain.HIGHEST_CEILING:
            self.warnings.append(
                f"Your pain tolerance of {request.pain_tolerance}/10 is held at {pain.HIGHEST_CEILING}/10: "
                "more pain than that during rehab is not advised."
            )
        if request.runs_per_week > continuous.MOST_RUNS:
            self.warnings.append(
                f"{request.runs_per_week} runs a week is cut to {continuous.MOST_RUNS}: a tendon needs rest days."
            )
        longest = units.to_minutes(request.longest_run, request) if request.longest_run else None
        self.longest_input = longest
        self.entry, entry_warnings = find_entry(
            current_minutes=self.current,
            current_pain=request.current_pain,
            ceiling=ceiling,
            morning_after_worse=request.morning_after_worse,
            pain_at_rest=request.pain_at_rest,
            longest_run_minutes=longest,
            target_minutes=self.target,
            runs_wanted=self.runs_wanted,
        )
        self.warnings += entry_warnings
        if request.runs_per_week > ladder.WALK_RUN_SESSIONS and self.entry.phase in (
            Phase.SETTLE, Phase.WALK_RUN, Phase.EASY_RUN
        ):
            self.warnings.append(
                f"Walk-run and early running weeks have {ladder.WALK_RUN_SESSIONS} runs on non-consecutive days; "
                f"your {request.runs_per_week} runs a week come back later."
            )
        self.run_number = 0

    # -- the simulation -------------------------------------------------------------------

    def plan(self, signs: list[str]) -> Plan:
        entry = self.entry
        load = Load(
            phase=entry.phase,
            rung=entry.rung,
            total=entry.total,
            runs=entry.runs,
            stage=1 if entry.phase in (Phase.SETTLE, Phase.WALK_RUN) else 2,
            # A runner already running 30+ minutes within the ceiling has had their flare-free weeks.
            weeks_at_top=continuous.BACK_TO_BACK_AFTER_WEEKS if entry.phase is Phase.BUILD and not entry.painful else 0,
        )
        start = self.request.start_date
        assert start is not None
        weeks: list[Week] = []
        run_dates: list[date] = []
        bad_weeks = 0
        why: list[str] = [f"Week 1 starts here because {entry.reason}."]
        while len(weeks) < LONGEST_PLAN:
            week_start = start + timedelta(days=7 * len(weeks))
            week = self._week(len(weeks) + 1, week_start, load, why)
            weeks.append(week)
            runs = [s for s in week.sessions if s.kind is Kind.RUN]
            run_dates += [s.date for s in runs]
            adjustment = adapt.assess_week(week_start, run_dates, self.checkins, ceiling=self.ceiling,
                                           baseline=self.baseline)
            if adjustment.checked_in:
                weeks[-1] = week = replace(week, decision=adjustment.decision)
            bad_weeks = bad_weeks + 1 if adjustment.decision is not Decision.PROGRESS else 0
            notice_due = bad_weeks >= adapt.BAD_WEEKS_FOR_NOTICE or adapt.no_improvement(
                self.checkins, start, week_start + timedelta(days=6))
            if notice_due and words.PHYSIO_NOTICE not in self.notices:
                self.notices.append(words.PHYSIO_NOTICE)
            why = self._advance(load, week, adjustment)
            if load.phase is Phase.MAINTAIN and load.maintain_weeks >= MAINTAIN_WEEKS and len(weeks) >= SHORTEST_PLAN:
                break
        else:
            self.warnings.append(f"The plan is cut at {LONGEST_PLAN} weeks; check in with a physiotherapist.")
        return self._finish(weeks, signs)

    def _advance(self, load: Load, week: Week, adjustment: adapt.Adjustment) -> list[str]:
        """Move the load on after a week; returns the reasons the next week's rationale gives."""
        load.last_run_day = max((s.date - week.start).days for s in week.sessions if s.kind is Kind.RUN) - 7 \
            if any(s.kind is Kind.RUN for s in week.sessions) else load.last_run_day - 7
        load.rest_days = 0
        if week.running_minutes:
            load.running_weeks += 1
            load.history.append(max(s.continuous_minutes or 0 for s in week.sessions if s.kind is Kind.RUN))
        else:
            load.history.append(0)
        if not week.deload and load.counts_minutes and week.running_minutes:
            # Everything after a full week starts from what it really held (whole minutes, capped runs).
            load.total = min(load.total, week.running_minutes)
        if adjustment.decision is not Decision.PROGRESS and week.running_minutes:
            load.week_cap = week.running_minutes  # a hold repeats the week, a step back goes below it
        if adjustment.decision is Decision.HOLD:
            # The next week repeats what this week really held: same rung, same minutes (rule 7).
            load.repeat_lighter = week.deload
            return [f"This week repeats last week's load because {' and '.join(adjustment.reasons)}."]
        if adjustment.decision is Decision.STEP_BACK:
            self._step_back(load, week, adjustment)
            load.rest_days = adjustment.rest_days
            rest = " It starts with two days without running; keep the rehab exercises going." if load.rest_days else ""
            return [f"This week steps back because {' and '.join(adjustment.reasons)}.{rest}"]
        return self._progress(load, week)

    def _step_back(self, load: Load, week: Week, adjustment: adapt.Adjustment) -> None:
        # One rung (or ~20%) for pain, and one rung (or ~10%) for each five days without running (rule 7).
        steps = adjustment.pain_step + adjustment.missed_steps
        load.weeks_at_target = 0
        load.quality_weeks = 0
        load.weeks_at_top = 0
        if load.counts_minutes:
            factor = (continuous.STEP_BACK_FACTOR if adjustment.pain_step else 1) \
                * continuous.TIME_OFF_FACTOR ** adjustment.missed_steps
            # From what the week really held: a step back out of a lighter week goes below it.
            held = min(load.total, week.running_minutes) if week.running_minutes else load.total
            load.total = math.floor(held * factor)
            load.runs = min(load.runs, max(ladder.WALK_RUN_SESSIONS, load.runs - 1))
            load.phase = Phase.BUILD
            return
        if load.phase is Phase.SETTLE:
            load.settle_weeks = 0
            return
        load.rung = max(1, load.rung - steps)
        load.repeat_lighter = week.deload  # a rung down from a lighter week stays lighter
        # A step back never runs more than the week it steps back from (a lighter week included).
        while load.rung > 1 and week.running_minutes and \
                self._rung_week_minutes(load.rung, week.deload) > week.running_minutes:
            load.rung -= 1
        load.phase = Phase.WALK_RUN if load.rung < ladder.FIRST_CONTINUOUS else Phase.EASY_RUN

    def _progress(self, load: Load, week: Week) -> list[str]:
        load.stage_weeks += 1
        load.counting = not week.deload  # a lighter week is not a week at the top or at the target
        if load.counting and week.running_minutes and self._at_top(load):
            load.weeks_at_top += 1
        reasons = self._move_on(load)
        if week.deload and load.phase in (Phase.EASY_RUN, Phase.BUILD) and not self._next_is_lighter(load):
            return ["After the lighter week, the load picks up again from the week before it.", *reasons]
        return reasons

    def _move_on(self, load: Load) -> list[str]:

        stage_due = self._stage_due(load)
        if load.phase is Phase.SETTLE:
            load.settle_weeks += 1
            if load.settle_weeks >= SETTLE_WEEKS:
                load.phase, load.rung, load.runs = Phase.WALK_RUN, 1, ladder.WALK_RUN_SESSIONS
                if stage_due:
                    load.stage, load.stage_weeks = 2, 0
                return ["Running starts on the first walk-run rung, now that the settling weeks are done."]
            return ["This is a second settling week, with no running until rest pain is 0 and a 30-minute brisk "
                    "walk stays within your ceiling."]
        if stage_due:
            load.stage += 1
            load.stage_weeks = 0
            self._count_target(load)
            return [f"Rehab moves to stage {load.stage} this week, so running holds (never both up in one week)."]

        if load.phase is Phase.MAINTAIN:
            load.maintain_weeks += 1
            return ["You are back, so running holds at your target and strength work keeps you there."]
        if load.phase is Phase.REINTRODUCE:
            load.quality_weeks += 1
            if load.quality_weeks >= len(reintroduce.STEPS):
                load.phase = Phase.MAINTAIN
                return ["Speed and hills are back; from here the plan maintains what you have built."]
            return ["Speed and hills come back one at a time, with weekly minutes unchanged."]
        if load.phase in (Phase.WALK_RUN, Phase.EASY_RUN) and load.total == 0:
            return self._climb(load)
        return self._grow(load)

    def _next_is_lighter(self, load: Load) -> bool:
        """Whether the coming week is a deload: it keeps this week's load and takes 20% off (rule 16)."""
        running_on = load.counts_minutes or load.rung >= ladder.FIRST_CONTINUOUS
        return (running_on and load.phase in (Phase.EASY_RUN, Phase.BUILD)
                and continuous.is_deload(load.continuous_weeks + 1))

    @staticmethod
    def _rung_week_minutes(number: int, lighter: bool) -> float:
        rung = ladder.rung(number)
        if rung.continuous and lighter:
            return round(rung.run_minutes * continuous.DELOAD_FACTOR) * ladder.WALK_RUN_SESSIONS
        return rung.running_minutes * ladder.WALK_RUN_SESSIONS

    def _reached(self, load: Load) -> bool:
        """At the target, give or take the part of a minute each whole-minute run leaves out."""
        return load.total + load.runs > self.target

    def _climb(self, load: Load) -> list[str]:
        """Up the ladder one rung a week: each rung is done three times (at least twice, rule 13)."""
        if load.rung < ladder.TOP:
            nxt = ladder.rung(load.rung + 1)
            if nxt.running_minutes * ladder.WALK_RUN_SESSIONS > self.target:
                load.weeks_at_target += load.counting
                return self._settle_at_target(load)
            if self._next_is_lighter(load):
                return []
            load.rung += 1
            if load.rung >= ladder.FIRST_CONTINUOUS:
                load.phase = Phase.EASY_RUN
                if load.rung == ladder.FIRST_CONTINUOUS:
                    return ["The walk breaks are done, and runs are now 20 minutes of continuous easy running."]
                return ["Runs grow by about 2 minutes, staying easy and flat."]
            return ["You move up one rung because every session of the last one stayed within your ceiling."]
        # From 30 minutes continuous the plan counts weekly minutes (rule 14).
        load.phase = Phase.BUILD
        load.total = ladder.TOP_MINUTES * ladder.WALK_RUN_SESSIONS
        load.runs = ladder.WALK_RUN_SESSIONS
        return self._grow(load)

    def _grow(self, load: Load) -> list[str]:
        load.phase = Phase.BUILD if load.phase in (Phase.WALK_RUN, Phase.EASY_RUN) else load.phase
        self._count_target(load)
        if self._reached(load):
            return self._settle_at_target(load)
        if self._next_is_lighter(load):
            return []
        back_to_back = load.weeks_at_top >= continuous.BACK_TO_BACK_AFTER_WEEKS
        if load.runs < self.runs_wanted and (load.runs < ladder.WALK_RUN_SESSIONS or back_to_back):
            load.runs += 1
            load.total = continuous.grow(load.total, self.target)
            return [f"One more run day is added ({load.runs} a week), and no single run gets longer."]
        load.total = continuous.grow(load.total, self.target)
        return ["Weekly minutes grow by at most 10%, never past your target."]

    def _settle_at_target(self, load: Load) -> list[str]:
        ready = (
            load.weeks_at_target >= reintroduce.WEEKS_AT_TARGET_FIRST
            and load.stage >= 4
            and load.running_weeks >= reintroduce.EARLIEST_RUNNING_WEEK - 1
        )
        if ready and load.counts_minutes:
            load.phase = Phase.REINTRODUCE
            return ["After three flare-free weeks at your target, speed comes back first, as strides on the flat."]
        done_waiting = load.weeks_at_target >= reintroduce.WEEKS_AT_TARGET_FIRST + len(reintroduce.STEPS)
        if done_waiting and not load.counts_minutes:
            load.phase = Phase.MAINTAIN
            return ["You are back at your target; from here the plan maintains it."]
        if load.weeks_at_target >= 2:
            return ["After two weeks at your target, your return is done. Running holds here until speed and "
                    "hills can come back: after three flare-free weeks at the target, rehab stage 4 and about "
                    "eight weeks of running."]
        return ["You are at your target, so running holds here; the plan never goes past it."]

    def _count_target(self, load: Load) -> None:
        at_target = self._reached(load) if load.counts_minutes else (
            ladder.rung(load.rung + 1).running_minutes * ladder.WALK_RUN_SESSIONS > self.target
        )
        if at_target and load.counting:
            load.weeks_at_target += 1

    def _stage_due(self, load: Load) -> bool:
        if load.phase is Phase.SETTLE or load.stage >= 4 or load.stage_weeks < 2:
            return False
        if load.stage == 3:
            # Plyometrics only once running is continuous, and always before speed and hills (rule 26).
            return load.rung >= ladder.FIRST_CONTINUOUS or load.counts_minutes
        return True

    def _at_top(self, load: Load) -> bool:
        return load.counts_minutes or load.rung >= ladder.TOP

    # -- laying out one week -------------------------------------------------------------------

    def _week(self, number: int, start: date, load: Load, why: list[str]) -> Week:
        continuous_now = load.counts_minutes or load.rung >= ladder.FIRST_CONTINUOUS
        deload = repeated = False
        if continuous_now and load.phase in (Phase.EASY_RUN, Phase.BUILD):
            load.continuous_weeks += 1
            repeated = load.repeat_lighter and not continuous.is_deload(load.continuous_weeks)
            deload = continuous.is_deload(load.continuous_weeks) or load.repeat_lighter
        load.repeat_lighter = False
        if load.phase is Phase.SETTLE:
            sessions = self._settle_week(start, load)
        else:
            sessions = self._running_week(start, load, deload)
        running = round(sum(s.running_minutes for s in sessions), 1)
        load.week_cap = None
        rationale = self._rationale(load, why, deload, running, repeated)
        return Week(
            number=number,
            start=start,
            phase=load.phase,
            running_minutes=running,
            distance=units.to_distance(running, self.request),
            rationale=rationale,
            sessions=sessions,
            deload=deload,
            rehab_stage=load.stage,
        )

    def _settle_week(self, start: date, load: Load) -> list[Session]:
        walk = 30 if load.settle_weeks >= 1 else 20
        sessions = []
        for day in range(7):
            when = start + timedelta(days=day)
            sessions.append(self._strength(when, 1, plyo=False))
            if day in (0, 2, 4):
                sessions.append(Session(
                    uid=session_uid(self.seed, when, Kind.CROSS_TRAIN), date=when, kind=Kind.CROSS_TRAIN,
                    title=f"Brisk walk {walk} min", running_minutes=0, intervals=None, continuous_minutes=walk,
                    terrain=Terrain.FLAT, intensity=Intensity.EASY,
                    cues=[f"Walk briskly on the flat for {walk} minutes, keeping pain at or under {self.ceiling}/10.",
                          pain.stop_rule(self.ceiling), words.SITTING_ADVICE],
                    exercises=[],
                ))
        return sessions

    def _run_days(self, load: Load, wanted: int) -> list[int]:
        back_to_back = load.counts_minutes and load.weeks_at_top >= continuous.BACK_TO_BACK_AFTER_WEEKS
        earliest = max(load.rest_days, (load.last_run_day + (1 if back_to_back else 2)))
        for count in range(wanted, 0, -1):
            for first in range(earliest, 7):
                days = _spread(first, count, back_to_back)
                if days:
                    return days
        return [6]

    def _running_week(self, start: date, load: Load, deload: bool) -> list[Session]:
        wanted = load.runs if load.counts_minutes else ladder.WALK_RUN_SESSIONS
        days = self._run_days(load, wanted)
        sessions: list[Session] = []
        quality = None
        if load.phase is Phase.REINTRODUCE:
            quality = reintroduce.step(load.quality_weeks, self._run_minutes(load, deload) * len(days))
        for index, day in enumerate(days):
            when = start + timedelta(days=day)
            sessions.append(self._run(when, load, deload, quality if index == len(days) // 2 else None))
        strength_days = [d for d in range(7) if d not in days]
        if load.stage == 1:
            sessions += [self._strength(start + timedelta(days=d), 1, plyo=False) for d in strength_days]
        else:
            count = 2 if load.phase is Phase.MAINTAIN else 3
            chosen = _pick(strength_days, count)
            plyo_days = chosen[:2] if load.stage >= 4 else []
            sessions += [self._strength(start + timedelta(days=d), load.stage, plyo=d in plyo_days,
                                        maintenance=load.phase is Phase.MAINTAIN) for d in chosen]
            strength_days = [d for d in strength_days if d not in chosen]
        sessions += [self._rest(start + timedelta(days=d)) for d in strength_days if load.stage != 1]
        return sorted(sessions, key=lambda s: (s.date, s.kind.value))

    def _run(self, when: date, load: Load, deload: bool, quality: reintroduce.Step | None) -> Session:
        self.run_number += 1
        cues = [pain.stop_rule(self.ceiling), pain.next_morning_rule(self.baseline), self._cadence_cue(load)]
        intensity, terrain = Intensity.EASY, Terrain.FLAT
        if load.counts_minutes:
            per_run = self._run_minutes(load, deload)
            intervals, continuous_minutes, running = None, per_run, per_run
            title = f"Run {self.run_number}: {words.minutes(per_run)} min easy"
            cues.insert(0, "Easy and conversational, on the flat.")
        else:
            rung = ladder.rung(load.rung)
            if rung.continuous:
                per_run = float(round(rung.run_minutes * (continuous.DELOAD_FACTOR if deload else 1)))
                # Once runs are continuous (20 minutes and up), the 110% single-run cap holds on the ladder
                # too, e.g. after several lighter weeks in a row (rule 15).
                recent = self._recent_longest(load)
                if recent is not None and recent >= ladder.rung(ladder.FIRST_CONTINUOUS).run_minutes:
                    per_run = min(per_run, float(math.floor(recent * continuous.SINGLE_RUN_CAP + 1e-9)))
                intervals, continuous_minutes, running = None, per_run, per_run
                title = f"Run {self.run_number}: {words.minutes(per_run)} min easy"
                cues.insert(0, "Continuous, easy and conversational, on the flat.")
            else:
                intervals = rung.intervals()
                continuous_minutes, running = None, rung.running_minutes
                title = (f"Run {self.run_number}: {rung.repeats} × {words.minutes(rung.run_minutes)}"
                         f"/{words.minutes(rung.walk_minutes)} min")
                cues.insert(0, f"{words.intervals_in_words(intervals or [])}, easy jog, flat ground.")
        quality_minutes = 0.0
        if quality is not None:
            intensity, terrain = quality.intensity, quality.terrain
            quality_minutes = quality.minutes
            if quality.intensity is Intensity.TEMPO:
                cues.insert(1, f"Include {words.minutes(quality.minutes)} min of {quality.words}.")
                title += f" incl. {words.minutes(quality.minutes)} min tempo"
            else:
                cues.insert(1, f"Include {quality.words}.")
                title += " + strides" if quality.intensity is Intensity.STRIDES else " + gentle hills"
        run_exercises = exercises.isometrics() if load.stage == 1 else []
        if run_exercises:
            cues.append("Before you run: the bridge holds of this session (daily in this stage).")
        return Session(
            uid=session_uid(self.seed, when, Kind.RUN), date=when, kind=Kind.RUN, title=title,
            running_minutes=running, intervals=intervals, continuous_minutes=continuous_minutes,
            terrain=terrain, intensity=intensity, cues=cues, exercises=run_exercises,
            warmup_minutes=ladder.WARMUP_WALK, cooldown_minutes=ladder.COOLDOWN_WALK,
            quality_minutes=quality_minutes,
        )

    def _run_minutes(self, load: Load, deload: bool) -> float:
        """Whole minutes of one continuous run, rounded down so no cap is ever passed (rules 14, 15, 18).

        The week's minutes are shared over the runs it should have: when fewer days fit (days off after a
        step back), the week is shorter, never the runs longer.
        """
        runs = load.runs
        per_run = load.total / max(runs, 1)
        cap = continuous.single_run_cap(self._recent_longest(load))
        if cap is not None:
            per_run = min(per_run, cap)
        if deload:
            per_run *= continuous.DELOAD_FACTOR
        if load.week_cap is not None:
            per_run = min(per_run, load.week_cap / max(runs, 1))
        return float(max(1, math.floor(per_run + 1e-9)))

    def _strength(self, when: date, stage: int, *, plyo: bool, maintenance: bool = False) -> Session:
        chosen: list[Exercise] = exercises.strength_session(stage)
        if plyo:
            chosen = chosen + exercises.plyometrics()
        label = "Strength" if maintenance else "Rehab"
        cues = [pain.stop_rule(self.ceiling)]
        if stage == 1:
            cues.append("Hip near neutral; holds should ease the pain, not raise it.")
        else:
            cues.append("Heavy and slow: 3 seconds up, 3 seconds down. No hamstring stretching.")
        if maintenance:
            cues.append("Maintenance: keep the same load; at least one session a week for as long as you run.")
        return Session(
            uid=session_uid(self.seed, when, Kind.STRENGTH), date=when, kind=Kind.STRENGTH,
            title=f"{label}: {exercises.short_name(chosen)}", running_minutes=0, intervals=None,
            continuous_minutes=None, terrain=Terrain.FLAT, intensity=Intensity.EASY, cues=cues, exercises=chosen,
        )

    def _rest(self, when: date) -> Session:
        return Session(
            uid=session_uid(self.seed, when, Kind.REST), date=when, kind=Kind.REST, title="Rest day",
            running_minutes=0, intervals=None, continuous_minutes=None, terrain=Terrain.FLAT,
            intensity=Intensity.EASY, cues=[words.SITTING_ADVICE], exercises=[],
        )

    def _recent_longest(self, load: Load) -> float | None:
        recent = [m for m in load.history[-continuous.LOOKBACK_WEEKS:] if m]
        if self.longest_input is not None and len(load.history) < continuous.LOOKBACK_WEEKS:
            recent.append(self.longest_input)
        return max(recent) if recent else None

    def _cadence_cue(self, load: Load) -> str:
        cadence = self.request.cadence
        if cadence is None:
            return words.CADENCE_CUE
        target = round(cadence * (1 + CADENCE_RISE))
        return f"Cadence: aim for about {target} steps/min (+5% on your {cadence}); shorter, quicker, lighter steps."

    def _rationale(self, load: Load, why: list[str], deload: bool, running: float, repeated: bool = False) -> str:
        phase = load.phase
        parts = [f"This is {words.PHASE_WEEK[phase]}, with rehab at stage {load.stage}."]
        parts += why
        if repeated:
            parts.append("It stays a lighter week, about 20% under the full load, until the tendon settles.")
        elif deload:
            parts.append("This is a lighter week, with about 20% fewer minutes as every fourth week of continuous "
                         "running, so the tendon can catch up.")
        if phase is Phase.SETTLE:
            parts.append("There is no running this week, just daily bridge holds with the hip near neutral and "
                         "walks within your ceiling. To move on, rest pain must be 0 and a 30-minute brisk walk "
                         f"must stay at or under {self.ceiling}/10.")
        elif phase in (Phase.WALK_RUN, Phase.EASY_RUN):
            parts.append(f"There are three sessions on non-consecutive days, flat and easy, with "
                         f"{words.minutes(running)} running minutes in all. To move on, every session must stay at "
                         f"or under {self.ceiling}/10 and mornings must be back to usual.")
        elif phase is Phase.BUILD:
            parts.append(f"This week has {words.minutes(running)} minutes of easy, flat running. To move on, no "
                         f"session may go over {self.ceiling}/10 and no morning may be worse; minutes then grow by "
                         "at most 10%.")
        elif phase is Phase.REINTRODUCE:
            parts.append("One run carries the new quality; it stays under 10% of the week's minutes and the week's "
                         "volume does not rise.")
        else:
            parts.append("Keep two strength sessions a week at the same load for as long as you run.")
        return " ".join(parts)

    def _finish(self, weeks: list[Week], signs: list[str]) -> Plan:
        target_words = self._target_words()
        summary = words.summary(weeks=len(weeks), start_phase=self.entry.phase, target=target_words,
                                reason=self.entry.reason, ceiling=self.ceiling)
        return Plan(
            status=Status.PLAN,
            request=self.request,
            summary=summary,
            weeks=weeks,
            warnings=self.warnings,
            referral=None,
            red_flags=signs,
            progression_rule=words.progression_rule(self.ceiling, self.baseline),
            notices=self.notices,
            ceiling=self.ceiling,
        )

    def _target_words(self) -> str:
        distance = units.to_distance(self.target, self.request)
        if distance is None:
            return f"{words.minutes(round(self.target))} minutes"
        unit = self.request.unit.value
        return f"{words.minutes(round(self.target))} minutes (about {words.minutes(distance)} {unit})"


def _spread(first: int, count: int, back_to_back: bool) -> list[int] | None:
    """Run days from `first`, spaced two apart, closing up only where back-to-back days are allowed."""
    gap_days = list(range(first, 7, 2))
    if len(gap_days) >= count:
        return gap_days[:count]
    if not back_to_back:
        return None
    days = list(range(first, 7))
    if len(days) < count:
        return None
    # Fill the gaps from the end of the week, keeping a rest day early on.
    chosen = set(gap_days)
    for day in reversed(days):
        if len(chosen) >= count:
            break
        chosen.add(day)
    return sorted(chosen)


def _pick(days: list[int], count: int) -> list[int]:
    """Spread `count` strength days over the free days of the week."""
    if len(days) <= count:
        return days
    if count == 1:
        return [days[0]]
    return sorted({days[round(i * (len(days) - 1) / (count - 1))] for i in range(count)})
