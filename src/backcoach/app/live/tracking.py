"""§5.4 rule 6: the camera loses the patient for > 5 s while they hold a loaded position.

In a loaded exercise (plank, side plank, bridge) a patient the camera cannot see may be straining
unseen; the set's timer pauses and the page asks them to come down safely. Frames then go to no
engine until the patient has been back in the start position, in view, for 3 s (resume: the set
goes on with a fresh engine, the interrupted hold is not scored), or the set is skipped when that
has not happened within 60 s. The timings are the clinical library's (``tracking_loss_action``).
"""

from __future__ import annotations

import math

from backcoach.clinical.progression import tracking_loss_action
from backcoach.clinical.thresholds import TH
from backcoach.motion.geometry import to_image_points
from backcoach.motion.posture import recognise
from backcoach.pose.frame import Frame

#: The loaded positions of §5.4 rule 6 ("plank, side plank, bridge") as library exercise ids [E].
LOADED_EXERCISES = frozenset({"front_plank", "side_plank", "glute_bridge"})
#: Engine phases in which the patient is in the loaded position (out of the start, holding, back).
LOADED_PHASES = frozenset({"out", "end", "return"})


def tracked(frame: Frame, required: tuple[int, ...]) -> bool:
    """The camera sees the patient: enough of the exercise's landmarks at a usable visibility."""
    usable = sum(1 for i in required if frame.visibility[i] >= TH["camera_min_visibility"]
                 and math.isfinite(float(frame.xyz[i, 0])) and math.isfinite(float(frame.xyz[i, 1])))
    return usable >= TH["camera_min_visible_fraction"] * len(required)


class TrackingWatch:
    """Per set: call :meth:`update` with each frame (engine clock), the engine's phase and the
    landmarks the exercise needs on the side the camera sees.

    Returns ``feed`` (judge the frame as usual), ``pause`` (tracking was just lost too long: tell
    the patient), ``wait`` (paused: do not judge), ``resume`` (back in the start position for long
    enough: restart the engine) or ``skip`` (not back in time: skip the exercise).
    """

    def __init__(self, start_position: str) -> None:
        self.start_position = start_position
        self.lost_since: float | None = None
        self.paused_at: float | None = None
        self.valid_since: float | None = None

    @property
    def paused(self) -> bool:
        return self.paused_at is not None

    def update(self, frame: Frame, phase: str, required: tuple[int, ...]) -> str:
        seen = tracked(frame, required)
        t = frame.t
        if self.paused_at is None:
            if seen or phase not in LOADED_PHASES:
                self.lost_since = None
                return "feed"
            self.lost_since = t if self.lost_since is None else self.lost_since
            if tracking_loss_action(t - self.lost_since, 0.0, None) == "pause":
                self.paused_at, self.valid_since = t, None
                return "pause"
            return "feed"
        in_start = seen and recognise(to_image_points(frame.xyz, frame.image_size),
                                      frame.visibility.tolist()).posture == self.start_position
        self.valid_since = (t if self.valid_since is None else self.valid_since) if in_start else None
        valid_s = t - self.valid_since if self.valid_since is not None else 0.0
        action = tracking_loss_action(0.0, valid_s, t - self.paused_at)
        if action == "resume":
            self.paused_at = self.lost_since = self.valid_since = None
            return "resume"
        return "skip" if action == "skip" else "wait"
