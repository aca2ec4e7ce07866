"""Drawing what the engine says over the video: skeleton, rep counter, last grade, current cue."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from backcoach.motion.events import CueEvent, Event, RepEvent, SetupEvent
from backcoach.pose.frame import Frame
from backcoach.pose.render import draw_pose

#: Seconds a cue or grade stays on screen.
SHOW_S = 2.5
WHITE, GREEN, AMBER, RED = (245, 245, 245), (80, 200, 80), (0, 190, 255), (60, 60, 230)


@dataclass
class Overlay:
    """Keeps what to show between frames; ``draw`` updates it with a frame's events."""

    count: int = 0
    grade: str | None = None
    grade_t: float = -1e9
    cue: str | None = None
    cue_t: float = -1e9
    setup: str | None = None

    def draw(self, image: np.ndarray, frame: Frame, events: list[Event]) -> np.ndarray:
        """Draw the skeleton and the counter, grade and cue on ``image`` (BGR, in place)."""
        for event in events:
            if isinstance(event, RepEvent):
                self.count = event.count
                self.grade = event.grade if event.counted else f"not counted: {event.reason}"
                self.grade_t = event.t
            elif isinstance(event, CueEvent):
                self.cue, self.cue_t = event.text.get("en", event.id), event.t
            elif isinstance(event, SetupEvent):
                self.setup = None if event.ok else ", ".join(event.issues)
        draw_pose(image, frame)
        height, width = image.shape[:2]
        scale = max(0.5, min(width, height) / 720)
        thick = max(1, round(2 * scale))
        _text(image, f"reps {self.count}", (int(20 * scale), int(50 * scale)), 1.4 * scale, WHITE, thick)
        if self.grade and frame.t - self.grade_t < SHOW_S:
            colour = GREEN if not self.grade.startswith("not counted") else RED
            _text(image, self.grade[:60], (int(20 * scale), int(95 * scale)), 0.9 * scale, colour, thick)
        if self.cue and frame.t - self.cue_t < SHOW_S:
            _text(image, self.cue[:70], (int(20 * scale), height - int(30 * scale)), 0.8 * scale, AMBER, thick)
        if self.setup:
            _text(image, f"setup: {self.setup}", (int(20 * scale), int(135 * scale)), 0.7 * scale, RED, thick)
        return image


def _text(image, text: str, origin, size: float, colour, thick: int) -> None:
    # A dark outline keeps the text readable on any background.
    cv2.putText(image, text, origin, cv2.FONT_HERSHEY_SIMPLEX, size, (20, 20, 20), thick + 3, cv2.LINE_AA)
    cv2.putText(image, text, origin, cv2.FONT_HERSHEY_SIMPLEX, size, colour, thick, cv2.LINE_AA)
