"""The landmarks of one live set, kept in bounded memory for the therapist's replay.

Only the 33 landmark positions the browser already sends are kept, never video. Memory per set is
fixed: a preallocated ``MAX_FRAMES`` x 33 x 4 float32 buffer (about 1 MB). When a set runs longer
than the buffer holds, every second stored frame is dropped and from then on only every second
(then fourth, ...) frame is kept, so the trace always covers the whole set at an even, coarser
rate instead of losing its end. At 30 frames/s the first halving happens after 60 s. A
connection that drops mid-set leaves its frames stored; the next connection continues from them.
"""

from __future__ import annotations

import numpy as np

from backcoach.app.portal.replay import encode_trace
from backcoach.pose.frame import Frame
from backcoach.pose.skeleton import NUM_LANDMARKS

#: Frames kept per set before downsampling ([E] engineering choice: 60 s at 30 frames/s).
MAX_FRAMES = 1800
#: Assumed gap between a stored partial trace and the first frame after a reconnect, when the
#: stored frames do not give one (one frame at 30 frames/s).
DEFAULT_STEP_S = 1 / 30


class TraceBuffer:
    """Collects a set's frames; times are seconds from the set's first frame."""

    def __init__(self, max_frames: int = MAX_FRAMES) -> None:
        if max_frames < 2:
            raise ValueError(f"a trace needs room for at least 2 frames, got max_frames={max_frames}")
        self.max_frames = max_frames
        self._t = np.empty(max_frames, dtype=np.float64)
        self._values = np.empty((max_frames, NUM_LANDMARKS, 4), dtype=np.float32)
        self.count = 0
        #: Keep one frame in ``stride`` (doubles each time the buffer fills).
        self.stride = 1
        self._seen = 0
        self.t0: float | None = None
        self.image_size: tuple[int, int] | None = None
        self._resume_at = 0.0

    def resume(self, t: np.ndarray, values: np.ndarray) -> None:
        """Start from the frames stored before a dropped connection (times from the set's first frame).

        The next frame is placed one frame interval (the stored median) after the last stored one:
        the device's clock may have restarted with a reloaded page, so its times cannot be compared.
        """
        n = min(len(t), self.max_frames)
        self._t[:n] = t[-n:]
        self._values[:n] = values[-n:]
        self.count = self._seen = n
        self._resume_at = float(t[-1]) + (float(np.median(np.diff(t))) if len(t) > 1 else DEFAULT_STEP_S)

    def frame_step(self) -> float:
        """The camera's frame interval as the kept frames show it (``DEFAULT_STEP_S`` before two came)."""
        if self.count < 2:
            return DEFAULT_STEP_S
        return float(np.median(np.diff(self._t[: self.count]))) / self.stride

    def relative(self, t: float) -> float:
        """``t`` (the device's capture clock) as seconds from the set's first frame."""
        return t - (self.t0 if self.t0 is not None else t)

    def add(self, frame: Frame) -> None:
        """Keep ``frame`` if it falls on the current stride."""
        if self.t0 is None:
            self.t0 = frame.t - self._resume_at
        self.image_size = tuple(frame.image_size)  # the last size wins (the page may resize)
        seen, self._seen = self._seen, self._seen + 1
        if seen % self.stride:
            return
        if self.count == self.max_frames:
            self._halve()
            if seen % self.stride:
                return
        self._t[self.count] = frame.t - self.t0
        self._values[self.count, :, :3] = frame.xyz
        self._values[self.count, :, 3] = frame.visibility
        self.count += 1

    def _halve(self) -> None:
        kept = self.count // 2 + self.count % 2  # frames 0, 2, 4, ...: all multiples of the new stride
        self._t[:kept] = self._t[: self.count : 2]
        self._values[:kept] = self._values[: self.count : 2]
        self.count = kept
        self.stride *= 2

    def encoded(self) -> tuple[int, str, bytes] | None:
        """(frame count, encoding, bytes) for ``training.save_trace``; None when no frame came."""
        if self.count == 0 or self.image_size is None:
            return None
        n = self.count
        encoding, data = encode_trace(self._t[:n], self._values[:n, :, :3], self._values[:n, :, 3], self.image_size)
        return n, encoding, data
