"""What the bot tells people, described without saying how it looks on any platform."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from services.enums import Answer, FollowUpStatus, MeetingKind, MeetingState, MinutesState, Side
from services.people import MessageRef, PersonRef


@dataclass(frozen=True)
class TopicCard:
    """A topic as people see it."""

    number: int
    title: str
    details: str
    state: str
    # None where the reader may not tie the person to their organisation: a shared place, or
    # anyone but a coordinator (the organisation stands for them then; services/topics.py).
    proposer: PersonRef | None
    proposer_side: Side
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
    """One short talk opening a meeting: the speaker by name (or role) as typed, and as a person
    on the platform when picked (then the name may be empty)."""

    speaker: str
    organisation: str | None
    subject: str
    minutes: int
    person: PersonRef | None = None


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
    # Who chairs it for the city: the name as typed, and/or the person picked on the platform.
    chair: str | None = None
    chair_person: PersonRef | None = None
    # Why it was cancelled, passed on to everyone invited (None: no reason given).
    cancel_reason: str | None = None
    # Why the meeting is called, in a few lines (urgent calls); shown in every invitation.
    background: str | None = None
    # "Follow-up from last time": the points of the meeting held before this one, with their status.
    follow_up: tuple[ActionItemView, ...] = ()

    @property
    def open_floor_minutes(self) -> int:
        """What the talks leave of the meeting for the open floor."""
        return max(0, self.duration_minutes - sum(talk.minutes for talk in self.talks))


@dataclass(frozen=True)
class MeetingInvitation:
    """The invitation: in the channel (with the live tally), or to one person."""

    meeting: MeetingCard
    personal: bool
    # The person is invited only for observer organisations (public agencies): to listen in.
    listening: bool = False


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
class MeetingChanged:
    """Told to everyone who already got the invitation when the meeting changes: what changed
    (`services.meetings.ChangeField` values, in a fixed order) since they last heard, and the start
    they knew when the time moved."""

    meeting: MeetingCard
    changes: tuple[str, ...]
    previous_starts_at: datetime | None = None


@dataclass(frozen=True)
class FanOutFailure:
    """Someone an urgent invitation could not reach, and why (the platform's reason)."""

    person: PersonRef
    reason: str


@dataclass(frozen=True)
class Audience:
    """Who a meeting's invitation reaches: every organisation invited (participants and observers
    alike: observers get the invitation too, to listen in), every person who speaks for one,
    counted once however many organisations they speak for, and the organisations nobody speaks
    for (no contact person: nobody gets their invitation). The form's preview, the confirmation
    and the urgent progress report all count by this one rule (`services.meetings.urgent.audience`)."""

    organisations: int
    people: int
    no_contact: tuple[str, ...] = ()


class Unreachable(StrEnum):
    """Why an invited organisation cannot have its invitation."""

    NO_CONTACT = "no_contact"
    """Nobody speaks for it on the roster."""
    NOT_DELIVERED = "not_delivered"
    """The invitation to every one of its contacts failed."""
    UNSUBSCRIBED = "unsubscribed"
    """Its contacts are e-mail addresses that asked for no more e-mail."""


@dataclass(frozen=True)
class OrganisationReach:
    """One invited organisation in an urgent call's report: its answer (the best of its people's:
    yes, then maybe, then no), or why it cannot be reached; neither: silent so far."""

    name: str
    observer: bool = False
    answer: Answer | None = None
    unreachable: Unreachable | None = None


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
    audience: Audience | None = None
    # The organisations by where they stand: answered, silent (invited and reached, no answer),
    # unreachable (with the reason); `sending`: those whose invitations are still on their way.
    answered: tuple[OrganisationReach, ...] = ()
    silent: tuple[OrganisationReach, ...] = ()
    unreachable: tuple[OrganisationReach, ...] = ()
    sending: int = 0
    # People of the silent organisations whose invitation was delivered: whom a nudge would reach.
    silent_people: int = 0
    # Whether the meeting is still ahead and scheduled, so nudging makes sense.
    open: bool = True


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
    """A follow-up point: what, who owns it (an organisation's name; None: the city), by when, how
    far it got, and where it comes from (meeting number and its place there: `ref`, e.g. "3.2")."""

    description: str
    owner: str | None
    due_on: date
    owner_side: Side = Side.CIVIL_SOCIETY
    status: FollowUpStatus = FollowUpStatus.OPEN
    meeting_number: int = 0
    position: int = 0

    @property
    def ref(self) -> str:
        """How people name the point: `<meeting-no>.<point-no>`."""
        return f"{self.meeting_number}.{self.position}"


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
    # A draft goes to those invited for comments until `review_until`, then becomes final.
    state: MinutesState = MinutesState.FINAL
    review_until: datetime | None = None


@dataclass(frozen=True)
class MinutesPosted:
    """The minutes, to someone invited, or in the channel as a reply to the meeting's invitation
    there (`reply_to`; each platform shows a reply its own way: Slack in the message's thread).

    `draft`: this copy was sent for comments (once the minutes are final it says comments are
    closed). `archive`: the reader may download the minutes for the case archive (coordinators;
    in the channel, offered to the coordinators among its readers)."""

    minutes: MinutesView
    reply_to: MessageRef | None = None
    draft: bool = False
    archive: bool = False


@dataclass(frozen=True)
class MinutesCommented:
    """A comment on draft minutes, passed on to the coordinators: who wrote it and for which
    organisations they speak (coordinators may see who represents whom)."""

    meeting_number: int
    meeting_title: str
    author: PersonRef
    organisations: tuple[str, ...]
    body: str
    review_until: datetime | None
    final: bool = False


@dataclass(frozen=True)
class ActionItemDue:
    """Told on its due date to the contacts of the organisation that owns a follow-up point, or to
    the coordinators when the city owns it."""

    item: ActionItemView
    meeting_number: int
    meeting_title: str


@dataclass(frozen=True)
class SpeakerTold:
    """Told to a person named as the speaker of a talk: their talks now (empty: taken off the
    agenda), and whether they were told about this meeting's talks before."""

    meeting: MeetingCard
    talks: tuple[Talk, ...]
    changed: bool


@dataclass(frozen=True)
class SuggestionDecided:
    """Told to whoever suggested an organisation, once a coordinator decided: added to the roster
    (and invited to the meeting it was suggested for, while that is ahead), or dismissed."""

    organisation: str
    accepted: bool
    meeting_number: int | None = None
    meeting_title: str | None = None



@dataclass(frozen=True)
class PersonalDataReady:
    """Told to a person who asked what the bot holds about them: how much of each kind (`counts`,
    in a fixed order), the whole JSON document, and the key that downloads it from the bot until
    `expires_at`; each platform offers the document its own way (services/privacy)."""

    counts: tuple[tuple[str, int], ...]
    document: str
    download_key: str
    expires_at: datetime


@dataclass(frozen=True)
class PrivacyNotice:
    """Told once to a person newly made a contact: for which organisations, who is responsible for
    the data (empty: not configured), where to ask (empty: the coordinators), and how long answers
    and attendance are kept."""

    organisations: tuple[str, ...]
    controller: str
    privacy_contact: str
    retention: timedelta


@dataclass(frozen=True)
class ContactOptedOut:
    """Told to the coordinators when a person opted out from the privacy notice: they are no longer
    a contact of these organisations (`person` None: erased since)."""

    person: PersonRef | None
    organisations: tuple[str, ...]


@dataclass(frozen=True)
class AnswerRecorded:
    """Told to someone who answered outside chat (from an e-mailed link, on the bot's page): the
    answer now recorded, so they have it in writing."""

    meeting: MeetingCard
    answer: Answer


@dataclass(frozen=True)
class PersonalLink:
    """Sent to an e-mail contact who asked for the link to their own page (it is in every e-mail
    too): for which organisations they are a contact."""

    organisations: tuple[str, ...]


OutgoingMessage = (
    TopicAnnouncement | MeetingInvitation | MeetingReminder | MeetingNudge | MeetingCancelled | MeetingChanged
    | UrgentProgress | TopicChanged | MinutesPosted | ActionItemDue | SpeakerTold | SuggestionDecided
    | MinutesCommented | PersonalDataReady | PrivacyNotice | ContactOptedOut | AnswerRecorded | PersonalLink
)
