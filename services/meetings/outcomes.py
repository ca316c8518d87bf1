"""What the meeting use cases return to the platforms: outcomes and form contents."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.enums import Answer, Role
from services.i18n import Text
from services.messages import MeetingCard
from services.planning import Insights
from services.roster import OrganisationCard


@dataclass(frozen=True)
class RsvpOutcome:
    """An answer as recorded. Deliberately light: a burst of clicks must not each recount the tally."""

    number: int
    title: str
    answer: Answer
    previous: Answer | None


@dataclass(frozen=True)
class UpcomingMeeting:
    meeting: MeetingCard
    invited: bool
    answer: Answer | None


@dataclass(frozen=True)
class InviteOutcome:
    meeting: MeetingCard
    organisation: str
    role: Role
    people: int
    invitations_sent: bool
    insights: Insights | None = None


@dataclass(frozen=True)
class ScheduleOutcome:
    """A meeting just scheduled (or called): whether its invitations already went out, the planning
    advice on it (None when no advice is wired), and whether the invitation time was brought forward
    off a weekend or holiday."""

    meeting: MeetingCard
    invitations_sent: bool
    insights: Insights | None = None
    brought_forward: bool = False


@dataclass(frozen=True)
class ScheduleForm:
    """What the scheduling form offers: open topics and the organisations beyond the core."""

    topics: tuple[tuple[int, str], ...]
    organisations: tuple[OrganisationCard, ...]
    core: tuple[str, ...]


@dataclass(frozen=True)
class UrgentForm:
    """The urgent form: the scheduling choices, who the pick reaches, and the default start."""

    choices: ScheduleForm
    organisations: int
    people: int
    default_start: datetime


@dataclass(frozen=True)
class AgendaOutcome:
    """The meeting with its new agenda, and a warning when the open floor is squeezed."""

    meeting: MeetingCard
    warning: Text | None
    insights: Insights | None = None


@dataclass(frozen=True)
class AgendaForm:
    """What the agenda form offers and holds: the meeting, open topics, organisations."""

    meeting: MeetingCard
    topics: tuple[tuple[int, str], ...]
    organisations: tuple[str, ...]
