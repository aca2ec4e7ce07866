"""Tracking-quality guard and camera setup check (brief §4.0 camera setup).

Before and during an exercise, decide whether the landmarks can be trusted, and if not, which setup
cue to give instead of form feedback: nobody in view, body out of frame, too far or too close,
poor visibility (light), wrong camera view, camera not level (for exercises that need it), not in
the start position. Issues must persist for
``DEBOUNCE_S`` before the verdict changes, so a single bad frame neither raises nor clears one.
:class:`Stillness` tells whether the body has settled (not walking in, not turning to the camera),
which the start position needs before it counts.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

#: Seconds an issue (or its absence) must last before the verdict changes [E].
DEBOUNCE_S = 0.5
#: The body must span at least this fraction of the image's width or height [E]
#: (brief §4.0: whole body in frame at 2-3 m; a smaller body gives noisy landmarks).
MIN_BODY_SPAN = 0.35
#: A required landmark closer than this to the image edge is treated as leaving the frame [E]
#: (brief §4.0 asks for a 5% margin; 1% keeps the check from nagging).
EDGE_MARGIN = 0.01
#: Mean visibility of the required landmarks below this means poor light or occlusion [E].
MIN_MEAN_VISIBILITY = 0.5
MIN_VIS = 0.5

#: Stillness [E]: the body is still when its hips move slower than STILL_SPEED body lengths per
#: second (about 15 cm/s standing), measured between the mean positions of the first and second
#: halves of the last STILL_WINDOW_S. Walking into place moves the hips at 0.3-1.5 m/s; standing
#: sway and 2-3 px of landmark noise read under 0.03 (engine-issues S1: a start position "held"
#: while still walking in froze the references).
STILL_WINDOW_S = 0.5
STILL_SPEED = 0.16

#: Issues in priority order: the first present one is the cue given.
ISSUES = ("no_person", "out_of_frame", "too_far", "low_visibility", "wrong_view", "camera_not_level", "wrong_position")
#: Issues that make form feedback untrustworthy. A wrong start position does not; nor does a
#: pitched camera (only the rules that need a level one go unjudged: engine NOT_LEVEL).
UNTRUSTED = frozenset(ISSUES) - {"camera_not_level", "wrong_position"}


def frame_issues(
    points: list, vis: list, aspect: float, required: tuple[int, ...], view: str,
    allowed_views: tuple[str, ...], posture: str | None, start_position: str,
    camera_pitch: float | None = None, max_pitch: float | None = None,
) -> list[str]:
    """The setup issues visible in one frame.

    Parameters
    ----------
    points : list of (X, Y)
        y-up points in image heights (:func:`backcoach.motion.geometry.to_image_points`).
    vis : list of float
    aspect : float
        Image width / height, to map points back to the image's 0..1 box.
    required : tuple of int
        Landmarks the exercise needs.
    view, posture : str
        As recognised this frame (``"unknown"`` allowed); ``posture`` None skips the position check.
    allowed_views : tuple of str
    start_position : str
    camera_pitch, max_pitch : float, optional
        The phone's known pitch (``Frame.camera_tilt[1]``) and the largest the exercise accepts;
        ``camera_not_level`` when both are given and the pitch is larger (no reading: no issue).
    """
    visible = [i for i in range(len(vis)) if vis[i] >= MIN_VIS]
    if len(visible) < 4:
        return ["no_person"]
    issues = []
    for i in required:
        x, y = points[i][0] / aspect, 1.0 - points[i][1]
        if x != x or y != y:
            continue  # never located (NaN): a source without this landmark, not a body leaving the frame
        if vis[i] < MIN_VIS or not (EDGE_MARGIN <= x <= 1 - EDGE_MARGIN and EDGE_MARGIN <= y <= 1 - EDGE_MARGIN):
            if vis[i] >= MIN_VIS or not (0 <= x <= 1 and 0 <= y <= 1):
                issues.append("out_of_frame")
                break
    xs = [points[i][0] / aspect for i in visible]
    ys = [points[i][1] for i in visible]
    if max(max(xs) - min(xs), max(ys) - min(ys)) < MIN_BODY_SPAN:
        issues.append("too_far")
    if required and sum(vis[i] for i in required) / len(required) < MIN_MEAN_VISIBILITY:
        issues.append("low_visibility")
    if view != "unknown" and view not in allowed_views:
        issues.append("wrong_view")
    if camera_pitch is not None and max_pitch is not None and abs(camera_pitch) > max_pitch:
        issues.append("camera_not_level")
    if posture is not None and posture != start_position:
        issues.append("wrong_position")
    return issues


@dataclass(slots=True)
class Guard:
    """Debounced verdict over frames. ``update`` returns the new issue list when it changed."""

    issues: tuple[str, ...] | None = None
    pending: tuple[str, ...] | None = None
    pending_since: float = 0.0

    def update(self, t: float, issues: list[str]) -> tuple[str, ...] | None:
        current = tuple(issues)
        if self.issues is None:
            self.issues = current
            return current
        if current == self.issues:
            self.pending = None
            return None
        if current != self.pending:
            self.pending, self.pending_since = current, t
            return None
        if t - self.pending_since >= DEBOUNCE_S:
            self.issues, self.pending = current, None
            return current
        return None

    @property
    def trusted(self) -> bool:
        """Whether form feedback may be given (no tracking issue in the current verdict)."""
        return not (self.issues and UNTRUSTED.intersection(self.issues))


@dataclass(slots=True)
class Stillness:
    """Whether the body has settled: hips still and the camera view unchanged for STILL_WINDOW_S.

    A physiotherapist starts counting once the patient has stopped walking into place and turned
    to face the way the exercise needs, not at the first frame that looks like the start position.
    ``update`` takes one frame; a frame without both hips adds nothing (the verdict stands). The
    first view seen is not a change; a later change between "side" and "front" ("unknown" is
    neither) makes the body unsettled for STILL_WINDOW_S.
    """

    hips: deque = field(default_factory=deque)  # (t, mid-hip x, y, body length) over the window
    view: str = "unknown"
    view_since: float = -math.inf
    still: bool = True

    def update(self, t: float, points: list, view: str) -> bool:
        """Add a frame's y-up points (image heights) and recognised view; return the verdict."""
        if view != "unknown":
            if self.view != "unknown" and view != self.view:
                self.view_since = t
            self.view = view
        sample = _hip_sample(points)
        if sample is not None:
            self.hips.append((t, *sample))
        while self.hips and self.hips[0][0] < t - STILL_WINDOW_S:
            self.hips.popleft()
        if sample is None and self.hips and self.hips[-1][0] < t:
            return self.still
        self.still = t - self.view_since >= STILL_WINDOW_S and _hip_speed(self.hips) <= STILL_SPEED
        return self.still


def _hip_sample(points: list) -> tuple[float, float, float] | None:
    """Mid-hip and body length (the longer of torso and leg, so foreshortening one does not
    inflate the shift) of one frame, or None when a hip, shoulder or ankle was never located."""
    (lsx, lsy), (rsx, rsy) = points[11][:2], points[12][:2]
    (lhx, lhy), (rhx, rhy) = points[23][:2], points[24][:2]
    hip = ((lhx + rhx) / 2, (lhy + rhy) / 2)
    torso = math.dist(((lsx + rsx) / 2, (lsy + rsy) / 2), hip)
    leg = max(math.dist(points[23][:2], points[27][:2]), math.dist(points[24][:2], points[28][:2]))
    length = max(torso, leg)
    if not (length > 0 and math.isfinite(length)):
        return None
    return hip[0], hip[1], length


def _hip_speed(hips: deque) -> float:
    """Speed of the mid-hip in body lengths per second between the mean of the window's first and
    second halves (0 for a single frame): averaging halves divides landmark noise by about
    sqrt(frames / 2). The halves count as at least half a window apart, so the first frames of a
    window do not turn noise into speed; at low frame rates (5 fps) they are further apart."""
    n = len(hips)
    if n < 2:
        return 0.0
    half = n // 2
    samples = list(hips)
    means = [[sum(s[k] for s in part) / half for k in (0, 1, 2)] for part in (samples[:half], samples[n - half:])]
    (t1, x1, y1), (t2, x2, y2) = means
    length = sum(s[3] for s in samples) / n
    return math.hypot(x2 - x1, y2 - y1) / length / max(t2 - t1, STILL_WINDOW_S / 2)
