"""The research portal's participant pages: consent, randomisation, clinic outcomes, withdrawals
and adverse events."""

from __future__ import annotations

import re
from datetime import date, datetime, timezone

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field, field_validator
from sqlalchemy.orm import Session

from backcoach.app import errors
from backcoach.app.deps import CSRF, CurrentResearcher, DbSession
from backcoach.app.forms import Email, FormState, form_values, validate
from backcoach.app.portal import trial as service
from backcoach.app.portal.research_access import (
    TRIAL_CONDUCT,
    Enterer,
    Researcher,
    audit,
    back,
    get_participant,
    get_trial,
    lang_key,
)
from backcoach.app.templating import render
from backcoach.store.models import Role, TrialParticipant, TrialRecord, User
from backcoach.store.repo import accounts
from backcoach.store.repo import trial as trial_repo
from backcoach.trial import clinic, eligibility
from backcoach.trial.events import AdverseEvent, EventError, Relatedness, Severity, WithdrawalReason
from backcoach.trial.visits import QUESTIONNAIRES

router = APIRouter(prefix="/research", dependencies=CSRF)

SCORE_OUTCOMES = QUESTIONNAIRES



class ConsentForm(BaseModel):
    form_version: str = Field(min_length=1, max_length=32)
    signed_on: date


class AccountForm(BaseModel):
    email: Email


class TugForm(BaseModel):
    week: int = Field(ge=0, le=52)
    t1: float
    t2: float
    t3: float


class ScoreForm(BaseModel):
    week: int = Field(ge=0, le=52)
    outcome: str
    value: float = Field(ge=0, le=100)

    @field_validator("outcome")
    @classmethod
    def _known(cls, value: str) -> str:
        if value not in SCORE_OUTCOMES:
            raise ValueError(errors.FIELD_OUT_OF_RANGE)
        return value


class WithdrawalForm(BaseModel):
    on: date
    reason: WithdrawalReason
    stops: str = Field(pattern="^(both|intervention|follow_up)$")
    note: str = Field(default="", max_length=500)


class AdverseEventForm(BaseModel):
    onset: date
    description: str = Field(min_length=1, max_length=500)
    severity: Severity
    serious: bool = False
    relatedness: Relatedness
    resolved_on: date | None = None


def _participant_page(request: Request, db: Session, user: User, trial: TrialRecord, participant: TrialParticipant,
                      forms: dict[str, FormState] | None = None, status_code: int = 200,
                      warnings: list[str] | None = None) -> Response:
    vault = trial_repo.get_vault(db, trial.id)
    allocation = trial_repo.allocation_of(db, participant.id)
    forms = forms or {}
    criteria = {c.id: c for c in eligibility.load_criteria()}
    return render(request, "research/participant.html", {
        "trial": trial, "p": participant, "arm": service.arm_label(allocation.arm if allocation else None, user, vault),
        "allocated": allocation is not None, "consent": trial_repo.consent_of(db, participant.id),
        "visits": trial_repo.visits_of(db, participant.id), "outcomes": trial_repo.outcomes_of(db, participant.id),
        "withdrawal": trial_repo.withdrawal_of(db, participant.id), "by_id": criteria,
        "lang": lang_key(request),
        "can_manage": user.role is Role.RESEARCHER, "can_enter": user.role in (Role.RESEARCHER, Role.ASSESSOR),
        "vault": vault, "score_outcomes": SCORE_OUTCOMES, "sites": clinic.SITES, "warnings": warnings or [],
        "account": accounts.get_user(db, participant.user_id) if participant.user_id else None,
        "account_form": forms.get("account", FormState()),
        "consent_form": forms.get("consent", FormState(values={"form_version": trial.definition["consent_form_version"]})),
        "tug_form": forms.get("tug", FormState()), "us_form": forms.get("us", FormState()),
        "score_form": forms.get("score", FormState()), "withdraw_form": forms.get("withdraw", FormState()),
        "ae_form": forms.get("ae", FormState()), "reasons": list(WithdrawalReason), "severities": list(Severity),
        "relatedness": list(Relatedness), "error": forms.get("_error"),
    }, status_code=status_code)


@router.get("/trials/{trial_id}/participants/{participant_id}")
def read_participant(request: Request, db: DbSession, user: CurrentResearcher, trial_id: int,
                     participant_id: int) -> Response:
    """One participant: screening, consent, allocation (as the role may see it), visits, outcomes."""
    trial = get_trial(db, trial_id)
    participant = get_participant(db, trial, participant_id)
    audit(db, request, user, "read", "trial_participant", TRIAL_CONDUCT, participant.code, participant.user_id)
    return _participant_page(request, db, user, trial, participant)


@router.post("/trials/{trial_id}/participants/{participant_id}/consent")
async def record_consent(request: Request, db: DbSession, user: Researcher, trial_id: int,
                         participant_id: int) -> Response:
    """Record the signed consent form."""
    trial = get_trial(db, trial_id)
    participant = get_participant(db, trial, participant_id)
    data, state = validate(ConsentForm, form_values(await request.form()))
    if data is None:
        return _participant_page(request, db, user, trial, participant, {"consent": state}, 400)
    signed = datetime.combine(data.signed_on, datetime.min.time(), tzinfo=timezone.utc)
    trial_repo.record_consent(db, participant, form_version=data.form_version, signed_at=signed, taken_by_id=user.id)
    audit(db, request, user, "write", "trial_consent", TRIAL_CONDUCT, participant.code, participant.user_id)
    return back(trial, f"/participants/{participant.id}")


@router.post("/trials/{trial_id}/participants/{participant_id}/account")
async def link_account(request: Request, db: DbSession, user: Researcher, trial_id: int,
                       participant_id: int) -> Response:
    """Link the participant to their patient account, so visit reminders reach them."""
    trial = get_trial(db, trial_id)
    participant = get_participant(db, trial, participant_id)
    data, state = validate(AccountForm, form_values(await request.form()))
    patient = accounts.get_user_by_email(db, data.email) if data else None
    if data is not None and (patient is None or patient.role is not Role.PATIENT):
        state.errors["email"] = errors.PATIENT_NOT_FOUND
    elif patient is not None:
        try:
            service.link_account(db, trial, participant, patient)
        except service.TrialActionError:
            state.errors["email"] = errors.ACCOUNT_ALREADY_LINKED
        else:
            audit(db, request, user, "write", "trial_participant_account", TRIAL_CONDUCT, participant.code, patient.id)
            return back(trial, f"/participants/{participant.id}")
    return _participant_page(request, db, user, trial, participant, {"account": state}, 400)


@router.post("/trials/{trial_id}/participants/{participant_id}/randomise")
def randomise(request: Request, db: DbSession, user: Researcher, trial_id: int, participant_id: int) -> Response:
    """Reveal the next allocation of the sealed sequence for this participant (audited)."""
    trial = get_trial(db, trial_id)
    participant = get_participant(db, trial, participant_id)
    try:
        chain_hash = service.randomise(db, trial, participant, user, service.now_utc())
    except service.TrialActionError as error:
        audit(db, request, user, "refused", "trial_allocation", f"{TRIAL_CONDUCT}: {error}", participant.code,
               participant.user_id)
        return _participant_page(request, db, user, trial, participant, {"_error": str(error)}, 409)
    audit(db, request, user, "reveal", "trial_allocation", TRIAL_CONDUCT, chain_hash, participant.user_id)
    return back(trial, f"/participants/{participant.id}")


def _entry_visit(db: Session, participant: TrialParticipant, week: int) -> int | None:
    visit = trial_repo.visit_at_week(db, participant.id, week)
    if visit is not None and visit.done_at is None:
        visit.done_at = service.now_utc()
    return visit.id if visit else None


def _field_of(message: str, names: tuple[str, ...]) -> str:
    match = re.search(r"trial (\d)", message)
    return names[int(match.group(1)) - 1] if match else names[0]


@router.post("/trials/{trial_id}/participants/{participant_id}/tug")
async def enter_tug(request: Request, db: DbSession, user: Enterer, trial_id: int, participant_id: int) -> Response:
    """Timed Up and Go: three trials, averaged by the trial library."""
    trial = get_trial(db, trial_id)
    participant = get_participant(db, trial, participant_id)
    data, state = validate(TugForm, form_values(await request.form()))
    if data is not None:
        try:
            measured = clinic.enter_tug([data.t1, data.t2, data.t3])
        except clinic.EntryError as error:
            state.errors[_field_of(str(error), ("t1", "t2", "t3"))] = str(error)
        else:
            trial_repo.save_outcome(db, participant, week=data.week, outcome="tug", value=measured.value,
                                    measurements=list(measured.trials), entered_by_id=user.id,
                                    visit_id=_entry_visit(db, participant, data.week))
            audit(db, request, user, "write", "trial_outcome", TRIAL_CONDUCT, f"{participant.code}/tug/{data.week}",
                   participant.user_id)
            return _participant_page(request, db, user, trial, participant, warnings=list(measured.warnings))
    return _participant_page(request, db, user, trial, participant, {"tug": state}, 400)


@router.post("/trials/{trial_id}/participants/{participant_id}/ultrasound")
async def enter_ultrasound(request: Request, db: DbSession, user: Enterer, trial_id: int,
                           participant_id: int) -> Response:
    """Ultrasound thickness: TrA and multifidus, left and right, three readings each, averaged."""
    trial = get_trial(db, trial_id)
    participant = get_participant(db, trial, participant_id)
    values = form_values(await request.form())
    state = FormState(values=values)
    week = values.get("week", "")
    if not week.isdigit():
        state.errors["week"] = errors.FIELD_REQUIRED
    readings: dict[str, list] = {}
    for site in clinic.SITES:
        readings[site] = []
        for i in (1, 2, 3):
            name = f"{site}_{i}"
            try:
                readings[site].append(float(values[name]))
            except KeyError:
                state.errors[name] = errors.FIELD_REQUIRED
            except ValueError:
                state.errors[name] = errors.FIELD_NUMBER
    if not state.errors:
        for site in clinic.SITES:  # one site at a time, so each error lands beside its own field
            try:
                clinic.enter_ultrasound({s: readings[s] if s == site else [5.0 if s.startswith("tra") else 30.0] * 3
                                         for s in clinic.SITES})
            except clinic.EntryError as error:
                state.errors[f"{site}_{_field_of(str(error), ('1', '2', '3'))}"] = str(error)
    if state.errors:
        return _participant_page(request, db, user, trial, participant, {"us": state}, 400)
    measured = clinic.enter_ultrasound(readings)
    visit_id = _entry_visit(db, participant, int(week))
    for m in measured:
        trial_repo.save_outcome(db, participant, week=int(week), outcome=m.outcome, value=m.value,
                                measurements=list(m.trials), entered_by_id=user.id, visit_id=visit_id)
    audit(db, request, user, "write", "trial_outcome", TRIAL_CONDUCT, f"{participant.code}/ultrasound/{week}",
           participant.user_id)
    return _participant_page(request, db, user, trial, participant, warnings=[w for m in measured for w in m.warnings])


@router.post("/trials/{trial_id}/participants/{participant_id}/score")
async def enter_score(request: Request, db: DbSession, user: Enterer, trial_id: int, participant_id: int) -> Response:
    """A questionnaire total collected on paper (NRS, ODI, RMDQ, PCS)."""
    trial = get_trial(db, trial_id)
    participant = get_participant(db, trial, participant_id)
    data, state = validate(ScoreForm, form_values(await request.form()))
    if data is None:
        return _participant_page(request, db, user, trial, participant, {"score": state}, 400)
    trial_repo.save_outcome(db, participant, week=data.week, outcome=data.outcome, value=data.value,
                            measurements=[data.value], entered_by_id=user.id,
                            visit_id=_entry_visit(db, participant, data.week))
    audit(db, request, user, "write", "trial_outcome", TRIAL_CONDUCT, f"{participant.code}/{data.outcome}/{data.week}",
           participant.user_id)
    return back(trial, f"/participants/{participant.id}")


@router.post("/trials/{trial_id}/participants/{participant_id}/withdraw")
async def withdraw(request: Request, db: DbSession, user: Researcher, trial_id: int, participant_id: int) -> Response:
    """Record a withdrawal (intervention, follow-up or both)."""
    trial = get_trial(db, trial_id)
    participant = get_participant(db, trial, participant_id)
    data, state = validate(WithdrawalForm, form_values(await request.form()))
    if data is not None and data.reason is WithdrawalReason.OTHER and not data.note.strip():
        state.errors["note"] = errors.FIELD_REQUIRED
        data = None
    if data is None or trial_repo.withdrawal_of(db, participant.id) is not None:
        return _participant_page(request, db, user, trial, participant, {"withdraw": state}, 400)
    trial_repo.withdraw(db, participant, on=data.on, reason=data.reason.value,
                        stops_intervention=data.stops in ("both", "intervention"),
                        stops_follow_up=data.stops in ("both", "follow_up"), note=data.note, entered_by_id=user.id)
    audit(db, request, user, "write", "trial_withdrawal", TRIAL_CONDUCT, participant.code, participant.user_id)
    return back(trial, f"/participants/{participant.id}")


@router.post("/trials/{trial_id}/participants/{participant_id}/adverse-events")
async def add_adverse_event(request: Request, db: DbSession, user: Researcher, trial_id: int,
                            participant_id: int) -> Response:
    """Record an adverse event."""
    trial = get_trial(db, trial_id)
    participant = get_participant(db, trial, participant_id)
    values = form_values(await request.form())
    data, state = validate(AdverseEventForm, values)
    if data is not None:
        try:
            AdverseEvent(participant.code, data.onset, data.description, data.severity, data.serious,
                         data.relatedness, data.resolved_on)
        except EventError:
            state.errors["resolved_on"] = errors.FIELD_RESOLVED_BEFORE_ONSET
            data = None
    if data is None:
        return _participant_page(request, db, user, trial, participant, {"ae": state}, 400)
    trial_repo.add_adverse_event(db, participant, onset=data.onset, description=data.description,
                                 severity=data.severity.value, serious=data.serious,
                                 relatedness=data.relatedness.value, resolved_on=data.resolved_on,
                                 entered_by_id=user.id)
    audit(db, request, user, "write", "trial_adverse_event", TRIAL_CONDUCT, participant.code, participant.user_id)
    return back(trial, f"/participants/{participant.id}")
