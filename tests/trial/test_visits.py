from datetime import date

import pytest

from backcoach.trial.visits import Mode, VisitStatus, reminder_days, schedule_visits, visit_status

BASE = date(2023, 3, 1)


def test_schedule_follows_the_paper():
    visits = {v.visit.id: v for v in schedule_visits(BASE)}
    assert [v.visit.mode for v in visits.values()] == [Mode.FACE_TO_FACE, Mode.WEB, Mode.FACE_TO_FACE, Mode.WEB]
    assert visits["week2"].due == date(2023, 3, 15)
    assert visits["week4"].due == date(2023, 3, 29)
    assert visits["week8"].due == date(2023, 4, 26)
    assert "tug" in visits["week4"].visit.outcomes and "tug" not in visits["week2"].visit.outcomes
    assert visits["week8"].visit.outcomes == ("nrs_worst", "nrs_mean", "nrs_current")


@pytest.mark.parametrize("today, done_on, status", [
    pytest.param(date(2023, 3, 12), None, VisitStatus.UPCOMING, id="before-window"),
    pytest.param(date(2023, 3, 13), None, VisitStatus.OPEN, id="window-opens"),
    pytest.param(date(2023, 3, 18), None, VisitStatus.OPEN, id="last-day"),
    pytest.param(date(2023, 3, 19), None, VisitStatus.MISSED, id="window-closed"),
    pytest.param(date(2023, 3, 30), date(2023, 3, 16), VisitStatus.DONE, id="done"),
    pytest.param(date(2023, 3, 30), date(2023, 3, 25), VisitStatus.DONE_OUTSIDE_WINDOW, id="done-late"),
])
def test_week2_status(today, done_on, status):
    week2 = schedule_visits(BASE)[1]
    assert visit_status(week2, today, done_on) is status


def test_reminders_three_days_before_on_the_day_and_at_window_close():
    week2 = schedule_visits(BASE)[1]
    assert [day for day, _ in reminder_days(week2)] == [date(2023, 3, 12), date(2023, 3, 15), date(2023, 3, 18)]
