"""``backcoach pose``, ``render`` and ``bench pose`` end to end."""

import json
import subprocess

import cv2
import numpy as np
import pytest
from typer.testing import CliRunner

from backcoach.cli.main import app
from backcoach.pose.formats import load_recording, save_recording
from backcoach.pose.sequence import PoseSequence

runner = CliRunner()


def _frame_count(video):
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries", "stream=nb_read_frames",
         "-of", "csv=p=0", str(video)], capture_output=True, text=True, check=True,
    )
    return int(probe.stdout.strip())


@pytest.mark.slow
def test_pose_squats_gives_65_frames_within_the_reference_tolerance(tmp_path, tfjs_data, pose_models):
    output = tmp_path / "squats.npz"
    result = runner.invoke(app, ["pose", str(tfjs_data / "pose_squats.mp4"), "-o", str(output), "--model", "full", "-q"])
    assert result.exit_code == 0, result.output
    sequence = load_recording(output)
    assert sequence.xyz.shape == (65, 33, 3) and sequence.world.shape == (65, 33, 3)
    assert sequence.image_size == (720, 1280)
    assert sequence.meta["model"] == "full" and sequence.meta["source"].endswith("pose_squats.mp4")
    np.testing.assert_allclose(sequence.t[:3], [0.0, 0.2, 0.4])
    assert sequence.meta["tracking_lost"] == [] and sequence.meta["frames_without_person"] == 0
    reference = np.array(json.loads((tfjs_data / "pose_squats.full.json").read_text()))[:, :, :2]
    error = np.linalg.norm(sequence.xyz[:, :, :2] * np.array([720, 1280]) - reference, axis=2)
    # Measured: median 5.7 px (tfjs video tolerance: 31 px).
    assert np.median(error) <= 31, f"median error {np.median(error):.1f} px"


@pytest.mark.parametrize(
    "content, message",
    [
        pytest.param(None, "no such video file", id="missing"),
        pytest.param(b"", "the video file is empty", id="empty"),
        pytest.param(b"not a video" * 50, "cannot open the video|no frame could be decoded", id="unreadable"),
    ],
)
def test_pose_refuses_bad_video_and_writes_nothing(tmp_path, content, message):
    video = tmp_path / "clip.mp4"
    if content is not None:
        video.write_bytes(content)
    output = tmp_path / "out.npz"
    result = runner.invoke(app, ["pose", str(video), "-o", str(output), "-q"])
    assert result.exit_code == 2, result.output
    assert "error:" in result.output and str(video) in result.output.replace("\n", "")
    assert __import__("re").search(message, result.output.replace("\n", " "))
    assert list(tmp_path.iterdir()) == ([video] if content is not None else [])


def test_pose_refuses_a_video_with_nobody_in_it(tmp_path, pose_models):
    video = tmp_path / "room.avi"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"MJPG"), 10.0, (64, 48))
    for _ in range(3):
        writer.write(np.full((48, 64, 3), 90, np.uint8))
    writer.release()
    result = runner.invoke(app, ["pose", str(video), "-o", str(tmp_path / "out.npz"), "-q", "-m", "lite"])
    assert result.exit_code == 2, result.output
    assert "no person found in any of its 3 frames" in result.output
    assert not (tmp_path / "out.npz").exists()


def test_pose_refuses_an_output_that_is_not_npz(tmp_path):
    result = runner.invoke(app, ["pose", "clip.mp4", "-o", str(tmp_path / "out.csv")])
    assert result.exit_code == 2 and "the output must be a .npz file" in result.output


def _recording(frames=6):
    xyz = np.full((frames, 33, 3), 0.5)
    xyz[:, :, 0] = np.linspace(0.3, 0.7, 33)
    return PoseSequence(t=np.arange(frames) / 10, xyz=xyz, visibility=np.ones((frames, 33)), image_size=(160, 120))


def test_render_draws_a_recording_on_a_blank_canvas(tmp_path):
    source = save_recording(_recording(), tmp_path / "rec.npz")
    output = tmp_path / "rec.mp4"
    result = runner.invoke(app, ["render", str(source), "-o", str(output), "-q"])
    assert result.exit_code == 0, result.output
    assert _frame_count(output) == 6
    capture = cv2.VideoCapture(str(output))
    ok, image = capture.read()
    capture.release()
    assert ok and image.shape == (120, 160, 3)
    assert image.max() > 150  # the skeleton is drawn on the dark canvas


def test_render_with_too_few_landmark_frames_fails_and_leaves_no_file(tmp_path, tfjs_data):
    landmarks = save_recording(_recording(frames=3), tmp_path / "short.npz")
    output = tmp_path / "overlay.mp4"
    result = runner.invoke(app, ["render", str(tfjs_data / "pose_squats.mp4"), "-o", str(output), "--landmarks", str(landmarks), "-q"])
    assert result.exit_code == 2, result.output
    assert "holds 3 frames" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["short.npz"]


def test_render_refuses_an_unknown_recording(tmp_path):
    source = tmp_path / "notes.txt"
    source.write_text("hello")
    result = runner.invoke(app, ["render", str(source), "-o", str(tmp_path / "x.mp4")])
    assert result.exit_code == 2 and "unknown recording format" in result.output
    assert not (tmp_path / "x.mp4").exists()


@pytest.mark.slow
def test_bench_pose_prints_figures_as_json(tmp_path, tfjs_data, pose_models):
    video = tmp_path / "short.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-i", str(tfjs_data / "pose_squats.mp4"), "-frames:v", "3", str(video)], check=True)
    result = runner.invoke(app, ["bench", "pose", str(video), "--json", "--repeats", "1", "-m", "lite"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert figures["frames"] == 3 and set(figures["models"]) == {"lite"}
    lite = figures["models"]["lite"]
    assert lite["bare"]["fps"] > 0 and lite["pipeline"]["mean_ms"] > 0
    assert lite["overhead_end_to_end"] == pytest.approx(lite["pipeline"]["mean_ms"] / lite["bare"]["mean_ms"] - 1, abs=1e-3)
    assert 0 < lite["overhead"] == pytest.approx(lite["own_steps"]["mean_ms"] / lite["bare"]["mean_ms"], rel=0.05)
