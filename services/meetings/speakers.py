"""Speakers who are people: told about their talk, and told again when it changes or is removed.

A talk's speaker is a name as typed, or a person picked on the platform (then the name may be left
empty). Each time the agenda is saved, every picked speaker whose talks at the meeting differ from
before (new, another subject or length, moved to another organisation, removed) gets a message.
It is composed when it is sent, from the agenda as it is then: a later change's message replaces
an earlier one not yet sent, and a removal is said only to someone who had been told of a talk.
Once sent, it is a copy of the meeting like the invitations: re-rendered in place when the meeting
changes (a new time or title) or is cancelled.
Reordering talks is not news. The message is about the talk, not an invitation: answering and the
meeting link stay with the invitation (a speaker who is also a contact gets that too).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.meetings.base import MeetingsBase
from services.meetings.cards import meeting_card
from services.meetings.common import SPEAKER
from services.messages import SpeakerTold
from services.people import Destination, PersonRef
from storage.models import Delivery, DeliveryState, Meeting, MeetingState, MeetingTalk, Organisation

# What a speaker is told about: their talks' subjects, lengths and organisations, in agenda order.
SpeakerTalks = dict[PersonRef, tuple[tuple[str, int, int | None], ...]]


def talks_by_speaker(session: Session, meeting_id: int) -> SpeakerTalks:
    """The talks of each picked speaker at a meeting."""
    found: dict[PersonRef, list[tuple[str, int, int | None]]] = {}
    for talk in session.scalars(
        select(MeetingTalk).where(MeetingTalk.meeting_id == meeting_id).order_by(MeetingTalk.position)
    ):
        if talk.speaker_platform and talk.speaker_user_id:
            found.setdefault(PersonRef(talk.speaker_platform, talk.speaker_user_id), []).append(
                (talk.subject, talk.minutes, talk.organisation_id))
    return {person: tuple(talks) for person, talks in found.items()}


class Speakers(MeetingsBase):
    """Tells picked speakers about their talks."""

    def _tell_speakers(self, session: Session, meeting: Meeting, before: SpeakerTalks | None) -> None:
        """Plan a message to every picked speaker whose talks changed since `before` (None: to every
        current speaker, e.g. after the meeting itself changed)."""
        after = talks_by_speaker(session, meeting.id)
        people = after.keys() if before is None else after.keys() | before.keys()
        now = self._clock.now()
        for person in sorted(people, key=lambda p: (p.platform, p.user_id)):
            if before is not None and before.get(person) == after.get(person):
                continue
            organisation_ids = [oid for _, _, oid in after.get(person, ()) if oid is not None]
            organisation = session.get(Organisation, organisation_ids[0]) if organisation_ids else None
            # Each change is news of its own; the composer keeps only the latest one unsent.
            self._deliveries.plan(
                session, workspace_id=meeting.workspace_id, kind=SPEAKER,
                key=f"meeting:{meeting.id}:speaker:{person.platform}:{person.user_id}:{now:%Y%m%dT%H%M%S%f}",
                destination=Destination.person(person, organisation.language if organisation else None),
                due_at=now, meeting_id=meeting.id,
            )

    def _compose_speaker(self, session: Session, delivery: Delivery) -> SpeakerTold | None:
        # Share-locked, as every meeting message's composer: a change in progress finishes first.
        meeting = (session.get(Meeting, delivery.meeting_id, with_for_update={"read": True})
                   if delivery.meeting_id is not None else None)
        if meeting is None:
            return None
        if delivery.state == DeliveryState.SENT:
            # Re-rendered in place after a change to the meeting: the talks as they are now.
            return self._speaker_now(session, meeting, delivery)
        if meeting.state != MeetingState.SCHEDULED or self._clock.now() >= meeting.starts_at:
            return None
        others = session.execute(
            select(Delivery.id, Delivery.state).where(
                Delivery.meeting_id == meeting.id, Delivery.kind == SPEAKER,
                Delivery.dest_platform == delivery.dest_platform, Delivery.dest_id == delivery.dest_id,
                Delivery.id != delivery.id,
            )
        ).all()
        if any(other_id > delivery.id for other_id, _ in others):
            # A later change is on its way and says how things stand then.
            return None
        told_before = any(state == DeliveryState.SENT for _, state in others)
        told = self._speaker_now(session, meeting, delivery, changed=told_before)
        return told if told.talks or told_before else None

    def _speaker_now(self, session: Session, meeting: Meeting, delivery: Delivery, *,
                     changed: bool | None = None) -> SpeakerTold:
        """The speaker's message with the meeting and their talks as they are now."""
        if changed is None:
            changed = session.scalar(
                select(Delivery.id).where(
                    Delivery.meeting_id == meeting.id, Delivery.kind == SPEAKER,
                    Delivery.dest_platform == delivery.dest_platform, Delivery.dest_id == delivery.dest_id,
                    Delivery.id < delivery.id, Delivery.state == DeliveryState.SENT,
                )
            ) is not None
        card = meeting_card(session, meeting)
        person = PersonRef(delivery.dest_platform, delivery.dest_id)
        return SpeakerTold(card, tuple(talk for talk in card.talks if talk.person == person), changed)
