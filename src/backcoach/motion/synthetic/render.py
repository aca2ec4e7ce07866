"""Turn a schedule of joint angles into world landmarks, frame by frame.

During the setup lead-in the body is free: each frame rests on the floor under its planned hip
position. From the start pose on it is constrained as its motion says: the pelvis moves only by
``pelvis_forward/left/up``, ``anchor`` landmarks stay where they were in the start pose (a glute
bridge pivots on the shoulders), and ``planted`` hands and feet stay put while the knee or elbow
follows (a squat's feet, a press-up's hands). A planted foot whose ankle plantar-flexes beyond the
start pivots about the toes, so heels can lift, and ``feet_forward`` slides planted feet along the
posture's heading (a bridge with the feet too far away).
"""

from __future__ import annotations

import numpy as np
from scipy.spatial.transform import Rotation

from backcoach.motion.synthetic.body import JOINT_INDEX, LIMB_CHAINS, BodyShape, forward_kinematics, plant_limb
from backcoach.motion.synthetic.motions import Motion
from backcoach.motion.synthetic.postures import POSTURES, floor_offset, place
from backcoach.motion.synthetic.timeline import Plan
from backcoach.pose.skeleton import INDEX, Landmark


def render(shape: BodyShape, motion: Motion, plan: Plan) -> tuple[np.ndarray, np.ndarray]:
    """World landmarks (T, 33, 3) and the head's forward axis (T, 3) for every planned frame."""
    posture = POSTURES[motion.posture]
    start_points, start_origin = place(shape, posture, plan.start_pose)
    anchor = [INDEX[name] for name in motion.anchor]
    anchor_home = start_points[anchor].mean(axis=0) if anchor else None
    world = np.zeros((len(plan.t), 33, 3))
    head = np.zeros((len(plan.t), 3))
    up = np.array([0.0, 0.0, 1.0])
    for i, pose in enumerate(plan.poses):
        if plan.free[i]:
            skeleton = forward_kinematics(shape, pose, plan.base[i], np.zeros(3))
            lift = floor_offset(skeleton.points, shape)
            points = skeleton.points + np.array([*plan.origin_xy[i], lift])
        else:
            shift = shape.height * (
                pose[JOINT_INDEX["pelvis_forward"]] * posture.heading
                + pose[JOINT_INDEX["pelvis_left"]] * posture.left
                + pose[JOINT_INDEX["pelvis_up"]] * up
            )
            skeleton = forward_kinematics(shape, pose, posture.base, start_origin + shift)
            points = skeleton.points
            if anchor:
                points += anchor_home - points[anchor].mean(axis=0)
            slide = shape.height * pose[JOINT_INDEX["feet_forward"]] * posture.heading
            for limb in motion.planted:
                _plant(points, shape, limb, start_points, pose, plan.start_pose, slide)
        world[i] = points
        head[i] = skeleton.head_frame[:, 0]
    return world, head


def _plant(points, shape, limb, start_points, pose, start_pose, slide) -> None:
    _, _, end, distal, _, _ = LIMB_CHAINS[limb]
    end_home, distal_home = start_points[end].copy(), start_points[list(distal)].copy()
    if limb.endswith("_leg"):
        end_home, distal_home = end_home + slide, distal_home + slide
        side = limb.removesuffix("_leg")
        lift = start_pose[JOINT_INDEX[f"{side}_ankle_dorsi"]] - pose[JOINT_INDEX[f"{side}_ankle_dorsi"]]
        if lift > 0:
            toe = start_points[Landmark[f"{side}_foot_index"]]
            heel = start_points[Landmark[f"{side}_heel"]]
            axis = np.cross([0.0, 0.0, 1.0], toe - heel)  # heel rises about the toes
            turn = Rotation.from_rotvec(np.radians(lift) * axis / np.linalg.norm(axis))
            end_home = toe + turn.apply(end_home - toe)
            distal_home = toe + turn.apply(distal_home - toe)
    plant_limb(points, shape, limb, end_home, distal_home)
