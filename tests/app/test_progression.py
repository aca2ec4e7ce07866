"""§5.3 progression applied to the stored plan, from stored sessions with known ratings."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy.orm import Session

from backcoach.app import progression
from backcoach.app.live import stops
from backcoach.store.models import ExerciseSession, Notification, PlanItem, SessionMode, SessionStatus
from backcoach.store.repo import clinical, plans, training
from backcoach.store.repo.plans import ItemSpec, SessionSpec

from .conftest import user_id

PATIENT = "new@demo.backcoach"  # assigned to the demo therapist, no plan yet
DAY0 = datetime(2026, 11, 2, 10, 0, tzinfo=timezone.utc)
#: bird_dog's ladder: level 1 = 6 x 3 s, level 2 (beginner) = 6 x 5 s, level 3 = 2 x 6 x 10 s.
BIRD_DOG = ItemSpec("bird_dog", "motor", sets=1, reps=6, hold_seconds=5, rest_seconds=45, expected_seconds=108,
                    level=2, per_side=True)


def _plan(db: Session, patient_id: int):
    specs = [SessionSpec(1, i, date(2026, 11, 2) + timedelta(days=2 * i), (BIRD_DOG,)) for i in range(1, 5)]
    return plans.create_plan(db, patient_id=patient_id, mode=SessionMode.AI, starts_on=date(2026, 11, 2),
                             sessions=specs)


def _session(db: Session, plan, index: int, *, pre: int, pain: int, cr10: float, errors: list[list[str]],
             day: int) -> ExerciseSession:
    """One completed session of plan session ``index`` with bird_dog rated as given (one rep per errors entry)."""
    plan_session = plan.sessions[index]
    item = plan_session.items[0]
    session = training.start_session(db, patient_id=plan.patient_id, mode=SessionMode.AI, pain_before=pre,
                                     plan_session_id=plan_session.id)
    session.started_at = DAY0 + timedelta(days=day)
    exercise_set = training.start_set(db, session, exercise_id="bird_dog", set_index=1, plan_item_id=item.id)
    for i, rep_errors in enumerate(errors, start=1):
        training.record_rep(db, exercise_set, index=i, counted=True, score=80,
                            errors=[{"id": e, "side": None, "value": 0, "threshold": 0} for e in rep_errors])
    training.finish_set(db, exercise_set, pain=pain)
    exercise_set.cr10 = cr10
    training.finish_session(db, session, status=SessionStatus.COMPLETED, pain_after=pre, cr10=cr10)
    session.ended_at = session.started_at + timedelta(minutes=40)
    db.flush()
    return session


def _future_levels(db: Session, plan) -> list[tuple[int, int, int | None]]:
    db.expire_all()
    done = plans.completed_plan_session_ids(db, plan.patient_id)
    return [(i.level, i.sets, i.hold_seconds) for s in plan.sessions if s.id not in done for i in s.items]


GOOD = [[], [], ["hip_hikes"], []]  # hip_hikes is minor: form 1.0


def test_two_green_sessions_progress_one_level_and_undo_restores(db: Session) -> None:
    patient = user_id(db, PATIENT)
    plan = _plan(db, patient)
    first = _session(db, plan, 0, pre=2, pain=3, cr10=3, errors=GOOD, day=0)
    assert progression.review_session(db, first) == []  # no next-morning NRS yet: zone unknown -> hold
    morning = DAY0 + timedelta(days=1, hours=-1)  # 09:00 the morning after
    pending, recalled = progression.pending_next_morning(db, patient, morning)
    assert (pending.id, recalled) == (first.id, False)
    progression.record_next_morning(db, patient, first.id, 2, morning)
    assert progression.changes_of(db, patient) == []  # one green session at this level: hold (row 5)

    second = _session(db, plan, 1, pre=2, pain=3, cr10=2.5, errors=GOOD, day=2)
    assert progression.review_session(db, second) == []
    # Answered at the next check-in, two days later: stored as recalled.
    later = DAY0 + timedelta(days=4)
    assert progression.pending_next_morning(db, patient, later)[1] is True
    progression.record_next_morning(db, patient, second.id, 3, later)

    (change,) = progression.changes_of(db, patient)
    assert change.data["action"] == "progress" and change.data["row"] == 4
    assert (change.data["from_level"], change.data["to_level"]) == (2, 3)
    assert change.data["why"] == [progression.WHY["progress"]]
    assert _future_levels(db, plan) == [(3, 2, 10), (3, 2, 10)]  # level 3 dose: 2 sets, 10 s holds
    assert progression.next_mornings(db, patient)[second.id].data == {
        "session_id": second.id, "nrs": 3, "recalled": True}

    progression.undo_change(db, patient, change.id, by_user_id=patient)
    assert _future_levels(db, plan) == [(2, 1, 5), (2, 1, 5)]
    assert progression.changes_of(db, patient)[0].data["status"] == "undone"
    with pytest.raises(progression.ProgressionInputError, match="already undone"):
        progression.undo_change(db, patient, change.id, by_user_id=patient)


def test_pain_rise_regresses_at_once_and_notifies_the_therapist(db: Session) -> None:
    patient = user_id(db, PATIENT)
    plan = _plan(db, patient)
    session = _session(db, plan, 0, pre=2, pain=5, cr10=3, errors=GOOD, day=0)  # delta-in 3: red
    (change,) = progression.review_session(db, session)
    assert (change.data["action"], change.data["row"], change.data["to_level"]) == ("regress", 2, 1)
    assert change.data["why"] == [progression.WHY["red"]]
    assert _future_levels(db, plan) == [(1, 1, 3)] * 3
    notices = db.query(Notification).filter(Notification.kind == progression.CHANGE_KIND).all()
    assert len(notices) == 1 and "bird_dog regress" in notices[0].body
    # The next-morning review does not apply a second change for the same session and exercise.
    progression.record_next_morning(db, patient, session.id, 2, DAY0 + timedelta(days=1))
    assert len(progression.changes_of(db, patient)) == 1


def test_critical_errors_on_most_reps_regress_on_form(db: Session) -> None:
    patient = user_id(db, PATIENT)
    plan = _plan(db, patient)
    errors = [["back_sags"], ["back_sags"], ["back_sags"], []]  # form 0.25, one cue on 3 of 4 reps
    session = _session(db, plan, 0, pre=1, pain=1, cr10=3, errors=errors, day=0)
    (record,) = progression.exercise_records(db, patient, session)["bird_dog"]
    assert (record.form, record.cue50, record.max_in, record.level) == (0.25, True, 1, 2)
    (change,) = progression.review_session(db, session)
    assert change.data["why"] == [progression.WHY["form"], progression.WHY["cue50"]]


def test_peripheralization_removes_the_exercise_for_review_and_undo_puts_it_back(db: Session) -> None:
    patient = user_id(db, PATIENT)
    plan = _plan(db, patient)
    session = _session(db, plan, 0, pre=2, pain=2, cr10=3, errors=GOOD, day=0)
    stops.record_stop(db, session, "1", "peripheralization", plan_item_id=plan.sessions[0].items[0].id)
    (change,) = progression.review_session(db, session)
    assert (change.data["action"], change.data["clinician_review"]) == ("remove", True)
    assert _future_levels(db, plan) == []
    progression.undo_change(db, patient, change.id, by_user_id=patient)
    assert _future_levels(db, plan) == [(2, 1, 5)] * 3
    assert db.query(PlanItem).filter(PlanItem.plan_session_id.in_([s.id for s in plan.sessions])).count() == 4


def test_bad_next_morning_input_is_named(db: Session) -> None:
    patient = user_id(db, PATIENT)
    plan = _plan(db, patient)
    session = _session(db, plan, 0, pre=2, pain=2, cr10=3, errors=GOOD, day=0)
    with pytest.raises(progression.ProgressionInputError, match="nrs: 11 is not"):
        progression.record_next_morning(db, patient, session.id, 11, DAY0 + timedelta(days=1))
    with pytest.raises(progression.ProgressionInputError, match=f"session_id: session {session.id + 1} "):
        progression.record_next_morning(db, patient, session.id + 1, 3, DAY0 + timedelta(days=1))
    # The same day is not yet "the morning after".
    assert progression.pending_next_morning(db, patient, DAY0 + timedelta(hours=3)) is None


def test_open_reclassification_flag_blocks_progress(db: Session) -> None:
    patient = user_id(db, PATIENT)
    plan = _plan(db, patient)
    clinical.save_assessment(db, patient_id=patient, kind=stops.RECLASSIFY_KIND, data={"outcome": "CLINICIAN_REVIEW"})
    for index, day in ((0, 0), (1, 2)):
        session = _session(db, plan, index, pre=2, pain=3, cr10=3, errors=GOOD, day=day)
        progression.record_next_morning(db, patient, session.id, 2, DAY0 + timedelta(days=day + 1))
    assert progression.changes_of(db, patient) == []  # the same two sessions progress without the flag
