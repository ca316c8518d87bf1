"""Everything the bot holds about one person in one workspace, as one JSON-ready document.

The rule: a row is in a person's export when it names them (their platform and id), and only the
parts of it that are about them or theirs. Nothing in it names anyone else: other contacts of
their organisations, other supporters, who decided on their suggestion or wrote the minutes are
left out, and other people's ids in the audit log's details are replaced (`SOMEONE_ELSE`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.conversations import PERSON
from services.people import EMAIL, DestinationKind, PersonRef
from storage.models import (
    ActionItem,
    AuditEntry,
    Contact,
    Conversation,
    Coordinator,
    Delivery,
    Invitation,
    Meeting,
    MeetingChange,
    MeetingTalk,
    Minutes,
    MinutesComment,
    Organisation,
    OrganisationSuggestion,
    Person,
    Topic,
    TopicSupport,
    Workspace,
)

SOMEONE_ELSE = "(someone else)"
# The document's lists, in the order people see them counted.
SECTIONS = (
    "contact_for", "conversations", "invitations", "topics_proposed", "topics_supported", "talks", "chaired",
    "minutes_written", "minutes_comments", "suggestions_made", "suggested_as_contact",
    "suggestions_decided", "meetings_created", "meeting_changes", "follow_up_updates",
    "audit_entries", "audit_mentions", "messages",
)


def _plain(value: Any) -> Any:
    """A value as JSON holds it: times as ISO 8601 (UTC), enums as their values."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def _row(**fields: Any) -> dict[str, Any]:
    return {key: _plain(value) for key, value in fields.items()}


def counts_of(document: dict[str, Any]) -> tuple[tuple[str, int], ...]:
    """How many entries each list of the document has (those with none left out)."""
    return tuple((name, len(document[name])) for name in SECTIONS if document.get(name))


def holds_anything(document: dict[str, Any]) -> bool:
    """Whether the document holds anything about the person besides who they are."""
    return bool(counts_of(document) or document.get("language") or document.get("coordinator"))


def others_in(session: Session, workspace: Workspace, person: PersonRef) -> set[str]:
    """The ids of everyone else the workspace's rows name, to keep them out of the audit details."""
    ids: set[str] = set()
    queries = [
        select(Contact.user_id).join(Organisation).where(Organisation.workspace_id == workspace.id),
        select(Contact.email).join(Organisation).where(Organisation.workspace_id == workspace.id),
        select(Coordinator.user_id).where(Coordinator.workspace_id == workspace.id),
        select(Person.user_id).where(Person.workspace_id == workspace.id),
        select(Invitation.user_id).join(Meeting).where(Meeting.workspace_id == workspace.id),
        select(TopicSupport.user_id).join(Topic).where(Topic.workspace_id == workspace.id),
        select(Topic.proposer_user_id).where(Topic.workspace_id == workspace.id),
        select(AuditEntry.actor_user_id).where(AuditEntry.workspace_id == workspace.id),
    ]
    for query in queries:
        ids.update(session.scalars(query))
    ids.discard(person.user_id)
    # Their own addresses, as a chat contact, are theirs to see.
    ids.difference_update(session.scalars(select(Contact.email).join(Organisation).where(
        Organisation.workspace_id == workspace.id, Contact.platform == person.platform,
        Contact.user_id == person.user_id)))
    return {i for i in ids if i}


def redactor(ids: Iterable[str]) -> Any:
    """A function replacing each of `ids` (whole words only) in any JSON value by SOMEONE_ELSE."""
    ordered = sorted(set(ids), key=len, reverse=True)
    if not ordered:
        return lambda value: value
    pattern = re.compile(r"(?<![\w.@-])(?:" + "|".join(map(re.escape, ordered)) + r")(?![\w.@-])")

    def redact(value: Any) -> Any:
        if isinstance(value, str):
            return pattern.sub(SOMEONE_ELSE, value)
        if isinstance(value, list):
            return [redact(v) for v in value]
        if isinstance(value, dict):
            return {k: redact(v) for k, v in value.items()}
        return value

    return redact


def mentions(value: Any, user_id: str) -> bool:
    """Whether a JSON value holds `user_id` as a whole word anywhere."""
    pattern = re.compile(r"(?<![\w.@-])" + re.escape(user_id) + r"(?![\w.@-])")
    if isinstance(value, str):
        return pattern.search(value) is not None
    if isinstance(value, list):
        return any(mentions(v, user_id) for v in value)
    if isinstance(value, dict):
        return any(mentions(v, user_id) for v in value.values())
    return False


def _ids_of(rows: dict[int, Any]) -> list[int]:
    # The keys as a list: a workspace holds hundreds of meetings and topics, not tens of thousands.
    return list(rows)


def personal_data(session: Session, workspace: Workspace, person: PersonRef, now: datetime) -> dict[str, Any]:
    """Everything `workspace`'s rows hold about `person`, and nothing about anyone else."""
    p, u, w = person.platform, person.user_id, workspace.id
    names = {oid: name for oid, name in session.execute(
        select(Organisation.id, Organisation.name).where(Organisation.workspace_id == w))}
    meetings = {m.id: m for m in session.scalars(select(Meeting).where(Meeting.workspace_id == w))}
    topics = {t.id: t for t in session.scalars(select(Topic).where(Topic.workspace_id == w))}

    def number(meeting_id: int | None) -> int | None:
        return meetings[meeting_id].number if meeting_id in meetings else None

    language = session.scalar(select(Person).where(Person.workspace_id == w, Person.platform == p,
                                                   Person.user_id == u))
    coordinator = session.scalar(select(Coordinator).where(
        Coordinator.workspace_id == w, Coordinator.platform == p, Coordinator.user_id == u))
    document: dict[str, Any] = {
        "person": _row(platform=p, user_id=u, workspace=workspace.external_id, exported_at=now),
        "language": (_row(chosen=language.language, since=language.updated_at)
                     if language is not None else None),
        "coordinator": (_row(since=coordinator.created_at, source=coordinator.source)
                        if coordinator is not None else None),
    }
    document["contact_for"] = [
        _row(organisation=o.name, tier=o.tier, since=c.created_at, taken_off_roster=o.archived_at is not None,
             **({"email": c.email} if c.email else {}))
        for c, o in session.execute(select(Contact, Organisation).join(Organisation).where(
            Organisation.workspace_id == w, Contact.platform == p, Contact.user_id == u)
            .order_by(Contact.id))
    ]
    if p == EMAIL:
        # Their address given for a chat contact to fall back on (which chat contact is left out:
        # the address is theirs, the chat account may be someone else's).
        document["contact_for"] += [
            _row(organisation=o.name, tier=o.tier, since=c.created_at,
                 taken_off_roster=o.archived_at is not None, as_fallback_address=True)
            for c, o in session.execute(select(Contact, Organisation).join(Organisation).where(
                Organisation.workspace_id == w, Contact.email == u).order_by(Contact.id))
        ]
    # How the bot reaches them in a chat of their own (Teams' conversation reference, as stored).
    document["conversations"] = [
        _row(platform=c.platform, kind=c.kind, since=c.updated_at, reference=c.reference)
        for c in session.scalars(select(Conversation).where(
            Conversation.workspace_id == w, Conversation.platform == p, Conversation.kind == PERSON,
            Conversation.key == u).order_by(Conversation.id))
    ]
    document["email"] = (_row(address=u, unsubscribed_at=language.unsubscribed_at if language else None)
                         if p == EMAIL else None)
    document["invitations"] = [
        _row(meeting=number(i.meeting_id), title=meetings[i.meeting_id].title,
             starts_at=meetings[i.meeting_id].starts_at, meeting_state=meetings[i.meeting_id].state,
             organisation=names.get(i.organisation_id), invited_at=i.created_at, answer=i.answer,
             answered_at=i.answered_at, attended=i.attended)
        for i in session.scalars(select(Invitation).where(
            Invitation.meeting_id.in_(_ids_of(meetings)), Invitation.platform == p, Invitation.user_id == u)
            .order_by(Invitation.id))
    ]
    document["topics_proposed"] = [
        _row(topic=t.number, title=t.title, details=t.details, side=t.proposer_side,
             organisation=names.get(t.proposer_organisation_id), state=t.state, proposed_at=t.created_at)
        for t in sorted(topics.values(), key=lambda t: t.number)
        if t.proposer_platform == p and t.proposer_user_id == u
    ]
    document["topics_supported"] = [
        _row(topic=topics[s.topic_id].number, title=topics[s.topic_id].title,
             for_organisation=names.get(s.organisation_id), supported_at=s.created_at)
        for s in session.scalars(select(TopicSupport).where(
            TopicSupport.topic_id.in_(_ids_of(topics)), TopicSupport.platform == p, TopicSupport.user_id == u)
            .order_by(TopicSupport.id))
    ]
    document["talks"] = [
        _row(meeting=number(t.meeting_id), subject=t.subject, organisation=names.get(t.organisation_id),
             minutes=t.minutes, name_as_typed=t.speaker)
        for t in session.scalars(select(MeetingTalk).where(
            MeetingTalk.meeting_id.in_(_ids_of(meetings)), MeetingTalk.speaker_platform == p,
            MeetingTalk.speaker_user_id == u).order_by(MeetingTalk.id))
    ]
    ordered = sorted(meetings.values(), key=lambda m: m.number)
    document["chaired"] = [
        _row(meeting=m.number, title=m.title, starts_at=m.starts_at, name_as_typed=m.chair)
        for m in ordered if m.chair_platform == p and m.chair_user_id == u
    ]
    document["meetings_created"] = [
        _row(meeting=m.number, title=m.title, created_at=m.created_at)
        for m in ordered if m.created_by_platform == p and m.created_by_user_id == u
    ]
    minutes = {m.id: m for m in session.scalars(
        select(Minutes).where(Minutes.meeting_id.in_(_ids_of(meetings))))}
    document["minutes_written"] = [
        _row(meeting=number(m.meeting_id), written_at=m.written_at, version=m.version, state=m.state)
        for m in minutes.values() if m.written_by_platform == p and m.written_by_user_id == u
    ]
    document["minutes_comments"] = [
        _row(meeting=number(minutes[c.minutes_id].meeting_id), comment=c.body, at=c.created_at)
        for c in session.scalars(select(MinutesComment).where(
            MinutesComment.minutes_id.in_(_ids_of(minutes)), MinutesComment.platform == p,
            MinutesComment.user_id == u).order_by(MinutesComment.id))
    ]
    suggestions = session.scalars(select(OrganisationSuggestion).where(
        OrganisationSuggestion.workspace_id == w).order_by(OrganisationSuggestion.id)).all()
    # The contact typed with a suggestion may be someone else's address: only whether one was given.
    document["suggestions_made"] = [
        _row(organisation=s.name, perspective=s.perspective, reason=s.reason, state=s.state,
             meeting=number(s.meeting_id), contact_given=bool(s.contact or s.contact_user_id),
             suggested_at=s.created_at)
        for s in suggestions if s.suggested_by_platform == p and s.suggested_by_user_id == u
    ]
    document["suggested_as_contact"] = [
        _row(organisation=s.name, state=s.state, suggested_at=s.created_at)
        for s in suggestions if (s.contact_platform == p and s.contact_user_id == u)
        # An address is named in the contact as written, too.
        or (p == EMAIL and u in (s.contact or "").lower())
    ]
    document["suggestions_decided"] = [
        _row(organisation=s.name, state=s.state, decided_at=s.decided_at)
        for s in suggestions if s.decided_by_platform == p and s.decided_by_user_id == u
    ]
    document["meeting_changes"] = [
        _row(meeting=number(c.meeting_id), version=c.version, fields=c.fields, at=c.changed_at)
        for c in session.scalars(select(MeetingChange).where(
            MeetingChange.meeting_id.in_(_ids_of(meetings)), MeetingChange.changed_by_platform == p,
            MeetingChange.changed_by_user_id == u).order_by(MeetingChange.id))
    ]
    document["follow_up_updates"] = [
        _row(meeting=number(a.meeting_id), description=a.description, status=a.status, at=a.status_changed_at)
        for a in session.scalars(select(ActionItem).where(
            ActionItem.meeting_id.in_(_ids_of(meetings)), ActionItem.status_changed_by_platform == p,
            ActionItem.status_changed_by_user_id == u).order_by(ActionItem.id))
    ]
    document["audit_entries"], document["audit_mentions"] = _audit(session, workspace, person)
    # Their messages, those that went to their address instead of chat (`via`) saying so, and
    # messages to an address of theirs as an e-mail person of its own.
    addresses = sorted({c["email"] for c in document["contact_for"] if c.get("email")})
    document["messages"] = [
        _row(kind=d.kind, meeting=number(d.meeting_id), state=d.state, planned_at=d.created_at,
             sent_at=d.sent_at, **_sent_by_email(d, p, u))
        for d in session.scalars(select(Delivery).where(
            Delivery.workspace_id == w, Delivery.dest_kind == str(DestinationKind.PERSON),
            (Delivery.dest_platform == p) & (Delivery.dest_id == u)
            | (Delivery.dest_platform == EMAIL) & Delivery.dest_id.in_(addresses)
            | (Delivery.via_platform == p) & (Delivery.via_id == u)).order_by(Delivery.id))
    ]
    return document


def _sent_by_email(delivery: Delivery, platform: str, user_id: str) -> dict[str, Any]:
    """How a message in someone's export reached them by e-mail, if it did not go where it was for."""
    if delivery.via_platform == platform and delivery.via_id == user_id:
        # A chat contact's message sent to this address instead (which contact is left out).
        return {"for_a_chat_contact": True}
    if delivery.via_platform == EMAIL and delivery.via_id:
        return {"by_email_to": delivery.via_id}
    if delivery.dest_platform != platform:
        return {"by_email_to": delivery.dest_id}
    return {}


def _audit(session: Session, workspace: Workspace, person: PersonRef) -> tuple[list[Any], list[Any]]:
    """What they did (with anyone else they named replaced), and what others did naming them (who
    did it left out)."""
    redact = redactor(others_in(session, workspace, person))
    done, named = [], []
    entries = session.scalars(select(AuditEntry).where(AuditEntry.workspace_id == workspace.id)
                              .order_by(AuditEntry.id))
    for entry in entries:
        mine = entry.actor_platform == person.platform and entry.actor_user_id == person.user_id
        if mine:
            done.append(_row(action=entry.action, subject=redact(entry.subject),
                             details=redact(entry.details or {}), at=entry.at))
        elif mentions(entry.subject, person.user_id) or mentions(entry.details or {}, person.user_id):
            named.append(_row(action=entry.action, subject=redact(entry.subject), at=entry.at))
    return done, named
