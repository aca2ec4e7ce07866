import json
import math

import pandas as pd
import pytest

from backcoach.trial.analysis import TrialDataError, analyze
from backcoach.trial.analysis.changes import change_scores
from backcoach.trial.simulate import simulate_paper

from .test_models import R_TOLERANCE, run_r


@pytest.fixture(scope="module")
def paper_like():
    return simulate_paper(seed=11)


def test_json_document_has_the_issue_shape(paper_like):
    document = json.loads(json.dumps(analyze(paper_like.long, "video", paper_like.covariates).to_dict()))
    assert set(document) == {"table1", "table2"}
    assert len(document["table2"]) == 20  # the paper's Table 2 rows
    for row in document["table2"]:
        assert set(row) == {"outcome", "week", "arms", "adjusted_difference", "ci_low", "ci_high", "p", "method"}
        assert set(row["arms"]) == {"AI", "video"}
        for summary in row["arms"].values():
            assert set(summary) == {"n", "mean_change", "sd_change"}
        assert row["ci_low"] < row["adjusted_difference"] < row["ci_high"]
        assert 0 <= row["p"] <= 1
    methods = {(r["outcome"], r["week"]): r["method"] for r in document["table2"]}
    assert methods[("nrs_worst", 8)] == "GEE" and methods[("tug", 4)] == "ANCOVA"
    first = document["table2"][0]
    assert (first["outcome"], first["week"]) == ("nrs_worst", 2)
    assert first["arms"]["AI"]["n"] == 18 and first["arms"]["video"]["n"] == 16


def test_per_protocol_and_itt_sets_have_the_paper_sizes(paper_like):
    pp = analyze(paper_like.long, "video")
    itt = analyze(paper_like.long, "video", analysis_set="itt")
    assert pp.n_by_arm == {"video": 16, "AI": 18}
    assert itt.n_by_arm == {"video": 19, "AI": 19}
    week2 = next(r for r in itt.table2 if (r.outcome, r.week) == ("nrs_mean", 2))
    assert week2.arms["video"]["n"] == 19  # non-completers answered week 2


def test_paper_week_groups_fit_week_8_separately(paper_like):
    result = analyze(paper_like.long, "video", week_groups=[[2, 4], [8]])
    methods = {(r.outcome, r.week): r.difference.method for r in result.table2}
    assert methods[("nrs_mean", 4)] == "GEE"
    assert methods[("nrs_mean", 8)] == "GEE (single visit, robust SE)"


def test_unknown_reference_arm_is_a_clear_error(paper_like):
    with pytest.raises(TrialDataError, match=r"reference arm 'control' is not in the data; arms are \['AI', 'video'\]"):
        analyze(paper_like.long, "control")


@pytest.mark.r
def test_whole_table2_matches_r_on_simulated_paper_data(tmp_path, paper_like):
    result = analyze(paper_like.long, "video")
    changes = change_scores(paper_like.long[paper_like.long["subject"].isin(
        result.baseline["subject"].unique())])
    for outcome in changes["outcome"].unique():
        theirs = run_r(tmp_path, changes[changes["outcome"] == outcome])
        ours = [r for r in result.table2 if r.outcome == outcome]
        for row, (_, r) in zip(ours, theirs.iterrows()):
            assert row.week == r["week"]
            assert math.isclose(row.difference.estimate, r["estimate"], abs_tol=R_TOLERANCE)
            assert math.isclose(row.difference.ci_low, r["low"], abs_tol=R_TOLERANCE)
            assert math.isclose(row.difference.ci_high, r["high"], abs_tol=R_TOLERANCE)


def test_change_scores_pair_followups_with_their_baseline():
    long = pd.DataFrame({
        "subject": ["a", "a", "a", "b"], "arm": ["X"] * 4, "week": [0, 2, 4, 2],
        "outcome": ["pcs"] * 4, "value": [20.0, 15.0, float("nan"), 3.0],
    })
    changes = change_scores(long)
    assert changes[["subject", "week", "baseline", "change"]].values.tolist() == [["a", 2, 20.0, -5.0]]


def test_bias_reduced_se_widens_gee_rows_and_leaves_ancova_alone(paper_like):
    plain = analyze(paper_like.long, "video")
    corrected = analyze(paper_like.long, "video", se="bias-reduced")
    for a, b in zip(plain.table2, corrected.table2):
        assert a.difference.estimate == pytest.approx(b.difference.estimate)
        if a.difference.method == "ANCOVA":
            assert b.difference.method == "ANCOVA" and b.difference.se == a.difference.se
        else:
            assert b.difference.method == "GEE (Mancl-DeRouen SE)" and b.difference.se > a.difference.se
