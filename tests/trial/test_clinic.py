import pytest

from backcoach.trial.clinic import EntryError, enter_tug, enter_ultrasound, to_long_rows


def test_tug_is_the_mean_of_three_trials():
    m = enter_tug([10.2, 10.5, 10.8])
    assert m.value == pytest.approx(10.5) and m.warnings == ()


def test_tug_spread_warns_but_is_kept():
    m = enter_tug([8.0, 10.0, 12.0])  # range 4 > 20% of 10
    assert m.value == pytest.approx(10.0)
    assert "differ by 4.00 s" in m.warnings[0]


@pytest.mark.parametrize("values, message", [
    pytest.param([10.0, 10.0], "2 value\\(s\\) entered; the protocol needs 3", id="two-trials"),
    pytest.param([10.0, 105.0, 10.0], "tug trial 2: 105.0 s is outside 3-60 s", id="typo"),
    pytest.param([10.0, "ten", 10.0], "tug trial 2: 'ten' is not a number", id="text"),
])
def test_tug_entry_errors(values, message):
    with pytest.raises(EntryError, match=message):
        enter_tug(values)


def test_ultrasound_sites_averaged_and_rows_have_no_arm():
    readings = {"tra_left": [3.8, 4.0, 4.2], "tra_right": [4.0, 4.0, 4.0],
                "mf_left": [26.0, 27.0, 28.0], "mf_right": [25.0, 26.0, 27.0]}
    measurements = enter_ultrasound(readings)
    assert [m.value for m in measurements] == pytest.approx([4.0, 4.0, 27.0, 26.0])
    rows = to_long_rows("P01", 4, measurements)
    assert rows[0] == {"subject": "P01", "week": 4, "outcome": "tra_left", "value": pytest.approx(4.0)}
    assert all("arm" not in row for row in rows)


def test_ultrasound_needs_every_site():
    with pytest.raises(EntryError, match=r"missing \['mf_right'\]"):
        enter_ultrasound({"tra_left": [4, 4, 4], "tra_right": [4, 4, 4], "mf_left": [26, 26, 26]})
    with pytest.raises(EntryError, match="mf_left trial 1: 2.6 mm is outside 10-60 mm"):
        enter_ultrasound({"tra_left": [4, 4, 4], "tra_right": [4, 4, 4], "mf_left": [2.6, 26, 26], "mf_right": [26, 26, 26]})
