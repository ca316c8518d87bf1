"""Meetings: scheduling, invitations, answers, reminders, nudges and cancellation.

Every message a meeting causes is planned as delivery rows when the meeting changes, with the
time it is due. What a message says is composed when it is sent, from the database as it is
then: a reminder is skipped for someone who has since declined, a nudge for an organisation
that has since answered, anything at all once the meeting is cancelled or has started.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, delete, select, update
from sqlalchemy.orm import Session, selectinload, sessionmaker

from services.clock import Clock
from services.deliveries import Deliveries, NotYet, Planned
from services.errors import Conflict, DomainError, InvalidInput, NotFound, raise_field_errors
from services.i18n import N_, Text, plural_text, text
from services.messages import (
    FanOutFailure,
    MeetingCancelled,
    MeetingCard,
    MeetingInvitation,
    MeetingNudge,
    MeetingReminder,
    Talk,
    Tally,
    TopicChanged,
    UrgentProgress,
)
from services.people import Actor, Destination, PersonRef
from services.roster import OrganisationCard, card_of, find_organisation
from services.timeutil import after, before
from services.topics import card_of as topic_card
from services.workspaces import Workspaces, audit, is_coordinator, next_number, require_coordinator
from storage.models import (
    Answer,
    Contact,
    Delivery,
    DeliveryState,
    Invitation,
    Meeting,
    MeetingKind,
    MeetingOrganisation,
    MeetingState,
    MeetingTalk,
    MeetingTopic,
    Organisation,
    Role,
    Tier,
    Topic,
    TopicState,
    Workspace,
)

INVITE = "meeting_invitation"
REMINDER = "meeting_reminder"
NUDGE = "meeting_nudge"
CANCELLED = "meeting_cancelled"
PROGRESS = "urgent_progress"
TOPIC_SCHEDULED = "topic_scheduled"
TOPIC_UNSCHEDULED = "topic_unscheduled"
TOPIC_DISCUSSED = "topic_discussed"
TALKS_MAX = 2
TALK_MINUTES_MAX = 60
# An agenda that leaves less than this for the open floor gets a warning.
OPEN_FLOOR_MIN = 15

TITLE_MIN, TITLE_MAX = 3, 150
DURATION_MIN, DURATION_MAX = 15, 8 * 60
_SPACES = re.compile(r"\s+")
# An urgent call with the same title within this window is taken for a double submit.
URGENT_REPEAT_WINDOW = timedelta(minutes=10)
_URL = re.compile(r"^https?://[^\s<>|]+$")


class NotInvited(DomainError):
    """The person is not on the meeting's invitation list."""


@dataclass(frozen=True)
class MeetingTimings:
    """The settings that decide when meeting messages go out."""

    invite_lead: timedelta
    reminders: tuple[timedelta, ...]
    nudge_after: timedelta
    urgent_notice: timedelta
    urgent_reminders: tuple[timedelta, ...]
    timezone: ZoneInfo = ZoneInfo("Europe/Oslo")


@dataclass(frozen=True)
class RsvpOutcome:
    """An answer as recorded. Deliberately light: a burst of clicks must not each recount the tally."""

    number: int
    title: str
    answer: str
    previous: str | None


@dataclass(frozen=True)
class UpcomingMeeting:
    meeting: MeetingCard
    invited: bool
    answer: str | None


@dataclass(frozen=True)
class InviteOutcome:
    meeting: MeetingCard
    organisation: str
    role: str
    people: int
    invitations_sent: bool


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


@dataclass(frozen=True)
class AgendaForm:
    """What the agenda form offers and holds: the meeting, open topics, organisations."""

    meeting: MeetingCard
    topics: tuple[tuple[int, str], ...]
    organisations: tuple[str, ...]


def _fold(title: str) -> str:
    return _SPACES.sub(" ", title).strip().casefold()


class Meetings:
    """Use cases around meetings. Coordinator rights are checked here, whatever the client sent."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        clock: Clock,
        workspaces: Workspaces,
        deliveries: Deliveries,
        timings: MeetingTimings,
        channel: Destination | None,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._workspaces = workspaces
        self._deliveries = deliveries
        self._timings = timings
        self._channel = channel
        deliveries.register(INVITE, self._compose_invitation)
        deliveries.register(REMINDER, self._compose_reminder)
        deliveries.register(NUDGE, self._compose_nudge)
        deliveries.register(CANCELLED, self._compose_cancellation)
        deliveries.register(PROGRESS, self._compose_progress)
        deliveries.register(TOPIC_SCHEDULED, self._compose_topic_change)
        deliveries.register(TOPIC_UNSCHEDULED, self._compose_topic_change)
        deliveries.register(TOPIC_DISCUSSED, self._compose_topic_change)
        deliveries.on_settled(self._invitation_settled)

    # -- scheduling ------------------------------------------------------------------------

    def schedule(
        self,
        actor: Actor,
        *,
        title: str,
        starts_at: datetime,
        duration_minutes: int = 60,
        video_link: str | None = None,
        topic_numbers: Sequence[int] = (),
        organisations: Sequence[str] = (),
        kind: MeetingKind = MeetingKind.REGULAR,
    ) -> MeetingCard:
        """Schedule a meeting: the core organisations and `organisations` are invited at start − lead."""
        title = _SPACES.sub(" ", title).strip()
        video_link = (video_link or "").strip() or None
        now = self._clock.now()
        self._validate(title, starts_at, duration_minutes, video_link, now)
        with self._sessions.begin() as session:
            workspace = self._workspaces.lock(session, actor.workspace)
            require_coordinator(session, workspace, actor.person)
            clash = session.scalar(
                select(Meeting).where(
                    Meeting.workspace_id == workspace.id,
                    Meeting.starts_at == starts_at,
                    Meeting.state != MeetingState.CANCELLED,
                )
            )
            if clash is not None and _fold(clash.title) == _fold(title):
                raise Conflict(
                    text(N_("Meeting {number} “{title}” is already scheduled at that time."),
                         number=clash.number, title=clash.title),
                    field="title",
                )
            if kind == MeetingKind.URGENT:
                self._not_a_repeat(session, workspace, title, now)
            topics = [self._open_topic(session, workspace, n) for n in dict.fromkeys(topic_numbers)]
            for topic in topics:
                self._not_elsewhere(session, None, topic)
            chosen = [find_organisation(session, workspace, name) for name in organisations]
            if kind == MeetingKind.URGENT:
                invite_at = now
            else:
                invite_at = max(now, before(starts_at, self._timings.invite_lead, self._timings.timezone))
            meeting = Meeting(
                workspace_id=workspace.id,
                number=next_number(session, workspace.id, "meeting"),
                title=title,
                kind=kind,
                state=MeetingState.SCHEDULED,
                starts_at=starts_at,
                duration_minutes=duration_minutes,
                video_link=video_link,
                invite_at=invite_at,
                version=1,
                calendar_token=secrets.token_urlsafe(24),
                created_by_platform=actor.person.platform,
                created_by_user_id=actor.person.user_id,
                created_at=now,
                updated_at=now,
            )
            session.add(meeting)
            session.flush()
            for topic in topics:
                self._put_on_agenda(session, meeting, topic)
            core = session.scalars(
                select(Organisation).where(
                    Organisation.workspace_id == workspace.id,
                    Organisation.tier == Tier.CORE,
                    Organisation.archived_at.is_(None),
                )
                # One query for every contact: a lazy load per organisation would also flush the
                # invitations added so far, each time (thousands of organisations in a crisis).
                .options(selectinload(Organisation.contacts))
            ).all()
            have: set[tuple[int, str, str]] = set()
            for organisation in dict.fromkeys([*core, *chosen]):
                self._add_organisation(session, meeting, organisation, have=have)
            session.flush()
            if self._channel is not None:
                self._deliveries.plan(
                    session, workspace_id=workspace.id, kind=INVITE, key=f"meeting:{meeting.id}:invite",
                    destination=self._channel, due_at=invite_at, meeting_id=meeting.id,
                    meeting_version=meeting.version,
                )
            if kind == MeetingKind.URGENT:
                self._deliveries.plan(
                    session, workspace_id=workspace.id, kind=PROGRESS, key=f"meeting:{meeting.id}:progress",
                    destination=Destination.user(actor.person), due_at=now, meeting_id=meeting.id,
                    meeting_version=meeting.version,
                )
            self._plan_for_invitees(session, meeting)
            audit(session, workspace, actor, f"meeting.{kind.value}", f"meeting {meeting.number}",
                  self._clock, title=title, starts_at=starts_at.isoformat(),
                  organisations=[o.name for o in chosen])
            card = meeting_card(session, meeting)
        self._deliveries.wake()
        return card

    # -- agenda ----------------------------------------------------------------------------

    def add_topic(self, actor: Actor, number: int, topic_number: int) -> MeetingCard:
        """Put a backlog topic on a meeting's agenda; its proposer is told."""
        now = self._clock.now()
        with self._sessions.begin() as session:
            workspace, meeting = self._upcoming_for_coordinator(session, actor, number, now)
            topic = self._open_topic(session, workspace, topic_number)
            self._not_elsewhere(session, meeting, topic)
            if any(link.topic_id == topic.id for link in _agenda_links(session, meeting)):
                raise Conflict(
                    text(N_("Topic {topic} is already on the agenda of meeting {number}."),
                         topic=topic_number, number=number),
                    field="topics",
                )
            self._put_on_agenda(session, meeting, topic)
            _touch(session, meeting.id, INVITE, channel_only=True)
            audit(session, workspace, actor, "meeting.agenda", f"meeting {meeting.number}", self._clock,
                  topic=topic_number)
            card = meeting_card(session, meeting)
        self._deliveries.wake()
        return card

    def set_agenda(self, actor: Actor, number: int, *, topic_numbers: Sequence[int],
                   talks: Sequence[Talk]) -> AgendaOutcome:
        """Set a meeting's topics and up to two talks; warns when little is left for the open floor."""
        talks = [Talk(_SPACES.sub(" ", t.speaker).strip(), t.organisation,
                      _SPACES.sub(" ", t.subject).strip(), t.minutes) for t in talks]
        now = self._clock.now()
        with self._sessions.begin() as session:
            workspace, meeting = self._upcoming_for_coordinator(session, actor, number, now)
            self._validate_talks(talks, meeting.duration_minutes)
            wanted = [self._open_topic(session, workspace, n) for n in dict.fromkeys(topic_numbers)]
            for topic in wanted:
                self._not_elsewhere(session, meeting, topic)
            for link in _agenda_links(session, meeting):
                if link.topic_id not in {t.id for t in wanted}:
                    session.delete(link)
                    topic = session.get(Topic, link.topic_id)
                    if topic is not None and topic.state == TopicState.SCHEDULED:
                        topic.state = TopicState.PROPOSED
                        topic.updated_at = now
                        self.tell_proposer(session, meeting, topic, TOPIC_UNSCHEDULED)
            session.flush()
            present = {link.topic_id for link in _agenda_links(session, meeting)}
            for topic in wanted:
                if topic.id not in present:
                    self._put_on_agenda(session, meeting, topic)
            session.execute(delete(MeetingTalk).where(MeetingTalk.meeting_id == meeting.id))
            for position, talk in enumerate(talks, start=1):
                organisation = (find_organisation(session, workspace, talk.organisation)
                                if talk.organisation else None)
                session.add(MeetingTalk(meeting_id=meeting.id, position=position, speaker=talk.speaker,
                                        organisation_id=organisation.id if organisation else None,
                                        subject=talk.subject, minutes=talk.minutes))
            session.flush()
            _touch(session, meeting.id, INVITE, channel_only=True)
            audit(session, workspace, actor, "meeting.agenda", f"meeting {meeting.number}", self._clock,
                  topics=list(topic_numbers), talks=len(talks))
            card = meeting_card(session, meeting)
        self._deliveries.wake()
        warning = None
        if card.open_floor_minutes < OPEN_FLOOR_MIN:
            warning = text(N_("The talks leave only {minutes} minutes for the open floor."),
                           minutes=card.open_floor_minutes)
        return AgendaOutcome(card, warning)

    def agenda_form(self, actor: Actor, number: int) -> AgendaForm:
        """What the agenda form offers and holds now (coordinators only)."""
        now = self._clock.now()
        with self._sessions.begin() as session:
            workspace, meeting = self._upcoming_for_coordinator(session, actor, number, now)
            topics = session.scalars(
                select(Topic)
                .where(Topic.workspace_id == workspace.id, Topic.state.in_((TopicState.PROPOSED,
                                                                             TopicState.SCHEDULED)))
                .order_by(Topic.number)
            ).all()
            organisations = session.scalars(
                select(Organisation.name)
                .where(Organisation.workspace_id == workspace.id, Organisation.archived_at.is_(None))
                .order_by(Organisation.name_key)
            ).all()
            return AgendaForm(meeting_card(session, meeting), tuple((t.number, t.title) for t in topics),
                              tuple(organisations))

    def _validate_talks(self, talks: Sequence[Talk], duration: int) -> None:
        """Refuse talks out of bounds, each talk's problem under its own field (`talk_<n>`, n from 1
        in the order given), all at once."""
        if len(talks) > TALKS_MAX:
            raise InvalidInput(text(N_("A meeting opens with at most {max} talks."), max=TALKS_MAX),
                               field="talks")
        errors: dict[str, Text] = {}
        for position, talk in enumerate(talks, start=1):
            if not 2 <= len(talk.speaker) <= 120 or not 3 <= len(talk.subject) <= 150:
                errors[f"talk_{position}"] = text(
                    N_("Each talk needs a speaker (2 to 120 characters) and a subject (3 to 150)."))
            if not 1 <= talk.minutes <= TALK_MINUTES_MAX:
                errors[f"talk_{position}_minutes"] = text(
                    N_("A talk lasts 1 to {max} minutes."), max=TALK_MINUTES_MAX)
        total = sum(talk.minutes for talk in talks)
        if total > duration and not errors:
            errors["talks"] = text(
                N_("The talks take {total} minutes, more than the {duration}-minute meeting. "
                   "Shorten them or lengthen the meeting."), total=total, duration=duration)
        raise_field_errors(errors)

    def _not_elsewhere(self, session: Session, meeting: Meeting | None, topic: Topic) -> None:
        """A topic is on one upcoming agenda at a time; refuse another."""
        other = session.scalar(
            select(Meeting.number)
            .join(MeetingTopic, MeetingTopic.meeting_id == Meeting.id)
            .where(MeetingTopic.topic_id == topic.id, Meeting.state == MeetingState.SCHEDULED,
                   Meeting.starts_at > self._clock.now(),
                   *([Meeting.id != meeting.id] if meeting is not None else []))
        )
        if other is not None:
            raise Conflict(
                text(N_("Topic {topic} is already on the agenda of meeting {number}."),
                     topic=topic.number, number=other),
                field="topics",
            )

    def _put_on_agenda(self, session: Session, meeting: Meeting, topic: Topic) -> None:
        position = len(_agenda_links(session, meeting))
        session.add(MeetingTopic(meeting_id=meeting.id, topic_id=topic.id, position=position))
        topic.state = TopicState.SCHEDULED
        topic.updated_at = self._clock.now()
        session.flush()
        self.tell_proposer(session, meeting, topic, TOPIC_SCHEDULED)

    def tell_proposer(self, session: Session, meeting: Meeting, topic: Topic, kind: str) -> None:
        """Plan a DM to a topic's proposer about its move (`kind`: one of the TOPIC_* kinds)."""
        # Each move is news of its own: on, off and on again is told three times.
        self._deliveries.plan(
            session, workspace_id=meeting.workspace_id, kind=kind,
            key=f"topic:{topic.id}:{kind}:{meeting.id}:{self._clock.now():%Y%m%dT%H%M%S%f}",
            destination=Destination.user(PersonRef(topic.proposer_platform, topic.proposer_user_id)),
            due_at=self._clock.now(), topic_id=topic.id, meeting_id=meeting.id,
        )

    def _compose_topic_change(self, session: Session, delivery: Delivery) -> TopicChanged | None:
        topic = session.get(Topic, delivery.topic_id) if delivery.topic_id else None
        meeting = session.get(Meeting, delivery.meeting_id) if delivery.meeting_id else None
        if topic is None or meeting is None:
            return None
        on_agenda = any(link.topic_id == topic.id for link in _agenda_links(session, meeting))
        if delivery.kind == TOPIC_SCHEDULED:
            # Only if it is still on that agenda, of a meeting still happening.
            if not on_agenda or meeting.state != MeetingState.SCHEDULED:
                return None
            change = "scheduled"
        elif delivery.kind == TOPIC_DISCUSSED:
            if topic.state != TopicState.DISCUSSED:
                return None
            change = "discussed"
        else:
            if topic.state != TopicState.PROPOSED:
                return None
            change = "unscheduled"
        return TopicChanged(topic_card(session, topic), change, meeting_card(session, meeting))

    def urgent(
        self,
        actor: Actor,
        *,
        title: str,
        starts_at: datetime | None = None,
        organisations: Sequence[str] = (),
        video_link: str | None = None,
    ) -> MeetingCard:
        """Call an urgent meeting: invitations to the core and `organisations` go out at once, and
        the coordinator gets a private progress report, updated in place."""
        starts = starts_at or self._clock.now() + self._timings.urgent_notice
        return self.schedule(actor, title=title, starts_at=starts, organisations=organisations,
                             video_link=video_link, kind=MeetingKind.URGENT)

    def urgent_form(self, actor: Actor, organisations: Sequence[str] = ()) -> UrgentForm:
        """The urgent form's choices, and how many organisations and people the current pick reaches."""
        form = self.schedule_form(actor)
        with self._sessions.begin() as session:
            workspace = self._workspaces.get(session, actor.workspace)
            chosen = [find_organisation(session, workspace, name) for name in organisations]
            core = session.scalars(
                select(Organisation).where(
                    Organisation.workspace_id == workspace.id,
                    Organisation.tier == Tier.CORE,
                    Organisation.archived_at.is_(None),
                )
            ).all()
            invited = list(dict.fromkeys([*core, *chosen]))
            people = {(c.platform, c.user_id) for o in invited for c in o.contacts}
            return UrgentForm(form, len(invited), len(people),
                              self._clock.now() + self._timings.urgent_notice)

    def invite(self, actor: Actor, number: int, organisation_name: str) -> InviteOutcome:
        """Add an organisation to a meeting; its contacts are invited at once if invitations went out."""
        now = self._clock.now()
        with self._sessions.begin() as session:
            workspace, meeting = self._upcoming_for_coordinator(session, actor, number, now)
            organisation = find_organisation(session, workspace, organisation_name)
            if any(mo.organisation_id == organisation.id for mo in meeting.organisations):
                raise Conflict(
                    text(N_("“{organisation}” is already invited to meeting {number}."),
                         organisation=organisation.name, number=meeting.number)
                )
            role = self._add_organisation(session, meeting, organisation)
            session.flush()
            self._plan_for_invitees(session, meeting)
            _touch(session, meeting.id, INVITE, channel_only=True)
            audit(session, workspace, actor, "meeting.invite", f"meeting {meeting.number}",
                  self._clock, organisation=organisation.name)
            outcome = InviteOutcome(
                meeting_card(session, meeting), organisation.name, role.value,
                len(organisation.contacts), meeting.invite_at <= now,
            )
        self._deliveries.wake()
        return outcome

    def cancellable(self, actor: Actor, number: int) -> MeetingCard:
        """The meeting a coordinator asks to cancel, checked as `cancel` would, with nothing changed:
        the question "cancel it?" is only asked when the answer can be carried out."""
        now = self._clock.now()
        with self._sessions.begin() as session:
            workspace = self._workspaces.get(session, actor.workspace)
            require_coordinator(session, workspace, actor.person)
            meeting = self._find(session, workspace, number)
            self._require_upcoming(meeting, now)
            return meeting_card(session, meeting)

    def cancel(self, actor: Actor, number: int) -> MeetingCard:
        """Cancel a meeting; everyone who was invited is told, and the channel post says so."""
        now = self._clock.now()
        with self._sessions.begin() as session:
            workspace, meeting = self._upcoming_for_coordinator(session, actor, number, now)
            meeting.state = MeetingState.CANCELLED
            meeting.version += 1
            meeting.updated_at = now
            # Only people who got an invitation need to hear it is off.
            told = session.scalars(
                select(Delivery).where(
                    Delivery.meeting_id == meeting.id,
                    Delivery.kind == INVITE,
                    Delivery.dest_kind == "user",
                    Delivery.state.in_((DeliveryState.SENT, DeliveryState.SENDING)),
                )
            ).all()
            for delivery in told:
                self._deliveries.plan(
                    session, workspace_id=workspace.id, kind=CANCELLED,
                    key=f"meeting:{meeting.id}:cancelled",
                    destination=Destination(delivery.dest_platform, "user", delivery.dest_id,
                                            delivery.language_hint),
                    due_at=now, meeting_id=meeting.id, meeting_version=meeting.version,
                )
            links = session.scalars(select(MeetingTopic).where(MeetingTopic.meeting_id == meeting.id))
            for link in links:
                topic = session.get(Topic, link.topic_id)
                if topic is not None and topic.state == TopicState.SCHEDULED:
                    topic.state = TopicState.PROPOSED
                    topic.updated_at = now
                    self.tell_proposer(session, meeting, topic, TOPIC_UNSCHEDULED)
            _touch(session, meeting.id, INVITE, channel_only=True)
            audit(session, workspace, actor, "meeting.cancel", f"meeting {meeting.number}", self._clock)
            card = meeting_card(session, meeting)
        self._deliveries.wake()
        return card

    def schedule_form(self, actor: Actor) -> ScheduleForm:
        """The choices for the scheduling form (coordinators only)."""
        with self._sessions.begin() as session:
            workspace = self._workspaces.get(session, actor.workspace)
            require_coordinator(session, workspace, actor.person)
            topics = session.scalars(
                select(Topic)
                .where(Topic.workspace_id == workspace.id, Topic.state == TopicState.PROPOSED)
                .order_by(Topic.number)
            ).all()
            organisations = session.scalars(
                select(Organisation)
                .where(Organisation.workspace_id == workspace.id, Organisation.archived_at.is_(None))
                .order_by(Organisation.name_key)
            ).all()
            return ScheduleForm(
                topics=tuple((t.number, t.title) for t in topics),
                organisations=tuple(card_of(o) for o in organisations if o.tier != Tier.CORE),
                core=tuple(o.name for o in organisations if o.tier == Tier.CORE),
            )

    # -- answers ---------------------------------------------------------------------------

    def rsvp(self, actor: Actor, number: int, answer: Answer) -> RsvpOutcome:
        """Record `actor`'s answer; the last answer wins, and clicking twice changes nothing."""
        now = self._clock.now()
        with self._sessions.begin() as session:
            workspace = self._workspaces.get(session, actor.workspace)
            meeting = self._find(session, workspace, number)
            if meeting.invite_at > now and not is_coordinator(session, workspace, actor.person):
                # A draft exists only for coordinators until its invitations go out: say exactly
                # what is said of a meeting that does not exist, title and all withheld.
                raise NotFound(_no_such_meeting(number))
            mine = _invitations_of(session, meeting.id, actor.person)
            if not mine:
                raise NotInvited(
                    text(N_("You are not on the invitation list for meeting {number}. If your "
                            "organisation should take part, ask a coordinator to invite it."),
                         number=number)
                )
            if meeting.state == MeetingState.CANCELLED:
                raise InvalidInput(text(N_("Meeting {number} has been cancelled."), number=number))
            if now >= meeting.starts_at + timedelta(minutes=meeting.duration_minutes):
                raise InvalidInput(text(N_("Meeting {number} is over; answers are closed."), number=number))
            previous = mine[0].answer.value if mine[0].answer else None
            changed = [i for i in mine if i.answer != answer]
            for invitation in changed:
                invitation.answer = answer
                invitation.answered_at = now
            if changed:
                _touch(session, meeting.id, INVITE, channel_only=True)
                _touch(session, meeting.id, PROGRESS, channel_only=False)
            outcome = RsvpOutcome(meeting.number, meeting.title, answer.value, previous)
        if changed:
            self._deliveries.wake()
        return outcome

    def upcoming(self, actor: Actor) -> list[UpcomingMeeting]:
        """Meetings not yet over, soonest first, with `actor`'s invitation and answer.

        Before invitations go out a meeting is the coordinators' draft: others do not see it yet.
        """
        now = self._clock.now()
        with self._sessions.begin() as session:
            workspace = self._workspaces.get(session, actor.workspace)
            coordinator = is_coordinator(session, workspace, actor.person)
            meetings = session.scalars(
                select(Meeting)
                .where(Meeting.workspace_id == workspace.id, Meeting.state == MeetingState.SCHEDULED)
                .order_by(Meeting.starts_at, Meeting.number)
            ).all()
            found = []
            for meeting in meetings:
                if meeting.starts_at + timedelta(minutes=meeting.duration_minutes) <= now:
                    continue
                if meeting.invite_at > now and not coordinator:
                    continue
                mine = _invitations_of(session, meeting.id, actor.person)
                answer = mine[0].answer.value if mine and mine[0].answer else None
                found.append(UpcomingMeeting(meeting_card(session, meeting), bool(mine), answer))
        return found

    def get(self, actor: Actor, number: int) -> MeetingCard:
        """One meeting by its number."""
        with self._sessions.begin() as session:
            workspace = self._workspaces.get(session, actor.workspace)
            return meeting_card(session, self._find(session, workspace, number))

    # -- roster changes --------------------------------------------------------------------

    def organisation_changed(self, session: Session, workspace: Workspace,
                             organisation: Organisation) -> None:
        """Bring upcoming meetings in step with a roster change: a core organisation is invited to
        all of them, new contacts are invited, and the channel posts show who is invited now."""
        now = self._clock.now()
        upcoming = session.scalars(
            select(Meeting).where(
                Meeting.workspace_id == workspace.id,
                Meeting.state == MeetingState.SCHEDULED,
                Meeting.starts_at > now,
            )
        ).all()
        active = organisation.archived_at is None
        for meeting in upcoming:
            link = next((mo for mo in meeting.organisations if mo.organisation_id == organisation.id), None)
            if link is None and active and organisation.tier == Tier.CORE:
                self._add_organisation(session, meeting, organisation)
            elif link is not None and active:
                self._invite_contacts(session, meeting, organisation, link.role)
            elif link is None:
                continue
            session.flush()
            self._plan_for_invitees(session, meeting)
            _touch(session, meeting.id, INVITE, channel_only=True)

    # -- planning --------------------------------------------------------------------------

    def _add_organisation(self, session: Session, meeting: Meeting, organisation: Organisation, *,
                          have: set[tuple[int, str, str]] | None = None) -> Role:
        """Invite `organisation` and its contacts; `have`, when given, is the meeting's invitations
        as (organisation, platform, user), kept up to date across calls (saves a rescan each)."""
        role = Role.OBSERVER if organisation.tier == Tier.OBSERVER else Role.PARTICIPANT
        meeting.organisations.append(
            MeetingOrganisation(organisation_id=organisation.id, role=role, added_at=self._clock.now())
        )
        self._invite_contacts(session, meeting, organisation, role, have=have)
        return role

    def _invite_contacts(self, session: Session, meeting: Meeting, organisation: Organisation,
                         role: Role, *, have: set[tuple[int, str, str]] | None = None) -> None:
        if have is None:
            have = {(i.organisation_id, i.platform, i.user_id) for i in meeting.invitations}
        for contact in organisation.contacts:
            if (organisation.id, contact.platform, contact.user_id) not in have:
                have.add((organisation.id, contact.platform, contact.user_id))
                meeting.invitations.append(
                    Invitation(organisation_id=organisation.id, platform=contact.platform,
                               user_id=contact.user_id, created_at=self._clock.now())
                )

    def _plan_for_invitees(self, session: Session, meeting: Meeting) -> None:
        """Plan each invitee's invitation, reminders and their organisation's nudge (idempotent)."""
        now = self._clock.now()
        urgent = meeting.kind == MeetingKind.URGENT
        reminders = self._timings.urgent_reminders if urgent else self._timings.reminders
        invite_due = max(meeting.invite_at, now)
        added = {mo.organisation_id: mo.added_at for mo in meeting.organisations}
        languages = {mo.organisation_id: mo.organisation.language for mo in meeting.organisations}
        # The reminders' times are the same for everyone: worked out once, not per invitee.
        reminder_dues = [
            (f"meeting:{meeting.id}:remind:{int(lead.total_seconds())}", due)
            for lead in reminders
            for due in [before(meeting.starts_at, lead, self._timings.timezone)]
            # A reminder that would come before (or with) the invitation is pointless.
            if due > meeting.invite_at and due > now
        ]
        planned: list[Planned] = []
        for invitation in meeting.invitations:
            person = Destination(invitation.platform, "user", invitation.user_id,
                                 languages.get(invitation.organisation_id))
            common = dict(destination=person, meeting_id=meeting.id, meeting_version=meeting.version)
            planned.append(Planned(INVITE, f"meeting:{meeting.id}:invite", due_at=invite_due, **common))
            planned.extend(Planned(REMINDER, key, due_at=due, **common) for key, due in reminder_dues)
            # Counted from when this organisation was invited, which may be after the others.
            invited_at = max(meeting.invite_at, added.get(invitation.organisation_id, meeting.invite_at))
            nudge_due = after(invited_at, self._timings.nudge_after, self._timings.timezone)
            if not urgent and nudge_due < meeting.starts_at and nudge_due > now:
                planned.append(Planned(
                    NUDGE, f"meeting:{meeting.id}:nudge:{invitation.organisation_id}", due_at=nudge_due,
                    organisation_id=invitation.organisation_id, **common,
                ))
        # One query for what is planned already and one bulk insert, in the caller's transaction.
        self._deliveries.plan_many(session, workspace_id=meeting.workspace_id, planned=planned)

    # -- composing -------------------------------------------------------------------------

    def _meeting_for(self, session: Session, delivery: Delivery) -> Meeting | None:
        """The delivery's meeting, share-locked: a cancel in progress finishes first, so it either
        sees this message as sent (and plans the cancellation) or this sees the meeting cancelled."""
        if delivery.meeting_id is None:
            return None
        return session.get(Meeting, delivery.meeting_id, with_for_update={"read": True})

    def _live(self, session: Session, delivery: Delivery) -> Meeting | None:
        meeting = self._meeting_for(session, delivery)
        if meeting is None or meeting.state != MeetingState.SCHEDULED:
            return None
        if self._clock.now() >= meeting.starts_at:
            return None
        return meeting

    def _compose_invitation(self, session: Session, delivery: Delivery) -> MeetingInvitation | None:
        meeting = self._meeting_for(session, delivery)
        if meeting is None:
            return None
        if delivery.dest_kind == "channel":
            # Sent only while the meeting is ahead; once posted, it is re-rendered for any change
            # (the tally, a cancellation) for as long as it exists.
            if delivery.state != DeliveryState.SENT and self._live(session, delivery) is None:
                return None
            return MeetingInvitation(meeting_card(session, meeting), personal=False)
        if self._live(session, delivery) is None:
            return None
        if not _invitations_of(session, meeting.id, PersonRef(delivery.dest_platform, delivery.dest_id)):
            return None
        return MeetingInvitation(meeting_card(session, meeting), personal=True)

    def _compose_reminder(self, session: Session, delivery: Delivery) -> MeetingReminder | None:
        meeting = self._live(session, delivery)
        if meeting is None or delivery.meeting_version != meeting.version:
            return None
        mine = _invitations_of(session, meeting.id, PersonRef(delivery.dest_platform, delivery.dest_id))
        if not mine or all(i.answer == Answer.NO for i in mine):
            return None
        later_due = session.scalar(
            select(Delivery.id).where(
                Delivery.meeting_id == meeting.id, Delivery.kind == REMINDER,
                Delivery.dest_id == delivery.dest_id, Delivery.dest_platform == delivery.dest_platform,
                Delivery.due_at > delivery.due_at, Delivery.due_at <= self._clock.now(),
            )
        )
        if later_due is not None:
            # After downtime, only the latest reminder that fell due is worth sending.
            return None
        answer = next((i.answer.value for i in mine if i.answer), None)
        return MeetingReminder(meeting_card(session, meeting), answer)

    def _compose_nudge(self, session: Session, delivery: Delivery) -> MeetingNudge | None:
        meeting = self._live(session, delivery)
        if meeting is None or delivery.meeting_version != meeting.version:
            return None
        organisation_id = delivery.organisation_id
        organisation = session.get(Organisation, organisation_id) if organisation_id else None
        if organisation is None or organisation.archived_at is not None:
            return None
        answered = session.scalar(
            select(Invitation.id).where(
                Invitation.meeting_id == meeting.id,
                Invitation.organisation_id == organisation_id,
                Invitation.answer.is_not(None),
            )
        )
        if answered is not None:
            return None
        mine = [i for i in _invitations_of(session, meeting.id,
                                            PersonRef(delivery.dest_platform, delivery.dest_id))
                if i.organisation_id == organisation_id]
        if not mine:
            return None
        return MeetingNudge(meeting_card(session, meeting), organisation.name)

    def _compose_cancellation(self, session: Session, delivery: Delivery) -> MeetingCancelled | None:
        meeting = session.get(Meeting, delivery.meeting_id) if delivery.meeting_id else None
        if meeting is None or meeting.state != MeetingState.CANCELLED:
            return None
        invitation = session.scalar(
            select(Delivery.state).where(
                Delivery.meeting_id == meeting.id, Delivery.kind == INVITE,
                Delivery.dest_kind == "user", Delivery.dest_id == delivery.dest_id,
                Delivery.dest_platform == delivery.dest_platform,
            )
        )
        if invitation in (DeliveryState.SENDING, DeliveryState.PENDING):
            # Its invitation is still being decided (mid-send, or in doubt): wait for the outcome.
            raise NotYet()
        # Only someone who got the invitation needs to hear the meeting is off.
        return MeetingCancelled(meeting_card(session, meeting)) if invitation == DeliveryState.SENT else None

    def _compose_progress(self, session: Session, delivery: Delivery) -> UrgentProgress | None:
        meeting = session.get(Meeting, delivery.meeting_id) if delivery.meeting_id else None
        if meeting is None:
            return None
        rows = session.execute(
            select(Delivery.state, Delivery.dest_platform, Delivery.dest_id, Delivery.last_error).where(
                Delivery.meeting_id == meeting.id, Delivery.kind == INVITE, Delivery.dest_kind == "user"
            )
        ).all()
        settled = (DeliveryState.SENT, DeliveryState.FAILED, DeliveryState.SKIPPED)
        failed = tuple(
            FanOutFailure(PersonRef(platform, user_id), error or "unknown")
            for state, platform, user_id, error in rows if state == DeliveryState.FAILED
        )
        return UrgentProgress(
            meeting=meeting_card(session, meeting),
            total=len(rows),
            sent=sum(1 for row in rows if row.state == DeliveryState.SENT),
            failed=failed,
            done=all(row.state in settled for row in rows),
            skipped=sum(1 for row in rows if row.state == DeliveryState.SKIPPED),
        )

    def _invitation_settled(self, session: Session, delivery: Delivery) -> None:
        """Keep an urgent call's progress report in step with its fan-out."""
        if delivery.kind == INVITE and delivery.meeting_id is not None:
            _touch(session, delivery.meeting_id, PROGRESS, channel_only=False)

    # -- helpers ---------------------------------------------------------------------------

    def check(self, title: str, starts_at: datetime | None, duration_minutes: int | None = 60,
              video_link: str | None = None) -> None:
        """Refuse a meeting's title, start, length or link out of bounds, naming every field at fault
        at once (a form shows them together); None is a start or length not given."""
        self._validate(_SPACES.sub(" ", title).strip(), starts_at, duration_minutes,
                       (video_link or "").strip() or None, self._clock.now())

    def _validate(self, title: str, starts_at: datetime | None, duration: int | None,
                  video_link: str | None, now: datetime) -> None:
        errors: dict[str, Text] = {}
        if not TITLE_MIN <= len(title) <= TITLE_MAX:
            errors["title"] = text(N_("A meeting needs a title of {min} to {max} characters."),
                                   min=TITLE_MIN, max=TITLE_MAX)
        if starts_at is None:
            errors["starts_at"] = text(N_("Pick a date and time."))
        elif starts_at <= now:
            # Say the zone and its clock: someone elsewhere types their own wall-clock time.
            zone = self._timings.timezone
            local, today = starts_at.astimezone(zone), now.astimezone(zone)
            shape = "%H:%M" if local.date() == today.date() else "%Y-%m-%d %H:%M"
            errors["starts_at"] = text(
                N_("{when} in {zone} has already passed; it is {now} there now. Pick a time in the "
                   "future."), when=local.strftime(shape), zone=zone.key, now=today.strftime(shape))
        if duration is None:
            errors["duration"] = text(N_("The length is a whole number of minutes."))
        elif not DURATION_MIN <= duration <= DURATION_MAX:
            errors["duration"] = text(N_("A meeting lasts {min} to {max} minutes."),
                                      min=DURATION_MIN, max=DURATION_MAX)
        if video_link and not _URL.match(video_link):
            errors["video_link"] = text(N_("The video link must be a web address starting with https://."))
        raise_field_errors(errors)

    def _find(self, session: Session, workspace: Workspace, number: int, *, lock: bool = False) -> Meeting:
        query = select(Meeting).where(Meeting.workspace_id == workspace.id, Meeting.number == number)
        if lock:
            # Changes wait for messages being composed from the meeting, and the other way round
            # (see `_meeting_for`); SQLite's IMMEDIATE transactions serialise them anyway.
            query = query.with_for_update()
        meeting = session.scalar(query)
        if meeting is None:
            raise NotFound(_no_such_meeting(number))
        return meeting

    def _not_a_repeat(self, session: Session, workspace: Workspace, title: str, now: datetime) -> None:
        """Refuse a second urgent call with the same title moments after the first: a double submit
        would start two crisis fan-outs to everyone."""
        recent = session.scalars(
            select(Meeting).where(
                Meeting.workspace_id == workspace.id,
                Meeting.kind == MeetingKind.URGENT,
                Meeting.state != MeetingState.CANCELLED,
                Meeting.created_at >= now - URGENT_REPEAT_WINDOW,
            )
        ).all()
        for meeting in recent:
            if _fold(meeting.title) == _fold(title):
                minutes = max(1, round((now - meeting.created_at).total_seconds() / 60))
                raise Conflict(
                    plural_text(
                        "Urgent meeting {number} “{title}” was called a minute ago and its invitations "
                        "are going out; this looks like the same call, so nothing new was sent. To call "
                        "another urgent meeting now, give it a different title.",
                        "Urgent meeting {number} “{title}” was called {count} minutes ago and its "
                        "invitations are going out; this looks like the same call, so nothing new was "
                        "sent. To call another urgent meeting now, give it a different title.",
                        minutes, number=meeting.number, title=meeting.title),
                    field="title",
                )

    def _upcoming_for_coordinator(self, session: Session, actor: Actor, number: int,
                                  now: datetime) -> tuple[Workspace, Meeting]:
        """The workspace and meeting `number`, for a coordinator changing a meeting still ahead."""
        workspace = self._workspaces.lock(session, actor.workspace)
        require_coordinator(session, workspace, actor.person)
        meeting = self._find(session, workspace, number, lock=True)
        self._require_upcoming(meeting, now)
        return workspace, meeting

    def _require_upcoming(self, meeting: Meeting, now: datetime) -> None:
        if meeting.state == MeetingState.CANCELLED:
            raise InvalidInput(text(N_("Meeting {number} has been cancelled."), number=meeting.number))
        if meeting.starts_at <= now:
            raise InvalidInput(
                text(N_("Meeting {number} has already started."), number=meeting.number)
            )

    def _open_topic(self, session: Session, workspace: Workspace, number: int) -> Topic:
        topic = session.scalar(
            select(Topic).where(Topic.workspace_id == workspace.id, Topic.number == number)
        )
        if topic is None or topic.state not in (TopicState.PROPOSED, TopicState.SCHEDULED):
            raise NotFound(
                text(N_("There is no open topic {number}. `/dialog topics` lists the open ones."),
                     number=number),
                field="topics",
            )
        return topic


def _agenda_links(session: Session, meeting: Meeting) -> list[MeetingTopic]:
    return list(
        session.scalars(
            select(MeetingTopic).where(MeetingTopic.meeting_id == meeting.id).order_by(MeetingTopic.position)
        )
    )


def _invitations_of(session: Session, meeting_id: int, person: PersonRef) -> list[Invitation]:
    """A person's invitations to a meeting, one per organisation they still speak for (active ones)."""
    return list(
        session.scalars(
            select(Invitation)
            .join(Organisation, Organisation.id == Invitation.organisation_id)
            .join(Contact, and_(Contact.organisation_id == Invitation.organisation_id,
                                Contact.platform == Invitation.platform,
                                Contact.user_id == Invitation.user_id))
            .where(
                Invitation.meeting_id == meeting_id,
                Invitation.platform == person.platform,
                Invitation.user_id == person.user_id,
                Organisation.archived_at.is_(None),
            )
            .order_by(Invitation.id)
        )
    )


def _touch(session: Session, meeting_id: int, kind: str, *, channel_only: bool) -> None:
    """Ask for the meeting's posted messages of `kind` to be re-rendered in place."""
    query = update(Delivery).where(Delivery.meeting_id == meeting_id, Delivery.kind == kind)
    if channel_only:
        query = query.where(Delivery.dest_kind == "channel")
    session.execute(query.values(content_version=Delivery.content_version + 1))


def _no_such_meeting(number: int) -> Text:
    return text(N_("There is no meeting {number}. `/dialog meetings` lists the upcoming ones."),
                number=number)


def meeting_card(session: Session, meeting: Meeting) -> MeetingCard:
    """The plain view of a meeting, with its agenda, invitees and tally."""
    # Every message of a fan-out composes this: one query for the organisations and one for their
    # contacts, not two per organisation (an urgent call may invite a thousand).
    ids = [mo.organisation_id for mo in meeting.organisations]
    loaded = {
        org.id: org for org in session.scalars(
            select(Organisation).where(Organisation.id.in_(ids)).options(selectinload(Organisation.contacts))
        )
    } if ids else {}
    organisations = {mo.organisation_id: (mo.role, loaded.get(mo.organisation_id))
                     for mo in meeting.organisations}
    active = {oid: (role, org) for oid, (role, org) in organisations.items()
              if org is not None and org.archived_at is None}
    participants = sorted(org.name for role, org in active.values() if role == Role.PARTICIPANT)
    observers = sorted(org.name for role, org in active.values() if role == Role.OBSERVER)
    people: dict[tuple[str, str], Answer | None] = {}
    observer_people: dict[tuple[str, str], Answer | None] = {}
    organisations_yes: set[int] = set()
    observers_yes: set[int] = set()
    contacts = {oid: {(c.platform, c.user_id) for c in org.contacts} for oid, (_, org) in active.items()}
    for invitation in meeting.invitations:
        # Only people who still speak for an organisation still on the roster count.
        if (invitation.platform, invitation.user_id) not in contacts.get(invitation.organisation_id, ()):
            continue
        role = active[invitation.organisation_id][0]
        key = (invitation.platform, invitation.user_id)
        bucket = observer_people if role == Role.OBSERVER else people
        # A person speaking for two organisations counts once, with their answer.
        bucket[key] = invitation.answer or bucket.get(key)
        if invitation.answer == Answer.YES:
            (observers_yes if role == Role.OBSERVER else organisations_yes).add(invitation.organisation_id)
    answers = list(people.values())
    tally = Tally(
        yes=answers.count(Answer.YES),
        no=answers.count(Answer.NO),
        maybe=answers.count(Answer.MAYBE),
        waiting=answers.count(None),
        organisations_yes=len(organisations_yes),
        organisations_invited=len(participants),
        observers_yes=len(observers_yes),
        observers_invited=len(observers),
    )
    agenda = tuple(
        (topic.number, topic.title)
        for topic in session.scalars(
            select(Topic)
            .join(MeetingTopic, MeetingTopic.topic_id == Topic.id)
            .where(MeetingTopic.meeting_id == meeting.id)
            .order_by(MeetingTopic.position)
        )
    )
    talks = tuple(
        Talk(talk.speaker,
             session.get(Organisation, talk.organisation_id).name if talk.organisation_id else None,
             talk.subject, talk.minutes)
        for talk in session.scalars(
            select(MeetingTalk).where(MeetingTalk.meeting_id == meeting.id).order_by(MeetingTalk.position)
        )
    )
    return MeetingCard(
        number=meeting.number,
        title=meeting.title,
        kind=meeting.kind.value,
        state=meeting.state.value,
        starts_at=meeting.starts_at,
        duration_minutes=meeting.duration_minutes,
        video_link=meeting.video_link,
        agenda=agenda,
        participants=tuple(participants),
        observers=tuple(observers),
        tally=tally,
        invite_at=meeting.invite_at,
        talks=talks,
        calendar_token=meeting.calendar_token,
    )
