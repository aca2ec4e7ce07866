"""§5.5 flare-up plan at the check-in: start, lowered session, no Progress, end."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session

from backcoach.app import flare, progression
from backcoach.store.models import SessionMode
from backcoach.store.repo import clinical, training

from .conftest import user_id
from .test_progression import DAY0, GOOD, PATIENT, _plan, _session


def _check_in(db: Session, plan, index: int, pre: int, day: int):
    session = training.start_session(db, patient_id=plan.patient_id, mode=SessionMode.AI, pain_before=pre,
                                     plan_session_id=plan.sessions[index].id)
    session.started_at = DAY0 + timedelta(days=day)
    return session, flare.at_checkin(db, session, plan.sessions[index], date(2026, 11, 2) + timedelta(days=day))


def test_a_rise_of_3_starts_the_flare_and_lowers_only_that_session(db: Session) -> None:
    patient = user_id(db, PATIENT)
    plan = _plan(db, patient)
    for index, day in ((0, 0), (1, 2)):
        _session(db, plan, index, pre=2, pain=2, cr10=3, errors=GOOD, day=day)
    session, state = _check_in(db, plan, 2, pre=5, day=4)  # 5 - mean(2, 2) = 3
    assert (state.active, state.pre_flare_mean, state.sessions) == (True, 2.0, 1)
    assert state.events == ["flare started", "red-flag re-screen"]
    lowered = plan.sessions[2].items[0]
    assert (lowered.level, lowered.sets, lowered.reps, lowered.hold_seconds) == (1, 1, 6, 3)  # bird_dog level 1
    assert plan.sessions[3].items[0].level == 2  # the sessions after it keep their level
    (change,) = progression.changes_of(db, patient)
    assert (change.data["action"], change.data["from_level"], change.data["to_level"]) == ("flare", 2, 1)
    progression.undo_change(db, patient, change.id, by_user_id=patient)
    assert plan.sessions[2].items[0].level == 2


def test_flare_ends_after_2_sessions_when_pain_is_back_within_1(db: Session) -> None:
    patient = user_id(db, PATIENT)
    plan = _plan(db, patient)
    _session(db, plan, 0, pre=5, pain=5, cr10=3, errors=GOOD, day=0)
    assert _check_in(db, plan, 1, pre=7, day=2)[1].events == ["flare started"]  # NRS >= 7, a rise of only 2
    assert _check_in(db, plan, 2, pre=6, day=4)[1].active  # back within 5 + 1, but only 1 session so far
    state = _check_in(db, plan, 3, pre=6, day=6)[1]
    assert (state.active, state.events) == (False, ["flare ended"])
    assert not progression.flare_state(db, patient).active


def test_no_progress_during_a_flare(db: Session) -> None:
    patient = user_id(db, PATIENT)
    plan = _plan(db, patient)
    first = _session(db, plan, 0, pre=2, pain=2, cr10=3, errors=GOOD, day=0)
    progression.record_next_morning(db, patient, first.id, 2, DAY0 + timedelta(days=1))
    clinical.save_assessment(db, patient_id=patient, kind=flare.FLARE_KIND, data={
        "active": True, "started_day": 1, "pre_flare_mean": 2.0, "sessions": 1, "events": []})
    second = _session(db, plan, 1, pre=2, pain=2, cr10=3, errors=GOOD, day=2)
    progression.record_next_morning(db, patient, second.id, 2, DAY0 + timedelta(days=3))
    assert progression.changes_of(db, patient) == []  # without the flare this is the Progress of row 4
