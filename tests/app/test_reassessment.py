"""The week-2/4/8 reassessment: due dates, the repeated answers, and the proposal the therapist reviews."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from backcoach.app import errors, reassessment
from backcoach.clinical import instruments, redflags
from backcoach.store.models import PlanProposal, QuestionnaireResponse
from backcoach.store.repo import clinical, plans

from .conftest import csrf_of, sign_in, user_id

PATIENT = "week1@demo.backcoach"  # two days into the plan: nothing due until the plan is moved back


def _start_plan_days_ago(db: Session, days: int) -> int:
    patient = user_id(db, PATIENT)
    plans.active_plan(db, patient).starts_on = date.today() - timedelta(days=days)
    db.commit()
    return patient


def _answer(client: TestClient, token: str, instrument_id: str, values: dict[str, str] | None = None) -> None:
    instrument = instruments.load_instrument(instrument_id)
    data = values or {f"item{i.number}": str(i.options[0]) for i in instrument.items}
    response = client.post(f"/reassessment/questionnaires/{instrument_id}", data={"csrf_token": token, **data})
    assert response.status_code == 303 and response.headers["location"] == "/reassessment", response.text


def _safety(client: TestClient, token: str, yes: str | None = None) -> str:
    data = {qid: "yes" if qid == yes else "no" for qid in redflags.redflag_data()["questions"]}
    response = client.post("/reassessment/safety", data={"csrf_token": token, **data})
    assert response.status_code == 303
    return response.headers["location"]


def _proposals(db: Session, patient: int) -> list[PlanProposal]:
    db.expire_all()
    return list(db.scalars(select(PlanProposal).where(PlanProposal.patient_id == patient)))


def test_nothing_is_due_in_week_one(client: TestClient) -> None:
    sign_in(client, PATIENT)
    assert "data-reassessment-due" not in client.get("/plan").text
    page = client.get("/reassessment")
    assert page.status_code == 200 and "No reassessment is due now." in page.text
    refused = client.get("/reassessment/safety")
    assert refused.status_code == 404 and errors.REASSESSMENT_NOT_DUE in refused.text


def test_week_two_answers_become_a_proposal_the_therapist_reviews(client: TestClient, db: Session) -> None:
    patient = _start_plan_days_ago(db, 14)
    sign_in(client, PATIENT)
    assert 'data-reassessment-due="2"' in client.get("/plan").text
    token = csrf_of(client, "/reassessment")
    assert "data-finish-reassessment" not in client.get("/reassessment").text
    assert _safety(client, token) == "/reassessment"
    _answer(client, token, "nrs", {"item1": "2", "item2": "2", "item3": "3"})  # baseline 6 / 6 / 7
    _answer(client, token, "odi")
    assert "data-finish-reassessment" not in client.get("/reassessment").text  # RMDQ still missing
    _answer(client, token, "rmdq")
    stored = db.scalars(select(QuestionnaireResponse).where(QuestionnaireResponse.patient_id == patient,
                                                            QuestionnaireResponse.week == 2))
    assert sorted(r.instrument for r in stored) == ["nrs", "odi", "rmdq"]
    assert client.post("/reassessment/finish", data={"csrf_token": token}).status_code == 303

    [proposal] = _proposals(db, patient)
    # Average NRS 6 -> 2 reaches the MCID: the library's week-2 "responding" row, same plan going on.
    assert (proposal.week, proposal.status, proposal.reassessment["row"]) == (2, "pending", "responding")
    assert proposal.difference["from_week"] == 3 and proposal.difference["status"] == "pending_therapist_review"
    assert {s["week"] for s in proposal.proposed} == {3, 4}
    page = client.get("/reassessment")
    assert 'data-last-reassessment="2"' in page.text and "data-reassessment-due" not in client.get("/plan").text

    sign_in(client, "therapist@demo.backcoach")
    plan_page = client.get(f"/therapist/patients/{patient}/plan").text
    assert f'data-proposal="{proposal.id}"' in plan_page and "responding" in plan_page
    approved = client.post(f"/therapist/patients/{patient}/proposals/{proposal.id}/approve",
                           data={"csrf_token": csrf_of(client, f"/therapist/patients/{patient}/plan")})
    assert approved.status_code == 303
    assert _proposals(db, patient)[0].status == "approved"


def test_worse_pain_asks_for_the_therapist_and_holds_progression(client: TestClient, db: Session) -> None:
    patient = _start_plan_days_ago(db, 15)
    sign_in(client, PATIENT)
    token = csrf_of(client, "/reassessment")
    _safety(client, token)
    _answer(client, token, "nrs", {"item1": "9", "item2": "9", "item3": "9"})
    _answer(client, token, "odi")
    _answer(client, token, "rmdq")
    client.post("/reassessment/finish", data={"csrf_token": token})
    [proposal] = _proposals(db, patient)
    assert proposal.reassessment["row"] == "worse" and proposal.reassessment["hold_all"] is True
    assert "CLINICIAN_REVIEW" in proposal.reassessment["actions"]


def test_a_red_flag_at_reassessment_stops_at_the_gate_without_a_proposal(client: TestClient, db: Session) -> None:
    patient = _start_plan_days_ago(db, 28)
    sign_in(client, PATIENT)
    assert 'data-reassessment="4"' in client.get("/reassessment").text
    token = csrf_of(client, "/reassessment")
    blocking = next(q for q in redflags.redflag_data()["questions"] if q.startswith("saddle"))
    assert _safety(client, token, yes=blocking) == "/assessment/safety/result"
    _answer(client, token, "nrs", {"item1": "5", "item2": "5", "item3": "6"})
    _answer(client, token, "odi")
    _answer(client, token, "rmdq")
    assert client.post("/reassessment/finish", data={"csrf_token": token}).headers["location"] == "/assessment/safety/result"
    assert _proposals(db, patient) == []


def test_questionnaire_errors_stay_on_the_reassessment_form(client: TestClient, db: Session) -> None:
    _start_plan_days_ago(db, 14)
    sign_in(client, PATIENT)
    token = csrf_of(client, "/reassessment")
    page = client.post("/reassessment/questionnaires/nrs", data={"csrf_token": token, "item1": "3"})
    assert page.status_code == 400 and 'action="/reassessment/questionnaires/nrs"' in page.text
    assert client.get("/reassessment/questionnaires/pcs").status_code == 404


def test_a_session_check_in_screening_does_not_count_as_the_full_screen(client: TestClient, db: Session) -> None:
    patient = _start_plan_days_ago(db, 14)
    clinical.save_screening(db, patient_id=patient, outcome="CONTINUE", flags=[],  # as a session check-in stores
                            answers={qid: False for qid in redflags.redflag_data()["questions"]})
    db.commit()
    sign_in(client, PATIENT)
    token = csrf_of(client, "/reassessment")
    _answer(client, token, "nrs", {"item1": "2", "item2": "2", "item3": "3"})
    _answer(client, token, "odi")
    _answer(client, token, "rmdq")
    assert 'data-step="safety"><a href="/reassessment/safety">Safety questions</a>\n      </li>' in client.get("/reassessment").text
    assert client.post("/reassessment/finish", data={"csrf_token": token}).headers["location"] == "/reassessment"
    assert _proposals(db, patient) == []
    _safety(client, token)
    assert client.post("/reassessment/finish", data={"csrf_token": token}).status_code == 303
    assert [p.week for p in _proposals(db, patient)] == [2]


def _move_plan_back(db: Session, patient: int, days: int) -> None:
    """Move the plan's start and every session ``days`` earlier, as if that much time had passed."""
    plan = plans.active_plan(db, patient)
    plan.starts_on -= timedelta(days=days)
    for session in plan.sessions:
        session.scheduled_on -= timedelta(days=days)
    db.commit()


def _reassess(client: TestClient, db: Session, patient: int, nrs: tuple[str, str, str]) -> PlanProposal:
    sign_in(client, PATIENT)
    token = csrf_of(client, "/reassessment")
    _safety(client, token)
    _answer(client, token, "nrs", dict(zip(("item1", "item2", "item3"), nrs)))
    _answer(client, token, "odi")
    _answer(client, token, "rmdq")
    assert client.post("/reassessment/finish", data={"csrf_token": token}).status_code == 303
    return max(_proposals(db, patient), key=lambda p: p.id)


def _review(client: TestClient, patient: int, proposal: PlanProposal, decision: str) -> None:
    sign_in(client, "therapist@demo.backcoach")
    page = f"/therapist/patients/{patient}/plan"
    response = client.post(f"/therapist/patients/{patient}/proposals/{proposal.id}/{decision}",
                           data={"csrf_token": csrf_of(client, page)})
    assert response.status_code == 303


def _slots(db: Session, patient: int) -> dict[tuple[int, int], tuple[date, list[str]]]:
    db.expire_all()
    return {(s.week, s.index_in_week): (s.scheduled_on, [i.exercise_id for i in s.items])
            for s in plans.active_plan(db, patient).sessions}


def test_week_four_proposes_maintenance_weeks_five_to_eight_added_on_approval(client: TestClient, db: Session) -> None:
    patient = user_id(db, PATIENT)
    _move_plan_back(db, patient, 26)  # the demo plan started 2 days ago: now day 28, the week-4 reassessment
    starts_on = plans.active_plan(db, patient).starts_on
    before = _slots(db, patient)
    assert len(before) == 12 and {w for w, _ in before} == {1, 2, 3, 4}
    # Average NRS 6 -> 2 (responder) and worst 3 (< 4): low pain moves the approach from movement
    # control to function optimisation, so the block takes the library's new plan (level 3).
    proposal = _reassess(client, db, patient, ("2", "2", "3"))

    assert (proposal.week, proposal.reassessment["row"]) == (4, "maintenance")
    assert proposal.difference["from_week"] == 5
    assert proposal.difference["next_block"] == {"change": "schedule", "first_week": 5, "last_week": 8,
                                                 "sessions_per_week": 2, "from_plan_week": 4, "optional_extra": True,
                                                 "exercises": "library"}
    assert {"change": "approach", "from": "movement_control", "to": "function_optimization"} in proposal.difference["changes"]
    # Two sessions a week (library threshold), the 1st and 3rd of the plan's Mon/Wed/Fri pattern.
    week4_days = sorted(d for (w, _), (d, _) in before.items() if w == 4)
    assert [(s["week"], s["index_in_week"], s["scheduled_on"]) for s in proposal.proposed] == [
        (week, index, (day + timedelta(weeks=week - 4)).isoformat())
        for week in (5, 6, 7, 8) for index, day in ((1, week4_days[0]), (2, week4_days[2]))]
    assert week4_days[0] == starts_on + timedelta(days=21)
    assert proposal.proposed[0]["scheduled_on"] == (starts_on + timedelta(days=28)).isoformat()  # the reassessment day
    sign_in(client, "therapist@demo.backcoach")
    assert 'data-next-block="5-8"' in client.get(f"/therapist/patients/{patient}/plan").text

    _review(client, patient, proposal, "approve")
    after = _slots(db, patient)
    assert plans.active_plan(db, patient).weeks == 8 and len(after) == 12 + 8
    assert {k: v for k, v in after.items() if k[0] <= 4} == before  # the past four weeks are untouched
    for week in (5, 6, 7, 8):  # the same exercises as week 4 (this plan holds back nothing for confirmation)
        assert after[(week, 1)] == (week4_days[0] + timedelta(weeks=week - 4), before[(4, 1)][1])
        assert after[(week, 2)] == (week4_days[2] + timedelta(weeks=week - 4), before[(4, 3)][1])
    dead_bug = {(s.week, i.exercise_id): i for s in plans.active_plan(db, patient).sessions for i in s.items}
    assert [(i.level, i.sets, i.reps) for i in (dead_bug[(4, "dead_bug")], dead_bug[(5, "dead_bug")])] == [(2, 2, 8), (3, 1, 10)]
    sign_in(client, PATIENT)
    calendar = client.get("/plan").text
    assert 'data-plan-weeks="8"' in calendar and 'data-current-week="5"' in calendar
    assert calendar.count("data-plan-session=") == 20 and 'data-calendar-week="8"' in calendar
    assert (starts_on + timedelta(days=28)).strftime("%m-%d") in calendar


def test_rejecting_the_week_four_proposal_adds_nothing(client: TestClient, db: Session) -> None:
    patient = user_id(db, PATIENT)
    _move_plan_back(db, patient, 26)
    before = _slots(db, patient)
    proposal = _reassess(client, db, patient, ("2", "2", "3"))
    _review(client, patient, proposal, "reject")
    assert _slots(db, patient) == before and plans.active_plan(db, patient).weeks == 4
    assert _proposals(db, patient)[0].status == "rejected"


def test_week_eight_worse_than_week_four_re_engages_with_weeks_nine_to_twelve(client: TestClient, db: Session) -> None:
    patient = user_id(db, PATIENT)
    _move_plan_back(db, patient, 26)
    _review(client, patient, _reassess(client, db, patient, ("2", "2", "3")), "approve")
    _move_plan_back(db, patient, 28)  # day 56: the week-8 follow-up
    starts_on = plans.active_plan(db, patient).starts_on
    before = _slots(db, patient)
    proposal = _reassess(client, db, patient, ("2", "2", "5"))  # worst NRS 3 -> 5 since week 4 (+2)

    assert (proposal.week, proposal.reassessment["row"]) == (8, "re_engage")
    assert proposal.difference["next_block"] == {"change": "schedule", "first_week": 9, "last_week": 12,
                                                 "sessions_per_week": 3, "from_plan_week": 3, "optional_extra": False,
                                                 "exercises": "current"}
    _review(client, patient, proposal, "approve")
    after = _slots(db, patient)
    assert plans.active_plan(db, patient).weeks == 12 and len(after) == 20 + 12
    assert {k: v for k, v in after.items() if k[0] <= 8} == before
    for week in (9, 10, 11, 12):  # the patient's week 3 again (movement control as at the start), 3 a week from day 56
        for index in (1, 2, 3):
            assert after[(week, index)] == (before[(3, index)][0] + timedelta(weeks=week - 3), before[(3, index)][1])
    assert after[(9, 1)][0] == starts_on + timedelta(days=56)


def test_the_next_block_keeps_the_therapists_edits(client: TestClient, db: Session) -> None:
    patient = user_id(db, PATIENT)
    _move_plan_back(db, patient, 26)
    removed = _slots(db, patient)[(4, 1)][1][0]
    sign_in(client, "therapist@demo.backcoach")
    page = f"/therapist/patients/{patient}/plan"
    assert client.post(f"{page}/remove", data={"csrf_token": csrf_of(client, page), "exercise_id": removed}).status_code == 303
    proposal = _reassess(client, db, patient, ("2", "2", "5"))  # responder; worst 5 keeps movement control
    assert proposal.difference["next_block"]["exercises"] == "current"
    assert proposal.proposed and all(removed not in [i["exercise_id"] for i in s["items"]] for s in proposal.proposed)
    _review(client, patient, proposal, "approve")
    after = _slots(db, patient)
    assert after[(5, 1)][1] == after[(4, 1)][1] and removed not in after[(8, 2)][1]


def test_a_block_approved_after_its_first_day_moves_on_by_whole_weeks(client: TestClient, db: Session) -> None:
    patient = user_id(db, PATIENT)
    _move_plan_back(db, patient, 26)
    proposal = _reassess(client, db, patient, ("2", "2", "5"))
    assert proposal.proposed[0]["week"] == 5
    _move_plan_back(db, patient, 3)  # the therapist approves on day 31, after the block's Monday and Wednesday
    proposal.proposed = [s | {"scheduled_on": (date.fromisoformat(s["scheduled_on"]) - timedelta(days=3)).isoformat()}
                         for s in proposal.proposed]
    db.commit()
    starts_on = plans.active_plan(db, patient).starts_on
    _review(client, patient, proposal, "approve")
    after = _slots(db, patient)
    added = sorted((k, d) for k, (d, _) in after.items() if k[0] > 4)
    assert [k for k, _ in added] == [(week, index) for week in (6, 7, 8, 9) for index in (1, 2)]
    assert added[0][1] == starts_on + timedelta(days=35) and added[1][1] == starts_on + timedelta(days=39)
    assert plans.active_plan(db, patient).weeks == 9 and min(d for _, d in added) >= date.today()


def test_a_library_block_holds_the_nerve_slider_for_the_therapists_confirmation(client: TestClient, db: Session) -> None:
    patient = user_id(db, PATIENT)
    # Nerve compression, centralising with extension: the library's plan has the nerve slider (a
    # CONFIRM_FIRST exercise) in every session; the patient's stored plan does not.
    clinical.save_classification(db, patient_id=patient, category="NERVE_COMPRESSION", approach="movement_control",
                                 details={"responses": {"extension": "CENTRALIZES"}}, engine_version="test")
    _move_plan_back(db, patient, 26)
    before = _slots(db, patient)
    assert not any("nerve_slider" in ids for _day, ids in before.values())
    proposal = _reassess(client, db, patient, ("2", "2", "3"))  # low pain: function optimisation, the library's plan
    assert proposal.difference["next_block"]["exercises"] == "library"
    assert all("nerve_slider" in [i["exercise_id"] for i in s["items"]] for s in proposal.proposed)

    _review(client, patient, proposal, "approve")
    after = _slots(db, patient)
    block = sorted(k for k in after if k[0] > 4)
    assert block == [(week, index) for week in (5, 6, 7, 8) for index in (1, 2)]
    assert not any("nerve_slider" in after[k][1] for k in block)  # added without it
    assert after[(5, 1)][1] == [i["exercise_id"] for i in proposal.proposed[0]["items"] if i["exercise_id"] != "nerve_slider"]
    [held] = [p for p in _proposals(db, patient) if p.status == "pending"]
    assert (held.week, held.reassessment["row"]) == (0, "clinician_confirmation")
    assert held.difference["changes"] == [{"change": "add", "exercise": "nerve_slider", "block": "category"}]
    assert held.difference["from_week"] == 5
    assert [(s["week"], s["index_in_week"]) for s in held.proposed] == block

    # While the confirmation waits, the therapist takes an exercise out of the sessions to come.
    removed = after[(5, 1)][1][-1]
    sign_in(client, "therapist@demo.backcoach")
    page = f"/therapist/patients/{patient}/plan"
    assert client.post(f"{page}/remove", data={"csrf_token": csrf_of(client, page), "exercise_id": removed}).status_code == 303
    _review(client, patient, held, "approve")
    confirmed = _slots(db, patient)
    for week, index in block:  # the slider joins each session as it is now: the removal stands
        assert confirmed[(week, index)][1] == [i["exercise_id"] for s in held.proposed for i in s["items"]
                                               if (s["week"], s["index_in_week"]) == (week, index) and i["exercise_id"] != removed]
        assert "nerve_slider" in confirmed[(week, index)][1] and removed not in confirmed[(week, index)][1]
    assert [p.status for p in _proposals(db, patient)] == ["approved", "approved"]


def test_week_eight_counts_from_a_late_approved_week_four_block(client: TestClient, db: Session) -> None:
    patient = user_id(db, PATIENT)
    _move_plan_back(db, patient, 26)
    proposal = _reassess(client, db, patient, ("2", "2", "5"))  # maintenance, the patient's exercises
    _move_plan_back(db, patient, 14)  # the therapist approves on day 42: the block moves on two weeks
    proposal.proposed = [s | {"scheduled_on": (date.fromisoformat(s["scheduled_on"]) - timedelta(days=14)).isoformat()}
                         for s in proposal.proposed]
    db.commit()
    _review(client, patient, proposal, "approve")
    db.expire_all()
    plan = plans.active_plan(db, patient)
    starts_on = plan.starts_on
    assert sorted({s.week for s in plan.sessions if s.week > 4}) == [7, 8, 9, 10]
    assert [reassessment.due_on(plan, week) for week in (2, 4, 8)] == [
        starts_on + timedelta(weeks=2), starts_on + timedelta(weeks=4), starts_on + timedelta(weeks=10)]

    _move_plan_back(db, patient, 14)  # day 56: eight weeks from the start, but only two into the block
    sign_in(client, PATIENT)
    assert "data-reassessment-due" not in client.get("/plan").text
    _move_plan_back(db, patient, 14)  # day 70: four weeks into the block
    sign_in(client, PATIENT)
    assert 'data-reassessment-due="8"' in client.get("/plan").text
    week8 = _reassess(client, db, patient, ("2", "2", "5"))
    assert week8.week == 8
    block = week8.difference["next_block"]
    assert (block["first_week"], block["last_week"], week8.difference["from_week"]) == (11, 14, 11)
    assert [s["week"] for s in week8.proposed][:1] == [11] and week8.proposed[-1]["week"] == 14
    starts_on = plans.active_plan(db, patient).starts_on  # moved back with the sessions
    assert week8.proposed[0]["scheduled_on"] == (starts_on + timedelta(days=70)).isoformat() == date.today().isoformat()


def test_without_a_week_four_block_week_eight_is_eight_weeks_from_the_start(db: Session) -> None:
    plan = plans.active_plan(db, user_id(db, PATIENT))
    assert reassessment.due_on(plan, 8) == plan.starts_on + timedelta(weeks=8)
