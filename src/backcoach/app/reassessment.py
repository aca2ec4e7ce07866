"""Glue for the week-2, 4 and 8 reassessment (clinical brief §5.6): what is due, the measures
compared, and the plan change proposed to the therapist.

It decides nothing itself: the rows, the re-classification and the plan are ``backcoach.clinical``'s.
Nothing changes for the patient here; the therapist approves or rejects the stored proposal.
"""

from __future__ import annotations

from dataclasses import asdict, replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from backcoach.app import camera_assessment
from backcoach.app.assessment import (
    SELF_ASSESSMENT,
    build_intake,
    file_for_confirmation,
    held_for_confirmation,
    library_plan,
    plan_sessions,
    without,
)
from backcoach.clinical.catalog import PlanError
from backcoach.clinical.classify import classify
from backcoach.clinical.prescription import Plan as ClinicalPlan
from backcoach.clinical.reassessment import Measures, ReassessmentResult, plan_difference, reassess
from backcoach.clinical.thresholds import TH
from backcoach.store.models import (
    ClassificationResult,
    Plan,
    PlanItem,
    PlanProposal,
    PlanSession,
    QuestionnaireResponse,
    RedFlagScreening,
)
from backcoach.store.repo import clinical, plans
from backcoach.store.repo import portal as portal_repo
from backcoach.store.repo.plans import ItemSpec, SessionSpec

#: Weeks after the plan's start when the patient repeats the self-assessment (§5.6; 8 = follow-up).
REASSESSMENT_WEEKS = (2, 4, 8)
#: Questionnaires repeated then: the measures the §5.6 rows compare (NRS, ODI, RMDQ).
REASSESSMENT_INSTRUMENTS = ("nrs", "odi", "rmdq")
#: Weeks after which the 4-week plan is over: their proposal schedules the next block of weeks.
BLOCK_WEEKS = 4
#: The plan week a week-8 re-engagement restarts from (§5.6: "the week-3 plan at the last levels reached").
RE_ENGAGE_WEEK = 3


def plan_week(plan: Plan, week: int) -> int:
    """The plan week at whose end reassessment ``week`` falls: the plan the patient follows.

    Weeks 2 and 4 close plan weeks 2 and 4. Week 8 comes four weeks into the block approved at
    week 4, which starts a whole number of weeks later when it was approved late
    (:func:`not_before`); without such a block, it closes plan week 8.
    """
    block = [s.week for s in plan.sessions if s.week > BLOCK_WEEKS]
    if week <= BLOCK_WEEKS or not block:
        return week
    return min(block) - 1 + week - BLOCK_WEEKS


def due_on(plan: Plan, week: int) -> date:
    return plan.starts_on + timedelta(weeks=plan_week(plan, week))


def due_week(db: Session, plan: Plan, today: date) -> int | None:
    """The latest reassessment week reached and not yet proposed for this plan (an older missed
    one is not asked for again: the latest answers are the ones that matter)."""
    proposed = {p.week for p in portal_repo.proposals_of(db, plan.patient_id) if p.plan_id == plan.id}
    reached = [week for week in REASSESSMENT_WEEKS if today >= due_on(plan, week)]
    return reached[-1] if reached and reached[-1] not in proposed else None


def responses_for(db: Session, patient_id: int, week: int) -> dict[str, QuestionnaireResponse]:
    """The latest answers to each questionnaire given for ``week`` (0 = the self-assessment)."""
    latest: dict[str, QuestionnaireResponse] = {}
    for response in clinical.responses_of(db, patient_id):
        if response.week == week:
            latest[response.instrument] = response
    return latest


#: ``Assessment.kind`` marking the full red-flag screen answered for a reassessment (session
#: check-ins store screenings too, with only the short set asked).
SCREENING_KIND = "reassessment_screening"


def record_screening(db: Session, plan: Plan, week: int, screening_id: int) -> None:
    clinical.save_assessment(db, patient_id=plan.patient_id, kind=SCREENING_KIND,
                             data={"plan_id": plan.id, "week": week, "screening_id": screening_id})


def screening_for(db: Session, plan: Plan, week: int) -> RedFlagScreening | None:
    """The full red-flag screen answered for this plan's reassessment ``week``, if any."""
    marker = clinical.latest_assessment(db, plan.patient_id, SCREENING_KIND)
    if marker is None or marker.data.get("plan_id") != plan.id or marker.data.get("week") != week:
        return None
    return db.get(RedFlagScreening, marker.data["screening_id"])


def measures(responses: dict[str, QuestionnaireResponse]) -> Measures:
    """The §5.6 measures from stored questionnaire results (missing ones stay ``None``)."""
    nrs = responses["nrs"].result.get("subscales", {}) if "nrs" in responses else {}
    odi = responses.get("odi")
    rmdq = responses.get("rmdq")
    return Measures(nrs_current=nrs.get("current"), nrs_average=nrs.get("average"), nrs_worst=nrs.get("worst"),
                    odi_percent=odi.result.get("percent") if odi else None, rmdq=rmdq.total if rmdq else None)


def baseline_camera(db: Session, plan: Plan) -> dict[str, Any]:
    """The self-assessment's camera outcomes the plan was built on (tests repeated later at
    ``/assessment/camera`` do not move the baseline)."""
    return camera_assessment.outcomes(db, plan.patient_id, 0, before=plan.created_at, counting=True)


def camera_trend(baseline: dict[str, Any], current: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each camera test measured validly at baseline and now: both values and the change (a
    within-person trend for the therapist; §6.4: changes under ~5-10 deg may be camera error)."""
    out = {}
    for test_id, row in current.items():
        before = baseline.get(test_id)
        values = [(r.data.get("result") or {}) for r in (before, row) if r is not None]
        if len(values) == 2 and all(v.get("status") == "VALID" for v in values):
            out[test_id] = {"baseline": values[0]["value"], "now": values[1]["value"], "unit": values[1]["unit"],
                            "change": round(values[1]["value"] - values[0]["value"], 1)}
    return out


def _reclassified(db: Session, patient_id: int, screening_answers: dict[str, Any],
                  camera: dict[str, Any]) -> dict[str, Any] | None:
    """The clinical library's classification on the latest answers and this week's camera tests,
    when it gives a category."""
    history = clinical.latest_assessment(db, patient_id, "history")
    questionnaires = {}
    for instrument in SELF_ASSESSMENT:
        response = clinical.latest_response(db, patient_id, instrument)
        if response is not None:
            questionnaires[instrument] = response.answers["items"]
    result = classify(build_intake(history.data if history else None, screening_answers, questionnaires,
                                   camera_assessment.examination(camera)))
    if not result.category:
        return None
    return result.to_dict() | {"camera_tests": camera_assessment.coverage(camera)}


def _evenly(sessions: list[SessionSpec], n: int) -> list[SessionSpec]:
    """``n`` of a week's sessions spread over it (2 of Mon/Wed/Fri -> Mon and Fri)."""
    if n >= len(sessions):
        return sessions
    return [sessions[round(k * (len(sessions) - 1) / (n - 1))] for k in range(n)] if n > 1 else sessions[:1]


def _item_spec(item: PlanItem) -> ItemSpec:
    return ItemSpec(exercise_id=item.exercise_id, block=item.block, sets=item.sets, reps=item.reps,
                    hold_seconds=item.hold_seconds, rest_seconds=item.rest_seconds,
                    expected_seconds=item.expected_seconds, level=item.level, per_side=item.per_side)


def _stored_week(plan: Plan, week: int) -> list[SessionSpec]:
    """The stored plan's sessions of ``week`` as the patient has them now (therapist edits, approved
    proposals and automatic progressions included; exercises awaiting confirmation left out)."""
    return [SessionSpec(week=s.week, index_in_week=s.index_in_week, scheduled_on=s.scheduled_on,
                        items=tuple(_item_spec(i) for i in s.items))
            for s in sorted(plan.sessions, key=lambda s: s.scheduled_on) if s.week == week]


def _confirmed(session: PlanSession, proposed: SessionSpec, confirmed: set[str]) -> list[ItemSpec]:
    """The session's items as they are now, in the proposal's order, with the ``confirmed`` exercises
    put back where the proposal had them: edits and progressions made while the confirmation waited
    are kept (an exercise taken out since stays out; one added since stays, at the end)."""
    remaining = [_item_spec(i) for i in session.items]
    items = []
    for wanted in proposed.items:
        now = next((i for i in remaining if i.exercise_id == wanted.exercise_id), None)
        if now is not None:
            remaining.remove(now)
            items.append(now)
        elif wanted.exercise_id in confirmed:
            items.append(wanted)
    return items + remaining


def next_block(plan: Plan, new_plan: ClinicalPlan, row: str, week: int,
               programme_changed: bool) -> tuple[list[SessionSpec], dict[str, Any]]:
    """The four weeks after the plan week ``week`` that a week-4 or week-8 reassessment closes
    (:func:`plan_week`: 5-8 or 9-12, later after a late approval), dated on from the plan's start.

    The §5.6 row decides the frequency: re-engagement repeats plan week 3 at its full frequency;
    otherwise (maintenance, durable) the latest plan week goes on at the maintenance frequency, the
    optional extra session left to the patient. The exercises are the patient's stored ones, or the
    library's new plan when the reassessment changed the category or approach.
    Returns the sessions and a summary for the therapist.
    """
    template_week = RE_ENGAGE_WEEK if row == "re_engage" else max(s.week for s in plan.sessions)
    template = [] if programme_changed else _stored_week(plan, template_week)
    from_library = not template
    if from_library:
        library_week = min(template_week, max(s.week for s in new_plan.sessions))
        template = [s for s in plan_sessions(new_plan, plan.starts_on) if s.week == library_week]
        template = [replace(s, scheduled_on=s.scheduled_on + timedelta(weeks=template_week - library_week))
                    for s in template]
    per_week = len(template) if row == "re_engage" else TH["maintenance_sessions_per_week"]
    chosen = _evenly(template, per_week)
    sessions = [replace(s, week=target, index_in_week=index,
                        scheduled_on=s.scheduled_on + timedelta(weeks=target - template_week))
                for target in range(week + 1, week + BLOCK_WEEKS + 1)
                for index, s in enumerate(chosen, start=1)]
    summary = {"change": "schedule", "first_week": week + 1, "last_week": week + BLOCK_WEEKS,
               "sessions_per_week": len(chosen), "from_plan_week": template_week,
               "optional_extra": row != "re_engage", "exercises": "library" if from_library else "current"}
    return sessions, summary


def not_before(sessions: list[SessionSpec], today: date) -> list[SessionSpec]:
    """A next block approved after its first session's day moves on by whole weeks (renumbered, the
    weekdays kept) so that it starts no earlier than ``today``: nothing is added as already missed."""
    first = min((s.scheduled_on for s in sessions), default=today)
    weeks = -(-(today - first).days // 7) if first < today else 0
    return [replace(s, week=s.week + weeks, scheduled_on=s.scheduled_on + timedelta(weeks=weeks)) for s in sessions]


def apply_proposal(db: Session, plan: Plan, future: list[PlanSession], proposal: PlanProposal, today: date) -> None:
    """Apply an approved proposal: its slots replace the items of the plan's sessions still to come,
    and a week-4/8 next block's slots the plan does not have yet become new sessions
    (:func:`not_before` today).

    Exercises of a :data:`~backcoach.app.assessment.CONFIRM_FIRST` modality the plan does not hold
    yet (from the library's new plan) wait for the therapist's confirmation as a new plan's do: they
    are left out and filed as a week-0 proposal. Approving that confirmation adds them to its
    sessions as they are by then (:func:`_confirmed`).
    """
    by_slot = {(s["week"], s["index_in_week"]): s for s in proposal.proposed}
    changed = [s for s in future if (s.week, s.index_in_week) in by_slot]
    replaced = [SessionSpec(week=s.week, index_in_week=s.index_in_week, scheduled_on=s.scheduled_on,
                            items=tuple(ItemSpec(**i) for i in by_slot[(s.week, s.index_in_week)]["items"]))
                for s in changed]
    if proposal.week == 0:
        confirmed = {c["exercise"] for c in proposal.difference.get("changes", []) if c.get("change") == "add"}
        for session, spec in zip(changed, replaced):
            portal_repo.replace_items(db, session, _confirmed(session, spec, confirmed))
        return
    stored = {(s.week, s.index_in_week) for s in plan.sessions}
    block = [s for s in not_before([
        SessionSpec(week=s["week"], index_in_week=s["index_in_week"], scheduled_on=date.fromisoformat(s["scheduled_on"]),
                    items=tuple(ItemSpec(**item) for item in s["items"]))
        for key, s in by_slot.items() if key not in stored and "scheduled_on" in s], today)
        if (s.week, s.index_in_week) not in stored]
    held = held_for_confirmation(replaced + block, {i.exercise_id for s in plan.sessions for i in s.items})
    for session, spec in zip(changed, without(replaced, held)):
        portal_repo.replace_items(db, session, list(spec.items))
    plans.add_sessions(db, plan, without(block, held))
    file_for_confirmation(db, plan.patient_id, plan.id, replaced + block, held)


def propose(db: Session, plan: Plan, week: int, classification: ClassificationResult,
            screening_answers: dict[str, Any]) -> PlanProposal:
    """Run the week's §5.6 row and store its plan difference for the therapist's review.

    Week 2 proposes changes to the plan's remaining weeks; weeks 4 and 8 come after the 4-week
    plan, so they propose the next block of weeks (:func:`next_block`), added on approval.
    """
    patient_id = plan.patient_id
    done = plans.completed_plan_session_ids(db, patient_id)
    closes = plan_week(plan, week)
    planned = [s for s in plan.sessions if s.week <= closes]
    result: ReassessmentResult = reassess(
        week, measures(responses_for(db, patient_id, 0)), measures(responses_for(db, patient_id, week)),
        sessions_done=sum(s.id in done for s in planned), sessions_planned=len(planned),
        week4=measures(responses_for(db, patient_id, 4)) if week == 8 else None)
    category, details = classification.category, classification.details or {}
    camera = camera_assessment.outcomes(db, patient_id, week, plan.id, counting=True)
    if result.reclassify:
        new = _reclassified(db, patient_id, screening_answers, camera)
        if new is not None:
            category, details = new["category"], new
    old_approach = classification.approach or "movement_control"
    try:
        old = library_plan(classification.category, old_approach, classification.details or {})
        new_plan = library_plan(category, result.approach or old_approach, details)
    except PlanError as exc:  # the exercise library cannot build one of them: the therapist decides
        difference = {"from_week": week + 1, "status": "pending_therapist_review", "changes": [],
                      "plan_error": str(exc)}
        proposed: list[dict[str, Any]] = []
    else:
        if week >= BLOCK_WEEKS:
            difference = plan_difference(old, new_plan, min(week, max(s.week for s in new_plan.sessions)))
            changed = any(c["change"] in ("category", "approach") for c in difference["changes"])
            sessions, schedule = next_block(plan, new_plan, result.row, closes, changed)
            difference["changes"].insert(0, schedule)
            difference |= {"from_week": closes + 1, "next_block": schedule}
        else:
            difference = plan_difference(old, new_plan, week + 1)
            sessions = [s for s in plan_sessions(new_plan, plan.starts_on) if s.week > week]
        proposed = [{"week": s.week, "index_in_week": s.index_in_week, "scheduled_on": s.scheduled_on.isoformat(),
                     "items": [asdict(i) for i in s.items]} for s in sessions]
    reassessment = result.to_dict() | {
        "camera_tests": camera_assessment.coverage(camera),
        "camera_trend": camera_trend(baseline_camera(db, plan), camera)}
    return portal_repo.add_proposal(db, patient_id=patient_id, plan_id=plan.id, week=week,
                                    reassessment=reassessment, difference=difference, proposed=proposed)
