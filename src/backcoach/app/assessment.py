"""Glue between the stored self-assessment and the clinical library.

Builds the clinical ``Intake`` from what the patient entered, and turns the library's plan into
rows. It decides nothing clinical itself: screening, classification and prescription are
``backcoach.clinical``'s. The one policy here is when a plan goes live: exercises of a
:data:`CONFIRM_FIRST` modality wait for the therapist's approval.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

import backcoach.clinical.intake  # noqa: F401  (import first: clinical.classify needs it loaded)
from backcoach.app.i18n import N_
from backcoach.clinical.catalog import catalog_from_library
from backcoach.clinical.examination import Examination
from backcoach.clinical.intake import Intake
from backcoach.clinical.prescription import Plan as ClinicalPlan
from backcoach.clinical.prescription import build_plan
from backcoach.store.models import Plan, SessionMode
from backcoach.store.repo import plans as plans_repo
from backcoach.store.repo import portal as portal_repo
from backcoach.store.repo.plans import ItemSpec, SessionSpec

#: Questionnaires of the self-assessment, in the order they are offered.
SELF_ASSESSMENT = ("nrs", "odi", "rmdq", "pcs", "startback", "gad7")

#: The five categories in plain words for patients (the clinical library names them for staff).
CATEGORY_EXPLAINED = {
    "FLEXION_INTOLERANCE": N_("Your pain tends to come on when you bend forward or sit for long, and eases when you stand tall or arch back gently. Your plan starts with exercises that move your back the way it likes, and strengthens the muscles around it."),
    "EXT_ROT_INTOLERANCE": N_("Your pain tends to come on when you lean back, stand for long or twist, and eases when you sit or bend forward a little. Your plan favours gentle bending movements and trunk control, and avoids end-range arching for now."),
    "STABILITY_DEFICIENCY": N_("Your back seems to need better control from the deep muscles that steady the spine. Your plan trains these muscles step by step, from slow, careful movements to everyday strength."),
    "MUSCLE_TENSION": N_("Your pain looks like it comes from tight, tired muscles rather than from one movement direction. Your plan mixes stretching, relaxed breathing and gradual strengthening."),
    "NERVE_COMPRESSION": N_("Some of your answers suggest that a nerve may be irritated. Your plan uses gentle movements that usually ease leg symptoms, and your therapist will follow you closely. Stop and tell them if leg pain, numbness or weakness gets worse."),
}


def locale_key(locale: str) -> str:
    """Our locale code to the clinical data's language key (``zh_Hans`` -> ``zh-Hans``)."""
    return "zh-Hans" if locale == "zh_Hans" else "en"


def build_intake(
    history: dict[str, Any] | None,
    red_flags: dict[str, Any] | None,
    questionnaires: dict[str, list[Any]],
    examination: Examination | None = None,
) -> Intake:
    """The clinical library's input from the stored history, safety answers, questionnaires and
    camera tests (``app.camera_assessment.examination``)."""
    history = history or {}
    return Intake.model_validate({
        "patient": history.get("patient", {}),
        "history": history.get("history", {}),
        "red_flags": red_flags or {},
        "questionnaires": questionnaires,
        "examination": examination.model_dump() if examination is not None else None,
    })


def plan_sessions(plan: ClinicalPlan, starts_on: date) -> list[SessionSpec]:
    """The clinical plan's sessions as rows to store, dated from ``starts_on``."""
    specs = []
    for session in plan.sessions:
        items = tuple(
            ItemSpec(
                exercise_id=item.id,
                block=item.block,
                level=item.level,
                sets=item.dose.sets,
                reps=item.dose.reps,
                hold_seconds=round(item.dose.hold_s) or None,
                rest_seconds=round(item.dose.rest_s),
                expected_seconds=round(item.seconds),
                per_side=item.sides != "bilateral",
            )
            for item in session.items
        )
        index_in_week = (session.number - 1) % 3 + 1
        specs.append(SessionSpec(
            week=session.week, index_in_week=index_in_week, items=items,
            scheduled_on=starts_on + timedelta(days=7 * (session.week - 1) + session.day),
        ))
    return specs


def plan_mode(plan: ClinicalPlan) -> SessionMode:
    return SessionMode.VIDEO if plan.mode == "video_only" else SessionMode.AI


#: Modalities a patient starts only once their therapist has confirmed them: the brief's programme
#: has "neural sliders (nerve compression, if cleared)" (§5.1) and sliders "once a clinician
#: agrees" (§3.7 [U]). A plan goes live without them; a proposal adds them on approval.
CONFIRM_FIRST = frozenset({"neural"})


def library_plan(category: str, approach: str, details: Mapping[str, Any]) -> ClinicalPlan:
    """The clinical library's 4-week plan for a stored classification (``details`` is its
    ``to_dict()``): the excluded and avoided directions, secondary categories, centralising
    direction (which picks the nerve-compression block), red-flag restrictions and the
    psychologically informed education it found are all passed on."""
    responses = details.get("responses") or {}
    red_flags = details.get("red_flags") or {}
    return build_plan(category, catalog_from_library(), approach=approach,
                      excluded_directions=details.get("excluded_directions") or (),
                      avoid_end_range=details.get("avoid_end_range") or (),
                      secondary=details.get("secondary") or (),
                      centralizing=next((d for d in ("extension", "flexion") if responses.get(d) == "CENTRALIZES"), None),
                      restrictions=red_flags.get("restrictions") or (),
                      edu_psy="EDU_PSY" in (details.get("actions") or ()))


def held_for_confirmation(sessions: Iterable[SessionSpec], confirmed: Iterable[str] = ()) -> dict[str, str]:
    """The :data:`CONFIRM_FIRST` exercises in ``sessions`` (exercise id -> block), except the
    ``confirmed`` ones (already in the patient's plan: their therapist has agreed to them)."""
    catalog = catalog_from_library()
    confirmed = set(confirmed)
    return {item.exercise_id: item.block for session in sessions for item in session.items
            if item.exercise_id not in confirmed and item.exercise_id in catalog
            and catalog[item.exercise_id].modality in CONFIRM_FIRST}


def without(sessions: Iterable[SessionSpec], held: Mapping[str, str]) -> list[SessionSpec]:
    """``sessions`` with the ``held`` exercises left out."""
    return [replace(s, items=tuple(i for i in s.items if i.exercise_id not in held)) for s in sessions]


def file_for_confirmation(db: Session, patient_id: int, plan_id: int, sessions: Iterable[SessionSpec],
                          held: Mapping[str, str]) -> None:
    """A pending proposal (week 0) listing each session that had a ``held`` exercise, with its full
    items: approving it adds the held exercises to those sessions as they are by then
    (``app.reassessment.apply_proposal``)."""
    slots = [s for s in sessions if any(i.exercise_id in held for i in s.items)]
    if not slots:
        return
    portal_repo.add_proposal(
        db, patient_id=patient_id, plan_id=plan_id, week=0,
        reassessment={"row": "clinician_confirmation",
                      "reasons": [f"{exercise_id}: confirm before the patient starts it (brief §3.7, §5.1)"
                                  for exercise_id in sorted(held)]},
        difference={"from_week": min(s.week for s in slots), "status": "pending_therapist_review",
                    "changes": [{"change": "add", "exercise": exercise_id, "block": block}
                                for exercise_id, block in sorted(held.items())]},
        proposed=[{"week": s.week, "index_in_week": s.index_in_week, "items": [asdict(i) for i in s.items]}
                  for s in slots])


def store_plan(db: Session, patient_id: int, plan: ClinicalPlan, starts_on: date,
               classification_id: int | None) -> Plan:
    """Store the library's plan as the patient's active plan.

    Exercises of a :data:`CONFIRM_FIRST` modality are left out of the stored sessions and put in a
    pending proposal (week 0) that adds them when the treating therapist approves it.
    """
    sessions = plan_sessions(plan, starts_on)
    held = held_for_confirmation(sessions)
    stored = plans_repo.create_plan(db, patient_id=patient_id, mode=plan_mode(plan), starts_on=starts_on,
                                    sessions=without(sessions, held), classification_id=classification_id)
    file_for_confirmation(db, patient_id, stored.id, sessions, held)
    return stored
