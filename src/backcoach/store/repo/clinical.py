"""Questionnaire responses, red-flag screenings, assessments and classifications."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backcoach.store.models import (
    Assessment,
    ClassificationResult,
    QuestionnaireResponse,
    RedFlagScreening,
)


def save_response(
    db: Session,
    *,
    patient_id: int,
    instrument: str,
    instrument_version: str,
    answers: dict[str, Any],
    result: dict[str, Any],
    total: float | None,
    week: int | None = None,
) -> QuestionnaireResponse:
    response = QuestionnaireResponse(
        patient_id=patient_id,
        instrument=instrument,
        instrument_version=instrument_version,
        answers=answers,
        result=result,
        total=total,
        week=week,
    )
    db.add(response)
    db.flush()
    return response


def responses_of(db: Session, patient_id: int, instrument: str | None = None) -> list[QuestionnaireResponse]:
    query = select(QuestionnaireResponse).where(QuestionnaireResponse.patient_id == patient_id)
    if instrument is not None:
        query = query.where(QuestionnaireResponse.instrument == instrument)
    return list(db.scalars(query.order_by(QuestionnaireResponse.completed_at, QuestionnaireResponse.id)))


def latest_response(db: Session, patient_id: int, instrument: str) -> QuestionnaireResponse | None:
    responses = responses_of(db, patient_id, instrument)
    return responses[-1] if responses else None


def save_screening(
    db: Session, *, patient_id: int, answers: dict[str, Any], outcome: str, flags: list[Any]
) -> RedFlagScreening:
    screening = RedFlagScreening(patient_id=patient_id, answers=answers, outcome=outcome, flags=flags)
    db.add(screening)
    db.flush()
    return screening


def latest_screening(db: Session, patient_id: int) -> RedFlagScreening | None:
    return db.scalar(
        select(RedFlagScreening)
        .where(RedFlagScreening.patient_id == patient_id)
        .order_by(RedFlagScreening.screened_at.desc(), RedFlagScreening.id.desc())
    )


def save_assessment(db: Session, *, patient_id: int, kind: str, data: dict[str, Any]) -> Assessment:
    assessment = Assessment(patient_id=patient_id, kind=kind, data=data)
    db.add(assessment)
    db.flush()
    return assessment


def latest_assessment(db: Session, patient_id: int, kind: str) -> Assessment | None:
    return db.scalar(
        select(Assessment)
        .where(Assessment.patient_id == patient_id, Assessment.kind == kind)
        .order_by(Assessment.assessed_at.desc(), Assessment.id.desc())
    )


def save_classification(
    db: Session,
    *,
    patient_id: int,
    category: str,
    approach: str | None,
    details: dict[str, Any],
    engine_version: str,
) -> ClassificationResult:
    result = ClassificationResult(
        patient_id=patient_id,
        category=category,
        approach=approach,
        details=details,
        engine_version=engine_version,
    )
    db.add(result)
    db.flush()
    return result


def latest_classification(db: Session, patient_id: int) -> ClassificationResult | None:
    return db.scalar(
        select(ClassificationResult)
        .where(ClassificationResult.patient_id == patient_id)
        .order_by(ClassificationResult.classified_at.desc(), ClassificationResult.id.desc())
    )
