"""A patient's clinical record as a FHIR Bundle (and their scores as CSV), from plain inputs.

The resources come from :mod:`backcoach.trial.fhir`'s builders (R4B models, see there); this
module only maps the clinical store's shapes to them: the Patient (account id, name, language:
nothing else), one QuestionnaireResponse per stored response with the raw answers, one
Observation per score derived from it, a CarePlan of the active plan and an AuditEvent of the
export itself, all referring to the Patient.

Scores per instrument (the stored ``result`` of :func:`backcoach.clinical.scoring.score`):
NRS gives three observations (current, 7-day mean, 7-day worst; they are never summed), ODI is
exported as its percentage (so it carries LOINC 97909-6), the other instruments as their total.
Invalid scores (``total`` of None, e.g. a TUG with fewer than three trials) give no observation.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.observation import Observation

from backcoach.clinical.instruments import load_instrument
from backcoach.trial.fhir import (
    BASE,
    LOINC_SYSTEM,
    UCUM_SYSTEM,
    UNITS,
    AccessEvent,
    InstrumentResponse,
    PatientIdentity,
    PrescribedExercise,
    Prescription,
    audit_event,
    care_plan,
    collection,
    outcome_code,
    patient,
    questionnaire_response,
    score_observation,
)
from backcoach.trial.outcomes import OUTCOMES

#: Scores of instruments outside the trial's outcome registry: local code, LOINC where checked.
LOCAL_SCORE_SYSTEM = f"{BASE}/CodeSystem/instrument-score"
#: Identifier system of backcoach accounts (the Patient of a clinical record export).
ACCOUNT_SYSTEM = f"{BASE}/user"
# 70274-6 "Generalized anxiety disorder 7 item (GAD-7) total score [Reported.PHQ]" (checked 2026-11).
# No LOINC code was checked for the STarT Back total or a single Borg CR10 rating: local only.
OTHER_LOINC = {"gad7": ("70274-6", "Generalized anxiety disorder 7 item (GAD-7) total score [Reported.PHQ]")}
CSV_COLUMNS = ("response_id", "completed_at", "week", "instrument", "instrument_version", "score",
               "value", "unit", "loinc")
_NRS_SCORES = (("current", "nrs_current"), ("average", "nrs_mean"), ("worst", "nrs_worst"))


@dataclass(frozen=True)
class StoredResponse:
    """One stored questionnaire response: raw answers in item order and the scored result."""

    id: int
    instrument: str
    version: str
    week: int | None
    completed_at: datetime  # aware (FHIR needs a time zone)
    answers: Sequence[Any]  # numbers, None (unanswered) or "na"
    result: dict[str, Any]


@dataclass(frozen=True)
class ScoreValue:
    """One score of a response, as exported (an Observation, a CSV row)."""

    response: StoredResponse
    score: str  # trial outcome id (e.g. "nrs_current") or the instrument id
    value: float
    unit: str  # a key of trial.fhir.UNITS


@dataclass(frozen=True)
class PlannedItem:
    """One exercise of one planned session."""

    scheduled_on: date
    exercise_id: str
    sets: int
    reps: int | None
    hold_seconds: int | None


def score_values(responses: Sequence[StoredResponse]) -> list[ScoreValue]:
    """Every exportable score of the responses, in response order."""
    out = []
    for response in responses:
        result = response.result
        if response.instrument == "nrs":
            subscales = result.get("subscales") or {}
            out += [ScoreValue(response, outcome, float(subscales[key]), "points")
                    for key, outcome in _NRS_SCORES if subscales.get(key) is not None]
        elif response.instrument == "odi":
            if result.get("percent") is not None:
                out.append(ScoreValue(response, "odi", float(result["percent"]), "%"))
        elif result.get("total") is not None:
            unit = OUTCOMES[response.instrument].unit if response.instrument in OUTCOMES else "points"
            out.append(ScoreValue(response, response.instrument, float(result["total"]), unit))
    return out


def _response_ref(response: StoredResponse) -> str:
    return f"QuestionnaireResponse/qr-{response.id}"


def _observation_id(value: ScoreValue) -> str:
    return f"obs-{value.response.id}-{value.score}".replace("_", "-")


def _code(value: ScoreValue) -> dict:
    if value.score in OUTCOMES:
        return outcome_code(value.score, value.unit)
    codings = []
    if value.score in OTHER_LOINC:
        code, display = OTHER_LOINC[value.score]
        codings.append({"system": LOINC_SYSTEM, "code": code, "display": display})
    title = load_instrument(value.score).title["en"]
    codings.append({"system": LOCAL_SCORE_SYSTEM, "code": value.score, "display": title})
    return {"coding": codings, "text": title}


def observation(subject: str, value: ScoreValue) -> Observation:
    """Observation of one score, derived from its QuestionnaireResponse."""
    effective = value.response.completed_at
    if value.score in OUTCOMES:
        return score_observation(_observation_id(value), subject, value.score, value.value, effective,
                                 derived_from=_response_ref(value.response), unit=value.unit)
    ucum, display = UNITS[value.unit]
    return Observation.model_validate({
        "resourceType": "Observation",
        "id": _observation_id(value),
        "status": "final",
        "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category",
                                  "code": "survey"}]}],
        "code": _code(value),
        "subject": {"reference": subject},
        "effectiveDateTime": effective.isoformat(),
        "valueQuantity": {"value": value.value, "unit": display, "system": UCUM_SYSTEM, "code": ucum},
        "derivedFrom": [{"reference": _response_ref(value.response)}],
    })


def instrument_response(subject: str, response: StoredResponse) -> InstrumentResponse:
    """The trial builder's input: answers keyed by the instrument's item ids."""
    items = load_instrument(response.instrument).items
    if len(items) != len(response.answers):
        raise ValueError(f"response {response.id} ({response.instrument}): {len(response.answers)} answers "
                         f"stored but the instrument has {len(items)} items")
    return InstrumentResponse(f"qr-{response.id}", subject, response.instrument, response.version,
                              response.completed_at, list(zip((i.id for i in items), response.answers)))


def prescription(plan_id: int, subject: str, starts_on: date, weeks: int, items: Sequence[PlannedItem],
                 today: date, name_of: Callable[[str], str]) -> Prescription:
    """The plan as a Prescription: each exercise once, at its dose in the latest session up to ``today``.

    Sessions per week is the most sessions any week of the plan has (the paper's plans: 3).
    """
    ordered = sorted(items, key=lambda i: i.scheduled_on)
    dose: dict[str, PlannedItem] = {}
    for item in ordered:
        if item.exercise_id not in dose or item.scheduled_on <= today:
            dose[item.exercise_id] = item
    per_week: dict[int, set[date]] = {}
    for item in ordered:
        per_week.setdefault((item.scheduled_on - starts_on).days // 7, set()).add(item.scheduled_on)
    return Prescription(
        id=f"plan-{plan_id}", subject=subject, start=starts_on, end=starts_on + timedelta(weeks=weeks, days=-1),
        sessions_per_week=max((len(days) for days in per_week.values()), default=0),
        exercises=[PrescribedExercise(i.exercise_id, name_of(i.exercise_id), i.sets, i.reps, i.hold_seconds)
                   for i in dose.values()],
    )


def account_identity(user_id: int, name: str | None, locale: str | None) -> PatientIdentity:
    """The Patient of a clinical record: the account id, the name the patient uses, their language."""
    return PatientIdentity(str(user_id), ACCOUNT_SYSTEM, str(user_id), name or None,
                           locale.replace("_", "-") if locale else None)


def patient_bundle(identity: PatientIdentity, responses: Sequence[StoredResponse], plan: Prescription | None,
                   access: AccessEvent, timestamp: datetime, bundle_id: str) -> Bundle:
    """A collection Bundle: the Patient, responses, their score Observations, the plan and this access.

    Every other resource refers to the Patient (``subject``, or the AuditEvent's ``entity``); a plan
    given for another subject is refused.
    """
    subject = f"Patient/{identity.id}"
    if plan is not None and plan.subject != subject:
        raise ValueError(f"plan {plan.id!r} is for {plan.subject}, not {subject}")
    if access.entity != subject:
        raise ValueError(f"access {access.id!r} names {access.entity}, not {subject}")
    resources: list[Any] = [patient(identity)]
    resources += [questionnaire_response(instrument_response(subject, r)) for r in responses]
    resources += [observation(subject, value) for value in score_values(responses)]
    if plan is not None:
        resources.append(care_plan(plan))
    resources.append(audit_event(access))
    return collection(resources, bundle_id, timestamp)


def scores_csv(responses: Sequence[StoredResponse]) -> str:
    """The same scores as the Observations, one row each (LOINC code where the Observation has one)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for value in score_values(responses):
        response = value.response
        loinc = next((c["code"] for c in _code(value)["coding"] if c["system"] == LOINC_SYSTEM), "")
        writer.writerow([response.id, response.completed_at.isoformat(),
                         "" if response.week is None else response.week, response.instrument, response.version,
                         value.score, f"{value.value:.10g}", UNITS[value.unit][0], loinc])
    return out.getvalue()
