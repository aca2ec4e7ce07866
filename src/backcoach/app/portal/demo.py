"""Demo data for the portal: blinded staff, a replayable set, follow-up scores, a reassessment
proposal, a message, and a running trial whose outcomes come from the paper simulator.

Everything goes through the same library calls the pages use (the engine grades the replayed
reps; the trial's allocations are real reveals of a sealed sequence), so the demo shows what the
software does rather than hand-written results.
"""

from __future__ import annotations

import random
from functools import cache
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backcoach.app.demo import CONSENT_VERSION
from backcoach.app.portal import trial as trial_service
from backcoach.app.portal.reminders import send_due_reminders
from backcoach.app.portal.replay import encode_trace
from backcoach.clinical import scoring
from backcoach.clinical.catalog import catalog_from_library
from backcoach.clinical.instruments import load_instrument
from backcoach.clinical.prescription import PlanError, build_plan
from backcoach.clinical.reassessment import plan_difference, reassess
from backcoach.store.models import ConsentKind, ExerciseSession, Role, TrialRecord, User
from backcoach.store.repo import accounts, clinical, community, plans, training
from backcoach.store.repo import portal as portal_repo
from backcoach.store.repo import trial as trial_repo
from backcoach.trial import paper
from backcoach.trial.simulate import simulate_paper

#: Seed of the simulated trial data (any seed works; fixed so every demo looks the same).
TRIAL_SEED = 2023
#: The demo's trial participant with a patient account: enrolled two weeks before the demo's day.
PARTICIPANT_EMAIL = "participant@demo.backcoach"
#: The demo trial enrolled its first participant this many weeks before the demo's ``today``: with one
#: enrolment a day, the last of the 38 reaches week 8 about 10 weeks later, so all follow-up is past.
ENROLMENT_WEEKS_AGO = 16
DEMO_TRIAL = "Home exercise trial (demo)"
#: Eligible screening answers (the paper's criteria) for simulated participants.
ELIGIBLE = {"nonspecific_lbp_diagnosis": True, "lbp_duration_months": 12.0, "nrs_mean": 5.0,
            "right_handed": True, "uses_smartphone_wechat": True, "lbp_caused_by_other_disease": False,
            "nerve_root_symptoms_history": False, "waist_trauma_or_surgery_past_2_years": False,
            "spinal_fracture_history": False, "spinal_infection_history": False,
            "lumbar_malignancy_history": False, "parkinsons_disease": False, "pregnant": False,
            "heart_disease": False, "hypertension": False, "other_condition_unfit_for_intense_exercise": False}
NOT_ELIGIBLE = ({"age": 80.0}, {"lbp_duration_months": 2.0}, {"nerve_root_symptoms_history": True})


def seed_portal_demo(db: Session, clinic_id: int, password_hash: str, today: date) -> list[tuple[str, str, str]]:
    """Add the portal's demo data to a freshly seeded demo clinic; returns (role, email, what) sign-ins."""
    logins = []
    for email, name, role, what in (
        ("statistician@demo.backcoach", "Dr. Zhou Min", Role.STATISTICIAN, "research portal, blinded (coded arms)"),
        ("assessor@demo.backcoach", "Dr. Li Wei", Role.ASSESSOR, "research portal, blinded outcome assessor"),
    ):
        accounts.create_user(db, email=email, password_hash=password_hash, display_name=name, role=role,
                             clinic_id=clinic_id)
        logins.append((role.value, email, what))
    therapist = accounts.get_user_by_email(db, "therapist@demo.backcoach")
    patient = accounts.get_user_by_email(db, "week3@demo.backcoach")
    researcher = accounts.get_user_by_email(db, "researcher@demo.backcoach")
    if therapist and patient:
        _seed_follow_up_scores(db, patient, today)
        _seed_replay(db, patient)
        _seed_proposal(db, patient, today)
        community.send_message(db, patient.id, therapist.id, "The bridges felt easier this week. Is it OK to add a set?")
    if researcher:
        seed_demo_trial(db, researcher, today)
        participant = accounts.create_user(db, email=PARTICIPANT_EMAIL, password_hash=password_hash,
                                           display_name="张丽", role=Role.PATIENT, clinic_id=clinic_id, locale="zh_Hans")
        accounts.grant_consent(db, participant, ConsentKind.HEALTH_DATA, CONSENT_VERSION)
        seed_trial_participant(db, researcher, participant, today)
        logins.append((Role.PATIENT.value, PARTICIPANT_EMAIL,
                       "trial participant: week-2 web follow-up open today, with its reminder (Chinese)"))
    return logins


def _answers(instrument_id: str, rng: random.Random, level: float) -> list[int]:
    """Answers near ``level`` (0-1 of each item's range) for a demo questionnaire."""
    instrument = load_instrument(instrument_id)
    out = []
    for item in instrument.items:
        options = item.options or tuple(range(instrument.bounds[0], instrument.bounds[1] + 1))
        k = round(level * (len(options) - 1) + rng.choice((-1, 0, 0, 1)))
        out.append(options[min(max(k, 0), len(options) - 1)])
    return out


def _seed_follow_up_scores(db: Session, patient: User, today: date) -> None:
    plan = plans.active_plan(db, patient.id)
    if plan is None:
        return
    rng = random.Random(7)
    # An adherent non-responder at week 2 (the proposal below): pain as at baseline (6, 6, 7),
    # disability a little lower but below every minimal important change.
    for week, level in ((0, 0.45), (2, 0.42)):
        when = datetime.combine(plan.starts_on + timedelta(weeks=week), time(9, 30), tzinfo=timezone.utc)
        if when.date() > today:
            continue
        for instrument_id in ("odi", "rmdq", "pcs") + (("nrs",) if week else ()):
            answers = [6, 6, 7] if instrument_id == "nrs" else _answers(instrument_id, rng, level)
            score = scoring.score(instrument_id, answers)
            response = clinical.save_response(
                db, patient_id=patient.id, instrument=instrument_id,
                instrument_version=load_instrument(instrument_id).version, answers={"items": answers},
                result=score.public(), total=score.total, week=week)
            response.completed_at = when


@cache
def _graded_squat_set() -> tuple[Any, tuple[Any, ...]]:
    """A synthetic squat set (third rep leaning forward) and the engine's rep events for it."""
    from backcoach.motion.engine import ExerciseEngine
    from backcoach.motion.synthetic.generate import generate

    sequence = generate("squat", reps=4, fps=15, errors={2: ["trunk_too_far_forward"]}, noise_px=0.8,
                        seed=11, idle_s=1.0).sequence
    engine = ExerciseEngine("squat", reps_target=4)
    reps = tuple(e for frame in sequence.frames() for e in engine.push(frame) if e.type == "rep")
    return sequence, reps


def _seed_replay(db: Session, patient: User) -> None:
    """A squat set in the last session, graded by the movement engine, with its landmark trace."""
    sessions: list[ExerciseSession] = training.completed_sessions(db, patient.id)
    if not sessions:
        return
    sequence, events = _graded_squat_set()
    session = sessions[-1]
    exercise_set = training.start_set(db, session, exercise_id="squat", set_index=1, reps_planned=4)
    exercise_set.started_at = session.started_at + timedelta(minutes=30)
    for event in events:
        rep = training.record_rep(
            db, exercise_set, index=event.index, counted=event.counted, score=event.score,
            grade=event.grade, side=event.side, reason=event.reason,
            errors=[{"id": e.id, "side": e.side, "severity": e.severity, "cue": e.cue} for e in event.errors],
            metrics={"t": round(float(event.t), 3)})
        rep.at = exercise_set.started_at + timedelta(seconds=float(event.t))
    training.finish_set(db, exercise_set)
    exercise_set.ended_at = exercise_set.started_at + timedelta(seconds=float(sequence.t[-1]))
    encoding, data = encode_trace(sequence.t - sequence.t[0], sequence.xyz, sequence.visibility, sequence.image_size)
    training.save_trace(db, exercise_set, frame_count=len(sequence.t), encoding=encoding, data=data)


def _seed_proposal(db: Session, patient: User, today: date) -> None:
    """The week-2 reassessment, run on the stored week-0 and week-2 answers and the sessions done by
    then, as the app runs it; the demo's scores make it an adherent non-responder, who is
    reclassified (muscle tension) and offered a new plan from week 3."""
    from backcoach.app.assessment import plan_sessions  # the app's clinical-plan-to-rows glue
    from backcoach.app.reassessment import due_on, measures, responses_for

    plan = plans.active_plan(db, patient.id)
    if plan is None or due_on(plan, 2) > today:
        return
    done = plans.completed_plan_session_ids(db, patient.id)
    planned = [s for s in plan.sessions if s.week <= 2]
    result = reassess(2, measures(responses_for(db, patient.id, 0)), measures(responses_for(db, patient.id, 2)),
                      sessions_done=sum(s.id in done for s in planned), sessions_planned=len(planned))
    catalog = catalog_from_library()
    try:
        old = build_plan("STABILITY_DEFICIENCY", catalog)
        new = build_plan("MUSCLE_TENSION", catalog, approach=result.approach or "movement_control")
    except PlanError:
        return  # the exercise library cannot build these plans yet
    from_week = 3
    difference = plan_difference(old, new, from_week)
    proposed = [{"week": s.week, "index_in_week": s.index_in_week, "items": [i.__dict__ for i in s.items]}
                for s in plan_sessions(new, plan.starts_on) if s.week >= from_week]
    proposal = portal_repo.add_proposal(db, patient_id=patient.id, plan_id=plan.id, week=2,
                                        reassessment=result.to_dict(), difference=difference, proposed=proposed)
    proposal.created_at = datetime.combine(due_on(plan, 2), time(9, 45), tzinfo=timezone.utc)


@cache
def _simulated(seed: int):  # type: ignore[no-untyped-def]
    return simulate_paper(seed)


def seed_demo_trial(db: Session, researcher: User, today: date, seed: int = TRIAL_SEED) -> None:
    """A two-arm trial (AI vs video, 1:1) sealed before enrolment, with the paper's sample size.

    Each simulated participant is screened, consented and randomised through the portal's own
    service (so the reveal log is a real hash chain), one a day from ``ENROLMENT_WEEKS_AGO``, so
    that every follow-up visit (week 8 included) lies in the past. The outcome values come from
    the paper simulator's participants of the arm the sequence revealed, each entered on its
    visit's due date and marking that visit done; non-completers are recorded as lost to
    follow-up a week after their week-2 visit, and their later visits stay missed. No value is
    dated after ``today``.
    """
    start = datetime.combine(today - timedelta(weeks=ENROLMENT_WEEKS_AGO), time(9, 0), tzinfo=timezone.utc)
    trial = trial_repo.create_trial(db, name=DEMO_TRIAL, definition=trial_service.new_definition(
        "demo-trial", list(paper.ARMS), [1, 1], {}, "video", "v1", per_stratum=44))
    trial.created_at = start - timedelta(days=7)
    trial_service.seal(db, trial, researcher, start - timedelta(days=7)).sealed_at = start - timedelta(days=7)
    simulated = _simulated(seed)
    long, covariates = simulated.long, simulated.covariates.set_index("subject")
    pools = {arm: sorted(long.loc[long["arm"] == arm, "subject"].unique()) for arm in paper.ARMS}
    completers = set(long.loc[long["week"] == 4, "subject"])
    by_subject = long.groupby("subject")
    for k, answers in enumerate(NOT_ELIGIBLE, start=1):
        excluded = trial_service.screen(db, trial, f"X{k:02d}", {**ELIGIBLE, "age": 40.0, **answers}, None)
        excluded.screened_at = start + timedelta(days=10 * k, hours=-1)
    for k in range(sum(paper.RANDOMISED.values())):
        when = start + timedelta(days=k)
        code = f"P{k + 1:03d}"
        participant = trial_service.screen(db, trial, code, {**ELIGIBLE, "age": 30.0}, None)
        participant.screened_at = when - timedelta(hours=1)
        trial_repo.record_consent(db, participant, form_version="v1", signed_at=when, taken_by_id=researcher.id)
        trial_service.randomise(db, trial, participant, researcher, when + timedelta(hours=1))
        allocation = trial_repo.allocation_of(db, participant.id)
        allocation.revealed_at = when + timedelta(hours=1)
        if not pools[allocation.arm]:
            continue  # more reveals to this arm than simulated people: no outcome data yet
        subject = pools[allocation.arm].pop(0)
        participant.screening = {**participant.screening,
                                 "answers": {**participant.screening["answers"],
                                             "age": float(covariates.loc[subject, "age"])}}
        visits = {v.week: v for v in trial_repo.visits_of(db, participant.id)}
        rows = []
        for row in by_subject.get_group(subject).itertuples(index=False):
            visit = visits[int(row.week)]
            seen = datetime.combine(visit.due_on, time(10, 0), tzinfo=timezone.utc)
            if seen.date() > today:
                continue  # not reached yet (only when ENROLMENT_WEEKS_AGO is shortened)
            visit.done_at = seen
            rows.append({"week": int(row.week), "outcome": row.outcome, "value": round(float(row.value), 4),
                         "visit_id": visit.id, "entered_at": seen})
        trial_repo.add_outcomes(db, participant, rows, researcher.id)
        if subject not in completers:
            trial_repo.withdraw(db, participant, on=visits[2].due_on + timedelta(weeks=1), reason="lost_to_follow_up",
                                stops_intervention=True, stops_follow_up=True, note="", entered_by_id=researcher.id)
            participant.withdrawn_at = datetime.combine(visits[2].due_on + timedelta(weeks=1), time(12, 0),
                                                        tzinfo=timezone.utc)


def seed_trial_participant(db: Session, researcher: User, account: User, today: date, seed: int = TRIAL_SEED) -> None:
    """One more participant, still in follow-up: randomised two weeks ago and linked to ``account``,
    so their week-2 web visit is open today and today's reminder has gone out (in the app and
    queued as email). Baseline values come from another simulated participant of the revealed arm."""
    trial = db.scalar(select(TrialRecord).where(TrialRecord.name == DEMO_TRIAL))
    when = datetime.combine(today - timedelta(weeks=2), time(9, 0), tzinfo=timezone.utc)
    participant = trial_service.screen(db, trial, "P039", {**ELIGIBLE, "age": 35.0}, None)
    participant.screened_at = when - timedelta(hours=1)
    trial_repo.record_consent(db, participant, form_version="v1", signed_at=when, taken_by_id=researcher.id)
    trial_service.randomise(db, trial, participant, researcher, when + timedelta(hours=1))
    allocation = trial_repo.allocation_of(db, participant.id)
    allocation.revealed_at = when + timedelta(hours=1)
    trial_service.link_account(db, trial, participant, account)
    other = _simulated(seed + 1).long
    subject = sorted(other.loc[other["arm"] == allocation.arm, "subject"].unique())[0]
    baseline = trial_repo.visit_at_week(db, participant.id, 0)
    baseline.done_at = datetime.combine(baseline.due_on, time(10, 0), tzinfo=timezone.utc)
    trial_repo.add_outcomes(db, participant, [
        {"week": 0, "outcome": row.outcome, "value": round(float(row.value), 4), "visit_id": baseline.id,
         "entered_at": baseline.done_at}
        for row in other.loc[(other["subject"] == subject) & (other["week"] == 0)].itertuples(index=False)],
        researcher.id)
    send_due_reminders(db, today)
