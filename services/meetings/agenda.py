"""A meeting's agenda: its topics (moved through `TopicMoves`) and up to two opening talks, whose
speakers, when picked as people, are told (`Speakers`)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from services.errors import Conflict, Field, FieldRef, InvalidInput, raise_field_errors
from services.i18n import N_, Text, text
from services.meetings.cards import meeting_card
from services.meetings.common import OPEN_FLOOR_MIN, SPACES, TALK_MINUTES_MAX, TALKS_MAX, ChangeField
from services.meetings.history import record_change
from services.meetings.outcomes import AgendaForm, AgendaOutcome
from services.meetings.queries import agenda_links
from services.meetings.speakers import Speakers, talks_by_speaker
from services.messages import Talk
from services.people import Actor
from services.roster import find_organisation
from services.workspaces import audit
from storage.models import Meeting, MeetingState, MeetingTalk, MeetingTopic, Organisation, Topic, TopicState


class Agenda(Speakers):
    """Use cases around a meeting's agenda; coordinators only."""

    def add_topic(self, actor: Actor, number: int, topic_number: int) -> AgendaOutcome:
        """Put a backlog topic on a meeting's agenda; its proposer is told."""
        now = self._clock.now()
        with self._sessions.begin() as session:
            workspace, meeting = self._upcoming_for_coordinator(session, actor, number, now)
            topic = self._open_topic(session, workspace, topic_number)
            self._not_elsewhere(session, meeting, topic)
            if any(link.topic_id == topic.id for link in agenda_links(session, meeting)):
                raise Conflict(
                    text(N_("Topic {topic} is already on the agenda of meeting {number}."),
                         topic=topic_number, number=number),
                    field=Field.TOPICS,
                )
            self._moves.put_on_agenda(session, meeting, topic)
            record_change(session, self._deliveries, meeting, [ChangeField.AGENDA], actor.person, now)
            audit(session, workspace, actor, "meeting.agenda", f"meeting {meeting.number}", self._clock,
                  topic=topic_number)
            card = meeting_card(session, meeting)
        self._deliveries.wake()
        return AgendaOutcome(card, None, self._insights(actor, number))

    def set_agenda(self, actor: Actor, number: int, *, topic_numbers: Sequence[int],
                   talks: Sequence[Talk]) -> AgendaOutcome:
        """Set a meeting's topics and up to two talks; warns when little is left for the open floor."""
        talks = [Talk(SPACES.sub(" ", t.speaker).strip(), t.organisation,
                      SPACES.sub(" ", t.subject).strip(), t.minutes, t.person) for t in talks]
        now = self._clock.now()
        with self._sessions.begin() as session:
            workspace, meeting = self._upcoming_for_coordinator(session, actor, number, now)
            self._validate_talks(talks, meeting.duration_minutes)
            was = meeting_card(session, meeting)
            wanted = [self._open_topic(session, workspace, n) for n in dict.fromkeys(topic_numbers)]
            for topic in wanted:
                self._not_elsewhere(session, meeting, topic)
            for link in agenda_links(session, meeting):
                if link.topic_id not in {t.id for t in wanted}:
                    session.delete(link)
                    topic = session.get(Topic, link.topic_id)
                    if topic is not None:
                        self._moves.back_to_backlog(session, meeting, topic)
            session.flush()
            present = {link.topic_id for link in agenda_links(session, meeting)}
            for topic in wanted:
                if topic.id not in present:
                    self._moves.put_on_agenda(session, meeting, topic)
            speakers_before = talks_by_speaker(session, meeting.id)
            session.execute(delete(MeetingTalk).where(MeetingTalk.meeting_id == meeting.id))
            for position, talk in enumerate(talks, start=1):
                organisation = (find_organisation(session, workspace, talk.organisation)
                                if talk.organisation else None)
                session.add(MeetingTalk(meeting_id=meeting.id, position=position, speaker=talk.speaker,
                                        organisation_id=organisation.id if organisation else None,
                                        subject=talk.subject, minutes=talk.minutes,
                                        speaker_platform=talk.person.platform if talk.person else None,
                                        speaker_user_id=talk.person.user_id if talk.person else None))
            session.flush()
            self._tell_speakers(session, meeting, speakers_before)
            card = meeting_card(session, meeting)
            if (card.agenda, card.talks) != (was.agenda, was.talks):
                record_change(session, self._deliveries, meeting, [ChangeField.AGENDA], actor.person, now)
                card = meeting_card(session, meeting)
            audit(session, workspace, actor, "meeting.agenda", f"meeting {meeting.number}", self._clock,
                  topics=list(topic_numbers), talks=len(talks))
        self._deliveries.wake()
        warning = None
        if card.open_floor_minutes < OPEN_FLOOR_MIN:
            warning = text(N_("The talks leave only {minutes} minutes for the open floor."),
                           minutes=card.open_floor_minutes)
        return AgendaOutcome(card, warning, self._insights(actor, number))

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
        """Refuse talks out of bounds, each talk's problem under its own field and row (n from 1 in
        the order given), all at once."""
        if len(talks) > TALKS_MAX:
            raise InvalidInput(text(N_("A meeting opens with at most {max} talks."), max=TALKS_MAX),
                               field=Field.TALKS)
        errors: dict[FieldRef | Field, Text] = {}
        for position, talk in enumerate(talks, start=1):
            # A speaker picked as a person needs no name; a name typed, with or without one, is checked.
            named = talk.person is not None and not talk.speaker
            if not (named or 2 <= len(talk.speaker) <= 120) or not 3 <= len(talk.subject) <= 150:
                errors[FieldRef(Field.TALK, position)] = text(
                    N_("Each talk needs a speaker (a person, or a name of 2 to 120 characters) and a "
                       "subject (3 to 150)."))
            if not 1 <= talk.minutes <= TALK_MINUTES_MAX:
                errors[FieldRef(Field.TALK_MINUTES, position)] = text(
                    N_("A talk lasts 1 to {max} minutes."), max=TALK_MINUTES_MAX)
        total = sum(talk.minutes for talk in talks)
        if total > duration and not errors:
            errors[Field.TALKS] = text(
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
                field=Field.TOPICS,
            )
