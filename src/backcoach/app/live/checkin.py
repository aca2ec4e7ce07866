"""The safety check-in before a session: stored answers in, the clinical library's verdict out.

The decision is :func:`backcoach.clinical.checkin.session_checkin`'s (brief §5.1 check-in row, §3.1
re-screen rule, §5.4 "before the session"); this module only gathers what it needs from the store
(the onboarding intake, the earlier pre-session pain ratings), reads the posted form, and stores
the outcome as a red-flag screening, so a block locks exercise and shows on the therapist's roster
(``roster.ALERT_RED_FLAG``) the same way the onboarding screening does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from backcoach.app.assessment import build_intake
from backcoach.clinical.checkin import CheckinResult, session_checkin

__all__ = ["CheckinResult", "previous_pre", "read_answers", "run_checkin", "store_outcome", "stored_intake"]
from backcoach.clinical.intake import Intake
from backcoach.clinical.redflags import redflag_data
from backcoach.store.repo import clinical, training

#: Form field prefix of the check-in questions (``checkin_<question id>`` = yes / no).
PREFIX = "checkin_"
#: The extra yes/no on the same form that feeds the re-screen trigger (brief §3.1).
NEW_LEG_SYMPTOMS = "new_leg_symptoms"


def stored_intake(db: Session, patient_id: int) -> Intake:
    """The patient's intake as the onboarding screening saw it (history, red-flag answers, current pain)."""
    history = clinical.latest_assessment(db, patient_id, "history")
    screening = clinical.latest_screening(db, patient_id)
    nrs = clinical.latest_response(db, patient_id, "nrs")
    questionnaires = {"nrs": nrs.answers["items"]} if nrs is not None else {}
    return build_intake(history.data if history else None, screening.answers if screening else None, questionnaires)


def previous_pre(db: Session, patient_id: int) -> list[float]:
    """Pre-session pain of the patient's completed sessions, oldest first."""
    return [float(s.pain_before) for s in training.completed_sessions(db, patient_id) if s.pain_before is not None]


def read_answers(values: Mapping[str, Any]) -> tuple[dict[str, bool], bool | None]:
    """The yes/no answers posted so far, and the new-leg-symptoms answer (None until answered)."""
    known = redflag_data()["questions"]
    answers = {key[len(PREFIX):]: value == "yes" for key, value in values.items()
               if key.startswith(PREFIX) and key[len(PREFIX):] in known and value in {"yes", "no"}}
    leg = values.get(NEW_LEG_SYMPTOMS)
    return answers, (leg == "yes" if leg in {"yes", "no"} else None)


def run_checkin(db: Session, patient_id: int, answers: dict[str, bool], pre_nrs: int,
                new_leg_symptoms: bool) -> CheckinResult:
    """The library's verdict on today's answers (``ask``, ``blocked`` or ``continue``).

    A patient with no stored onboarding pain and no earlier session has nothing to compare today's
    pain with: the pain re-screen is then left out (the red-flag questions are still asked).
    """
    intake, earlier = stored_intake(db, patient_id), previous_pre(db, patient_id)
    if not earlier and not (intake.questionnaires.nrs and intake.questionnaires.nrs[0] is not None):
        pre_nrs = None
    return session_checkin(intake, answers, pre_nrs=pre_nrs, previous_pre=earlier,
                           new_leg_symptoms=new_leg_symptoms)


def store_outcome(db: Session, patient_id: int, result: CheckinResult, answers: dict[str, bool]) -> None:
    """Keep today's raw answers (brief §2.0) as a screening on top of the stored ones.

    ``blocked`` makes this the latest screening with a blocking outcome: exercise is locked and the
    supervising therapist's roster shows the red-flag alert until they review it.
    """
    assert result.screen is not None, "only a finished check-in (blocked or continue) is stored"
    stored = clinical.latest_screening(db, patient_id)
    merged = {**(stored.answers if stored else {}), **answers}
    summary = result.screen.to_dict()
    clinical.save_screening(db, patient_id=patient_id, answers=merged, outcome=summary["outcome"],
                            flags=summary["findings"])
