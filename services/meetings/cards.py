"""The plain view of a meeting (`MeetingCard`) every message and answer is built from."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.action_items import previous_points
from services.messages import MeetingCard, Talk, Tally
from services.people import PersonRef
from services.pseudonyms import is_pseudonym
from storage.models import (
    Answer,
    Contact,
    Invitation,
    Meeting,
    MeetingOrganisation,
    MeetingTalk,
    MeetingTopic,
    Organisation,
    Role,
    Topic,
)


def meeting_card(session: Session, meeting: Meeting) -> MeetingCard:
    """The plain view of a meeting, with its agenda, invitees and tally."""
    # Every message of a fan-out composes this, each in its own session: plain column queries
    # (three, whatever the size) rather than thousands of ORM objects for a city-wide urgent call.
    invited = session.execute(
        select(MeetingOrganisation.organisation_id, MeetingOrganisation.role, Organisation.name)
        .join(Organisation, Organisation.id == MeetingOrganisation.organisation_id)
        .where(MeetingOrganisation.meeting_id == meeting.id, Organisation.archived_at.is_(None))
    ).all()
    active = {organisation_id: role for organisation_id, role, _ in invited}
    participants = sorted(name for _, role, name in invited if role == Role.PARTICIPANT)
    observers = sorted(name for _, role, name in invited if role == Role.OBSERVER)
    contacts = set(session.execute(
        select(Contact.organisation_id, Contact.platform, Contact.user_id)
        .join(MeetingOrganisation, MeetingOrganisation.organisation_id == Contact.organisation_id)
        .where(MeetingOrganisation.meeting_id == meeting.id)
    ).all())
    people: dict[tuple[str, str], Answer | None] = {}
    observer_people: dict[tuple[str, str], Answer | None] = {}
    organisations_yes: set[int] = set()
    observers_yes: set[int] = set()
    for organisation_id, platform, user_id, answer in session.execute(
        select(Invitation.organisation_id, Invitation.platform, Invitation.user_id, Invitation.answer)
        .where(Invitation.meeting_id == meeting.id).order_by(Invitation.id)
    ):
        # Only people who still speak for an organisation still on the roster count, and those
        # no longer named (erased, or past retention): they answered as contacts then.
        if organisation_id not in active or (
                (organisation_id, platform, user_id) not in contacts and not is_pseudonym(user_id)):
            continue
        role = active[organisation_id]
        key = (platform, user_id)
        bucket = observer_people if role == Role.OBSERVER else people
        # A person speaking for two organisations counts once, with their answer.
        bucket[key] = answer or bucket.get(key)
        if answer == Answer.YES:
            (observers_yes if role == Role.OBSERVER else organisations_yes).add(organisation_id)
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
             talk.subject, talk.minutes,
             PersonRef(talk.speaker_platform, talk.speaker_user_id)
             if talk.speaker_platform and talk.speaker_user_id else None)
        for talk in session.scalars(
            select(MeetingTalk).where(MeetingTalk.meeting_id == meeting.id).order_by(MeetingTalk.position)
        )
    )
    return MeetingCard(
        number=meeting.number,
        title=meeting.title,
        kind=meeting.kind,
        state=meeting.state,
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
        chair=meeting.chair,
        chair_person=(PersonRef(meeting.chair_platform, meeting.chair_user_id)
                      if meeting.chair_platform and meeting.chair_user_id else None),
        cancel_reason=meeting.cancel_reason,
        background=meeting.background,
        follow_up=previous_points(session, meeting),
    )
