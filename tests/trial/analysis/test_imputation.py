import numpy as np
import pandas as pd
import pytest

from backcoach.trial.analysis import TrialDataError, analyze
from backcoach.trial.analysis.changes import change_scores
from backcoach.trial.analysis.imputation import ImputationError, impute_once, imputed_change_table, rubin_pool
from backcoach.trial.analysis.table2 import change_table
from backcoach.trial.simulate import simulate_paper


def test_rubin_pool_by_hand():
    # W = 1, B = 1, T = 1 + (1 + 1/3) * 1 = 7/3; gamma = (4/3) / (7/3) = 4/7; df = 2 / (4/7)^2 = 6.125
    pooled = rubin_pool([1.0, 2.0, 3.0], [1.0, 1.0, 1.0])
    assert pooled.estimate == 2.0
    assert pooled.se == pytest.approx(np.sqrt(7 / 3))
    assert pooled.df == pytest.approx(6.125)
    # Barnard-Rubin with 20 complete-data df: 1 / (1/6.125 + 1/((21/23) * 20 * (3/7)))
    assert rubin_pool([1.0, 2.0, 3.0], [1.0] * 3, complete_df=20).df == pytest.approx(1 / (1 / 6.125 + 1 / (21 / 23 * 20 * 3 / 7)))


def test_without_missing_values_imputation_changes_nothing():
    trial = simulate_paper(8)
    complete = trial.long[trial.long["subject"].isin(trial.long.loc[trial.long["week"] == 4, "subject"])]
    pooled = imputed_change_table(complete, ["video", "AI"], "video", imputations=3, seed=0)
    plain = change_table(change_scores(complete), ["video", "AI"], "video")
    for a, b in zip(pooled, plain):
        assert (a.difference.estimate, a.difference.ci_low, a.difference.ci_high) == \
            (b.difference.estimate, b.difference.ci_low, b.difference.ci_high)
        assert a.difference.method == f"{b.difference.method}, MI (m=3)"


def test_impute_once_keeps_observed_values_and_fills_every_gap():
    trial = simulate_paper(9)
    completed = impute_once(trial.long, np.random.default_rng(0))
    merged = trial.long.merge(completed, on=["subject", "arm", "week", "outcome"], suffixes=("", "_imputed"))
    assert np.allclose(merged["value"], merged["value_imputed"])
    # 4 non-completers x (3 NRS x 2 weeks + 3 questionnaires x 1 week + 5 clinic x 1 week)
    assert len(completed) - len(trial.long) == 4 * (6 + 3 + 5)
    assert not completed["value"].isna().any()


def test_itt_with_imputation_pools_every_row_and_widens_uncertain_rows():
    trial = simulate_paper(4)
    mi = analyze(trial.long, "video", analysis_set="itt", imputations=10, seed=1)
    assert len(mi.table2) == 20 and all(r.difference.method.endswith("MI (m=10)") for r in mi.table2)
    assert mi.table2[0].arms["video"]["n"] == 19  # observed week-2 summaries
    week4 = next(r for r in mi.table2 if (r.outcome, r.week) == ("tug", 4))
    assert week4.arms["video"]["n"] == 16  # only completers were measured at week 4
    with pytest.raises(TrialDataError, match="applies to the itt set"):
        analyze(trial.long, "video", imputations=10)


def test_too_few_observed_values_is_a_clear_error():
    rows = [(f"s{i}", "A", w, "tug", 10.0 + i + w) for i in range(4) for w in (0, 4)]
    rows += [("s9", "A", 0, "tug", 11.0), ("s9", "A", 4, "tug", np.nan)]
    long = pd.DataFrame(rows, columns=["subject", "arm", "week", "outcome", "value"])
    with pytest.raises(ImputationError, match="outcome 'tug', arm 'A', week 4: 4 observed values are too few"):
        impute_once(long, np.random.default_rng(0))
