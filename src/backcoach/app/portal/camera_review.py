"""The camera tests an examination was based on, as the treating therapist reviews them.

Reads the stored ``camera_test`` outcomes (``app.camera_assessment``) that a classification or a
reassessment proposal used: the attempt the examination counted for each offered test, grouped the
way ``camera_assessment.coverage`` groups them (measured, inconclusive, skipped, stopped by pain,
missing). It judges nothing itself: values, tracking quality and norms are the clinical library's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from backcoach.app import camera_assessment as cam
from backcoach.store.models import ClassificationResult, PlanProposal


@dataclass(frozen=True)
class CameraRow:
    """One offered test: its label in the therapist's language, how it ended, and the stored data
    (``None`` when the test was not done)."""

    test: str
    label: str
    outcome: str  # measured | inconclusive | skipped | stopped | missing
    data: dict[str, Any] | None


def rows(found: dict[str, Any], lang: str) -> list[CameraRow]:
    """Every offered test in the app's order, with the outcome the examination counted."""
    cover = cam.coverage(found)
    outcome = {t: "measured" for t in cover["measured"]} | {t: "inconclusive" for t in cover["inconclusive"]}
    outcome |= {t: "skipped" for t in cover["skipped"]} | {t: "stopped" for t in cover["stopped"]}
    return [CameraRow(t, cam.label(t, lang), outcome.get(t, "missing"), found[t].data if t in found else None)
            for t in cam.STEPS]


def at_intake(db: Session, classification: ClassificationResult | None, lang: str) -> list[CameraRow] | None:
    """The self-assessment's tests a classification used (those stored before it), or None when the
    classification did not take camera tests into account (made before the app offered them)."""
    if classification is None or "camera_tests" not in (classification.details or {}):
        return None
    found = cam.outcomes(db, classification.patient_id, 0, before=classification.classified_at, counting=True)
    return rows(found, lang)


def at_reassessment(db: Session, proposal: PlanProposal, lang: str) -> dict[str, Any] | None:
    """A proposal's week's tests (those stored before it) and the trend against the plan's baseline
    (``reassessment.camera_trend``), or None for a proposal made without camera tests."""
    if "camera_tests" not in (proposal.reassessment or {}):
        return None
    found = cam.outcomes(db, proposal.patient_id, proposal.week, proposal.plan_id, before=proposal.created_at,
                         counting=True)
    trend = [{"test": t, "label": cam.label(t, lang), **change}
             for t, change in (proposal.reassessment.get("camera_trend") or {}).items()]
    return {"rows": rows(found, lang), "trend": trend}
