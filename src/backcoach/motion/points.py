"""Names of the points that features are measured between.

A point name is a landmark name (``left_knee``), a sided template (``{side}_knee``, ``{other}_knee``)
resolved for the side being judged, or a midpoint of a left/right pair (``hip_mid``).
"""

from __future__ import annotations

from backcoach.motion.geometry import Missing
from backcoach.pose.skeleton import INDEX, NAMES

SIDES = ("left", "right")
OTHER = {"left": "right", "right": "left"}


class PointError(ValueError):
    """A point name that names no landmark."""


def is_sided(name: str) -> bool:
    """Whether a point name or expression uses the ``{side}``/``{other}`` placeholders.

    ``{near}`` (the side nearer the camera) does not make a feature sided: it has one value.
    """
    return "{side}" in name or "{other}" in name


def substitute(text: str, side: str) -> str:
    """Replace ``{side}`` and ``{other}`` by ``side`` and its opposite."""
    return text.replace("{side}", side).replace("{other}", OTHER[side])


def resolve_point(name: str, side: str = "left") -> tuple[int, ...]:
    """Landmark indices whose mean is the point: one index, or two for a ``*_mid`` point.

    Raises
    ------
    PointError
        When the name (after substituting ``side``) is neither a landmark nor a midpoint.
    """
    concrete = substitute(name, side).replace("{near}", side)
    if concrete in INDEX:
        return (INDEX[concrete],)
    if concrete.endswith("_mid"):
        base = concrete[: -len("_mid")]
        if f"left_{base}" in INDEX:
            return (INDEX[f"left_{base}"], INDEX[f"right_{base}"])
    hint = "use a landmark name such as left_knee, {side}_knee or a midpoint such as hip_mid"
    raise PointError(f"{name!r} is not a landmark ({hint})")


def point_getter(name: str, indices: tuple[int, ...]):
    """A function ``view -> point | Missing`` reading one point (or a midpoint) from a frame view.

    ``view`` has ``points`` (list of tuples), ``vis`` (list of floats) and ``min_vis``.
    """
    if len(indices) == 1:
        (i,) = indices

        def get(view):
            if view.vis[i] < view.min_vis:
                # The concrete landmark, not the template ("{side}_knee"): the engine tells a
                # hidden far-side limb by it.
                return Missing("%s visibility %.2f < %.2f", NAMES[i], view.vis[i], view.min_vis)
            return view.points[i]

        return get
    i, j = indices

    def get_mid(view):
        for k in (i, j):
            if view.vis[k] < view.min_vis:
                return Missing("%s visibility %.2f < %.2f", NAMES[k], view.vis[k], view.min_vis)
        p, q = view.points[i], view.points[j]
        return tuple((a + b) / 2 for a, b in zip(p, q))

    return get_mid
