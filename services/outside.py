"""Use cases of people outside chat: e-mail contacts on the bot's own pages.

Someone whose only contact with the dialogue is an e-mail address answers an invitation from a
link, sees their own page (meetings, open topics, their organisation's follow-up points),
proposes and supports topics, asks for a fresh link to that page, and stops or restarts e-mail.
Every change goes through the same use cases as a click in chat (answers, topics, mailing), so
tallies, channel posts and announcements follow as they always do; the reads here change nothing
(mail scanners open every link in an e-mail).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from services.action_items import points_for
from services.clock import Clock
from services.deliveries import Deliveries, Planned
from services.errors import DomainError, Field, NotAllowed, NotFound
from services.i18n import N_, Text, text
from services.languages import Languages
from services.mailing import Mailing, MailOutcome, mail_person, normalise_address, unsubscribed
from services.meetings import Meetings, UpcomingMeeting
from services.meetings.cards import meeting_card
from services.meetings.outcomes import RsvpOutcome
from services.meetings.queries import invitations_of, no_such_meeting
from services.messages import ActionItemView, AnswerRecorded, MeetingCard, PersonalLink, TopicCard
from services.people import EMAIL, Actor, Destination, PersonRef, WorkspaceRef
from services.topics import SupportOutcome, Topics
from services.workspaces import organisations_of
from storage.models import (
    Answer,
    Contact,
    Delivery,
    Meeting,
    MeetingState,
    Organisation,
    Topic,
    TopicSupport,
    Workspace,
)

ANSWER_RECORDED = "answer_recorded"
PERSONAL_LINK = "personal_link"
LINK_INTERVAL = timedelta(minutes=10)
LINKS_A_DAY = 3
"""At most one link to one's page per address per this long (by the key's time window), whoever
asks for it: the form must not become a way to flood someone's inbox."""
TOPICS_SHOWN = 30


class AnswerState(StrEnum):
    """Whether a meeting still takes an answer from someone outside chat, and if not, why."""

    OPEN = "open"
    STARTED = "started"  # or over: an answer link is for before the meeting
    CANCELLED = "cancelled"
    NOT_INVITED = "not_invited"


@dataclass(frozen=True)
class AnswerView:
    """A meeting as an answer link shows it: the meeting, the person's answer now, and whether
    it still takes one."""

    meeting: MeetingCard
    answer: Answer | None
    state: AnswerState
    language: str


@dataclass(frozen=True)
class AnswerOutcome:
    """An answer recorded from outside chat: the meeting as it now stands, and whether a
    confirmation e-mail is on its way (not when the answer was already this one)."""

    view: AnswerView
    rsvp: RsvpOutcome
    confirmation_planned: bool


class AnswerRefused(DomainError):
    """The meeting no longer takes this person's answer (started, cancelled, not invited); `view`
    says which, for the page to show."""

    def __init__(self, message: Text, view: AnswerView) -> None:
        super().__init__(message, field=Field.MEETING)
        self.view = view


@dataclass(frozen=True)
class Overview:
    """A person's own page: what they are invited to, what is open, what their organisations
    follow up, and whether they receive e-mail."""

    organisations: tuple[str, ...]
    meetings: tuple[UpcomingMeeting, ...]
    topics: tuple[TopicCard, ...]
    supported: frozenset[int]
    follow_up: tuple[tuple[int, str, ActionItemView], ...]
    unsubscribed: bool
    language: str
    # The address the person is e-mailed at (a chat contact reached by e-mail: theirs on the roster).
    address: str = ""


@dataclass(frozen=True)
class MailStatus:
    """Whether a person receives e-mail, and the language to tell them in."""

    unsubscribed: bool
    language: str


class Outside:
    """What people outside chat do on the bot's own pages."""

    def __init__(self, sessions: sessionmaker[Session], clock: Clock, deliveries: Deliveries,
                 meetings: Meetings, topics: Topics, mailing: Mailing, languages: Languages) -> None:
        self._sessions = sessions
        self._clock = clock
        self._deliveries = deliveries
        self._meetings = meetings
        self._topics = topics
        self._mailing = mailing
        self._languages = languages
        deliveries.register(ANSWER_RECORDED, self._compose_answer)
        deliveries.register(PERSONAL_LINK, self._compose_link)
        # Asked for by the person themselves: sent even if they stopped e-mail (how else would
        # they reach the page that restarts it?).
        mailing.requested(PERSONAL_LINK)

    def language(self, actor: Actor) -> str:
        """The language to show `actor`'s pages in."""
        return self._languages.of(actor)

    def answer_view(self, actor: Actor, number: int) -> AnswerView:
        """Meeting `number` as `actor`'s answer link shows it; changes nothing."""
        now = self._clock.now()
        with self._sessions() as session:
            workspace = _existing_workspace(session, actor.workspace)
            meeting = session.scalar(select(Meeting).where(Meeting.workspace_id == workspace.id,
                                                           Meeting.number == number))
            if meeting is None or meeting.invite_at > now:
                # A draft is the coordinators' until its invitations go out.
                raise NotFound(no_such_meeting(number))
            mine = invitations_of(session, meeting.id, actor.person)
            if meeting.state == MeetingState.CANCELLED:
                state = AnswerState.CANCELLED
            elif not mine:
                state = AnswerState.NOT_INVITED
            elif meeting.state == MeetingState.HELD or now >= meeting.starts_at:
                state = AnswerState.STARTED
            else:
                state = AnswerState.OPEN
            return AnswerView(meeting_card(session, meeting), mine[0].answer if mine else None, state,
                              self._languages.setting_in(session, actor).language)

    def answer(self, actor: Actor, number: int, answer: Answer) -> AnswerOutcome:
        """Record `actor`'s answer as a chat click would (tally, channel post), and plan an e-mail
        confirming it when it changed; the same answer again records nothing new."""
        before = self.answer_view(actor, number)
        if before.state != AnswerState.OPEN:
            raise AnswerRefused(_refusal(before), before)
        rsvp = self._meetings.rsvp(actor, number, answer)
        planned = rsvp.previous != answer and self._confirm(actor, number, answer)
        if planned:
            self._deliveries.wake()
        return AnswerOutcome(self.answer_view(actor, number), rsvp, planned)

    def overview(self, actor: Actor) -> Overview:
        """`actor`'s own page; changes nothing."""
        with self._sessions() as session:
            workspace = _existing_workspace(session, actor.workspace)
            organisations = organisations_of(session, workspace, actor.person)
            follow_up = tuple(points_for(session, workspace.id, [o.id for o in organisations], city=False))
            supported = frozenset(session.scalars(
                select(Topic.number).join(TopicSupport, TopicSupport.topic_id == Topic.id).where(
                    Topic.workspace_id == workspace.id, TopicSupport.platform == actor.person.platform,
                    TopicSupport.user_id == actor.person.user_id)))
            unsubscribed = _unsubscribed(session, workspace.id, actor.person)
            mailbox = mail_person(session, workspace.id, actor.person)
            language = self._languages.setting_in(session, actor).language
        # Only meetings whose invitations are out: before that a meeting is the coordinators' draft.
        now = self._clock.now()
        meetings = tuple(m for m in self._meetings.upcoming(actor)
                         if m.invited and m.meeting.invite_at <= now)
        topics = tuple(self._topics.open_topics(actor)[:TOPICS_SHOWN])
        return Overview(tuple(o.name for o in organisations), meetings, topics, supported, follow_up,
                        unsubscribed, language, mailbox.user_id if mailbox else "")

    def propose(self, actor: Actor, title: str, details: str = "") -> TopicCard:
        """Propose a topic for `actor`'s organisation (its side: civil society, or a public agency
        for an observer); announced in the dialogue channel as any proposal is."""
        self._require_contact(actor)
        return self._topics.propose(actor, title, details)

    def support(self, actor: Actor, number: int) -> SupportOutcome:
        """Add `actor`'s support to topic `number`; twice counts once."""
        self._require_contact(actor)
        return self._topics.support(actor, number)

    def mail_status(self, actor: Actor) -> MailStatus:
        """Whether `actor` receives e-mail; changes nothing."""
        with self._sessions() as session:
            workspace = _existing_workspace(session, actor.workspace)
            return MailStatus(_unsubscribed(session, workspace.id, actor.person),
                              self._languages.setting_in(session, actor).language)

    def stop(self, actor: Actor) -> MailOutcome:
        """Send `actor` no more e-mail (they stay a contact)."""
        return self._mailing.unsubscribe(actor)

    def resume(self, actor: Actor) -> MailOutcome:
        """Send `actor` e-mail again."""
        return self._mailing.resubscribe(actor)

    def request_link(self, address: str) -> None:
        """Send a link to their own page to `address`, in every workspace where it is an e-mail
        contact, at most once per LINK_INTERVAL and LINKS_A_DAY times a day. Says nothing of
        whether it is one: the same answer for every well-formed address, so nobody learns who is
        on the roster."""
        address = normalise_address(address, field=Field.CONTACT)
        now = self._clock.now()
        window = int(now.timestamp() // LINK_INTERVAL.total_seconds())
        destination = Destination.person(PersonRef(EMAIL, address))
        added = 0
        with self._sessions.begin() as session:
            workspaces = session.scalars(
                select(Organisation.workspace_id).distinct()
                .join(Contact, Contact.organisation_id == Organisation.id)
                .where(Organisation.archived_at.is_(None), Contact.platform == EMAIL,
                       Contact.user_id == address)
            ).all()
            for workspace_id in workspaces:
                # However the requests are spaced, at most LINKS_A_DAY a day: a page that mails links
                # must not become a way to flood an inbox (someone's who stopped e-mail least of all).
                sent_lately = session.scalar(select(func.count(Delivery.id)).where(
                    Delivery.workspace_id == workspace_id, Delivery.kind == PERSONAL_LINK,
                    Delivery.dest_platform == EMAIL, Delivery.dest_id == address,
                    Delivery.created_at > now - timedelta(days=1))) or 0
                if sent_lately >= LINKS_A_DAY:
                    continue
                # The time window in the key: the engine keeps one row per key, so a second request
                # within it plans nothing.
                added += self._deliveries.plan_many(session, workspace_id=workspace_id, planned=[
                    Planned(PERSONAL_LINK, f"personal-link:{window}", destination, now)])
        if added:
            self._deliveries.wake()

    def _require_contact(self, actor: Actor) -> None:
        with self._sessions() as session:
            workspace = _existing_workspace(session, actor.workspace)
            if not organisations_of(session, workspace, actor.person):
                raise NotAllowed(text(N_("This address is no longer a contact of any organisation on "
                                         "the roster, so it cannot propose or support topics. Ask a "
                                         "coordinator if that is a mistake.")))

    def _confirm(self, actor: Actor, number: int, answer: Answer) -> bool:
        """Plan the e-mail confirming `answer`, once per change of answer (its time is in the key):
        a replayed form, or the same answer twice, sends nothing more."""
        with self._sessions.begin() as session:
            workspace = _existing_workspace(session, actor.workspace)
            meeting = session.scalar(select(Meeting).where(Meeting.workspace_id == workspace.id,
                                                           Meeting.number == number))
            mine = invitations_of(session, meeting.id, actor.person) if meeting else []
            if meeting is None or not mine or mine[0].answer != answer or mine[0].answered_at is None:
                return False  # changed again meanwhile: that change confirms itself
            if _unsubscribed(session, workspace.id, actor.person) or actor.person.platform != EMAIL:
                # They asked for no e-mail, or are a chat contact whom an e-mail reached instead
                # (their confirmation would go to chat, which refused them): the page confirms.
                return False
            stamp = int(mine[0].answered_at.timestamp() * 1000)
            try:
                # A savepoint: the same change confirmed by a concurrent replay plans one row.
                with session.begin_nested():
                    added = self._deliveries.plan_many(session, workspace_id=workspace.id, planned=[Planned(
                        ANSWER_RECORDED, f"answer-recorded:{meeting.id}:{answer.value}:{stamp}",
                        Destination.person(actor.person), self._clock.now(), meeting_id=meeting.id,
                        organisation_id=mine[0].organisation_id)])
            except IntegrityError:
                added = 0
            return added > 0

    def _compose_answer(self, session: Session, delivery: Delivery) -> AnswerRecorded | None:
        parts = delivery.dedupe_key.split(":")
        meeting = session.get(Meeting, delivery.meeting_id) if delivery.meeting_id else None
        if meeting is None or len(parts) < 3 or parts[2] not in Answer._value2member_map_:
            return None
        answer = Answer(parts[2])
        mine = invitations_of(session, meeting.id, PersonRef(delivery.dest_platform, delivery.dest_id))
        if meeting.state == MeetingState.CANCELLED or not mine or mine[0].answer != answer:
            return None  # answered otherwise since: that answer's own confirmation follows
        return AnswerRecorded(meeting_card(session, meeting), answer)

    def _compose_link(self, session: Session, delivery: Delivery) -> PersonalLink | None:
        workspace = session.get(Workspace, delivery.workspace_id)
        if workspace is None:
            return None
        organisations = organisations_of(session, workspace,
                                         PersonRef(delivery.dest_platform, delivery.dest_id))
        if not organisations:
            return None  # taken off the roster since they asked
        return PersonalLink(tuple(o.name for o in organisations))


def _refusal(view: AnswerView) -> Text:
    number = view.meeting.number
    if view.state == AnswerState.CANCELLED:
        return text(N_("Meeting {number} has been cancelled."), number=number)
    if view.state == AnswerState.NOT_INVITED:
        return text(N_("You are not on the invitation list for meeting {number}. If your "
                       "organisation should take part, ask a coordinator to invite it."), number=number)
    return text(N_("Meeting {number} has started; answers from the link are closed."), number=number)


def _existing_workspace(session: Session, ref: WorkspaceRef) -> Workspace:
    """The workspace of a signed link, read only (a page view must not create one)."""
    found = session.scalar(select(Workspace).where(Workspace.platform == ref.platform,
                                                   Workspace.external_id == ref.external_id))
    if found is None:
        raise NotFound(text(N_("This link does not lead anywhere any more.")))
    return found


def _unsubscribed(session: Session, workspace_id: int, person: PersonRef) -> bool:
    return unsubscribed(session, workspace_id, person)
