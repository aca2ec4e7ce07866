"""Which visit reminder is due on a day, and its text in both languages."""

from datetime import date

import pytest

from backcoach.trial.reminders import LANGUAGES, TEXTS_FILE, _texts, reminder_text, reminder_to_send
from backcoach.trial.visits import Mode, ReminderKind, reminder_days, schedule_visits

BASE = date(2023, 3, 1)
VISITS = {v.visit.id: v for v in schedule_visits(BASE)}  # week2 due 15 Mar, window 13-18 Mar


def test_week2_reminder_days():
    assert reminder_days(VISITS["week2"]) == [
        (date(2023, 3, 12), ReminderKind.BEFORE), (date(2023, 3, 15), ReminderKind.DUE),
        (date(2023, 3, 18), ReminderKind.CLOSING)]


@pytest.mark.parametrize("today, done_on, expected", [
    pytest.param(date(2023, 3, 11), None, None, id="too-early"),
    pytest.param(date(2023, 3, 12), None, (date(2023, 3, 12), ReminderKind.BEFORE), id="three-days-before"),
    pytest.param(date(2023, 3, 14), None, (date(2023, 3, 12), ReminderKind.BEFORE), id="catch-up-before"),
    pytest.param(date(2023, 3, 16), None, (date(2023, 3, 15), ReminderKind.DUE), id="missed-a-day-sends-due"),
    pytest.param(date(2023, 3, 18), None, (date(2023, 3, 18), ReminderKind.CLOSING), id="window-closes"),
    pytest.param(date(2023, 3, 19), None, None, id="window-closed"),
    pytest.param(date(2023, 3, 15), date(2023, 3, 14), None, id="already-done"),
])
def test_reminder_to_send(today, done_on, expected):
    reminder = reminder_to_send(VISITS["week2"], today, done_on)
    assert (None if reminder is None else (reminder.remind_on, reminder.kind)) == expected


def test_baseline_gets_no_reminder():
    assert reminder_to_send(VISITS["baseline"], BASE) is None


def test_reminder_text_in_both_languages():
    reminder = reminder_to_send(VISITS["week4"], date(2023, 3, 29))  # face to face, due 29 Mar, closes 5 Apr
    en = reminder_text(reminder, "en")
    assert en.subject == "Your week 4 clinic visit is due today"
    assert "2023-03-29" in en.body and "2023-04-05" in en.body
    zh = reminder_text(reminder, "zh-Hans")
    assert zh.subject == "第 4 周门诊随访今天到期" and "2023-04-05" in zh.body
    assert reminder_text(reminder, "fr") == en  # an unsupported language falls back to English


def test_every_mode_and_kind_has_both_languages_and_no_unknown_placeholder():
    texts = _texts()
    for mode in Mode:
        for kind in ReminderKind:
            for lang in LANGUAGES:
                entry = texts[mode.value][kind.value]
                for field in ("subject", "body"):
                    text = entry[field][lang].format(week=2, due="D", closes="C")
                    assert "{" not in text, (TEXTS_FILE, mode, kind, lang, field)
