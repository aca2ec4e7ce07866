"""§5.4 stops during a session: what is stored, the 5-minute re-check, and the escalation.

The decisions are the clinical library's (:mod:`backcoach.clinical.progression`: ``settled``,
``recheck_ready``, ``reclassification_due``, thresholds in ``thresholds.toml``, all [E]); this
module stores each stop as an ``Assessment`` of kind ``session_stop`` so that

* the stopped exercise is skipped for the rest of the session (any connection, any worker),
* the §5.3 decision can read it (``stop_flags``: rule-1 stop = peripheralization, rule-2 stop),
* a second rule-1/2 stop within 7 days flags reclassification for the clinician, and
* a stop that did not settle, or the reclassification flag, shows on the therapist's roster.

Stored ``data``: ``session_id``, ``plan_item_id``, ``exercise_id``, ``rule`` ("1", "2", "5b", "6"),
``reason`` (rule 2: ``pain_high``/``pain_rise``; 4: ``cardiorespiratory``; 5b: ``pain``/``other``;
6: ``tracking_lost``),
``pre``, ``nrs``, ``status`` (``recheck`` until answered, then ``settled`` / ``not_settled``;
``skipped`` for stops without a re-check) and, once answered, ``recheck`` {``nrs``, ``legs``}.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from backcoach.app.i18n import N_
from backcoach.clinical.progression import reclassification_due, settled
from backcoach.clinical.thresholds import TH
from backcoach.store.models import Assessment, ExerciseSession, PlanItem
from backcoach.store.repo import clinical, training

STOP_KIND = "session_stop"
RECLASSIFY_KIND = "reclassification_due"
#: Rules whose follow-up is the 5-minute re-check (§5.4 rules 1 and 2; 5b "pain" goes to rule 2's).
RECHECK_RULES = frozenset({"1", "2"})
#: ``stop_reason`` stored on the session for each rule (rule 2 keeps its ``pain_high``/``pain_rise``).
SESSION_REASONS = {"1": "peripheralization", "4": "cardiorespiratory", "5a": "fall", "5b": "patient_stop",
                   "6": "tracking_lost"}
#: A fall's stop waits for the patient's answers (§5.4 rule 5a) with this status.
FALL_CHECK = "fall_check"
#: ``stop_reason`` of a session ended because the re-check found the symptoms not settled.
NOT_SETTLED = "not_settled"

ALERT_NOT_SETTLED = N_("A session ended after a stop: symptoms had not settled")
ALERT_RECLASSIFY = N_("Repeated stops within 7 days: reclassification due")
ALERT_FALL = N_("Fall during a session: review")

#: Relief shown during the re-check: the directional-preference relief movement where the
#: category establishes one (§3.6 flexion / extension-rotation intolerance), otherwise rest
#: positions (§5.4 rule 1) [E].
RELIEF = {
    "FLEXION_INTOLERANCE": N_("Your relief position: lie on your front for a few minutes. If that is "
                              "comfortable, prop yourself up on your elbows. Breathe slowly."),
    "EXT_ROT_INTOLERANCE": N_("Your relief position: lie on your back and gently bring both knees "
                              "towards your chest, or sit and lean forward slowly. Breathe slowly."),
}
REST_POSITIONS = N_("Rest positions: lie on your back with your knees bent and your feet flat, or with "
                    "your lower legs on a chair; or lie on your side with a pillow between your knees. "
                    "Breathe slowly.")


@dataclass(frozen=True)
class StopFlags:
    """What §5.3 needs from one session's stops for one exercise."""

    peripheralized: bool
    rule2_stop: bool
    #: A fall during it (§5.4 rule 5a): next session this exercise is one level lower.
    fell: bool = False


def record_stop(db: Session, session: ExerciseSession, rule: str, reason: str, *, plan_item_id: int | None,
                nrs: int | None = None) -> Assessment:
    """Store a stop, end the stopped exercise's open sets, and flag reclassification when due."""
    exercise_id = None
    for exercise_set in session.sets:
        if plan_item_id is not None and exercise_set.plan_item_id == plan_item_id:
            exercise_id = exercise_set.exercise_id
            if exercise_set.ended_at is None:
                training.finish_set(db, exercise_set)
    if exercise_id is None and plan_item_id is not None:
        item = db.get(PlanItem, plan_item_id)
        exercise_id = item.exercise_id if item is not None else None
    needs_recheck = rule in RECHECK_RULES or (rule == "5b" and reason == "pain")
    status = "recheck" if needs_recheck else FALL_CHECK if rule == "5a" else "skipped"
    stop = clinical.save_assessment(db, patient_id=session.patient_id, kind=STOP_KIND, data={
        "session_id": session.id, "plan_item_id": plan_item_id, "exercise_id": exercise_id, "rule": rule,
        "reason": reason, "pre": session.pain_before, "nrs": nrs, "status": status,
    })
    if session.stop_reason is None:  # the first stop of a session is the one the therapist sees first
        session.stop_reason = reason if rule == "2" else SESSION_REASONS.get(rule, reason)
    if rule in RECHECK_RULES:
        _escalate(db, session.patient_id)
    return stop


def session_stops(db: Session, session: ExerciseSession) -> list[Assessment]:
    return [a for a in _stops(db, session.patient_id) if a.data.get("session_id") == session.id]


def pending_recheck(db: Session, session: ExerciseSession) -> Assessment | None:
    """The stop still waiting for its 5-minute re-check, if any."""
    return next((s for s in reversed(session_stops(db, session)) if s.data["status"] == "recheck"), None)


def pending_fall(db: Session, session: ExerciseSession) -> Assessment | None:
    """The fall still waiting for the patient's answers, if any."""
    return next((s for s in reversed(session_stops(db, session)) if s.data["status"] == FALL_CHECK), None)


def stopped_items(db: Session, session: ExerciseSession) -> set[int]:
    """Plan items skipped for the rest of this session because of a stop."""
    return {s.data["plan_item_id"] for s in session_stops(db, session)
            if s.data.get("plan_item_id") is not None and s.data["status"] != "not_settled"}


def seconds_since(stop: Assessment, now: datetime) -> float:
    return (now - _aware(stop.assessed_at)).total_seconds()


def answer_recheck(db: Session, stop: Assessment, session: ExerciseSession, nrs: int, legs_beyond: bool) -> bool:
    """Store the re-check; True when settled (NRS <= pre + 1 and no leg symptoms beyond the start)."""
    pre = session.pain_before if session.pain_before is not None else nrs
    is_settled = settled(pre, nrs, legs_beyond)
    stop.data = {**stop.data, "status": "settled" if is_settled else "not_settled",
                 "recheck": {"nrs": nrs, "legs": legs_beyond}, "clinician_review": not is_settled}
    db.flush()
    return is_settled


def stop_flags(db: Session, session: ExerciseSession, exercise_id: str) -> StopFlags:
    """This session's §5.4 stops of ``exercise_id`` as the §5.3 decision reads them (rows 1 and 2)."""
    rules = {s.data["rule"] for s in session_stops(db, session) if s.data.get("exercise_id") == exercise_id}
    return StopFlags(peripheralized="1" in rules, rule2_stop="2" in rules, fell="5a" in rules)


def review_alerts(db: Session, patient_id: int, now: datetime | None = None) -> list[str]:
    """The therapist's roster alerts from stops: a recent unsettled stop, an open reclassification flag."""
    now = now or datetime.now(timezone.utc)
    window = timedelta(days=TH["escalation_days"])
    alerts = []
    recent = [s for s in _stops(db, patient_id) if now - _aware(s.assessed_at) <= window]
    if any(s.data["status"] == "not_settled" for s in recent):
        alerts.append(ALERT_NOT_SETTLED)
    if any(s.data["rule"] == "5a" for s in recent):
        alerts.append(ALERT_FALL)
    flag = clinical.latest_assessment(db, patient_id, RECLASSIFY_KIND)
    classified = clinical.latest_classification(db, patient_id)
    if flag is not None and (classified is None or _aware(classified.classified_at) < _aware(flag.assessed_at)):
        alerts.append(ALERT_RECLASSIFY)
    return alerts


def relief_text(db: Session, patient_id: int) -> str:
    """The relief advice (untranslated message id) for this patient's current category."""
    classified = clinical.latest_classification(db, patient_id)
    return RELIEF.get(classified.category if classified else "", REST_POSITIONS)


def _escalate(db: Session, patient_id: int) -> None:
    """§5.3/§5.4: a recurring peripheralization or two rule-1/2 stops within 7 days -> reclassification.

    One open flag at a time: a new one is stored only when none is open (a flag closes when the
    patient is classified again).
    """
    if ALERT_RECLASSIFY in review_alerts(db, patient_id):
        return
    stops = [s for s in _stops(db, patient_id) if s.data["rule"] in RECHECK_RULES]
    days = [(_aware(s.assessed_at).date().toordinal(), s) for s in stops]
    today = max(d for d, _s in days)
    if reclassification_due([d for d, s in days if s.data["rule"] == "1"], [d for d, _s in days], today):
        recent = [s for d, s in days if today - d <= TH["escalation_days"]]
        clinical.save_assessment(db, patient_id=patient_id, kind=RECLASSIFY_KIND, data={
            "stop_ids": [s.id for s in recent], "rules": [s.data["rule"] for s in recent],
            "source": TH.info("escalation_days").source, "outcome": "CLINICIAN_REVIEW",
        })


def _stops(db: Session, patient_id: int) -> list[Assessment]:
    return list(db.scalars(select(Assessment)
                           .where(Assessment.patient_id == patient_id, Assessment.kind == STOP_KIND)
                           .order_by(Assessment.assessed_at, Assessment.id)))


def _aware(moment: datetime) -> datetime:
    """SQLite gives naive datetimes back; the store writes UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)
