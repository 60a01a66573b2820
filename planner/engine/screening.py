"""Screening before any plan (clinical-rules.md rules 1-3): red flags stop the plan."""

from __future__ import annotations

from dataclasses import dataclass

from .plan import Status


@dataclass(frozen=True)
class RedFlag:
    id: str
    status: Status
    question: str
    sign: str
    why: str


RED_FLAGS: tuple[RedFlag, ...] = (
    RedFlag("saddle_numbness", Status.EMERGENCY,
            "Numbness or tingling around your bottom, groin or inner thighs (where a saddle would sit)?",
            "numbness in the saddle area", "possible cauda equina syndrome"),
    RedFlag("bladder_bowel_change", Status.EMERGENCY,
            "New trouble controlling or feeling your bladder or bowel?",
            "a new change in bladder or bowel control", "possible cauda equina syndrome"),
    RedFlag("bilateral_leg_symptoms", Status.EMERGENCY,
            "Pain, numbness or weakness in both legs at once?",
            "pain, numbness or weakness in both legs", "possible cauda equina syndrome"),
    RedFlag("pain_on_hopping", Status.SEE_CLINICIAN,
            "Sharp pain in the buttock, groin or hip when you hop on the sore leg?",
            "pain when hopping on the sore leg", "possible pelvic or femoral-neck bone stress injury"),
    RedFlag("night_pain", Status.SEE_CLINICIAN,
            "Pain that wakes you at night?",
            "pain that wakes you at night", "possible bone stress injury or other serious cause"),
    RedFlag("pain_worsens_during_run", Status.SEE_CLINICIAN,
            "Pain that keeps getting worse the longer you run?",
            "pain that keeps getting worse as you run", "possible pelvic or femoral-neck bone stress injury"),
    RedFlag("sudden_pop_bruising", Status.SEE_CLINICIAN,
            "A sudden pop or snap at the back of the thigh, or bruising there?",
            "a sudden pop or bruising at the back of the thigh", "possible tendon avulsion (a tear off the bone)"),
    RedFlag("pins_and_needles_below_knee", Status.SEE_CLINICIAN,
            "Pins and needles or numbness below the knee?",
            "pins and needles or numbness below the knee", "possible lumbar or sciatic nerve origin"),
    RedFlag("unexplained_weight_loss_or_fever", Status.SEE_CLINICIAN,
            "Weight loss you can't explain, fever or feeling generally unwell?",
            "unexplained weight loss, fever or feeling unwell", "possible serious medical cause"),
)

RED_FLAGS_BY_ID = {flag.id: flag for flag in RED_FLAGS}

# Rule 3 (v2): what each sign asks of the runner, said as plainly as its urgency.
ACTION = {
    Status.EMERGENCY: "seek emergency care now",
    Status.SEE_CLINICIAN: "stop running and see a clinician",
}


def screen(red_flags: tuple[str, ...]) -> tuple[Status, str | None]:
    """Return the plan status the answers call for and, when not `plan`, the referral text.

    Rule 1: any emergency sign wins and sends the runner to emergency care now; rule 2: any other
    sign asks for a clinician first, naming the sign and why.
    """
    flags = [RED_FLAGS_BY_ID[i] for i in red_flags if i in RED_FLAGS_BY_ID]
    emergency = [f for f in flags if f.status is Status.EMERGENCY]
    if emergency:
        signs = "; ".join(f.sign for f in emergency)
        return Status.EMERGENCY, (
            f"Seek emergency care now (an emergency department, or call your emergency number). "
            f"You reported {signs}: this can be a sign of {emergency[0].why}, which needs urgent "
            "assessment. Do not start a running plan."
        )
    if flags:
        reasons = "; ".join(f"{f.sign} ({f.why})" for f in flags)
        return Status.SEE_CLINICIAN, (
            f"See a doctor or physiotherapist before you run. You reported: {reasons}. "
            "A tendon pain plan does not manage bone or nerve pain, so get this checked first, "
            "then come back for a plan."
        )
    return Status.PLAN, None


def red_flag_signs() -> list[str]:
    """Every sign that stops the plan, in words, as each plan lists them (rule 3)."""
    return [f"{f.sign[0].upper()}{f.sign[1:]}: {ACTION[f.status]}." for f in RED_FLAGS]
