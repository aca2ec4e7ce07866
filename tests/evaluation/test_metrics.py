"""Accuracy metrics against hand-computed values."""

from __future__ import annotations

import numpy as np
import pytest

from backcoach.evaluation.metrics import Confusion, aligned_rmse, mae, rmse


def test_confusion_rates_match_hand_counts():
    c = Confusion()
    for truth, predicted in [(1, 1)] * 8 + [(1, 0)] * 2 + [(0, 1)] * 1 + [(0, 0)] * 9:
        c.add(bool(truth), bool(predicted))
    assert (c.tp, c.fn, c.fp, c.tn, c.n) == (8, 2, 1, 9, 20)
    assert c.sensitivity == pytest.approx(0.8)
    assert c.specificity == pytest.approx(0.9)
    assert c.balanced_accuracy == pytest.approx(0.85)
    assert c.precision == pytest.approx(8 / 9)
    assert c.f1 == pytest.approx(2 * (8 / 9) * 0.8 / (8 / 9 + 0.8))


def test_confusion_without_positives_has_no_recall_or_f1():
    c = Confusion()
    c.add(False, False)
    assert c.sensitivity is None and c.f1 is None and c.balanced_accuracy is None and c.specificity == 1.0


def test_f1_is_zero_when_nothing_is_found():
    c = Confusion()
    c.add(True, False)
    assert c.f1 == 0.0


def test_mae_and_rmse():
    assert mae([1.0, -3.0]) == pytest.approx(2.0)
    assert rmse([3.0, -4.0]) == pytest.approx(np.sqrt(12.5))
    assert mae([]) is None and rmse([]) is None


def test_aligned_rmse_recovers_a_shift_and_a_stretch():
    # b is a later, differently sampled copy of a plus a 2-degree bias; a runs 5% short.
    tb = np.arange(0, 12, 1 / 40)
    b = 40 * np.sin(2 * np.pi * tb / 4) + 2.0
    true_t = np.arange(0, 11, 1 / 20)
    a = 40 * np.sin(2 * np.pi * (true_t + 0.5) / 4)
    value, lag, scale, n = aligned_rmse(a, true_t / 1.05, b, tb, max_lag_s=1.0, scales=np.round(np.arange(0.95, 1.06, 0.01), 2))
    assert scale == pytest.approx(1.05)
    assert lag == pytest.approx(0.5, abs=0.05)
    assert value == pytest.approx(2.0, abs=0.3)
    assert n > 100
