"""A linked participant answers the week-2 web visit in the app: trial outcomes, visit done, reminders stop."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from backcoach.app.portal.reminders import send_due_reminders
from backcoach.clinical import scoring
from backcoach.store.models import ReminderOutbox, TrialVisit
from backcoach.store.repo import trial as trial_repo

from ..conftest import audit_rows, csrf_of, sign_in, user_id
from .test_reminders import SAM, WANG, enrol

NRS = {"item1": "6", "item2": "5", "item3": "7"}  # current, average, worst


def trial_repo_outbox(db: Session, visit_id: int) -> list[ReminderOutbox]:
    return list(db.scalars(select(ReminderOutbox).where(ReminderOutbox.visit_id == visit_id).order_by(ReminderOutbox.id)))


def _items(instrument: str, answers: list) -> dict[str, str]:
    return {f"item{k}": str(a) for k, a in enumerate(answers, start=1)}


def test_the_participant_answers_the_week2_visit_and_its_reminders_stop(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    today = date.today()
    participant = enrol(db, "W01", SAM, on=today - timedelta(days=14))  # week 2 due today, window open
    visit = trial_repo.visit_at_week(db, participant.id, 2)
    sign_in(client, SAM)
    assert "data-study-link" in client.get("/notices").text
    page = client.get("/study").text
    assert f'data-study-visit="{visit.id}"' in page and page.count("data-instrument=") == 4
    base = f"/study/visits/{visit.id}"
    assert client.get(f"{base}/gad7").status_code == 404  # not part of the visit

    bad = client.post(f"{base}/nrs", data={"item1": "6", "csrf_token": csrf_of(client, f"{base}/nrs")})
    assert bad.status_code == 400 and trial_repo.outcomes_of(db, participant.id) == []
    odi = [1, 2, 3, 0, 1, 2, 1, 1, 2, 1]  # 14 raw points
    rmdq = [1] * 10 + [0] * 14
    pcs = [2] * 13
    for instrument, data in (("nrs", NRS), ("odi", _items("odi", odi)), ("rmdq", _items("rmdq", rmdq))):
        response = client.post(f"{base}/{instrument}", data={**data, "csrf_token": csrf_of(client, f"{base}/{instrument}")})
        assert response.status_code == 303, response.text
    db.expire_all()
    assert db.get(TrialVisit, visit.id).done_at is None  # PCS still to answer
    send_due_reminders(db, today)  # so today's reminder still goes out
    assert [(r.channel, r.kind) for r in trial_repo_outbox(db, visit.id)] == [("in_app", "due"), ("email", "due")]
    db.commit()
    client.post(f"{base}/pcs", data={**_items("pcs", pcs), "csrf_token": csrf_of(client, f"{base}/pcs")})

    db.expire_all()
    values = {(o.outcome, o.week): o.value for o in trial_repo.outcomes_of(db, participant.id)}
    assert values == {("nrs_current", 2): 6.0, ("nrs_mean", 2): 5.0, ("nrs_worst", 2): 7.0, ("odi", 2): 14.0,
                      ("rmdq", 2): 10.0, ("pcs", 2): float(scoring.score("pcs", pcs).total)}
    assert db.get(TrialVisit, visit.id).done_at is not None
    send_due_reminders(db, today + timedelta(days=3))  # done: no "last day" reminder for this visit
    assert {r.kind for r in trial_repo_outbox(db, visit.id)} == {"due"}
    db.commit()
    assert "data-study-none" in client.get("/study").text
    assert client.get(f"{base}/nrs").status_code == 404  # the visit is closed to answers now
    writes = audit_rows(db, resource="trial_web_visit", action="write", subject_id=user_id(db, SAM))
    assert [r.resource_id for r in writes] == ["W01/nrs", "W01/odi", "W01/rmdq", "W01/pcs"]


def test_only_the_linked_patient_and_only_while_the_window_is_open(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    today = date.today()
    participant = enrol(db, "W02", SAM, on=today - timedelta(days=14))
    later = enrol(db, "W03", WANG, on=today - timedelta(days=5))  # week 2 window opens in 7 days
    visit = trial_repo.visit_at_week(db, participant.id, 2)
    sign_in(client, WANG)
    assert client.get(f"/study/visits/{visit.id}/nrs").status_code == 404  # someone else's visit
    assert "data-study-none" in client.get("/study").text and "data-study-link" not in client.get("/notices").text
    early = trial_repo.visit_at_week(db, later.id, 2)
    assert client.get(f"/study/visits/{early.id}/nrs").status_code == 404
    client.cookies.set("lang", "zh_Hans")
    sign_in(client, SAM)
    assert client.get(f"/study/visits/{visit.id}/nrs").status_code == 200
    sign_in(client, "therapist@demo.backcoach")
    assert client.get("/study").status_code == 403


def test_the_demo_participant_has_todays_reminder_and_an_open_web_visit(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    from backcoach.app.portal.demo import PARTICIPANT_EMAIL

    sign_in(client, PARTICIPANT_EMAIL)
    notices = client.get("/notices").text
    assert "第 2 周线上随访今天到期" in notices and "data-study-link" in notices
    study = client.get("/study").text
    assert study.count("data-instrument=") == 4 and "data-study-none" not in study
