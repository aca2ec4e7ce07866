"""Weekly education articles, marked read by the patient."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup

from backcoach.app import errors
from backcoach.app.deps import CSRF, CurrentPatient, DbSession
from backcoach.app.education import articles
from backcoach.app.progress import plan_progress
from backcoach.app.templating import render
from backcoach.store.repo import community, plans

router = APIRouter(dependencies=CSRF)


def _current_week(db: DbSession, patient_id: int) -> int:
    plan = plans.active_plan(db, patient_id)
    if plan is None:
        return 1
    return plan_progress(plan, set(), date.today()).current_week


@router.get("/learn")
def list_articles(request: Request, db: DbSession, patient: CurrentPatient) -> Response:
    """All articles by week; this week's first."""
    return render(request, "education/list.html", {
        "articles": list(articles().values()), "read": community.articles_read(db, patient.id),
        "current_week": _current_week(db, patient.id),
    })


@router.get("/learn/{article_id}")
def read_article(request: Request, db: DbSession, patient: CurrentPatient, article_id: str) -> Response:
    """One article with its illustration."""
    article = articles().get(article_id)
    if article is None:
        raise HTTPException(404, detail=errors.ARTICLE_NOT_FOUND)
    return render(request, "education/article.html", {
        "article": article, "svg": Markup(article.svg()),
        "read": article.id in community.articles_read(db, patient.id),
    })


@router.post("/learn/{article_id}/read")
def mark_read(request: Request, db: DbSession, patient: CurrentPatient, article_id: str) -> Response:
    """Mark an article as read."""
    if article_id not in articles():
        raise HTTPException(404, detail=errors.ARTICLE_NOT_FOUND)
    community.mark_read(db, patient.id, article_id)
    if request.headers.get("hx-request"):
        return render(request, "education/_read_badge.html")
    return RedirectResponse(f"/learn/{article_id}", status_code=303)
