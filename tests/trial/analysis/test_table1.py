import numpy as np
import pandas as pd
import pytest

from backcoach.trial.analysis.table1 import (
    baseline_table, summarise_categorical, summarise_continuous, wilcoxon_rank_sum,
)


def test_normal_variable_gets_mean_sd_and_t_test():
    # Shapiro-Wilk p = 0.97 for 1..5; t = -1 on 8 df -> p = 0.3466 (t tables)
    row = summarise_continuous("x", {"A": np.array([1, 2, 3, 4, 5.0]), "B": np.array([2, 3, 4, 5, 6.0])}, "X")
    assert row.statistic == "mean (SD)"
    assert row.formatted == {"A": "3.0 (1.6)", "B": "4.0 (1.6)"}
    assert row.test == "t-test"
    assert row.p == pytest.approx(0.34659, abs=1e-5)


def test_unequal_variances_switch_to_welch():
    a = np.array([9.8, 10.1, 9.9, 10.0, 10.2, 9.95, 10.05, 10.1])
    b = np.array([2.0, 14.0, 6.0, 18.0, 10.0, 8.0, 12.0, 4.0, 16.0])
    row = summarise_continuous("x", {"A": a, "B": b}, "X")
    assert row.statistic == "mean (SD)"
    assert row.test == "Welch t-test"


def test_skewed_variable_gets_median_iqr_and_exact_rank_sum():
    # b is far from normal (Shapiro p < .05); no ties, U = 0 -> exact p = 2 / C(7, 3) = 2/35
    row = summarise_continuous("x", {"A": np.array([1, 2, 3.0]), "B": np.array([4, 5, 6, 100.0])}, "X")
    assert row.statistic == "median (IQR)"
    assert row.formatted["B"] == "5.5 (4.8-29.5)"
    assert row.test == "Wilcoxon rank-sum"
    assert row.p == pytest.approx(2 / 35)


def test_rank_sum_with_ties_uses_continuity_corrected_normal_approximation():
    # U = 2 (mean 8), tie-corrected sigma; R 4.2 wilcox.test(c(1,1,2,3), c(2,3,4,4)) gives 0.1037537
    a, b = np.array([1, 1, 2, 3.0]), np.array([2, 3, 4, 4.0])
    n1 = n2 = 4
    ties = np.array([2, 2, 2, 2])  # group sizes of tied values 1, 2, 3, 4
    sigma = np.sqrt(n1 * n2 / 12 * ((n1 + n2 + 1) - (ties**3 - ties).sum() / ((n1 + n2) * (n1 + n2 - 1))))
    from scipy.stats import norm
    expected = 2 * norm.sf((8 - 2 - 0.5) / sigma)
    assert wilcoxon_rank_sum(a, b) == pytest.approx(expected)
    assert expected == pytest.approx(0.1037537, abs=1e-7)


def test_paper_gender_row_reproduces_fisher_p_and_percentages():
    # Table 1 of the paper: male 2 (13%) vs 6 (33%), P = .23
    video = pd.Series(["male"] * 2 + ["female"] * 14)
    ai = pd.Series(["male"] * 6 + ["female"] * 12)
    rows = summarise_categorical("sex", {"video": video, "AI": ai}, "Gender")
    assert [r.level for r in rows] == ["female", "male"]
    assert rows[1].formatted == {"video": "2 (13%)", "AI": "6 (33%)"}
    assert rows[0].formatted == {"video": "14 (88%)", "AI": "12 (67%)"}
    assert round(rows[0].p, 2) == 0.23
    assert rows[0].test == "Fisher's exact" and rows[1].p is None


def test_baseline_table_orders_covariates_then_outcomes_and_ignores_followups():
    long = pd.DataFrame({
        "subject": ["a", "a", "b", "b", "c", "d"],
        "arm": ["V", "V", "V", "V", "A", "A"],
        "week": [0, 4, 0, 4, 0, 0],
        "outcome": ["tug"] * 6,
        "value": [10.0, 1.0, 11.0, 1.0, 12.0, 13.0],
    })
    covariates = pd.DataFrame({"sex": ["male", "female", "male", "male"]}, index=["a", "b", "c", "d"])
    rows = baseline_table(long, ["V", "A"], covariates)
    assert [r.variable for r in rows] == ["sex", "sex", "tug"]
    assert rows[-1].arms["V"]["n"] == 2  # week-4 rows are not baseline
    assert rows[-1].formatted["V"] == "10.5 (10.2-10.8)"  # n = 2 < 3: no normality test possible
