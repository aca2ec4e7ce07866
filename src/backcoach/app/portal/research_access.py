"""What every research-portal route shares: the roles it admits, loading a trial or participant
(404 for unknown ids), and the audit row every read, change and export writes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from backcoach.app import errors
from backcoach.app.deps import require_role
from backcoach.store.models import Role, TrialParticipant, TrialRecord, User
from backcoach.store.repo import audit as audit_repo
from backcoach.store.repo import trial as trial_repo

#: Research assistant / trial manager: defines, screens, consents, allocates, exports.
Researcher = Annotated[User, Depends(require_role(Role.RESEARCHER))]
#: Who may enter clinic-measured outcomes (the blinded assessor and the research assistant).
Enterer = Annotated[User, Depends(require_role(Role.RESEARCHER, Role.ASSESSOR))]
#: Who may see results by arm (the statistician sees them coded until unblinding).
Analyst = Annotated[User, Depends(require_role(Role.RESEARCHER, Role.STATISTICIAN))]

#: Why trial data were opened (one fixed wording per purpose, as in ``app.audit``).
TRIAL_CONDUCT = "trial conduct"
TRIAL_ANALYSIS = "trial analysis"
TRIAL_EXPORT = "trial data export"


def get_trial(db: Session, trial_id: int) -> TrialRecord:
    trial = trial_repo.get_trial(db, trial_id)
    if trial is None:
        raise HTTPException(404, detail=errors.TRIAL_NOT_FOUND)
    return trial


def get_participant(db: Session, trial: TrialRecord, participant_id: int) -> TrialParticipant:
    participant = trial_repo.get_participant(db, trial.id, participant_id)
    if participant is None:
        raise HTTPException(404, detail=errors.PARTICIPANT_NOT_FOUND)
    return participant


def audit(db: Session, request: Request, user: User, action: str, resource: str, reason: str,
          resource_id: str | int | None = None, subject_id: int | None = None) -> None:
    audit_repo.record(db, actor_id=user.id, subject_id=subject_id, action=action, resource=resource,
                      reason=reason, resource_id=resource_id, path=request.url.path)


def back(trial: TrialRecord, page: str = "") -> RedirectResponse:
    return RedirectResponse(f"/research/trials/{trial.id}{page}", status_code=303)


def lang_key(request: Request) -> str:
    """The request's language as the trial data files name it."""
    return "zh-Hans" if request.state.locale == "zh_Hans" else "en"
