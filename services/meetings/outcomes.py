"""What the meeting use cases return to the platforms: outcomes and form contents."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.enums import Answer, MeetingKind, Role
from services.i18n import Text
from services.messages import Audience, MeetingCard
from services.planning import Insights
from services.reachability import UnreachableOrganisation
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
    # Who the invitations reach, counted as the urgent form's preview and report count.
    audience: Audience | None = None


@dataclass(frozen=True)
class ScheduleForm:
    """What the scheduling form offers: open topics and the organisations beyond the core."""

    topics: tuple[tuple[int, str], ...]
    organisations: tuple[OrganisationCard, ...]
    core: tuple[str, ...]
    # Core organisations nobody speaks for: invited, but nobody gets their invitation.
    core_without_contact: tuple[str, ...] = ()
    # Every organisation on the roster its invitation would not reach (no contact, or every
    # contact's latest message failed), flagged in the form (services.reachability).
    unreachable: tuple[UnreachableOrganisation, ...] = ()


@dataclass(frozen=True)
class UrgentForm:
    """The urgent form: the scheduling choices, who the pick reaches, and the default start."""

    choices: ScheduleForm
    audience: Audience
    default_start: datetime

    @property
    def organisations(self) -> int:
        """How many organisations the pick invites."""
        return self.audience.organisations

    @property
    def people(self) -> int:
        """How many people the pick's invitations reach."""
        return self.audience.people


@dataclass(frozen=True)
class NudgeOutcome:
    """The coordinator's one-click nudge of an urgent call's silent organisations: how many people
    were nudged now, in how many organisations, and how many were left out because they had a
    nudge less than `window_minutes` ago."""

    number: int
    title: str
    nudged: int
    organisations: int
    recently: int
    window_minutes: int


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


@dataclass(frozen=True)
class ChangeForm:
    """What the change form starts from: the meeting as it is, and whether its invitations went
    out (then everyone who got one is told what changes)."""

    meeting: MeetingCard
    invitations_sent: bool

    @property
    def offers_background(self) -> bool:
        """Whether the form holds the background: where there is one (an urgent call's, or one kept
        from it); elsewhere the background is left as it is."""
        return self.meeting.kind == MeetingKind.URGENT or bool(self.meeting.background)


@dataclass(frozen=True)
class ChangeOutcome:
    """A meeting after a change: what changed (`ChangeField` values; empty: nothing did), how many
    people who already got the invitation are told, whether invitations are out, and whether a
    moved invitation time was brought forward off a weekend or holiday."""

    meeting: MeetingCard
    changes: tuple[str, ...]
    told: int
    invitations_sent: bool
    brought_forward: bool = False
    insights: Insights | None = None
