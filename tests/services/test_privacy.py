"""A person's data: the export holds everything about them and nothing about anyone else; erasure
leaves no trace of them in any table while every count stays; only they or a coordinator, with a
confirmation bound to whoever asked."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from itsdangerous import URLSafeSerializer
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from services.clock import ManualClock
from services.container import Services
from services.errors import InvalidInput, NotAllowed, NotFound
from services.messages import PersonalDataReady
from services.people import PersonRef
from storage.models import (
    ActionItem,
    AuditEntry,
    Base,
    Coordinator,
    FollowUpStatus,
    Invitation,
    Meeting,
    MeetingChange,
    MeetingTalk,
    Minutes,
    MinutesComment,
    OrganisationSuggestion,
    SuggestionState,
    Tier,
)
from tests.factories import PLATFORM, coordinator, person, workspace
from tests.support.notifier import RecordingNotifier
from tests.support.privacy import services_with_notices

ERASED = "UERASE77"
OTHERS = ("UOTHER11", "UOTHER22", "UOTHER33")


def _sweep(services: Services, clock: ManualClock, rounds: int = 3) -> None:
    for _ in range(rounds):
        services.deliveries.sweep()
        clock.advance(timedelta(seconds=1))


@pytest.fixture
def services(sessions: sessionmaker[Session], clock: ManualClock, notifier: RecordingNotifier,
             platform: str) -> Services:
    return services_with_notices(sessions, clock, notifier, platform)


@pytest.fixture
def world(services: Services, clock: ManualClock, sessions: sessionmaker[Session]) -> dict[str, int]:
    """A workspace where ERASED is a contact, a coordinator, a proposer, a supporter, an attendee, a
    speaker, a chair, a minutes writer and commenter, a suggester and a suggested contact."""
    boss = coordinator()
    services.roster.add(boss, "Caritas", Tier.CORE, [ERASED, OTHERS[0]])
    services.roster.add(boss, "Red Cross", Tier.CORE, [OTHERS[1]])
    with sessions.begin() as session:
        session.add(Coordinator(workspace_id=workspace(session).id, platform=PLATFORM.get(), user_id=ERASED,
                                source="granted", created_at=clock.now()))
    # As a coordinator, they name someone else: their audit entry holds another person's id.
    services.roster.add(person(ERASED), "Mosque council", Tier.TOPIC, [OTHERS[2]])
    services.languages.choose(person(ERASED), "nb")
    services.topics.propose(person(ERASED), "Heating costs", "Old flats are cold")
    services.topics.propose(person(OTHERS[1]), "Night buses")
    services.topics.support(person(ERASED), 2)
    services.topics.support(person(OTHERS[0]), 1)
    past = services.meetings.schedule(boss, title="March dialogue", starts_at=clock.now() + timedelta(hours=2),
                                      topic_numbers=[1]).meeting
    _sweep(services, clock)
    services.meetings.rsvp(person(ERASED), past.number, services_answer("yes"))
    services.meetings.rsvp(person(OTHERS[0]), past.number, services_answer("no"))
    services.meetings.rsvp(person(OTHERS[1]), past.number, services_answer("yes"))
    clock.set(past.starts_at + timedelta(hours=2))
    ahead = services.meetings.schedule(person(ERASED), title="April dialogue",
                                       starts_at=clock.now() + timedelta(days=30)).meeting
    now = clock.now()
    with sessions.begin() as session:
        meeting = session.scalar(select(Meeting).where(Meeting.number == past.number))
        session.execute(update(Invitation).where(Invitation.meeting_id == meeting.id,
                                                 Invitation.user_id.in_([ERASED, OTHERS[1]])).values(attended=True))
        meeting.chair, meeting.chair_platform, meeting.chair_user_id = "Kari Nordmann", PLATFORM.get(), ERASED
        session.add(MeetingTalk(meeting_id=meeting.id, position=1, speaker="Kari Nordmann", subject="Cold flats",
                                minutes=10, speaker_platform=PLATFORM.get(), speaker_user_id=ERASED))
        session.add(MeetingChange(meeting_id=meeting.id, version=9, fields="title", changed_by_platform=PLATFORM.get(),
                                  changed_by_user_id=ERASED, changed_at=now))
        minutes = Minutes(meeting_id=meeting.id, summary="Warm rooms agreed.", decisions="", version=1,
                          written_by_platform=PLATFORM.get(), written_by_user_id=ERASED, written_at=now)
        session.add(minutes)
        session.flush()
        session.add_all([
            MinutesComment(minutes_id=minutes.id, platform=PLATFORM.get(), user_id=ERASED, body="Add my name",
                           created_at=now),
            MinutesComment(minutes_id=minutes.id, platform=PLATFORM.get(), user_id=OTHERS[0], body="Looks good",
                           created_at=now),
            ActionItem(meeting_id=meeting.id, position=1, description="Find rooms", owner_organisation_id=None,
                       due_on=now.date(), status=FollowUpStatus.DONE, status_changed_at=now,
                       status_changed_by_platform=PLATFORM.get(), status_changed_by_user_id=ERASED),
        ])
        ws = workspace(session).id
        common = dict(workspace_id=ws, perspective=None, created_at=now, state=SuggestionState.OPEN)
        session.add_all([
            OrganisationSuggestion(name="Night shelter", name_key="night shelter", contact="call Ola 99 99 99 99",
                                   reason="They know the streets", suggested_by_platform=PLATFORM.get(),
                                   suggested_by_user_id=ERASED, **common),
            OrganisationSuggestion(name="Youth club", name_key="youth club", contact="", reason="Young voices",
                                   contact_platform=PLATFORM.get(), contact_user_id=ERASED,
                                   suggested_by_platform=PLATFORM.get(), suggested_by_user_id=OTHERS[1], **common),
        ])
    services.privacy.request_export(person(ERASED))
    return {"past": past.number, "ahead": ahead.number}


def services_answer(value: str):  # noqa: ANN201 - the enum, named as people type it
    from storage.models import Answer

    return Answer(value)


def _strings_naming(sessions: sessionmaker[Session], needle: str) -> list[str]:
    """Every (table.column = value) in the database whose value contains `needle`."""
    found = []
    with sessions() as session:
        for table in Base.metadata.sorted_tables:
            for row in session.execute(select(table)).mappings():
                for column, value in row.items():
                    shown = json.dumps(value, default=str) if isinstance(value, dict | list) else str(value)
                    if needle in shown:
                        found.append(f"{table.name}.{column} = {shown[:80]}")
    return found


def test_the_export_holds_everything_about_the_person_and_no_one_else(
    services: Services, world: dict[str, int]
) -> None:
    document = services.privacy.export(person(ERASED), person(ERASED).person)
    assert document["person"]["user_id"] == ERASED and document["language"]["chosen"] == "nb"
    assert document["coordinator"]["source"] == "granted"
    assert [c["organisation"] for c in document["contact_for"]] == ["Caritas"]
    invitations = {(i["meeting"], i["answer"], i["attended"]) for i in document["invitations"]}
    assert (world["past"], "yes", True) in invitations
    assert [t["title"] for t in document["topics_proposed"]] == ["Heating costs"]
    assert [t["title"] for t in document["topics_supported"]] == ["Night buses"]
    assert [t["subject"] for t in document["talks"]] == ["Cold flats"]
    assert [m["meeting"] for m in document["chaired"]] == [world["past"]]
    assert [m["meeting"] for m in document["minutes_written"]] == [world["past"]]
    assert [c["comment"] for c in document["minutes_comments"]] == ["Add my name"]
    assert [s["organisation"] for s in document["suggestions_made"]] == ["Night shelter"]
    assert document["suggestions_made"][0]["contact_given"] is True
    assert [s["organisation"] for s in document["suggested_as_contact"]] == ["Youth club"]
    assert [m["meeting"] for m in document["meetings_created"]] == [world["ahead"]]
    assert [f["status"] for f in document["follow_up_updates"]] == ["done"]
    assert {e["action"] for e in document["audit_entries"]} >= {"roster.add"}
    assert any(e["action"] == "roster.add" and e["subject"] == "Caritas" for e in document["audit_mentions"])
    assert {m["kind"] for m in document["messages"]} >= {"privacy_notice", "personal_data"}
    shown = json.dumps(document)
    for other in (*OTHERS, coordinator().person.user_id):
        assert other not in shown, f"{other} leaked into the export"
    # What someone else typed with a suggestion, or the comment of another, is not theirs to see.
    assert "99 99" not in shown and "Looks good" not in shown


def test_the_person_is_sent_their_data_with_a_link_that_works_for_a_while(
    services: Services, clock: ManualClock, notifier: RecordingNotifier, world: dict[str, int]
) -> None:
    _sweep(services, clock)
    sent = [p for p in notifier.posted if isinstance(p.message, PersonalDataReady)]
    assert [p.destination.id for p in sent] == [ERASED]
    message = sent[0].message
    assert dict(message.counts)["invitations"] == 2 and json.loads(message.document)["person"]["user_id"] == ERASED
    downloaded = services.privacy.download(message.download_key)
    assert downloaded is not None and json.loads(downloaded)["contact_for"][0]["organisation"] == "Caritas"
    raw_id, _, nonce = message.download_key.partition(".")
    assert services.privacy.download(f"{raw_id}.{'x' * len(nonce)}") is None, "a guessed key opens nothing"
    assert services.privacy.download(f"{int(raw_id) - 1}.{nonce}") is None
    clock.advance(timedelta(days=3))
    assert services.privacy.download(message.download_key) is None, "the link expires"


def test_only_the_person_or_a_coordinator_sees_or_erases_their_data(
    services: Services, world: dict[str, int]
) -> None:
    with pytest.raises(NotAllowed):
        services.privacy.export(person(OTHERS[0]), person(ERASED).person)
    with pytest.raises(NotAllowed):
        services.privacy.erasure_question(person(OTHERS[0]), person(ERASED).person)
    # The coordinator's confirmation in someone else's hands erases nothing.
    asked = services.privacy.erasure_question(coordinator(), person(ERASED).person)
    with pytest.raises(NotAllowed):
        services.privacy.erase(person(OTHERS[0]), asked.token)
    assert services.privacy.export(coordinator(), person(ERASED).person)["contact_for"]
    with pytest.raises(NotFound):
        services.privacy.erasure_question(coordinator(), PersonRef(PLATFORM.get(), "UNOBODY1"))


def test_an_expired_confirmation_erases_nothing(services: Services, clock: ManualClock,
                                                world: dict[str, int]) -> None:
    asked = services.privacy.erasure_question(coordinator(), person(ERASED).person)
    clock.advance(timedelta(minutes=16))
    with pytest.raises(NotAllowed):
        services.privacy.erase(coordinator(), asked.token)
    assert services.privacy.export(coordinator(), person(ERASED).person)["contact_for"]


def test_erasure_leaves_no_trace_of_the_person_and_every_count_intact(
    services: Services, clock: ManualClock, sessions: sessionmaker[Session], world: dict[str, int]
) -> None:
    assert _strings_naming(sessions, ERASED), "the world names the person before"
    before = services.stats.compute(coordinator())
    topics = {t.number: t.supporters for t in services.topics.open_topics(coordinator())}
    asked = services.privacy.erasure_question(coordinator(), person(ERASED).person)
    assert dict(asked.counts)["contact_for"] == 1 and not asked.yourself
    erased = services.privacy.erase(coordinator(), asked.token)
    assert erased.rows > 10
    assert _strings_naming(sessions, ERASED) == []
    after = services.stats.compute(coordinator())
    assert after.organisations == before.organisations and after.proposals_by_side == before.proposals_by_side
    assert {t.number: t.supporters for t in services.topics.open_topics(coordinator())} == topics
    with sessions() as session:
        # The record stays: minutes, the topic's text, the talk's subject, the suggestion's reason.
        assert session.scalar(select(Minutes.summary)) == "Warm rooms agreed."
        talk = session.scalar(select(MeetingTalk))
        assert (talk.subject, talk.speaker, talk.speaker_user_id) == ("Cold flats", "", None)
        # Their comment's words go, not the comment (the draft received two), nor anyone else's.
        bodies = sorted(session.scalars(select(MinutesComment.body)))
        assert bodies == ["", "Looks good"]
        suggestion = session.scalar(select(OrganisationSuggestion).where(OrganisationSuggestion.name == "Night shelter"))
        assert (suggestion.reason, suggestion.contact) == ("They know the streets", "")
        # Past answers stay under one pseudonym; the meeting still ahead no longer invites them.
        pseudonyms = set(session.scalars(select(Invitation.user_id).where(Invitation.user_id.startswith("erased-"))))
        assert len(pseudonyms) == 1
        ahead = session.scalar(select(Meeting).where(Meeting.number == world["ahead"]))
        assert all(i.user_id not in pseudonyms for i in ahead.invitations)
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "privacy.erase")).one()
        # Who and when, not whom.
        assert entry.actor_user_id == coordinator().person.user_id and entry.subject not in (ERASED, "")
    # Writing again, they start fresh.
    services.topics.propose(person(ERASED), "Libraries")
    fresh = services.privacy.export(person(ERASED), person(ERASED).person)
    assert [t["title"] for t in fresh["topics_proposed"]] == ["Libraries"] and not fresh["invitations"]


def test_a_person_can_erase_themselves_and_the_audit_does_not_name_them(
    services: Services, sessions: sessionmaker[Session], world: dict[str, int]
) -> None:
    asked = services.privacy.erasure_question(person(ERASED))
    assert asked.yourself
    assert services.privacy.erase(person(ERASED), asked.token).yourself
    assert _strings_naming(sessions, ERASED) == []
    with sessions() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "privacy.erase")).one()
        assert entry.actor_user_id.startswith("erased-") and entry.details["own"] is True


def _forge(data: dict[str, Any], key: str = "a key the attacker chose") -> str:
    return str(URLSafeSerializer(key, salt="dialogbot.erasure-confirmation").dumps(data))


def _payload(token: str) -> dict[str, Any]:
    """What a token says, as anyone holding it can read it (signed, not secret)."""
    valid, data = URLSafeSerializer("not the key", salt="dialogbot.erasure-confirmation").loads_unsafe(token)
    assert not valid and isinstance(data, dict)
    return data


def test_a_forged_or_tampered_confirmation_erases_nothing(
    services: Services, clock: ManualClock, sessions: sessionmaker[Session], world: dict[str, int]
) -> None:
    asked = services.privacy.erasure_question(coordinator(), person(ERASED).person)
    data = _payload(asked.token)
    me = [PLATFORM.get(), OTHERS[0]]
    later = int((clock.now() + timedelta(days=365)).timestamp())
    attempts = [
        # Made up to erase themselves at once, without being asked, or someone else, for a year.
        _forge(data | {"p": me, "b": me, "t": later}),
        _forge(data | {"b": me, "t": later}),
        # The real token's signature on a payload changed to last a year, or the token cut short.
        _forge(data | {"t": later}).rsplit(".", 1)[0] + "." + asked.token.rsplit(".", 1)[1],
        asked.token[:-2],
        "",
        json.dumps({"p": PLATFORM.get(), "u": ERASED, "bp": PLATFORM.get(), "b": OTHERS[0], "t": later}),
    ]
    for token in attempts:
        with pytest.raises(InvalidInput) as refused:
            services.privacy.erase(person(OTHERS[0]), token)
        assert refused.value.message.msgid == "That button no longer works. Ask again to erase."
    # The coordinator's own token, used in another workspace, is no good there either.
    with pytest.raises(InvalidInput):
        services.privacy.erase(person(coordinator().person.user_id, team="T0OTHER"), asked.token)
    assert _strings_naming(sessions, ERASED), "nothing erased"
    assert services.privacy.export(coordinator(), person(OTHERS[0]).person)["contact_for"]


def test_an_erasure_question_is_good_once(services: Services, clock: ManualClock, sessions: sessionmaker[Session],
                                          world: dict[str, int]) -> None:
    asked = services.privacy.erasure_question(person(ERASED))
    assert services.privacy.erase(person(ERASED), asked.token).yourself
    # They write again and start fresh; a replay of the old click (within its 15 minutes) erases nothing.
    services.topics.propose(person(ERASED), "Libraries")
    clock.advance(timedelta(minutes=5))
    with pytest.raises(NotAllowed):
        services.privacy.erase(person(ERASED), asked.token)
    fresh = services.privacy.export(person(ERASED), person(ERASED).person)
    assert [t["title"] for t in fresh["topics_proposed"]] == ["Libraries"]
    with sessions() as session:
        assert session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "privacy.erase")) == 1
    # A new question is a new token, good once more.
    assert services.privacy.erase(person(ERASED), services.privacy.erasure_question(person(ERASED)).token)


def test_the_token_fits_a_button_even_for_the_longest_ids(services: Services) -> None:
    longest = "U" * 255
    services.roster.add(coordinator(), "Caritas", Tier.CORE, [longest])
    token = services.privacy.erasure_question(coordinator(), PersonRef(PLATFORM.get(), longest)).token
    assert len(token) <= 2000, "a Slack button's value holds 2,000 characters"
