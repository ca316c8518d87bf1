"""The schema. Every row belongs to a workspace; people are (platform, user id) pairs.

Perspectives are tags on organisations. Nothing here records a person's background, religion,
gender or age: that is a rule of the domain, not an accident of the schema.

One module per subject; every model is imported here, so `Base.metadata` (which Alembic compares
against the migrations) always holds every table, and `from storage.models import X` works for all.
"""

from storage.models.audit import AuditEntry
from storage.models.base import NAMING, Base
from storage.models.deliveries import Delivery, DeliveryState, InboxEntry, InboxState, Worker
from storage.models.meetings import (
    ActionItem,
    Answer,
    FollowUpStatus,
    Invitation,
    Meeting,
    MeetingChange,
    MeetingKind,
    MeetingOrganisation,
    MeetingState,
    MeetingTalk,
    MeetingTopic,
    Minutes,
    MinutesComment,
    MinutesState,
    Role,
)
from storage.models.suggestions import OrganisationSuggestion, SuggestionState
from storage.models.topics import Side, Topic, TopicState, TopicSupport
from storage.models.workspace import (
    Contact,
    Conversation,
    Coordinator,
    Organisation,
    OrganisationKeyword,
    OrganisationPerspective,
    Person,
    Tier,
    TimeOfDay,
    Workspace,
)

__all__ = [
    "NAMING", "ActionItem", "Answer", "AuditEntry", "Base", "Contact", "Conversation", "Coordinator",
    "Delivery",
    "DeliveryState", "FollowUpStatus", "InboxEntry", "InboxState", "Invitation", "Meeting",
    "MeetingChange", "MeetingKind", "MeetingOrganisation", "MeetingState", "MeetingTalk",
    "MeetingTopic", "Minutes", "MinutesComment", "MinutesState", "Organisation",
    "OrganisationKeyword", "OrganisationPerspective", "OrganisationSuggestion", "Person", "Role",
    "Side", "SuggestionState", "Tier", "TimeOfDay", "Topic", "TopicState", "TopicSupport", "Worker",
    "Workspace",
]
