from __future__ import annotations

from io import BytesIO

from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from backcoach.app import errors
from backcoach.app.audit import GROUP_SHARED, OWN_RECORD, TREATING_THERAPIST
from backcoach.store.models import ExerciseSession, Post, TrainingReport

from .conftest import audit_rows, csrf_of, sign_in, user_id


def _reports_of(db: Session, email: str) -> list[TrainingReport]:
    return list(db.scalars(select(TrainingReport).join(ExerciseSession)
                           .where(ExerciseSession.patient_id == user_id(db, email)).order_by(TrainingReport.id)))


def test_report_page_shows_counts_grades_and_score(client: TestClient, db: Session) -> None:
    report = _reports_of(db, "week3@demo.backcoach")[0]
    sign_in(client, "week3@demo.backcoach")
    response = client.get(f"/reports/{report.id}")
    assert response.status_code == 200
    summary = report.summary
    assert f'data-grade="good">{summary["grades"]["good"]}<' in response.text
    assert f'data-form-score>{summary["form_score"]}<' in response.text
    bridge = next(e for e in summary["exercises"] if e["exercise_id"] == "glute_bridge")
    assert f'{bridge["reps_counted"]} / {bridge["reps_planned"]}' in response.text
    rows = audit_rows(db, resource="training_report", resource_id=str(report.id))
    assert [r.reason for r in rows] == [OWN_RECORD]


def test_report_png_is_a_picture_in_the_viewers_language(client: TestClient, db: Session) -> None:
    report = _reports_of(db, "week1@demo.backcoach")[0]
    sign_in(client, "week1@demo.backcoach")
    client.cookies.set("lang", "zh_Hans")
    response = client.get(f"/reports/{report.id}/image.png")
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    assert Image.open(BytesIO(response.content)).size == (1080, 1350)


def test_therapist_of_the_patient_may_read_it_and_is_audited(client: TestClient, db: Session) -> None:
    report = _reports_of(db, "week3@demo.backcoach")[0]
    sign_in(client, "therapist@demo.backcoach")
    assert client.get(f"/reports/{report.id}").status_code == 200
    rows = audit_rows(db, resource="training_report", actor_id=user_id(db, "therapist@demo.backcoach"))
    assert [r.reason for r in rows] == [TREATING_THERAPIST]


def test_unshared_report_of_another_patient_is_404(client: TestClient, db: Session) -> None:
    shared = set(db.scalars(select(Post.report_id).where(Post.report_id.is_not(None))))
    private = next(r for r in _reports_of(db, "week3@demo.backcoach") if r.id not in shared)
    sign_in(client, "week1@demo.backcoach")
    response = client.get(f"/reports/{private.id}")
    assert response.status_code == 404 and errors.REPORT_NOT_FOUND in response.text
    assert client.get("/reports/99999").status_code == 404


def test_group_member_may_read_a_shared_report(client: TestClient, db: Session) -> None:
    shared = db.scalar(select(Post.report_id).where(Post.report_id.is_not(None),
                                                    Post.author_id == user_id(db, "week3@demo.backcoach")))
    sign_in(client, "week1@demo.backcoach")
    assert client.get(f"/reports/{shared}").status_code == 200
    assert [r.reason for r in audit_rows(db, resource="training_report", resource_id=str(shared))] == [GROUP_SHARED]


def test_sharing_posts_the_report_to_the_group_once(client: TestClient, db: Session) -> None:
    report = _reports_of(db, "week1@demo.backcoach")[0]
    sign_in(client, "week1@demo.backcoach")
    token = csrf_of(client, f"/reports/{report.id}")
    for _ in range(2):
        response = client.post(f"/reports/{report.id}/share", data={"csrf_token": token})
        assert response.status_code == 303 and response.headers["location"] == "/group"
    assert len(db.scalars(select(Post).where(Post.report_id == report.id)).all()) == 1
    assert f'href="/reports/{report.id}"' in client.get("/group").text


def test_only_the_owner_can_share(client: TestClient, db: Session) -> None:
    report = _reports_of(db, "week3@demo.backcoach")[0]
    sign_in(client, "week1@demo.backcoach")
    response = client.post(f"/reports/{report.id}/share", data={"csrf_token": csrf_of(client, "/plan")})
    assert response.status_code == 404


def test_png_labels_hold_exercises_with_their_seconds(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from backcoach.app import reports

    drawn: list[str] = []
    original = reports.ImageDraw.ImageDraw.text

    def spy(self, xy, text, *args, **kwargs):  # type: ignore[no-untyped-def]
        drawn.append(text)
        return original(self, xy, text, *args, **kwargs)

    monkeypatch.setattr(reports.ImageDraw.ImageDraw, "text", spy)
    summary = {"date": "2026-11-23", "form_score": None, "duration_minutes": 30.0, "streak": 2,
               "grades": dict.fromkeys(reports.GRADES, 0),
               "exercises": [{"exercise_id": "side_plank", "sets": 3, "reps_counted": 0, "reps_planned": 0,
                              "hold_seconds": 30.0},
                             {"exercise_id": "glute_bridge", "sets": 2, "reps_counted": 18, "reps_planned": 20,
                              "hold_seconds": 0.0}]}
    reports.render_png(summary, "en", "Sam")
    assert "30 s held" in drawn and "18/20" in drawn and "—" in drawn
