"""The trial on the web: the store's rows in, ``backcoach.trial``'s decisions out.

Every arm a page shows goes through :func:`arm_label` (the library's blinding rules); no route
reads ``TrialAllocation.arm`` itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone

import pandas as pd
from sqlalchemy import inspect
from sqlalchemy.orm import Session

from backcoach.store.models import Role, TrialParticipant, TrialRecord, TrialVault, TrialVisit, User
from backcoach.store.repo import reminders as reminder_repo
from backcoach.store.repo import trial as trial_repo
from backcoach.trial import blinding, consent, eligibility, visits
from backcoach.trial.analysis import AnalysisSet, TrialAnalysis, analyze
from backcoach.trial.consort import ConsortFlow, consort_counts
from backcoach.trial.events import Withdrawal, WithdrawalReason
from backcoach.trial.export import long_for_role
from backcoach.trial.randomisation import (
    TamperError,
    TrialDefinition,
    generate_sequence,
    public_view,
    record_from_dict,
    reveal_next,
    sequence_from_dict,
    sequence_to_dict,
    verify_reveals,
    verify_sequence,
)
from backcoach.trial.reminders import reminder_to_send

#: Portal account role -> the trial library's blinding role. Researchers allocate and manage the
#: trial (research assistant); assessors and statisticians are the paper's blinded roles [V].
BLINDING_ROLE = {
    Role.RESEARCHER: blinding.Role.RESEARCH_ASSISTANT,
    Role.STATISTICIAN: blinding.Role.STATISTICIAN,
    Role.ASSESSOR: blinding.Role.OUTCOME_ASSESSOR,
}


class TrialActionError(ValueError):
    """A trial action the library refused; the message is the library's reason."""


def definition_of(trial: TrialRecord) -> TrialDefinition:
    d = trial.definition["definition"]
    return TrialDefinition(d["trial_id"], tuple(d["arms"]), tuple(d["ratio"]), tuple(d["block_multiples"]),
                           {k: tuple(v) for k, v in d.get("strata", {}).items()})


def new_definition(name: str, arms: list[str], ratio: list[int], strata: dict[str, list[str]],
                   reference: str, consent_version: str, per_stratum: int) -> dict:
    """The stored trial definition (the library validates arms, ratio and strata)."""
    definition = TrialDefinition(name, tuple(arms), tuple(ratio), strata={k: tuple(v) for k, v in strata.items()})
    if reference not in definition.arms:
        raise TrialActionError(f"reference arm {reference!r} is not one of the arms {list(definition.arms)}")
    return {"definition": definition.to_dict(), "reference": reference, "consent_form_version": consent_version,
            "per_stratum": per_stratum}


def blinding_role(user: User) -> blinding.Role:
    return BLINDING_ROLE[user.role]


def unblinded(vault: TrialVault | None) -> bool:
    return vault is not None and vault.unblinded_at is not None


def arm_label(arm: str | None, user: User, vault: TrialVault | None) -> str | None:
    """The arm as this user may see it: the real name, its code, or None (blind)."""
    if arm is None or vault is None:
        return None
    return blinding.show_arm(arm, blinding_role(user), vault.arm_codes, unblinded(vault))


def sees_real_arms(user: User, vault: TrialVault | None) -> bool:
    return blinding.arm_visibility(blinding_role(user), unblinded(vault)) is blinding.Visibility.REAL


def sees_any_arm(user: User, vault: TrialVault | None) -> bool:
    return blinding.arm_visibility(blinding_role(user), unblinded(vault)) is not blinding.Visibility.HIDDEN


# --------------------------------------------------------------------------------- screening
def screening_result(participant: TrialParticipant) -> eligibility.ScreeningResult:
    s = participant.screening
    return eligibility.ScreeningResult(participant.code, eligibility.Verdict(s["verdict"]), tuple(s["failed"]),
                                       tuple(s["missing"]))


def screen(db: Session, trial: TrialRecord, code: str, answers: dict, stratum: str | None) -> TrialParticipant:
    result = eligibility.screen(code, answers)
    return trial_repo.add_screening(
        db, trial, code=code, eligible=result.verdict is eligibility.Verdict.ELIGIBLE,
        screening={**result.to_dict(), "answers": answers}, stratum=stratum)


# --------------------------------------------------------------------------------- sequence
def seal(db: Session, trial: TrialRecord, actor: User, now: datetime) -> TrialVault:
    """Generate and seal the sequence before the first enrolment (refused once sealed)."""
    if trial_repo.get_vault(db, trial.id) is not None:
        raise TrialActionError(f"trial {trial.name!r} is already sealed; a sealed sequence is never replaced")
    definition = definition_of(trial)
    sealed = generate_sequence(definition, int(trial.definition["per_stratum"]), now.isoformat())
    return trial_repo.save_vault(db, trial, sequence=sequence_to_dict(sealed), public=public_view(sealed),
                                 arm_codes=blinding.make_arm_codes(definition.arms), sealed_by_id=actor.id)


def integrity_problem(db: Session, trial: TrialRecord, vault: TrialVault) -> str | None:
    """None when the vault and the reveal log match the published seal and the chain head."""
    try:
        verify_sequence(sequence_from_dict(vault.sequence), trial.sequence_seal or "")
        log = [record_from_dict(r) for r in trial_repo.reveal_records(db, trial.id)]
        verify_reveals(vault.public, log, head=vault.head)
    except (TamperError, TypeError, KeyError) as error:
        return str(error) if isinstance(error, TamperError) else f"stored records are malformed: {error!r}"
    arms = trial_repo.arms_by_sequence_index(db, trial.id)
    for record in trial_repo.reveal_records(db, trial.id):
        if arms.get(record["index"]) != record["arm"]:
            return (f"allocation of participant {record['participant']!r} differs from its reveal record "
                    "(the allocation table was changed)")
    return None


def randomise(db: Session, trial: TrialRecord, participant: TrialParticipant, actor: User,
              now: datetime) -> str:
    """Reveal the next slot for one eligible, consented participant; returns the record's hash.

    Refuses when the stored sequence or log fails verification: nothing is revealed from a
    tampered vault.
    """
    vault = trial_repo.get_vault(db, trial.id)
    if vault is None:
        raise TrialActionError("the allocation sequence is not sealed yet")
    problem = integrity_problem(db, trial, vault)
    if problem is not None:
        raise TrialActionError(f"randomisation stopped: {problem}")
    record = trial_repo.consent_of(db, participant.id)
    consent_record = None if record is None else consent.ConsentRecord(
        participant.code, record.form_version, record.signed_at, str(record.taken_by_id), record.withdrawn_at)
    try:
        consent.ready_for_randomisation(screening_result(participant), consent_record, now,
                                        trial.definition["consent_form_version"])
    except consent.ConsentError as error:
        raise TrialActionError(str(error)) from None
    log = [record_from_dict(r) for r in trial_repo.reveal_records(db, trial.id)]
    factors = _factors(participant.stratum)
    try:
        revealed = reveal_next(sequence_from_dict(vault.sequence), log, participant.code, str(actor.id),
                               now.isoformat(), factors)
    except ValueError as error:
        raise TrialActionError(str(error)) from None
    trial_repo.save_reveal(db, vault, participant, revealed.to_dict(), actor.id)
    schedule = visits.schedule_visits(now.date())
    trial_repo.create_visits(db, participant, [
        {"name": v.visit.id, "week": v.visit.week, "due_on": v.due, "window_opens_on": v.opens,
         "window_closes_on": v.closes} for v in schedule])
    return revealed.hash


def link_account(db: Session, trial: TrialRecord, participant: TrialParticipant, patient: User) -> None:
    """Link a participant to their patient account (visit reminders reach them in the app and by email)."""
    if patient.role is not Role.PATIENT:
        raise TrialActionError(f"account {patient.id} is a {patient.role.value} account, not a patient's")
    other = next((p for p in trial_repo.participants(db, trial.id)
                  if p.user_id == patient.id and p.id != participant.id), None)
    if other is not None:
        raise TrialActionError(f"account {patient.id} is already linked to participant {other.code!r}")
    participant.user_id = patient.id
    db.flush()


def _factors(stratum: str | None) -> dict[str, str] | None:
    if not stratum or stratum == "all":
        return None
    return dict(part.split("=", 1) for part in stratum.split(";"))


def unblind(db: Session, trial: TrialRecord, actor: User, now: datetime) -> None:
    vault = trial_repo.get_vault(db, trial.id)
    if vault is None:
        raise TrialActionError("the allocation sequence is not sealed yet")
    if vault.unblinded_at is None:
        vault.unblinded_at, vault.unblinded_by_id = now, actor.id
        db.flush()


# --------------------------------------------------------------------------------- visits
@dataclass(frozen=True)
class VisitRow:
    participant: TrialParticipant
    name: str
    week: int
    due_on: date
    opens: date
    closes: date
    status: visits.VisitStatus
    reminder_due: bool  # a reminder should go out now and has not been sent
    reminder_sent: datetime | None  # when the latest reminder of this visit was delivered
    linked: bool  # the participant has a patient account reminders can reach


def scheduled_visit(visit: TrialVisit) -> visits.ScheduledVisit:
    """A stored visit as the trial library's scheduled visit."""
    definition = next(d for d in visits.SCHEDULE if d.id == visit.name)
    return visits.ScheduledVisit(definition, visit.due_on, visit.window_opens_on, visit.window_closes_on)


def visit_rows(db: Session, trial: TrialRecord, today: date) -> list[VisitRow]:
    """Every visit with its status and reminder state (none for participants no longer followed up)."""
    by_id = {p.id: p for p in trial_repo.participants(db, trial.id)}
    stopped = {p.id for w, p in trial_repo.withdrawals(db, trial.id) if w.stops_follow_up}
    stored = trial_repo.visits_of_trial(db, trial.id)
    sent = reminder_repo.reminders_of_visits(db, [v.id for v in stored])
    rows = []
    for v in stored:
        scheduled = scheduled_visit(v)
        done = v.done_at.date() if v.done_at else None
        reminder = None if v.participant_id in stopped else reminder_to_send(scheduled, today, done)
        delivered = [r for r in sent.get(v.id, []) if r.sent_at is not None]
        due = reminder is not None and not any(r.remind_on == reminder.remind_on for r in delivered)
        rows.append(VisitRow(by_id[v.participant_id], v.name, v.week, v.due_on, v.window_opens_on,
                             v.window_closes_on, visits.visit_status(scheduled, today, done), due,
                             max((r.sent_at for r in delivered), default=None),
                             by_id[v.participant_id].user_id is not None))
    return rows


# --------------------------------------------------------------------------------- data
def long_frame(db: Session, trial: TrialRecord, user: User, vault: TrialVault | None) -> pd.DataFrame:
    """The trial's long table with the arm as ``user`` may see it (a blind role gets no arm column)."""
    frame = pd.DataFrame(trial_repo.long_rows(db, trial.id), columns=["subject", "arm", "week", "outcome", "value"])
    return long_for_role(frame, blinding_role(user), vault.arm_codes if vault else {}, unblinded(vault))


def reference_label(trial: TrialRecord, user: User, vault: TrialVault | None) -> str | None:
    return arm_label(trial.definition["reference"], user, vault)


def covariates(db: Session, trial: TrialRecord) -> pd.DataFrame | None:
    """Age at screening of every allocated participant, for Table 1 (None when none was recorded)."""
    allocated = trial_repo.allocations(db, trial.id)
    rows = [{"subject": p.code, "age": p.screening["answers"]["age"]} for p in trial_repo.participants(db, trial.id)
            if p.id in allocated and isinstance(p.screening.get("answers", {}).get("age"), (int, float))]
    return pd.DataFrame(rows) if rows else None


def completed_codes(db: Session, trial: TrialRecord) -> set[str]:
    """The per-protocol set: allocated, not withdrawn, with follow-up data stored."""
    stopped = {p.code for w, p in trial_repo.withdrawals(db, trial.id) if w.stops_follow_up or w.stops_intervention}
    followed = {row["subject"] for row in trial_repo.long_rows(db, trial.id) if row["week"] > 0}
    return followed - stopped


@dataclass(frozen=True)
class StoredTrial:
    """What the analysis needs from the database, with real arms (for ``backcoach trial analyze``)."""

    name: str
    long: pd.DataFrame
    reference: str
    completed: set[str] | None
    covariates: pd.DataFrame | None


def stored_trial(db: Session, trial_id: int | None) -> StoredTrial:
    """The long table, reference arm and completers of one stored trial (the only one by default)."""
    bind = db.get_bind()
    if not inspect(bind).has_table(TrialRecord.__tablename__):
        raise TrialActionError(f"{bind.url.render_as_string(hide_password=True)} has no backcoach tables; "
                               "start the app once (backcoach serve or backcoach demo) to create them")
    trials = trial_repo.list_trials(db)
    if trial_id is None and len(trials) != 1:
        raise TrialActionError(f"the database holds {len(trials)} trials "
                               f"({', '.join(f'{t.id}: {t.name}' for t in trials) or 'none'}); choose one with --trial ID")
    trial = trials[0] if trial_id is None else trial_repo.get_trial(db, trial_id)
    if trial is None:
        raise TrialActionError(f"no trial with id {trial_id} in the database")
    long = pd.DataFrame(trial_repo.long_rows(db, trial.id), columns=["subject", "arm", "week", "outcome", "value"])
    return StoredTrial(trial.name, long, trial.definition["reference"], completed_codes(db, trial),
                       covariates(db, trial))


def run_analysis(db: Session, trial: TrialRecord, user: User, analysis_set: AnalysisSet) -> TrialAnalysis:
    """The paper's analysis on the stored data, with arms as ``user`` may see them."""
    vault = trial_repo.get_vault(db, trial.id)
    if not sees_any_arm(user, vault):
        raise blinding.BlindingError("the outcome assessor may not see analyses by arm")
    return analyze(long_frame(db, trial, user, vault), reference_label(trial, user, vault) or "",
                   covariates(db, trial), analysis_set=analysis_set, completed=completed_codes(db, trial))


def withdrawal_objects(db: Session, trial: TrialRecord) -> list[Withdrawal]:
    return [Withdrawal(p.code, w.on, WithdrawalReason(w.reason), w.stops_intervention, w.stops_follow_up, w.note)
            for w, p in trial_repo.withdrawals(db, trial.id)]


def consort(db: Session, trial: TrialRecord, user: User, vault: TrialVault | None) -> ConsortFlow:
    """CONSORT counts with arm names as ``user`` may see them."""
    people = trial_repo.participants(db, trial.id)
    allocation = trial_repo.allocations(db, trial.id)
    code_arm = {p.code: arm_label(allocation[p.id], user, vault) for p in people if p.id in allocation}
    completed = completed_codes(db, trial) or set()
    return consort_counts([screening_result(p) for p in people], code_arm, withdrawal_objects(db, trial),
                          [c for c in code_arm if c in completed])


def now_utc() -> datetime:
    return datetime.now(timezone.utc)
