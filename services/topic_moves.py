"""A topic's moves, in one place: onto a meeting's agenda, back to the backlog, discussed, declined.

Each move changes the topic's state and plans a message to its proposer; that message ("your
topic moved", `TopicChanged`) is composed here when it is sent, for every kind of move, and is
skipped if the move has since been undone. Topics, the agenda, cancelling and the minutes call
these methods rather than setting a topic's state themselves.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.clock import Clock
from services.deliveries import Deliveries
from services.meetings.cards import meeting_card
from services.meetings.common import TOPIC_DISCUSSED, TOPIC_SCHEDULED, TOPIC_UNSCHEDULED
from services.meetings.history import refresh_copies
from services.meetings.queries import agenda_links
from services.messages import TopicChanged
from services.people import Destination, PersonRef
from services.topics import DECLINED, card_of
from storage.models import Delivery, Meeting, MeetingState, MeetingTopic, Topic, TopicState

# Every kind of message telling a proposer their topic moved.
MOVED = (TOPIC_SCHEDULED, TOPIC_UNSCHEDULED, TOPIC_DISCUSSED, DECLINED)


class TopicMoves:
    """Moves topics between the backlog, agendas and their outcomes, and tells their proposers."""

    def __init__(self, clock: Clock, deliveries: Deliveries) -> None:
        self._clock = clock
        self._deliveries = deliveries
        for kind in MOVED:
            deliveries.register(kind, self._compose)

    def put_on_agenda(self, session: Session, meeting: Meeting, topic: Topic) -> None:
        """Add `topic` at the end of `meeting`'s agenda; it is scheduled now."""
        position = len(agenda_links(session, meeting))
        session.add(MeetingTopic(meeting_id=meeting.id, topic_id=topic.id, position=position))
        topic.state = TopicState.SCHEDULED
        topic.updated_at = self._clock.now()
        session.flush()
        self._tell_proposer(session, meeting, topic, TOPIC_SCHEDULED)

    def back_to_backlog(self, session: Session, meeting: Meeting, topic: Topic) -> None:
        """A scheduled topic goes back among the proposals (taken off `meeting`'s agenda, the meeting
        cancelled, or not reached); a topic in any other state is left as it is."""
        if topic.state != TopicState.SCHEDULED:
            return
        topic.state = TopicState.PROPOSED
        topic.updated_at = self._clock.now()
        self._tell_proposer(session, meeting, topic, TOPIC_UNSCHEDULED)

    def discussed(self, session: Session, meeting: Meeting, topic: Topic) -> None:
        """`meeting`'s minutes say `topic` was discussed (told once, however often they are corrected)."""
        if topic.state == TopicState.DISCUSSED:
            return
        topic.state = TopicState.DISCUSSED
        topic.updated_at = self._clock.now()
        self._tell_proposer(session, meeting, topic, TOPIC_DISCUSSED)

    def decline(self, session: Session, topic: Topic, reason: str) -> None:
        """Decline `topic` with `reason`: it leaves the agendas of meetings still ahead (their posts
        re-render) and its proposer is told why."""
        now = self._clock.now()
        topic.state = TopicState.DECLINED
        topic.state_reason = reason
        topic.updated_at = now
        self._withdraw_from_upcoming(session, topic, now)
        self._deliveries.plan(
            session, workspace_id=topic.workspace_id, kind=DECLINED, key=f"topic:{topic.id}:declined",
            destination=Destination.person(PersonRef(topic.proposer_platform, topic.proposer_user_id)),
            due_at=now, topic_id=topic.id,
        )

    def _withdraw_from_upcoming(self, session: Session, topic: Topic, now: datetime) -> None:
        links = session.execute(
            select(MeetingTopic, Meeting.id)
            .join(Meeting, Meeting.id == MeetingTopic.meeting_id)
            .where(MeetingTopic.topic_id == topic.id, Meeting.starts_at > now,
                   Meeting.state == MeetingState.SCHEDULED)
        ).all()
        for link, meeting_id in links:
            session.delete(link)
            # The agenda changed: the channel post and each person's invitation show it.
            refresh_copies(session, self._deliveries, meeting_id)

    def _tell_proposer(self, session: Session, meeting: Meeting, topic: Topic, kind: str) -> None:
        # Each move is news of its own: on, off and on again is told three times.
        self._deliveries.plan(
            session, workspace_id=meeting.workspace_id, kind=kind,
            key=f"topic:{topic.id}:{kind}:{meeting.id}:{self._clock.now():%Y%m%dT%H%M%S%f}",
            destination=Destination.person(PersonRef(topic.proposer_platform, topic.proposer_user_id)),
            due_at=self._clock.now(), topic_id=topic.id, meeting_id=meeting.id,
        )

    def _compose(self, session: Session, delivery: Delivery) -> TopicChanged | None:
        """The proposer's message, if the move still holds now that it is being sent."""
        topic = session.get(Topic, delivery.topic_id) if delivery.topic_id else None
        if topic is None:
            return None
        if delivery.kind == DECLINED:
            if topic.state != TopicState.DECLINED:
                return None
            return TopicChanged(card_of(session, topic), "declined")
        meeting = session.get(Meeting, delivery.meeting_id) if delivery.meeting_id else None
        if meeting is None:
            return None
        if delivery.kind == TOPIC_SCHEDULED:
            # Only if it is still on that agenda, of a meeting still happening.
            on_agenda = any(link.topic_id == topic.id for link in agenda_links(session, meeting))
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
        return TopicChanged(card_of(session, topic), change, meeting_card(session, meeting))
