"""What the session page hands to its ES modules: the planned items and how to run them."""

from __future__ import annotations

from typing import Any

from backcoach.exercises import Exercise
from backcoach.motion.gravity import LEVEL_TOLERANCE_DEG
from backcoach.pose.skeleton import BONES
from backcoach.store.models import PlanItem

#: Default model; the page drops to lite when the device cannot keep up (see static/live/pose.js).
DEFAULT_MODEL = "full"


def item_config(item: PlanItem, locale: str, exercise: Exercise | None, video: bool = False) -> dict[str, Any]:
    """One planned exercise for the page: dosage, the texts of ``exercise`` (the definition the
    patient's sessions use) when there is one, and the therapist's demonstration video if ``video``."""
    entry: dict[str, Any] = {
        "video_url": f"/live/videos/{item.exercise_id}" if video else None,
        "plan_item_id": item.id, "exercise_id": item.exercise_id, "sets": item.sets, "reps": item.reps,
        "hold_s": item.hold_seconds, "rest_s": item.rest_seconds, "per_side": item.per_side,
        "name": item.exercise_id.replace("_", " "), "instructions": [], "key_points": [],
        "tracked": False,
    }
    if exercise is None:
        return entry  # no movement definition yet: timers and ticks only
    zh = locale == "zh_Hans"
    entry.update(
        name=exercise.name.zh_hans if zh else exercise.name.en,
        instructions=list(exercise.instructions.zh_hans if zh else exercise.instructions.en),
        key_points=list(exercise.key_points.zh_hans if zh else exercise.key_points.en),
        tracked=True,
    )
    return entry


def page_config(session_id: int, mode: str, locale: str, items: list[PlanItem], done: set,
                sides_done: set = frozenset(), stopped: set = frozenset(),
                exercises: dict[str, Exercise | None] | None = None, videos: set[str] = frozenset()) -> dict[str, Any]:
    """The JSON the page's ``session.js`` starts from.

    ``done`` holds (plan item, set) pairs finished on every side; ``sides_done`` the (plan item,
    set, side) of each stored set, so a per-side set done on one side asks only for the other;
    ``stopped`` the plan items skipped for the rest of the session after a §5.4 stop;
    ``exercises`` the definition each exercise id runs with (see ``exercise_for_patient``);
    ``videos`` the exercise ids the patient's therapist uploaded a demonstration video for.
    """
    exercises = exercises or {}
    return {
        "session_id": session_id,
        "mode": mode,
        "lang": "zh-CN" if locale == "zh_Hans" else "en-US",
        "socket_path": f"/sessions/{session_id}/live",
        "stops_path": f"/sessions/{session_id}/stops",
        "recheck_path": f"/sessions/{session_id}/recheck",
        "stopped": sorted(stopped),
        "wasm_base": "/live/vendor/tasks-vision/wasm",
        "vision_bundle": "/live/vendor/tasks-vision/vision_bundle.mjs",
        "model_url": "/live/models/pose_landmarker_{variant}.task",
        "model": DEFAULT_MODEL,
        "bones": [list(bone) for bone in BONES],
        "level_tolerance_deg": LEVEL_TOLERANCE_DEG,  # the bubble level's green zone (brief §4.0)
        "items": [item_config(item, locale, exercises.get(item.exercise_id), item.exercise_id in videos)
                  for item in items],
        "done": sorted(f"{plan_item_id}-{set_index}" for plan_item_id, set_index in done),
        "done_sides": sorted(f"{plan_item_id}-{set_index}-{side}" for plan_item_id, set_index, side in sides_done
                             if side is not None),
    }
