"""Tracking-quality guard and camera setup check (brief §4.0 camera setup).

Before and during an exercise, decide whether the landmarks can be trusted, and if not, which setup
cue to give instead of form feedback: nobody in view, body out of frame, too far or too close,
poor visibility (light), wrong camera view, not in the start position. Issues must persist for
``DEBOUNCE_S`` before the verdict changes, so a single bad frame neither raises nor clears one.
"""

from __future__ import annotations

from dataclasses import dataclass

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

#: Issues in priority order: the first present one is the cue given.
ISSUES = ("no_person", "out_of_frame", "too_far", "low_visibility", "wrong_view", "wrong_position")
#: Issues that make form feedback untrustworthy (a wrong start position does not).
UNTRUSTED = frozenset(ISSUES[:-1])


def frame_issues(
    points: list, vis: list, aspect: float, required: tuple[int, ...], view: str,
    allowed_views: tuple[str, ...], posture: str | None, start_position: str,
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
