"""Tracking quality of a patient's last camera session, for the therapist's alert.

A rep attempt the engine did not count because the body was not tracked well enough shows up as
an uncounted rep; when many attempts of a session end that way the camera set-up needs attention.
"""

from __future__ import annotations

from backcoach.app.i18n import N_
from backcoach.store.models import ExerciseSession

#: Share of rep attempts not counted above which the set-up is flagged [E].
UNCOUNTED_SHARE_ALERT = 0.30
#: Fewer attempts than this say nothing about tracking [E].
MIN_ATTEMPTS = 10
ALERT_POOR_TRACKING = N_("Poor tracking quality in the last camera session")


def uncounted_share(session: ExerciseSession | None) -> float | None:
    """Share of rep attempts not counted in a session (None when too few attempts)."""
    if session is None:
        return None
    reps = [rep for s in session.sets for rep in s.reps]
    if len(reps) < MIN_ATTEMPTS:
        return None
    return sum(1 for rep in reps if not rep.counted) / len(reps)


def tracking_alert(session: ExerciseSession | None) -> str | None:
    share = uncounted_share(session)
    return ALERT_POOR_TRACKING if share is not None and share > UNCOUNTED_SHARE_ALERT else None
