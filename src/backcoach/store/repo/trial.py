"""The randomised trial's records: definition, screening log, consents, the sealed sequence and its
reveals, visits, outcomes, withdrawals and adverse events.

Rows only; every decision (eligibility, allocation, blinding, analysis) is ``backcoach.trial``'s.
The vault (``TrialVault.sequence``) is read here only by :func:`get_vault`, which the reveal and
verification code calls; no page renders it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backcoach.store.base import utcnow
from backcoach.store.models import (
    TrialAdverseEvent,
    TrialAllocation,
    TrialConsent,
    TrialOutcome,
    TrialParticipant,
    TrialRecord,
    TrialReveal,
    TrialVault,
    TrialVisit,
    TrialWithdrawal,
)


def create_trial(db: Session, *, name: str, definition: dict[str, Any]) -> TrialRecord:
    trial = TrialRecord(name=name, definition=definition)
    db.add(trial)
    db.flush()
    return trial


def get_trial(db: Session, trial_id: int) -> TrialRecord | None:
    return db.get(TrialRecord, trial_id)


def list_trials(db: Session) -> list[TrialRecord]:
    return list(db.scalars(select(TrialRecord).order_by(TrialRecord.id)))


def add_screening(
    db: Session,
    trial: TrialRecord,
    *,
    code: str,
    eligible: bool,
    screening: dict[str, Any],
    stratum: str | None = None,
    screened_at: datetime | None = None,
) -> TrialParticipant:
    participant = TrialParticipant(trial_id=trial.id, code=code, eligible=eligible, screening=screening,
                                   stratum=stratum, screened_at=screened_at or utcnow())
    db.add(participant)
    db.flush()
    return participant


def participants(db: Session, trial_id: int) -> list[TrialParticipant]:
    return list(db.scalars(
        select(TrialParticipant).where(TrialParticipant.trial_id == trial_id).order_by(TrialParticipant.code)
    ))


def get_participant(db: Session, trial_id: int, participant_id: int) -> TrialParticipant | None:
    participant = db.get(TrialParticipant, participant_id)
    return participant if participant is not None and participant.trial_id == trial_id else None


def code_taken(db: Session, trial_id: int, code: str) -> bool:
    return db.scalar(select(TrialParticipant.id).where(
        TrialParticipant.trial_id == trial_id, TrialParticipant.code == code)) is not None


def record_consent(db: Session, participant: TrialParticipant, *, form_version: str, signed_at: datetime,
                   taken_by_id: int) -> TrialConsent:
    consent = TrialConsent(participant_id=participant.id, form_version=form_version, signed_at=signed_at,
                           taken_by_id=taken_by_id)
    participant.consented_at = signed_at
    db.add(consent)
    db.flush()
    return consent


def consent_of(db: Session, participant_id: int) -> TrialConsent | None:
    return db.scalar(select(TrialConsent).where(TrialConsent.participant_id == participant_id)
                     .order_by(TrialConsent.signed_at.desc(), TrialConsent.id.desc()))


def save_vault(db: Session, trial: TrialRecord, *, sequence: dict[str, Any], public: dict[str, Any],
               arm_codes: dict[str, str], sealed_by_id: int) -> TrialVault:
    vault = TrialVault(trial_id=trial.id, sequence=sequence, public=public, arm_codes=arm_codes,
                       sealed_by_id=sealed_by_id)
    trial.sequence_seal = public["seal"]
    db.add(vault)
    db.flush()
    return vault


def get_vault(db: Session, trial_id: int) -> TrialVault | None:
    return db.scalar(select(TrialVault).where(TrialVault.trial_id == trial_id))


def reveal_records(db: Session, trial_id: int) -> list[dict[str, Any]]:
    """The stored reveal log in chain order, as the trial library's record dicts."""
    return [r.record for r in db.scalars(
        select(TrialReveal).where(TrialReveal.trial_id == trial_id).order_by(TrialReveal.index))]


def save_reveal(db: Session, vault: TrialVault, participant: TrialParticipant, record: dict[str, Any],
                revealed_by_id: int) -> TrialAllocation:
    allocation = TrialAllocation(trial_id=participant.trial_id, participant_id=participant.id,
                                 sequence_index=record["index"], arm=record["arm"], chain_hash=record["hash"],
                                 revealed_by_id=revealed_by_id)
    db.add(allocation)
    db.flush()
    db.add(TrialReveal(trial_id=participant.trial_id, allocation_id=allocation.id, index=record["index"],
                       record=record))
    vault.head = record["hash"]
    db.flush()
    return allocation


def allocations(db: Session, trial_id: int) -> dict[int, str]:
    """Participant id -> real arm. Callers pass the result through the blinding rules."""
    return {a.participant_id: a.arm for a in db.scalars(
        select(TrialAllocation).where(TrialAllocation.trial_id == trial_id))}


def arms_by_sequence_index(db: Session, trial_id: int) -> dict[int, str]:
    """The allocation table's arm for each reveal index (checked against the reveal records)."""
    rows = db.execute(select(TrialAllocation.sequence_index, TrialAllocation.arm)
                      .where(TrialAllocation.trial_id == trial_id))
    return {index: arm for index, arm in rows}


def allocation_of(db: Session, participant_id: int) -> TrialAllocation | None:
    return db.scalar(select(TrialAllocation).where(TrialAllocation.participant_id == participant_id))


def create_visits(db: Session, participant: TrialParticipant, visits: list[dict[str, Any]]) -> None:
    """Store the schedule (``name, week, due_on, window_opens_on, window_closes_on`` per visit)."""
    for visit in visits:
        db.add(TrialVisit(participant_id=participant.id, **visit))
    db.flush()


def visits_of(db: Session, participant_id: int) -> list[TrialVisit]:
    return list(db.scalars(select(TrialVisit).where(TrialVisit.participant_id == participant_id)
                           .order_by(TrialVisit.week)))


def visits_of_trial(db: Session, trial_id: int) -> list[TrialVisit]:
    return list(db.scalars(
        select(TrialVisit).join(TrialParticipant, TrialParticipant.id == TrialVisit.participant_id)
        .where(TrialParticipant.trial_id == trial_id).order_by(TrialVisit.due_on, TrialVisit.id)))


def visit_at_week(db: Session, participant_id: int, week: int) -> TrialVisit | None:
    return db.scalar(select(TrialVisit).where(TrialVisit.participant_id == participant_id, TrialVisit.week == week))


def save_outcome(db: Session, participant: TrialParticipant, *, week: int, outcome: str, value: float,
                 measurements: list[float], entered_by_id: int, visit_id: int | None = None) -> TrialOutcome:
    """Store one value, replacing an earlier entry of the same outcome and week."""
    row = db.scalar(select(TrialOutcome).where(
        TrialOutcome.participant_id == participant.id, TrialOutcome.week == week, TrialOutcome.outcome == outcome))
    if row is None:
        row = TrialOutcome(participant_id=participant.id, week=week, outcome=outcome, value=value)
        db.add(row)
    row.value, row.measurements, row.visit_id = value, measurements, visit_id
    row.entered_by_id, row.entered_at = entered_by_id, utcnow()
    db.flush()
    return row


def add_outcomes(db: Session, participant: TrialParticipant, rows: list[dict[str, Any]], entered_by_id: int) -> None:
    """Store many new values at once (``week, outcome, value``; imports and the demo)."""
    db.add_all(TrialOutcome(participant_id=participant.id, measurements=[], entered_by_id=entered_by_id, **row)
               for row in rows)
    db.flush()


def outcomes_of(db: Session, participant_id: int) -> list[TrialOutcome]:
    return list(db.scalars(select(TrialOutcome).where(TrialOutcome.participant_id == participant_id)
                           .order_by(TrialOutcome.week, TrialOutcome.outcome)))


def long_rows(db: Session, trial_id: int) -> list[dict[str, Any]]:
    """Every outcome of every allocated participant as ``subject, arm, week, outcome, value``.

    The arm is the real one: blind the rows (``backcoach.trial.blinding``) before showing them.
    """
    query = (
        select(TrialParticipant.code, TrialAllocation.arm, TrialOutcome.week, TrialOutcome.outcome,
               TrialOutcome.value)
        .join(TrialAllocation, TrialAllocation.participant_id == TrialParticipant.id)
        .join(TrialOutcome, TrialOutcome.participant_id == TrialParticipant.id)
        .where(TrialParticipant.trial_id == trial_id)
        .order_by(TrialParticipant.code, TrialOutcome.outcome, TrialOutcome.week)
    )
    return [{"subject": c, "arm": a, "week": w, "outcome": o, "value": v} for c, a, w, o, v in db.execute(query)]


def withdraw(db: Session, participant: TrialParticipant, *, on: date, reason: str, stops_intervention: bool,
             stops_follow_up: bool, note: str, entered_by_id: int) -> TrialWithdrawal:
    row = TrialWithdrawal(participant_id=participant.id, on=on, reason=reason,
                          stops_intervention=stops_intervention, stops_follow_up=stops_follow_up, note=note,
                          entered_by_id=entered_by_id)
    participant.withdrawn_at = utcnow()
    participant.withdrawal_reason = reason
    db.add(row)
    db.flush()
    return row


def withdrawals(db: Session, trial_id: int) -> list[tuple[TrialWithdrawal, TrialParticipant]]:
    return list(db.execute(
        select(TrialWithdrawal, TrialParticipant).join(TrialParticipant)
        .where(TrialParticipant.trial_id == trial_id).order_by(TrialWithdrawal.on)))


def withdrawal_of(db: Session, participant_id: int) -> TrialWithdrawal | None:
    return db.scalar(select(TrialWithdrawal).where(TrialWithdrawal.participant_id == participant_id))


def add_adverse_event(db: Session, participant: TrialParticipant, *, onset: date, description: str,
                      severity: str, serious: bool, relatedness: str, resolved_on: date | None,
                      entered_by_id: int) -> TrialAdverseEvent:
    event = TrialAdverseEvent(participant_id=participant.id, onset=onset, description=description,
                              severity=severity, serious=serious, relatedness=relatedness,
                              resolved_on=resolved_on, entered_by_id=entered_by_id)
    db.add(event)
    db.flush()
    return event


def adverse_events(db: Session, trial_id: int) -> list[tuple[TrialAdverseEvent, TrialParticipant]]:
    return list(db.execute(
        select(TrialAdverseEvent, TrialParticipant).join(TrialParticipant)
        .where(TrialParticipant.trial_id == trial_id).order_by(TrialAdverseEvent.onset)))
