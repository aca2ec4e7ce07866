"""The rep state machine of the brief (§4.0): SETUP -> START -> OUT -> END -> RETURN -> count.

A pure step function: state and one frame's inputs in, new state and transitions out. No clock
(the caller passes the frame time), no I/O, no exercise file: the thresholds come in a
:class:`PhaseSpec`.

The machine reads *progress*, the primary feature scaled so that 0 is the start position and 1 the
target (``(value - start) / (target - start)``), for each side it may be watching. Jitter cannot
double count: a rep begins only above ``out_fraction`` and ends only below ``return_fraction``
minus the hysteresis, a band much wider than landmark noise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

SETUP, START, OUT, END, RETURN = "setup", "start", "out", "end", "return"
#: Longest gap between frames that still counts toward hold time and tempo (dropouts beyond it don't).
MAX_FRAME_GAP_S = 0.5
#: Progress beyond which (plus the hysteresis) the body has left the start, for timing the out phase.
LEAVE_START = 0.05
#: A side's last frame at rest older than this when it passes the out threshold is not its start.
MAX_REST_GAP_S = 2.0
#: Seconds of broken standards that end a static hold early, or release a completed one.
RELEASE_S = 1.0
#: Seconds every critical standard must hold before a static hold begins (the brief's default
#: persistence, §4.0): a noisy frame that happens to pass is not the patient getting into position.
SETTLE_S = 0.5
#: Time constant of the smoothed progress the out and return phases are timed on, seconds: it
#: divides frame noise by about 2.2 at 30 fps and delays every crossing alike (durations keep).
TIMING_TAU_S = 0.07
#: Fractions of the rep's excursion (rest to smoothed top) between which phases are timed: where
#: the movement is fastest, so landmark noise shifts the crossing times least (near the rest and
#: the top a smooth movement is nearly still and noise decides when a band is left).
TIMING_LOW, TIMING_HIGH = 0.2, 0.8
#: A phase is timed only if it was seen over the middle of its excursion, from PARTIAL_FROM (or
#: nearer the rest) to TIMING_HIGH, where a smooth movement is fastest (about 14 % of its time):
#: a limb hidden near the rest, such as the far leg in side view seen from ~40 % up, is timed from
#: what is seen and scaled like a whole phase (engine-issues H11-1); less than that is not judged.
PARTIAL_FROM = 0.5
#: Seen from ROUGH_FROM (but not PARTIAL_FROM) up, the visible band is short (about 10 % of the
#: phase's time, a few frames), so the scaled time is rough (``Transition.out_rough``): it gives
#: a tempo verdict only when clearly on one side of the limit (``verdict.ROUGH_MARGIN``). A dead
#: bug's far leg with the camera turned 10-15 deg is first seen at 52-57 % (engine-issues H11-1).
ROUGH_FROM = 0.6
#: Share of a rep's frames the moving side must be read on for its phases to be timed: a limb
#: seen now and then (the far side in side view) gives crossing times of no meaning.
MIN_SEEN_SHARE = 0.8
#: Seconds of the moving side's readings fitted with a local quadratic for the rep's reported peak
#: (``Transition.peak``: rom, progress_peak, the range score). The highest raw frame is the highest
#: noise (with 2-3 px it read the dead bug's hip 3-5 deg over the truth, engine-issues H11-2); a
#: mean of the window would flatten a brief top, a quadratic keeps its height. 0.3 s is about 9
#: frames at 30 fps: the fitted centre has about 0.6 times the noise of one frame.
PEAK_WINDOW_S = 0.3
#: Fewest readings in that window for a fit; below it (low frame rates, gaps) the raw reading is used.
PEAK_FIT_MIN = 5
#: How far progress must fall below its peak before a rep that never reached the target is returning.
RETURN_DROP = 0.1
#: Seconds a moving limb may stay hidden on its way back, while another side is still read, before
#: its rep is complete (timed to its last sighting): the far limb in side view hides behind the
#: near one for the last part of its return (engine-issues H3-1).
HIDDEN_RETURN_S = 0.5


@dataclass(frozen=True, slots=True)
class PhaseSpec:
    """Thresholds of the machine, in progress units except the times."""

    out_fraction: float = 0.3
    end_fraction: float = 0.85
    return_fraction: float = 0.2
    hysteresis: float = 0.03
    setup_s: float = 1.0
    hold_s: float = 0.0
    mode: str = "reps"
    begin_at_target: bool = False

    @classmethod
    def from_phases(cls, phases, hold_s: float = 0.0) -> PhaseSpec:
        """Build from an exercise file's ``[phases]`` (feature units converted to progress)."""
        excursion = abs(phases.target - phases.start)
        return cls(
            out_fraction=phases.out_fraction,
            end_fraction=1.0 - phases.tolerance / excursion,
            return_fraction=phases.return_fraction,
            hysteresis=phases.hysteresis / excursion,
            setup_s=phases.setup_s,
            hold_s=hold_s,
            mode=getattr(phases, "mode", "reps"),
            begin_at_target=getattr(phases, "begin_at_target", None) is not None,
        )


class PhaseState(NamedTuple):
    """Where the machine is. Times are frame times in seconds.

    A named tuple: immutable like a frozen dataclass, and ``_replace`` is several times faster
    than ``dataclasses.replace``, which matters at one step per frame.
    """

    phase: str = SETUP
    side: str | None = None
    phase_since: float = 0.0
    ready_since: float | None = None
    last_t: float | None = None
    peak: float = 0.0
    reached_end: bool = False
    hold_s: float = 0.0
    rest: dict = {}  # side -> (time, progress) of its last frame at rest, plus "sighted" if assumed (see _note_rest)
    rest_floor: dict = {}  # side -> lowest progress seen while in the start zone
    broken_since: float | None = None
    start_p: float = 0.0
    out_seen: bool = True
    seen_t: float = 0.0
    seen_p: float = 0.0
    end_s: float = 0.0
    smooth: dict = {}  # side -> (t, progress smoothed over TIMING_TAU_S): timing only, phases use the raw one
    top: float = 0.0  # highest smoothed progress of the rep
    rises: tuple = ()  # (t, smoothed progress) whenever it reached a new top, from the last frame at rest
    lead: dict = {}  # side -> the same trace for a side in the start position (its rises if it moves)
    falls: tuple = ()  # (t, smoothed progress) whenever it reached a new low since the last top
    frames: int = 0  # frames of the rep up to the moving side's last sighting, and those it was read on
    read: int = 0
    unseen: int = 0  # frames since the moving side's last sighting
    held_at_target: bool = False  # setting up: the position held is the target (begin_at_target)
    fresh: bool = False  # the rises begin at the limb's first sighting (its smoothing started there)
    recent: tuple = ()  # (t, progress) of the moving side's readings over the last PEAK_WINDOW_S
    crest: float = 0.0  # highest fitted level of the rep (its reported peak)


@dataclass(frozen=True, slots=True)
class Transition:
    """A phase change; ``rep_done`` is set when leaving RETURN for START (the rep is complete)."""

    phase: str
    side: str | None
    rep_done: bool = False
    out_s: float = 0.0
    end_s: float = 0.0
    return_s: float = 0.0
    hold_s: float = 0.0
    peak: float = 0.0
    reached_end: bool = False
    out_timed: bool = True
    return_timed: bool = True
    #: Timed from a short visible band only (see ROUGH_FROM).
    out_rough: bool = False
    return_rough: bool = False


def step(
    state: PhaseState,
    t: float,
    progress: dict[str, float | None],
    in_start_position: bool,
    holding_ok: bool,
    spec: PhaseSpec,
    at_target_position: bool = False,
) -> tuple[PhaseState, list[Transition]]:
    """Advance the machine by one frame.

    Parameters
    ----------
    state : PhaseState
    t : float
        Frame time in seconds (the caller guarantees it increases).
    progress : dict
        Progress per side being watched (``"left"``/``"right"``, or ``"both"`` for an unsided
        primary feature); ``None`` where the feature could not be read this frame.
    in_start_position : bool
        The recognised posture is the exercise's start position and every setup standard holds.
    holding_ok : bool
        Every critical standard of the end phase holds this frame (the hold timer runs only then).
    spec : PhaseSpec
    at_target_position : bool
        The recognised posture is the exercise's target posture (``begin_at_target``); read only
        while setting up.

    Returns
    -------
    (PhaseState, list of Transition)
    """
    dt = 0.0 if state.last_t is None else t - state.last_t
    counted_dt = dt if dt <= MAX_FRAME_GAP_S else 0.0
    phase = state.phase
    h = spec.hysteresis
    if spec.mode == "hold" and phase != SETUP:
        return _step_hold(state, t, progress, holding_ok, counted_dt, spec)

    if phase == SETUP:
        values = [p for p in progress.values() if p is not None]
        if not values and not in_start_position:
            # Nothing read at all (a dropped frame): the start position is neither confirmed nor
            # broken; the wait goes on unless the gap outlasts MAX_FRAME_GAP_S (below).
            return state, []
        at_start = spec.mode == "hold" or (bool(values) and max(values) <= spec.return_fraction)
        # A set that may begin at the target (a sit-to-stand begun seated): its posture held there.
        at_target = (spec.begin_at_target and at_target_position and bool(values)
                     and min(values) >= spec.end_fraction)
        ready = (in_start_position and at_start) or at_target
        if not ready:
            return state._replace(ready_since=None, last_t=t), []
        gap = state.last_t is not None and t - state.last_t > MAX_FRAME_GAP_S
        moved = at_target != state.held_at_target  # from the start position to the target or back
        since = t if state.ready_since is None or gap or moved else state.ready_since
        if t - since < spec.setup_s:
            return state._replace(ready_since=since, held_at_target=at_target, last_t=t), []
        if at_target:
            return _begin_at_target(t, progress)
        return PhaseState(phase=START, phase_since=t, last_t=t), [Transition(START, None)]

    smooth = _smoothed(state.smooth, progress, t)
    if phase == START:
        side, p = _leading_from_rest(state, t, progress)
        if p is None:
            return state._replace(last_t=t, smooth=smooth), []
        state = _note_rest(state, smooth, t, progress, spec, exclude=None)._replace(last_t=t)
        if p < spec.out_fraction + h:
            return state, []
        # The rest level is this side's last frame at rest (for a limb that came into view out of
        # hiding, the nominal start at its first sighting: see _note_rest). If that was never
        # seen, the out phase is marked untimed.
        rest = state.rest.get(side)
        if rest is not None and t - rest[0] > MAX_REST_GAP_S:
            rest = None  # not seen at rest for a while: where the movement began is unknown
        point, trace = smooth[side], state.lead.get(side, ())
        rises = (trace if trace[-1:] == (point,) else trace + (point,)) if rest else (point,)
        new = PhaseState(phase=OUT, side=side, phase_since=t, last_t=t, peak=p, recent=((t, p),), crest=p,
                         start_p=rest[1] if rest else p, out_seen=rest is not None,
                         fresh=rest is not None and len(rest) > 2 and rises[0][0] == rest[0],
                         smooth=smooth, top=max(v for _, v in rises), rises=rises,
                         lead={k: v for k, v in state.lead.items() if k != side},
                         rest={k: v for k, v in state.rest.items() if k != side},
                         rest_floor={k: v for k, v in state.rest_floor.items() if k != side})
        return new, [Transition(OUT, side)]

    # The other side rests while this one moves (alternating exercises): keep its last rest frame,
    # so its own rep, which may start before this one is seen to end, can be timed.
    state = _note_rest(state, smooth, t, progress, spec, exclude=state.side)
    p = progress.get(state.side) if state.side in progress else progress.get("both")
    if p is None:
        # The moving limb is hidden (the far side in side view). If it was already on its way
        # back and the other side starts its own rep, this one has returned: complete it.
        others = [q for side, q in progress.items() if side != state.side and q is not None]
        if phase == RETURN and others and max(others) >= spec.out_fraction + h:
            # Timed up to its last sighting; the new rep starts from this frame.
            done = _complete(state, state.seen_t, return_timed=False)
            return done[0]._replace(phase_since=t, last_t=t, smooth=smooth), done[1]
        if (phase == RETURN and others and t - state.seen_t >= HIDDEN_RETURN_S
                and state.seen_p < state.peak - RETURN_DROP):
            # Seen falling, then hidden for a while with the body still tracked (another side is
            # read): the limb has gone back behind the near one. Complete it at its last sighting
            # rather than when the other side next moves, which may be seconds later.
            done = _complete(state, state.seen_t, return_timed=False)
            return done[0]._replace(last_t=t, smooth=smooth), done[1]
        return state._replace(last_t=t, smooth=smooth, unseen=state.unseen + 1), []
    peak = max(state.peak, p)
    # Tempo (see _phase_times): the smoothed progress's rises to its top and falls after it.
    level = smooth[state.side][1]
    if level > state.top:
        top, rises, falls = level, state.rises + ((t, level),), ()
    else:
        top, rises = state.top, state.rises
        falls = state.falls + ((t, level),) if not state.falls or level < state.falls[-1][1] else state.falls
    recent = tuple(r for r in state.recent if t - r[0] < PEAK_WINDOW_S) + ((t, p),)
    state = state._replace(peak=peak, last_t=t, seen_t=t, seen_p=p, smooth=smooth, top=top, rises=rises, falls=falls,
                           frames=state.frames + state.unseen + 1, read=state.read + 1, unseen=0, recent=recent,
                           crest=max(state.crest, _fitted_centre(recent)))

    if phase == OUT:
        if p >= spec.end_fraction:
            return state._replace(phase=END, phase_since=t, reached_end=True), [Transition(END, state.side)]
        if p < peak - max(RETURN_DROP, h):
            return state._replace(phase=RETURN, phase_since=t), [Transition(RETURN, state.side)]
        return state, []

    if phase == END:
        hold = state.hold_s + (counted_dt if holding_ok else 0.0)
        if p < spec.end_fraction - h:
            new = state._replace(phase=RETURN, phase_since=t, hold_s=hold, end_s=state.end_s + (t - state.phase_since))
            return new, [Transition(RETURN, state.side)]
        return state._replace(hold_s=hold), []

    # RETURN
    if p >= spec.end_fraction:
        return state._replace(phase=END, phase_since=t, reached_end=True), [Transition(END, state.side)]
    if p <= spec.return_fraction - h:
        return _complete(state, t)
    return state, []


def _begin_at_target(t: float, progress: dict) -> tuple[PhaseState, list[Transition]]:
    """A set begun in the target position: START and at once END of a first rep whose out phase
    was never seen (untimed; its rules have nothing to judge). Returning to the start completes it,
    so every return from the target counts, whichever way the set began."""
    side, p = _leading(progress)
    smooth = _smoothed({}, progress, t)
    return PhaseState(phase=END, side=side, phase_since=t, last_t=t, peak=p, reached_end=True, out_seen=False,
                      seen_t=t, seen_p=p, smooth=smooth, top=smooth[side][1], rises=(smooth[side],),
                      frames=1, read=1, recent=((t, p),), crest=p), [Transition(START, None), Transition(END, side)]


def _note_rest(
    state: PhaseState, smooth: dict, t: float, progress: dict, spec: PhaseSpec, exclude: str | None
) -> PhaseState:
    """Record, per side, the last frame at rest in the start position: in the start zone
    (-0.1 .. return_fraction, so not an excursion the other way such as the camel half of a
    cat-camel cycle) and within LEAVE_START of the lowest progress seen there (so not the tail of
    the previous return, nor an actual rest a little off the file's nominal start).

    A side first read after being hidden for over MAX_FRAME_GAP_S is traced from that sighting.
    If it comes into view already past TIMING_LOW (the far limb in side view, hidden behind the
    near one at rest), or past the rest band of its own floor seen before it was hidden (a far leg
    first seen at 11-14 %, engine-issues H17-5), it was last at rest, at the nominal start, out of
    sight: its rest is set there and then, so the visible part of its out phase can be timed (see
    PARTIAL_FROM).
    ``smooth`` is this frame's smoothed progress, ``state.smooth`` the previous frame's.
    """
    rest, floor, lead = None, None, None
    for side, q in progress.items():
        if side == exclude or q is None:
            continue
        # Each side's smoothed progress since its last frame at rest: its rises if it moves next.
        point = smooth[side][:2]
        trace = state.lead.get(side)
        last = state.smooth.get(side)
        if last is None or t - last[0] > MAX_FRAME_GAP_S:
            lead = lead or dict(state.lead)
            lead[side] = (point,)
            known = state.rest_floor.get(side)
            if q > (TIMING_LOW if known is None else max(known, 0.0) + LEAVE_START):
                if floor is None:
                    rest, floor = dict(state.rest), dict(state.rest_floor)
                rest[side] = (t, 0.0, "sighted")
                floor.setdefault(side, 0.0)
                continue
        elif trace is not None and point[1] > trace[-1][1]:
            lead = lead or dict(state.lead)
            lead[side] = trace + (point,)
        if not -2 * LEAVE_START <= q <= spec.return_fraction:
            continue
        if floor is None:
            rest, floor = dict(state.rest), dict(state.rest_floor)
        low = min(floor.get(side, q), q)
        floor[side] = low
        # Rest lies at the lowest progress seen, but not below the nominal start: coming back
        # from an excursion the other way (the camel) passes through negative values first.
        if q <= max(low, 0.0) + LEAVE_START:
            rest[side] = (t, max(q, 0.0))
            lead = lead or dict(state.lead)
            lead[side] = (point,)
    state = state._replace(smooth=smooth)
    if floor is not None:
        state = state._replace(rest=rest, rest_floor=floor)
    return state if lead is None else state._replace(lead=lead)


def complete_hidden_return(state: PhaseState) -> tuple[PhaseState, list[Transition]]:
    """At the end of a stream: a rep last seen on its way back, then hidden, is complete (timed
    to its last sighting); anything else is not."""
    if state.phase != RETURN:
        return state, []
    return _complete(state, state.seen_t, return_timed=False)


def _complete(
    state: PhaseState, t: float, return_timed: bool = True
) -> tuple[PhaseState, list[Transition]]:
    """Finish the rep at time t: back to START with a ``rep_done`` transition whose peak is the
    highest fitted level (PEAK_WINDOW_S), not the highest noisy frame.

    A phase whose start or end was not seen (a hidden limb) is marked untimed: a scaled fragment
    is no basis for a tempo verdict.
    """
    (out_s, out_rough), (return_s, return_rough) = _phase_times(state, t)
    done = Transition(
        START, state.side, rep_done=True, out_s=out_s or 0.0, end_s=state.end_s, return_s=return_s or 0.0,
        hold_s=state.hold_s, peak=state.crest, reached_end=state.reached_end,
        out_timed=state.out_seen and out_s is not None, return_timed=return_timed and return_s is not None,
        out_rough=out_rough, return_rough=return_rough,
    )
    rest = {side: when for side, when in state.rest.items() if side != state.side}
    floor = {side: low for side, low in state.rest_floor.items() if side != state.side}
    lead = {side: trace for side, trace in state.lead.items() if side != state.side}
    return PhaseState(phase=START, phase_since=t, last_t=t, rest=rest, rest_floor=floor, smooth=state.smooth,
                      lead=lead), [done]


def _phase_times(state: PhaseState, t: float) -> tuple[tuple[float | None, bool], tuple[float | None, bool]]:
    """Whole-phase durations of the rep's out and return phases, each with whether it is rough
    (seen over a short band only, ROUGH_FROM), or None where too little of the phase was seen to
    scale (or the moving side was read on too few of the rep's frames).

    Both are timed on the smoothed progress between TIMING_LOW and TIMING_HIGH of the excursion
    from the rest level to the smoothed top (crossing times interpolated between frames), and
    scaled to the whole phase of a smooth movement (:func:`smooth_time`). Smoothing delays every
    crossing by about TIMING_TAU_S, so durations keep. Where a band was not crossed the nearest
    seen point is used instead: the first frame of the rep (the smoothed progress lags the raw
    one that started it), the top, or the frame that counted the rep.
    """
    base = state.start_p
    span = state.top - base
    if span <= 0 or not state.rises or state.read < MIN_SEEN_SHARE * state.frames:
        return (None, False), (None, False)

    def share(level: float) -> float:
        return min(max((level - base) / span, 0.0), 1.0)

    t_first, first = state.rises[0]
    low = max(TIMING_LOW, share(first))
    out_s = None
    if low <= ROUGH_FROM:
        begin = _crossing(state.rises, base + low * span, t_first)
        high = _crossing(state.rises, base + TIMING_HIGH * span, t_first)
        if state.fresh:
            # Smoothing that starts at the first sighting lags a movement by nothing at first and
            # by TIMING_TAU_S once running (which cancels between crossings): take out the lag
            # each crossing had built up, or a partly seen phase reads up to 0.3 s long.
            begin, high = (c - TIMING_TAU_S * (1.0 - math.exp((t_first - c) / TIMING_TAU_S)) for c in (begin, high))
        out_s = (high - begin) / (smooth_time(TIMING_HIGH) - smooth_time(low))
    # The return, in shares of the excursion covered on the way back.
    path = state.rises[-1:] + state.falls
    high_level, low_level = base + TIMING_HIGH * span, base + TIMING_LOW * span
    begin, begun = (_crossing(path, high_level, None, falling=True), 1 - TIMING_HIGH)
    if begin is None:
        begin, begun = path[0][0], 0.0
    end, ended = _crossing(path, low_level, None, falling=True), 1 - TIMING_LOW
    if end is None:
        end, ended = t, 1 - share(path[-1][1])
    return_s = (end - begin) / (smooth_time(ended) - smooth_time(begun)) if ended >= 1 - ROUGH_FROM else None
    return (out_s, low > PARTIAL_FROM), (return_s, ended < 1 - PARTIAL_FROM)


def _fitted_centre(points: tuple) -> float:
    """Value at the middle of the window of a least-squares quadratic through ``points`` ((t, value)
    pairs); the last value when there are fewer than PEAK_FIT_MIN of them.

    A quadratic (a Savitzky-Golay fit, also on uneven frame times) averages noise away while keeping
    the height of a smooth top, which a plain mean would flatten.
    """
    if len(points) < PEAK_FIT_MIN:
        return points[-1][1]
    centre = (points[0][0] + points[-1][0]) / 2
    s0 = s1 = s2 = s3 = s4 = y0 = y1 = y2 = 0.0
    for when, value in points:
        x = when - centre
        x2 = x * x
        s0 += 1.0
        s1 += x
        s2 += x2
        s3 += x2 * x
        s4 += x2 * x2
        y0 += value
        y1 += value * x
        y2 += value * x2
    # Normal equations [[s0 s1 s2] [s1 s2 s3] [s2 s3 s4]] c = [y0 y1 y2]; c0 (the value at the
    # centre) by Cramer's rule.
    det = s0 * (s2 * s4 - s3 * s3) - s1 * (s1 * s4 - s3 * s2) + s2 * (s1 * s3 - s2 * s2)
    if det <= 1e-18:
        return points[-1][1]
    return (y0 * (s2 * s4 - s3 * s3) - s1 * (y1 * s4 - s3 * y2) + s2 * (y1 * s3 - s2 * y2)) / det


def _crossing(path: tuple, level: float, default: float | None, falling: bool = False) -> float | None:
    """Time at which a monotonic path of (t, value) first reaches ``level``, interpolated
    linearly between its points; ``default`` if it never does."""
    previous = None
    for when, value in path:
        if (value <= level) if falling else (value >= level):
            if previous is None or value == previous[1]:
                return when
            return previous[0] + (level - previous[1]) / (value - previous[1]) * (when - previous[0])
        previous = (when, value)
    return default


def _smoothed(smooth: dict, progress: dict, t: float) -> dict:
    """Progress per side smoothed exponentially over TIMING_TAU_S of time: side -> (time of its
    last reading, smoothed value); restarted after a gap longer than MAX_FRAME_GAP_S."""
    out = dict(smooth)
    for side, q in progress.items():
        if q is None:
            continue
        old = out.get(side)
        if old is None or not 0 < t - old[0] <= MAX_FRAME_GAP_S:
            out[side] = (t, q)
        else:
            out[side] = (t, old[1] + (1.0 - math.exp((old[0] - t) / TIMING_TAU_S)) * (q - old[1]))
    return out


def _step_hold(
    state: PhaseState, t: float, progress: dict, holding_ok: bool, counted_dt: float, spec: PhaseSpec
) -> tuple[PhaseState, list[Transition]]:
    """A static hold (``[phases] mode = "hold"``): START -> END once every critical end standard
    has held for SETTLE_S (that time counts toward the hold); the rep is complete when the valid
    hold reaches its target, or ends early when the standards stay broken for RELEASE_S; after a
    completed hold, RETURN waits for the standards to stay broken for RELEASE_S (the release), so
    one noisy frame neither starts nor ends a hold.

    The rep's side is the one side watched (the near side of a bilateral exercise, or the side
    given), else "both".
    """
    phase = state.phase
    if phase == START:
        if not holding_ok:
            return state._replace(last_t=t, ready_since=None), []
        since = t if state.ready_since is None else state.ready_since
        if t - since < SETTLE_S:
            return state._replace(last_t=t, ready_since=since), []
        side = next(iter(progress)) if len(progress) == 1 else "both"
        return PhaseState(phase=END, side=side, phase_since=since, last_t=t, peak=1.0,
                          reached_end=True, hold_s=t - since), [Transition(END, side)]
    broken_since = None if holding_ok else (state.broken_since or t)
    released = broken_since is not None and t - broken_since >= RELEASE_S
    if phase == END:
        hold = state.hold_s + (counted_dt if holding_ok else 0.0)
        if hold >= spec.hold_s or released:
            following = START if hold < spec.hold_s else RETURN
            done = Transition(following, state.side, rep_done=True, end_s=t - state.phase_since, hold_s=hold,
                              peak=1.0, reached_end=True)
            return PhaseState(phase=following, side=state.side, phase_since=t, last_t=t), [done]
        return state._replace(last_t=t, hold_s=hold, broken_since=broken_since), []
    # RETURN: the hold is done; wait for the release before another can start.
    if released:
        return PhaseState(phase=START, phase_since=t, last_t=t), [Transition(START, None)]
    return state._replace(last_t=t, broken_since=broken_since), []


def smooth_time(fraction: float) -> float:
    """Fraction of a smooth (minimum-jerk) movement's time at which it covers ``fraction`` of its
    excursion: the inverse of ``10 u^3 - 15 u^4 + 6 u^5``, by bisection.

    Human point-to-point movements follow this profile closely (Flash and Hogan 1985), so a time
    measured between two progress bands can be scaled to the whole phase the brief's tempo rules
    speak of.
    """
    fraction = min(max(fraction, 0.0), 1.0)
    low, high = 0.0, 1.0
    for _ in range(40):
        mid = (low + high) / 2
        if 10 * mid**3 - 15 * mid**4 + 6 * mid**5 < fraction:
            low = mid
        else:
            high = mid
    return (low + high) / 2


def _leading(progress: dict[str, float | None]) -> tuple[str | None, float | None]:
    """The side with the most progress (the one starting to move)."""
    best_side, best = None, None
    for side, p in progress.items():
        if p is not None and (best is None or p > best):
            best_side, best = side, p
    return best_side, best


def _leading_from_rest(state: PhaseState, t: float, progress: dict[str, float | None]) -> tuple[str | None, float | None]:
    """The leading side, except that a side not seen at rest lately (it came into view already
    moving) yields to a side followed from rest that is well on its way out too (past
    TIMING_LOW): both limbs take part in the movement, and the one seen leaving the start is the
    rep's. In a figure-4 stretch both hips flex; from the supporting side the crossed leg's knee
    comes into view part way up and read ahead of the supporting thigh (engine-issues H17-4)."""
    side, p = _leading(progress)
    if side is None or _seen_at_rest(state, t, side):
        return side, p
    followed = {s: q for s, q in progress.items() if q is not None and q > TIMING_LOW and _seen_at_rest(state, t, s)}
    return _leading(followed) if followed else (side, p)


def _seen_at_rest(state: PhaseState, t: float, side: str) -> bool:
    """The side's last frame at rest is recent and was seen there (not assumed at a sighting)."""
    rest = state.rest.get(side)
    return rest is not None and len(rest) == 2 and t - rest[0] <= MAX_REST_GAP_S
