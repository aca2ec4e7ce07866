"""Recognising the body's posture and the camera's view from one frame's landmarks.

Rules on a few proportions, all divided by the torso length so they hold at any distance, and
all from 2D y-up points (:func:`backcoach.motion.geometry.to_image_points`). Thresholds are
engineering defaults [E] (brief §4.0 gives the postures, not their boundaries); they are
deliberately wide, since the engine only needs to know whether the patient is in the exercise's
start position, not to classify arbitrary poses.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# Landmark indices (BlazePose).
NOSE, L_EAR, R_EAR = 0, 7, 8
L_SH, R_SH, L_WR, R_WR = 11, 12, 15, 16
L_HIP, R_HIP, L_KNEE, R_KNEE, L_ANK, R_ANK = 23, 24, 25, 26, 27, 28

#: Trunk within this many degrees of vertical is upright; beyond LYING_TRUNK_DEG it is lying.
UPRIGHT_TRUNK_DEG = 40.0
LYING_TRUNK_DEG = 50.0
#: Width-to-torso ratios separating a side view from a front view (shoulder and hip widths
#: project to ~0.6-0.9 torso lengths facing the camera and to under 0.3 side-on).
FRONT_WIDTH_RATIO = 0.45
SIDE_WIDTH_RATIO = 0.3
MIN_VIS = 0.5
#: Shoulder or hip width beyond this many torso lengths: the trunk points at the camera (end-on).
END_ON_WIDTH_RATIO = 2.0
#: Hip height above the knee (in torso lengths) below which an upright body is sitting.
SITTING_HIP_OVER_KNEE = 0.6


@dataclass(frozen=True, slots=True)
class Posture:
    """A recognised posture and view; ``reason`` explains an ``unknown``."""

    posture: str
    view: str
    reason: str = ""


def _mid(points, vis, i: int, j: int):
    vi, vj = vis[i] >= MIN_VIS, vis[j] >= MIN_VIS
    if vi and vj:
        return ((points[i][0] + points[j][0]) / 2, (points[i][1] + points[j][1]) / 2)
    if vi:
        return points[i]
    if vj:
        return points[j]
    return None


def recognise(points: list, vis: list) -> Posture:
    """Posture (standing, sitting, kneeling, quadruped, supine, prone, side_lying or unknown) and
    view (side, front or unknown) from y-up 2D points and visibilities."""
    shoulder, hip = _mid(points, vis, L_SH, R_SH), _mid(points, vis, L_HIP, R_HIP)
    if shoulder is None or hip is None:
        return Posture("unknown", "unknown", "shoulders or hips not visible")
    torso = math.dist(shoulder, hip)
    if torso <= 0:
        return Posture("unknown", "unknown", "shoulders and hips coincide")
    view = _view(points, vis, torso)
    widths = _widths(points, vis)
    if widths and max(widths) >= END_ON_WIDTH_RATIO * torso:
        # The trunk points at the camera (filmed from the feet or the head): lying or on all fours.
        return Posture(_end_on(points, vis, shoulder, hip, max(widths)), "front")
    trunk = math.degrees(math.atan2(abs(shoulder[0] - hip[0]), shoulder[1] - hip[1]))
    knee, ankle = _mid(points, vis, L_KNEE, R_KNEE), _mid(points, vis, L_ANK, R_ANK)
    if trunk <= UPRIGHT_TRUNK_DEG:
        return Posture(_upright(hip, knee, ankle, torso), view)
    if trunk >= LYING_TRUNK_DEG:
        return Posture(_horizontal(points, vis, shoulder, hip, knee, torso), view)
    return Posture("unknown", view, f"trunk {trunk:.0f} deg from vertical is between upright and lying")


def _widths(points, vis) -> list[float]:
    return [math.dist(points[i], points[j]) for i, j in ((L_SH, R_SH), (L_HIP, R_HIP))
            if vis[i] >= MIN_VIS and vis[j] >= MIN_VIS]


def _view(points, vis, torso: float) -> str:
    widths = _widths(points, vis)
    if not widths:
        return "side"  # the far side is hidden: only a side view does that
    # The mean of shoulder and hip width: a camera above a lying body spreads the shoulders
    # (depth maps onto image height) but hardly the narrower hips.
    ratio = sum(widths) / len(widths) / torso
    if ratio >= FRONT_WIDTH_RATIO:
        return "front"
    if ratio <= SIDE_WIDTH_RATIO:
        return "side"
    return "unknown"


def _upright(hip, knee, ankle, torso: float) -> str:
    if knee is None:
        return "unknown"
    # Standing puts the hip a thigh length (~0.85 torso) above the knee; sitting brings it level in
    # side view and, seen from the front by a camera above hip height, to well under 0.6.
    hip_over_knee = (hip[1] - knee[1]) / torso
    if hip_over_knee < SITTING_HIP_OVER_KNEE:
        return "sitting"
    if ankle is None:
        return "standing"
    knee_over_ankle = (knee[1] - ankle[1]) / torso
    return "kneeling" if knee_over_ankle < 0.25 else "standing"


def _end_on(points, vis, shoulder, hip, width: float) -> str:
    """Posture of a body whose trunk points at the camera, in units of its shoulder width."""
    knee, wrist = _mid(points, vis, L_KNEE, R_KNEE), _mid(points, vis, L_WR, R_WR)
    knees_below = knee is not None and (hip[1] - knee[1]) / width > 0.4
    hands_below = wrist is not None and (shoulder[1] - wrist[1]) / width > 0.4
    if knees_below and hands_below:
        return "quadruped"
    ear = _mid(points, vis, L_EAR, R_EAR)
    if vis[NOSE] >= MIN_VIS and ear is not None and points[NOSE][1] > ear[1]:
        return "supine"
    return "prone"


def _horizontal(points, vis, shoulder, hip, knee, torso: float) -> str:
    # Side-lying seen from the front: one shoulder stacked above the other, and one hip above the
    # other (a camera above a supine body also separates the shoulders a little, never both much).
    if all(vis[i] >= MIN_VIS for i in (L_SH, R_SH, L_HIP, R_HIP)) and (
        abs(points[L_SH][1] - points[R_SH][1]) / torso > 0.5 and abs(points[L_HIP][1] - points[R_HIP][1]) / torso > 0.3
    ):
        return "side_lying"
    wrist = _mid(points, vis, L_WR, R_WR)
    hands_below = wrist is not None and (shoulder[1] - wrist[1]) / torso > 0.5
    knees_below = knee is not None and (hip[1] - knee[1]) / torso > 0.4
    if hands_below and knees_below:
        return "quadruped"
    if knee is not None and (hip[1] - knee[1]) / torso > 0.4:
        return "quadruped" if hands_below else "unknown"
    ear = _mid(points, vis, L_EAR, R_EAR)
    if vis[NOSE] < MIN_VIS or ear is None:
        return "prone"  # a face turned to the floor hides the nose
    face_up = (points[NOSE][1] - ear[1]) / torso
    return "supine" if face_up > 0.08 else "prone"

