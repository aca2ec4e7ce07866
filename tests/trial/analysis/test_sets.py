import pandas as pd

from backcoach.trial.analysis.sets import completers, select_analysis_set


def long_table():
    rows = []
    for subject, weeks in (("s1", [0, 2, 4]), ("s2", [0, 2]), ("s3", [0, 2, 4])):
        for week in weeks:
            rows.append((subject, "A" if subject != "s3" else "B", week, "nrs_mean", 3.0))
    rows.append(("s3", "B", 0, "tug", 10.0))  # s3 missed the week-4 TUG
    rows.append(("s1", "A", 0, "tug", 10.0))
    rows.append(("s1", "A", 4, "tug", 9.0))
    return pd.DataFrame(rows, columns=["subject", "arm", "week", "outcome", "value"])


def test_completers_need_every_scheduled_visit_of_their_outcomes():
    assert completers(long_table()) == {"s1"}


def test_itt_keeps_everyone_and_per_protocol_only_completers():
    data = long_table()
    assert set(select_analysis_set(data, "itt")["subject"]) == {"s1", "s2", "s3"}
    assert set(select_analysis_set(data, "per-protocol")["subject"]) == {"s1"}
    assert set(select_analysis_set(data, "per-protocol", completed={"s2", "s3"})["subject"]) == {"s2", "s3"}
