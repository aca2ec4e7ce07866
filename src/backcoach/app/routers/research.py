"""The research portal: the randomised trial from screening to the paper's tables.

Roles: researchers (the research assistant and trial manager) define, screen, consent, allocate
and export; outcome assessors enter clinic outcomes and never see an arm; statisticians see coded
arms until unblinding. Each route names the roles it admits; arms reach pages only through
``portal.trial.arm_label``.
"""

from __future__ import annotations

import json
import re
import tempfile
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Annotated

import pandas as pd
from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field, field_validator
from sqlalchemy.orm import Session

from backcoach.app import errors
from backcoach.app.deps import CSRF, CurrentResearcher, DbSession, require_role
from backcoach.app.forms import FormState, form_values, validate
from backcoach.app.portal import trial as service
from backcoach.app.templating import render
from backcoach.store.models import Role, TrialParticipant, TrialRecord, User
from backcoach.store.repo import audit as audit_repo
from backcoach.store.repo import trial as trial_repo
from backcoach.trial import clinic, eligibility
from backcoach.trial.analysis import AnalysisSet, ModelError, TrialDataError, render as table_render
from backcoach.trial.analysis.figures import plot_figure
from backcoach.trial.export import long_csv
from backcoach.trial.events import (
    AdverseEvent,
    EventError,
    Relatedness,
    Severity,
    WithdrawalReason,
    adverse_event_summary,
)
from backcoach.trial.fhir import audit_event, AccessEvent, collection, observations_from_long
from backcoach.trial.visits import QUESTIONNAIRES

router = APIRouter(prefix="/research", dependencies=CSRF)

Researcher = Annotated[User, Depends(require_role(Role.RESEARCHER))]
Enterer = Annotated[User, Depends(require_role(Role.RESEARCHER, Role.ASSESSOR))]
Analyst = Annotated[User, Depends(require_role(Role.RESEARCHER, Role.STATISTICIAN))]

#: Why trial data were opened (one fixed wording per purpose, as in ``app.audit``).
TRIAL_CONDUCT = "trial conduct"
TRIAL_ANALYSIS = "trial analysis"
TRIAL_EXPORT = "trial data export"
SCORE_OUTCOMES = tuple(o for o in QUESTIONNAIRES)


def _trial(db: Session, trial_id: int) -> TrialRecord:
    trial = trial_repo.get_trial(db, trial_id)
    if trial is None:
        raise HTTPException(404, detail=errors.TRIAL_NOT_FOUND)
    return trial


def _participant(db: Session, trial: TrialRecord, participant_id: int) -> TrialParticipant:
    participant = trial_repo.get_participant(db, trial.id, participant_id)
    if participant is None:
        raise HTTPException(404, detail=errors.PARTICIPANT_NOT_FOUND)
    return participant


def _audit(db: Session, request: Request, user: User, action: str, resource: str, reason: str,
           resource_id: str | int | None = None, subject_id: int | None = None) -> None:
    audit_repo.record(db, actor_id=user.id, subject_id=subject_id, action=action, resource=resource,
                      reason=reason, resource_id=resource_id, path=request.url.path)


def _back(trial: TrialRecord, page: str = "") -> RedirectResponse:
    return RedirectResponse(f"/research/trials/{trial.id}{page}", status_code=303)


# ------------------------------------------------------------------------------ trials
class TrialForm(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    arms: str = Field(min_length=1, max_length=200)
    ratio: str = Field(default="", max_length=50)
    reference: str = Field(min_length=1, max_length=32)
    strata: str = Field(default="", max_length=400)
    consent_version: str = Field(min_length=1, max_length=32)
    per_stratum: int = Field(ge=2, le=2000)

    @field_validator("arms")
    @classmethod
    def _two_arms(cls, value: str) -> str:
        if len({a.strip() for a in value.split(",") if a.strip()}) < 2:
            raise ValueError(errors.FIELD_TWO_ARMS)
        return value

    @field_validator("ratio")
    @classmethod
    def _ratio(cls, value: str) -> str:
        if value and not re.fullmatch(r"\s*\d+(\s*:\s*\d+)+\s*", value):
            raise ValueError(errors.FIELD_RATIO)
        return value

    @field_validator("strata")
    @classmethod
    def _strata(cls, value: str) -> str:
        for line in filter(str.strip, value.splitlines()):
            if not re.fullmatch(r"\s*\w+\s*=\s*\w+(\s*,\s*\w+)*\s*", line):
                raise ValueError(errors.FIELD_STRATA)
        return value


def _definition(data: TrialForm) -> dict:
    arms = [a.strip() for a in data.arms.split(",") if a.strip()]
    ratio = [int(r) for r in data.ratio.split(":")] if data.ratio else [1] * len(arms)
    strata = {}
    for line in filter(str.strip, data.strata.splitlines()):
        factor, levels = line.split("=", 1)
        strata[factor.strip()] = [lv.strip() for lv in levels.split(",")]
    return service.new_definition(data.name, arms, ratio, strata, data.reference.strip(), data.consent_version,
                                  data.per_stratum)


def _home(request: Request, db: Session, user: User, form: FormState, status_code: int = 200) -> Response:
    return render(request, "research/home.html", {"trials": trial_repo.list_trials(db), "form": form},
                  status_code=status_code)


@router.get("")
def home(request: Request, db: DbSession, user: CurrentResearcher) -> Response:
    """The trials, and a form to define a new one (researchers)."""
    return _home(request, db, user, FormState(values={"arms": "AI,video", "reference": "video", "ratio": "1:1",
                                                      "consent_version": "v1", "per_stratum": "40"}))


@router.post("/trials")
async def create_trial(request: Request, db: DbSession, user: Researcher) -> Response:
    """Define a trial: arms, allocation ratio, optional strata, reference arm."""
    data, state = validate(TrialForm, form_values(await request.form()))
    if data is not None:
        try:
            definition = _definition(data)
        except (ValueError, service.TrialActionError) as error:
            state.errors["arms"] = str(error)
        else:
            trial = trial_repo.create_trial(db, name=data.name, definition=definition)
            _audit(db, request, user, "write", "trial", TRIAL_CONDUCT, trial.id)
            return _back(trial)
    return _home(request, db, user, state, status_code=400)


@router.get("/trials/{trial_id}")
def read_trial(request: Request, db: DbSession, user: CurrentResearcher, trial_id: int) -> Response:
    """The trial: definition, seal and integrity, participants with their arm as the role may see it."""
    trial = _trial(db, trial_id)
    vault = trial_repo.get_vault(db, trial.id)
    allocation = trial_repo.allocations(db, trial.id)
    people = [(p, service.arm_label(allocation.get(p.id), user, vault), p.id in allocation)
              for p in trial_repo.participants(db, trial.id)]
    problem = service.integrity_problem(db, trial, vault) if vault else None
    _audit(db, request, user, "read", "trial_participants", TRIAL_CONDUCT, trial.id)
    return render(request, "research/trial.html", {
        "trial": trial, "vault": vault, "people": people, "problem": problem,
        "can_manage": user.role is Role.RESEARCHER, "sees_arms": service.sees_any_arm(user, vault),
        "randomised": len(allocation),
    })


@router.post("/trials/{trial_id}/seal")
def seal_sequence(request: Request, db: DbSession, user: Researcher, trial_id: int) -> Response:
    """Generate and seal the allocation sequence (once, before the first enrolment)."""
    trial = _trial(db, trial_id)
    try:
        service.seal(db, trial, user, service.now_utc())
    except service.TrialActionError:
        raise HTTPException(409, detail=errors.TRIAL_ALREADY_SEALED) from None
    _audit(db, request, user, "write", "trial_sequence", TRIAL_CONDUCT, trial.sequence_seal)
    return _back(trial)


@router.post("/trials/{trial_id}/unblind")
def unblind(request: Request, db: DbSession, user: Researcher, trial_id: int) -> Response:
    """Unblind the statistician (after the analysis plan is locked)."""
    trial = _trial(db, trial_id)
    try:
        service.unblind(db, trial, user, service.now_utc())
    except service.TrialActionError:
        raise HTTPException(409, detail=errors.TRIAL_NOT_SEALED) from None
    _audit(db, request, user, "write", "trial_unblinding", TRIAL_CONDUCT, trial.id)
    return _back(trial)


# ------------------------------------------------------------------------------ screening
def _criteria() -> list[eligibility.Criterion]:
    return eligibility.load_criteria()


def _screening_fields() -> dict[str, str]:
    """Each answer field and its kind (``bool`` or ``number``), in criteria order."""
    fields: dict[str, str] = {}
    for c in _criteria():
        fields.setdefault(c.field, "bool" if c.rule == "equals" else "number")
    return fields


def _questions(lang: str) -> list[dict]:
    """One question per answer field, worded by the criteria that read it."""
    questions: dict[str, dict] = {}
    for c in _criteria():
        q = questions.setdefault(c.field, {"field": c.field, "kind": c.kind, "texts": [], "source": c.source,
                                           "type": "bool" if c.rule == "equals" else "number"})
        q["texts"].append(c.text[lang])
    return list(questions.values())


def _screening_page(request: Request, db: Session, user: User, trial: TrialRecord, form: FormState,
                    status_code: int = 200) -> Response:
    lang = "zh-Hans" if request.state.locale == "zh_Hans" else "en"
    return render(request, "research/screening.html", {
        "trial": trial, "form": form, "questions": _questions(lang), "by_id": {c.id: c for c in _criteria()},
        "people": trial_repo.participants(db, trial.id), "strata": service.definition_of(trial).stratum_names(),
        "lang": lang,
    }, status_code=status_code)


@router.get("/trials/{trial_id}/screening")
def screening_log(request: Request, db: DbSession, user: Researcher, trial_id: int) -> Response:
    """The screening log (everyone screened, with the criteria they failed) and the screening form."""
    trial = _trial(db, trial_id)
    _audit(db, request, user, "read", "trial_screening", TRIAL_CONDUCT, trial.id)
    return _screening_page(request, db, user, trial, FormState())


@router.post("/trials/{trial_id}/screening")
async def add_screening(request: Request, db: DbSession, user: Researcher, trial_id: int) -> Response:
    """Screen one person against the paper's criteria."""
    trial = _trial(db, trial_id)
    values = form_values(await request.form())
    state = FormState(values=values)
    code = values.get("code", "")
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,32}", code):
        state.errors["code"] = errors.FIELD_CODE
    elif trial_repo.code_taken(db, trial.id, code):
        state.errors["code"] = errors.FIELD_CODE_TAKEN
    answers: dict = {}
    for name, kind in _screening_fields().items():
        raw = values.get(name)
        if raw is None:
            continue  # a missing answer leaves the screening incomplete (the library's rule)
        if kind == "bool":
            answers[name] = raw == "yes"
        else:
            try:
                answers[name] = float(raw)
            except ValueError:
                state.errors[name] = errors.FIELD_NUMBER
    stratum = values.get("stratum") or None
    if stratum and stratum not in service.definition_of(trial).stratum_names():
        state.errors["stratum"] = errors.FIELD_OUT_OF_RANGE
    if state.errors:
        return _screening_page(request, db, user, trial, state, status_code=400)
    participant = service.screen(db, trial, code, answers, stratum)
    _audit(db, request, user, "write", "trial_screening", TRIAL_CONDUCT, participant.code)
    return _back(trial, f"/participants/{participant.id}")


# ------------------------------------------------------------------------------ participant
class ConsentForm(BaseModel):
    form_version: str = Field(min_length=1, max_length=32)
    signed_on: date


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
    criteria = {c.id: c for c in _criteria()}
    return render(request, "research/participant.html", {
        "trial": trial, "p": participant, "arm": service.arm_label(allocation.arm if allocation else None, user, vault),
        "allocated": allocation is not None, "consent": trial_repo.consent_of(db, participant.id),
        "visits": trial_repo.visits_of(db, participant.id), "outcomes": trial_repo.outcomes_of(db, participant.id),
        "withdrawal": trial_repo.withdrawal_of(db, participant.id), "by_id": criteria,
        "lang": "zh-Hans" if request.state.locale == "zh_Hans" else "en",
        "can_manage": user.role is Role.RESEARCHER, "can_enter": user.role in (Role.RESEARCHER, Role.ASSESSOR),
        "vault": vault, "score_outcomes": SCORE_OUTCOMES, "sites": clinic.SITES, "warnings": warnings or [],
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
    trial = _trial(db, trial_id)
    participant = _participant(db, trial, participant_id)
    _audit(db, request, user, "read", "trial_participant", TRIAL_CONDUCT, participant.code, participant.user_id)
    return _participant_page(request, db, user, trial, participant)


@router.post("/trials/{trial_id}/participants/{participant_id}/consent")
async def record_consent(request: Request, db: DbSession, user: Researcher, trial_id: int,
                         participant_id: int) -> Response:
    """Record the signed consent form."""
    trial = _trial(db, trial_id)
    participant = _participant(db, trial, participant_id)
    data, state = validate(ConsentForm, form_values(await request.form()))
    if data is None:
        return _participant_page(request, db, user, trial, participant, {"consent": state}, 400)
    signed = datetime.combine(data.signed_on, datetime.min.time(), tzinfo=timezone.utc)
    trial_repo.record_consent(db, participant, form_version=data.form_version, signed_at=signed, taken_by_id=user.id)
    _audit(db, request, user, "write", "trial_consent", TRIAL_CONDUCT, participant.code, participant.user_id)
    return _back(trial, f"/participants/{participant.id}")


@router.post("/trials/{trial_id}/participants/{participant_id}/randomise")
def randomise(request: Request, db: DbSession, user: Researcher, trial_id: int, participant_id: int) -> Response:
    """Reveal the next allocation of the sealed sequence for this participant (audited)."""
    trial = _trial(db, trial_id)
    participant = _participant(db, trial, participant_id)
    try:
        chain_hash = service.randomise(db, trial, participant, user, service.now_utc())
    except service.TrialActionError as error:
        _audit(db, request, user, "refused", "trial_allocation", f"{TRIAL_CONDUCT}: {error}", participant.code,
               participant.user_id)
        return _participant_page(request, db, user, trial, participant, {"_error": str(error)}, 409)
    _audit(db, request, user, "reveal", "trial_allocation", TRIAL_CONDUCT, chain_hash, participant.user_id)
    return _back(trial, f"/participants/{participant.id}")


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
    trial = _trial(db, trial_id)
    participant = _participant(db, trial, participant_id)
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
            _audit(db, request, user, "write", "trial_outcome", TRIAL_CONDUCT, f"{participant.code}/tug/{data.week}",
                   participant.user_id)
            return _participant_page(request, db, user, trial, participant, warnings=list(measured.warnings))
    return _participant_page(request, db, user, trial, participant, {"tug": state}, 400)


@router.post("/trials/{trial_id}/participants/{participant_id}/ultrasound")
async def enter_ultrasound(request: Request, db: DbSession, user: Enterer, trial_id: int,
                           participant_id: int) -> Response:
    """Ultrasound thickness: TrA and multifidus, left and right, three readings each, averaged."""
    trial = _trial(db, trial_id)
    participant = _participant(db, trial, participant_id)
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
    _audit(db, request, user, "write", "trial_outcome", TRIAL_CONDUCT, f"{participant.code}/ultrasound/{week}",
           participant.user_id)
    return _participant_page(request, db, user, trial, participant, warnings=[w for m in measured for w in m.warnings])


@router.post("/trials/{trial_id}/participants/{participant_id}/score")
async def enter_score(request: Request, db: DbSession, user: Enterer, trial_id: int, participant_id: int) -> Response:
    """A questionnaire total collected on paper (NRS, ODI, RMDQ, PCS)."""
    trial = _trial(db, trial_id)
    participant = _participant(db, trial, participant_id)
    data, state = validate(ScoreForm, form_values(await request.form()))
    if data is None:
        return _participant_page(request, db, user, trial, participant, {"score": state}, 400)
    trial_repo.save_outcome(db, participant, week=data.week, outcome=data.outcome, value=data.value,
                            measurements=[data.value], entered_by_id=user.id,
                            visit_id=_entry_visit(db, participant, data.week))
    _audit(db, request, user, "write", "trial_outcome", TRIAL_CONDUCT, f"{participant.code}/{data.outcome}/{data.week}",
           participant.user_id)
    return _back(trial, f"/participants/{participant.id}")


@router.post("/trials/{trial_id}/participants/{participant_id}/withdraw")
async def withdraw(request: Request, db: DbSession, user: Researcher, trial_id: int, participant_id: int) -> Response:
    """Record a withdrawal (intervention, follow-up or both)."""
    trial = _trial(db, trial_id)
    participant = _participant(db, trial, participant_id)
    data, state = validate(WithdrawalForm, form_values(await request.form()))
    if data is not None and data.reason is WithdrawalReason.OTHER and not data.note.strip():
        state.errors["note"] = errors.FIELD_REQUIRED
        data = None
    if data is None or trial_repo.withdrawal_of(db, participant.id) is not None:
        return _participant_page(request, db, user, trial, participant, {"withdraw": state}, 400)
    trial_repo.withdraw(db, participant, on=data.on, reason=data.reason.value,
                        stops_intervention=data.stops in ("both", "intervention"),
                        stops_follow_up=data.stops in ("both", "follow_up"), note=data.note, entered_by_id=user.id)
    _audit(db, request, user, "write", "trial_withdrawal", TRIAL_CONDUCT, participant.code, participant.user_id)
    return _back(trial, f"/participants/{participant.id}")


@router.post("/trials/{trial_id}/participants/{participant_id}/adverse-events")
async def add_adverse_event(request: Request, db: DbSession, user: Researcher, trial_id: int,
                            participant_id: int) -> Response:
    """Record an adverse event."""
    trial = _trial(db, trial_id)
    participant = _participant(db, trial, participant_id)
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
    _audit(db, request, user, "write", "trial_adverse_event", TRIAL_CONDUCT, participant.code, participant.user_id)
    return _back(trial, f"/participants/{participant.id}")


# ------------------------------------------------------------------------------ schedule, log, events
@router.get("/trials/{trial_id}/visits")
def visit_schedule(request: Request, db: DbSession, user: CurrentResearcher, trial_id: int) -> Response:
    """Every visit with its window, status and whether a reminder is due today."""
    trial = _trial(db, trial_id)
    _audit(db, request, user, "read", "trial_visits", TRIAL_CONDUCT, trial.id)
    return render(request, "research/visits.html", {"trial": trial, "rows": service.visit_rows(db, trial, date.today())})


@router.get("/trials/{trial_id}/randomisation")
def reveal_log(request: Request, db: DbSession, user: Researcher, trial_id: int) -> Response:
    """The seal, the reveal log with its hash chain, and the integrity check."""
    trial = _trial(db, trial_id)
    vault = trial_repo.get_vault(db, trial.id)
    _audit(db, request, user, "read", "trial_reveal_log", TRIAL_CONDUCT, trial.id)
    return render(request, "research/randomisation.html", {
        "trial": trial, "vault": vault, "records": trial_repo.reveal_records(db, trial.id),
        "problem": service.integrity_problem(db, trial, vault) if vault else None,
    })


@router.get("/trials/{trial_id}/events")
def events(request: Request, db: DbSession, user: Analyst, trial_id: int) -> Response:
    """Withdrawals and adverse events, with the arm as the role may see it."""
    trial = _trial(db, trial_id)
    vault = trial_repo.get_vault(db, trial.id)
    allocation = trial_repo.allocations(db, trial.id)
    label = lambda p: service.arm_label(allocation.get(p.id), user, vault)  # noqa: E731
    adverse = trial_repo.adverse_events(db, trial.id)
    events = [AdverseEvent(p.code, e.onset, e.description, Severity(e.severity), e.serious,
                           Relatedness(e.relatedness), e.resolved_on) for e, p in adverse]
    arm_of = {p.code: label(p) for p in trial_repo.participants(db, trial.id) if p.id in allocation}
    _audit(db, request, user, "read", "trial_events", TRIAL_CONDUCT, trial.id)
    return render(request, "research/events.html", {
        "trial": trial, "withdrawals": [(w, p, label(p)) for w, p in trial_repo.withdrawals(db, trial.id)],
        "adverse": [(e, p, label(p), ev.needs_expedited_report) for (e, p), ev in zip(adverse, events)],
        "summary": adverse_event_summary(events, arm_of) if arm_of else {},
    })


@router.get("/trials/{trial_id}/consort")
def consort(request: Request, db: DbSession, user: Analyst, trial_id: int) -> Response:
    """CONSORT flow counts and diagram."""
    trial = _trial(db, trial_id)
    vault = trial_repo.get_vault(db, trial.id)
    flow = service.consort(db, trial, user, vault)
    _audit(db, request, user, "read", "trial_consort", TRIAL_ANALYSIS, trial.id)
    return render(request, "research/consort.html", {"trial": trial, "flow": flow})


@router.get("/trials/{trial_id}/consort.svg")
def consort_svg(request: Request, db: DbSession, user: Analyst, trial_id: int) -> Response:
    """The CONSORT diagram as SVG."""
    from backcoach.trial.consort import consort_svg as draw

    trial = _trial(db, trial_id)
    flow = service.consort(db, trial, user, trial_repo.get_vault(db, trial.id))
    return Response(draw(flow), media_type="image/svg+xml")


# ------------------------------------------------------------------------------ analysis and exports
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
    trial = _trial(db, trial_id)
    result, problem = _analysis(db, trial, user, set)
    _audit(db, request, user, "read", "trial_analysis", TRIAL_ANALYSIS, f"{trial.id}/{set}")
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
    trial = _trial(db, trial_id)
    kind = name.removeprefix("tables.")
    figure = re.fullmatch(r"figure([34])\.png", name)
    if kind not in _DOWNLOADS and figure is None:
        raise HTTPException(404, detail=errors.PAGE_NOT_FOUND)
    result, problem = _analysis(db, trial, user, set)
    if result is None:
        raise HTTPException(409, detail=errors.ANALYSIS_NOT_POSSIBLE)
    _audit(db, request, user, "export", "trial_analysis", TRIAL_EXPORT, f"{trial.id}/{set}/{name}")
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
    trial = _trial(db, trial_id)
    vault = trial_repo.get_vault(db, trial.id)
    rows = pd.DataFrame(trial_repo.long_rows(db, trial.id), columns=["subject", "arm", "week", "outcome", "value"])
    body = long_csv(rows, service.blinding_role(user), vault.arm_codes if vault else {}, service.unblinded(vault))
    _audit(db, request, user, "export", "trial_csv", TRIAL_EXPORT, trial.id)
    return Response(body, media_type="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="trial{trial.id}.csv"'})


@router.get("/trials/{trial_id}/export.fhir.json")
def export_fhir(request: Request, db: DbSession, user: Analyst, trial_id: int) -> Response:
    """A FHIR R4(B) Bundle: one Observation per outcome value (no arm) and the export's AuditEvent."""
    trial = _trial(db, trial_id)
    frame = service.long_frame(db, trial, user, trial_repo.get_vault(db, trial.id))
    due = {(p.code, v.week): v.due_on for p in trial_repo.participants(db, trial.id)
           for v in trial_repo.visits_of(db, p.id)}
    now = service.now_utc()
    fallback = now.date()
    resources = observations_from_long(frame, lambda s, w: due.get((s, int(w)), fallback + timedelta(0)),
                                       id_prefix=f"t{trial.id}")
    event = _audit_export_event(db, request, user, trial, now)
    resources.append(audit_event(event))
    bundle = collection(resources, f"trial-{trial.id}-{now.strftime('%Y%m%d%H%M%S')}", now)
    return Response(bundle.model_dump_json(exclude_none=True), media_type="application/fhir+json",
                    headers={"Content-Disposition": f'attachment; filename="trial{trial.id}-fhir.json"'})


def _audit_export_event(db: Session, request: Request, user: User, trial: TrialRecord, now: datetime) -> AccessEvent:
    _audit(db, request, user, "export", "trial_fhir", TRIAL_EXPORT, trial.id)
    return AccessEvent(id=f"export-{trial.id}-{now.strftime('%Y%m%d%H%M%S')}", at=now, actor=str(user.id),
                       role=service.blinding_role(user).value, action="E", entity=f"Group/trial-{trial.id}",
                       description=TRIAL_EXPORT)



