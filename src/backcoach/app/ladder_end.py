"""§5.3 ends of a ladder in the stored plan: the substitute for an exercise that is removed, or
regressed at level 1 - the next-easier exercise of the same block at its level 1 (one that loads
no excluded or avoided direction), chosen by :func:`backcoach.clinical.prescription.substitute`
on the plan the patient's latest classification gives. None when nothing fits or no plan can be
built from it: the therapist, who is notified (CLINICIAN_REVIEW), then chooses.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from backcoach.app.assessment import library_plan
from backcoach.clinical.catalog import PlanError, catalog_from_library
from backcoach.clinical.prescription import substitute
from backcoach.store.models import Plan
from backcoach.store.repo import clinical
from backcoach.store.repo.plans import ItemSpec


def substitute_spec(db: Session, plan: Plan, exercise_id: str, week: int) -> ItemSpec | None:
    classified = clinical.latest_classification(db, plan.patient_id)
    if classified is None:
        return None
    catalog = catalog_from_library()
    try:
        clinical_plan = library_plan(classified.category, classified.approach or "movement_control",
                                     classified.details or {})
        planned = substitute(clinical_plan, exercise_id, week, catalog)
    except PlanError:  # the exercise is not in that plan's week, or no plan: the therapist chooses
        return None
    if planned is None:
        return None
    return ItemSpec(exercise_id=planned.id, block=planned.block, level=planned.level, sets=planned.dose.sets,
                    reps=planned.dose.reps, hold_seconds=round(planned.dose.hold_s) or None,
                    rest_seconds=round(planned.dose.rest_s), expected_seconds=round(planned.seconds),
                    per_side=planned.sides != "bilateral")
