"""Results of the camera-guided tests T1-T11 (clinical brief §3.5 B) as classification inputs.

Each test carries ``status`` VALID or INCONCLUSIVE with a reason; a finding that depends on an
INCONCLUSIVE (or missing) test is UNKNOWN, and UNKNOWN satisfies no condition (§3.5).
Camera results from :mod:`backcoach.clinical.camera` fill these models; a clinician or a test
harness may also fill them by hand.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from backcoach.clinical._models import Side, Strict
from backcoach.clinical.thresholds import TH

Status = Literal["VALID", "INCONCLUSIVE"]
Reason = Literal["not_done", "aborted", "camera_quality"]
Location = int  # most distal symptom: 0 back, 1 buttock, 2 thigh, 3 below knee, 4 foot
State = Literal["PERIPHERALIZES", "CENTRALIZES", "WORSE", "BETTER", "NO_EFFECT", "INCONCLUSIVE"]
T6_MOVEMENTS = ("side_bend_left", "side_bend_right", "rotation_left", "rotation_right")
T10_SUBTESTS = ("waiters_bow", "pelvic_tilt", "one_leg_stance", "sitting_knee_extension", "quadruped_rocking",
                "prone_knee_bend")
LEG_LOCATION = 2  # thigh or further = a leg symptom


class DirectionalTest(Strict):
    """T1-T4 and each T6 movement: ratings before, right after and 60 s after the set (§3.6 step 2)."""

    status: Status = "VALID"
    reason: Reason | None = None
    abort_answer: Literal["pain_spread", "pain_worse", "other"] | None = Field(
        None, description="why the patient pressed abort; safety answers are never discarded")
    pre_nrs: int | None = Field(None, ge=0, le=10)
    nrs_60s: int | None = Field(None, ge=0, le=10)
    pre_location: Location | None = Field(None, ge=0, le=4)
    immediate_location: Location | None = Field(None, ge=0, le=4)
    location_60s: Location | None = Field(None, ge=0, le=4)

    def state(self) -> State:
        """First match of INCONCLUSIVE, PERIPHERALIZES, CENTRALIZES, WORSE, BETTER, NO_EFFECT."""
        if self.abort_answer == "pain_spread":
            return "PERIPHERALIZES"
        if self.abort_answer == "pain_worse":
            return "WORSE"
        ratings = (self.pre_nrs, self.nrs_60s, self.pre_location, self.immediate_location, self.location_60s)
        if self.status != "VALID" or self.abort_answer == "other" or any(r is None for r in ratings):
            return "INCONCLUSIVE"
        if max(self.immediate_location, self.location_60s) > self.pre_location:
            return "PERIPHERALIZES"
        if self.location_60s < self.pre_location or (
                self.pre_location >= LEG_LOCATION and self.location_60s < LEG_LOCATION):
            return "CENTRALIZES"
        change = TH["directional_nrs_change"]
        if self.nrs_60s >= self.pre_nrs + change:
            return "WORSE"
        if self.nrs_60s <= self.pre_nrs - change:
            return "BETTER"
        return "NO_EFFECT"


class AberrantSigns(Strict):
    """T5 during T1: each sign True / False, or None when it could not be judged."""

    status: Status = "VALID"
    painful_arc: bool | None = None
    instability_catch: bool | None = None
    gowers_sign: bool | None = None
    reversal_of_rhythm: bool | None = None


class SlrSide(Strict):
    """T7 active straight-leg raise, one leg."""

    status: Status = "VALID"
    below_knee_pain: bool = False
    onset_hip_flexion_deg: float | None = Field(None, ge=0, le=180, description="angle at first symptoms")
    max_hip_flexion_deg: float | None = Field(None, ge=0, le=180)
    dorsiflexion_increases: bool = False
    crossed_pain: bool = Field(False, description="lifting this leg brings on pain in the other (symptomatic) leg")


class Slump(Strict):
    """T8: positive only if the leg symptoms ease when the chin is lifted."""

    status: Status = "VALID"
    eases_with_neck_extension: bool = False


class WalkSide(Strict):
    heel_walk_forefoot_down: int = Field(0, ge=0, le=10, description="steps of 10 with the forefoot lowered")
    toe_walk_heel_down: int = Field(0, ge=0, le=10)
    heel_raises: int = Field(10, ge=0, le=10, description="counted single-leg heel raises of 10")


class HeelToeWalk(Strict):
    """T9 heel walk, toe walk and heel raises (the §3.5 T9 rule), with the step 1a follow-up answers."""

    status: Status = "VALID"
    sides: dict[Side, WalkSide] = {}
    fallback_weakness: bool | None = Field(None, description="if INCONCLUSIVE: 'Do you have weakness in a foot or leg?'")
    weakness_new_or_worse: Literal["yes", "no", "not_sure"] | None = None

    def weakness(self) -> bool | None:
        """``t9_weakness``: True / False, or None (UNKNOWN) when inconclusive and the fallback question
        was not answered "yes" (then T9 goes on retest_due with CLINICIAN_REVIEW, §3.5)."""
        if self.status != "VALID":
            return True if self.fallback_weakness else None
        fail = TH["t9_walk_fail_steps"]
        return any(s.heel_walk_forefoot_down >= fail or s.toe_walk_heel_down >= fail
                   or s.heel_raises < TH["t9_min_heel_raises"] for s in self.sides.values())


class Flexibility(Strict):
    """T11 measurements; None = that item was not measured validly (adds no flag)."""

    ftf_cm: float | None = Field(None, description="fingertip-to-floor at maximum forward bend")
    hip_flexor_back_thigh_deg: dict[Side, float] = Field({}, description="back thigh angle behind vertical")
    hip_flexor_trunk_upright: bool = True
    figure4_knee_height_diff_ll: float | None = Field(None, ge=0, description="side difference / leg length")


class Examination(Strict):
    t1_flexion_standing: DirectionalTest | None = None
    t2_extension_standing: DirectionalTest | None = None
    t3_extension_lying: DirectionalTest | None = None
    t4_flexion_lying: DirectionalTest | None = None
    t5_aberrant: AberrantSigns | None = None
    t6: dict[Literal["side_bend_left", "side_bend_right", "rotation_left", "rotation_right"], DirectionalTest] = {}
    t7_slr: dict[Side, SlrSide] = {}
    t8_slump: Slump | None = None
    t9_heel_toe: HeelToeWalk | None = None
    t10: dict[Literal["waiters_bow", "pelvic_tilt", "one_leg_stance", "sitting_knee_extension",
                      "quadruped_rocking", "prone_knee_bend"], Literal["kept", "lost", "inconclusive"]] = {}
    t11: Flexibility = Flexibility()
