from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from backcoach.app import errors
from backcoach.app.audit import GROUP_SHARED, OWN_RECORD, TREATING_THERAPIST
from backcoach.store.models import Post, PostKind, Reaction
from backcoach.store.repo import training

from .conftest import audit_rows, csrf_of, sign_in, user_id


def test_feed_shows_announcement_first(client: TestClient) -> None:
    sign_in(client, "week1@demo.backcoach")
    page = client.get("/group")
    assert page.status_code == 200
    kinds = [chunk.split('"')[0] for chunk in page.text.split('data-kind="')[1:]]
    assert kinds[0] == "announcement"


def test_post_comment_and_react(client: TestClient, db: Session) -> None:
    sign_in(client, "week1@demo.backcoach")
    token = csrf_of(client, "/group")
    assert client.post("/group/posts", data={"csrf_token": token, "body": "Day 3 done!"}).status_code == 303
    post = db.scalar(select(Post).where(Post.body == "Day 3 done!"))
    assert post.kind == PostKind.TEXT
    assert client.post(f"/group/posts/{post.id}/comments", data={"csrf_token": token, "body": "Nice"}).status_code == 303
    reacted = client.post(f"/group/posts/{post.id}/reactions/clap", data={"csrf_token": token},
                          headers={"HX-Request": "true"})
    assert reacted.status_code == 200 and 'aria-pressed="true"' in reacted.text
    db.expire_all()
    assert [r.kind for r in db.scalars(select(Reaction).where(Reaction.post_id == post.id))] == ["clap"]
    assert "Nice" in client.get("/group").text


def test_empty_post_comes_back_with_the_message(client: TestClient) -> None:
    sign_in(client, "week1@demo.backcoach")
    response = client.post("/group/posts", data={"csrf_token": csrf_of(client, "/group"), "body": "   "})
    assert response.status_code == 400
    assert 'id="e-body"' in response.text and errors.FIELD_REQUIRED in response.text


def test_patient_cannot_announce_but_therapist_can(client: TestClient, db: Session) -> None:
    sign_in(client, "week1@demo.backcoach")
    client.post("/group/posts", data={"csrf_token": csrf_of(client, "/group"), "body": "Me!", "announcement": "yes"})
    assert db.scalar(select(Post.kind).where(Post.body == "Me!")) == PostKind.TEXT
    sign_in(client, "therapist@demo.backcoach")
    client.post("/group/posts", data={"csrf_token": csrf_of(client, "/group"), "body": "Rest day", "announcement": "yes"})
    assert db.scalar(select(Post.kind).where(Post.body == "Rest day")) == PostKind.ANNOUNCEMENT


def test_therapist_hides_a_post_and_patients_cannot(client: TestClient, db: Session) -> None:
    post_id = db.scalar(select(Post.id).where(Post.kind == PostKind.REPORT))
    sign_in(client, "week1@demo.backcoach")
    refused = client.post(f"/group/posts/{post_id}/hide", data={"csrf_token": csrf_of(client, "/group")})
    assert refused.status_code == 403 and errors.NOT_ALLOWED in refused.text
    sign_in(client, "therapist@demo.backcoach")
    assert client.post(f"/group/posts/{post_id}/hide", data={"csrf_token": csrf_of(client, "/group")}).status_code == 303
    assert f'data-post="{post_id}"' not in client.get("/group").text
    gone = client.post(f"/group/posts/{post_id}/comments", data={"csrf_token": csrf_of(client, "/group"), "body": "x"})
    assert gone.status_code == 404 and errors.POST_NOT_FOUND in gone.text


def test_unknown_reaction_and_post_are_404(client: TestClient, db: Session) -> None:
    post_id = db.scalar(select(Post.id))
    sign_in(client, "week1@demo.backcoach")
    token = csrf_of(client, "/group")
    assert client.post(f"/group/posts/{post_id}/reactions/angry", data={"csrf_token": token}).status_code == 404
    assert client.post("/group/posts/9999/reactions/clap", data={"csrf_token": token}).status_code == 404


def test_researcher_without_group_gets_404(client: TestClient, db: Session) -> None:
    sign_in(client, "researcher@demo.backcoach")
    response = client.get("/group")
    assert response.status_code == 404 and errors.GROUP_NOT_FOUND in response.text
    assert user_id(db, "researcher@demo.backcoach")


def test_each_viewer_of_a_shared_report_headline_is_audited(client: TestClient, db: Session) -> None:
    # The demo feed has two shared reports: week 1's and week 3's.
    owners = {training.get_report(db, p.report_id).session.patient_id: str(p.report_id)
              for p in db.scalars(select(Post).where(Post.kind == PostKind.REPORT))}
    week1, week3 = user_id(db, "week1@demo.backcoach"), user_id(db, "week3@demo.backcoach")
    assert set(owners) == {week1, week3}
    expected = {
        "week1@demo.backcoach": {(week1, OWN_RECORD), (week3, GROUP_SHARED)},
        "week3@demo.backcoach": {(week1, GROUP_SHARED), (week3, OWN_RECORD)},
        "therapist@demo.backcoach": {(week1, TREATING_THERAPIST), (week3, TREATING_THERAPIST)},
    }
    for email, reasons in expected.items():
        sign_in(client, email)
        assert client.get("/group").status_code == 200
        db.expire_all()
        rows = audit_rows(db, actor_id=user_id(db, email), resource="training_report_headline")
        assert sorted((r.subject_id, r.resource_id, r.reason, r.path) for r in rows) == sorted(
            (owner, owners[owner], reason, "/group") for owner, reason in reasons), email
