"""§5.4 rule 5a: a fall or loss of balance, seen in the landmarks the page sends.

A fall is a spike in the downward speed of the hips (H_mid) followed, within a couple of seconds,
by the body lying on the floor in an exercise that does not start lying down. Speeds are in torso
lengths per second (shoulder mid to hip mid, measured on the same frames), so they do not depend
on the distance to the camera. The thresholds are the clinical library's (``fall_spike``,
``fall_confirmed``).
"""

from __future__ import annotations

import math
from collections import deque

from backcoach.clinical.progression import fall_confirmed, fall_spike
from backcoach.clinical.thresholds import TH
from backcoach.motion.geometry import to_image_points
from backcoach.motion.posture import recognise
from backcoach.pose.frame import Frame
from backcoach.pose.skeleton import Landmark

LYING = frozenset({"supine", "prone", "side_lying"})
#: The hip speed is measured over this span of frames (seconds) [E]: long enough to smooth one
#: noisy frame, short enough for a fall (about half a second from standing to the floor).
SPEED_SPAN_S = 0.3
HIPS = (Landmark.left_hip, Landmark.right_hip)
SHOULDERS = (Landmark.left_shoulder, Landmark.right_shoulder)


class FallWatch:
    """Per set of an exercise that does not start lying: :meth:`update` is True on the frame a fall is seen."""

    def __init__(self) -> None:
        self._hips: deque[tuple[float, float]] = deque()
        self._torso: float | None = None
        self._spike_at: float | None = None
        self.fallen = False

    def update(self, frame: Frame) -> bool:
        if self.fallen:
            return False  # reported once; the set has ended
        points = _pixels(frame)
        hip, shoulder = _mid(points, frame, HIPS), _mid(points, frame, SHOULDERS)
        if hip is None or shoulder is None:
            return False
        t = frame.t
        if self._spike_at is None:
            torso = math.dist(hip, shoulder)
            # The torso length while upright (a fall shortens it in the image): slow running average.
            self._torso = torso if self._torso is None else 0.9 * self._torso + 0.1 * torso
        self._hips.append((t, hip[1]))
        while self._hips and t - self._hips[0][0] > SPEED_SPAN_S:
            self._hips.popleft()
        first_t, first_y = self._hips[0]
        if t > first_t and self._torso:
            speed = (hip[1] - first_y) / (t - first_t) / self._torso  # image y grows downwards
            if fall_spike(speed):
                self._spike_at = t
        if self._spike_at is None:
            return False
        if t - self._spike_at > TH["fall_window_s"]:
            self._spike_at = None  # caught their balance: no fall
            return False
        lying = recognise(to_image_points(frame.xyz, frame.image_size), frame.visibility.tolist()).posture in LYING
        self.fallen = fall_confirmed(t - self._spike_at, lying)
        return self.fallen


def _pixels(frame: Frame) -> list[tuple[float, float]]:
    width, height = frame.image_size
    return [(float(x) * width, float(y) * height) for x, y in frame.xyz[:, :2].tolist()]


def _mid(points: list[tuple[float, float]], frame: Frame, pair: tuple[int, int]) -> tuple[float, float] | None:
    if min(frame.visibility[i] for i in pair) < TH["camera_min_visibility"]:
        return None
    (ax, ay), (bx, by) = points[pair[0]], points[pair[1]]
    if not all(math.isfinite(v) for v in (ax, ay, bx, by)):
        return None
    return (ax + bx) / 2, (ay + by) / 2
