"""The safety check-in of every session (clinical brief §5.1 check-in, §3.1 re-screen, §5.4).

One pure function the live session calls at session start, and again whenever the patient reports
new leg symptoms or numbness during it: ``session_checkin(intake, answers, pre_nrs, previous_pre)``.
Called with the answers given so far, it says what to ask next or what happens now:

* ``ask``: questions still to ask (en, zh-Hans). First the short check-in set (§5.1); when a
  re-screen is due (``redflags.needs_rescreen``: new leg symptoms or numbness, or the pre-session
  NRS >= 3 above the mean of the last 3), the rest of the full §3.1 table, with the reason.
* ``blocked``: a red flag fired on the patient's stored intake updated with today's answers
  (``redflags.screen``); exercise stops, the patient reads the plain message, the therapist gets
  the alert.
* ``continue``: exercise may go on; with a pre-session NRS >= 7 only relief and breathing
  (§5.4 "Before the session", ``loaded_exercise`` False).

Validity limits: screens and refers, never diagnoses (§3.1); the re-screen trigger is [E].
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from backcoach.clinical.intake import Intake
from backcoach.clinical.progression import before_session
from backcoach.clinical.redflags import ScreenResult, checkin_questions, needs_rescreen, redflag_data, screen


class CheckinError(ValueError):
    """Check-in input that cannot be used (names the answer or value)."""


@dataclass
class CheckinResult:
    status: str  # ask | blocked | continue
    questions: dict[str, dict[str, str]] = field(default_factory=dict)  # still to ask, id -> {en, zh-Hans}
    full_screen: bool = False  # the full §3.1 table is (being) asked today
    rescreen_reasons: list[str] = field(default_factory=list)  # new_leg_symptoms, pain_rise
    message: dict[str, str] = field(default_factory=dict)  # what the patient reads now
    loaded_exercise: bool = False
    screen: ScreenResult | None = None

    def to_dict(self) -> dict:
        return {"status": self.status, "questions": self.questions, "full_screen": self.full_screen,
                "rescreen_reasons": self.rescreen_reasons, "message": self.message,
                "loaded_exercise": self.loaded_exercise,
                "screen": None if self.screen is None else self.screen.to_dict()}


def _texts(ids) -> dict[str, dict[str, str]]:
    questions = redflag_data()["questions"]
    return {i: {"en": questions[i]["en"], "zh-Hans": questions[i]["zh-Hans"]} for i in ids}


def _onboarding_nrs(intake: Intake) -> float:
    nrs = intake.questionnaires.nrs
    if not nrs or nrs[0] is None:
        raise CheckinError("the intake has no current pain (questionnaires.nrs[0]): the re-screen rule needs it "
                           "when there is no earlier pre-session NRS")
    return float(nrs[0])


def session_checkin(intake: Intake, answers: Mapping[str, bool], pre_nrs: int | None = None,
                    previous_pre: Sequence[float] = (), new_leg_symptoms: bool = False) -> CheckinResult:
    """What to ask next, or whether the session may go on (see the module docstring).

    Parameters
    ----------
    intake : Intake
        The patient's stored intake (its red-flag answers, conditions and clinician clearances).
    answers : mapping
        Today's yes/no answers so far, by question id (``backcoach redflags --questions``).
    pre_nrs : int, optional
        Today's pre-session current pain 0-10; None until asked (no re-screen on pain then).
    previous_pre : sequence of float
        Pre-session NRS of earlier sessions, oldest first.
    new_leg_symptoms : bool
        The patient reports new leg symptoms or new numbness (at the check-in or during the session).
    """
    known = redflag_data()["questions"]
    for key, value in answers.items():
        if key not in known:
            raise CheckinError(f"answers: unknown question {key!r}; the ids are listed by `backcoach redflags --questions`")
        if not isinstance(value, bool):
            raise CheckinError(f"answers[{key!r}]: {value!r} is not yes/no (true or false)")
    if pre_nrs is not None and not (isinstance(pre_nrs, int) and 0 <= pre_nrs <= 10):
        raise CheckinError(f"pre_nrs: {pre_nrs!r} is not a whole number 0-10")

    reasons = []
    if new_leg_symptoms:
        reasons.append("new_leg_symptoms")
    if pre_nrs is not None and needs_rescreen(pre_nrs, list(previous_pre),
                                              _onboarding_nrs(intake) if not previous_pre else 0.0):
        reasons.append("pain_rise")
    required = list(known) if reasons else list(checkin_questions())
    missing = [q for q in required if q not in answers]
    messages = redflag_data()["messages"]
    if missing:
        message = dict(messages["RESCREEN" if reasons else "CHECKIN"])
        return CheckinResult("ask", _texts(missing), bool(reasons), reasons, message)

    result = screen(intake.model_copy(update={"red_flags": intake.red_flags.model_copy(update=dict(answers))}))
    if result.exercise_blocked:
        return CheckinResult("blocked", {}, bool(reasons), reasons, result.patient_message(), False, result)
    high = before_session(pre_nrs) if pre_nrs is not None else None
    message = high["message"] if high else result.patient_message()
    return CheckinResult("continue", {}, bool(reasons), reasons, message, high is None, result)
