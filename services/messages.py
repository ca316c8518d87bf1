"""What the bot tells people, described without saying how it looks on any platform."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from services.enums import Answer, MeetingKind, MeetingState
from services.people import MessageRef, PersonRef


@dataclass(frozen=True)
class TopicCard:
    """A topic as people see it."""

    number: int
    title: str
    details: str
    state: str
    proposer: PersonRef
    proposer_side: str  # "city" or "civil_society"
    proposer_organisation: str | None
    supporters: int
    supporting_organisations: int
    created_at: datetime
    state_reason: str | None = None


@dataclass(frozen=True)
class TopicAnnouncement:
    """The channel post announcing a proposal, with a way to support it."""

    topic: TopicCard


@dataclass(frozen=True)
class Talk:
    """One short talk opening a meeting."""

    speaker: str
    organisation: str | None
    subject: str
    minutes: int


@dataclass(frozen=True)
class Tally:
    """Answers so far. People and organisations among participants; observers counted apart."""

    yes: int = 0
    no: int = 0
    maybe: int = 0
    waiting: int = 0
    organisations_yes: int = 0
    organisations_invited: int = 0
    observers_yes: int = 0
    observers_invited: int = 0


@dataclass(frozen=True)
class MeetingCard:
    """A meeting as people see it."""

    number: int
    title: str
    kind: MeetingKind
    state: MeetingState
    starts_at: datetime
    duration_minutes: int
    video_link: str | None
    agenda: tuple[tuple[int, str], ...]  # (topic number, title)
    participants: tuple[str, ...]  # organisation names
    observers: tuple[str, ...]
    tally: Tally
    invite_at: datetime
    talks: tuple[Talk, ...] = ()
    calendar_token: str | None = None

    @property
    def open_floor_minutes(self) -> int:
        """What the talks leave of the meeting for the open floor."""
        return max(0, self.duration_minutes - sum(talk.minutes for talk in self.talks))


@dataclass(frozen=True)
class MeetingInvitation:
    """The invitation: in the channel (with the live tally), or to one person."""

    meeting: MeetingCard
    personal: bool


@dataclass(frozen=True)
class MeetingReminder:
    """A reminder to someone who is coming, may come, or has not answered."""

    meeting: MeetingCard
    answer: Answer | None


@dataclass(frozen=True)
class MeetingNudge:
    """To the contacts of an organisation that has not answered at all."""

    meeting: MeetingCard
    organisation: str


@dataclass(frozen=True)
class MeetingCancelled:
    """Told to everyone who was invited."""

    meeting: MeetingCard


@dataclass(frozen=True)
class FanOutFailure:
    """Someone an urgent invitation could not reach, and why (the platform's reason)."""

    person: PersonRef
    reason: str


@dataclass(frozen=True)
class UrgentProgress:
    """The coordinator's live view of an urgent call: how far the fan-out got, and the answers."""

    meeting: MeetingCard
    total: int
    sent: int
    failed: tuple[FanOutFailure, ...]
    done: bool
    # No longer relevant when their turn came (the meeting was cancelled or the person removed).
    skipped: int = 0


@dataclass(frozen=True)
class TopicChanged:
    """Told to a topic's proposer whenever it moves: onto a meeting's agenda, back to the
    proposals (taken off, not reached, or the meeting was cancelled), declined (with the
    reason), or discussed."""

    topic: TopicCard
    change: str  # "scheduled", "unscheduled", "declined" or "discussed"
    meeting: MeetingCard | None = None


@dataclass(frozen=True)
class ActionItemView:
    """A follow-up point: what, which organisation, by when."""

    description: str
    owner: str
    due_on: date


@dataclass(frozen=True)
class MinutesView:
    """The minutes of a meeting as people read them."""

    meeting: MeetingCard
    summary: str
    decisions: str
    action_items: tuple[ActionItemView, ...]
    attendees: int
    attending_organisations: tuple[str, ...]
    discussed: tuple[tuple[int, str], ...]
    version: int


@dataclass(frozen=True)
class MinutesPosted:
    """The minutes, to one attendee, or in the channel as a reply to the meeting's invitation there
    (`reply_to`; each platform shows a reply its own way: Slack in the message's thread)."""

    minutes: MinutesView
    reply_to: MessageRef | None = None


@dataclass(frozen=True)
class ActionItemDue:
    """Told to the contacts of the organisation that owns a follow-up point, on its due date."""

    item: ActionItemView
    meeting_number: int
    meeting_title: str


OutgoingMessage = (
    TopicAnnouncement | MeetingInvitation | MeetingReminder | MeetingNudge | MeetingCancelled
    | UrgentProgress | TopicChanged | MinutesPosted | ActionItemDue
)
