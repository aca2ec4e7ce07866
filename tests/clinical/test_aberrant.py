import numpy as np

from backcoach.clinical.aberrant import (
    aberrant_signs, gowers_sign, instability_catch, painful_arc, reversal_of_rhythm,
)


def bend_sequence(poses, peaks=(80, 80, 80), **kwargs):
    return poses.sequence([poses.standing_side(a, **kwargs) for a in poses.bends(list(peaks))])


def test_clean_bends_show_no_signs(poses):
    seq = bend_sequence(poses)
    assert gowers_sign(seq) is False and reversal_of_rhythm(seq) is False


def test_reversal_of_rhythm_detected(poses):
    angles = poses.bends([80, 80, 80])
    frames = []
    for i, a in enumerate(angles):
        returning = i > 0 and a < angles[i - 1] and a > 50  # early return phase, trunk still > 45 deg
        frames.append(poses.standing_side(a, knee_bend_deg=25 if returning else 0, hip_shift=0.1 if returning else 0))
    assert reversal_of_rhythm(poses.sequence(frames)) is True


def test_gowers_sign_detected_when_hands_climb_the_thighs(poses):
    angles = poses.bends([85, 85, 85])
    frames = []
    for i, a in enumerate(angles):
        returning = i > 0 and a < angles[i - 1] and a > 10
        if returning:  # wrist on the thigh, moving from knee (0.28) toward hip (0.5) as the trunk rises
            y = 0.28 + 0.2 * (1 - a / 85)
            frames.append(poses.standing_side(a, wrist=(0.51, y)))
        else:
            frames.append(poses.standing_side(a))
    assert gowers_sign(poses.sequence(frames)) is True


def test_instability_catch_is_a_transient_sideways_deviation(poses):
    frames = [poses.standing_front(0)] * 30 + [poses.standing_front(0, offset=0.04)] * 8 + [poses.standing_front(0)] * 30
    assert instability_catch(poses.sequence(frames)) is True  # 0.04 / 0.16 = 0.25 > 0.15 for 267 ms
    short = [poses.standing_front(0)] * 30 + [poses.standing_front(0, offset=0.04)] * 3 + [poses.standing_front(0)] * 30
    assert instability_catch(poses.sequence(short)) is False  # 100 ms only
    lean = [poses.standing_front(0, offset=0.04)] * 60
    assert instability_catch(poses.sequence(lean)) is False  # present from the start: not a catch


def test_painful_arc_needs_mid_range_taps_on_two_reps(poses):
    seq = bend_sequence(poses)
    t = seq.t
    angles = np.array(poses.bends([80, 80, 80]))
    mid_times = [float(t[i]) for i in range(1, len(angles)) if 38 < angles[i] < 42 and angles[i] > angles[i - 1]]
    first_two = [mid_times[0], mid_times[1]]
    assert painful_arc(seq, first_two) is True
    assert painful_arc(seq, first_two[:1]) is False
    third = len(angles) * 2 // 3
    peak3 = float(t[third + int(np.argmax(angles[third:]))])
    assert painful_arc(seq, first_two + [peak3]) is True  # end-range pain in rep 3 leaves two arcs
    peak1 = float(t[int(np.argmax(angles))])
    assert painful_arc(seq, first_two + [peak1]) is False  # rep 1 also hurt at end range: not an arc


def test_aberrant_signs_model_for_classification(poses):
    signs = aberrant_signs(bend_sequence(poses), None, [])
    assert signs.status == "VALID" and signs.instability_catch is None and signs.gowers_sign is False
