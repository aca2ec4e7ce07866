"""Words for the stored session codes (mode, status); templates translate them with ``_()``."""

from __future__ import annotations

from backcoach.app.i18n import N_
from backcoach.store.models import SessionMode, SessionStatus

MODE_LABELS = {
    SessionMode.AI: N_("Camera-guided (AI)"),
    SessionMode.VIDEO: N_("Video only"),
}

STATUS_LABELS = {
    SessionStatus.IN_PROGRESS: N_("In progress"),
    SessionStatus.COMPLETED: N_("Completed"),
    SessionStatus.STOPPED: N_("Stopped early"),
}
