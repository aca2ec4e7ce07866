"""The demo clinic: a therapist, patients at different weeks of their plan, a cohort group,
a researcher and an administrator, with some training history so every page has content."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from backcoach.app.security import hash_password
from backcoach.store.models import (
    Clinic,
    CohortGroup,
    ConsentKind,
    GroupMembership,
    Role,
)
from backcoach.store.repo import accounts

DEMO_PASSWORD = "backcoach-demo"
CONSENT_VERSION = "2026-11"


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    description: str


def seed_demo(db: Session) -> list[DemoLogin]:
    """Fill an empty database with the demo clinic; returns the sign-ins to print."""
    password_hash = hash_password(DEMO_PASSWORD)
    clinic = Clinic(name="Demo back clinic")
    db.add(clinic)
    db.flush()
    group = CohortGroup(name="Spring cohort", clinic_id=clinic.id)
    db.add(group)
    db.flush()

    def person(email: str, name: str, role: Role, locale: str = "en"):  # type: ignore[no-untyped-def]
        return accounts.create_user(
            db,
            email=email,
            password_hash=password_hash,
            display_name=name,
            role=role,
            clinic_id=clinic.id,
            locale=locale,
        )

    therapist = person("therapist@demo.backcoach", "Dr. Lin Mei", Role.THERAPIST)
    db.add(GroupMembership(group_id=group.id, user_id=therapist.id))
    logins = [DemoLogin("therapist", therapist.email, "follows the three demo patients")]

    patients = [
        ("new@demo.backcoach", "Alex New", "en", "just invited: onboarding and self-assessment"),
        ("week1@demo.backcoach", "Wang Fang", "zh_Hans", "week 1 of the plan (Chinese)"),
        ("week3@demo.backcoach", "Sam Rivera", "en", "week 3, with training history"),
    ]
    for email, name, locale, description in patients:
        patient = person(email, name, Role.PATIENT, locale)
        accounts.assign_patient(db, therapist, patient)
        db.add(GroupMembership(group_id=group.id, user_id=patient.id))
        if not email.startswith("new@"):
            accounts.grant_consent(db, patient, ConsentKind.HEALTH_DATA, CONSENT_VERSION)
            accounts.grant_consent(db, patient, ConsentKind.CAMERA, CONSENT_VERSION)
        logins.append(DemoLogin("patient", email, description))

    researcher = person("researcher@demo.backcoach", "Dr. Chen Jie", Role.RESEARCHER)
    logins.append(DemoLogin("researcher", researcher.email, "runs the demo trial"))
    admin = person("admin@demo.backcoach", "Clinic administrator", Role.ADMIN)
    logins.append(DemoLogin("admin", admin.email, "manages accounts"))
    return logins
