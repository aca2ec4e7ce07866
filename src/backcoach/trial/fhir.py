"""FHIR exports of trial data, built and validated with the ``fhir.resources`` models.

Version: the issue asks for FHIR R4 (4.0.1). ``fhir.resources`` 8.x ships R5 (default), R4B
(4.3.0) and STU3 only, so resources are built with the R4B models. QuestionnaireResponse,
Observation, CarePlan (with ``activity.detail``, which R5 removed) and AuditEvent have the same
structure in R4 and R4B, so the JSON produced here is also valid R4 for these resources.

Codes: LOINC where a code exists and was checked against loinc.org (see ``LOINC`` below),
otherwise a local code system (``LOCAL_OUTCOME_SYSTEM``). Every score Observation carries the
local code, plus LOINC where there is one.

Audit agents: every backcoach role is coded with a published terminology (``ROLE_CODINGS``, the
table in docs/trial.md); trial functions also keep the local ``trial-role`` code.

Inputs are plain dataclasses, so the store layer (built elsewhere) only maps its rows to them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from fhir.resources.R4B.auditevent import AuditEvent
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.careplan import CarePlan
from fhir.resources.R4B.group import Group
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from backcoach.trial.outcomes import OUTCOMES, outcome_label

FHIR_VERSION = "4.3.0"  # R4B, see module docstring
BASE = "https://backcoach.invalid/fhir"  # replace with the deployment's canonical base URL
LOCAL_OUTCOME_SYSTEM = f"{BASE}/CodeSystem/trial-outcome"
LOCAL_EXERCISE_SYSTEM = f"{BASE}/CodeSystem/exercise"
LOINC_SYSTEM = "http://loinc.org"
UCUM_SYSTEM = "http://unitsofmeasure.org"

# LOINC codes checked on loinc.org (search of stored pages, 2026-11):
#   72514-3 Pain severity - 0-10 verbal numeric rating [Score] - Reported (no recall period, so
#           used for current pain only; worst and mean pain over the past week stay local)
#   97909-6 Oswestry disability index score ODI
#   89423-8 Time to rise from chair, walk 10 feet and back, and return to sitting [TUG]
# No LOINC code was found for the RMDQ or PCS totals or for ultrasound muscle thickness: local only.
# The third field is the unit the LOINC term implies: 97909-6 is a percent, so an ODI given in raw
# points (0-50; the paper's unit is not stated, brief §2.2) is exported with the local code only.
LOINC = {
    "nrs_current": ("72514-3", "Pain severity - 0-10 verbal numeric rating [Score] - Reported", "points"),
    "odi": ("97909-6", "Oswestry disability index score ODI", "%"),
    "tug": ("89423-8", "Time to rise from chair, walk 10 feet and back, and return to sitting [TUG]", "s"),
}
NOT_APPLICABLE = "na"  # the stored answer of an item marked not applicable (ODI sex life)
_NOT_APPLICABLE_CODING = {"system": "http://terminology.hl7.org/CodeSystem/data-absent-reason",
                          "code": "not-applicable", "display": "Not Applicable"}
UNITS = {"points": ("{score}", "score"), "%": ("%", "%"), "s": ("s", "s"), "mm": ("mm", "mm")}

# ---- audit agents ------------------------------------------------------------------------------
# AuditEvent.agent.role (example binding: security role types) gets a code from a published
# terminology for every role, checked on terminology.hl7.org (2026-11); SNOMED CT 36682004
# "Physiotherapist (occupation)" as used by published FHIR implementation guides. Trial functions
# share HL7 practitioner-role "researcher" and keep the local trial-role code, which decides what
# the person may see under blinding.
TRIAL_ROLE_SYSTEM = f"{BASE}/CodeSystem/trial-role"
V3_ROLE_CLASS = "http://terminology.hl7.org/CodeSystem/v3-RoleClass"
V3_PARTICIPATION = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
PRACTITIONER_ROLE = "http://terminology.hl7.org/CodeSystem/practitioner-role"
SNOMED = "http://snomed.info/sct"
_PATIENT = {"system": V3_ROLE_CLASS, "code": "PAT", "display": "patient"}
_RESEARCHER = {"system": PRACTITIONER_ROLE, "code": "researcher", "display": "Researcher"}
_TRIAL_FUNCTIONS = {"research_assistant": "Research assistant", "trial_manager": "Trial manager",
                    "statistician": "Statistician", "outcome_assessor": "Outcome assessor"}
#: App account roles that act as a trial function (as ``app.portal.trial.BLINDING_ROLE`` maps them).
_APP_TRIAL_FUNCTION = {"researcher": "research_assistant", "assessor": "outcome_assessor"}


def _trial_function(code: str) -> list[dict]:
    return [_RESEARCHER, {"system": TRIAL_ROLE_SYSTEM, "code": code, "display": _TRIAL_FUNCTIONS[code]}]


#: Every role an AuditEvent may name: app account roles and the trial library's blinding roles.
ROLE_CODINGS: dict[str, list[dict]] = {
    "patient": [_PATIENT],
    "participant": [_PATIENT],
    "therapist": [{"system": SNOMED, "code": "36682004", "display": "Physiotherapist"}],
    "admin": [{"system": PRACTITIONER_ROLE, "code": "ict", "display": "ICT professional"}],
    **{role: _trial_function(role) for role in _TRIAL_FUNCTIONS},
    **{role: _trial_function(function) for role, function in _APP_TRIAL_FUNCTION.items()},
}
# AuditEvent.agent.type after IHE Basic Audit Log Patterns (user agent types): the patient
# themself, else an information recipient (reads, exports) or an agent (creates, updates, deletes).
_AGENT_TYPE_RECIPIENT = {"system": V3_PARTICIPATION, "code": "IRCP", "display": "information recipient"}
_AGENT_TYPE_AUTHOR = {"system": V3_ROLE_CLASS, "code": "AGNT", "display": "agent"}


@dataclass(frozen=True)
class InstrumentResponse:
    """A completed questionnaire: item link ids and the answers given (numbers)."""

    id: str
    subject: str
    instrument: str  # e.g. "odi"; the Questionnaire is {BASE}/Questionnaire/{instrument}
    version: str
    authored: datetime
    # (item link id, answer); None is unanswered (item left out), NOT_APPLICABLE marks "not applicable"
    answers: Sequence[tuple[str, float | int | str | None]]


@dataclass(frozen=True)
class PrescribedExercise:
    exercise_id: str
    name: str
    sets: int
    reps: int | None = None
    hold_seconds: int | None = None


@dataclass(frozen=True)
class Prescription:
    """A multimodal exercise plan (the paper's: 3 sessions a week for 4 weeks)."""

    id: str
    subject: str
    start: date
    end: date
    sessions_per_week: int
    exercises: Sequence[PrescribedExercise]
    title: str = "Home exercise programme"


@dataclass(frozen=True)
class AccessEvent:
    """One access to trial data, for the audit trail."""

    id: str
    at: datetime
    actor: str  # user id
    role: str  # a key of ROLE_CODINGS: an app role ("therapist") or a trial role ("statistician")
    action: str  # C, R, U, D or E (FHIR audit-event-action)
    entity: str  # a FHIR reference such as "Patient/P01" or "Group/trial-1"
    succeeded: bool = True
    description: str = ""
    source: str = "backcoach"
    actor_reference: str | None = None  # e.g. "Patient/12" when patients read their own record


@dataclass(frozen=True)
class PatientIdentity:
    """The minimum a Patient resource carries: a local identifier, and for a clinical record
    (never a research export) the name the patient uses and their language."""

    id: str  # the FHIR id (see fhir_id)
    system: str  # identifier system, e.g. f"{BASE}/user" or a trial's participant-code system
    value: str
    name: str | None = None
    language: str | None = None  # BCP 47 tag, e.g. "en", "zh-Hans"


def fhir_id(value: str) -> str:
    """A FHIR id for a local key: ``_`` (allowed in participant codes, not in ids) becomes ``.``."""
    out = str(value).replace("_", ".")
    if not re.fullmatch(r"[A-Za-z0-9\-.]{1,64}", out):
        raise ValueError(f"{value!r} cannot be a FHIR id (letters, digits, '-', '.', '_'; at most 64)")
    return out


def participant_system(trial_id: str | int) -> str:
    """Identifier system of a trial's pseudonymous participant codes."""
    return f"{BASE}/trial/{trial_id}/participant"


def _aware(moment: datetime | date, where: str) -> None:
    """FHIR instants and dateTimes with a time need a time zone."""
    if isinstance(moment, datetime) and moment.tzinfo is None:
        raise ValueError(f"{where}: time {moment.isoformat()} has no time zone; pass an aware datetime")


def _subject(subject: str) -> dict:
    return {"reference": subject if "/" in subject else f"Patient/{fhir_id(subject)}"}


def patient(identity: PatientIdentity) -> Patient:
    """Patient resource holding only ``identity`` (no address, birth date, contact or email)."""
    resource: dict = {"resourceType": "Patient", "id": identity.id,
                      "identifier": [{"system": identity.system, "value": identity.value}]}
    if identity.name:
        resource["name"] = [{"text": identity.name}]
    if identity.language:
        resource["communication"] = [{"language": {"coding": [{"system": "urn:ietf:bcp:47",
                                                                "code": identity.language}]}, "preferred": True}]
    return Patient.model_validate(resource)


def pseudonymous_patients(codes: Iterable[str], trial_id: str | int) -> list[Patient]:
    """One Patient per participant code: the code as identifier, nothing else (research exports)."""
    return [patient(PatientIdentity(fhir_id(code), participant_system(trial_id), str(code)))
            for code in dict.fromkeys(str(c) for c in codes)]


def cohort(group_id: str, members: Sequence[Patient]) -> Group:
    """A Group of the exported patients (the trial an export's AuditEvent refers to); no name, so
    nothing but the pseudonymous codes leaves with a research export."""
    return Group.model_validate({
        "resourceType": "Group", "id": group_id, "type": "person", "actual": True,
        "quantity": len(members), "member": [{"entity": {"reference": f"Patient/{m.id}"}} for m in members],
    })


def questionnaire_response(response: InstrumentResponse) -> QuestionnaireResponse:
    """QuestionnaireResponse of one instrument (answers only, no licensed item wording)."""
    _aware(response.authored, f"response {response.id!r}")
    items = []
    for link_id, value in response.answers:
        if value is None:  # unanswered: FHIR leaves the item out rather than giving an empty answer
            continue
        if value == NOT_APPLICABLE:
            items.append({"linkId": link_id, "answer": [{"valueCoding": _NOT_APPLICABLE_CODING}]})
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"response {response.id!r}, item {link_id!r}: answer {value!r} is not a number")
        answer = {"valueInteger": value} if float(value).is_integer() else {"valueDecimal": value}
        items.append({"linkId": link_id, "answer": [answer]})
    return QuestionnaireResponse.model_validate({
        "resourceType": "QuestionnaireResponse",
        "id": response.id,
        "questionnaire": f"{BASE}/Questionnaire/{response.instrument}|{response.version}",
        "status": "completed",
        "subject": _subject(response.subject),
        "authored": response.authored.isoformat(),
        "item": items,
    })


def outcome_code(outcome: str, unit: str | None = None) -> dict:
    """CodeableConcept of an outcome: the local code, plus LOINC where one exists for that unit."""
    if unit is None and outcome in OUTCOMES:
        unit = OUTCOMES[outcome].unit
    codings = []
    if outcome in LOINC and LOINC[outcome][2] == unit:
        code, display, _ = LOINC[outcome]
        codings.append({"system": LOINC_SYSTEM, "code": code, "display": display})
    codings.append({"system": LOCAL_OUTCOME_SYSTEM, "code": outcome, "display": outcome_label(outcome)})
    return {"coding": codings, "text": outcome_label(outcome)}


def score_observation(obs_id: str, subject: str, outcome: str, value: float, effective: datetime | date,
                      derived_from: str | None = None, unit: str | None = None) -> Observation:
    """Observation of one score or measurement (e.g. an ODI total, a mean of three TUG trials).

    ``unit`` overrides the registry unit (``points``, ``%``, ``s``, ``mm``); e.g. ``"%"`` for an
    ODI expressed as a percentage, which then also gets its LOINC code.
    """
    if outcome not in OUTCOMES:
        raise ValueError(f"observation {obs_id!r}: unknown outcome {outcome!r}; known: {sorted(OUTCOMES)}")
    unit = unit or OUTCOMES[outcome].unit
    if unit not in UNITS:
        raise ValueError(f"observation {obs_id!r}: unit {unit!r}; expected one of {sorted(UNITS)}")
    _aware(effective, obs_id)
    ucum, display = UNITS[unit]
    resource = {
        "resourceType": "Observation",
        "id": obs_id,
        "status": "final",
        "category": [{"coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/observation-category",
            "code": "survey" if OUTCOMES[outcome].unit == "points" else "exam",
        }]}],
        "code": outcome_code(outcome, unit),
        "subject": _subject(subject),
        "effectiveDateTime": effective.isoformat(),
        "valueQuantity": {"value": float(value), "unit": display, "system": UCUM_SYSTEM, "code": ucum},
    }
    if derived_from:
        resource["derivedFrom"] = [{"reference": derived_from}]
    return Observation.model_validate(resource)


def care_plan(plan: Prescription) -> CarePlan:
    """CarePlan of an exercise prescription: one activity per exercise with its dosage."""
    if plan.end < plan.start:
        raise ValueError(f"prescription {plan.id!r}: ends {plan.end} before it starts {plan.start}")
    activities = []
    for exercise in plan.exercises:
        dose = [f"{exercise.sets} sets"]
        if exercise.reps:
            dose.append(f"{exercise.reps} reps")
        if exercise.hold_seconds:
            dose.append(f"hold {exercise.hold_seconds} s")
        activities.append({"detail": {
            "kind": "ServiceRequest",
            "code": {"coding": [{"system": LOCAL_EXERCISE_SYSTEM, "code": exercise.exercise_id,
                                 "display": exercise.name}], "text": exercise.name},
            "status": "scheduled",
            "scheduledTiming": {"repeat": {"frequency": plan.sessions_per_week, "period": 1, "periodUnit": "wk",
                                           "boundsPeriod": {"start": plan.start.isoformat(), "end": plan.end.isoformat()}}},
            "description": ", ".join(dose),
        }})
    return CarePlan.model_validate({
        "resourceType": "CarePlan",
        "id": plan.id,
        "status": "active",
        "intent": "plan",
        "title": plan.title,
        "subject": _subject(plan.subject),
        "period": {"start": plan.start.isoformat(), "end": plan.end.isoformat()},
        "activity": activities,
    })


def agent_type(role: str, action: str) -> dict:
    """Coding of ``AuditEvent.agent.type`` for a role doing an action (C, R, U, D, E)."""
    if ROLE_CODINGS.get(role) == [_PATIENT]:
        return _PATIENT
    return _AGENT_TYPE_RECIPIENT if action in ("R", "E") else _AGENT_TYPE_AUTHOR


def audit_event(event: AccessEvent) -> AuditEvent:
    """AuditEvent of one access (who, in which role, did what to which record, when)."""
    _aware(event.at, f"access {event.id!r}")
    if event.action not in ("C", "R", "U", "D", "E"):
        raise ValueError(f"access {event.id!r}: action {event.action!r} must be one of C, R, U, D, E")
    if event.role not in ROLE_CODINGS:
        raise ValueError(f"access {event.id!r}: role {event.role!r} has no FHIR coding; "
                         f"known roles: {sorted(ROLE_CODINGS)}")
    return AuditEvent.model_validate({
        "resourceType": "AuditEvent",
        "id": event.id,
        "type": {"system": "http://terminology.hl7.org/CodeSystem/audit-event-type", "code": "rest",
                 "display": "RESTful Operation"},
        "action": event.action,
        "recorded": event.at.isoformat(),
        "outcome": "0" if event.succeeded else "4",
        "outcomeDesc": event.description or None,
        "agent": [{
            "type": {"coding": [agent_type(event.role, event.action)]},
            "who": {"identifier": {"system": f"{BASE}/user", "value": event.actor},
                    **({"reference": event.actor_reference} if event.actor_reference else {})},
            "role": [{"coding": [coding], "text": coding["display"]} for coding in ROLE_CODINGS[event.role]],
            "requestor": True,
        }],
        "source": {"observer": {"display": event.source}},
        "entity": [{"what": {"reference": event.entity}}],
    })


def collection(resources: Iterable, bundle_id: str, timestamp: datetime) -> Bundle:
    """A ``collection`` Bundle of resources (e.g. a participant's export)."""
    _aware(timestamp, f"bundle {bundle_id!r}")
    entries = [{"fullUrl": f"{BASE}/{r.get_resource_type()}/{r.id}", "resource": r} for r in resources]
    return Bundle.model_validate({"resourceType": "Bundle", "id": bundle_id, "type": "collection",
                                  "timestamp": timestamp.isoformat(), "entry": entries})


def observations_from_long(long, effective_of_week, id_prefix: str = "obs") -> list[Observation]:
    """Observations for every non-missing value of a validated long table.

    ``effective_of_week(subject, week)`` gives the date of that visit (the caller knows the
    schedule); the arm column is not exported (the FHIR export is not an unblinding route).
    """
    out = []
    for row in long.dropna(subset=["value"]).itertuples(index=False):
        obs_id = f"{id_prefix}-{row.subject}-{row.outcome}-w{row.week}".replace("_", "-")
        out.append(score_observation(obs_id, str(row.subject), row.outcome, row.value,
                                     effective_of_week(row.subject, row.week)))
    return out


