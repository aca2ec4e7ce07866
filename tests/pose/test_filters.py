import numpy as np
import pytest

from backcoach.pose.filters import OneEuroFilter, TrackingLost, fill_gaps, smooth_sequence
from backcoach.pose.sequence import PoseSequence


def test_one_euro_with_beta_zero_is_a_first_order_low_pass_with_the_textbook_alpha():
    f = OneEuroFilter(min_cutoff=1.0, beta=0.0)
    assert f(0.0, np.array([0.0])) == 0.0
    # alpha = 1 / (1 + tau / dt), tau = 1 / (2 pi * 1 Hz), dt = 0.1 s  ->  0.385869
    assert f(0.1, np.array([1.0]))[0] == pytest.approx(0.385869, abs=1e-6)
    assert f(0.2, np.array([1.0]))[0] == pytest.approx(0.385869 + 0.385869 * (1 - 0.385869), abs=1e-6)


def test_one_euro_uses_the_real_time_step():
    slow, fast = OneEuroFilter(), OneEuroFilter()
    slow(0.0, np.zeros(1)), fast(0.0, np.zeros(1))
    # a longer gap lets the output move further towards the new value: dt = 0.5 s -> alpha 0.758547
    after_long_step = slow(0.5, np.ones(1))[0]
    assert after_long_step == pytest.approx(0.758547, abs=1e-6)
    assert fast(0.1, np.ones(1))[0] == pytest.approx(0.385869, abs=1e-6)


def test_one_euro_reduces_jitter_and_beta_reduces_lag_on_fast_motion():
    t = np.arange(200) / 30.0
    rng = np.random.default_rng(1)
    still = 0.5 + rng.normal(0, 0.01, (200, 33, 3))
    f = OneEuroFilter(min_cutoff=1.0)
    out = np.stack([f(ti, x) for ti, x in zip(t, still)])
    assert out[30:].std() < 0.35 * still[30:].std()
    ramp = np.broadcast_to((2.0 * t)[:, None, None], (200, 33, 3))  # 2 units/s
    lag = {}
    for beta in (0.0, 5.0):
        f = OneEuroFilter(min_cutoff=1.0, beta=beta)
        lag[beta] = float(np.mean([ri - f(ti, ri) for ti, ri in zip(t, ramp)][-1]))
    assert lag[0.0] == pytest.approx(2.0 / (2 * np.pi * 1.0), rel=0.05)  # steady lag = speed * tau
    assert lag[5.0] < 0.15 * lag[0.0]


def test_one_euro_restarts_an_element_after_nan():
    f = OneEuroFilter()
    f(0.0, np.array([0.0, 0.0]))
    out = f(0.1, np.array([np.nan, 1.0]))
    assert np.isnan(out[0]) and 0 < out[1] < 1
    assert f(0.2, np.array([5.0, 1.0]))[0] == 5.0


def test_one_euro_refuses_time_going_backwards():
    f = OneEuroFilter()
    f(1.0, np.zeros(3))
    with pytest.raises(ValueError, match="timestamps must increase"):
        f(1.0, np.zeros(3))


def _ramp_sequence(frames=30, fps=30.0):
    t = np.arange(frames) / fps
    xyz = np.zeros((frames, 33, 3))
    xyz[:, :, 0] = t[:, None]  # x = t: a linear ramp interpolation must reproduce exactly
    return PoseSequence(t=t, xyz=xyz, visibility=np.ones((frames, 33)), image_size=(640, 480), world=xyz.copy())


def test_short_gap_is_linearly_interpolated():
    sequence = _ramp_sequence()
    sequence.xyz[10:13, 5] = np.nan  # 3 frames: 4/30 s between valid neighbours
    filled, report = fill_gaps(sequence, max_gap=0.25)
    np.testing.assert_allclose(filled.xyz[10:13, 5, 0], sequence.t[10:13], atol=1e-6)
    assert report.interpolated[10:13, 5].all() and report.interpolated.sum() == 3
    assert filled.visibility[11, 5] == pytest.approx(1.0)
    assert report.lost == []


def test_long_gap_of_the_whole_person_is_reported_as_tracking_lost():
    sequence = _ramp_sequence()
    sequence.xyz[5:15] = np.nan  # 10 frames: 11/30 s > 0.25 s
    sequence.xyz[28:] = np.nan  # trailing gap: nothing after it to interpolate towards
    filled, report = fill_gaps(sequence, max_gap=0.25)
    assert np.isnan(filled.xyz[5:15]).all() and np.isnan(filled.xyz[28:]).all()
    assert report.lost == [
        TrackingLost(first=5, last=14, start=pytest.approx(5 / 30), end=pytest.approx(14 / 30)),
        TrackingLost(first=28, last=29, start=pytest.approx(28 / 30), end=pytest.approx(29 / 30)),
    ]


def test_gap_exactly_at_the_limit_is_filled_and_just_over_is_not():
    sequence = _ramp_sequence(frames=20, fps=20.0)
    sequence.xyz[5:9, 0] = np.nan  # neighbours at frames 4 and 9: 0.25 s apart
    sequence.xyz[12:17, 1] = np.nan  # neighbours 11 and 17: 0.30 s apart
    filled, report = fill_gaps(sequence, max_gap=0.25)
    assert not np.isnan(filled.xyz[5:9, 0]).any()
    assert np.isnan(filled.xyz[12:17, 1]).all()
    assert report.lost == []  # other landmarks were present: the person was not lost


def test_smooth_sequence_keeps_shape_and_metadata():
    sequence = _ramp_sequence()
    sequence.meta["source"] = "x"
    smoothed = smooth_sequence(sequence, min_cutoff=1.0, beta=0.0)
    assert smoothed.xyz.shape == sequence.xyz.shape and smoothed.meta["source"] == "x"
    assert smoothed.xyz[-1, 0, 0] < sequence.xyz[-1, 0, 0]  # lags the ramp
