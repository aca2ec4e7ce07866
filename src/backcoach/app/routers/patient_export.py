"""Downloads of a patient's clinical record: a FHIR Bundle and a CSV of their scores.

A therapist downloads the record of a patient they follow (404 for anyone else's, as on the
patient page); a patient downloads their own. Every download is written to the audit trail.
"""

from __future__ import annotations

from datetime import datetime, timezone

from fastapi import APIRouter, Request
from fastapi.responses import Response

from backcoach.app.audit import OWN_RECORD, TREATING_THERAPIST, audit_read
from backcoach.app.deps import CurrentPatient, CurrentTherapist, DbSession, TreatedPatient
from backcoach.app.exercise_names import exercise_name
from backcoach.store.models import User
from backcoach.store.repo import export as export_repo
from backcoach.trial.fhir import AccessEvent
from backcoach.trial.fhir_patient import account_identity, patient_bundle, prescription, scores_csv

router = APIRouter()

FHIR_RESOURCE = "record_fhir_export"
CSV_RESOURCE = "scores_csv_export"


def _fhir_download(request: Request, db: DbSession, reader: User, patient: User, reason: str) -> Response:
    now = datetime.now(timezone.utc)
    audit_read(db, request, reader, patient.id, FHIR_RESOURCE, reason)
    subject = f"Patient/{patient.id}"
    stamp = now.strftime("%Y%m%d%H%M%S")
    snapshot = export_repo.active_plan_snapshot(db, patient.id)
    plan = None if snapshot is None else prescription(
        snapshot.id, subject, snapshot.starts_on, snapshot.weeks, snapshot.items, now.date(),
        lambda exercise_id: exercise_name(exercise_id, "en"))
    access = AccessEvent(id=f"export-{patient.id}-{stamp}", at=now, actor=str(reader.id), role=reader.role.value,
                         action="R", entity=subject, description=reason,
                         actor_reference=subject if reader.id == patient.id else None)
    identity = account_identity(patient.id, patient.display_name, patient.locale)
    bundle = patient_bundle(identity, export_repo.stored_responses(db, patient.id), plan, access, now,
                            f"patient-{patient.id}-{stamp}")
    return Response(bundle.model_dump_json(exclude_none=True), media_type="application/fhir+json",
                    headers={"Content-Disposition": f'attachment; filename="patient{patient.id}-fhir.json"'})


def _csv_download(request: Request, db: DbSession, reader: User, patient: User, reason: str) -> Response:
    audit_read(db, request, reader, patient.id, CSV_RESOURCE, reason)
    return Response(scores_csv(export_repo.stored_responses(db, patient.id)), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="patient{patient.id}-scores.csv"'})


@router.get("/therapist/patients/{patient_id}/export.fhir.json")
def therapist_fhir(request: Request, db: DbSession, therapist: CurrentTherapist, patient: TreatedPatient) -> Response:
    """A followed patient's record as a FHIR R4(B) Bundle."""
    return _fhir_download(request, db, therapist, patient, TREATING_THERAPIST)


@router.get("/therapist/patients/{patient_id}/export.csv")
def therapist_csv(request: Request, db: DbSession, therapist: CurrentTherapist, patient: TreatedPatient) -> Response:
    """A followed patient's questionnaire scores as CSV."""
    return _csv_download(request, db, therapist, patient, TREATING_THERAPIST)


@router.get("/me/export.fhir.json")
def own_fhir(request: Request, db: DbSession, patient: CurrentPatient) -> Response:
    """The signed-in patient's own record as a FHIR R4(B) Bundle."""
    return _fhir_download(request, db, patient, patient, OWN_RECORD)


@router.get("/me/export.csv")
def own_csv(request: Request, db: DbSession, patient: CurrentPatient) -> Response:
    """The signed-in patient's own questionnaire scores as CSV."""
    return _csv_download(request, db, patient, patient, OWN_RECORD)
