"""Session-to-session progression (clinical brief §5.3) and the next-morning NRS (§2.1, §5.1).

The decisions are the clinical library's (:func:`backcoach.clinical.progression.decide`, all [E]);
this module builds each exercise's :class:`ExerciseRecord` from the stored sessions, applies the
decision to the plan sessions not done yet, and keeps every applied change, with its reason, so
the patient can read "why my plan changed" and the therapist can undo it.

Stored as ``Assessment`` rows (no new tables):

* ``next_morning_nrs``: ``session_id``, ``nrs``, ``recalled`` (answered outside the 08:00-12:00
  window of the morning after, i.e. asked again before the next session).
* ``plan_change``: ``session_id``, ``plan_id``, ``exercise_id``, ``action`` (remove / regress /
  progress), ``row`` (§5.3 decision row), ``reason`` (the library's words, for the therapist),
  ``why`` (message ids shown to the patient), ``from_level``, ``to_level``, ``clinician_review``,
  ``items`` (each changed plan item as it was, so an undo can put it back) and ``status``
  (``applied`` / ``undone``).

At a ladder end (a removal, or a regression at level 1) the substitute of :mod:`backcoach.app.ladder_end`
takes the exercise's place where one fits, and the therapist is notified (CLINICIAN_REVIEW).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backcoach.app import ladder_end
from backcoach.app.i18n import N_
from backcoach.app.live import stops
from backcoach.clinical.catalog import CatalogEntry, catalog_from_library
from backcoach.clinical.progression import Decision, ExerciseRecord, FlareState, decide, pain_zone
from backcoach.clinical.thresholds import TH
from backcoach.exercises import ExerciseFileError, get_exercise
from backcoach.store.models import Assessment, ExerciseSession, ExerciseSet, Plan, PlanItem, PlanSession, SessionStatus
from backcoach.store.repo import accounts, clinical, plans, reminders
from backcoach.store.repo import portal as portal_repo

NEXT_MORNING_KIND = "next_morning_nrs"
CHANGE_KIND = "plan_change"
#: A change made by the flare-up plan at a check-in (:mod:`backcoach.app.flare`).
FLARE_ACTION = "flare"
FLARE_KIND = "flare_state"
#: §2.1: the next-morning push is answered from 08:00 to 12:00 (hours, local clock of the server).
MORNING_WINDOW = (8, 12)
#: Sessions whose exercises feed §5.3 (a stopped session still counts its stops and ratings).
ENDED = (SessionStatus.COMPLETED, SessionStatus.STOPPED)
DEFAULT_APPROACH = "movement_control"
#: Where every applied decision comes from (the thresholds carry their own tags in thresholds.toml).
SOURCE = "brief §5.3 decision rows [E]"

#: What the patient reads for each reason (message ids; translated when shown).
WHY = {
    "red": N_("your pain went up too much during the exercise or by the next morning"),
    "form": N_("fewer than 6 in 10 repetitions had good form"),
    "cr10": N_("it felt very hard (effort 7 or more out of 10)"),
    "cue50": N_("the same correction was needed on more than half of the repetitions"),
    "peripheralized": N_("symptoms spread into your leg during it"),
    "neural": N_("new nerve symptoms came with it"),
    "stops": N_("it had to be stopped for pain in 2 sessions within 14 days"),
    "fall": N_("you lost your balance during it"),
    "progress": N_("your last 2 sessions at this level went well: good form, effort within your target and "
                   "no rise in pain"),
    "flare": N_("your pain flared up: this session is one step easier with half the sets, until the flare settles"),
}
ACTION_TEXT = {
    "remove": N_("Taken out of your plan from your next session"),
    "regress": N_("One step easier from your next session"),
    "progress": N_("One step harder from your next session"),
    "flare": N_("Flare-up plan for this session"),
}
NOTICE_SUBJECT = N_("Plan changed after a session: please review")


class ProgressionInputError(ValueError):
    """Input refused, naming the field and why."""


# ------------------------------------------------------------------ next-morning NRS
def next_mornings(db: Session, patient_id: int) -> dict[int, Assessment]:
    """Every next-morning NRS the patient gave, by session id."""
    return {a.data["session_id"]: a for a in _assessments(db, patient_id, NEXT_MORNING_KIND)}


def pending_next_morning(db: Session, patient_id: int, now: datetime) -> tuple[ExerciseSession, bool] | None:
    """The last ended session still waiting for its next-morning NRS, and whether it is now asked as
    recalled (§2.1: outside the morning window; a newer session started means it stays missing)."""
    last = db.scalar(select(ExerciseSession).where(ExerciseSession.patient_id == patient_id)
                     .order_by(ExerciseSession.started_at.desc(), ExerciseSession.id.desc()))
    if last is None or last.status not in ENDED or last.ended_at is None:
        return None
    ended = _aware(last.ended_at).date()
    if now.date() <= ended or last.id in next_mornings(db, patient_id):
        return None
    in_window = (now.date() - ended).days == 1 and MORNING_WINDOW[0] <= now.hour < MORNING_WINDOW[1]
    return last, not in_window


def record_next_morning(db: Session, patient_id: int, session_id: int, nrs: Any, now: datetime) -> Assessment:
    """Store the next-morning NRS of the patient's pending session, then re-run its §5.3 review."""
    if isinstance(nrs, bool) or not isinstance(nrs, int) or not 0 <= nrs <= 10:
        raise ProgressionInputError(f"nrs: {nrs!r} is not a whole number from 0 to 10")
    pending = pending_next_morning(db, patient_id, now)
    if pending is None or pending[0].id != session_id:
        raise ProgressionInputError(f"session_id: session {session_id} is not waiting for a next-morning rating")
    session, recalled = pending
    answer = clinical.save_assessment(db, patient_id=patient_id, kind=NEXT_MORNING_KIND,
                                      data={"session_id": session.id, "nrs": nrs, "recalled": recalled})
    review_session(db, session)
    return answer


# ------------------------------------------------------------------ §5.3 inputs
def form_score(exercise_id: str, reps: list[Any]) -> float | None:
    """§4.0: per rep 1 if no error worse than minor, else 0; the mean over the reps (None: no reps,
    e.g. video-only mode). An error the exercise file does not know counts as critical."""
    if not reps:
        return None
    try:
        minor = {e.id for e in get_exercise(exercise_id).errors if e.severity == "minor"}
    except (ExerciseFileError, KeyError):
        minor = set()
    return sum(all(_error_id(e) in minor for e in rep.errors) for rep in reps) / len(reps)


def cue50(reps: list[Any]) -> bool:
    """§5.3: one error cue fired on more than half of this exercise's reps."""
    counts = Counter(error_id for rep in reps for error_id in {_error_id(e) for e in rep.errors})
    return any(count > len(reps) / 2 for count in counts.values())


def exercise_records(db: Session, patient_id: int, up_to: ExerciseSession) -> dict[str, list[ExerciseRecord]]:
    """Each exercise's §5.3 record in every ended session up to ``up_to``, oldest first.

    ``max_in`` is the highest NRS given after the exercise's sets or at its stop (the pre-session
    NRS when none was given); ``level`` is the plan item's level when the session was done.
    """
    mornings = next_mornings(db, patient_id)
    sessions = db.scalars(select(ExerciseSession).where(
        ExerciseSession.patient_id == patient_id, ExerciseSession.status.in_(ENDED),
        ExerciseSession.pain_before.is_not(None), ExerciseSession.started_at <= up_to.started_at)
        .order_by(ExerciseSession.started_at, ExerciseSession.id))
    records: dict[str, list[ExerciseRecord]] = defaultdict(list)
    for session in sessions:
        if session.started_at == up_to.started_at and session.id > up_to.id:
            continue
        morning = mornings.get(session.id)
        sets_of: dict[str, list[ExerciseSet]] = defaultdict(list)
        for exercise_set in session.sets:
            sets_of[exercise_set.exercise_id].append(exercise_set)
        stop_nrs = defaultdict(list)
        for stop in stops.session_stops(db, session):
            if stop.data.get("nrs") is not None:
                stop_nrs[stop.data.get("exercise_id")].append(stop.data["nrs"])
        for exercise_id, plan_item_id in session_exercises(db, session).items():
            sets = sets_of[exercise_id]
            reps = [rep for s in sets for rep in s.reps]
            ratings = [s.pain for s in sets if s.pain is not None] + stop_nrs[exercise_id]
            flags = stops.stop_flags(db, session, exercise_id)
            item = db.get(PlanItem, plan_item_id) if plan_item_id is not None else None
            cr10s = [s.cr10 for s in sets if s.cr10 is not None]
            records[exercise_id].append(ExerciseRecord(
                exercise_id=exercise_id, level=item.level if item is not None else 1,
                day=_aware(session.started_at).date().toordinal(), pre=session.pain_before,
                max_in=max([session.pain_before, *ratings]),
                next_morning=morning.data["nrs"] if morning is not None else None,
                form=form_score(exercise_id, reps), cr10=cr10s[-1] if cr10s else None, cue50=cue50(reps),
                peripheralized=flags.peripheralized, rule2_stop=flags.rule2_stop))
    return records


def session_exercises(db: Session, session: ExerciseSession) -> dict[str, int | None]:
    """Each exercise the session reached, with its plan item: those with a set, and those stopped
    before any set was stored (a pain rating can stop an exercise before its first set is ticked)."""
    found: dict[str, int | None] = {}
    for exercise_set in session.sets:
        found.setdefault(exercise_set.exercise_id, exercise_set.plan_item_id)
    for stop in stops.session_stops(db, session):
        if stop.data.get("exercise_id"):
            found.setdefault(stop.data["exercise_id"], stop.data.get("plan_item_id"))
    return found


def cr10_upper(db: Session, plan: Plan, session: ExerciseSession) -> float:
    """§5.2: this week's upper CR10 target for the patient's current approach."""
    plan_session = db.get(PlanSession, session.plan_session_id) if session.plan_session_id else None
    week = plan_session.week if plan_session is not None else 1
    classified = clinical.latest_classification(db, plan.patient_id)
    approach = (classified.approach if classified is not None else None) or DEFAULT_APPROACH
    by_week = TH["cr10_upper_by_approach"][approach]
    return by_week[min(week, len(by_week)) - 1]


# ------------------------------------------------------------------ applying decisions
def patient_reasons(decision: Decision, record: ExerciseRecord, fell: bool) -> list[str]:
    """The reasons of an applied decision as message ids the patient reads."""
    if decision.action == "progress":
        return [WHY["progress"]]
    zone = pain_zone(record.pre, record.max_in, record.next_morning)
    hits = [("peripheralized", record.peripheralized), ("neural", record.new_neural),
            ("stops", decision.action == "remove" and not record.peripheralized and not record.new_neural),
            ("red", decision.action == "regress" and zone == "red"),
            ("form", decision.action == "regress" and record.form is not None
             and record.form < TH["form_regress_below"]),
            ("cr10", decision.action == "regress" and record.cr10 is not None and record.cr10 >= TH["cr10_regress"]),
            ("cue50", decision.action == "regress" and record.cue50), ("fall", fell)]
    return [WHY[key] for key, hit in hits if hit]


def review_session(db: Session, session: ExerciseSession) -> list[Assessment]:
    """Run §5.3 for every exercise of ``session`` and apply each Remove / Regress / Progress to the
    plan sessions not done yet. One applied change per session and exercise: a second review (when
    the next-morning NRS arrives) changes only what the first left on Hold."""
    plan = plans.active_plan(db, session.patient_id)
    if plan is None or session.status not in ENDED:
        return []
    catalog = catalog_from_library()
    upper = cr10_upper(db, plan, session)
    no_progress = stops.ALERT_RECLASSIFY in stops.review_alerts(db, session.patient_id)
    already = {a.data["exercise_id"] for a in changes_of(db, session.patient_id)
               if a.data["session_id"] == session.id and a.data["action"] != FLARE_ACTION}
    flare_active = flare_state(db, session.patient_id).active
    records = exercise_records(db, session.patient_id, session)
    done = plans.completed_plan_session_ids(db, session.patient_id)
    future = [s for s in portal_repo.future_sessions(plan, done) if s.id != session.plan_session_id]
    applied = []
    for exercise_id in session_exercises(db, session):
        history, entry = records.get(exercise_id), catalog.get(exercise_id)
        if exercise_id in already or not history or entry is None:
            continue
        fell = stops.stop_flags(db, session, exercise_id).fell
        decision = decide(history, upper, entry.top_level, flare_active=flare_active)
        if decision.action == "hold" and fell:  # §5.4 rule 5a: next session one level lower
            decision = Decision(exercise_id, "regress", 2, "fall during the exercise", max(1, decision.level - 1),
                                clinician_review=decision.level == 1, substitute=decision.level == 1)
        if decision.action == "hold" or (decision.action == "progress" and no_progress):
            continue
        if decision.action != "remove" and entry.modality == "flexibility":
            continue  # stretches are dosed by week (§4.0), not by a ladder
        change = _apply(db, plan, future, entry, decision, session, patient_reasons(decision, history[-1], fell))
        applied.append(change)
    return applied


def _apply(db: Session, plan: Plan, future: list[PlanSession], entry: CatalogEntry, decision: Decision,
           session: ExerciseSession, why: list[str]) -> Assessment:
    items = [item for s in future for item in s.items if item.exercise_id == entry.id]
    before = [snapshot(item) for item in items]
    # One step from the level of the sessions to come (a flare session or a therapist edit may
    # have left the done session at another level).
    from_level = items[0].level if items else decision.level
    step = {"regress": -1, "progress": 1}.get(decision.action, 0)
    to_level = min(max(1, from_level + step), entry.top_level)
    spec = ladder_end.substitute_spec(db, plan, entry.id, items[0].plan_session.week) \
        if decision.substitute and items else None
    added = []
    if decision.action == "remove" or spec is not None:
        places = [(item.plan_session, item.position) for item in items]
        portal_repo.remove_exercise(db, future, entry.id)
        if spec is not None:  # §5.3 ladder end: the substitute takes the exercise's place
            added = [PlanItem(position=position, **spec.__dict__) for _session, position in places]
            for (plan_session, _position), item in zip(places, added):
                plan_session.items.append(item)
            db.flush()
    elif to_level != from_level:
        dose = entry.dose(to_level)
        for item in items:
            item.level, item.sets, item.reps = to_level, dose.sets, dose.reps
            item.hold_seconds, item.rest_seconds = round(dose.hold_s) or None, round(dose.rest_s)
            item.expected_seconds = round(dose.seconds(entry.sides))
    change = clinical.save_assessment(db, patient_id=plan.patient_id, kind=CHANGE_KIND, data={
        "session_id": session.id, "plan_id": plan.id, "exercise_id": entry.id, "action": decision.action,
        "row": decision.row, "reason": decision.reason, "why": why, "from_level": from_level,
        "to_level": None if decision.action == "remove" else to_level,
        "clinician_review": decision.clinician_review, "items": before, "status": "applied",
        "substitute": spec.exercise_id if spec is not None else None, "added": [item.id for item in added],
        "source": SOURCE})
    therapist = accounts.therapist_of(db, plan.patient_id)
    if therapist is not None and decision.action in ("remove", "regress"):
        review = "CLINICIAN_REVIEW: " if decision.clinician_review else ""
        reminders.notify(db, user_id=therapist.id, kind=CHANGE_KIND, subject=NOTICE_SUBJECT,
                         body=f"{review}{entry.id} {decision.action} ({decision.reason}); "
                              f"/therapist/patients/{plan.patient_id}/plan-changes")
    db.flush()
    return change


def flare_state(db: Session, patient_id: int) -> FlareState:
    """The §5.5 flare state left by the latest check-in (:mod:`backcoach.app.flare` writes it)."""
    stored = clinical.latest_assessment(db, patient_id, FLARE_KIND)
    if stored is None:
        return FlareState()
    data = stored.data
    return FlareState(data["active"], data["started_day"], data["pre_flare_mean"], data["sessions"],
                      list(data["events"]))


def changes_of(db: Session, patient_id: int) -> list[Assessment]:
    """Every automatic plan change of the patient, newest first."""
    return list(reversed(_assessments(db, patient_id, CHANGE_KIND)))


def undo_change(db: Session, patient_id: int, change_id: int, by_user_id: int) -> Assessment:
    """Put the changed plan items back as they were (the therapist's undo)."""
    change = db.get(Assessment, change_id)
    if change is None or change.patient_id != patient_id or change.kind != CHANGE_KIND:
        raise ProgressionInputError(f"change_id: no plan change {change_id} for this patient")
    if change.data["status"] != "applied":
        raise ProgressionInputError(f"change_id: plan change {change_id} is already {change.data['status']}")
    for added_id in change.data.get("added", []):
        added = db.get(PlanItem, added_id)
        if added is not None:
            db.delete(added)
    db.flush()
    for row in change.data["items"]:
        item = db.get(PlanItem, row["id"])
        if item is None:  # removed: put it back where it was
            item = PlanItem(**row)
            db.add(item)
        else:
            for key, value in row.items():
                setattr(item, key, value)
    change.data = {**change.data, "status": "undone", "undone_by": by_user_id,
                   "undone_at": datetime.now(timezone.utc).isoformat()}
    db.flush()
    for plan_session_id in {row["plan_session_id"] for row in change.data["items"]}:
        db.expire(db.get(PlanSession, plan_session_id), ["items"])
    return change


_SNAPSHOT = ("id", "plan_session_id", "position", "block", "exercise_id", "level", "sets", "reps", "hold_seconds",
             "rest_seconds", "per_side", "expected_seconds")


def snapshot(item: PlanItem) -> dict[str, Any]:
    return {key: getattr(item, key) for key in _SNAPSHOT}


def _error_id(error: Any) -> str:
    return error.get("id") if isinstance(error, dict) else str(error)


def _assessments(db: Session, patient_id: int, kind: str) -> list[Assessment]:
    return list(db.scalars(select(Assessment).where(Assessment.patient_id == patient_id, Assessment.kind == kind)
                           .order_by(Assessment.assessed_at, Assessment.id)))


def _aware(moment: datetime) -> datetime:
    """SQLite gives naive datetimes back; the store writes UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)
