"""The movement engine: frames in, what a good physiotherapist would say out.

``engine = ExerciseEngine(exercise)``, then ``events = engine.push(frame)`` for every frame and
``engine.finish()`` at the end of the set. Per frame: validate -> convert to y-up points ->
posture/view and camera check -> features -> phase machine -> rules -> grade -> cue.
Bad frames mid-stream are skipped and reported as :class:`FrameSkippedEvent`; they never stop it.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from backcoach.exercises import Exercise, get_exercise
from backcoach.motion import scoring
from backcoach.motion.cues import CueScheduler, engine_cue_texts
from backcoach.motion.events import (
    CueEvent, Event, FrameSkippedEvent, HoldEvent, NotJudged, PhaseEvent, RepEvent, SetDoneEvent, SetupEvent,
)
from backcoach.motion.context import (
    Facing, compiled_features, facing_direction, reference_lengths, required_landmarks,
)
from backcoach.motion.features import MIN_VISIBILITY, FrameView
from backcoach.motion.geometry import Missing, near_side, to_image_points, to_world_points
from backcoach.motion.gravity import LEVEL_TOLERANCE_DEG, NOT_LEVEL, camera_level, level_image_points, level_points
from backcoach.motion.guard import Guard, Stillness, frame_issues
from backcoach.motion.phases import (
    END, LEAVE_START, OUT, RETURN, SETUP, START, PhaseSpec, PhaseState, complete_hidden_return, step,
)
from backcoach.motion.posture import recognise
from backcoach.motion.rules import RepRecord, build_checks
from backcoach.motion.verdict import judge_rep, tempo_verdict
from backcoach.pose.filters import OneEuroFilter
from backcoach.pose.skeleton import NUM_LANDMARKS

IN_REP = frozenset({OUT, END, RETURN})
#: Progress at or below which the body rests in the start position (references keep refining).
REST_BAND = 0.03
#: Exponential-average weight while resting at the start between reps: slow on purpose.
REST_SMOOTHING = 0.05
#: An excursion back within WOBBLE_S seconds that peaked under out_fraction + WOBBLE_MARGIN and never
#: reached the end is a wobble, not an attempt (dropped without a rep event) [E].
WOBBLE_S = 0.6
WOBBLE_MARGIN = 0.15
#: Reasons a rule got no verdict in a rep (``RepEvent.not_judged``): said plainly, so a rep whose
#: far limb was never seen is not taken for a clean one.
FAR_SIDE_HIDDEN = "not judged: far-side limb hidden"
NOT_VISIBLE = "not judged: not visible to the camera"
NOT_TIMED = "not judged: the start or end of the movement was not seen"
ROUGHLY_TIMED = "not judged: too little of the movement was seen to time it this close to the limit"
CAMERA_NOT_LEVEL = "not judged: camera not level"
#: Outside setup, posture/view and the camera check run on every GUARD_EVERY-th frame.
GUARD_EVERY = 3
#: Exponential-average weight for the reference lengths while the patient holds the start position.
REF_SMOOTHING = 0.2
class ExerciseEngine:
    """Judges one set of one exercise, frame by frame.

    Parameters
    ----------
    exercise : Exercise or str
        The exercise definition, or its id in the library.
    hold_s : float, optional
        Seconds to hold at the end of each rep; default the beginner dose's ``hold_s``.
    reps_target : int, optional
        Reps (per side when sided) after which ``set_done`` is emitted; default the beginner dose.
    side : {"left", "right"}, optional
        For a ``per_side`` exercise, the side being trained (default: whichever moves).
    use_world : bool
        Measure on the frames' 3D world landmarks when present instead of the 2D image.
    setup_s : float, optional
        Seconds the start position must hold before reps count; default the exercise's
        ``phases.setup_s``. Clips cut to one execution (KERAAL) start moving within a fraction
        of a second and need a shorter wait.
    smoothing : OneEuroFilter, optional
        Filter the landmarks before measuring (brief §4.0 asks for a one-euro or low-pass filter).
        Off by default: live browsers and ``backcoach.pose.video`` already run MediaPipe's own
        temporal smoothing; pass one for raw recordings (costs about 10 µs per frame).
    """

    def __init__(
        self,
        exercise: Exercise | str,
        *,
        hold_s: float | None = None,
        reps_target: int | None = None,
        side: str | None = None,
        use_world: bool = False,
        setup_s: float | None = None,
        smoothing: OneEuroFilter | None = None,
    ) -> None:
        self.exercise = get_exercise(exercise) if isinstance(exercise, str) else exercise
        ex = self.exercise
        self.features = compiled_features(ex)
        self.primary = ex.phases.feature
        self.primary_sided = self.primary in self.features.sided
        self.hold_target = ex.dosage.beginner.hold_s if hold_s is None else hold_s
        self.reps_target = ex.dosage.beginner.reps if reps_target is None else reps_target
        self.spec = PhaseSpec.from_phases(ex.phases, self.hold_target)
        if setup_s is not None:
            self.spec = replace(self.spec, setup_s=setup_s)
        self.standards, self.errors = build_checks(ex, self.features)
        self.setup_checks = [c for c in self.standards if c.rule.phase == "setup"]
        # Hold time runs only while every critical end-phase standard is in range this frame.
        self.hold_checks = [c for c in self.standards if c.rule.phase == "end" and c.rule.critical and not c.change]
        self.required = {s: required_landmarks(ex, s) for s in ("left", "right")}
        self.fixed_side = side
        self.views = ex.views
        self.use_world = use_world
        self.smoothing = smoothing
        # The pitch the setup check accepts: the brief's level bound when a rule needs it, else any.
        self._max_pitch = LEVEL_TOLERANCE_DEG if any(r.needs_level_camera for r in ex.errors) else None
        self._start = ex.phases.start
        # Postures the references are measured in while setting up: the start position, and the
        # target's for a set that may begin there (phases.begin_at_target).
        self._setup_postures = {ex.start_position, ex.phases.begin_at_target} - {None}
        self._starts: dict[str, float] = {}  # measured start values of relative phases, per side
        self._excursion = ex.phases.target - ex.phases.start
        # Live state.
        self.state = PhaseState()
        self.guard = Guard()
        self.stillness = Stillness()
        # A set confirmed before its first frame (setup_s 0: clips cut to one execution) waits for nothing.
        self.settled = self.spec.setup_s <= 0
        self.cues = CueScheduler()
        self.baseline: dict = {}
        self.memory: dict = {}  # windows of the windowed features (smooth, amplitude)
        self.record = RepRecord(self.standards, self.errors, self.baseline)
        self.refs = {"torso": 0.0, "leg": 0.0, "shoulder_width": 0.0, "hip_width": 0.0}
        self.facing = 1.0
        self._facing = Facing()
        self.near = "left"
        self.camera_view = "unknown"
        self.posture: str | None = None
        self.last_t: float | None = None
        self.frames = 0
        self.skipped = 0
        self.attempts = 0
        self.counted_by_side: dict[str, int] = {}
        self.scores: list[float] = []
        self.form_scores: list[float] = []
        self.done = False
        self._jitter = [None, None, 0.0, 0]  # previous two progress values, sum of squares, n
        self._symmetry = [0.0, 0]
        self._hold_announced = 0
        self._rep_began = 0.0

    # ------------------------------------------------------------------ public API
    @property
    def phase(self) -> str:
        """The machine's current phase: setup, start, out, end or return."""
        return self.state.phase

    @property
    def count(self) -> int:
        """Counted reps so far (all sides)."""
        return sum(self.counted_by_side.values())

    def push(self, frame) -> list[Event]:
        """Process one frame and return the events it produced (often none)."""
        problem = self._frame_problem(frame)
        if problem is not None:
            self.skipped += 1
            # Stamped with the last good time: events stay in time order whatever the bad frame says.
            t = self.last_t if self.last_t is not None else 0.0
            return [FrameSkippedEvent(t=t, index=self.frames + self.skipped - 1, reason=problem)]
        self.frames += 1
        t = float(frame.t)
        self.last_t = t
        if self.smoothing is not None:
            frame = self.smoothing.filter_frame(frame)
        return self._process(frame, t)

    def finish(self, t: float | None = None) -> list[Event]:
        """End the set: a rep still in progress is reported as not counted; then ``set_done``."""
        t = self.last_t if t is None else t
        t = 0.0 if t is None else t
        events: list[Event] = []
        hold_mode = self.spec.mode == "hold"
        if not hold_mode and self.state.phase == RETURN and self.state.seen_t < (self.last_t or 0.0):
            # Last seen on its way back, then hidden (a far-side limb): it returned out of sight.
            self.state, transitions = complete_hidden_return(self.state)
            events.append(self._finish_rep(transitions[0], t))
        # A static hold in RETURN was completed and reported; it only awaits the release.
        if self.state.phase in IN_REP and not (hold_mode and self.state.phase == RETURN):
            events.append(self._unfinished_rep(t))
        if not self.done:
            events.append(self._set_done(t))
        return events

    # ------------------------------------------------------------------ per frame
    def _frame_problem(self, frame) -> str | None:
        try:
            t, xyz, vis, size = frame.t, frame.xyz, frame.visibility, frame.image_size
        except AttributeError:
            return f"not a Frame ({type(frame).__name__})"
        if not isinstance(t, (int, float, np.floating)) or not math.isfinite(t):
            return f"timestamp {t!r} is not a finite number"
        if self.last_t is not None and t <= self.last_t:
            return f"time goes backwards or repeats: t = {t} after {self.last_t}"
        if not isinstance(xyz, np.ndarray) or xyz.shape != (NUM_LANDMARKS, 3):
            return f"landmarks have shape {getattr(xyz, 'shape', None)}, expected ({NUM_LANDMARKS}, 3)"
        if not isinstance(vis, np.ndarray) or vis.shape != (NUM_LANDMARKS,):
            return f"visibility has shape {getattr(vis, 'shape', None)}, expected ({NUM_LANDMARKS},)"
        # One reduction for the common all-finite frame; NaN is allowed (a landmark not seen).
        if not math.isfinite(xyz.sum()) and np.isinf(xyz).any():
            return "a landmark has an infinite coordinate"
        if len(size) != 2 or min(size) <= 0:
            return f"image size {size!r} must be two positive numbers"
        if self.use_world and frame.world is not None and np.isinf(frame.world).any():
            return "a world landmark has an infinite coordinate"
        return None

    def _process(self, frame, t: float) -> list[Event]:
        events: list[Event] = []
        candidates: list[tuple[str, str]] = []
        width, height = frame.image_size
        aspect = width / height
        picture = to_image_points(frame.xyz, frame.image_size)
        tilt = frame.camera_tilt
        # Gravity reference (brief §4.0): with the phone's roll known, every measurement sees true
        # vertical; the picture's own edges still decide what is out of frame.
        image_points = picture if tilt is None else level_image_points(picture, tilt[0], aspect)
        vis = frame.visibility.tolist()
        for i, (x, y) in enumerate(image_points):
            if x != x or y != y:  # NaN: a landmark the source did not see is never visible
                vis[i] = 0.0
        world = self.use_world and frame.world is not None
        points = to_world_points(frame.world) if world else image_points
        if world and tilt is not None:
            points = level_points(points, tilt[0], (0.0, 0.0))  # camera-aligned, hip-centred metres
        phase = self.state.phase
        waiting = phase in (SETUP, START)

        # Posture, view and the camera check every frame while setting up, then every
        # GUARD_EVERY frames: the verdict is debounced over half a second anyway.
        if phase == SETUP or self.frames % GUARD_EVERY == 1:
            recognised = recognise(image_points, vis)
            if phase == SETUP and self.spec.setup_s > 0:
                self.settled = self.stillness.update(t, image_points, recognised.view)
            if recognised.view != "unknown":
                self.camera_view = recognised.view
            self.posture = recognised.posture
            issues = frame_issues(
                picture, vis, aspect, self.required[self.near], recognised.view, self.views,
                # A set that may begin at the target is in position there too (no "get into the
                # start position" while seated for a sit-to-stand).
                recognised.posture if phase == SETUP and recognised.posture not in self._setup_postures else None,
                self.exercise.start_position,
                tilt[1] if tilt is not None and phase == SETUP else None, self._max_pitch,
            )
            changed = self.guard.update(t, issues)
            if changed is not None:
                events.append(SetupEvent(t=t, ok=not changed, issues=list(changed),
                                         posture=recognised.posture, view=recognised.view))
            if phase == START and "no_person" in self.guard.issues:
                events.append(self._back_to_setup(t))
                phase = SETUP
        view = self._view(points, vis, t)
        if self.guard.issues:
            candidates.append(("setup", self.guard.issues[0]))
        trusted = self.guard.trusted

        # Near side, facing and reference lengths are measured during setup (the start position
        # held for setup_s) and then frozen, so a rep never rescales its own measurements. If the
        # primary feature becomes unreadable while waiting at the start (the patient turned
        # round), they are measured afresh.
        progress = self._progress(view)
        readable = [p for p in progress.values() if p is not None]
        resting = phase == START and bool(readable) and max(readable) <= REST_BAND
        if resting:
            # Still at rest in the start position: refine the references slowly (a patient who
            # was still settling when setup ended); a slow average cannot follow a real movement.
            self._update_pose_context(points, vis, t, smoothing=REST_SMOOTHING)
            view = self._view(points, vis, t)
            progress = self._progress(view)
        elif (phase == SETUP and self.settled and self.posture in self._setup_postures) or (
                phase == START and not readable):
            # Only the start position itself, held still, defines the references (not the walk
            # into it nor the turn to the camera): averaged over the setup wait, measured afresh
            # whenever that wait (re)starts.
            fresh = phase == START or self.state.ready_since is None
            self._update_pose_context(points, vis, t, fresh=fresh)
            view = self._view(points, vis, t)  # fresh cache
            if self.exercise.phases.relative and phase == SETUP:
                self._update_relative_start(view, fresh)
            progress = self._progress(view)
        for name, side in self.features.windowed:
            # Windowed features (smooth, amplitude) see every frame, whatever is judged on it.
            self.features.evaluate(name, side, view)
        in_start = (phase == SETUP and self.settled and self.posture == self.exercise.start_position
                    and self._setup_ok(view))
        if phase in (SETUP, START) and not trusted:
            progress = {side: None for side in progress}
        holding_ok = self._holding_ok(view)
        at_target = phase == SETUP and self.settled and self.posture == self.exercise.phases.begin_at_target
        self.state, transitions = step(self.state, t, progress, in_start, holding_ok, self.spec, at_target)

        # Baselines of "change" rules: the body at rest in the start position while setting up
        # (and before the first rep), then kept for the set. A hidden limb can start moving
        # unseen, so a later "at rest" cannot be trusted to be the start position.
        at_rest = all(p is None or p <= LEAVE_START for p in progress.values())
        if self.state.phase == SETUP or (self.state.phase == START and self.attempts == 0 and at_rest):
            self.record.observe_start(view, self.standards + self.errors)
        if self.state.phase in IN_REP:
            side = self.state.side if self.state.side != "both" else None
            self._track_movement(progress.get(self.state.side), view)
            if trusted:
                level = camera_level(tilt)
                for check in self.record.observe(t, self.state.phase, view, side, self.camera_view, level):
                    candidates.append((check.rule.severity, check.rule.cue))

        for transition in transitions:
            if transition.phase == OUT:
                self._rep_began = t
            events.append(PhaseEvent(t=t, phase=transition.phase, side=self._report_side(transition.side)))
            if transition.phase == START and not transition.rep_done:
                candidates.append(("info", "ready"))
            if transition.rep_done and self._is_wobble(transition, t):
                self._new_rep()  # a shake around the out threshold, not an attempt
                continue
            if transition.rep_done:
                if self.hold_target > 0 and transition.hold_s >= self.hold_target > self._hold_announced:
                    # The hold reached its target on the frame that completed the rep.
                    events.append(HoldEvent(t=t, elapsed_s=round(transition.hold_s, 2), target_s=self.hold_target,
                                            side=self._report_side(transition.side)))
                rep = self._finish_rep(transition, t)
                events.append(rep)
                candidates.extend(self._rep_cues(rep))
        events.extend(self._hold_events(t))
        cue = self.cues.choose(t, candidates) if candidates else None
        if cue is not None:
            events.append(self._cue_event(t, *cue))
        # The target can only be reached by a rep finished on this frame.
        if not self.done and any(tr.rep_done for tr in transitions) and self._target_reached():
            events.append(self._set_done(t))
        return events

    def _view(self, points: list, vis: list, t: float) -> FrameView:
        return FrameView(points, vis, self.refs, self.facing, MIN_VISIBILITY, self.near, t=t, memory=self.memory)

    def _update_pose_context(self, points: list, vis: list, t: float, fresh: bool = False,
                             smoothing: float = REF_SMOOTHING) -> None:
        """In the start position: near side, facing direction (read as in the exercise's start
        posture; the majority over the setup wait, then debounced at rest:
        :class:`~backcoach.motion.context.Facing`), reference lengths (averaged over frames, or
        replaced when ``fresh``)."""
        self.near = self.fixed_side or near_side(vis)
        reading = facing_direction(points, vis, self.camera_view, self.exercise.start_position)
        if fresh:
            self._facing.restart()
        if fresh or self.state.phase == SETUP:
            self.facing = self._facing.vote(reading)
        else:
            self.facing = self._facing.confirm(t, reading)
        # Set up in the target posture (phases.begin_at_target: seated), the knee is bent.
        bent = self.state.phase == SETUP and self.posture == self.exercise.phases.begin_at_target
        for key, value in reference_lengths(points, vis, self.near, bent).items():
            old = self.refs[key]
            self.refs[key] = value if old <= 0 or fresh else old + smoothing * (value - old)

    def _progress(self, view: FrameView) -> dict[str, float | None]:
        ex = self.exercise
        if not self.primary_sided:
            return {"both": self._to_progress(self.features.evaluate(self.primary, None, view), "both")}
        if ex.sides == "bilateral":
            sides = (self.near,)
        elif self.state.phase in IN_REP and ex.sides != "alternating":
            sides = (self.state.side,)
        elif self.fixed_side is not None:
            sides = (self.fixed_side,)
        else:
            sides = ("left", "right")
        return {s: self._to_progress(self.features.evaluate(self.primary, s, view), s) for s in sides}

    def _to_progress(self, value, side: str) -> float | None:
        if isinstance(value, Missing) or isinstance(value, bool):
            return None
        return (value - self._starts.get(side, self._start)) / self._excursion

    def _update_relative_start(self, view: FrameView, fresh: bool = False) -> None:
        """For ``relative`` phases: the primary feature's value in the start position, per side."""
        sides = ("both",) if not self.primary_sided else ("left", "right")
        for side in sides:
            value = self.features.evaluate(self.primary, None if side == "both" else side, view)
            if isinstance(value, Missing) or isinstance(value, bool):
                continue
            old = self._starts.get(side)
            self._starts[side] = value if old is None or fresh else old + REF_SMOOTHING * (value - old)

    def _setup_ok(self, view: FrameView) -> bool:
        """Every setup standard holds (see :meth:`_standards_hold`)."""
        sides = (self.near,) if self.exercise.sides == "bilateral" else ("left", "right")
        return self._standards_hold(self.setup_checks, view, sides)

    def _holding_ok(self, view: FrameView) -> bool:
        """Every critical end standard holds for the side being judged: the rep's side, or for a
        bilateral exercise (and a static hold, whose rep has no side) the side nearer the camera."""
        side = self.state.side
        if self.exercise.sides == "bilateral":
            sides: tuple = (self.near,)
        elif side in ("left", "right"):
            sides = (side,)
        else:
            sides = (self.fixed_side,) if self.fixed_side else ("left", "right")
        return self._standards_hold(self.hold_checks, view, sides)

    def _standards_hold(self, checks: list, view: FrameView, sides: tuple) -> bool:
        """Every check of ``sides`` (and every unsided one) that applies in this view is in range.
        A sided check that cannot be read off the far side (its limbs hidden in side view) does
        not fail: the near side is judged, as a physiotherapist beside the camera would."""
        for check in checks:
            if check.reads is not None and check.reads not in sides:
                continue
            if check.views is not None and self.camera_view not in check.views:
                continue
            value = check.evaluate(view)
            if isinstance(value, Missing):
                if check.reads in (None, self.near):
                    return False
                continue
            if not check.low <= value <= check.high:
                return False
        return True

    def _track_movement(self, p: float | None, view: FrameView) -> None:
        if p is None:
            return
        prev1, prev2, ss, n = self._jitter
        if prev1 is not None and prev2 is not None:
            d2 = p - 2 * prev1 + prev2
            ss += d2 * d2
            n += 1
        self._jitter = [p, prev1, ss, n]
        if self.primary_sided and self.exercise.sides == "bilateral":
            left = self.features.evaluate(self.primary, "left", view)
            right = self.features.evaluate(self.primary, "right", view)
            if not isinstance(left, Missing) and not isinstance(right, Missing):
                self._symmetry[0] += abs(left - right)
                self._symmetry[1] += 1

    def _report_side(self, side: str | None) -> str | None:
        if side is None:
            return None
        if self.exercise.sides == "bilateral":
            return "both"
        return side

    # ------------------------------------------------------------------ per rep
    def _finish_rep(self, transition, t: float) -> RepEvent:
        _, _, sum_squares, n = self._jitter
        relative_start = self._starts.get(transition.side) if self.exercise.phases.relative else None
        verdict = judge_rep(
            self.exercise, transition, self.record, hold_target=self.hold_target,
            jitter=scoring.rms(sum_squares, n),
            symmetry=self._symmetry[0] / self._symmetry[1] if self._symmetry[1] else None,
        )
        if relative_start is not None:
            verdict.metrics["rom"] = round(relative_start + transition.peak * self._excursion, 3)
        side = self._report_side(transition.side)
        self.attempts += 1
        if verdict.counted:
            key = side or "both"
            self.counted_by_side[key] = self.counted_by_side.get(key, 0) + 1
            self.scores.append(verdict.score)
        self.form_scores.append(1.0 if verdict.form_ok else 0.0)
        rep = RepEvent(
            t=t, index=self.attempts, side=side, counted=verdict.counted, reason="; ".join(verdict.reasons) or None,
            score=verdict.score if verdict.counted else None,
            grade=scoring.GRADE_LABELS[verdict.grade] if verdict.counted and verdict.grade else None,
            errors=verdict.errors, metrics=verdict.metrics, parts=verdict.parts, count=self.count,
            not_judged=self._not_judged(transition),
        )
        self._new_rep()
        return rep

    def _not_judged(self, transition=None) -> list[NotJudged]:
        """Error rules (and tempo) the rep gave no reading for, with the plain reason."""
        rep_side = transition.side if transition else self.state.side
        rep_side = None if rep_side == "both" else rep_side
        far = "right" if self.near == "left" else "left"
        side_view = self.camera_view == "side"
        found: dict[tuple[str, str | None], NotJudged] = {}
        for check, missing in self.record.not_judged(rep_side):
            hidden_far = side_view and missing.reason.startswith(far + "_")
            reason = CAMERA_NOT_LEVEL if missing is NOT_LEVEL else FAR_SIDE_HIDDEN if hidden_far else NOT_VISIBLE
            found.setdefault((check.rule.id, check.side), NotJudged(check.rule.id, check.side, reason))
        if transition is not None and self.exercise.phases.mode != "hold":
            for rule in self.exercise.errors:
                if rule.too_fast is None:
                    continue
                tempo = tempo_verdict(rule, transition)
                if tempo == "untimed":
                    reason = FAR_SIDE_HIDDEN if side_view and rep_side == far else NOT_TIMED
                    found.setdefault((rule.id, None), NotJudged(rule.id, None, reason))
                elif tempo == "unsure":
                    found.setdefault((rule.id, None), NotJudged(rule.id, None, ROUGHLY_TIMED))
        return list(found.values())

    def _is_wobble(self, transition, t: float) -> bool:
        """A "rep" that barely crossed the out threshold and came straight back, in under
        WOBBLE_S: jitter or a shake, which a physiotherapist would not call an attempt."""
        return (not transition.reached_end and self.record.last_t is not None
                and t - self._rep_began < WOBBLE_S
                and transition.peak < self.spec.out_fraction + WOBBLE_MARGIN)

    def _back_to_setup(self, t: float) -> PhaseEvent:
        """The patient left the picture between reps: whoever comes back must settle into the
        start position again (walking back in is not a rep), as at the start of the set. Reps
        already counted stay counted."""
        self.state = PhaseState()
        self.stillness = Stillness()
        self.settled = self.spec.setup_s <= 0
        return PhaseEvent(t=t, phase=SETUP)

    def _new_rep(self) -> None:
        self.record = RepRecord(self.standards, self.errors, self.baseline)
        self._jitter = [None, None, 0.0, 0]
        self._symmetry = [0.0, 0]
        self._hold_announced = 0

    def _unfinished_rep(self, t: float) -> RepEvent:
        """The rep in progress when the stream ends: not counted, with how far it got."""
        self.attempts += 1
        metrics = {"progress_peak": round(self.state.peak, 3)}
        reason = "did not return to the start position"
        if self.spec.mode == "hold":
            # A static hold cut short by the end of the recording: say how long it was held.
            metrics.update(hold_s=round(self.state.hold_s, 2), end_s=round(t - self.state.phase_since, 2))
            reason = f"held {self.state.hold_s:.1f} s of {self.hold_target:g} s (stream ended)"
        rep = RepEvent(
            t=t, index=self.attempts, side=self._report_side(self.state.side), counted=False,
            reason=reason, score=None, grade=None,
            errors=self.record.errors_found(self.state.side if self.state.side != "both" else None), metrics=metrics,
            count=self.count, not_judged=self._not_judged(),
        )
        self.state = PhaseState(phase=START, last_t=self.state.last_t)
        self._new_rep()
        return rep

    def _rep_cues(self, rep: RepEvent) -> list[tuple[str, str]]:
        # No praise for a rep whose form was partly unseen: it was not shown to be clean.
        if rep.counted and not rep.errors and not rep.not_judged:
            if rep.grade in ("excellent", "super excellent"):
                return [("praise", "praise_excellent")]
            if rep.grade == "good":
                return [("praise", "praise_good")]
        return [(e.severity, e.cue) for e in rep.errors]

    def _hold_events(self, t: float) -> list[Event]:
        if self.hold_target <= 0 or self.state.phase != END:
            return []
        # Announce every whole second of valid hold, and the moment the target is reached.
        milestone = math.ceil(self.hold_target) if self.state.hold_s >= self.hold_target else int(self.state.hold_s)
        if milestone <= self._hold_announced:
            return []
        self._hold_announced = milestone
        return [HoldEvent(t=t, elapsed_s=round(self.state.hold_s, 2), target_s=self.hold_target,
                          side=self._report_side(self.state.side))]

    def _cue_event(self, t: float, priority: str, cue_id: str) -> CueEvent:
        text = self.exercise.cues.get(cue_id)
        texts = {"en": text.en, "zh-Hans": text.zh_hans} if text is not None else engine_cue_texts()[cue_id]
        return CueEvent(t=t, id=cue_id, priority=priority, text=dict(texts))

    def _target_reached(self) -> bool:
        if not self.reps_target:
            return False
        if self.exercise.sides == "bilateral" or not self.primary_sided:
            return self.count >= self.reps_target
        sides = (self.fixed_side,) if self.fixed_side else ("left", "right")
        return all(self.counted_by_side.get(s, 0) >= self.reps_target for s in sides)

    def _set_done(self, t: float) -> SetDoneEvent:
        self.done = True
        return SetDoneEvent(
            t=t, counted=self.count, attempts=self.attempts, counted_by_side=dict(self.counted_by_side),
            mean_score=round(sum(self.scores) / len(self.scores), 1) if self.scores else None,
            form_score=round(sum(self.form_scores) / len(self.form_scores), 3) if self.form_scores else None,
        )
