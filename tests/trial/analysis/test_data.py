import pandas as pd
import pytest

from backcoach.trial.analysis.data import TrialDataError, read_long_csv, validate_covariates


def write(tmp_path, text):
    path = tmp_path / "data.csv"
    path.write_text(text)
    return path


def test_reads_and_types_a_long_csv(tmp_path):
    path = write(tmp_path, "subject,arm,week,outcome,value\n1,AI,0,tug,10.5\n1,AI,4,tug,\n")
    data = read_long_csv(path)
    assert data["week"].tolist() == [0, 4]
    assert data["subject"].tolist() == ["1", "1"]
    assert pd.isna(data["value"].iloc[1])


@pytest.mark.parametrize("text, message", [
    pytest.param("subject,arm,week,value\n1,AI,0,3\n", "missing column(s) outcome", id="no-outcome-column"),
    pytest.param("subject,arm,week,outcome,value\n1,AI,two,tug,3\n", "line 2: week 'two' is not a whole number", id="week-text"),
    pytest.param("subject,arm,week,outcome,value\n1,AI,-1,tug,3\n", "line 2: week -1", id="week-negative"),
    pytest.param("subject,arm,week,outcome,value\n1,AI,0,tug,3\n1,AI,4,tug,fast\n", "line 3: value 'fast' of outcome 'tug' is not a number", id="value-text"),
    pytest.param("subject,arm,week,outcome,value\n1,AI,0,tug,3\n1,video,4,tug,2\n", "subject '1' appears in arms ['AI', 'video']", id="two-arms"),
    pytest.param("subject,arm,week,outcome,value\n1,AI,0,tug,3\n1,AI,0,tug,2\n", "line 3: subject '1', outcome 'tug', week 0 appears more than once", id="duplicate"),
    pytest.param("subject,arm,week,outcome,value\n1,,0,tug,3\n", "line 2: empty 'arm'", id="empty-arm"),
])
def test_bad_rows_are_reported_with_their_line(tmp_path, text, message):
    with pytest.raises(TrialDataError, match=message.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[").replace("]", r"\]")):
        read_long_csv(write(tmp_path, text))


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(TrialDataError, match="file not found"):
        read_long_csv(tmp_path / "absent.csv")


def test_covariates_need_unique_subjects():
    with pytest.raises(TrialDataError, match="subject 'a' appears more than once"):
        validate_covariates(pd.DataFrame({"subject": ["a", "a"], "age": [1, 2]}))
