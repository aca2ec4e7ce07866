"""CSV export of the analysis table, as each role may see it.

The statistician analyses coded arms until unblinding (paper, Randomization and Blinding [V]):
:func:`long_for_role` replaces every arm by its code, so ``backcoach trial analyze --reference
"Arm X"`` runs on the coded file and gives the same numbers under neutral names. Roles that may
not see arms at all (the outcome assessor) get the table without the arm column.
"""

from __future__ import annotations

import io
from collections.abc import Mapping

import pandas as pd

from backcoach.trial.blinding import Role, Visibility, arm_visibility, show_arm


def long_for_role(long: pd.DataFrame, role: Role, codes: Mapping[str, str], unblinded: bool) -> pd.DataFrame:
    """The long outcome table with arms real, coded or removed according to ``role``."""
    visibility = arm_visibility(role, unblinded)
    if visibility is Visibility.HIDDEN:
        return long.drop(columns="arm")
    out = long.copy()
    out["arm"] = [show_arm(arm, role, codes, unblinded) for arm in out["arm"]]
    return out


def long_csv(long: pd.DataFrame, role: Role, codes: Mapping[str, str], unblinded: bool) -> str:
    """CSV text of :func:`long_for_role` (full float precision)."""
    buffer = io.StringIO()
    long_for_role(long, role, codes, unblinded).to_csv(buffer, index=False, float_format="%.17g")
    return buffer.getvalue()
