"""Every table of backcoach, grouped by area; importing this package registers them all."""

from backcoach.store.models.accounts import (
    AuditEvent,
    Clinic,
    Consent,
    ConsentKind,
    Invitation,
    Role,
    TherapistAssignment,
    User,
)
from backcoach.store.models.assessment import (
    Assessment,
    ClassificationResult,
    QuestionnaireResponse,
    RedFlagScreening,
)
from backcoach.store.models.community import (
    CohortGroup,
    Comment,
    EducationRead,
    GroupMembership,
    Message,
    Post,
    PostKind,
    Reaction,
)
from backcoach.store.models.plans import Plan, PlanItem, PlanSession, SessionMode
from backcoach.store.models.training import (
    ExerciseSession,
    ExerciseSet,
    LandmarkTrace,
    Rep,
    SessionStatus,
    TrainingReport,
)
from backcoach.store.models.trial import (
    TrialAllocation,
    TrialOutcome,
    TrialParticipant,
    TrialRecord,
    TrialVisit,
)

__all__ = [
    "Assessment",
    "AuditEvent",
    "ClassificationResult",
    "Clinic",
    "CohortGroup",
    "Comment",
    "Consent",
    "ConsentKind",
    "EducationRead",
    "ExerciseSession",
    "ExerciseSet",
    "GroupMembership",
    "Invitation",
    "LandmarkTrace",
    "Message",
    "Plan",
    "PlanItem",
    "PlanSession",
    "Post",
    "PostKind",
    "QuestionnaireResponse",
    "Reaction",
    "RedFlagScreening",
    "Rep",
    "Role",
    "SessionMode",
    "SessionStatus",
    "TherapistAssignment",
    "TrainingReport",
    "TrialAllocation",
    "TrialOutcome",
    "TrialParticipant",
    "TrialRecord",
    "TrialVisit",
    "User",
]
