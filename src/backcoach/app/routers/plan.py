"""The patient's plan: the four-week calendar and each planned session's exercises."""

from __future__ import annotations

from datetime import date, datetime, timezone

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from backcoach.app import errors
from backcoach.app.audit import OWN_RECORD, audit_read
from backcoach.app.deps import CSRF, CurrentPatient, DbSession
from backcoach.app.education import article_for_week
from backcoach.app.forms import FormState
from backcoach.app.exercise_names import exercise_key_points, exercise_name
from backcoach.app.progress import plan_progress
from backcoach.app.progression import pending_next_morning
from backcoach.app.reassessment import due_week
from backcoach.app.templating import render
from backcoach.store.models import PlanSession, User
from backcoach.store.repo import clinical, community, plans

router = APIRouter(dependencies=CSRF)


@router.get("/plan")
def read_plan(request: Request, db: DbSession, patient: CurrentPatient) -> Response:
    """The four-week calendar, this week's article and progress so far."""
    plan = plans.active_plan(db, patient.id)
    if plan is None:
        screening = clinical.latest_screening(db, patient.id)
        return render(request, "plan/none.html", {"screening": screening})
    audit_read(db, request, patient, patient.id, "plan", OWN_RECORD, plan.id)
    done = plans.completed_plan_session_ids(db, patient.id)
    progress = plan_progress(plan, done, date.today())
    weeks = [[s for s in plan.sessions if s.week == week] for week in range(1, plan.weeks + 1)]
    article = article_for_week(progress.current_week)
    next_session = next((s for s in plan.sessions if s.id == progress.next_session_id), None)
    next_items = [] if next_session is None else [
        {"item": item, "name": exercise_name(item.exercise_id, request.state.locale)} for item in next_session.items
    ]
    return render(request, "plan/plan.html", {
        "next_session": next_session, "next_items": next_items,
        "plan": plan, "weeks": weeks, "done": done, "progress": progress, "today": date.today(),
        "article": article, "article_read": article is not None
        and article.id in community.articles_read(db, patient.id),
        "reassessment_week": due_week(db, plan, date.today()),
        "next_morning": pending_next_morning(db, patient.id, datetime.now(timezone.utc)), "error": None,
    })


@router.get("/plan/sessions/{plan_session_id}")
def read_plan_session(
    request: Request, db: DbSession, patient: CurrentPatient, plan_session_id: int
) -> Response:
    """One planned session: its exercises with dosage, expected duration and key points."""
    plan_session = plans.get_plan_session(db, patient.id, plan_session_id)
    if plan_session is None:
        raise HTTPException(404, detail=errors.PLAN_SESSION_NOT_FOUND)
    audit_read(db, request, patient, patient.id, "plan_session", OWN_RECORD, plan_session.id)
    return plan_session_page(request, db, patient, plan_session, FormState())


def plan_session_page(
    request: Request,
    db: DbSession,
    patient: User,
    plan_session: PlanSession,
    form: FormState,
    status_code: int = 200,
) -> Response:
    """Render a planned session with the pain check-in form (``form`` holds any errors)."""
    locale = request.state.locale
    items = [
        {"item": item, "name": exercise_name(item.exercise_id, locale),
         "key_points": exercise_key_points(item.exercise_id, locale)}
        for item in plan_session.items
    ]
    total_minutes = round(sum(item.expected_seconds for item in plan_session.items) / 60)
    done = plan_session.id in plans.completed_plan_session_ids(db, patient.id)
    return render(request, "plan/session.html", {
        "plan_session": plan_session, "items": items, "total_minutes": total_minutes,
        "done": done, "mode": plan_session.plan.mode.value, "form": form,
        "next_morning": pending_next_morning(db, patient.id, datetime.now(timezone.utc)),
    }, status_code=status_code)
