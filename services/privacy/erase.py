"""Erasing a person: every row that names them loses them, the organisations' history stays.

The rules, table by table (docs/privacy.md lists them for the data protection officer):

- What exists only because of them goes: their language choice (`people`), their coordinator
  rights, their place as a contact, the words of their comments on draft minutes (their own, not
  the city's record; the row stays under the pseudonym, counted), invitations to meetings still
  ahead (they are no longer invited), and messages to them not sent yet or carrying their data
  (the export).
- What counts for an organisation or a meeting stays, with their id replaced by one pseudonym per
  erasure (`erased-<random>`, never derived from the id, with no key kept): past answers and
  attendance, supports, proposals, minutes written, meeting changes, follow-up updates,
  suggestions, audit entries, messages sent. Tallies, statistics and who-did-how-much per
  organisation still add up, and one person's rows still belong together.
- Free text is kept where it is the organisations' or the city's record (a topic's title and
  details, minutes, a suggestion's organisation and reason, a meeting's chair as typed: a public
  office), and cleared where it is about them: the speaker name typed on a talk linked to them, the
  contact typed with a suggestion they made or were named in.
- Their id inside audit details (e.g. "contacts added") is replaced by the pseudonym.
- E-mail addresses are ids like any other (an e-mail contact is `PersonRef(EMAIL, address)`), and
  the server's answer kept with a failed message may quote one. Erasing an address also takes it
  off every chat contact who had it to fall back on; erasing a chat contact erases the addresses
  they had, as the e-mail person each is, unless the roster still names the address otherwise.
"""

from __future__ import annotations

import re
import secrets
from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from services.conversations import PERSON
from services.deliveries import Deliveries
from services.meetings import INVITE
from services.people import EMAIL, DestinationKind, PersonRef
from services.pseudonyms import ERASED_PREFIX
from storage.models import (
    ActionItem,
    AuditEntry,
    Contact,
    Conversation,
    Coordinator,
    Delivery,
    DeliveryState,
    Invitation,
    Meeting,
    MeetingChange,
    MeetingState,
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

PSEUDONYM_PREFIX = ERASED_PREFIX
# The delivery kind that sends a person their data (services/privacy/service.py): its content is
# their data, so it is never kept under a pseudonym.
PERSONAL_DATA = "personal_data"


def new_pseudonym() -> str:
    """A fresh pseudonym for one erasure: random, so nothing leads back to the id it replaces."""
    return PSEUDONYM_PREFIX + secrets.token_hex(6)


def whole_word(user_id: str) -> re.Pattern[str]:
    """`user_id` as a whole word (between `:`, spaces, quotes), never inside a longer id."""
    return re.compile(r"(?<![\w.@-])" + re.escape(user_id) + r"(?![\w.@-])")


def is_pseudonym(user_id: str) -> bool:
    """Whether `user_id` stands for someone erased."""
    return user_id.startswith(PSEUDONYM_PREFIX)


def erase_person(session: Session, workspace: Workspace, person: PersonRef, pseudonym: str, now: datetime,
                 deliveries: Deliveries) -> dict[str, int]:
    """Remove or pseudonymise every row of `workspace` naming `person`, in the caller's transaction;
    returns how many rows were touched per table."""
    p, u, w = person.platform, person.user_id, workspace.id
    done: Counter[str] = Counter()
    meetings = select(Meeting.id).where(Meeting.workspace_id == w).scalar_subquery()

    def run(table: str, statement: Any) -> None:
        done[table] += session.execute(statement, execution_options={"synchronize_session": False}).rowcount

    def by(platform: Any, user: Any) -> tuple[Any, Any]:
        return platform == p, user == u

    run("people", delete(Person).where(Person.workspace_id == w, *by(Person.platform, Person.user_id)))
    run("coordinators", delete(Coordinator).where(Coordinator.workspace_id == w,
                                                  *by(Coordinator.platform, Coordinator.user_id)))
    # How the bot reached them in a chat of their own (Teams): it names them.
    run("conversations", delete(Conversation).where(
        Conversation.workspace_id == w, Conversation.kind == PERSON,
        *by(Conversation.platform, Conversation.key)))
    organisations = select(Organisation.id).where(Organisation.workspace_id == w)
    # The addresses they had as a chat contact, to fall back on: theirs too (erased below).
    addresses = set(session.scalars(select(Contact.email).where(
        Contact.organisation_id.in_(organisations), *by(Contact.platform, Contact.user_id),
        Contact.email.is_not(None)))) if p != EMAIL else set()
    run("contacts", delete(Contact).where(Contact.organisation_id.in_(organisations),
                                          *by(Contact.platform, Contact.user_id)))
    if p == EMAIL:
        # Their address as a chat contact's fallback: the chat contact stays, without it.
        run("contacts", update(Contact).where(Contact.organisation_id.in_(organisations),
                                              Contact.email == u).values(email=None))
    # Meetings still ahead: no longer invited (their copies then show the tally without them).
    invited = by(Invitation.platform, Invitation.user_id)
    ahead = list(session.scalars(select(Meeting.id).where(
        Meeting.workspace_id == w, Meeting.state == MeetingState.SCHEDULED, Meeting.starts_at > now,
        Meeting.id.in_(select(Invitation.meeting_id).where(*invited)))))
    if ahead:
        run("invitations", delete(Invitation).where(Invitation.meeting_id.in_(ahead), *invited))
    run("invitations", update(Invitation).where(Invitation.meeting_id.in_(meetings), *invited)
        .values(user_id=pseudonym))
    topics = select(Topic.id).where(Topic.workspace_id == w).scalar_subquery()
    run("topic_supports", update(TopicSupport).where(
        TopicSupport.topic_id.in_(topics), *by(TopicSupport.platform, TopicSupport.user_id),
    ).values(user_id=pseudonym))
    run("topics", update(Topic).where(
        Topic.workspace_id == w, *by(Topic.proposer_platform, Topic.proposer_user_id),
    ).values(proposer_user_id=pseudonym))
    run("meeting_talks", update(MeetingTalk).where(
        MeetingTalk.meeting_id.in_(meetings), *by(MeetingTalk.speaker_platform, MeetingTalk.speaker_user_id),
    ).values(speaker="", speaker_platform=None, speaker_user_id=None))
    run("meetings", update(Meeting).where(
        Meeting.workspace_id == w, *by(Meeting.chair_platform, Meeting.chair_user_id),
    ).values(chair_platform=None, chair_user_id=None))
    run("meetings", update(Meeting).where(
        Meeting.workspace_id == w, *by(Meeting.created_by_platform, Meeting.created_by_user_id),
    ).values(created_by_user_id=pseudonym))
    run("meeting_changes", update(MeetingChange).where(
        MeetingChange.meeting_id.in_(meetings),
        *by(MeetingChange.changed_by_platform, MeetingChange.changed_by_user_id),
    ).values(changed_by_user_id=pseudonym))
    run("minutes", update(Minutes).where(
        Minutes.meeting_id.in_(meetings), *by(Minutes.written_by_platform, Minutes.written_by_user_id),
    ).values(written_by_user_id=pseudonym))
    minutes = select(Minutes.id).where(Minutes.meeting_id.in_(meetings)).scalar_subquery()
    # Their words go; the row stays, so the archive still says how many comments the draft received.
    run("minutes_comments", update(MinutesComment).where(
        MinutesComment.minutes_id.in_(minutes), *by(MinutesComment.platform, MinutesComment.user_id),
    ).values(user_id=pseudonym, body=""))
    run("action_items", update(ActionItem).where(
        ActionItem.meeting_id.in_(meetings),
        *by(ActionItem.status_changed_by_platform, ActionItem.status_changed_by_user_id),
    ).values(status_changed_by_user_id=pseudonym))
    suggestion = OrganisationSuggestion
    run("organisation_suggestions", update(suggestion).where(
        suggestion.workspace_id == w, *by(suggestion.suggested_by_platform, suggestion.suggested_by_user_id),
    ).values(suggested_by_user_id=pseudonym, contact=""))
    run("organisation_suggestions", update(suggestion).where(
        suggestion.workspace_id == w, *by(suggestion.contact_platform, suggestion.contact_user_id),
    ).values(contact_platform=None, contact_user_id=None, contact=""))
    run("organisation_suggestions", update(suggestion).where(
        suggestion.workspace_id == w, *by(suggestion.decided_by_platform, suggestion.decided_by_user_id),
    ).values(decided_by_user_id=pseudonym))
    if p == EMAIL:
        # An address is also named in a suggestion's contact as written ("Amina, amina@…").
        run("organisation_suggestions", update(suggestion).where(
            suggestion.workspace_id == w, func.lower(suggestion.contact).contains(u, autoescape=True),
        ).values(contact=""))
    done["audit_log"] += _audit(session, workspace, person, pseudonym)
    done["deliveries"] += _deliveries(session, workspace, person, pseudonym)
    for meeting_id in ahead:
        deliveries.refresh(session, meeting_id=meeting_id, kinds=(INVITE,), channel_only=True)
    for address in sorted(addresses - _still_named(session, w, addresses)):
        # Everything the address holds (messages copied to it, its unsubscribe), as the same person.
        done.update(erase_person(session, workspace, PersonRef(EMAIL, address), pseudonym, now, deliveries))
    return {table: count for table, count in done.items() if count}


def _still_named(session: Session, workspace_id: int, addresses: set[str]) -> set[str]:
    """Those of `addresses` the workspace's roster still names: an e-mail contact, or another chat
    contact's address (a shared inbox is not one person's to erase)."""
    if not addresses:
        return set()
    organisations = select(Organisation.id).where(Organisation.workspace_id == workspace_id)
    listed = list(addresses)
    contacts = set(session.scalars(select(Contact.user_id).where(
        Contact.organisation_id.in_(organisations), Contact.platform == EMAIL, Contact.user_id.in_(listed))))
    fallbacks = set(session.scalars(select(Contact.email).where(
        Contact.organisation_id.in_(organisations), Contact.email.in_(listed))))
    return contacts | fallbacks


def _audit(session: Session, workspace: Workspace, person: PersonRef, pseudonym: str) -> int:
    """Their entries under the pseudonym, and their id in anyone's entry replaced by it."""
    pattern = whole_word(person.user_id)

    def scrub(value: Any) -> Any:
        if isinstance(value, str):
            return pattern.sub(pseudonym, value)
        if isinstance(value, list):
            return [scrub(v) for v in value]
        if isinstance(value, dict):
            return {k: scrub(v) for k, v in value.items()}
        return value

    touched = 0
    for entry in session.scalars(select(AuditEntry).where(AuditEntry.workspace_id == workspace.id)):
        mine = entry.actor_platform == person.platform and entry.actor_user_id == person.user_id
        subject, details = scrub(entry.subject), scrub(entry.details or {})
        if mine or subject != entry.subject or details != (entry.details or {}):
            if mine:
                entry.actor_user_id = pseudonym
            entry.subject, entry.details = subject, details
            touched += 1
    return touched


def _deliveries(session: Session, workspace: Workspace, person: PersonRef, pseudonym: str) -> int:
    """Messages to them: not sent yet, or carrying their data: gone; sent: kept under the pseudonym
    (statistics join an invitation to the message that brought it), no longer updated in place."""
    mine = (Delivery.workspace_id == workspace.id, Delivery.dest_kind == str(DestinationKind.PERSON),
            Delivery.dest_platform == person.platform, Delivery.dest_id == person.user_id)
    unsent_or_theirs = (Delivery.state == DeliveryState.PENDING) | (Delivery.kind == PERSONAL_DATA)
    touched = session.execute(delete(Delivery).where(*mine, unsent_or_theirs),
                              execution_options={"synchronize_session": False}).rowcount
    word = whole_word(person.user_id)
    for delivery in session.scalars(select(Delivery).where(*mine)):
        delivery.dest_id = pseudonym
        # The key ends with the destination, and some name the person inside too (a speaker's).
        delivery.dedupe_key = word.sub(pseudonym, delivery.dedupe_key)
        # A mail server's refusal quotes the address it refused ("550 <kari@…>: no such user").
        delivery.last_error = word.sub(pseudonym, delivery.last_error) if delivery.last_error else None
        # Sent to their address instead (a chat contact's e-mail): the address is theirs too.
        delivery.via_id = pseudonym if delivery.via_id is not None else None
        delivery.message_ref = None
        delivery.synced_version = delivery.content_version
        touched += 1
    # Someone else's messages that went to this address instead (their fallback was this one):
    # the rows are theirs and stay; the address goes, and one not sent yet is not sent there.
    routed = (Delivery.workspace_id == workspace.id, Delivery.via_platform == person.platform,
              Delivery.via_id == person.user_id)
    for delivery in session.scalars(select(Delivery).where(*routed)):
        if delivery.state == DeliveryState.PENDING:
            delivery.via_platform = delivery.via_id = None
        elif delivery.state == DeliveryState.SENDING:
            # Claimed or in doubt: never sent again, least of all to a pseudonym.
            delivery.via_id = pseudonym
            delivery.state = DeliveryState.FAILED
            delivery.claimed_by = delivery.claimed_at = None
        else:
            delivery.via_id = pseudonym
        delivery.last_error = word.sub(pseudonym, delivery.last_error) if delivery.last_error else None
        touched += 1
    return touched
