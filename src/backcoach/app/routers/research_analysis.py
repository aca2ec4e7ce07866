"""The research portal's analysis (Tables 1-2 from the database, downloads, figures) and exports
(CSV, FHIR), every one audited."""

from __future__ import annotations

import json
import re
import tempfile
from datetime import datetime
from pathlib import Path

import pandas as pd
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from backcoach.app import errors
from backcoach.app.deps import CSRF, DbSession
from backcoach.app.portal import trial as service
from backcoach.app.portal.research_access import TRIAL_ANALYSIS, TRIAL_EXPORT, Analyst, audit, get_trial
from backcoach.app.templating import render
from backcoach.store.models import TrialRecord, User
from backcoach.store.repo import trial as trial_repo
from backcoach.trial.analysis import AnalysisSet, ModelError, TrialDataError, render as table_render
from backcoach.trial.analysis.figures import plot_figure
from backcoach.trial.export import long_csv
from backcoach.trial.fhir import (
    AccessEvent,
    audit_event,
    cohort,
    collection,
    observations_from_long,
    pseudonymous_patients,
)

router = APIRouter(prefix="/research", dependencies=CSRF)



def _analysis(db: Session, trial: TrialRecord, user: User, set_name: str):  # type: ignore[no-untyped-def]
    try:
        chosen = AnalysisSet(set_name)
    except ValueError:
        raise HTTPException(404, detail=errors.PAGE_NOT_FOUND) from None
    try:
        return service.run_analysis(db, trial, user, chosen), None
    except (TrialDataError, ModelError, ValueError) as error:
        return None, str(error)


@router.get("/trials/{trial_id}/analysis")
def analysis(request: Request, db: DbSession, user: Analyst, trial_id: int, set: str = "per-protocol") -> Response:
    """Tables 1 and 2 computed from the database, as the paper did."""
    trial = get_trial(db, trial_id)
    result, problem = _analysis(db, trial, user, set)
    audit(db, request, user, "read", "trial_analysis", TRIAL_ANALYSIS, f"{trial.id}/{set}")
    return render(request, "research/analysis.html", {
        "trial": trial, "set": set, "problem": problem,
        "tables": table_render.to_html(result) if result else None,
    })


_DOWNLOADS = {"md": "text/markdown", "html": "text/html", "json": "application/json",
              "table1.csv": "text/csv", "table2.csv": "text/csv"}


@router.get("/trials/{trial_id}/analysis/{name}")
def analysis_download(request: Request, db: DbSession, user: Analyst, trial_id: int, name: str,
                      set: str = "per-protocol") -> Response:
    """Tables as Markdown, HTML, JSON or CSV, and Figures 3-4 as PNG (audited)."""
    trial = get_trial(db, trial_id)
    kind = name.removeprefix("tables.")
    figure = re.fullmatch(r"figure([34])\.png", name)
    if kind not in _DOWNLOADS and figure is None:
        raise HTTPException(404, detail=errors.PAGE_NOT_FOUND)
    result, problem = _analysis(db, trial, user, set)
    if result is None:
        raise HTTPException(409, detail=errors.ANALYSIS_NOT_POSSIBLE)
    audit(db, request, user, "export", "trial_analysis", TRIAL_EXPORT, f"{trial.id}/{set}/{name}")
    if figure:
        with tempfile.TemporaryDirectory() as tmp:
            path = plot_figure(result, int(figure.group(1)), Path(tmp) / name)
            if path is None:
                raise HTTPException(404, detail=errors.PAGE_NOT_FOUND)
            return Response(path.read_bytes(), media_type="image/png")
    body = {
        "md": lambda: table_render.to_markdown(result),
        "html": lambda: table_render.to_html(result),
        "json": lambda: json.dumps(result.to_dict(), indent=2, allow_nan=False),
        "table1.csv": lambda: table_render.to_csv(table_render.table1_frame(result)),
        "table2.csv": lambda: table_render.to_csv(table_render.table2_frame(result)),
    }[kind]()
    return Response(body, media_type=_DOWNLOADS[kind],
                    headers={"Content-Disposition": f'attachment; filename="trial{trial.id}-{name}"'})


@router.get("/trials/{trial_id}/export.csv")
def export_csv(request: Request, db: DbSession, user: Analyst, trial_id: int) -> Response:
    """The long outcome table (subject, arm, week, outcome, value), arms as the role may see them."""
    trial = get_trial(db, trial_id)
    vault = trial_repo.get_vault(db, trial.id)
    rows = pd.DataFrame(trial_repo.long_rows(db, trial.id), columns=["subject", "arm", "week", "outcome", "value"])
    body = long_csv(rows, service.blinding_role(user), vault.arm_codes if vault else {}, service.unblinded(vault))
    audit(db, request, user, "export", "trial_csv", TRIAL_EXPORT, trial.id)
    return Response(body, media_type="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="trial{trial.id}.csv"'})


@router.get("/trials/{trial_id}/export.fhir.json")
def export_fhir(request: Request, db: DbSession, user: Analyst, trial_id: int) -> Response:
    """A FHIR R4(B) Bundle: pseudonymous Patients, their Group, one Observation per outcome value
    (no arm) and the export's AuditEvent."""
    trial = get_trial(db, trial_id)
    frame = service.long_frame(db, trial, user, trial_repo.get_vault(db, trial.id))
    # Effective date: the day the visit was done (the measurement), else its due date.
    seen = {(p.code, v.week): v.done_at.date() if v.done_at else v.due_on
            for p in trial_repo.participants(db, trial.id) for v in trial_repo.visits_of(db, p.id)}
    now = service.now_utc()
    observations = observations_from_long(frame, lambda s, w: seen.get((s, int(w)), now.date()),
                                          id_prefix=f"t{trial.id}")
    # De-identified: each participant is a Patient holding only their pseudonymous trial code.
    patients = pseudonymous_patients(frame["subject"], trial.id)
    group = cohort(f"trial-{trial.id}", patients)
    event = _audit_export_event(db, request, user, trial, now)
    resources = [*patients, group, *observations, audit_event(event)]
    bundle = collection(resources, f"trial-{trial.id}-{now.strftime('%Y%m%d%H%M%S')}", now)
    return Response(bundle.model_dump_json(exclude_none=True), media_type="application/fhir+json",
                    headers={"Content-Disposition": f'attachment; filename="trial{trial.id}-fhir.json"'})


def _audit_export_event(db: Session, request: Request, user: User, trial: TrialRecord, now: datetime) -> AccessEvent:
    audit(db, request, user, "export", "trial_fhir", TRIAL_EXPORT, trial.id)
    return AccessEvent(id=f"export-{trial.id}-{now.strftime('%Y%m%d%H%M%S')}", at=now, actor=str(user.id),
                       role=service.blinding_role(user).value, action="E", entity=f"Group/trial-{trial.id}",
                       description=TRIAL_EXPORT)
