"""The cohort group: reports, posts, comments, reactions, announcements, and moderation."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from backcoach.app import errors
from backcoach.app.audit import GROUP_SHARED, audit_read, reason_as_owner_or_therapist
from backcoach.app.deps import CSRF, CurrentTherapist, CurrentUser, DbSession
from backcoach.app.i18n import N_
from backcoach.app.forms import FormState, form_values, validate
from backcoach.app.reports import GRADES, grade_label
from backcoach.app.templating import render
from backcoach.store.models import CohortGroup, Post, PostKind, Role, User
from backcoach.store.repo import community, training

router = APIRouter(dependencies=CSRF)

#: The reactions offered under a post: stored by key, shown as emoji with a spoken label.
REACTIONS = {
    "clap": ("👏", N_("Well done")),
    "heart": ("❤️", N_("Love it")),
    "strong": ("💪", N_("Keep going")),
}


class PostForm(BaseModel):
    body: str = Field(min_length=1, max_length=2000)


def _my_group(db: DbSession, user: User) -> CohortGroup:
    groups = community.groups_of(db, user.id)
    if not groups:
        raise HTTPException(404, detail=errors.GROUP_NOT_FOUND)
    return groups[0]


def _post_in_my_group(db: DbSession, user: User, post_id: int) -> Post:
    post = community.get_post(db, post_id)
    if post is None or post.hidden_at is not None or post.group_id not in {
        g.id for g in community.groups_of(db, user.id)
    }:
        raise HTTPException(404, detail=errors.POST_NOT_FOUND)
    return post


def _feed_page(request: Request, db: DbSession, user: User, form: FormState, status_code: int = 200) -> Response:
    group = _my_group(db, user)
    posts = community.feed(db, group.id)
    reports = {p.report_id: training.get_report(db, p.report_id) for p in posts if p.report_id}
    for report in reports.values():
        if report is not None:  # the headline (exercises, form score, minutes) is health data too
            audit_read(db, request, user, report.session.patient_id, "training_report_headline",
                       reason_as_owner_or_therapist(db, user, report.session.patient_id) or GROUP_SHARED, report.id)
    return render(request, "group/feed.html", {
        "group": group, "posts": posts, "reports": reports, "form": form, "reactions": REACTIONS,
        "grades": GRADES, "grade_label": grade_label, "is_moderator": user.role == Role.THERAPIST,
    }, status_code=status_code)


@router.get("/group")
def read_feed(request: Request, db: DbSession, user: CurrentUser) -> Response:
    """The group feed, announcements first."""
    return _feed_page(request, db, user, FormState())


@router.post("/group/posts")
async def create_post(request: Request, db: DbSession, user: CurrentUser) -> Response:
    """Write a post; a therapist may make it an announcement."""
    group = _my_group(db, user)
    values = form_values(await request.form())
    data, state = validate(PostForm, values)
    if data is None:
        return _feed_page(request, db, user, state, status_code=400)
    kind = PostKind.TEXT
    if values.get("announcement") == "yes" and user.role == Role.THERAPIST:
        kind = PostKind.ANNOUNCEMENT
    community.add_post(db, group_id=group.id, author_id=user.id, kind=kind, body=data.body)
    return RedirectResponse("/group", status_code=303)


@router.post("/group/posts/{post_id}/comments")
async def create_comment(request: Request, db: DbSession, user: CurrentUser, post_id: int) -> Response:
    """Comment on a post."""
    post = _post_in_my_group(db, user, post_id)
    data, state = validate(PostForm, form_values(await request.form()))
    if data is None:
        state.errors = {f"comment-{post.id}": state.errors["body"]}
        return _feed_page(request, db, user, state, status_code=400)
    community.add_comment(db, post, user.id, data.body)
    return RedirectResponse(f"/group#post-{post.id}", status_code=303)


@router.post("/group/posts/{post_id}/reactions/{kind}")
def react(request: Request, db: DbSession, user: CurrentUser, post_id: int, kind: str) -> Response:
    """Toggle a reaction (htmx swaps the reaction row)."""
    post = _post_in_my_group(db, user, post_id)
    if kind not in REACTIONS:
        raise HTTPException(404, detail=errors.PAGE_NOT_FOUND)
    community.toggle_reaction(db, post, user.id, kind)
    db.refresh(post)
    if request.headers.get("hx-request"):
        return render(request, "group/_reactions.html", {"post": post, "reactions": REACTIONS})
    return RedirectResponse(f"/group#post-{post.id}", status_code=303)


@router.post("/group/posts/{post_id}/hide")
def hide(request: Request, db: DbSession, therapist: CurrentTherapist, post_id: int) -> Response:
    """Moderation: hide a post from the feed (kept in the database)."""
    post = _post_in_my_group(db, therapist, post_id)
    community.hide_post(db, post, therapist.id)
    return RedirectResponse("/group", status_code=303)
