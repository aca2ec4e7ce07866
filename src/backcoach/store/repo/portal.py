"""Queries of the therapist portal: score series, quality per exercise, traces, plan edits and
proposals, messages, moderation and exercise-file versions.

Every function taking ``patient_id`` only ever returns that patient's rows; routes check first
that the therapist follows the patient.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from backcoach.store.base import utcnow
from backcoach.store.models import (
    ExerciseSession,
    ExerciseSet,
    ExerciseVersion,
    LandmarkTrace,
    Message,
    Plan,
    PlanItem,
    PlanProposal,
    PlanRevision,
    PlanSession,
    Post,
    QuestionnaireResponse,
    SessionStatus,
    TherapistAssignment,
)
from backcoach.store.repo.plans import ItemSpec


def score_series(db: Session, patient_id: int, instrument: str) -> list[QuestionnaireResponse]:
    """The patient's responses to one instrument, oldest first."""
    return list(db.scalars(
        select(QuestionnaireResponse)
        .where(QuestionnaireResponse.patient_id == patient_id, QuestionnaireResponse.instrument == instrument)
        .order_by(QuestionnaireResponse.completed_at, QuestionnaireResponse.id)))


@dataclass(frozen=True)
class ExerciseQuality:
    exercise_id: str
    sessions: int
    attempts: int
    counted: int
    mean_score: float | None
    #: Mean form score per session, oldest first (the trend).
    trend: tuple[float, ...]


def quality_per_exercise(db: Session, patient_id: int) -> list[ExerciseQuality]:
    """Reps attempted and counted, and the mean form score per session, for each exercise."""
    sessions = db.scalars(
        select(ExerciseSession)
        .where(ExerciseSession.patient_id == patient_id, ExerciseSession.status == SessionStatus.COMPLETED)
        .order_by(ExerciseSession.started_at)
        .options(selectinload(ExerciseSession.sets).selectinload(ExerciseSet.reps)))
    per: dict[str, dict[str, Any]] = defaultdict(lambda: {"sessions": 0, "attempts": 0, "counted": 0, "scores": [],
                                                          "trend": []})
    for session in sessions:
        by_exercise: dict[str, list[float]] = defaultdict(list)
        seen = set()
        for exercise_set in session.sets:
            entry = per[exercise_set.exercise_id]
            seen.add(exercise_set.exercise_id)
            for rep in exercise_set.reps:
                entry["attempts"] += 1
                entry["counted"] += int(rep.counted)
                if rep.counted and rep.score is not None:
                    entry["scores"].append(rep.score)
                    by_exercise[exercise_set.exercise_id].append(rep.score)
        for exercise_id in seen:
            per[exercise_id]["sessions"] += 1
            scores = by_exercise.get(exercise_id)
            if scores:
                per[exercise_id]["trend"].append(round(sum(scores) / len(scores), 1))
    return [ExerciseQuality(k, v["sessions"], v["attempts"], v["counted"],
                            round(sum(v["scores"]) / len(v["scores"]), 1) if v["scores"] else None, tuple(v["trend"]))
            for k, v in sorted(per.items())]


def last_ai_session(db: Session, patient_id: int) -> ExerciseSession | None:
    return db.scalar(
        select(ExerciseSession)
        .where(ExerciseSession.patient_id == patient_id, ExerciseSession.status == SessionStatus.COMPLETED,
               ExerciseSession.mode == "ai")
        .order_by(ExerciseSession.started_at.desc())
        .options(selectinload(ExerciseSession.sets).selectinload(ExerciseSet.reps)))


def traced_sets(db: Session, patient_id: int, limit: int = 20) -> list[ExerciseSet]:
    """The patient's sets that have a landmark trace, newest first."""
    return list(db.scalars(
        select(ExerciseSet).join(ExerciseSession).join(LandmarkTrace, LandmarkTrace.set_id == ExerciseSet.id)
        .where(ExerciseSession.patient_id == patient_id)
        .order_by(ExerciseSet.started_at.desc()).limit(limit)))


def set_of_patient(db: Session, patient_id: int, set_id: int) -> ExerciseSet | None:
    return db.scalar(
        select(ExerciseSet).join(ExerciseSession)
        .where(ExerciseSet.id == set_id, ExerciseSession.patient_id == patient_id)
        .options(selectinload(ExerciseSet.reps)))


def trace_of(db: Session, set_id: int) -> LandmarkTrace | None:
    return db.scalar(select(LandmarkTrace).where(LandmarkTrace.set_id == set_id))


# ------------------------------------------------------------------ plan editing
def future_sessions(plan: Plan, done_ids: set[int]) -> list[PlanSession]:
    """Sessions of the plan the patient has not done yet (an overdue session can still be done)."""
    return [s for s in plan.sessions if s.id not in done_ids]


def item_of_plan(db: Session, plan: Plan, item_id: int) -> PlanItem | None:
    return db.scalar(select(PlanItem).join(PlanSession).where(PlanItem.id == item_id, PlanSession.plan_id == plan.id))


def set_dose(sessions: list[PlanSession], exercise_id: str, *, sets: int, reps: int | None,
             hold_seconds: int | None, rest_seconds: int) -> int:
    """Change one exercise's dosage in every given session; returns how many items changed."""
    changed = 0
    for session in sessions:
        for item in session.items:
            if item.exercise_id == exercise_id:
                per_rep = (item.expected_seconds / max(1, item.sets))
                item.sets, item.reps, item.hold_seconds, item.rest_seconds = sets, reps, hold_seconds, rest_seconds
                item.expected_seconds = round(per_rep * sets)
                changed += 1
    return changed


def remove_exercise(db: Session, sessions: list[PlanSession], exercise_id: str) -> int:
    removed = 0
    for session in sessions:
        for item in list(session.items):
            if item.exercise_id == exercise_id:
                session.items.remove(item)
                db.delete(item)
                removed += 1
    db.flush()
    return removed


def add_exercise(db: Session, sessions: list[PlanSession], spec: ItemSpec) -> int:
    added = 0
    for session in sessions:
        if any(item.exercise_id == spec.exercise_id for item in session.items):
            continue
        position = max((item.position for item in session.items), default=0) + 1
        session.items.append(PlanItem(position=position, **spec.__dict__))
        added += 1
    db.flush()
    return added


def replace_items(db: Session, session: PlanSession, specs: list[ItemSpec]) -> None:
    for item in list(session.items):
        session.items.remove(item)
        db.delete(item)
    db.flush()
    session.items.extend(PlanItem(position=i, **spec.__dict__) for i, spec in enumerate(specs, start=1))
    db.flush()


def add_revision(db: Session, plan: Plan, author_id: int, source: str, changes: list[Any]) -> PlanRevision:
    revision = PlanRevision(plan_id=plan.id, author_id=author_id, source=source, changes=changes)
    db.add(revision)
    db.flush()
    return revision


def revisions_of(db: Session, plan_id: int) -> list[PlanRevision]:
    return list(db.scalars(select(PlanRevision).where(PlanRevision.plan_id == plan_id)
                           .order_by(PlanRevision.at.desc(), PlanRevision.id.desc())))


def add_proposal(db: Session, *, patient_id: int, plan_id: int, week: int, reassessment: dict[str, Any],
                 difference: dict[str, Any], proposed: list[Any]) -> PlanProposal:
    proposal = PlanProposal(patient_id=patient_id, plan_id=plan_id, week=week, reassessment=reassessment,
                            difference=difference, proposed=proposed)
    db.add(proposal)
    db.flush()
    return proposal


def proposals_of(db: Session, patient_id: int) -> list[PlanProposal]:
    return list(db.scalars(select(PlanProposal).where(PlanProposal.patient_id == patient_id)
                           .order_by(PlanProposal.created_at.desc(), PlanProposal.id.desc())))


def pending_proposal_counts(db: Session, patient_ids: list[int]) -> dict[int, int]:
    rows = db.execute(select(PlanProposal.patient_id, func.count()).where(
        PlanProposal.patient_id.in_(patient_ids), PlanProposal.status == "pending").group_by(PlanProposal.patient_id))
    return {key: count for key, count in rows}


def proposal_of(db: Session, patient_id: int, proposal_id: int) -> PlanProposal | None:
    proposal = db.get(PlanProposal, proposal_id)
    return proposal if proposal is not None and proposal.patient_id == patient_id else None


def review_proposal(proposal: PlanProposal, reviewer_id: int, approved: bool, note: str) -> None:
    proposal.status = "approved" if approved else "rejected"
    proposal.reviewed_by_id, proposal.reviewed_at, proposal.review_note = reviewer_id, utcnow(), note


# ------------------------------------------------------------------ messages and moderation
def conversation(db: Session, a: int, b: int, limit: int = 200) -> list[Message]:
    return list(db.scalars(
        select(Message).where(((Message.sender_id == a) & (Message.recipient_id == b))
                              | ((Message.sender_id == b) & (Message.recipient_id == a)))
        .order_by(Message.sent_at, Message.id).limit(limit)))


def mark_conversation_read(db: Session, reader_id: int, other_id: int) -> None:
    for message in db.scalars(select(Message).where(Message.sender_id == other_id, Message.recipient_id == reader_id,
                                                    Message.read_at.is_(None))):
        message.read_at = utcnow()
    db.flush()


def unread_counts(db: Session, reader_id: int) -> dict[int, int]:
    rows = db.execute(select(Message.sender_id, func.count()).where(
        Message.recipient_id == reader_id, Message.read_at.is_(None)).group_by(Message.sender_id))
    return {key: count for key, count in rows}


def all_posts(db: Session, group_id: int, limit: int = 100) -> list[Post]:
    """Every post of a group, hidden ones too (for moderation), newest first."""
    return list(db.scalars(select(Post).where(Post.group_id == group_id)
                           .order_by(Post.created_at.desc(), Post.id.desc()).limit(limit)
                           .options(selectinload(Post.author))))


def restore_post(post: Post) -> None:
    post.hidden_at, post.hidden_by_id = None, None


# ------------------------------------------------------------------ exercise versions
def exercise_versions(db: Session, exercise_id: str) -> list[ExerciseVersion]:
    return list(db.scalars(select(ExerciseVersion).where(ExerciseVersion.exercise_id == exercise_id)
                           .order_by(ExerciseVersion.version.desc())))


def latest_exercise_version(db: Session, exercise_id: str) -> ExerciseVersion | None:
    versions = exercise_versions(db, exercise_id)
    return versions[0] if versions else None


def treating_therapist_version(db: Session, patient_id: int, exercise_id: str) -> ExerciseVersion | None:
    """The latest version of ``exercise_id`` saved by the patient's current therapist, in one query."""
    return db.scalar(
        select(ExerciseVersion)
        .join(TherapistAssignment, TherapistAssignment.therapist_id == ExerciseVersion.author_id)
        .where(ExerciseVersion.exercise_id == exercise_id, TherapistAssignment.patient_id == patient_id,
               TherapistAssignment.ended_at.is_(None))
        .order_by(ExerciseVersion.version.desc())
        .limit(1))


def save_exercise_version(db: Session, exercise_id: str, toml: str, author_id: int, note: str) -> ExerciseVersion:
    latest = latest_exercise_version(db, exercise_id)
    version = ExerciseVersion(exercise_id=exercise_id, version=(latest.version + 1) if latest else 1, toml=toml,
                              author_id=author_id, note=note)
    db.add(version)
    db.flush()
    return version
