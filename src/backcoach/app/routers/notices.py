"""The patient's notices: visit reminders delivered in the app by ``backcoach reminders send``."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import Response

from backcoach.app.audit import OWN_RECORD, audit_read
from backcoach.app.deps import CurrentPatient, DbSession
from backcoach.app.portal import web_visits
from backcoach.app.templating import render
from backcoach.store.repo import reminders as reminder_repo

router = APIRouter()


@router.get("/notices")
def notices(request: Request, db: DbSession, patient: CurrentPatient) -> Response:
    """The patient's notices, newest first, and a link to any open study questionnaires; opening the
    page marks the notices read."""
    items = reminder_repo.notifications_of(db, patient.id)
    unread = {n.id for n in items if n.read_at is None}
    audit_read(db, request, patient, patient.id, "notices", OWN_RECORD)
    reminder_repo.mark_all_read(db, patient.id)
    study_open = bool(web_visits.open_web_visits(db, patient, date.today()))
    return render(request, "notices.html", {"notices": items, "unread": unread, "study_open": study_open})
