"""The research portal: trial definition, sealing and unblinding, the screening log, visits, the
reveal log, events and CONSORT (participants: ``research_participants``; analysis and exports:
``research_analysis``).

Roles: researchers (the research assistant and trial manager) define, screen, consent, allocate
and export; outcome assessors enter clinic outcomes and never see an arm; statisticians see coded
arms until unblinding. Each route names the roles it admits; arms reach pages only through
``portal.trial.arm_label``.
"""

from __future__ import annotations

import re
from datetime import date

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field, field_validator
from sqlalchemy.orm import Session

from backcoach.app import errors
from backcoach.app.deps import CSRF, CurrentResearcher, DbSession
from backcoach.app.forms import FormState, form_values, validate
from backcoach.app.portal import trial as service
from backcoach.app.portal.research_access import (
    TRIAL_ANALYSIS,
    TRIAL_CONDUCT,
    Analyst,
    Researcher,
    audit,
    back,
    get_trial,
    lang_key,
)
from backcoach.app.templating import render
from backcoach.store.models import Role, TrialRecord, User
from backcoach.store.repo import trial as trial_repo
from backcoach.trial import eligibility
from backcoach.trial.events import AdverseEvent, Relatedness, Severity, adverse_event_summary

router = APIRouter(prefix="/research", dependencies=CSRF)


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
            audit(db, request, user, "write", "trial", TRIAL_CONDUCT, trial.id)
            return back(trial)
    return _home(request, db, user, state, status_code=400)


@router.get("/trials/{trial_id}")
def read_trial(request: Request, db: DbSession, user: CurrentResearcher, trial_id: int) -> Response:
    """The trial: definition, seal and integrity, participants with their arm as the role may see it."""
    trial = get_trial(db, trial_id)
    vault = trial_repo.get_vault(db, trial.id)
    allocation = trial_repo.allocations(db, trial.id)
    people = [(p, service.arm_label(allocation.get(p.id), user, vault), p.id in allocation)
              for p in trial_repo.participants(db, trial.id)]
    problem = service.integrity_problem(db, trial, vault) if vault else None
    audit(db, request, user, "read", "trial_participants", TRIAL_CONDUCT, trial.id)
    return render(request, "research/trial.html", {
        "trial": trial, "vault": vault, "people": people, "problem": problem,
        "can_manage": user.role is Role.RESEARCHER, "sees_arms": service.sees_any_arm(user, vault),
        "randomised": len(allocation),
    })


@router.post("/trials/{trial_id}/seal")
def seal_sequence(request: Request, db: DbSession, user: Researcher, trial_id: int) -> Response:
    """Generate and seal the allocation sequence (once, before the first enrolment)."""
    trial = get_trial(db, trial_id)
    try:
        service.seal(db, trial, user, service.now_utc())
    except service.TrialActionError:
        raise HTTPException(409, detail=errors.TRIAL_ALREADY_SEALED) from None
    audit(db, request, user, "write", "trial_sequence", TRIAL_CONDUCT, trial.sequence_seal)
    return back(trial)


@router.post("/trials/{trial_id}/unblind")
def unblind(request: Request, db: DbSession, user: Researcher, trial_id: int) -> Response:
    """Unblind the statistician (after the analysis plan is locked)."""
    trial = get_trial(db, trial_id)
    try:
        service.unblind(db, trial, user, service.now_utc())
    except service.TrialActionError:
        raise HTTPException(409, detail=errors.TRIAL_NOT_SEALED) from None
    audit(db, request, user, "write", "trial_unblinding", TRIAL_CONDUCT, trial.id)
    return back(trial)


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
    lang = lang_key(request)
    return render(request, "research/screening.html", {
        "trial": trial, "form": form, "questions": _questions(lang), "by_id": {c.id: c for c in _criteria()},
        "people": trial_repo.participants(db, trial.id), "strata": service.definition_of(trial).stratum_names(),
        "lang": lang,
    }, status_code=status_code)


@router.get("/trials/{trial_id}/screening")
def screening_log(request: Request, db: DbSession, user: Researcher, trial_id: int) -> Response:
    """The screening log (everyone screened, with the criteria they failed) and the screening form."""
    trial = get_trial(db, trial_id)
    audit(db, request, user, "read", "trial_screening", TRIAL_CONDUCT, trial.id)
    return _screening_page(request, db, user, trial, FormState())


@router.post("/trials/{trial_id}/screening")
async def add_screening(request: Request, db: DbSession, user: Researcher, trial_id: int) -> Response:
    """Screen one person against the paper's criteria."""
    trial = get_trial(db, trial_id)
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
    audit(db, request, user, "write", "trial_screening", TRIAL_CONDUCT, participant.code)
    return back(trial, f"/participants/{participant.id}")


# ------------------------------------------------------------------------------ schedule, log, events
@router.get("/trials/{trial_id}/visits")
def visit_schedule(request: Request, db: DbSession, user: CurrentResearcher, trial_id: int) -> Response:
    """Every visit with its window, status and whether a reminder is due today."""
    trial = get_trial(db, trial_id)
    audit(db, request, user, "read", "trial_visits", TRIAL_CONDUCT, trial.id)
    return render(request, "research/visits.html", {"trial": trial, "rows": service.visit_rows(db, trial, date.today())})


@router.get("/trials/{trial_id}/randomisation")
def reveal_log(request: Request, db: DbSession, user: Researcher, trial_id: int) -> Response:
    """The seal, the reveal log with its hash chain, and the integrity check."""
    trial = get_trial(db, trial_id)
    vault = trial_repo.get_vault(db, trial.id)
    audit(db, request, user, "read", "trial_reveal_log", TRIAL_CONDUCT, trial.id)
    return render(request, "research/randomisation.html", {
        "trial": trial, "vault": vault, "records": trial_repo.reveal_records(db, trial.id),
        "problem": service.integrity_problem(db, trial, vault) if vault else None,
    })


@router.get("/trials/{trial_id}/events")
def events(request: Request, db: DbSession, user: Analyst, trial_id: int) -> Response:
    """Withdrawals and adverse events, with the arm as the role may see it."""
    trial = get_trial(db, trial_id)
    vault = trial_repo.get_vault(db, trial.id)
    allocation = trial_repo.allocations(db, trial.id)
    label = lambda p: service.arm_label(allocation.get(p.id), user, vault)  # noqa: E731
    adverse = trial_repo.adverse_events(db, trial.id)
    events = [AdverseEvent(p.code, e.onset, e.description, Severity(e.severity), e.serious,
                           Relatedness(e.relatedness), e.resolved_on) for e, p in adverse]
    arm_of = {p.code: label(p) for p in trial_repo.participants(db, trial.id) if p.id in allocation}
    audit(db, request, user, "read", "trial_events", TRIAL_CONDUCT, trial.id)
    return render(request, "research/events.html", {
        "trial": trial, "withdrawals": [(w, p, label(p)) for w, p in trial_repo.withdrawals(db, trial.id)],
        "adverse": [(e, p, label(p), ev.needs_expedited_report) for (e, p), ev in zip(adverse, events)],
        "summary": adverse_event_summary(events, arm_of) if arm_of else {},
    })


@router.get("/trials/{trial_id}/consort")
def consort(request: Request, db: DbSession, user: Analyst, trial_id: int) -> Response:
    """CONSORT flow counts and diagram."""
    trial = get_trial(db, trial_id)
    vault = trial_repo.get_vault(db, trial.id)
    flow = service.consort(db, trial, user, vault)
    audit(db, request, user, "read", "trial_consort", TRIAL_ANALYSIS, trial.id)
    return render(request, "research/consort.html", {"trial": trial, "flow": flow})


@router.get("/trials/{trial_id}/consort.svg")
def consort_svg(request: Request, db: DbSession, user: Analyst, trial_id: int) -> Response:
    """The CONSORT diagram as SVG."""
    from backcoach.trial.consort import consort_svg as draw

    trial = get_trial(db, trial_id)
    flow = service.consort(db, trial, user, trial_repo.get_vault(db, trial.id))
    return Response(draw(flow), media_type="image/svg+xml")
