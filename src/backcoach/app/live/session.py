"""One live connection: control messages and pose frames in, JSON events out.

The movement engine judges the frames; this class only routes them: it opens (or resumes) the
planned set in the store, feeds valid frames to a fresh :class:`~backcoach.motion.engine.ExerciseEngine`,
numbers reps over the whole set (so a resumed set continues where it stopped), stores each rep
before the browser is told about it, and applies the pain stop rule. After a dropped connection
the open set is parked for a grace period (:mod:`~backcoach.app.live.parking`): the reconnect on
the same worker takes it back and the rep in progress goes on; otherwise a new instance picks the
set up from the store (counted reps are never lost, the rep in progress is).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from typing import Any

from backcoach.app.live import protocol
from backcoach.app.live.parking import ParkedSets
from backcoach.app.live.recorder import LiveRefused, OpenedSet, StoreRecorder
from backcoach.app.live.safety import pain_stop
from backcoach.app.live.trace import TraceBuffer
from backcoach.app.live.falls import LYING, FallWatch
from backcoach.app.live.tracking import LOADED_EXERCISES, TrackingWatch
from backcoach.clinical.progression import safety_texts
from backcoach.clinical.thresholds import TH
from backcoach.exercises import Exercise
from backcoach.motion.engine import ExerciseEngine
from backcoach.motion.events import RepEvent
from backcoach.pose.frame import Frame, FrameError

Message = dict[str, Any]
logger = logging.getLogger(__name__)


@dataclass
class ActiveSet:
    opened: OpenedSet
    engine: ExerciseEngine
    image_size: tuple[int, int]
    plan_item_id: int
    paused: bool = False
    longest_hold: float = 0.0
    pain: int | None = None
    #: The set's landmarks for the therapist's replay (bounded, see :mod:`~backcoach.app.live.trace`).
    trace: TraceBuffer = field(default_factory=TraceBuffer)
    #: Added to the device's frame times: a reloaded page restarts its clock, the engine's must go on.
    t_offset: float = 0.0
    #: Taken back from the park: the next frame decides ``t_offset``.
    rejoining: bool = False
    #: §5.4 rule 6 in a loaded exercise (None for the others).
    watch: TrackingWatch | None = None
    #: §5.4 rule 5a in an exercise that does not start lying (None for the others).
    falls: FallWatch | None = None

    def engine_time(self, frame: Frame) -> Frame:
        """``frame`` on the engine's clock; after a rejoin, placed after the last frame the engine saw."""
        if self.rejoining:
            self.rejoining = False
            last = self.engine.last_t
            if last is not None and frame.t + self.t_offset <= last:
                self.t_offset = last + self.trace.frame_step() - frame.t
        return replace(frame, t=frame.t + self.t_offset) if self.t_offset else frame


@dataclass
class LiveSession:
    """The server side of one WebSocket: call :meth:`on_text` and :meth:`on_bytes` per message."""

    recorder: StoreRecorder
    #: Where a dropped connection leaves its open set for the reconnect (None: resume from the store only).
    parked: ParkedSets | None = None
    active: ActiveSet | None = None
    frames_received: int = 0
    frames_skipped: int = 0
    #: Frames that arrived after a set ended (still in flight from the browser): dropped quietly.
    frames_between_sets: int = 0
    sets_run: int = 0
    #: The phone's latest (roll_deg, pitch_deg) (``tilt`` message), attached to every frame: None = no sensor.
    camera_tilt: tuple[float, float] | None = None

    # ------------------------------------------------------------------ messages
    def on_text(self, text: str) -> list[Message]:
        """Handle one control message; a bad one is answered with an ``error`` event."""
        try:
            control = protocol.parse_control(text)
        except protocol.ProtocolError as exc:
            return [_error("bad_message", str(exc))]
        handler = getattr(self, f"_{control.action}")
        return handler(control)

    def on_bytes(self, data: bytes) -> list[Message]:
        """Handle one binary pose frame; a malformed one is skipped and reported, never raised."""
        self.frames_received += 1
        index = self.frames_received - 1
        active = self.active
        if active is None and self.sets_run:
            self.frames_between_sets += 1
            return []
        if active is None:
            return self._skipped(index, "no set is running: send start_set before frames")
        if active.paused:
            return []
        try:
            device_frame = protocol.decode_frame(data, active.image_size, self.camera_tilt)
        except FrameError as exc:
            return self._skipped(index, str(exc))
        frame = active.engine_time(device_frame)
        active.trace.add(frame)
        before: list[Message] = []
        if active.falls is not None and active.falls.update(frame):
            return _on_device_clock(self._fallen(), frame, device_frame, active.t_offset)
        if active.watch is not None:
            action = active.watch.update(frame, active.engine.phase,
                                         tuple(active.engine.required[active.engine.near]))
            if action == "pause":
                return [{"type": "tracking_lost", "t": device_frame.t, "text": _texts("6"),
                         "source": TH.info("tracking_pause_s").source}]
            if action == "wait":
                return []
            if action == "skip":
                return _on_device_clock(self._skip_untracked(), frame, device_frame, active.t_offset)
            if action == "resume":
                self._restart_engine()
                before = [{"type": "tracking_resumed", "t": device_frame.t}]
        try:
            events = active.engine.push(frame)
        except Exception:  # the socket's edge: a fault on one frame must not end the patient's session
            logger.exception("movement engine failed on frame %d of set %d", index, active.opened.set_id)
            return self._skipped(index, "the movement engine could not use this frame (logged on the server)")
        offset = active.t_offset
        return before + _on_device_clock([self._event(event.to_dict()) for event in events], frame, device_frame,
                                         offset)

    # ------------------------------------------------------------------ control actions
    def _start_set(self, control: protocol.StartSet) -> list[Message]:
        pending, stopped = self.recorder.refused_items()
        if pending:
            return [_error("recheck_pending", "rest and answer the 5-minute re-check before going on")]
        if control.plan_item_id in stopped:
            return [_error("stopped", "this exercise was stopped by a stop rule; it is skipped for the rest "
                                      "of the session")]
        if self.active is not None:
            self._close_active()
        try:
            opened = self.recorder.open_set(control.plan_item_id, control.set_index, control.side)
        except LiveRefused as exc:
            return [_error("set_refused", exc.message)]
        rejoined = self._rejoin(opened, control.image_size)
        if rejoined is not None:
            return [rejoined]
        exercise = opened.exercise
        if exercise is None:
            return [_error("not_tracked", f"exercise {opened.exercise_id!r} has no movement definition, "
                                          "so it cannot be followed by the camera; do it with the timer")]
        planned = opened.reps_planned or exercise.dosage.beginner.reps
        remaining = max(planned - opened.prior_counted, 0)
        engine = _engine(exercise, opened)
        watch = TrackingWatch(exercise.start_position) if exercise.id in LOADED_EXERCISES else None
        falls = FallWatch() if exercise.start_position not in LYING else None
        self.active = ActiveSet(opened, engine, control.image_size, control.plan_item_id, watch=watch, falls=falls)
        if opened.prior_trace is not None:
            self.active.trace.resume(*opened.prior_trace)
        self.sets_run += 1
        ready = {
            "type": "ready", "set_id": opened.set_id, "exercise_id": opened.exercise_id,
            "set_index": opened.set_index, "side": opened.side, "reps_planned": planned,
            "hold_s": engine.hold_target, "count": opened.prior_counted, "attempts": opened.prior_attempts,
            "resumed": opened.resumed,
        }
        if opened.resumed and remaining == 0:
            return [ready, *self._finish(engine.finish())]
        return [ready]

    def _rejoin(self, opened: OpenedSet, image_size: tuple[int, int]) -> Message | None:
        """Take back this set's engine from the park when the store agrees with it (same reps)."""
        parked = self.parked.claim(self.recorder.info.session_id, opened.set_id) if self.parked else None
        if parked is None:
            return None
        if parked.engine.done or parked.opened.prior_attempts + parked.engine.attempts != opened.prior_attempts:
            return None  # another connection went on with the set meanwhile: the store decides
        parked.image_size, parked.paused, parked.rejoining = image_size, False, True
        self.active = parked
        self.sets_run += 1
        return {
            "type": "ready", "set_id": opened.set_id, "exercise_id": opened.exercise_id,
            "set_index": opened.set_index, "side": opened.side,
            "reps_planned": opened.reps_planned or parked.engine.reps_target, "hold_s": parked.engine.hold_target,
            "count": opened.prior_counted, "attempts": opened.prior_attempts, "resumed": True,
            "phase": parked.engine.phase,  # mid-rep when the connection dropped: it goes on
        }

    def _pause(self, _control: protocol.Pause) -> list[Message]:
        if self.active is None:
            return [_error("no_set", "no set is running")]
        self.active.paused = True
        return [{"type": "paused"}]

    def _resume(self, _control: protocol.Resume) -> list[Message]:
        if self.active is None:
            return [_error("no_set", "no set is running")]
        self.active.paused = False
        return [{"type": "resumed"}]

    def _skip(self, _control: protocol.Skip) -> list[Message]:
        return self._end_active(skipped=True)

    def _end(self, _control: protocol.End) -> list[Message]:
        return self._end_active(skipped=False)

    def _ping(self, _control: protocol.Ping) -> list[Message]:
        return [{"type": "pong"}]

    def _resize(self, control: protocol.Resize) -> list[Message]:
        if self.active is None:
            return [_error("no_set", "no set is running")]
        self.active.image_size = control.image_size
        return []

    def _tilt(self, control: protocol.Tilt) -> list[Message]:
        """Kept for the connection (the phone stays where it stands between sets)."""
        self.camera_tilt = control.camera_tilt
        return [{"type": "tilt_ok", "roll_deg": control.roll_deg, "pitch_deg": control.pitch_deg}]

    def _pain(self, control: protocol.Pain) -> list[Message]:
        pre = self.recorder.info.pain_before
        verdict = pain_stop(pre, control.nrs)
        if verdict is None:
            if self.active is not None:
                self.active.pain = control.nrs  # stored with the set when it ends
            return [{"type": "pain_ok", "nrs": control.nrs, "pre": pre}]
        messages: list[Message] = []
        plan_item_id = None
        if self.active is not None:
            plan_item_id = self.active.plan_item_id
            messages = self._end_active(skipped=True, pain=control.nrs)
        self.recorder.record_stop("2", verdict.rule, plan_item_id, control.nrs)
        return [*messages, {"type": "stop", "rule": verdict.rule, "nrs": control.nrs, "pre": pre,
                            "source": verdict.source,
                            "recheck_url": f"/sessions/{self.recorder.info.session_id}/recheck"}]

    def on_close(self) -> None:
        """The connection ended: park the open set and keep its frames so a reconnect continues it."""
        if self.active is not None:
            if self.parked is not None:
                self.parked.park(self.recorder.info.session_id, self.active.opened.set_id, self.active)
            encoded = self.active.trace.encoded()
            if encoded is not None:
                self.recorder.keep_trace(self.active.opened.set_id, encoded)

    # ------------------------------------------------------------------ helpers
    def _restart_engine(self) -> None:
        """Rule 6 resume: the interrupted hold is not scored; a fresh engine takes the rest of the set."""
        active = self.active
        assert active is not None
        engine = active.engine
        active.opened = replace(active.opened, prior_counted=active.opened.prior_counted + engine.count,
                                prior_attempts=active.opened.prior_attempts + engine.attempts)
        active.engine = _engine(engine.exercise, active.opened)

    def _skip_untracked(self) -> list[Message]:
        """Rule 6: not back in the start position in time; the set ends unscored, the exercise is skipped."""
        plan_item_id, ended = self._end_unscored()
        self.recorder.record_stop("6", "tracking_lost", plan_item_id)
        return [*ended, {"type": "stop", "rule": "tracking_lost", "text": _texts("6"),
                               "source": TH.info("tracking_skip_s").source}]

    def _fallen(self) -> list[Message]:
        """Rule 5a: the set ends unscored; the page asks the fall questions (``fall_url``)."""
        plan_item_id, ended = self._end_unscored()
        self.recorder.record_stop("5a", "fall", plan_item_id)
        return [*ended, {"type": "stop", "rule": "fall", "text": _texts("5a"),
                               "fall_url": f"/sessions/{self.recorder.info.session_id}/fall",
                               "source": TH.info("fall_hip_speed").source}]

    def _end_unscored(self) -> tuple[int, list[Message]]:
        """End the set where it is, dropping the interrupted rep (not scored): (plan item, messages)."""
        active = self.active
        assert active is not None
        events = active.engine.finish()
        dropped = sum(isinstance(event, RepEvent) for event in events)
        ended = [self._event(event.to_dict()) for event in events if not isinstance(event, RepEvent)]
        for message in ended:
            if message["type"] == "set_done":
                message["attempts"] -= dropped
                message["skipped"] = True
        return active.plan_item_id, ended

    def _end_active(self, *, skipped: bool, pain: int | None = None) -> list[Message]:
        if self.active is None:
            return [_error("no_set", "no set is running")]
        active = self.active
        messages = self._finish(active.engine.finish(), pain=pain)
        for message in messages:
            if message["type"] == "set_done":
                message["skipped"] = skipped
        return messages

    def _finish(self, events: list, pain: int | None = None) -> list[Message]:
        return [self._event(event.to_dict(), pain=pain) for event in events]

    def _close_active(self) -> None:
        """A new set starts while one is open: the old one ends where it is."""
        if self.active is not None:
            self._finish(self.active.engine.finish())

    def _event(self, event: Message, pain: int | None = None) -> Message:
        """Renumber an engine event over the whole set and store what must be stored first."""
        active = self.active
        assert active is not None
        opened = active.opened
        kind = event["type"]
        if kind == "rep":
            event["index"] += opened.prior_attempts
            event["count"] += opened.prior_counted
            # Where the replay puts the rep: seconds from the first frame of this connection's trace.
            event["metrics"]["t"] = round(active.trace.relative(event["t"]), 3)
            self.recorder.record_rep(opened.set_id, event)
        elif kind == "hold":
            active.longest_hold = max(active.longest_hold, event["elapsed_s"])
        elif kind == "frame_skipped":
            self.frames_skipped += 1
        elif kind == "set_done":
            event["counted"] += opened.prior_counted
            event["attempts"] += opened.prior_attempts
            if opened.prior_counted and len(event["counted_by_side"]) <= 1:
                key = next(iter(event["counted_by_side"]), opened.side or "both")
                event["counted_by_side"] = {key: event["counted"]}
            event["reps_planned"] = opened.reps_planned
            event["skipped"] = False
            self.recorder.finish_set(opened.set_id, hold_seconds_done=active.longest_hold or None,
                                     pain=pain if pain is not None else active.pain,
                                     trace=active.trace.encoded())
            self.active = None
        return event

    def _skipped(self, index: int, reason: str) -> list[Message]:
        self.frames_skipped += 1
        return [{"type": "frame_skipped", "index": index, "reason": reason}]


def _on_device_clock(messages: list[Message], frame: Frame, device_frame: Frame, offset: float) -> list[Message]:
    """Engine events with the device's times: the browser matches them to its capture times."""
    if offset:
        for message in messages:
            if "t" in message:
                message["t"] = device_frame.t if message["t"] == frame.t else message["t"] - offset
    return messages


def _engine(exercise: Exercise, opened: OpenedSet) -> ExerciseEngine:
    """An engine for what is left of the set after the reps already counted."""
    planned = opened.reps_planned or exercise.dosage.beginner.reps
    remaining = max(planned - opened.prior_counted, 0)
    return ExerciseEngine(exercise, reps_target=remaining or None, side=opened.side,
                          hold_s=opened.hold_seconds_planned)


def _texts(rule: str) -> dict[str, str]:
    """The patient's §5.4 guidance for ``rule`` in both languages (``safety.toml``)."""
    text = safety_texts()["stop"][rule]
    return {"en": text["en"], "zh-Hans": text["zh-Hans"]}


def _error(code: str, message: str) -> Message:
    return {"type": "error", "code": code, "message": message}
