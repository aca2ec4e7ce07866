import numpy as np
import pytest

from backcoach.pose.frame import FrameError, make_frame, missing_frame
from backcoach.pose.sequence import PoseSequence


def _landmarks():
    return np.full((33, 3), 0.5), np.ones(33)


def test_make_frame_converts_to_float32_and_marks_nan_landmarks_invisible():
    xyz, vis = _landmarks()
    xyz[5] = np.nan
    frame = make_frame(1.0, xyz, vis, (640, 480))
    assert frame.xyz.dtype == np.float32
    assert frame.visibility[5] == 0.0 and frame.visibility[4] == 1.0
    assert frame.pixels[0].tolist() == [320.0, 240.0]


@pytest.mark.parametrize(
    "change, message",
    [
        pytest.param(dict(xyz=np.zeros((32, 3))), r"shape \(32, 3\), expected \(33, 3\)", id="short"),
        pytest.param(dict(visibility=np.ones(34)), r"visibility has shape \(34,\)", id="visibility"),
        pytest.param(dict(t=float("nan")), "timestamp nan is not finite", id="nan-time"),
        pytest.param(dict(t="soon"), "timestamp 'soon' is not a number", id="text-time"),
        pytest.param(dict(image_size=(0, 480)), "must be two positive integers", id="size"),
        pytest.param(dict(xyz=np.full((33, 3), np.inf)), "landmark 0 has an infinite coordinate", id="inf"),
        pytest.param(dict(xyz=np.full((33, 3), 300.0)), "normalised to the image", id="pixels"),
        pytest.param(dict(visibility=np.full(33, 1.5)), r"visibility must lie in \[0, 1\]", id="vis-range"),
        pytest.param(dict(camera_tilt=(0.0, 91.0)), "camera_tilt pitch 91.0 deg", id="tilt-pitch"),
        pytest.param(dict(camera_tilt=(-181.0, 0.0)), "camera_tilt roll -181.0 deg", id="tilt-roll"),
        pytest.param(dict(camera_tilt=(float("nan"), 0.0)), "camera_tilt roll nan deg must be finite", id="tilt-nan"),
        pytest.param(dict(camera_tilt=(1.0,)), r"camera_tilt \(1.0,\) must be two numbers", id="tilt-short"),
    ],
)
def test_make_frame_rejects_bad_input_with_the_reason(change, message):
    xyz, vis = _landmarks()
    args = dict(t=0.0, xyz=xyz, visibility=vis, image_size=(640, 480)) | change
    with pytest.raises(FrameError, match=message):
        make_frame(**args)


def test_missing_frame_has_no_visible_landmark():
    frame = missing_frame(2.0, (640, 480))
    assert np.isnan(frame.xyz).all() and not frame.visibility.any()


def test_sequence_rejects_time_going_backwards_and_names_the_frame():
    t = np.array([0.0, 0.1, 0.05])
    with pytest.raises(FrameError, match=r"time does not increase at frame 2 \(0.1 -> 0.05\)"):
        PoseSequence(t, np.zeros((3, 33, 3)), np.ones((3, 33)), (640, 480))


def test_sequence_streams_frames_and_reports_fps():
    seq = PoseSequence(np.arange(4) / 30, np.zeros((4, 33, 3)), np.ones((4, 33)), (640, 480))
    frames = list(seq.frames())
    assert [round(f.t, 4) for f in frames] == [0.0, 0.0333, 0.0667, 0.1]
    assert seq.fps == pytest.approx(30.0)


def test_make_frame_keeps_the_camera_tilt_as_two_floats():
    xyz, vis = _landmarks()
    assert make_frame(0.0, xyz, vis, (640, 480)).camera_tilt is None
    frame = make_frame(0.0, xyz, vis, (640, 480), camera_tilt=np.array([-2, 10.5]))
    assert frame.camera_tilt == (-2.0, 10.5) and isinstance(frame.camera_tilt[0], float)


def test_sequence_carries_a_per_frame_tilt_with_nan_rows_unknown():
    xyz, vis = _landmarks()
    tilt = np.array([[1.0, 5.0], [np.nan, np.nan], [0.0, -3.0]])
    seq = PoseSequence(t=[0.0, 0.1, 0.2], xyz=np.stack([xyz] * 3), visibility=np.stack([vis] * 3),
                       image_size=(640, 480), camera_tilt=tilt)
    assert [f.camera_tilt for f in seq.frames()] == [(1.0, 5.0), None, (0.0, -3.0)]
    tilt[2, 1] = -95.0
    with pytest.raises(FrameError, match=r"frame 2: camera_tilt pitch -95.0"):
        PoseSequence(t=[0.0, 0.1, 0.2], xyz=np.stack([xyz] * 3), visibility=np.stack([vis] * 3),
                     image_size=(640, 480), camera_tilt=tilt)
    with pytest.raises(FrameError, match=r"camera_tilt has shape \(2, 2\), expected \(3, 2\)"):
        PoseSequence(t=[0.0, 0.1, 0.2], xyz=np.stack([xyz] * 3), visibility=np.stack([vis] * 3),
                     image_size=(640, 480), camera_tilt=tilt[:2])
