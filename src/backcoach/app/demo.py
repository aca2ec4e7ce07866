"""The demo clinic: a therapist, patients at different weeks of their plan, a cohort group,
a researcher and an administrator, with training history so every page has something to show.

The demo plans come from the clinical library's prescription, as real plans do. History is drawn
from a fixed seed, so every demo run looks the same.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy.orm import Session

from backcoach.app.assessment import plan_sessions
from backcoach.app.reports import summarise
from backcoach.app.security import hash_password
from backcoach.clinical import scoring
from backcoach.clinical.catalog import catalog_from_library
from backcoach.clinical.instruments import load_instrument
from backcoach.clinical.prescription import build_plan
from backcoach.clinical.redflags import redflag_data
from backcoach.store.models import (
    Clinic,
    CohortGroup,
    ConsentKind,
    GroupMembership,
    PostKind,
    Role,
    SessionMode,
    SessionStatus,
    User,
)
from backcoach.store.repo import accounts, clinical, community, plans, training

DEMO_PASSWORD = "backcoach-demo"
CONSENT_VERSION = "2026-11"
#: The demo patients' category: its plan has the glute bridge, dead bug and bird dog that the
#: portal's browser test edits and the demo's proposal compares against.
DEMO_CATEGORY = "STABILITY_DEFICIENCY"
DEMO_APPROACH = "movement_control"


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    description: str


def demo_schedule(starts_on: date) -> list[plans.SessionSpec]:
    """The demo category's four-week plan from the clinical library's prescription."""
    plan = build_plan(DEMO_CATEGORY, catalog_from_library(), approach=DEMO_APPROACH)
    return plan_sessions(plan, starts_on)


def seed_demo(db: Session, today: date | None = None) -> list[DemoLogin]:
    """Fill an empty database with the demo clinic; returns the sign-ins to print."""
    today = today or date.today()
    password_hash = hash_password(DEMO_PASSWORD)
    clinic = Clinic(name="Demo back clinic")
    db.add(clinic)
    db.flush()
    group = CohortGroup(name="Spring cohort", clinic_id=clinic.id)
    db.add(group)
    db.flush()

    def person(email: str, name: str, role: Role, locale: str = "en") -> User:
        user = accounts.create_user(db, email=email, password_hash=password_hash, display_name=name,
                                    role=role, clinic_id=clinic.id, locale=locale)
        return user

    therapist = person("therapist@demo.backcoach", "Dr. Lin Mei", Role.THERAPIST)
    db.add(GroupMembership(group_id=group.id, user_id=therapist.id))
    logins = [DemoLogin("therapist", therapist.email, "follows the three demo patients")]

    patients = [
        ("new@demo.backcoach", "Alex New", "en", None, "new: onboarding and self-assessment"),
        ("week1@demo.backcoach", "Wang Fang", "zh_Hans", 2, "week 1 of the plan (Chinese)"),
        ("week3@demo.backcoach", "Sam Rivera", "en", 16, "week 3, with training history"),
    ]
    rng = random.Random(20261125)
    for email, name, locale, days_in, description in patients:
        patient = person(email, name, Role.PATIENT, locale)
        accounts.assign_patient(db, therapist, patient)
        db.add(GroupMembership(group_id=group.id, user_id=patient.id))
        logins.append(DemoLogin("patient", email, description))
        if days_in is None:
            continue
        accounts.grant_consent(db, patient, ConsentKind.HEALTH_DATA, CONSENT_VERSION)
        accounts.grant_consent(db, patient, ConsentKind.CAMERA, CONSENT_VERSION)
        clinical.save_assessment(db, patient_id=patient.id, kind="history", data={
            "patient": {"age": 42 if locale == "en" else 51, "sex": None, "weight_kg": None},
            "history": {"duration_weeks": 26, "legs": {}, "aggravating": ["sitting_long"], "easing": []}})
        clinical.save_screening(db, patient_id=patient.id, outcome="CONTINUE", flags=[],
                                answers={qid: False for qid in redflag_data()["questions"]})
        result = clinical.save_classification(
            db, patient_id=patient.id, category=DEMO_CATEGORY, approach=DEMO_APPROACH,
            details={"source": "demo"}, engine_version="demo",
        )
        plan = plans.create_plan(
            db, patient_id=patient.id, mode=SessionMode.AI, starts_on=today - timedelta(days=days_in),
            sessions=demo_schedule(today - timedelta(days=days_in)), created_by_id=therapist.id,
            classification_id=result.id,
        )
        _seed_history(db, rng, patient, group.id, plan, today)

    community.add_post(db, group_id=group.id, author_id=therapist.id, kind=PostKind.ANNOUNCEMENT,
                       body="Welcome to the spring cohort! Post your reports and cheer each other on.")
    researcher = person("researcher@demo.backcoach", "Dr. Chen Jie", Role.RESEARCHER)
    logins.append(DemoLogin("researcher", researcher.email, "research portal (trial data)"))
    admin = person("admin@demo.backcoach", "Clinic administrator", Role.ADMIN)
    logins.append(DemoLogin("admin", admin.email, "manages accounts"))
    from backcoach.app.portal.demo import seed_portal_demo  # here: the portal demo imports this module's users

    logins.extend(DemoLogin(*login) for login in seed_portal_demo(db, clinic.id, password_hash, today))
    from backcoach.app.camera_demo import seed_camera_demo  # the demo patients' camera tests

    seed_camera_demo(db)
    return logins


def _seed_history(db: Session, rng: random.Random, patient: User, group_id: int, plan, today: date) -> None:  # type: ignore[no-untyped-def]
    """Completed sessions for every past scheduled session but one, with graded reps."""
    past = [s for s in plan.sessions if s.scheduled_on < today]
    missed = past[-2].id if len(past) >= 4 else None
    pain = 6
    for number, plan_session in enumerate(past):
        if plan_session.id == missed:
            continue
        started = datetime.combine(plan_session.scheduled_on, time(18, 0), tzinfo=timezone.utc)
        session = training.start_session(db, patient_id=patient.id, mode=SessionMode.AI,
                                         pain_before=pain, plan_session_id=plan_session.id)
        session.started_at = started
        for item in plan_session.items:
            for set_index in range(1, item.sets + 1):
                exercise_set = training.start_set(
                    db, session, exercise_id=item.exercise_id, set_index=set_index,
                    reps_planned=item.reps, hold_seconds_planned=item.hold_seconds, plan_item_id=item.id)
                for rep_index in range(1, (item.reps or 0) + 1):
                    score = min(100.0, max(40.0, rng.gauss(62 + 3 * number, 12)))
                    training.record_rep(db, exercise_set, index=rep_index, counted=True,
                                        score=round(score, 1), grade=_demo_grade(score))
                training.finish_set(db, exercise_set,
                                    hold_seconds_done=float(item.hold_seconds) if item.hold_seconds else None)
        training.finish_session(db, session, status=SessionStatus.COMPLETED, pain_after=max(0, pain - 1),
                                cr10=3.0 + 0.5 * (number % 3))
        session.ended_at = started + timedelta(minutes=34 + number % 5)
        report = training.save_report(db, session, summarise(session, streak=number + 1))
        if number == len(past) - 1:
            community.add_post(db, group_id=group_id, author_id=patient.id, kind=PostKind.REPORT,
                               body="", report_id=report.id)
        pain = max(2, pain - (number % 2))
    answers = [6, 6, 7]  # current, average, worst at baseline
    score = scoring.score("nrs", answers)
    nrs_baseline = clinical.save_response(
        db, patient_id=patient.id, instrument="nrs", instrument_version=load_instrument("nrs").version,
        answers={"items": answers}, result=score.public(), total=score.total, week=0)
    nrs_baseline.completed_at = datetime.combine(plan.starts_on, time(9, 0), tzinfo=timezone.utc)


def _demo_grade(score: float) -> str:
    # Demo data only; real grades come from the movement engine's grade bands.
    if score >= 90:
        return "super_excellent"
    if score >= 75:
        return "excellent"
    if score >= 60:
        return "good"
    return "qualified"
