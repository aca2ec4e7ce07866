"""The training report: a summary computed from the stored session, and its shareable PNG."""

from __future__ import annotations

from collections import Counter
from io import BytesIO
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from backcoach.app.exercise_names import exercise_name
from backcoach.app.i18n import gettext as _
from backcoach.app.i18n import set_locale
from backcoach.store.models import ExerciseSession

#: The paper's four grades, lowest first.
GRADES = ("qualified", "good", "excellent", "super_excellent")
#: Noto Sans CJK (Debian fonts-noto-cjk) draws Latin and Chinese alike.
FONT_PATH = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
FONT_BOLD_PATH = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc")


def summarise(session: ExerciseSession, streak: int) -> dict[str, Any]:
    """Exercises with reps counted vs planned, grade counts, mean form score, duration, streak."""
    exercises: dict[str, dict[str, Any]] = {}
    grades: Counter[str] = Counter()
    scores: list[float] = []
    for exercise_set in session.sets:
        entry = exercises.setdefault(
            exercise_set.exercise_id,
            {"exercise_id": exercise_set.exercise_id, "sets": 0, "reps_counted": 0,
             "reps_planned": 0, "hold_seconds": 0.0},
        )
        entry["sets"] += 1
        entry["reps_planned"] += exercise_set.reps_planned or 0
        entry["hold_seconds"] += exercise_set.hold_seconds_done or 0.0
        for rep in exercise_set.reps:
            if not rep.counted:
                continue
            entry["reps_counted"] += 1
            if rep.grade:
                grades[rep.grade] += 1
            if rep.score is not None:
                scores.append(rep.score)
    duration = None
    if session.ended_at is not None:
        duration = round((session.ended_at - session.started_at).total_seconds() / 60, 1)
    return {
        "session_id": session.id,
        "mode": session.mode.value,
        "date": session.started_at.date().isoformat(),
        "exercises": list(exercises.values()),
        "grades": {grade: grades.get(grade, 0) for grade in GRADES},
        "form_score": round(sum(scores) / len(scores), 1) if scores else None,
        "duration_minutes": duration,
        "pain_before": session.pain_before,
        "pain_after": session.pain_after,
        "cr10": session.cr10,
        "streak": streak,
    }


def grade_label(grade: str) -> str:
    labels = {
        "qualified": _("Qualified"),
        "good": _("Good"),
        "excellent": _("Excellent"),
        "super_excellent": _("Super excellent"),
    }
    return labels[grade]


def render_png(summary: dict[str, Any], locale: str, name: str) -> bytes:
    """Draw the report as a 1080 x 1350 PNG card for sharing (text in ``locale``)."""
    set_locale(locale)
    width, height = 1080, 1350
    image = Image.new("RGB", (width, height), "#f6f8fa")
    draw = ImageDraw.Draw(image)
    regular = lambda size: ImageFont.truetype(str(FONT_PATH), size)  # noqa: E731
    bold = lambda size: ImageFont.truetype(str(FONT_BOLD_PATH), size)  # noqa: E731

    draw.rectangle([0, 0, width, 220], fill="#1f5f8b")
    draw.text((60, 50), _("Training report"), font=bold(64), fill="white")
    draw.text((60, 140), f"{name} · {summary['date']}", font=regular(40), fill="#dbe9f4")

    stats = [
        (_("Form score"), "—" if summary["form_score"] is None else f"{summary['form_score']:g}"),
        (_("Minutes"), "—" if summary["duration_minutes"] is None else f"{summary['duration_minutes']:g}"),
        (_("Streak"), str(summary["streak"])),
    ]
    for i, (label, value) in enumerate(stats):
        x = 60 + i * 330
        draw.rounded_rectangle([x, 260, x + 300, 440], radius=24, fill="white", outline="#cfd6de", width=3)
        draw.text((x + 24, 280), label, font=regular(36), fill="#4a5562")
        draw.text((x + 24, 330), value, font=bold(80), fill="#1b1f24")

    y = 490
    draw.text((60, y), _("Exercises"), font=bold(48), fill="#1b1f24")
    y += 80
    for entry in summary["exercises"][:7]:
        counted, planned = entry["reps_counted"], entry["reps_planned"]
        if planned:
            reps = f"{counted}/{planned}"
        elif entry["hold_seconds"]:
            reps = _("%(s)s s held") % {"s": round(entry["hold_seconds"])}
        else:
            reps = str(counted)
        draw.text((60, y), exercise_name(entry["exercise_id"], locale), font=regular(40), fill="#1b1f24")
        draw.text((width - 60, y), reps, font=bold(40), fill="#1f5f8b", anchor="ra")
        y += 64

    y = max(y + 30, 1000)
    draw.text((60, y), _("Grades"), font=bold(48), fill="#1b1f24")
    total = sum(summary["grades"].values()) or 1
    colours = {"qualified": "#8a4b00", "good": "#1f5f8b", "excellent": "#1e6b3a", "super_excellent": "#5b2a86"}
    y += 80
    for i, grade in enumerate(GRADES):
        count = summary["grades"][grade]
        x = 60 + i * 245
        bar = int(130 * count / total)
        draw.rectangle([x, y + 140 - bar, x + 80, y + 140], fill=colours[grade])
        draw.text((x, y + 150), grade_label(grade), font=regular(30), fill="#1b1f24")
        draw.text((x + 100, y + 100), str(count), font=bold(40), fill="#1b1f24")

    buffer = BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
