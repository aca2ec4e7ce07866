"""Sets whose connection dropped, kept in memory for a grace period so a reconnect continues them.

Without this a reconnect starts a fresh engine from the stored reps, and a rep the patient was in
the middle of is lost. Parking keeps the whole :class:`~backcoach.app.live.session.ActiveSet`
(engine state mid-rep, trace buffer, longest hold, pain) per process: the reconnect's
``start_set`` for the same stored set takes it back and the rep goes on. A reconnect that lands
on another worker, or comes after the grace period, still resumes from the store (the rep in
progress is then lost, the counted ones never are).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

#: Seconds a dropped set waits for its reconnect ([E] engineering choice: the page retries with a
#: back-off up to 8 s, a reload takes a few seconds more; past this the patient has moved on).
GRACE_S = 120.0
#: Sets kept at once per process, oldest dropped first (each holds a ~1 MB trace buffer) [E].
MAX_PARKED = 64


class ParkedSets:
    """Dropped sets by (exercise session id, stored set id), each with the time it was parked."""

    def __init__(self, grace_s: float = GRACE_S, max_parked: int = MAX_PARKED,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.grace_s = grace_s
        self.max_parked = max_parked
        self.clock = clock
        self._sets: OrderedDict[tuple[int, int], tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()  # connections run their handlers in the thread pool

    def park(self, session_id: int, set_id: int, active: Any) -> None:
        with self._lock:
            self._prune()
            self._sets[(session_id, set_id)] = (self.clock(), active)
            self._sets.move_to_end((session_id, set_id))
            while len(self._sets) > self.max_parked:
                self._sets.popitem(last=False)

    def claim(self, session_id: int, set_id: int) -> Any | None:
        """The parked set, removed from the park; None when there is none or its grace ran out."""
        with self._lock:
            self._prune()
            entry = self._sets.pop((session_id, set_id), None)
        return None if entry is None else entry[1]

    def __len__(self) -> int:
        with self._lock:
            self._prune()
            return len(self._sets)

    def _prune(self) -> None:
        deadline = self.clock() - self.grace_s
        for key in [key for key, (parked_at, _active) in self._sets.items() if parked_at < deadline]:
            del self._sets[key]
