"""The plain view of a meeting (`MeetingCard`) every message and answer is built from."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from services.messages import MeetingCard, Talk, Tally
from storage.models import Answer, Meeting, MeetingTalk, MeetingTopic, Organisation, Role, Topic


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
