"""The training report after a session: page, shareable PNG, and one tap to post it."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from backcoach.app import errors
from backcoach.app.audit import GROUP_SHARED, audit_read, reason_as_owner_or_therapist
from backcoach.app.deps import CSRF, CurrentPatient, CurrentUser, DbSession
from backcoach.app.exercise_names import exercise_name
from backcoach.app.reports import GRADES, grade_label, render_png
from backcoach.app.templating import render
from backcoach.store.models import GroupMembership, Post, PostKind, TrainingReport, User
from backcoach.store.repo import accounts, community, training

router = APIRouter(dependencies=CSRF)


def _readable_report(db: DbSession, user: User, report_id: int) -> tuple[TrainingReport, str]:
    """The report and why ``user`` may read it; 404 when they may not know it exists."""
    report = training.get_report(db, report_id)
    if report is not None:
        direct = reason_as_owner_or_therapist(db, user, report.session.patient_id)
        if direct is not None:
            return report, direct
        shared_in_my_group = db.scalar(
            select(Post.id)
            .join(GroupMembership, GroupMembership.group_id == Post.group_id)
            .where(Post.report_id == report.id, Post.hidden_at.is_(None),
                   GroupMembership.user_id == user.id)
        )
        if shared_in_my_group is not None:
            return report, GROUP_SHARED
    raise HTTPException(404, detail=errors.REPORT_NOT_FOUND)


@router.get("/reports/{report_id}")
def read_report(request: Request, db: DbSession, user: CurrentUser, report_id: int) -> Response:
    """The training report page."""
    report, reason = _readable_report(db, user, report_id)
    owner_id = report.session.patient_id
    audit_read(db, request, user, owner_id, "training_report", reason, report.id)
    summary = report.summary
    locale = request.state.locale
    exercises = [{**entry, "name": exercise_name(entry["exercise_id"], locale)} for entry in summary["exercises"]]
    shared = db.scalar(select(Post.id).where(Post.report_id == report.id)) is not None
    return render(request, "report/report.html", {
        "report": report, "summary": summary, "exercises": exercises, "grades": GRADES,
        "grade_label": grade_label, "is_owner": user.id == owner_id, "shared": shared,
        "groups": community.groups_of(db, user.id),
    })


@router.get("/reports/{report_id}/image.png")
def report_image(request: Request, db: DbSession, user: CurrentUser, report_id: int) -> Response:
    """The report as a PNG card, in the viewer's language."""
    report, reason = _readable_report(db, user, report_id)
    owner = accounts.get_user(db, report.session.patient_id)
    audit_read(db, request, user, report.session.patient_id, "training_report_image", reason, report.id)
    png = render_png(report.summary, request.state.locale, owner.display_name if owner else "")
    return Response(png, media_type="image/png",
                    headers={"Content-Disposition": f'inline; filename="backcoach-report-{report.id}.png"'})


@router.post("/reports/{report_id}/share")
def share_report(request: Request, db: DbSession, patient: CurrentPatient, report_id: int) -> Response:
    """Post the report to the patient's cohort group."""
    report = training.get_report(db, report_id)
    if report is None or report.session.patient_id != patient.id:
        raise HTTPException(404, detail=errors.REPORT_NOT_FOUND)
    groups = community.groups_of(db, patient.id)
    if not groups:
        raise HTTPException(404, detail=errors.GROUP_NOT_FOUND)
    already = db.scalar(select(Post.id).where(Post.report_id == report.id))
    if already is None:
        community.add_post(db, group_id=groups[0].id, author_id=patient.id, kind=PostKind.REPORT,
                           report_id=report.id)
    return RedirectResponse("/group", status_code=303)
