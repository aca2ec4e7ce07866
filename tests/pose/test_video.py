import json
import subprocess

import cv2
import numpy as np
import pytest

from backcoach.pose.video import PoseTracker, VideoError, analyse_video, choose_person, decode_frames, probe_video


def _write_video(path, frames, size=(64, 48), fps=10.0):
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, size)
    for image in frames:
        writer.write(image)
    writer.release()
    return path


def _pose_at(x, y):
    pose = np.zeros((33, 3))
    pose[:, 0], pose[:, 1] = x, y
    return pose


def test_choose_person_keeps_the_one_nearest_the_previous_pose():
    candidates = [_pose_at(0.5, 0.5), _pose_at(0.2, 0.4)]
    assert choose_person(candidates, previous=_pose_at(0.25, 0.4)) == 1


def test_choose_person_without_history_takes_the_most_central():
    assert choose_person([_pose_at(0.9, 0.5), _pose_at(0.45, 0.55), _pose_at(0.1, 0.1)], previous=None) == 1


@pytest.mark.parametrize(
    "content, message",
    [
        pytest.param(b"", "the video file is empty", id="empty"),
        pytest.param(b"this is not a video at all" * 10, "cannot open the video|no frame could be decoded", id="text"),
    ],
)
def test_unreadable_video_raises_naming_the_file(tmp_path, content, message):
    path = tmp_path / "clip.mp4"
    path.write_bytes(content)
    with pytest.raises(VideoError, match=message) as caught:
        list(decode_frames(path))
    assert str(path) in str(caught.value)


def test_decode_honours_rotation_metadata(tmp_path, tfjs_data):
    rotated = tmp_path / "rotated.mp4"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-i", str(tfjs_data / "pose_squats.mp4"), "-frames:v", "2", "-c", "copy",
         "-metadata:s:v:0", "rotate=90", str(rotated)],
        check=True,
    )
    info = probe_video(rotated)
    assert (info.width, info.height) == (1280, 720) and info.rotation in (90, 270)
    # Reference: the frame as ffmpeg itself displays it (it applies the display matrix).
    shown = tmp_path / "shown.png"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(rotated), "-frames:v", "1", str(shown)], check=True)
    _, turned = next(decode_frames(rotated))
    assert turned.shape == (720, 1280, 3)
    np.testing.assert_array_equal(turned, cv2.imread(str(shown)))


@pytest.mark.slow
def test_frames_without_a_person_are_missing(tmp_path, pose_models):
    path = _write_video(tmp_path / "empty_room.avi", [np.full((48, 64, 3), 128, np.uint8)] * 4)
    sequence = analyse_video(path, "lite")
    assert len(sequence) == 4 and sequence.image_size == (64, 48)
    assert np.isnan(sequence.xyz).all() and (sequence.visibility == 0).all()
    assert sequence.meta["frames_without_person"] == 4
    assert sequence.meta["tracking_lost"] == [[0.0, 0.3]]
    np.testing.assert_allclose(sequence.t, [0.0, 0.1, 0.2, 0.3])


@pytest.mark.slow
def test_pose_jpg_landmarks_within_the_published_tolerance(tfjs_data, pose_models):
    expected = json.loads((tfjs_data / "pose_jpg_expected_landmarks.json").read_text())
    tolerance_px = expected["_tolerances"]["EPSILON_IMAGE_px"]  # 11 px, from the tfjs test
    tolerance_m = expected["_tolerances"]["EPSILON_IMAGE_WORLD_m"]  # 0.11 m
    image = cv2.imread(str(tfjs_data / "pose.jpg"))
    with PoseTracker("full") as tracker:
        frame = tracker.process(image, 0.0)
    error_px = np.abs(frame.pixels - np.array(expected["EXPECTED_LANDMARKS"]))
    error_m = np.abs(frame.world - np.array(expected["EXPECTED_WORLD_LANDMARKS"]))
    # Measured with the full bundle: max 5.7 px, mean 1.9 px; world max 0.065 m.
    assert error_px.max() <= tolerance_px, f"max error {error_px.max():.1f} px"
    assert error_m.max() <= tolerance_m, f"max world error {error_m.max():.3f} m"


def test_webcam_that_cannot_be_opened_raises_camera_error():
    from backcoach.pose.webcam import CameraError, camera_images

    with pytest.raises(CameraError, match="camera 97 cannot be opened"):
        next(camera_images(97))


@pytest.mark.slow
def test_tracker_keeps_the_tracked_person_when_a_more_central_one_appears(tfjs_data, pose_models):
    person = cv2.imread(str(tfjs_data / "pose.jpg"))[:, 250:750]  # 500 px wide, one full body
    alone = np.full((667, 1300, 3), 120, np.uint8)
    alone[:, :500] = person  # A: about 0.2 of the width
    together = alone.copy()
    together[:, 600:1100] = person  # B: about 0.65, nearer the centre than A
    with PoseTracker("full") as fresh:
        assert float(np.nanmean(fresh.process(together, 0.0).xyz[:, 0])) > 0.5  # no history: most central
    with PoseTracker("full") as tracker:
        kept = [tracker.process(image, i / 10) for i, image in enumerate([alone] * 3 + [together] * 3)]
    centres = [float(np.nanmean(frame.xyz[:, 0])) for frame in kept]
    assert all(c < 0.4 for c in centres), centres


@pytest.mark.parametrize("suffix, codec", [(".mp4", "libx264"), (".avi", "mpeg4"), (".webm", "libvpx-vp9"), (".mov", "libx264")])
def test_decode_reads_every_supported_container(tmp_path, tfjs_data, suffix, codec):
    video = tmp_path / f"clip{suffix}"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(tfjs_data / "pose_squats.mp4"), "-frames:v", "3", "-vf", "scale=180:320",
         "-c:v", codec, "-pix_fmt", "yuv420p", str(video)],
        check=True,
    )
    frames = list(decode_frames(video))
    assert len(frames) == 3 and frames[0][1].shape == (320, 180, 3)
    assert [t for t, _ in frames] == pytest.approx([0.0, 0.2, 0.4])
