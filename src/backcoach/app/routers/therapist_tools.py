"""The therapist's tools outside one patient's record: cohort-group moderation and the exercise
editor (validate with the exercise library, preview on the synthetic body, save as a version)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from backcoach.app import errors
from backcoach.app.audit import audit_write
from backcoach.app.deps import CSRF, CurrentTherapist, DbSession
from backcoach.app.exercise_names import exercise_name
from backcoach.app.forms import FormState, form_values, validate
from backcoach.app.portal import exercises as editor
from backcoach.app.portal.replay import cue_texts, sequence_payload
from backcoach.app.templating import render
from backcoach.store.models import PostKind, User
from backcoach.store.repo import community
from backcoach.store.repo import portal as portal_repo

router = APIRouter(prefix="/therapist", dependencies=CSRF)


def _lang(request: Request) -> str:
    return "zh-Hans" if request.state.locale == "zh_Hans" else "en"



class AnnouncementForm(BaseModel):
    body: str = Field(min_length=1, max_length=2000)


def _group_page(request: Request, db: Session, therapist: User, form: FormState, status_code: int = 200) -> Response:
    groups = community.groups_of(db, therapist.id)
    return render(request, "therapist/group.html", {
        "groups": [(g, portal_repo.all_posts(db, g.id)) for g in groups], "form": form,
    }, status_code=status_code)


@router.get("/group")
def moderation(request: Request, db: DbSession, therapist: CurrentTherapist) -> Response:
    """Every post of the therapist's groups, hidden ones too, with hide/restore and announcements."""
    return _group_page(request, db, therapist, FormState())


def _moderated_post(db: Session, therapist: User, post_id: int):  # type: ignore[no-untyped-def]
    post = community.get_post(db, post_id)
    if post is None or post.group_id not in {g.id for g in community.groups_of(db, therapist.id)}:
        raise HTTPException(404, detail=errors.POST_NOT_FOUND)
    return post


@router.post("/group/posts/{post_id}/{action}")
def moderate(request: Request, db: DbSession, therapist: CurrentTherapist, post_id: int,
             action: Literal["hide", "restore"]) -> Response:
    """Hide a post from the group, or show it again."""
    post = _moderated_post(db, therapist, post_id)
    if action == "hide":
        community.hide_post(db, post, therapist.id)
    else:
        portal_repo.restore_post(post)
    audit_write(db, request, therapist, post.author_id, f"post_{action}", "group moderation", post.id)
    return RedirectResponse("/therapist/group", status_code=303)


@router.post("/group/announcements")
async def announce(request: Request, db: DbSession, therapist: CurrentTherapist,
                   group_id: Annotated[int, Query()] = 0) -> Response:
    """Post an announcement (shown first in the group)."""
    data, state = validate(AnnouncementForm, form_values(await request.form()))
    groups = {g.id: g for g in community.groups_of(db, therapist.id)}
    if data is None or not groups:
        return _group_page(request, db, therapist, state, status_code=400)
    target = group_id if group_id in groups else next(iter(groups))
    community.add_post(db, group_id=target, author_id=therapist.id, kind=PostKind.ANNOUNCEMENT, body=data.body)
    return RedirectResponse("/therapist/group", status_code=303)


# ------------------------------------------------------------------------------ exercise editor
def _shipped(exercise_id: str) -> str:
    text = editor.shipped_toml(exercise_id)
    if text is None:
        raise HTTPException(404, detail=errors.EXERCISE_NOT_FOUND)
    return text


@router.get("/exercises")
def exercise_list(request: Request, db: DbSession, therapist: CurrentTherapist) -> Response:
    """The exercise library, with the number of saved versions of each file."""
    locale = request.state.locale
    rows = [(eid, exercise_name(eid, locale), len(portal_repo.exercise_versions(db, eid))) for eid in editor.shipped_ids()]
    return render(request, "therapist/exercises.html", {"rows": rows})


def _editor_page(request: Request, db: Session, exercise_id: str, text: str, problems: list, saved: int | None = None,
                 status_code: int = 200) -> Response:
    return render(request, "therapist/exercise_edit.html", {
        "exercise_id": exercise_id, "name": exercise_name(exercise_id, request.state.locale), "text": text,
        "problems": problems, "versions": portal_repo.exercise_versions(db, exercise_id), "saved": saved,
        "checked": True if status_code != 200 or saved else False,
    }, status_code=status_code)


@router.get("/exercises/{exercise_id}")
def edit_exercise(request: Request, db: DbSession, therapist: CurrentTherapist, exercise_id: str,
                  version: int | None = None, saved: int = 0) -> Response:
    """The editor, opened on the latest saved version (or the shipped file)."""
    shipped = _shipped(exercise_id)
    versions = portal_repo.exercise_versions(db, exercise_id)
    chosen = next((v for v in versions if v.version == version), versions[0] if versions and version is None else None)
    return _editor_page(request, db, exercise_id, chosen.toml if chosen else shipped, [],
                        saved=chosen.version if saved and chosen else None)


@router.post("/exercises/{exercise_id}/check")
async def check_exercise(request: Request, db: DbSession, therapist: CurrentTherapist, exercise_id: str) -> Response:
    """Validate the edited text with the exercise library (htmx swaps in the problem list)."""
    _shipped(exercise_id)
    text = str((await request.form()).get("toml", ""))
    problems = editor.check_toml(exercise_id, text)
    return render(request, "therapist/_exercise_problems.html", {"problems": problems, "checked": True},
                  status_code=200)


@router.post("/exercises/{exercise_id}")
async def save_exercise(request: Request, db: DbSession, therapist: CurrentTherapist, exercise_id: str) -> Response:
    """Save the edited file as a new version, only when the library accepts it."""
    _shipped(exercise_id)
    form = await request.form()
    text = str(form.get("toml", ""))
    problems = editor.check_toml(exercise_id, text)
    if problems:
        return _editor_page(request, db, exercise_id, text, problems, status_code=400)
    version = portal_repo.save_exercise_version(db, exercise_id, text, therapist.id, str(form.get("note", ""))[:200])
    return RedirectResponse(f"/therapist/exercises/{exercise_id}?version={version.version}&saved=1", status_code=303)


@router.get("/exercises/{exercise_id}/versions/{version}.toml")
def download_version(request: Request, db: DbSession, therapist: CurrentTherapist, exercise_id: str,
                     version: int) -> Response:
    """A saved version as a file, to review and adopt into the library."""
    _shipped(exercise_id)
    saved = next((v for v in portal_repo.exercise_versions(db, exercise_id) if v.version == version), None)
    if saved is None:
        raise HTTPException(404, detail=errors.EXERCISE_NOT_FOUND)
    return Response(saved.toml, media_type="application/toml", headers={
        "Content-Disposition": f'attachment; filename="{exercise_id}.v{version}.toml"'})


@router.get("/exercises/{exercise_id}/preview.json")
def preview_exercise(request: Request, therapist: CurrentTherapist, exercise_id: str) -> Response:
    """One repetition of the exercise's reference motion on the synthetic body."""
    from backcoach.motion.synthetic.generate import demo_frames
    from backcoach.motion.synthetic.motions import MotionFileError

    _shipped(exercise_id)
    try:
        return JSONResponse(sequence_payload(demo_frames(exercise_id, fps=15)))
    except MotionFileError:
        raise HTTPException(404, detail=errors.NO_REFERENCE_MOTION) from None


@router.post("/exercises/{exercise_id}/preview.json")
async def preview_edited(request: Request, therapist: CurrentTherapist, exercise_id: str) -> Response:
    """The reference motion graded by the edited (unsaved) file: reps, grades and cues."""
    from backcoach.motion.synthetic.motions import MotionFileError

    _shipped(exercise_id)
    exercise, problems = editor.parse_toml(exercise_id, str((await request.form()).get("toml", "")))
    if exercise is None:
        return JSONResponse({"problems": [p.__dict__ for p in problems]}, status_code=422)
    try:
        sequence, reps = editor.graded_preview(exercise)
    except MotionFileError:
        raise HTTPException(404, detail=errors.NO_REFERENCE_MOTION) from None
    return JSONResponse(sequence_payload(sequence, reps, cue_texts(exercise_id, exercise), _lang(request)))
