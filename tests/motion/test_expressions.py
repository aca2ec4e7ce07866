"""The expression language: safe parsing, evaluation on hand-built points, errors with positions."""

from __future__ import annotations

import pytest

from backcoach.motion.expressions import ExpressionError, compile_expression, parse
from backcoach.motion.features import FrameView
from backcoach.motion.geometry import Missing
from backcoach.pose.skeleton import INDEX


def view(**points) -> FrameView:
    """A frame view with the named landmarks at the given (X, Y) points, all visible."""
    pts = [(0.0, 0.0)] * 33
    vis = [0.0] * 33
    for name, point in points.items():
        pts[INDEX[name]] = point
        vis[INDEX[name]] = 1.0
    return FrameView(points=pts, vis=vis, refs={"torso": 0.5, "leg": 1.0, "shoulder_width": 0.25, "hip_width": 0.2})


LEG = dict(left_hip=(0.0, 1.0), left_knee=(0.0, 0.5), left_ankle=(0.5, 0.5),
           right_hip=(1.0, 1.0), right_knee=(1.0, 0.5), right_ankle=(1.0, 0.0))


def no_features(name):
    raise KeyError(name)


@pytest.mark.parametrize(
    "text, side, expected",
    [
        pytest.param("angle(left_hip, left_knee, left_ankle)", "left", 90.0, id="angle"),
        pytest.param("angle({side}_hip, {side}_knee, {side}_ankle)", "right", 180.0, id="side-placeholder"),
        pytest.param("angle({other}_hip, {other}_knee, {other}_ankle)", "right", 90.0, id="other-placeholder"),
        pytest.param("incl_h(left_knee, left_ankle)", "left", 0.0, id="incl_h"),
        pytest.param("incl_v(left_knee, left_hip)", "left", 0.0, id="incl_v"),
        pytest.param("dist(left_hip, right_hip)", "left", 1.0, id="dist"),
        pytest.param("ratio(left_hip, right_hip)", "left", 2.0, id="ratio-over-torso"),
        pytest.param("ratio(left_hip, right_hip, left_hip, left_knee)", "left", 2.0, id="ratio-four-points"),
        pytest.param("height(left_hip, left_knee)", "left", 1.0, id="height"),
        pytest.param("offset(left_knee, left_hip, right_hip)", "left", 1.0, id="offset-below"),
        pytest.param("angle(mid(left_hip, right_hip), left_knee, left_ankle)", "left", 45.0, id="mid-point"),
        pytest.param("abs(-3) + min(1, 2) * max(2, 4) / 2 - torso", "left", 4.5, id="arithmetic"),
        pytest.param("angle(left_hip, left_knee, left_ankle) > 80 and not 1 > 2", "left", True, id="boolean"),
        pytest.param("80 < angle(left_hip, left_knee, left_ankle) <= 90", "left", True, id="chained"),
        pytest.param("1 > 2 or 3 > 4", "left", False, id="or"),
        pytest.param("ahead(left_ankle, left_knee)", "left", 1.0, id="ahead-along-facing"),
        pytest.param("height({near}_hip, {near}_knee)", "right", 1.0, id="near-side-is-the-views"),
        pytest.param("when(dist(left_hip, right_hip) > 0.5, height(left_hip, left_knee))", "left", 1.0, id="when-holds"),
        pytest.param("either(height(left_hip, left_knee), 7)", "left", 1.0, id="either-first"),
        pytest.param("either(when(1 > 2, 3), height(left_hip, left_knee))", "left", 1.0, id="either-fallback"),
    ],
)
def test_expression_values(text, side, expected):
    evaluate = compile_expression(text, side, no_features)
    assert evaluate(view(**LEG)) == pytest.approx(expected)


def test_when_gives_missing_while_its_condition_fails():
    evaluate = compile_expression("when(dist(left_hip, right_hip) > 2, height(left_hip, left_knee))", "left", no_features)
    value = evaluate(view(**LEG))
    assert isinstance(value, Missing)
    assert "when()" in value.reason


def test_either_is_missing_only_when_both_are():
    evaluate = compile_expression("either(when(1 > 2, 3), when(2 > 3, 4))", "left", no_features)
    value = evaluate(view(**LEG))
    assert isinstance(value, Missing) and "when()" in value.reason


def test_near_placeholder_follows_the_frame_views_near_side():
    evaluate = compile_expression("angle({near}_hip, {near}_knee, {near}_ankle)", "left", no_features)
    v = view(**LEG)
    assert evaluate(v) == pytest.approx(90.0)  # view.near defaults to left
    v.near = "right"
    assert evaluate(v) == pytest.approx(180.0)


def test_ahead_sign_follows_facing():
    evaluate = compile_expression("ahead(left_ankle, left_knee)", "left", no_features)
    v = view(**LEG)
    v.facing = -1.0
    assert evaluate(v) == pytest.approx(-1.0)


def test_features_are_referenced_by_name():
    knee = compile_expression("angle(left_hip, left_knee, left_ankle)", "left", no_features)
    evaluate = compile_expression("180 - knee", "left", lambda name: {"knee": knee}[name])
    assert evaluate(view(**LEG)) == pytest.approx(90.0)


def test_hidden_landmark_gives_missing_with_reason():
    points = dict(LEG)
    evaluate = compile_expression("angle(left_hip, left_knee, left_ankle) + 1", "left", no_features)
    v = view(**points)
    v.vis[INDEX["left_knee"]] = 0.2
    result = evaluate(v)
    assert isinstance(result, Missing)
    assert result.reason == "left_knee visibility 0.20 < 0.50"


@pytest.mark.parametrize(
    "text, message, position",
    [
        pytest.param("angle(left_hip, left_knee", "syntax error", None, id="syntax"),
        pytest.param("__import__('os')", "unknown function '__import__'", 0, id="no-builtins"),
        pytest.param("knee.real", "Attribute is not allowed", 0, id="no-attributes"),
        pytest.param("angle(left_hip, left_knee)", "got 2 arguments", 0, id="arity"),
        pytest.param("1 + angle(left_hip, 3, left_ankle)", "expected a point", 20, id="number-as-point"),
        pytest.param("knee ** 2", r"only \+ - \* / are allowed", 0, id="power"),
        pytest.param("knee == 2", "only < <= > >= comparisons", 0, id="equality"),
        pytest.param("'abc'", "only numbers are allowed", 0, id="string"),
        pytest.param("abs(x=1)", "keyword arguments", 0, id="keywords"),
        pytest.param("[1, 2]", "List is not allowed", 0, id="list"),
        pytest.param("mid(left_hip, right_hip)", r"mid\(P, Q\) is a point", 0, id="bare-mid"),
        pytest.param("smooth(knee, torso)", r"window of smooth\(\) must be a number of seconds", 13, id="window-not-constant"),
        pytest.param("amplitude(knee, 0)", r"window of amplitude\(\) must be", 16, id="window-zero"),
        pytest.param("smooth(knee, 120)", r"in \(0, 60\]", 13, id="window-too-long"),
    ],
)
def test_parse_rejects_with_position(text, message, position):
    with pytest.raises(ExpressionError, match=message) as caught:
        parse(text)
    if position is not None:
        assert caught.value.position == position


def test_unknown_names_are_reported_at_their_position():
    with pytest.raises(ExpressionError, match=r"'kneecap' is not a feature") as caught:
        compile_expression("1 + kneecap", "left", no_features)
    assert caught.value.position == 4
    with pytest.raises(ExpressionError, match=r"'left_kne' is not a landmark") as caught:
        compile_expression("angle(left_hip, left_kne, left_ankle)", "left", no_features)
    assert caught.value.position == 16


def test_placeholder_positions_match_original_text():
    with pytest.raises(ExpressionError) as caught:
        compile_expression("angle({side}_hip, {side}_kne, {side}_ankle)", "left", no_features)
    assert caught.value.position == len("angle({side}_hip, ")


def stream(evaluate, samples, memory):
    """Evaluate on one frame per (t, x) sample: the hip at (0, 1), the knee at (x, 0.5)."""
    out = []
    for t, x in samples:
        v = view(left_hip=(0.0, 1.0), left_knee=(x, 0.5))
        v.t, v.memory = t, memory
        out.append(evaluate(v))
    return out


def test_smooth_is_the_mean_over_its_window_of_frames():
    knee_x = lambda v: v.points[INDEX["left_knee"]][0]
    evaluate = compile_expression("smooth(10 * knee_x, 0.3)", "left", lambda name: {"knee_x": knee_x}[name])
    values = stream(evaluate, [(i / 10, float(i)) for i in range(6)], memory={})
    # Window 0.3 s at 10 fps: the frame itself and the two before it.
    assert values == pytest.approx([0, 5, 10, 20, 30, 40])


def test_amplitude_is_max_minus_min_over_its_window():
    knee_x = lambda v: v.points[INDEX["left_knee"]][0]
    evaluate = compile_expression("amplitude(knee_x, 0.25)", "left", lambda name: {"knee_x": knee_x}[name])
    values = stream(evaluate, [(0.0, 1.0), (0.1, 3.0), (0.2, 2.0), (0.3, 2.5), (0.4, 2.5)], memory={})
    assert values == pytest.approx([0.0, 2.0, 2.0, 1.0, 0.5])


def test_windowed_function_counts_each_frame_once_and_restarts_when_time_goes_back():
    knee_x = lambda v: v.points[INDEX["left_knee"]][0]
    evaluate = compile_expression("smooth(knee_x, 10)", "left", lambda name: {"knee_x": knee_x}[name])
    memory = {}
    # The second evaluation of frame 0.1 (e.g. after the engine refined its references) replaces the first.
    assert stream(evaluate, [(0.0, 2.0), (0.1, 100.0), (0.1, 4.0)], memory) == pytest.approx([2.0, 51.0, 3.0])
    assert stream(evaluate, [(0.0, 8.0)], memory) == pytest.approx([8.0])  # a new stream


def test_windowed_function_skips_missing_readings_and_needs_a_memory_to_remember():
    evaluate = compile_expression("smooth(height(left_hip, left_knee), 1)", "left", no_features)
    memory = {}
    assert stream(evaluate, [(0.0, 0.0)], memory) == pytest.approx([1.0])
    hidden = view(left_hip=(0.0, 1.0))
    hidden.t, hidden.memory = 0.1, memory
    assert isinstance(evaluate(hidden), Missing)
    lone = view(left_hip=(0.0, 1.0), left_knee=(0.0, 0.0))  # no memory: the reading itself
    assert evaluate(lone) == pytest.approx(2.0)
