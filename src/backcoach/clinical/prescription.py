"""The 4-week plan (clinical brief §3.7, §5.1, §5.2): 3 sessions a week, 30-45 minutes each.

Exercises and dosages come from the library (through :mod:`catalog`); selection follows the
category's modality mix and never loads a direction in ``excluded_directions`` nor takes one in
``avoid_end_range`` to end range. Session time is computed from doses, rests and transitions;
a plan with any session outside 30-45 minutes, or missing a modality its category needs, is
rejected with :class:`PlanError`.

Validity limits: exercise choice, counts and doses are [E] engineering defaults (the paper gives
the modalities and the frame, not the rules); a therapist reviews every plan.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace
from functools import cache

from backcoach.clinical.catalog import CatalogEntry, Dose, PlanError, require
from backcoach.clinical.thresholds import DATA_DIR, TH

MODES = ("ai_guided", "video_only")
SESSION_DAYS = (0, 2, 4)  # Monday, Wednesday, Friday: non-consecutive days (§5.1 [E])
BLOCK_ORDER = ("warm_up", "category", "motor", "flexibility", "cool_down")


@cache
def prescription_data() -> dict:
    return tomllib.loads((DATA_DIR / "prescription.toml").read_text(encoding="utf-8"))


@cache
def education_data() -> dict:
    return tomllib.loads((DATA_DIR / "education.toml").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class PlannedExercise:
    id: str
    block: str
    modality: str
    level: int
    dose: Dose
    sides: str

    @property
    def seconds(self) -> float:
        return self.dose.seconds(self.sides) + TH["transition_seconds"]


@dataclass(frozen=True)
class Session:
    week: int
    number: int  # 1..12
    day: int  # 0 = Monday
    items: tuple[PlannedExercise, ...]
    education: tuple[int, ...]  # §2.9 topic numbers shown in the cool-down

    @property
    def minutes(self) -> float:
        fixed = TH["checkin_minutes"] + TH["education_minutes"]
        return fixed + sum(item.seconds for item in self.items) / 60

    def block_minutes(self, *blocks: str) -> float:
        extra = TH["education_minutes"] if "cool_down" in blocks else 0
        return extra + sum(i.seconds for i in self.items if i.block in blocks) / 60


@dataclass
class Plan:
    category: str
    approach: str
    mode: str
    sessions: list[Session]
    cr10_upper: list[int]
    weekly_themes: list[dict]
    excluded_directions: list[str] = field(default_factory=list)
    avoid_end_range: list[str] = field(default_factory=list)
    notes: list[dict] = field(default_factory=list)
    version: str = ""
    restrictions: list[str] = field(default_factory=list)

    def exercise_ids(self) -> set[str]:
        return {item.id for s in self.sessions for item in s.items}

    def to_dict(self) -> dict:
        topics = education_data()["topics"]
        return {
            "category": self.category, "approach": self.approach, "mode": self.mode, "weeks": TH["plan_weeks"],
            "sessions_per_week": TH["sessions_per_week"], "cr10_upper": self.cr10_upper,
            "weekly_themes": self.weekly_themes, "excluded_directions": self.excluded_directions,
            "avoid_end_range": self.avoid_end_range, "notes": self.notes, "version": self.version,
            "sessions": [{
                "week": s.week, "number": s.number, "day": s.day, "minutes": round(s.minutes, 1),
                "education": [{"topic": n, **topics[n - 1]} for n in s.education],
                "items": [{"id": i.id, "block": i.block, "modality": i.modality, "level": i.level,
                           "sides": i.sides, "seconds": round(i.seconds), **asdict(i.dose)} for i in s.items],
            } for s in self.sessions],
        }


def starting_level(entry: CatalogEntry, approach: str) -> int:
    """§5.2: symptom modulation level 1; movement control the beginner dose; function
    optimization one level above it (capped at the top)."""
    if entry.modality not in ("core", "mckenzie"):
        return entry.beginner_level
    if approach == "symptom_modulation":
        return 1
    if approach == "function_optimization":
        return min(entry.beginner_level + 1, entry.top_level)
    return entry.beginner_level


def stretch_dose(week: int) -> Dose:
    """§5.2 stretches: 2 x 20 s in week 1, 3 x 30 s from week 2 (ACSM 10-30 s [V])."""
    count, hold = TH["stretch_dose_week1"] if week == 1 else TH["stretch_dose_week2plus"]
    return Dose(reps=count, sets=1, hold_s=hold, rest_s=0)


class _Selector:
    """Which library exercises this patient may do, in preference order."""

    def __init__(self, catalog: Mapping[str, CatalogEntry], excluded: Iterable[str], avoid: Iterable[str],
                 restrictions: Iterable[str]) -> None:
        self.catalog, self.excluded, self.avoid = catalog, set(excluded), set(avoid)
        self.restrictions = set(restrictions)
        self.missing: set[str] = set()

    def allowed(self, exercise_id: str) -> bool:
        load = prescription_data()["loads"].get(exercise_id, {})
        directions = set(load.get("directions", [load["direction"]] if "direction" in load else []))
        if directions & self.excluded:
            return False
        if load.get("end_range") and directions & self.avoid:
            return False
        if load.get("loaded_flexion") and "no_loaded_end_range_flexion" in self.restrictions:
            return False
        return True

    def pick(self, candidates: Iterable[str], count: int, taken: Iterable[str] = ()) -> list[str]:
        chosen = []
        for exercise_id in candidates:
            if len(chosen) == count:
                break
            if exercise_id in taken or not self.allowed(exercise_id):
                continue
            if exercise_id not in self.catalog:
                self.missing.add(exercise_id)
                continue
            chosen.append(exercise_id)
        return chosen


def _top_up(items: list[PlannedExercise], blocks: tuple[str, ...], min_minutes: float) -> list[PlannedExercise]:
    """Add sets (round robin, at most `max_extra_sets` each) until the blocks reach their minimum."""
    items = list(items)
    extra = {i: 0 for i, item in enumerate(items) if item.block in blocks}
    cap = TH["max_extra_sets"]
    fixed = TH["education_minutes"] if "cool_down" in blocks else 0

    def minutes() -> float:
        return fixed + sum(items[i].seconds for i in extra) / 60

    while minutes() < min_minutes:
        open_ = [i for i in extra if extra[i] < cap]
        if not open_:
            break
        i = min(open_, key=lambda k: (extra[k], k))
        items[i] = replace(items[i], dose=replace(items[i].dose, sets=items[i].dose.sets + 1))
        extra[i] += 1
    return items


def _fit_max(items: list[PlannedExercise], max_minutes: float) -> list[PlannedExercise]:
    """Make the session fit: first take sets off main-block exercises (most sets first, never
    below 1), then drop optional items - extra cool-down stretches, extra flexibility-block
    stretches, motor exercises beyond two - last first. What still does not fit is rejected by
    :func:`check_plan`."""
    items = list(items)
    fixed = TH["checkin_minutes"] + TH["education_minutes"]

    def too_long() -> bool:
        return fixed + sum(item.seconds for item in items) / 60 > max_minutes

    main = ("category", "motor", "flexibility")
    while too_long():
        reducible = [i for i, item in enumerate(items) if item.block in main and item.dose.sets > 1]
        if not reducible:
            break
        i = max(reducible, key=lambda k: (items[k].dose.sets, k))
        items[i] = replace(items[i], dose=replace(items[i].dose, sets=items[i].dose.sets - 1))
    for block, keep in (("cool_down", 2), ("flexibility", 1), ("motor", 2)):
        while too_long():
            in_block = [i for i, item in enumerate(items) if item.block == block]
            if len(in_block) <= keep:
                break
            droppable = [i for i in in_block if items[i].modality != "breathing"] or in_block
            del items[droppable[-1]]
    return items


def build_plan(category: str, catalog: Mapping[str, CatalogEntry], *, approach: str = "movement_control",
               mode: str = "ai_guided", excluded_directions: Iterable[str] = (), avoid_end_range: Iterable[str] = (),
               restrictions: Iterable[str] = (), secondary: Iterable[str] = (), centralizing: str | None = None,
               edu_psy: bool = False, levels: Mapping[str, int] | None = None) -> Plan:
    """Build and check the 4-week plan for one category.

    ``centralizing`` ("extension" or "flexion") picks the nerve-compression category block.
    ``levels`` carries the ladder levels already reached (a re-plan at a reassessment keeps them:
    levels move only under the §5.3 rules).
    """
    data = prescription_data()
    if category not in data["categories"]:
        raise PlanError(f"unknown category {category!r}; choose one of {', '.join(data['categories'])}")
    if mode not in MODES:
        raise PlanError(f"unknown mode {mode!r}; choose ai_guided or video_only")
    spec = data["categories"][category]
    avoid = sorted((set(avoid_end_range) | set(data["category_avoid_end_range"][category])) - (
        {centralizing} if category == "NERVE_COMPRESSION" else set()))
    selector = _Selector(catalog, excluded_directions, avoid, restrictions)
    if category == "NERVE_COMPRESSION":
        category_candidates = spec.get(f"category_{centralizing}", []) if centralizing else []
    else:
        category_candidates = spec["category"]
    secondary_stretches = [x for c in secondary for x in data["categories"][c]["flexibility"]]
    cr10 = TH["cr10_upper_by_approach"][approach]
    themes = education_data()["weekly_themes"]
    sessions = []
    for week in range(1, TH["plan_weeks"] + 1):
        phase = 0 if week <= 2 else 1
        counts = {k: v[phase] for k, v in spec["counts"].items()}
        warm_up = selector.pick(data["warm_up"]["breathing"], 1)
        warm_up += selector.pick(data["warm_up"]["mobility"], 1, warm_up)
        chosen = {
            "warm_up": warm_up,
            "category": selector.pick(category_candidates, counts["category"], warm_up),
            "motor": selector.pick(spec["motor"], counts["motor"]),
        }
        if week == 4:
            chosen["motor"] += selector.pick(data["week4"]["add"], len(data["week4"]["add"]), chosen["motor"])
        flexibility = spec["flexibility"] + (secondary_stretches if week >= 3 else [])
        taken = chosen["warm_up"] + chosen["category"]
        chosen["flexibility"] = selector.pick(flexibility, counts["flexibility"], taken)
        stretches = selector.pick(flexibility, data["cool_down"]["stretches"], taken + chosen["flexibility"]) \
            or selector.pick(flexibility, data["cool_down"]["stretches"], taken)
        chosen["cool_down"] = stretches + selector.pick(data["cool_down"]["breathing"], 1)
        items = []
        for block in BLOCK_ORDER:
            for exercise_id in chosen[block]:
                entry = require(catalog, exercise_id)
                level = (levels or {}).get(exercise_id) or starting_level(entry, approach)
                dose = stretch_dose(week) if entry.modality == "flexibility" else entry.dose(level)
                items.append(PlannedExercise(exercise_id, block, entry.modality, level, dose, entry.sides))
        minimum = TH["block_min_minutes"]
        items = _top_up(items, ("warm_up",), minimum["warm_up"])
        items = _top_up(items, ("category", "motor", "flexibility"), minimum["main"])
        items = _top_up(items, ("cool_down",), minimum["cool_down"])
        items = _fit_max(items, TH["session_minutes"][1])
        for index, day in enumerate(SESSION_DAYS):
            number = (week - 1) * len(SESSION_DAYS) + index + 1
            topics = [number]
            psych = education_data()["psychological"]
            if edu_psy and week in (1, 3) and psych[index] != number:
                topics.append(psych[index])  # EDU_PSY: released now, repeated two weeks later (§3.0)
            sessions.append(Session(week, number, day, tuple(items), tuple(topics)))
    notes = [dict(note) for note in spec.get("notes", [])]  # {"for": patient | therapist, "en", "zh-Hans"}
    plan = Plan(category, approach, mode, sessions, list(cr10), themes, sorted(set(excluded_directions)), avoid,
                notes, data["version"], sorted(set(restrictions)))
    check_plan(plan, catalog, selector.missing)
    return plan


def check_plan(plan: Plan, catalog: Mapping[str, CatalogEntry], missing: set[str] = frozenset()) -> None:
    """Reject a plan that breaks the frame: duration, frequency, library ids, modality mix."""
    low, high = TH["session_minutes"]
    weeks, per_week = TH["plan_weeks"], TH["sessions_per_week"]
    if len(plan.sessions) != weeks * per_week:
        raise PlanError(f"plan has {len(plan.sessions)} sessions, expected {weeks} weeks x {per_week}")
    for week in range(1, weeks + 1):
        days = sorted(s.day for s in plan.sessions if s.week == week)
        if len(days) != per_week or any(b - a < 2 for a, b in zip(days, days[1:])):
            raise PlanError(f"week {week}: sessions on days {days}; need {per_week} on non-consecutive days")
    unknown = plan.exercise_ids() - set(catalog)
    if unknown:
        raise PlanError(f"plan names exercises that are not in the library: {', '.join(sorted(unknown))}")
    hint = f" Missing library files: {', '.join(sorted(missing))}." if missing else ""
    for session in plan.sessions:
        if not low <= session.minutes <= high:
            raise PlanError(f"session {session.number} (week {session.week}) lasts {session.minutes:.1f} min, "
                            f"outside {low}-{high} min.{hint}")
    present = {item.modality for item in plan.sessions[0].items}
    needed = prescription_data()["required_modalities"][plan.category]
    lacking = [m for m in needed if m not in present]
    if lacking:
        raise PlanError(f"{plan.category} plan lacks the {', '.join(lacking)} modality (brief §3.7).{hint}")


def substitute(plan: Plan, exercise_id: str, week: int, catalog: Mapping[str, CatalogEntry]) -> PlannedExercise | None:
    """§5.3 ladder end (regress at level 1, or remove): the next-easier exercise of the same block at
    its level 1, loading no excluded or avoided direction and not already in the session; harder ones
    of the block only if no easier one fits. None when nothing fits (the therapist chooses)."""
    session = next(s for s in plan.sessions if s.week == week)
    item = next((i for i in session.items if i.id == exercise_id), None)
    if item is None:
        raise PlanError(f"{exercise_id!r} is not in week {week} of the plan")
    spec = prescription_data()["categories"][plan.category]
    ladder = next((v for v in spec.values() if isinstance(v, list) and exercise_id in v), [])
    index = ladder.index(exercise_id) if ladder else 0
    candidates = [*reversed(ladder[:index]), *ladder[index + 1:]]
    selector = _Selector(catalog, plan.excluded_directions, plan.avoid_end_range, plan.restrictions)
    chosen = selector.pick(candidates, 1, {i.id for i in session.items})
    if not chosen:
        return None
    entry = catalog[chosen[0]]
    dose = stretch_dose(week) if entry.modality == "flexibility" else entry.dose(1)
    return PlannedExercise(entry.id, item.block, entry.modality, 1, dose, entry.sides)


def plan_from_classification(classification, catalog: Mapping[str, CatalogEntry], mode: str = "ai_guided",
                             levels: Mapping[str, int] | None = None) -> Plan:
    """The plan for a classification that ended in a category (a blocking outcome has no plan)."""
    if classification.category is None:
        raise PlanError(f"no plan: the screening outcome is {classification.outcome}; exercise is locked")
    responses = classification.responses
    centralizing = next((d for d in ("extension", "flexion") if responses.get(d) == "CENTRALIZES"), None)
    restrictions = classification.red_flags.restrictions if classification.red_flags else []
    return build_plan(
        classification.category, catalog, approach=classification.approach or "movement_control", mode=mode,
        excluded_directions=classification.excluded_directions, avoid_end_range=classification.avoid_end_range,
        restrictions=restrictions, secondary=classification.secondary, centralizing=centralizing,
        edu_psy="EDU_PSY" in classification.actions, levels=levels,
    )
