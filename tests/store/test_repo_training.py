from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backcoach.store import db as store_db
from backcoach.store.models import PostKind, Rep, Role, SessionMode, SessionStatus
from backcoach.store.repo import accounts, community, plans, training


def _patient(db: Session):
    return accounts.create_user(db, email="p@x.org", password_hash="x", display_name="P", role=Role.PATIENT)


def _plan(db: Session, patient_id: int):
    item = plans.ItemSpec(exercise_id="glute_bridge", block="motor", sets=2, reps=10, hold_seconds=None,
                          rest_seconds=45, expected_seconds=125)
    sessions = [plans.SessionSpec(week=1, index_in_week=i, scheduled_on=date(2026, 11, 2 + 2 * i), items=(item,))
                for i in (1, 2, 3)]
    return plans.create_plan(db, patient_id=patient_id, mode=SessionMode.AI, starts_on=date(2026, 11, 2),
                             sessions=sessions)


def test_a_new_plan_retires_the_old_one(db: Session) -> None:
    patient = _patient(db)
    first = _plan(db, patient.id)
    second = _plan(db, patient.id)
    db.commit()
    assert plans.active_plan(db, patient.id).id == second.id
    assert not first.active
    assert [s.index_in_week for s in second.sessions] == [1, 2, 3]
    assert second.sessions[0].items[0].exercise_id == "glute_bridge"


def test_each_rep_is_visible_to_other_connections_once_committed(engine: Engine) -> None:
    factory = store_db.make_sessionmaker(engine)
    with factory() as writer:
        patient = _patient(writer)
        plan = _plan(writer, patient.id)
        session = training.start_session(writer, patient_id=patient.id, mode=SessionMode.AI, pain_before=3,
                                         plan_session_id=plan.sessions[0].id)
        exercise_set = training.start_set(writer, session, exercise_id="glute_bridge", set_index=1, reps_planned=10)
        writer.commit()
        for index in (1, 2):
            training.record_rep(writer, exercise_set, index=index, counted=True, score=80.0 + index,
                                grade="excellent", errors=[{"id": "hips_sag"}], metrics={"rom": 31.5})
            writer.commit()
            # The set is still open; another connection already sees the rep.
            with factory() as reader:
                stored = reader.scalars(select(Rep).where(Rep.set_id == exercise_set.id).order_by(Rep.index)).all()
                assert [(r.index, r.score, r.metrics) for r in stored][-1] == (index, 80.0 + index, {"rom": 31.5})
        training.finish_set(writer, exercise_set)
        training.finish_session(writer, session, status=SessionStatus.COMPLETED, pain_after=2, cr10=4.5)
        writer.commit()
        assert plans.completed_plan_session_ids(writer, patient.id) == {plan.sessions[0].id}
        assert training.mean_score(writer, session.id) == pytest.approx(81.5)


def test_a_rep_index_is_stored_once_per_set(db: Session) -> None:
    patient = _patient(db)
    session = training.start_session(db, patient_id=patient.id, mode=SessionMode.VIDEO, pain_before=None)
    exercise_set = training.start_set(db, session, exercise_id="bird_dog", set_index=1)
    training.record_rep(db, exercise_set, index=1, counted=True)
    db.commit()
    with pytest.raises(IntegrityError):
        training.record_rep(db, exercise_set, index=1, counted=False, reason="too shallow")
    db.rollback()


def test_landmark_trace_round_trips_bytes(db: Session) -> None:
    patient = _patient(db)
    session = training.start_session(db, patient_id=patient.id, mode=SessionMode.AI, pain_before=1)
    exercise_set = training.start_set(db, session, exercise_id="squat", set_index=1)
    payload = bytes(range(256)) * 4
    training.save_trace(db, exercise_set, frame_count=2, encoding="f32-33x4", data=payload)
    db.commit()
    db.expire_all()
    from backcoach.store.models import LandmarkTrace
    trace = db.scalar(select(LandmarkTrace).where(LandmarkTrace.set_id == exercise_set.id))
    assert trace.data == payload and trace.frame_count == 2


def test_feed_puts_announcements_first_and_hides_moderated_posts(db: Session) -> None:
    patient = _patient(db)
    therapist = accounts.create_user(db, email="t@x.org", password_hash="x", display_name="T", role=Role.THERAPIST)
    from backcoach.store.models import CohortGroup
    group = CohortGroup(name="g")
    db.add(group)
    db.flush()
    community.join_group(db, group.id, patient.id)
    community.join_group(db, group.id, patient.id)  # idempotent
    announcement = community.add_post(db, group_id=group.id, author_id=therapist.id, kind=PostKind.ANNOUNCEMENT,
                                      body="hello")
    text = community.add_post(db, group_id=group.id, author_id=patient.id, kind=PostKind.TEXT, body="hi")
    hidden = community.add_post(db, group_id=group.id, author_id=patient.id, kind=PostKind.TEXT, body="spam")
    community.hide_post(db, hidden, therapist.id)
    assert community.toggle_reaction(db, text, therapist.id, "clap") is True
    assert community.toggle_reaction(db, text, therapist.id, "clap") is False
    db.commit()
    assert [p.id for p in community.feed(db, group.id)] == [announcement.id, text.id]
    assert [g.id for g in community.groups_of(db, patient.id)] == [group.id]
