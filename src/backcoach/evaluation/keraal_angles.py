"""KERAAL angles: our landmarks against the Vicon mocap of the same execution, in the video's view.

Camera: the Vicon targets are put into the video camera's view by an affine camera (2x4, the
camera is 4-5 m away) fitted by least squares from the Vicon targets to the dataset's BlazePose
landmarks (shoulder targets -> shoulders, hand targets -> wrists, head target -> nose) of ONE
execution per exercise (``Correct0``, aligned on the hands' heights, which need no camera). That
execution is left out of the figures: the camera is calibrated on one execution and the angles
are reported on the others.

Alignment: per execution, the lag (and the time stretch of the BlazePose files, which drop
undetected frames) that maximise the mean correlation of the four hand-minus-shoulder offsets
(left/right x horizontal/vertical, the Vicon projected through the camera). Hand heights are well
conditioned; the arm angles themselves are not (below), so they are not used to align.

Angles (degrees):

* ``arm_elevation``: shoulder->wrist from straight down in the image plane, both from image
  coordinates (the Vicon through the camera). Only frames where the Vicon arm lies within 60 deg of
  the image plane: an arm pointing at the camera has a short image vector whose direction is
  meaningless (a hand 2 cm above or below the shoulder reads 180 or 0).
* ``arm_elevation_3d``: shoulder->wrist from straight down in 3D: Vicon from gravity (z up); ours
  from the camera's down axis (the fitted camera is level within 2 deg) with MediaPipe's relative
  depth (the dataset's BlazePose) or world landmarks (our pipeline on the videos).
* ``trunk_lateral_flexion``: hip-mid -> shoulder-mid from vertical in the image plane (the Vicon
  hips target stands in for the hip mid).
* ``trunk_rotation``: the shoulder line's turn out of the image plane, atan2(depth, across): the
  Vicon in the camera's axes; ours from relative depth or world landmarks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from backcoach.pose.formats._common import read_table
from backcoach.pose.formats.keraal_vicon import COLUMNS, FPS, TARGETS
from backcoach.pose.sequence import PoseSequence
from backcoach.pose.skeleton import INDEX

_T = {name: i for i, name in enumerate(TARGETS)}
#: Landmark -> Vicon target pairs that fit the camera and align time.
PAIRS = (("left_shoulder", "left_shoulder"), ("right_shoulder", "right_shoulder"), ("left_wrist", "left_hand"),
         ("right_wrist", "right_hand"), ("nose", "head"))  # fmt: skip
#: An image-plane arm angle is compared only where the arm is within this of the image plane.
MAX_OUT_OF_PLANE_DEG = 60.0
#: Time alignment search: the mocap and video clocks start apart, and the dataset's BlazePose files
#: drop undetected frames (so run short).
MAX_LAG_S = 3.0
SCALES = tuple(np.round(np.arange(0.90, 1.101, 0.01), 2))
SIDES = ("left", "right")
GRAVITY_DOWN = np.array([0.0, 0.0, -1.0])  # Vicon z is up


def vicon_targets(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """(t seconds, (T, 17, 3) target positions in metres, z up, NaN where lost)."""
    table = read_table(path, COLUMNS, delimiter=None).reshape(-1, 17, 7)[:, :, :3] / 1000.0
    table[np.all(table == 0.0, axis=2)] = np.nan
    return np.arange(len(table)) / FPS, table


def resample(t_from: np.ndarray, values: np.ndarray, t_to: np.ndarray) -> np.ndarray:
    """Linear interpolation of (T, ...) values along time; NaN outside the span or where missing."""
    flat = values.reshape(len(values), -1)
    out = np.full((len(t_to), flat.shape[1]), np.nan)
    for k in range(flat.shape[1]):
        ok = np.isfinite(flat[:, k])
        if ok.sum() >= 2:
            out[:, k] = np.interp(t_to, t_from[ok], flat[ok, k], left=np.nan, right=np.nan)
    return out.reshape((len(t_to),) + values.shape[1:])


@dataclass(frozen=True)
class Camera:
    """Affine camera: pixel = matrix[:, :3] @ point + matrix[:, 3] (points in Vicon metres)."""

    matrix: np.ndarray  # (2, 4)

    @classmethod
    def fit(cls, pixels: np.ndarray, points: np.ndarray) -> Camera:
        """Least squares from (N, 3) points to (N, 2) pixels (rows with a NaN are skipped)."""
        ok = np.isfinite(pixels).all(axis=1) & np.isfinite(points).all(axis=1)
        if ok.sum() < 8:
            raise ValueError(f"{ok.sum()} usable point pairs; an affine camera needs at least 8")
        design = np.column_stack([points[ok], np.ones(ok.sum())])
        solution, *_ = np.linalg.lstsq(design, pixels[ok], rcond=None)
        return cls(solution.T)

    def project(self, points: np.ndarray) -> np.ndarray:
        return points @ self.matrix[:, :3].T + self.matrix[:, 3]

    @property
    def axes(self) -> np.ndarray:
        """Rows: image right, image down, away from the camera (unit vectors in Vicon axes)."""
        right = self.matrix[0, :3] / np.linalg.norm(self.matrix[0, :3])
        down = self.matrix[1, :3] - self.matrix[1, :3].dot(right) * right
        down /= np.linalg.norm(down)
        return np.stack([right, down, np.cross(right, down)])

    @property
    def tilt_deg(self) -> float:
        """Angle between the image's down axis and gravity."""
        return float(np.degrees(np.arccos(np.clip(-self.axes[1, 2], -1.0, 1.0))))


def _pixels(sequence: PoseSequence) -> np.ndarray:
    width, height = sequence.image_size
    return sequence.xyz[..., :2] * np.array([width, height], dtype=np.float64)


def pair_arrays(pixels: np.ndarray, targets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Stack the PAIRS of (T, 33, 2) landmark pixels and (T, 17, 3) targets into fitting rows."""
    return (np.concatenate([pixels[:, INDEX[a]] for a, _ in PAIRS]),
            np.concatenate([targets[:, _T[b]] for _, b in PAIRS]))  # fmt: skip


#: (shoulder, hand) indices per side in BlazePose's and in the Vicon's layout.
POSE_ARMS = {side: (INDEX[f"{side}_shoulder"], INDEX[f"{side}_wrist"]) for side in SIDES}
VICON_ARMS = {side: (_T[f"{side}_shoulder"], _T[f"{side}_hand"]) for side in SIDES}


def _offsets(pixels: np.ndarray, arms: dict[str, tuple[int, int]], horizontal: bool = True) -> list[np.ndarray]:
    """Hand-minus-shoulder pixel offsets per side: vertical (and horizontal)."""
    out = []
    for shoulder, hand in arms.values():
        d = pixels[:, hand] - pixels[:, shoulder]
        out.append(d[:, 1])
        if horizontal:
            out.append(d[:, 0])
    return out


def align(ours: Sequence[np.ndarray], t: np.ndarray, theirs: Sequence[np.ndarray], tv: np.ndarray,
          *, rate: float = 20.0) -> tuple[float, float, float]:
    """(lag s, time scale, mean correlation) that best map our times onto theirs: ``t * scale + lag``.

    Each pair of signals is correlated (mean removed) on the common grid; the mean over pairs is
    maximised over ``SCALES`` and lags within ``MAX_LAG_S``.
    """
    best = (-np.inf, 0.0, 1.0)
    grid_t = np.arange(0.0, t[-1], 1.0 / rate)
    ours_grid = [np.interp(grid_t, t[np.isfinite(a)], a[np.isfinite(a)]) for a in ours]
    for scale in SCALES:
        for lag in np.arange(-MAX_LAG_S, MAX_LAG_S + 1e-9, 1.0 / rate):
            when = grid_t * scale + lag
            scores = []
            for a, b in zip(ours_grid, theirs, strict=True):
                ok_b = np.isfinite(b)
                rb = np.interp(when, tv[ok_b], b[ok_b], left=np.nan, right=np.nan)
                both = np.isfinite(rb)
                if both.sum() < 2 * rate:
                    break
                x, y = a[both] - a[both].mean(), rb[both] - rb[both].mean()
                denominator = np.sqrt(x.dot(x) * y.dot(y))
                scores.append(x.dot(y) / denominator if denominator > 0 else 0.0)
            else:
                score = float(np.mean(scores))
                if score > best[0]:
                    best = (score, float(lag), float(scale))
    return best[1], best[2], best[0]


def vertical_offsets(targets: np.ndarray) -> list[np.ndarray]:
    """Vicon hand-minus-shoulder heights per side, sign and order as :func:`_offsets` vertical
    (image y grows downwards)."""
    return [-(targets[:, hand, 2] - targets[:, shoulder, 2]) for shoulder, hand in VICON_ARMS.values()]


def calibrate(sequence: PoseSequence, vicon_path: Path) -> tuple[Camera, float]:
    """The camera from one execution, aligned on the hands' heights; and its median residual (px)."""
    tv, targets = vicon_targets(vicon_path)
    pixels = _pixels(sequence)
    lag, scale, _ = align(_offsets(pixels, POSE_ARMS, horizontal=False), sequence.t, vertical_offsets(targets), tv)
    at = resample(tv, targets, sequence.t * scale + lag)
    rows_px, rows_pt = pair_arrays(pixels, at)
    camera = Camera.fit(rows_px, rows_pt)
    residual = np.linalg.norm(camera.project(rows_pt) - rows_px, axis=1)
    return camera, float(np.nanmedian(residual))


# ---------------------------------------------------------------- angle definitions
def image_arm_elevation(pixels: np.ndarray, shoulder: int, wrist: int) -> np.ndarray:
    """Shoulder->wrist of (T, J, 2) pixels from straight down in the image (y down), degrees."""
    d = pixels[:, wrist] - pixels[:, shoulder]
    return np.degrees(np.arctan2(np.abs(d[:, 0]), d[:, 1]))


def elevation_from_down(vector: np.ndarray, down: np.ndarray) -> np.ndarray:
    """Angle of (T, 3) vectors from the ``down`` unit vector, degrees."""
    cosine = vector @ down / np.linalg.norm(vector, axis=1)
    return np.degrees(np.arccos(np.clip(cosine, -1.0, 1.0)))


def image_lateral_flexion(hip_mid: np.ndarray, shoulder_mid: np.ndarray) -> np.ndarray:
    """Signed hip-mid -> shoulder-mid from vertical in the image (+ = toward image right), degrees."""
    d = shoulder_mid - hip_mid
    return np.degrees(np.arctan2(d[:, 0], -d[:, 1]))


def shoulder_turn(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Turn of the shoulder line out of the image plane, degrees, from camera-axes points (x right,
    z away from the camera): + when the left shoulder is further away."""
    d = left - right
    return np.degrees(np.arctan2(d[:, 2], np.abs(d[:, 0])))


def vicon_angles(camera: Camera, targets: np.ndarray) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The angles of the Vicon targets (T, 17, 3) in the camera's view, and per side the mask of
    frames where the arm is close enough to the image plane for an image-plane angle."""
    pixels = camera.project(targets)
    cam = targets @ camera.axes.T
    angles, usable = {}, {}
    for side in SIDES:
        s, h = _T[f"{side}_shoulder"], _T[f"{side}_hand"]
        angles[f"arm_elevation_{side}"] = image_arm_elevation(pixels, s, h)
        arm = cam[:, h] - cam[:, s]
        in_plane = np.hypot(arm[:, 0], arm[:, 1])
        usable[side] = in_plane >= np.cos(np.radians(MAX_OUT_OF_PLANE_DEG)) * np.linalg.norm(arm, axis=1)
        angles[f"arm_elevation_3d_{side}"] = elevation_from_down(targets[:, h] - targets[:, s], GRAVITY_DOWN)
    shoulders = (pixels[:, _T["left_shoulder"]] + pixels[:, _T["right_shoulder"]]) / 2
    angles["trunk_lateral_flexion"] = image_lateral_flexion(pixels[:, _T["hips"]], shoulders)
    angles["trunk_rotation"] = shoulder_turn(cam[:, _T["left_shoulder"]], cam[:, _T["right_shoulder"]])
    return angles, usable


def pose_angles(sequence: PoseSequence, use_world: bool) -> dict[str, np.ndarray]:
    """The same angles from BlazePose: 2D ones from the image; 3D ones from the world landmarks
    (``use_world``) or from the image with MediaPipe's relative depth (z scaled like x)."""
    pixels = _pixels(sequence)
    width, _ = sequence.image_size
    if use_world:
        points = sequence.world.astype(np.float64)
    else:
        points = np.concatenate([pixels, sequence.xyz[..., 2:3] * width], axis=-1)
    down = np.array([0.0, 1.0, 0.0])
    angles = {}
    for side in SIDES:
        s, w = INDEX[f"{side}_shoulder"], INDEX[f"{side}_wrist"]
        angles[f"arm_elevation_{side}"] = image_arm_elevation(pixels, s, w)
        angles[f"arm_elevation_3d_{side}"] = elevation_from_down(points[:, w] - points[:, s], down)
    mid = lambda a, b: (pixels[:, INDEX[a]] + pixels[:, INDEX[b]]) / 2  # noqa: E731
    hips, shoulders = mid("left_hip", "right_hip"), mid("left_shoulder", "right_shoulder")
    angles["trunk_lateral_flexion"] = image_lateral_flexion(hips, shoulders)
    angles["trunk_rotation"] = shoulder_turn(points[:, INDEX["left_shoulder"]], points[:, INDEX["right_shoulder"]])
    return angles


@dataclass
class Comparison:
    """One execution's per-angle RMSE (degrees) and samples compared, with its alignment."""

    rmse: dict[str, float]
    bias: dict[str, float]  # mean of ours minus the Vicon's
    samples: dict[str, int]
    lag: float
    scale: float
    score: float
    covered: dict[str, float]  # share of frames where the image-plane arm angle was comparable


def compare(sequence: PoseSequence, vicon_path: Path, camera: Camera, use_world: bool = False) -> Comparison:
    """Align one execution with its Vicon and compare every angle at our frame times."""
    tv, targets = vicon_targets(vicon_path)
    pixels = _pixels(sequence)
    theirs = _offsets(camera.project(targets), VICON_ARMS)
    lag, scale, score = align(_offsets(pixels, POSE_ARMS), sequence.t, theirs, tv)
    at = resample(tv, targets, sequence.t * scale + lag)
    truth, usable = vicon_angles(camera, at)
    ours = pose_angles(sequence, use_world)
    rmse, bias, samples, covered = {}, {}, {}, {}
    for name, value in ours.items():
        ok = np.isfinite(value) & np.isfinite(truth[name])
        side = name.rsplit("_", 1)[-1]
        if name.startswith("arm_elevation_") and "3d" not in name:
            covered[side] = float(usable[side][ok].mean()) if ok.any() else 0.0
            ok &= usable[side]
        if ok.sum():
            difference = value[ok] - truth[name][ok]
            rmse[name] = float(np.sqrt(np.mean(difference**2)))
            bias[name] = float(difference.mean())
            samples[name] = int(ok.sum())
    return Comparison(rmse, bias, samples, lag, scale, score, covered)
