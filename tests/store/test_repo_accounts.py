from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from backcoach.store.base import utcnow
from backcoach.store.models import ConsentKind, Role, User
from backcoach.store.repo import accounts, audit


def _user(db: Session, email: str, role: Role) -> User:
    return accounts.create_user(db, email=email, password_hash="x", display_name=email.split("@")[0], role=role)


def test_emails_are_stored_normalised_and_found_case_blind(db: Session) -> None:
    _user(db, " Ann@Example.ORG ", Role.PATIENT)
    db.commit()
    assert accounts.get_user_by_email(db, "ann@example.org").email == "ann@example.org"
    assert accounts.get_user_by_email(db, "ANN@example.org") is not None


def test_reassigning_a_patient_closes_the_old_assignment(db: Session) -> None:
    first, second = _user(db, "t1@x.org", Role.THERAPIST), _user(db, "t2@x.org", Role.THERAPIST)
    patient = _user(db, "p@x.org", Role.PATIENT)
    accounts.assign_patient(db, first, patient)
    accounts.assign_patient(db, second, patient)
    db.commit()
    assert accounts.therapist_of(db, patient.id).id == second.id
    assert accounts.patients_of(db, first.id) == []
    assert [p.id for p in accounts.patients_of(db, second.id)] == [patient.id]
    assert not accounts.follows(db, first.id, patient.id)


def test_invitation_expiry_and_single_use(db: Session) -> None:
    therapist = _user(db, "t@x.org", Role.THERAPIST)
    invitation = accounts.create_invitation(db, token="abc", therapist=therapist, lifetime=timedelta(days=1))
    db.commit()
    now = utcnow()
    assert accounts.invitation_usable(invitation, now)
    assert not accounts.invitation_usable(invitation, now + timedelta(days=2))
    invitation.used_at = now
    assert not accounts.invitation_usable(invitation, now)
    assert accounts.get_invitation(db, "abc").therapist_id == therapist.id


def test_consents_are_separate_timestamped_and_withdrawable(db: Session) -> None:
    patient = _user(db, "p@x.org", Role.PATIENT)
    accounts.grant_consent(db, patient, ConsentKind.HEALTH_DATA, "v1")
    accounts.grant_consent(db, patient, ConsentKind.CAMERA, "v1")
    db.commit()
    assert accounts.withdraw_consent(db, patient.id, ConsentKind.CAMERA) == 1
    db.commit()
    assert accounts.active_consent(db, patient.id, ConsentKind.CAMERA) is None
    health = accounts.active_consent(db, patient.id, ConsentKind.HEALTH_DATA)
    assert health is not None and health.granted_at.tzinfo is not None
    history = accounts.consents_of(db, patient.id)
    assert [(c.kind, c.withdrawn_at is None) for c in history] == [
        (ConsentKind.HEALTH_DATA, True), (ConsentKind.CAMERA, False)]


def test_audit_events_are_listed_newest_first(db: Session) -> None:
    therapist, patient = _user(db, "t@x.org", Role.THERAPIST), _user(db, "p@x.org", Role.PATIENT)
    audit.record(db, actor_id=therapist.id, subject_id=patient.id, action="read", resource="plan", reason="r1")
    audit.record(db, actor_id=therapist.id, subject_id=patient.id, action="read", resource="report",
                 resource_id=7, reason="r2")
    db.commit()
    events = audit.events_about(db, patient.id)
    assert [(e.resource, e.resource_id, e.reason) for e in events] == [("report", "7", "r2"), ("plan", None, "r1")]
