"""Exercises that wait for the therapist: a nerve-compression plan goes live without its nerve
slider, and the slider joins the patient's sessions when the treating therapist approves it."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from backcoach.app.assessment import library_plan, store_plan
from backcoach.clinical.catalog import catalog_from_library
from backcoach.clinical.prescription import build_plan
from backcoach.store.models import PlanProposal
from backcoach.store.repo import plans

from .conftest import csrf_of, sign_in, user_id

PATIENT = "week1@demo.backcoach"


def _exercise_ids(db: Session, patient: int) -> set[str]:
    plan = plans.active_plan(db, patient)
    return {item.exercise_id for session in plan.sessions for item in session.items}


def test_nerve_slider_waits_for_the_therapist(client: TestClient, db: Session) -> None:
    patient = user_id(db, PATIENT)
    library_plan = build_plan("NERVE_COMPRESSION", catalog_from_library(), centralizing="extension")
    assert "nerve_slider" in library_plan.exercise_ids()
    store_plan(db, patient, library_plan, date.today() + timedelta(days=1), None)
    db.commit()

    assert "nerve_slider" not in _exercise_ids(db, patient)
    assert {"prone_lying", "prone_on_elbows"} <= _exercise_ids(db, patient)
    [proposal] = db.scalars(select(PlanProposal).where(PlanProposal.patient_id == patient,
                                                       PlanProposal.status == "pending")).all()
    assert (proposal.week, proposal.reassessment["row"]) == (0, "clinician_confirmation")
    assert proposal.difference["changes"] == [{"change": "add", "exercise": "nerve_slider", "block": "category"}]
    assert len(proposal.proposed) == len(library_plan.sessions) == 12

    sign_in(client, "therapist@demo.backcoach")
    page = client.get(f"/therapist/patients/{patient}/plan")
    assert f'data-proposal="{proposal.id}"' in page.text and "nerve_slider" in page.text
    approved = client.post(f"/therapist/patients/{patient}/proposals/{proposal.id}/approve",
                           data={"csrf_token": csrf_of(client, f"/therapist/patients/{patient}/plan")})
    assert approved.status_code == 303
    db.expire_all()
    plan = plans.active_plan(db, patient)
    assert all("nerve_slider" in {i.exercise_id for i in s.items} for s in plan.sessions)


def test_other_plans_go_live_whole(db: Session) -> None:
    patient = user_id(db, PATIENT)
    library_plan = build_plan("STABILITY_DEFICIENCY", catalog_from_library())
    store_plan(db, patient, library_plan, date.today() + timedelta(days=1), None)
    db.commit()
    assert _exercise_ids(db, patient) == library_plan.exercise_ids()
    assert db.scalars(select(PlanProposal).where(PlanProposal.patient_id == patient,
                                                 PlanProposal.week == 0)).first() is None


def test_a_stored_classification_gives_the_plan_its_centralising_block() -> None:
    # The nerve-compression category block follows the centralising direction the tests found.
    extension = library_plan("NERVE_COMPRESSION", "movement_control", {"responses": {"extension": "CENTRALIZES"}})
    assert extension.exercise_ids() == build_plan("NERVE_COMPRESSION", catalog_from_library(),
                                                  centralizing="extension").exercise_ids()
    assert {"nerve_slider", "prone_lying", "prone_on_elbows"} <= extension.exercise_ids()
    assert not {"nerve_slider", "prone_lying"} & library_plan("NERVE_COMPRESSION", "movement_control", {}).exercise_ids()
