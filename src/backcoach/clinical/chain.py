"""The whole clinical chain on one patient, for the worked example and the ``chain`` command.

intake -> scores -> red flags -> camera tests -> classification -> 4-week plan -> simulated
sessions with progression -> week-2 reassessment (reclassification and a plan difference for the
therapist). Pure: recordings are passed in as :class:`PoseSequence` objects by the caller.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import Field

from backcoach.clinical.aberrant import aberrant_signs
from backcoach.clinical.assess import measure_test
from backcoach.clinical.catalog import CatalogEntry
from backcoach.clinical.classify import classify
from backcoach.clinical.examination import Examination, HeelToeWalk, WalkSide
from backcoach.clinical.holds import endurance_ratios
from backcoach.clinical._models import Strict
from backcoach.clinical.intake import Intake
from backcoach.clinical.prescription import plan_from_classification
from backcoach.clinical.progression import (
    ExerciseRecord, FlareState, before_session, decide, flare_adjust, update_flare,
)
from backcoach.clinical.reassessment import Measures, plan_difference, reassess
from backcoach.clinical.redflags import screen
from backcoach.pose.sequence import PoseSequence

LADDERED = ("core", "mckenzie")


class CameraInput(Strict):
    recording: str = Field(..., description="recording file (any format `load_recording` reads), relative to the JSON")
    pain: dict | None = Field(None, description="the patient's pain report for this direction")
    taps: list[float] = Field([], description="'hurts now' tap times in seconds (painful arc, T5)")


class RecordInput(Strict):
    max_in: int | None = Field(None, ge=0, le=10, description="highest NRS during the exercise (default: pre)")
    form: float | None = Field(None, ge=0, le=1)
    cr10: float | None = Field(None, ge=0, le=11)
    cue50: bool = False
    peripheralized: bool = False
    rule2_stop: bool = False


class SessionInput(Strict):
    pre: int = Field(..., ge=0, le=10)
    next_morning: int | None = Field(None, ge=0, le=10)
    default: RecordInput = RecordInput()
    exercises: dict[str, RecordInput] = {}


class ReassessmentInput(Strict):
    measures: dict = Field({}, description="nrs_current, nrs_average, nrs_worst, odi_percent, rmdq, new_leg_symptoms")
    sessions_done: int = Field(6, ge=0)
    examination: Examination | None = None


class ChainInput(Strict):
    intake: Intake
    camera: dict[str, CameraInput] = {}
    mode: str = "ai_guided"
    sessions: list[SessionInput] = []
    week2: ReassessmentInput | None = None
    week4: ReassessmentInput | None = None
    week8: ReassessmentInput | None = None


def baseline_measures(scores: Mapping[str, dict]) -> Measures:
    nrs = scores.get("nrs", {}).get("subscales", {})
    odi, rmdq = scores.get("odi", {}), scores.get("rmdq", {})
    return Measures(nrs_current=nrs.get("current"), nrs_average=nrs.get("average"), nrs_worst=nrs.get("worst"),
                    odi_percent=odi.get("percent") if odi.get("valid") else None,
                    rmdq=rmdq.get("total") if rmdq.get("valid") else None)


def run_camera(data: ChainInput, recordings: Mapping[str, PoseSequence]) -> tuple[dict, Examination]:
    """Measure every camera test given and fold FTF and the T5 signs into the examination."""
    patient = data.intake.patient
    results = {}
    for test_id, spec in data.camera.items():
        results[test_id] = measure_test(recordings[test_id], test_id, pain=spec.pain, height_cm=patient.height_cm,
                                        sex=patient.sex).to_dict()
    exam = (data.intake.examination or Examination()).model_copy(deep=True)
    flexion = results.get("rom_flexion")
    if flexion and flexion["status"] == "VALID" and flexion["details"].get("ftf_cm") is not None:
        exam.t11 = exam.t11.model_copy(update={"ftf_cm": flexion["details"]["ftf_cm"]})
    if "rom_flexion" in recordings:
        exam.t5_aberrant = aberrant_signs(recordings["rom_flexion"], recordings.get("rom_flexion_front"),
                                          data.camera["rom_flexion"].taps)
    raises = results.get("t9_heel_raises")
    if raises and raises["status"] == "VALID":
        t9 = exam.t9_heel_toe or HeelToeWalk()
        side = raises["details"]["side"]
        walk = t9.sides.get(side, WalkSide()).model_copy(update={"heel_raises": min(10, raises["value"])})
        exam.t9_heel_toe = t9.model_copy(update={"sides": {**t9.sides, side: walk}})
    holds = {k: v["value"] for k, v in results.items() if v["unit"] == "s" and v["value"] is not None}
    if holds:
        results["ratios"] = endurance_ratios(holds)
    return results, exam


def simulate_sessions(plan, sessions: list[SessionInput], catalog: Mapping[str, CatalogEntry],
                      onboarding_nrs: int) -> tuple[list[dict], dict[str, int]]:
    """Apply §5.3 decisions with the §5.4 pre-session rule and the §5.5 flare plan, session by session.

    A pre-session NRS >= 7 skips the loaded (laddered) exercises that day; while a flare is active each
    laddered exercise is done one level lower at half the sets and cannot progress. Records keep the
    exercise's ladder level, so the §5.3 window is not broken by the temporary flare adjustment.
    """
    levels = {i.id: i.level for s in plan.sessions for i in s.items}
    history: dict[str, list[ExerciseRecord]] = {}
    flare, pres, log = FlareState(), [], []
    for session, given in zip(plan.sessions, sessions):
        day = (session.week - 1) * 7 + session.day
        flare = update_flare(flare, given.pre, pres, onboarding_nrs, day)
        pres.append(given.pre)
        gate = before_session(given.pre)
        decisions, adjusted = [], {}
        for item in session.items:
            if item.modality not in LADDERED or gate:
                continue
            if flare.active:
                level, sets = flare_adjust(levels[item.id], catalog[item.id].dose(levels[item.id]).sets)
                adjusted[item.id] = {"level": level, "sets": sets}
            record = given.exercises.get(item.id, given.default)
            history.setdefault(item.id, []).append(ExerciseRecord(
                item.id, levels[item.id], day, given.pre,
                record.max_in if record.max_in is not None else given.pre, given.next_morning, record.form,
                record.cr10, record.cue50, record.peripheralized, False, record.rule2_stop))
            decision = decide(history[item.id], plan.cr10_upper[session.week - 1], catalog[item.id].top_level,
                              flare.active)
            levels[item.id] = decision.level
            decisions.append({"exercise": item.id, "action": decision.action, "row": decision.row,
                              "reason": decision.reason, "level": decision.level})
        log.append({"session": session.number, "week": session.week, "day": day, "pre": given.pre,
                    "loaded_exercise": gate is None, "message": gate["message"] if gate else None,
                    "flare_active": flare.active, "flare_events": flare.events, "flare_adjusted": adjusted,
                    "decisions": decisions})
    return log, levels


def run_chain(data: ChainInput, catalog: Mapping[str, CatalogEntry],
              recordings: Mapping[str, PoseSequence]) -> dict:
    out: dict = {}
    screened = screen(data.intake)
    out["red_flags"] = screened.to_dict()
    camera, exam = run_camera(data, recordings)
    out["camera"] = camera
    intake = data.intake.model_copy(update={"examination": exam})
    first = classify(intake)
    out["scores"] = first.scores
    out["classification"] = first.to_dict()
    if first.category is None:
        out["stopped"] = f"{first.outcome}: exercise locked; no plan"
        return out
    plan = plan_from_classification(first, catalog, data.mode)
    out["plan"] = plan.to_dict()
    onboarding = (first.scores.get("nrs", {}).get("subscales", {}) or {}).get("current") or 0
    log, levels = simulate_sessions(plan, data.sessions, catalog, onboarding)
    out["sessions"] = log
    out["levels_reached"] = levels
    if data.week2 is not None:
        current = Measures(**data.week2.measures)
        decision = reassess(2, baseline_measures(first.scores), current, sessions_done=data.week2.sessions_done)
        out["week2"] = {"reassessment": decision.to_dict()}
        re_intake = intake.model_copy(update={"examination": data.week2.examination or exam})
        second = classify(re_intake)
        second.approach = decision.approach  # §5.6: the approach is re-applied on the week-2 values
        out["week2"]["classification"] = second.to_dict()
        if second.category is not None:
            # compare like with like: the current programme at the levels reached vs the proposal
            current_plan = plan_from_classification(first, catalog, data.mode, levels=levels)
            new_plan = plan_from_classification(second, catalog, data.mode, levels=levels)
            out["week2"]["plan_difference"] = plan_difference(current_plan, new_plan, from_week=3)
            out["week2"]["confirmation_needed"] = second.category != first.category or bool(
                out["week2"]["plan_difference"]["changes"])
    baseline = baseline_measures(first.scores)
    if data.week4 is not None:
        week4 = Measures(**data.week4.measures)
        decision = reassess(4, baseline, week4, sessions_done=data.week4.sessions_done,
                            other_weak_flags=len(screened.weak_flags))
        out["week4"] = {"reassessment": decision.to_dict()}
        if data.week8 is not None:
            out["week8"] = {"reassessment": reassess(8, baseline, Measures(**data.week8.measures),
                                                     week4=week4).to_dict()}
    return out
