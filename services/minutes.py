"""Minutes (referat): the record that closes the loop after a meeting.

Recording minutes marks the meeting held, records who attended, marks discussed topics (their
proposers are told), sends the minutes on (services/minutes_review.py: to the invitation's thread
in the channel and to everyone invited, first as a draft for comments when there is a review
period), and reminds each follow-up point's owner on its due date: an organisation's contacts (an
agency is an observer organisation), or, for a point the city owns, the coordinators, who follow up
for the city. A point not done by then is reminded; one marked done is not. A correction keeps the
status of every point it keeps (by its description).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import cast
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from services.action_items import carrying, item_rows, previous_points
from services.clock import Clock
from services.deliveries import Deliveries
from services.errors import DomainError, Field, FieldRef, InvalidInput, raise_field_errors
from services.i18n import N_, Command, Hint, Text, text
from services.meetings import INVITE, meeting_card
from services.meetings.history import refresh_copies
from services.messages import ActionItemDue, ActionItemView, MeetingCard, MinutesPosted, MinutesView
from services.minutes_archive import ArchivedMinutes, archive_of
from services.minutes_review import DRAFT, POSTED, MinutesReview
from services.people import Actor, Channels, Destination, DestinationKind, MessageRef, PersonRef
from services.roster import find_organisation
from services.topic_moves import TopicMoves
from services.workspaces import Workspaces, audit, coordinators_of, is_coordinator, require_coordinator
from storage.models import (
    ActionItem,
    Answer,
    Delivery,
    DeliveryState,
    FollowUpStatus,
    Meeting,
    MeetingState,
    MeetingTopic,
    Minutes,
    MinutesState,
    Organisation,
    Tier,
    Topic,
    TopicState,
    Workspace,
)

ACTION_DUE = "action_item_due"
SUMMARY_MIN, TEXT_MAX = 10, 3000
ITEMS_MAX = 10
# Follow-up reminders arrive at the start of the working day, local time.
REMIND_AT = time(9, 0)
_SPACES = re.compile(r"[ \t]+")


@dataclass(frozen=True)
class TheCity:
    """The city (its political leadership and administration) as the owner of a follow-up point."""


THE_CITY = TheCity()


@dataclass(frozen=True)
class ActionItemInput:
    """A follow-up point as entered: owner is an organisation's name (an agency's too), or the city."""

    description: str
    owner: str | TheCity
    due_on: date | None


@dataclass(frozen=True)
class MinutesForm:
    """What the minutes form starts from."""

    meeting: MeetingCard
    people_attending: tuple[PersonRef, ...]  # yes-answers, or the attendance already recorded
    organisations: tuple[str, ...]  # civil society's, who may own a follow-up point
    agencies: tuple[str, ...]  # the public agencies' (observer organisations), who may too
    summary: str
    decisions: str
    action_items: tuple[ActionItemView, ...]
    # "Follow-up from last time": the points of the meeting held before this one, with status.
    follow_up_before: tuple[ActionItemView, ...] = ()


@dataclass(frozen=True)
class MinutesRecorded:
    """Minutes recorded (or corrected), and how many people they are on their way to (everyone
    invited, as a draft or final; the channel besides)."""

    minutes: MinutesView
    readers: int


def refresh_follow_up(session: Session, deliveries: Deliveries, meeting: Meeting) -> None:
    """Have every copy that shows `meeting`'s follow-up points re-rendered where it was posted: its
    minutes (final and draft, in the channel's thread and each reader's DM), the due-date reminders,
    and every invitation (the channel's and each DM) of the meeting(s) carrying them as "Follow-up
    from last time"."""
    deliveries.refresh(session, meeting_id=meeting.id, kinds=(POSTED, DRAFT, ACTION_DUE))
    for later in carrying(session, meeting):
        deliveries.refresh(session, meeting_id=later, kinds=(INVITE,))


class MinutesService:
    """Use cases around minutes; coordinators only."""

    def __init__(self, sessions: sessionmaker[Session], clock: Clock, workspaces: Workspaces,
                 deliveries: Deliveries, moves: TopicMoves, channels: Channels,
                 zone: ZoneInfo, *, review: timedelta | None = None, language: str = "en") -> None:
        self._sessions = sessions
        self._clock = clock
        self._workspaces = workspaces
        self._deliveries = deliveries
        self._moves = moves
        self._channels = channels
        self._zone = zone
        self._language = language
        # Drafts, comments and making minutes final.
        self.review = MinutesReview(sessions, clock, workspaces, deliveries, channels, review)
        deliveries.register(POSTED, self._compose_posted)
        deliveries.register(DRAFT, self._compose_posted)
        deliveries.register(ACTION_DUE, self._compose_due)

    def form(self, actor: Actor, number: int) -> MinutesForm:
        """The starting point for writing (or correcting) a meeting's minutes."""
        with self._sessions.begin() as session:
            workspace = self._workspaces.get(session, actor.workspace)
            require_coordinator(session, workspace, actor.person)
            meeting = self._held_or_happening(session, workspace.id, number)
            minutes = session.scalar(select(Minutes).where(Minutes.meeting_id == meeting.id))
            recorded = any(i.attended is not None for i in meeting.invitations)
            attending = tuple(dict.fromkeys(
                PersonRef(i.platform, i.user_id) for i in meeting.invitations
                if (i.attended if recorded else i.answer == Answer.YES)
            ))
            organisations = session.execute(
                select(Organisation.name, Organisation.tier)
                .where(Organisation.workspace_id == workspace.id, Organisation.archived_at.is_(None))
                .order_by(Organisation.name_key)
            ).all()
            return MinutesForm(
                meeting=meeting_card(session, meeting),
                people_attending=attending,
                organisations=tuple(name for name, tier in organisations if tier != Tier.OBSERVER),
                agencies=tuple(name for name, tier in organisations if tier == Tier.OBSERVER),
                summary=minutes.summary if minutes else "",
                decisions=minutes.decisions if minutes else "",
                action_items=tuple(_items(session, meeting.id)),
                follow_up_before=previous_points(session, meeting),
            )

    def archive(self, actor: Actor, number: int) -> ArchivedMinutes:
        """Everything the case archive keeps of a meeting's minutes (coordinators), in the
        workspace's language, for a platform-neutral document (PDF, DOCX)."""
        with self._sessions.begin() as session:
            meeting, minutes = self._on_file(session, actor, number)
            return archive_of(session, meeting, minutes, _view(session, meeting, minutes),
                              self._zone, self._language)

    def archivable(self, actor: Actor, number: int) -> int:
        """Check that `actor` (a coordinator) may download meeting `number`'s minutes for the case
        archive, and that there are minutes; returns the meeting's number."""
        with self._sessions.begin() as session:
            meeting, _ = self._on_file(session, actor, number)
            return meeting.number

    def _on_file(self, session: Session, actor: Actor, number: int) -> tuple[Meeting, Minutes]:
        workspace = self._workspaces.get(session, actor.workspace)
        require_coordinator(session, workspace, actor.person)
        meeting = session.scalar(select(Meeting).where(Meeting.workspace_id == workspace.id,
                                                       Meeting.number == number))
        minutes = (session.scalar(select(Minutes).where(Minutes.meeting_id == meeting.id))
                   if meeting else None)
        if meeting is None or minutes is None:
            raise InvalidInput(text(N_("Meeting {number} has no minutes yet."), number=number))
        return meeting, minutes

    def record(
        self,
        actor: Actor,
        number: int,
        *,
        summary: str,
        decisions: str = "",
        action_items: Sequence[ActionItemInput] = (),
        attendees: Sequence[PersonRef] = (),
        discussed: Sequence[int] = (),
    ) -> MinutesRecorded:
        """Record (or correct) the minutes and send them to the channel thread and everyone invited."""
        summary, decisions = summary.strip(), decisions.strip()
        # Every field's problem is collected and reported together, the follow-up points' too.
        errors: dict[FieldRef | Field, Text] = {}
        if not SUMMARY_MIN <= len(summary) <= TEXT_MAX:
            errors[Field.SUMMARY] = text(N_("Write a summary of {min} to {max} characters."),
                                         min=SUMMARY_MIN, max=TEXT_MAX)
        if len(decisions) > TEXT_MAX:
            errors[Field.DECISIONS] = text(N_("Keep the main points to {max} characters."), max=TEXT_MAX)
        if len(action_items) > ITEMS_MAX:
            raise InvalidInput(text(N_("At most {max} follow-up points."), max=ITEMS_MAX),
                               field=Field.ACTION_ITEMS)
        now = self._clock.now()
        with self._sessions.begin() as session:
            workspace = self._workspaces.lock(session, actor.workspace)
            require_coordinator(session, workspace, actor.person)
            meeting = self._held_or_happening(session, workspace.id, number, lock=True)
            owners: list[tuple[str, Organisation | None, date]] = []
            for position, item in enumerate(action_items, start=1):
                description = _SPACES.sub(" ", item.description).strip()
                field = FieldRef(Field.ACTION_ITEM, position)
                if not 3 <= len(description) <= 500:
                    errors[field] = text(
                        N_("Follow-up point {position} needs a description of 3 to 500 characters."),
                        position=position)
                elif not isinstance(item.owner, TheCity) and not item.owner.strip():
                    errors[field] = text(
                        N_("Follow-up point {position} needs an owner: the city or an organisation."),
                        position=position)
                elif item.due_on is None or item.due_on < meeting.starts_at.astimezone(self._zone).date():
                    errors[field] = text(
                        N_("Follow-up point {position} needs a due date on or after the meeting."),
                        position=position)
                if errors:
                    continue
                try:
                    owner = (None if isinstance(item.owner, TheCity)
                             else find_organisation(session, workspace, item.owner))
                except DomainError as error:
                    errors[field] = error.message
                    continue
                owners.append((description, owner, cast(date, item.due_on)))
            raise_field_errors(errors)
            minutes = session.scalar(select(Minutes).where(Minutes.meeting_id == meeting.id))
            new = minutes is None
            if minutes is None:
                minutes = Minutes(meeting_id=meeting.id, summary=summary, decisions=decisions, version=1,
                                  written_by_platform=actor.person.platform,
                                  written_by_user_id=actor.person.user_id, written_at=now)
                session.add(minutes)
            else:
                minutes.summary, minutes.decisions = summary, decisions
                minutes.version += 1
                minutes.written_at = now
            if meeting.state != MeetingState.HELD:
                # Held now: the invitations everywhere lose their answer buttons.
                refresh_copies(session, self._deliveries, meeting.id)
            meeting.state = MeetingState.HELD
            meeting.updated_at = now
            present = {(p.platform, p.user_id) for p in attendees}
            for invitation in meeting.invitations:
                invitation.attended = (invitation.platform, invitation.user_id) in present
            self._mark_topics(session, meeting, set(discussed))
            self._store_items(session, workspace, meeting, owners)
            readers = self.review.publish(session, meeting, minutes, new=new)
            # The next meeting's invitations, already out, now carry these points (or the corrected ones).
            refresh_follow_up(session, self._deliveries, meeting)
            audit(session, workspace, actor, "meeting.minutes", f"meeting {meeting.number}", self._clock,
                  version=minutes.version, attendees=len(present))
            recorded = MinutesRecorded(_view(session, meeting, minutes), readers)
        self._deliveries.wake()
        return recorded

    # -- helpers ---------------------------------------------------------------------------

    def _held_or_happening(self, session: Session, workspace_id: int, number: int, *,
                           lock: bool = False) -> Meeting:
        query = select(Meeting).where(Meeting.workspace_id == workspace_id, Meeting.number == number)
        meeting = session.scalar(query.with_for_update() if lock else query)
        if meeting is None:
            raise InvalidInput(
                text(N_("There is no meeting {number}. {meetings} lists the upcoming ones."),
                     number=number, meetings=Hint(Command.MEETINGS)), field=Field.SUMMARY)
        if meeting.state == MeetingState.CANCELLED:
            raise InvalidInput(text(N_("Meeting {number} has been cancelled."), number=number),
                               field=Field.SUMMARY)
        if self._clock.now() < meeting.starts_at:
            raise InvalidInput(
                text(N_("Meeting {number} has not happened yet; write its minutes once it has started."),
                     number=number), field=Field.SUMMARY)
        return meeting

    def _mark_topics(self, session: Session, meeting: Meeting, discussed: set[int]) -> None:
        for topic in session.scalars(
            select(Topic).join(MeetingTopic, MeetingTopic.topic_id == Topic.id)
            .where(MeetingTopic.meeting_id == meeting.id)
        ):
            if topic.number in discussed:
                self._moves.discussed(session, meeting, topic)
            else:
                # On the agenda but not reached: back among the proposals, for a later meeting.
                self._moves.back_to_backlog(session, meeting, topic)

    def _store_items(self, session: Session, workspace: Workspace, meeting: Meeting,
                     owners: list[tuple[str, Organisation | None, date]]) -> None:
        """Store the follow-up points and plan their reminders. A point kept by a correction (the
        same description) keeps its row and its status; its reminders not sent yet are planned anew."""
        now = self._clock.now()
        existing = {_fold(item.description): item for item in session.scalars(
            select(ActionItem).where(ActionItem.meeting_id == meeting.id))}
        for position, (description, owner, due_on) in enumerate(owners, start=1):
            item = existing.pop(_fold(description), None)
            if item is None:
                item = ActionItem(meeting_id=meeting.id, position=position, description=description,
                                  owner_organisation_id=owner.id if owner else None, due_on=due_on)
                session.add(item)
                session.flush()
            else:
                item.position, item.description, item.due_on = position, description, due_on
                item.owner_organisation_id = owner.id if owner else None
                session.execute(delete(Delivery).where(Delivery.action_item_id == item.id,
                                                       Delivery.state == DeliveryState.PENDING))
            due_at = datetime.combine(due_on, REMIND_AT, tzinfo=self._zone)
            reminded_before = session.scalar(select(Delivery.id).where(
                Delivery.action_item_id == item.id, Delivery.state == DeliveryState.SENT))
            if due_at <= now and reminded_before is not None:
                continue  # reminded on that day already; a correction does not remind again
            # The city's points are followed up by its coordinators, in the workspace's language.
            reminded = ([Destination.person(PersonRef(c.platform, c.user_id), owner.language)
                         for c in owner.contacts] if owner is not None
                        else [Destination.person(p) for p in coordinators_of(session, workspace)])
            for destination in reminded:
                self._deliveries.plan(
                    session, workspace_id=workspace.id, kind=ACTION_DUE,
                    key=f"action:{item.id}:{due_on.isoformat()}",
                    destination=destination, due_at=max(due_at, now), meeting_id=meeting.id,
                    action_item_id=item.id,
                )
        for gone in existing.values():
            session.delete(gone)
        session.flush()

    def _compose_posted(self, session: Session, delivery: Delivery) -> MinutesPosted | None:
        meeting = session.get(Meeting, delivery.meeting_id) if delivery.meeting_id else None
        minutes = session.scalar(select(Minutes).where(Minutes.meeting_id == delivery.meeting_id))
        if meeting is None or minutes is None:
            return None
        draft = delivery.kind == DRAFT
        if draft and minutes.state != MinutesState.DRAFT and delivery.state != DeliveryState.SENT:
            return None  # final before its draft went out: the final minutes follow instead
        workspace = session.get(Workspace, meeting.workspace_id)
        archive = not draft and (delivery.dest_kind == DestinationKind.CHANNEL or (
            workspace is not None
            and is_coordinator(session, workspace, PersonRef(delivery.dest_platform, delivery.dest_id))))
        reply_to = None
        if delivery.dest_kind == DestinationKind.CHANNEL:
            invitation = session.scalar(
                select(Delivery).where(Delivery.meeting_id == meeting.id, Delivery.kind == INVITE,
                                       Delivery.dest_kind == DestinationKind.CHANNEL,
                                       Delivery.message_ref.is_not(None))
            )
            if invitation is not None and invitation.message_ref:
                reply_to = MessageRef(invitation.message_ref)
        return MinutesPosted(_view(session, meeting, minutes), reply_to, draft=draft, archive=archive)

    def _compose_due(self, session: Session, delivery: Delivery) -> ActionItemDue | None:
        item = session.get(ActionItem, delivery.action_item_id) if delivery.action_item_id else None
        if item is None:
            return None
        meeting = session.get(Meeting, item.meeting_id)
        if meeting is None:
            return None
        if item.status == FollowUpStatus.DONE and delivery.state != DeliveryState.SENT:
            return None  # done already: nothing to remind of
        [view] = [v for i, v in item_rows(session, meeting.id) if i == item.id]
        return ActionItemDue(view, meeting.number, meeting.title)


def _fold(description: str) -> str:
    return " ".join(description.split()).casefold()


def _items(session: Session, meeting_id: int) -> list[ActionItemView]:
    return [view for _, view in item_rows(session, meeting_id)]


def _view(session: Session, meeting: Meeting, minutes: Minutes) -> MinutesView:
    present = [i for i in meeting.invitations if i.attended]
    names = sorted({
        org.name for org in (session.get(Organisation, i.organisation_id) for i in present) if org is not None
    })
    discussed = tuple(
        (topic.number, topic.title)
        for topic in session.scalars(
            select(Topic).join(MeetingTopic, MeetingTopic.topic_id == Topic.id)
            .where(MeetingTopic.meeting_id == meeting.id, Topic.state == TopicState.DISCUSSED)
            .order_by(MeetingTopic.position)
        )
    )
    return MinutesView(
        meeting=meeting_card(session, meeting),
        summary=minutes.summary,
        decisions=minutes.decisions,
        action_items=tuple(_items(session, meeting.id)),
        attendees=len({(i.platform, i.user_id) for i in present}),
        attending_organisations=tuple(names),
        discussed=discussed,
        version=minutes.version,
        state=minutes.state,
        review_until=minutes.review_until,
    )
