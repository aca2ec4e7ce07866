"""Every adapter loads its shared sample; detection; errors name the file and the problem."""

import gzip
import json

import numpy as np
import pytest

from backcoach.pose.formats import FORMATS, RecordingError, detect_format, load_recording, save_recording
from backcoach.pose.sequence import PoseSequence
from backcoach.pose.skeleton import INDEX

KERAAL_SAMPLE = "keraal/official_sample/draw_skeleton/dataSampleKeraal"
G3 = "keraal/group3_sub01"
UIPRMD = "ui_prmd/data/Segmented Movements/Kinect/Positions"

SAMPLES = [
    pytest.param(f"{KERAAL_SAMPLE}/G3-BP-CTK-P1T1-Unknown-C-0.json", "keraal-blazepose", 196, id="keraal-blazepose"),
    pytest.param(f"{G3}/Skeleton_Blazepose/cacheTete/sub01_trial01/VideoColor_Correct0.txt.gz", "keraal-blazepose", 197, id="keraal-blazepose-gz"),
    pytest.param(f"{KERAAL_SAMPLE}/G3-Kinect-CTK-P1T1-Unknown-C-0.txt", "keraal-kinect", 197, id="keraal-kinect"),
    pytest.param(f"{KERAAL_SAMPLE}/G3-Vicon-CTK-P1T1-Unknown-C-0.txt", "keraal-vicon", 390, id="keraal-vicon"),
    pytest.param(f"{KERAAL_SAMPLE}/G3-OP-CTK-P1T1-Unknown-C-0.json", "openpose", 197, id="keraal-openpose"),
    pytest.param(f"{G3}/Skeleton_Openpose/cacheTete/sub01_trial01/VideoColor_Correct0.txt.gz", "openpose", 264, id="keraal-pie-openpose"),
    pytest.param(f"{KERAAL_SAMPLE}/G3-AP-CTK-P1T1-Unknown-C-0.json", "coco", 195, id="keraal-alphapose"),
    pytest.param(f"{UIPRMD}/m01_s01_e01_positions.txt.gz", "ui-prmd", 73, id="ui-prmd"),
    pytest.param("exercise_correction/core/plank_model/test.csv", "exercise-correction", 710, id="exercise-correction"),
]


@pytest.mark.parametrize("relative, format_id, frames", SAMPLES)
def test_every_adapter_loads_its_shared_sample(shared_data, relative, format_id, frames):
    path = shared_data / relative
    assert detect_format(path) == format_id
    sequence = load_recording(path)
    assert isinstance(sequence, PoseSequence)
    assert sequence.xyz.shape == (frames, 33, 3)
    assert sequence.meta["format"] == format_id
    # Both shoulders are present in every sample and lie within the image.
    shoulders = sequence.xyz[:, [INDEX["left_shoulder"], INDEX["right_shoulder"]], :2]
    assert np.nanmedian(shoulders) == pytest.approx(0.5, abs=0.15)
    missing = np.isnan(sequence.xyz).any(axis=2)
    assert (sequence.visibility[missing] == 0).all()


def test_coco_keypoint_list_in_pixels_is_normalised_by_the_given_image_size(shared_data):
    path = shared_data / "tfjs_pose/pose-detection/test_data/pose_1.json"
    with pytest.raises(RecordingError, match="pass image_size"):
        load_recording(path)
    sequence = load_recording(path, image_size=(576, 576))
    first = json.loads(path.read_text())[0]
    assert sequence.xyz[0, INDEX["left_shoulder"], 0] == pytest.approx(first["left_shoulder"]["x"] / 576, rel=1e-6)
    assert np.isnan(sequence.xyz[0, INDEX["left_heel"]]).all()


def test_openpose_native_file_keeps_the_most_confident_person(tmp_path):
    def person(x, confidence):
        keypoints = np.zeros((25, 3))
        keypoints[:, 0], keypoints[:, 1], keypoints[:, 2] = x, 50.0, confidence
        keypoints[8, 2] = 0.0  # mid-hip missing
        return {"pose_keypoints_2d": keypoints.ravel().tolist()}

    path = tmp_path / "clip_000000000000_keypoints.json"
    path.write_text(json.dumps({"version": 1.3, "people": [person(10.0, 0.3), person(100.0, 0.9)]}))
    sequence = load_recording(path, image_size=(200, 100))
    assert sequence.xyz[0, INDEX["left_shoulder"]].tolist() == [0.5, 0.5, 0.0]
    assert sequence.visibility[0, INDEX["right_heel"]] == pytest.approx(0.9)
    assert sequence.visibility[0, INDEX["left_foot_index"]] == pytest.approx(0.9)  # big toe
    assert np.isnan(sequence.xyz[0, INDEX["left_pinky"]]).all()


def test_npz_round_trip_keeps_arrays_and_metadata(tmp_path):
    xyz = np.random.default_rng(0).uniform(0, 1, (4, 33, 3))
    xyz[1, 5] = np.nan
    sequence = PoseSequence(
        t=np.arange(4) / 30, xyz=xyz, visibility=np.full((4, 33), 0.8), image_size=(640, 480),
        meta={"source": "clip.mp4"}, world=np.zeros((4, 33, 3)),
    )
    path = save_recording(sequence, tmp_path / "out.npz", model="full")
    loaded = load_recording(path)
    np.testing.assert_array_equal(loaded.xyz, sequence.xyz)
    np.testing.assert_array_equal(loaded.t, sequence.t)
    assert loaded.visibility[1, 5] == 0.0 and loaded.world.shape == (4, 33, 3)
    assert loaded.image_size == (640, 480)
    assert loaded.meta["source"] == "clip.mp4" and loaded.meta["model"] == "full"
    assert loaded.meta["format_version"] == 1 and loaded.meta["fps"] == pytest.approx(30.0)
    assert [p.name for p in tmp_path.iterdir()] == ["out.npz"]


def test_npz_round_trip_keeps_the_phones_tilt(tmp_path):
    tilt = np.array([[4.0, -2.5], [np.nan, np.nan], [4.5, -2.0]])
    sequence = PoseSequence(t=np.arange(3) / 30, xyz=np.full((3, 33, 3), 0.5), visibility=np.ones((3, 33)),
                            image_size=(640, 480), camera_tilt=tilt)
    loaded = load_recording(save_recording(sequence, tmp_path / "tilted.npz"))
    np.testing.assert_array_equal(loaded.camera_tilt, tilt)
    assert [f.camera_tilt for f in loaded.frames()] == [(4.0, -2.5), None, (4.5, -2.0)]


def test_npz_with_an_impossible_tilt_names_the_file(tmp_path):
    path = _npz(tmp_path / "tilt.npz", camera_tilt=np.array([[0.0, 0.0], [0.0, 120.0], [0.0, 0.0]]))
    with pytest.raises(RecordingError, match=r"tilt\.npz.*pitch 120"):
        load_recording(path)


def _npz(path, **arrays):
    defaults = dict(
        t=np.arange(3) / 30.0,
        xyz=np.full((3, 33, 3), 0.5),
        visibility=np.ones((3, 33)),
        meta=np.array(json.dumps({"format_version": 1, "image_size": [640, 480]})),
    )
    np.savez(path, **(defaults | arrays))
    return path


def _write(path, content):
    if isinstance(content, str):
        path.write_text(content)
    else:
        path.write_bytes(content)
    return path


BAD_INPUTS = [
    pytest.param(lambda d: _write(d / "empty.json", ""), "the file is empty", id="empty"),
    pytest.param(lambda d: _write(d / "junk.bin", b"\x00\x01binary junk"), "unknown recording format", id="unknown"),
    pytest.param(lambda d: d / "absent.npz", "no such file", id="missing"),
    pytest.param(lambda d: _npz(d / "nan.npz", xyz=np.full((3, 33, 3), np.nan)), "every landmark of every frame is NaN", id="nan-filled"),
    pytest.param(lambda d: _npz(d / "shape.npz", xyz=np.zeros((3, 17, 3))), r"shape \(3, 17, 3\), expected \(3, 33, 3\)", id="wrong-shape"),
    pytest.param(lambda d: _npz(d / "time.npz", t=np.array([0.0, 0.2, 0.1])), "time does not increase at frame 2", id="time-backwards"),
    pytest.param(lambda d: _write(d / "bad.npz", b"PK\x03\x04 truncated"), "cannot read the .npz archive", id="corrupt-npz"),
    pytest.param(
        lambda d: _write(d / "k.txt", " ".join(["0.1"] * 175) + "\n" + " ".join(["0.1"] * 174) + "\n"),
        "line 2 has 174 values, expected 175", id="kinect-short-row",
    ),
    pytest.param(
        lambda d: _write(d / "bp.json", '{"positions": {"1": {"Left_shoulder": [0.1, 0.2, 0.0], "Nose": [0.1, 0.2]}}}'),
        r"landmark 'Nose': expected \[x, y, z\]", id="blazepose-short-landmark",
    ),
    pytest.param(lambda d: _write(d / "x.json.gz", gzip.compress(b"{not json")), "unknown recording format", id="gz-not-json"),
]


@pytest.mark.parametrize("make, message", BAD_INPUTS)
def test_bad_recordings_raise_recording_error_naming_the_file(tmp_path, make, message):
    path = make(tmp_path)
    with pytest.raises(RecordingError, match=message) as caught:
        load_recording(path)
    assert str(path) in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_unknown_format_id_is_refused(tmp_path):
    path = _npz(tmp_path / "ok.npz")
    with pytest.raises(RecordingError, match="unknown format 'mp4'"):
        load_recording(path, format="mp4")


def test_every_registered_format_is_documented():
    doc = (__import__("backcoach.paths", fromlist=["ROOT"]).ROOT / "docs" / "recording-format.md").read_text()
    for format_id in FORMATS:
        assert f"`{format_id}`" in doc, f"docs/recording-format.md does not describe format {format_id!r}"
