from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from backcoach.app import errors
from backcoach.app.demo import DEMO_PASSWORD
from backcoach.app.portal.exercises import shipped_toml
from backcoach.app.security import hash_password
from backcoach.app.portal.replay import cue_texts
from backcoach.motion.synthetic import motions as synthetic_motions
from backcoach.paths import EXERCISES_DIR
from backcoach.store.models import ExerciseSet, LandmarkTrace, PlanProposal, Post, Role
from backcoach.store.repo import accounts, plans

from ..conftest import audit_rows, csrf_of, sign_in, user_id

THERAPIST = "therapist@demo.backcoach"
PATIENT = "week3@demo.backcoach"


def traced_set(db: Session) -> ExerciseSet:
    return db.scalar(select(ExerciseSet).join(LandmarkTrace, LandmarkTrace.set_id == ExerciseSet.id))


def patient_paths(patient_id: int, set_id: int, proposal_id: int) -> dict[str, tuple[str, str]]:
    base = f"/therapist/patients/{patient_id}"
    return {
        "progress": ("GET", f"{base}/progress"), "replay": ("GET", f"{base}/sets/{set_id}/replay"),
        "replay_json": ("GET", f"{base}/sets/{set_id}/replay.json"), "plan": ("GET", f"{base}/plan"),
        "messages": ("GET", f"{base}/messages"), "send": ("POST", f"{base}/messages"),
        "dose": ("POST", f"{base}/plan/dose"), "remove": ("POST", f"{base}/plan/remove"),
        "add": ("POST", f"{base}/plan/add"), "mode": ("POST", f"{base}/plan/mode"),
        "approve": ("POST", f"{base}/proposals/{proposal_id}/approve"),
    }


@pytest.fixture
def other_therapist(db: Session) -> str:
    email = "other-therapist@demo.backcoach"
    accounts.create_user(db, email=email, password_hash=hash_password(DEMO_PASSWORD), display_name="Other",
                         role=Role.THERAPIST)
    db.commit()
    return email


def _ids(db: Session) -> tuple[int, int, int]:
    patient = user_id(db, PATIENT)
    proposal = db.scalar(select(PlanProposal.id).where(PlanProposal.patient_id == patient))
    return patient, traced_set(db).id, proposal


def test_a_therapist_cannot_open_another_therapists_patient(client: TestClient, db: Session, other_therapist: str) -> None:
    sign_in(client, other_therapist)
    token = csrf_of(client, "/therapist/group")
    for name, (method, path) in patient_paths(*_ids(db)).items():
        response = client.get(path) if method == "GET" else client.post(path, data={"csrf_token": token, "body": "x"})
        assert response.status_code == 404, name
    assert client.get("/therapist/patients/99999/progress").status_code == 404
    assert audit_rows(db, actor_id=user_id(db, other_therapist)) == []


@pytest.mark.parametrize("email", [PATIENT, "researcher@demo.backcoach", "assessor@demo.backcoach"])
def test_other_roles_cannot_open_the_therapist_portal(client: TestClient, db: Session, email: str) -> None:
    sign_in(client, email)
    paths = [p for m, p in patient_paths(*_ids(db)).values() if m == "GET"]
    paths += ["/therapist/group", "/therapist/exercises", "/therapist/exercises/squat",
              "/therapist/exercises/squat/preview.json"]
    assert {p: client.get(p).status_code for p in paths} == {p: 403 for p in paths}


def test_progress_page_plots_scores_and_quality_and_is_audited(client: TestClient, db: Session) -> None:
    sign_in(client, THERAPIST)
    patient = user_id(db, PATIENT)
    page = client.get(f"/therapist/patients/{patient}/progress").text
    for instrument in ("nrs", "odi", "rmdq", "pcs"):
        assert f'data-chart="{instrument}"' in page
    nrs = re.search(r'data-chart="nrs".*?</figure>', page, re.DOTALL).group(0)
    # Baseline 7-day average 6, week-2 average 6 (the demo patient is a week-2 non-responder).
    assert re.findall(r'data-value="([\d.]+)"', nrs) == ["6", "6"]
    assert 'data-quality="squat"' in page and 'data-quality="glute_bridge"' in page
    assert "data-replay-link" in page
    assert [r.resource for r in audit_rows(db, subject_id=patient, actor_id=user_id(db, THERAPIST))] == ["progress"]


def test_replay_data_has_every_stored_frame_and_the_engine_cues(client: TestClient, db: Session) -> None:
    sign_in(client, THERAPIST)
    patient, set_id, _ = _ids(db)
    trace = db.scalar(select(LandmarkTrace).where(LandmarkTrace.set_id == set_id))
    data = client.get(f"/therapist/patients/{patient}/sets/{set_id}/replay.json").json()
    assert len(data["frames"]) == len(data["t"]) == trace.frame_count
    assert len(data["frames"][0]) == 33 and len(data["frames"][0][0]) == 3
    assert (data["width"], data["height"]) == (720, 1280)
    stored = db.get(ExerciseSet, set_id).reps
    texts = cue_texts("squat")
    assert [r["index"] for r in data["reps"]] == [rep.index for rep in stored] and len(stored) >= 3
    assert [r["cues"] for r in data["reps"]] == [[texts[e["cue"]]["en"] for e in rep.errors] for rep in stored]
    assert [r["grade"] for r in data["reps"]] == [rep.grade for rep in stored]
    assert all(0 < r["t"] <= data["t"][-1] for r in data["reps"])
    page = client.get(f"/therapist/patients/{patient}/sets/{set_id}/replay")
    assert "/static/portal/replay.js" in page.text
    assert audit_rows(db, subject_id=patient, resource="landmark_trace", resource_id=str(set_id))


def test_changing_a_dose_reaches_the_patients_plan(client: TestClient, db: Session) -> None:
    sign_in(client, THERAPIST)
    patient = user_id(db, PATIENT)
    url = f"/therapist/patients/{patient}/plan"
    response = client.post(f"{url}/dose", data={"exercise_id": "glute_bridge", "sets": "3", "reps": "12",
                                                 "rest_seconds": "40", "csrf_token": csrf_of(client, url)})
    assert response.status_code == 303
    db.expire_all()
    plan = plans.active_plan(db, patient)
    done = plans.completed_plan_session_ids(db, patient)
    doses = {(s.id in done, i.sets, i.reps) for s in plan.sessions for i in s.items if i.exercise_id == "glute_bridge"}
    assert doses == {(True, 2, 10), (False, 3, 12)}
    assert "data-revision" in client.get(url).text
    assert audit_rows(db, subject_id=patient, resource="plan", action="write")

    patient_client = TestClient(client.app, base_url="https://testserver", follow_redirects=False)
    sign_in(patient_client, PATIENT)
    upcoming = re.search(r'href="(/plan/sessions/\d+)" data-next-session', patient_client.get("/plan").text).group(1)
    assert "3 × 12 reps" in patient_client.get(upcoming).text


def test_dose_errors_sit_beside_the_field_with_the_values_kept(client: TestClient, db: Session) -> None:
    sign_in(client, THERAPIST)
    url = f"/therapist/patients/{user_id(db, PATIENT)}/plan"
    response = client.post(f"{url}/dose", data={"exercise_id": "glute_bridge", "sets": "0", "reps": "12",
                                                 "rest_seconds": "40", "csrf_token": csrf_of(client, url)})
    assert response.status_code == 400
    form = re.search(r'data-dose="glute_bridge".*?</form>', response.text, re.DOTALL).group(0)
    assert 'aria-describedby="e-sets"' in form and 'value="0"' in form and 'value="12"' in form
    missing = client.post(f"{url}/dose", data={"exercise_id": "glute_bridge", "sets": "2", "rest_seconds": "40",
                                                "csrf_token": csrf_of(client, url)})
    assert missing.status_code == 400 and "Give repetitions, a hold time, or both." in missing.text


def test_approving_a_proposal_applies_it_from_its_week_once(client: TestClient, db: Session) -> None:
    sign_in(client, THERAPIST)
    patient, _, proposal_id = _ids(db)
    proposal = db.get(PlanProposal, proposal_id)
    expected = {(s["week"], s["index_in_week"]): [i["exercise_id"] for i in s["items"]] for s in proposal.proposed}
    url = f"/therapist/patients/{patient}/plan"
    assert 'data-proposal="%d"' % proposal_id in client.get(url).text
    token = csrf_of(client, url)
    assert client.post(f"/therapist/patients/{patient}/proposals/{proposal_id}/approve",
                       data={"csrf_token": token, "note": "agreed"}).status_code == 303
    assert client.post(f"/therapist/patients/{patient}/proposals/{proposal_id}/reject",
                       data={"csrf_token": token}).status_code == 409
    db.expire_all()
    assert db.get(PlanProposal, proposal_id).status == "approved"
    plan = plans.active_plan(db, patient)
    done = plans.completed_plan_session_ids(db, patient)
    future = [s for s in plan.sessions if s.id not in done and (s.week, s.index_in_week) in expected]
    assert future and all([i.exercise_id for i in s.items] == expected[(s.week, s.index_in_week)] for s in future)


def test_messages_are_sent_and_errors_keep_the_text(client: TestClient, db: Session) -> None:
    sign_in(client, THERAPIST)
    url = f"/therapist/patients/{user_id(db, PATIENT)}/messages"
    page = client.get(url).text
    assert "The bridges felt easier this week" in page
    assert client.post(url, data={"body": "Yes, add one set.", "csrf_token": csrf_of(client, url)}).status_code == 303
    assert "Yes, add one set." in client.get(url).text
    empty = client.post(url, data={"body": "  ", "csrf_token": csrf_of(client, url)})
    assert empty.status_code == 400 and 'aria-invalid' not in empty.text or "This field is required." in empty.text


def test_moderation_hides_restores_and_announces(client: TestClient, db: Session) -> None:
    sign_in(client, THERAPIST)
    post = db.scalar(select(Post).where(Post.kind == "report"))
    token = csrf_of(client, "/therapist/group")
    assert client.post(f"/therapist/group/posts/{post.id}/hide", data={"csrf_token": token}).status_code == 303
    db.expire_all()
    assert db.get(Post, post.id).hidden_at is not None
    assert f'data-post="{post.id}"' in client.get("/therapist/group").text  # still listed for the moderator
    assert client.post(f"/therapist/group/posts/{post.id}/restore", data={"csrf_token": token}).status_code == 303
    db.expire_all()
    assert db.get(Post, post.id).hidden_at is None
    assert client.post("/therapist/group/announcements", data={"body": "Clinic closed Friday.",
                                                               "csrf_token": token}).status_code == 303
    assert db.scalar(select(Post).where(Post.body == "Clinic closed Friday.")).kind == "announcement"


def test_exercise_editor_validates_saves_versions_and_never_touches_the_shipped_file(client: TestClient, db: Session) -> None:
    sign_in(client, THERAPIST)
    shipped = shipped_toml("squat")
    token = csrf_of(client, "/therapist/exercises/squat")
    target = re.search(r"^target = [\d.]+", shipped, re.MULTILINE).group(0)
    broken = shipped.replace(target, 'target = "deep"', 1)
    check = client.post("/therapist/exercises/squat/check", data={"toml": broken, "csrf_token": token})
    assert 'data-problem="phases.target"' in check.text and "squat.toml" in check.text
    refused = client.post("/therapist/exercises/squat", data={"toml": broken, "csrf_token": token})
    assert refused.status_code == 400 and 'target = &#34;deep&#34;' in refused.text
    edited = shipped.replace(target, "target = 95", 1)
    saved = client.post("/therapist/exercises/squat", data={"toml": edited, "note": "shallower", "csrf_token": token})
    assert saved.status_code == 303 and "version=1" in saved.headers["location"]
    page = client.get(saved.headers["location"]).text
    assert 'data-saved="1"' in page and "target = 95" in page
    assert (EXERCISES_DIR / "squat.toml").read_text(encoding="utf-8") == shipped
    assert client.post("/therapist/exercises/squat", data={"toml": edited, "csrf_token": token}).headers["location"] \
        .endswith("version=2&saved=1")


def test_exercise_preview_animates_the_reference_motion(client: TestClient, monkeypatch: pytest.MonkeyPatch,
                                                        tmp_path: Path) -> None:
    sign_in(client, THERAPIST)
    data = client.get("/therapist/exercises/squat/preview.json").json()
    assert len(data["frames"]) == len(data["t"]) > 10 and data["reps"] == []
    # Every shipped exercise has a reference motion now; without its file the preview is a 404.
    monkeypatch.setattr(synthetic_motions, "MOTIONS_DIR", tmp_path)
    synthetic_motions.load_motion.cache_clear()  # an earlier test may have loaded it already
    missing = client.get("/therapist/exercises/side_plank/preview.json", headers={"Accept": "application/json"})
    assert missing.status_code == 404 and missing.json()["detail"] == errors.NO_REFERENCE_MOTION
    assert client.get("/therapist/exercises/not_an_exercise").status_code == 404


def test_roster_flags_poor_tracking_in_the_last_camera_session(client: TestClient, db: Session) -> None:
    from backcoach.store.repo import portal as portal_repo

    sign_in(client, THERAPIST)
    patient = user_id(db, PATIENT)
    assert "Poor tracking quality" not in client.get("/therapist").text
    last = portal_repo.last_ai_session(db, patient)
    reps = [rep for s in last.sets for rep in s.reps]
    for rep in reps[: len(reps) // 3 + 1]:  # just over 30% of the attempts not counted
        rep.counted, rep.reason = False, "body not tracked"
    db.commit()
    row = re.search(rf'<tr data-patient="{patient}">.*?</tr>', client.get("/therapist").text, re.DOTALL).group(0)
    assert "Poor tracking quality in the last camera session" in row


def test_a_saved_version_downloads_as_its_own_file(client: TestClient) -> None:
    sign_in(client, THERAPIST)
    text = shipped_toml("squat").replace("[phases]", "# checked by the clinic\n[phases]", 1)
    token = csrf_of(client, "/therapist/exercises/squat")
    client.post("/therapist/exercises/squat", data={"toml": text, "csrf_token": token})
    response = client.get("/therapist/exercises/squat/versions/1.toml")
    assert response.text == text
    assert response.headers["content-disposition"] == 'attachment; filename="squat.v1.toml"'
    assert client.get("/therapist/exercises/squat/versions/2.toml").status_code == 404


def test_preview_grades_the_reference_motion_with_the_edited_file(client: TestClient) -> None:
    sign_in(client, THERAPIST)
    shipped = shipped_toml("squat")
    token = csrf_of(client, "/therapist/exercises/squat")
    url = "/therapist/exercises/squat/preview.json"
    as_shipped = client.post(url, data={"toml": shipped, "csrf_token": token}).json()
    assert [r["counted"] for r in as_shipped["reps"]] == [True, True, True]
    assert all(r["cues"] == [] for r in as_shipped["reps"])
    strict = re.sub(r'(when = \{ feature = "trunk_lean", above = )\d+', r"\g<1>5", shipped, count=1)
    assert strict != shipped
    edited = client.post(url, data={"toml": strict, "csrf_token": token}).json()
    assert [r["cues"] for r in edited["reps"]] == [["Keep your chest up."]] * 3
    assert len(edited["frames"]) == len(as_shipped["frames"])
    broken = client.post(url, data={"toml": "id = 3", "csrf_token": token})
    assert broken.status_code == 422 and broken.json()["problems"]
