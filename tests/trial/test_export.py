import io

import pandas as pd
import pytest

from backcoach.trial.analysis import analyze
from backcoach.trial.blinding import BlindingError, Role
from backcoach.trial.export import long_csv, long_for_role
from backcoach.trial.simulate import simulate_paper

CODES = {"AI": "Arm Y", "video": "Arm X"}


@pytest.fixture(scope="module")
def long():
    return simulate_paper(12).long


def test_statistician_gets_coded_arms_and_the_same_results(long):
    coded = pd.read_csv(io.StringIO(long_csv(long, Role.STATISTICIAN, CODES, unblinded=False)))
    assert set(coded["arm"]) == {"Arm X", "Arm Y"}
    blind = analyze(coded, "Arm X")
    open_ = analyze(long, "video")
    for a, b in zip(blind.table2, open_.table2):
        assert a.difference.estimate == pytest.approx(b.difference.estimate, abs=1e-12)
        assert a.arms["Arm Y"]["n"] == b.arms["AI"]["n"]
        assert a.arms["Arm Y"]["mean_change"] == pytest.approx(b.arms["AI"]["mean_change"], abs=1e-12)


def test_assessor_gets_no_arm_column_and_unblinded_statistician_the_real_arms(long):
    assert "arm" not in long_for_role(long, Role.OUTCOME_ASSESSOR, CODES, unblinded=True).columns
    assert set(long_for_role(long, Role.STATISTICIAN, CODES, unblinded=True)["arm"]) == {"AI", "video"}


def test_missing_code_is_refused(long):
    with pytest.raises(BlindingError, match="arm 'AI' has no code"):
        long_for_role(long, Role.STATISTICIAN, {"video": "Arm X"}, unblinded=False)
