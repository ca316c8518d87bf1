"""The Teams notifier through the real Connector into the fake Bot Connector: what arrives, the
references it keeps, and how each failure reaches the delivery engine."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest
from microsoft_agents.activity import ChannelAccount, ConversationAccount, ConversationReference

from fakes.teams.connector import BLOCKED, DROP, NOT_IN_ROSTER, TEAMS_LIMITS, FakeConnector
from handlers.teams import notifier as teams_notifier
from handlers.teams.connector import Connector
from handlers.teams.notifier import TeamsNotifier
from handlers.teams.refs import from_ref, to_ref
from handlers.teams.render.common import CARD_CONTENT_TYPE, Card
from services.messages import OutgoingMessage
from services.people import MESSAGE_REF_LENGTH, Destination, MessageRef, PersonRef
from services.ports import CANNOT_TELL, DeliveryError, RateLimited

APP_ID = "0f8a4a1e-2b3c-4d5e-9f60-718293a4b5c6"
TENANT = "6e1f2c3a-4b5d-4e6f-8a9b-0c1d2e3f4a5b"
KARI = "c33aafd2-646d-4a6a-a9d5-4c6fd3ed4a2a"  # an Entra object id: a Teams person's id
PERSONAL = "a:1mW4tbQNrlZ9bzH3lDPpMAHXsHrUoZ0oGvjpm4l2URBL1aGdkJ9Uu3hQLG8W6ZnXw5v"
CHANNEL = "19:5d1e3f7a9b2c4d6e8f0a1b3c5d7e9f1a@thread.tacv2"
PERSON = Destination.person(PersonRef("teams", KARI), "nb")
DIALOGUE = Destination.channel("teams", CHANNEL)


@dataclass(frozen=True)
class Message:
    """Stands in for a service's message: the notifier reads only `reply_to`, the renderer the rest."""

    title: str
    reply_to: MessageRef | None = None


def render(message: OutgoingMessage, destination: Destination) -> Card:
    title = cast(Message, message).title
    if title.startswith("plain:"):
        return Card(title.removeprefix("plain:"))
    return Card(f"Invitasjon: {title}", {"type": "AdaptiveCard", "version": "1.5",
                                         "body": [{"type": "TextBlock", "text": title}]})


class References:
    """The stored conversation references, by destination id."""

    def __init__(self, service_url: str) -> None:
        self.known: dict[str, ConversationReference] = {
            KARI: self.make(service_url, PERSONAL, "personal"),
            CHANNEL: self.make(service_url, CHANNEL, "channel"),
        }

    @staticmethod
    def make(service_url: str, conversation_id: str, kind: str) -> ConversationReference:
        return ConversationReference(
            agent=ChannelAccount(id=f"28:{APP_ID}", name="Dialogbot"),
            user=ChannelAccount(id="29:1kari", aad_object_id=KARI),
            conversation=ConversationAccount(id=conversation_id, conversation_type=kind, tenant_id=TENANT),
            channel_id="msteams", service_url=service_url)

    def __call__(self, destination: Destination) -> ConversationReference | None:
        return self.known.get(destination.id)


@pytest.fixture
def fake() -> Iterator[FakeConnector]:
    with FakeConnector() as connector:
        yield connector


@pytest.fixture
def references(fake: FakeConnector) -> References:
    return References(fake.url)


@pytest.fixture
def notifier(references: References) -> TeamsNotifier:
    connector = Connector(app_id=APP_ID, password="secret", tenant_id=TENANT, anonymous=True, timeout=5)
    return TeamsNotifier(connector, references, render)


def send(notifier: TeamsNotifier, destination: Destination, message: Any, delivery_id: int = 41) -> MessageRef:
    return notifier.send(destination, cast(OutgoingMessage, message), delivery_id=delivery_id)


def test_a_card_goes_to_the_persons_chat_with_its_delivery_id(notifier: TeamsNotifier, fake: FakeConnector) -> None:
    ref = send(notifier, PERSON, Message("Møte 3"), delivery_id=41)
    [sent] = fake.messages_to(PERSONAL)
    assert from_ref(ref) == (PERSONAL, sent.activity_id)
    assert [a["contentType"] for a in sent.attachments] == [CARD_CONTENT_TYPE]
    assert sent.attachments[0]["content"]["body"][0]["text"] == "Møte 3"
    assert sent.activity["summary"] == "Invitasjon: Møte 3" and "text" not in sent.activity
    assert sent.activity["channelData"] == {"dialogbot": {"deliveryId": 41}}
    assert sent.activity["type"] == "message" and sent.activity["from"]["id"] == f"28:{APP_ID}"


def test_a_card_less_message_is_its_text(notifier: TeamsNotifier, fake: FakeConnector) -> None:
    send(notifier, PERSON, Message("plain:Hei **Kari**"))
    [sent] = fake.sent
    assert sent.text == "Hei **Kari**" and sent.attachments == [] and sent.activity["textFormat"] == "markdown"


def test_a_reply_goes_into_the_channel_posts_thread(notifier: TeamsNotifier, fake: FakeConnector) -> None:
    root = send(notifier, DIALOGUE, Message("Møte 3"))
    conversation, root_id = from_ref(root)
    assert conversation == CHANNEL
    reply = send(notifier, DIALOGUE, Message("Referat", reply_to=root), delivery_id=42)
    thread = f"{CHANNEL};messageid={root_id}"
    last = fake.sent[-1]
    assert (last.operation, last.conversation_id, last.reply_to_id) == ("reply", thread, root_id)
    assert from_ref(reply) == (thread, last.activity_id)
    # The reply is updated where it is.
    notifier.update(reply, DIALOGUE, cast(OutgoingMessage, Message("Referat v2", reply_to=root)))
    assert (fake.activity(thread, last.activity_id) or {})["attachments"][0]["content"]["body"][0]["text"] == \
        "Referat v2"


def test_update_puts_the_fresh_card_in_place(notifier: TeamsNotifier, fake: FakeConnector) -> None:
    ref = send(notifier, DIALOGUE, Message("3 kommer"))
    notifier.update(ref, DIALOGUE, cast(OutgoingMessage, Message("4 kommer")))
    _, activity_id = from_ref(ref)
    assert fake.sent[-1].operation == "update"
    assert (fake.activity(CHANNEL, activity_id) or {})["attachments"][0]["content"]["body"][0]["text"] == "4 kommer"


def test_a_rate_limit_waits_as_long_as_teams_says(notifier: TeamsNotifier, fake: FakeConnector) -> None:
    fake.fail(429, retry_after=7)
    with pytest.raises(RateLimited) as limited:
        send(notifier, PERSON, Message("x"))
    assert limited.value.retry_after == 7
    fake.limit_rate(((1, 60.0),))
    send(notifier, PERSON, Message("first"))
    with pytest.raises(RateLimited) as again:
        send(notifier, PERSON, Message("second"))
    assert again.value.retry_after >= 1


@pytest.mark.parametrize(("code", "reason"), [(BLOCKED, teams_notifier.BLOCKED),
                                              (NOT_IN_ROSTER, teams_notifier.UNINSTALLED)])
def test_a_person_who_blocked_or_removed_the_bot_fails_for_good(
        notifier: TeamsNotifier, fake: FakeConnector, code: str, reason: str) -> None:
    fake.fail(403, code=code)
    with pytest.raises(DeliveryError) as failed:
        send(notifier, PERSON, Message("x"))
    assert failed.value.permanent and failed.value.reason == reason and not failed.value.needs_operator


def test_a_conversation_gone_is_the_persons_but_an_operators_for_the_channel(
        notifier: TeamsNotifier, fake: FakeConnector) -> None:
    fake.fail(404, code="ConversationNotFound", times=2)
    with pytest.raises(DeliveryError) as person:
        send(notifier, PERSON, Message("x"))
    assert person.value.permanent
    with pytest.raises(DeliveryError) as channel:
        send(notifier, DIALOGUE, Message("x"))
    assert not channel.value.permanent and "setup" in (channel.value.operator_hint or "")


@pytest.mark.parametrize(("status", "code"), [(401, None), (403, "Forbidden")])
def test_the_bots_own_credentials_call_an_operator(notifier: TeamsNotifier, fake: FakeConnector,
                                                   status: int, code: str | None) -> None:
    fake.fail(status, code=code)
    with pytest.raises(DeliveryError) as failed:
        send(notifier, PERSON, Message("x"))
    assert not failed.value.permanent and "TEAMS_APP_PASSWORD" in (failed.value.operator_hint or "")


def test_an_admin_block_calls_an_operator(notifier: TeamsNotifier, fake: FakeConnector) -> None:
    fake.fail(403, code="BotDisabledByAdmin")
    with pytest.raises(DeliveryError) as failed:
        send(notifier, PERSON, Message("x"))
    assert not failed.value.permanent and "admin" in (failed.value.operator_hint or "")


def test_no_reference_for_a_person_says_how_to_reach_them(notifier: TeamsNotifier, fake: FakeConnector) -> None:
    stranger = Destination.person(PersonRef("teams", "0b5e0000-0000-0000-0000-000000000000"))
    with pytest.raises(DeliveryError) as failed:
        send(notifier, stranger, Message("x"))
    assert failed.value.permanent and "Install for users" in failed.value.reason
    assert "e-mail address" in failed.value.reason and fake.calls == []


def test_no_reference_for_the_channel_waits_for_setup(notifier: TeamsNotifier, references: References,
                                                      fake: FakeConnector) -> None:
    del references.known[CHANNEL]
    with pytest.raises(DeliveryError) as failed:
        send(notifier, DIALOGUE, Message("x"))
    assert not failed.value.permanent and failed.value.operator_hint == "write @Dialogbot setup in the dialogue channel"


def test_a_lost_answer_is_in_doubt_and_a_server_error_is_retried(notifier: TeamsNotifier,
                                                                 fake: FakeConnector) -> None:
    fake.fail(DROP)
    with pytest.raises(DeliveryError) as lost:
        send(notifier, PERSON, Message("x"))
    assert lost.value.maybe_sent and not lost.value.permanent
    fake.fail(500)
    with pytest.raises(DeliveryError) as broken:
        send(notifier, PERSON, Message("y"))
    assert not broken.value.maybe_sent and not broken.value.permanent and not broken.value.needs_operator


def test_a_refused_message_and_a_deleted_one_fail_for_good(notifier: TeamsNotifier, fake: FakeConnector) -> None:
    fake.fail(413, code="MessageSizeTooBig")
    with pytest.raises(DeliveryError) as big:
        send(notifier, PERSON, Message("x"))
    assert big.value.permanent
    with pytest.raises(DeliveryError) as gone:
        notifier.update(to_ref(PERSONAL, "1:404"), PERSON, cast(OutgoingMessage, Message("x")))
    assert gone.value.permanent and gone.value.reason == teams_notifier.DELETED


def test_teams_cannot_be_searched_so_a_message_in_doubt_goes_out_at_most_once(notifier: TeamsNotifier) -> None:
    assert notifier.find_sent(PERSON, delivery_id=41, since=datetime(2026, 1, 1, tzinfo=UTC)) is CANNOT_TELL
    assert notifier.resend_in_doubt is False and notifier.platform == "teams"


def test_pacing_stays_within_teams_published_limits(notifier: TeamsNotifier) -> None:
    pacing = notifier.pacing
    for operations, seconds in TEAMS_LIMITS:
        sends = pacing.burst + seconds / pacing.interval.total_seconds()
        # A card changing all the time (the live tally) adds an update a second, for a while.
        updates = seconds / pacing.update_gap.total_seconds() if seconds <= 30 else 0
        assert sends + updates <= operations, (operations, seconds)
    assert pacing.update_gap == timedelta(seconds=1)


def test_message_refs_round_trip_and_stay_within_the_column() -> None:
    thread = f"{CHANNEL};messageid=1700000000123"
    assert from_ref(to_ref(thread, "1700000000124")) == (thread, "1700000000124")
    assert from_ref(to_ref(PERSONAL, "1:1700000000001")) == (PERSONAL, "1:1700000000001")
    with pytest.raises(ValueError, match="longer than"):
        to_ref("a:1" + "x" * MESSAGE_REF_LENGTH, "1")
    for junk in ("no-separator", "|17", "a:1|"):
        with pytest.raises(ValueError):
            from_ref(MessageRef(junk))


@pytest.mark.parametrize("status", [502, 504])
def test_a_gateways_error_is_in_doubt(notifier: TeamsNotifier, fake: FakeConnector, status: int) -> None:
    # The Connector behind the gateway may have posted it: at most once means not sending it again.
    fake.fail(status)
    with pytest.raises(DeliveryError) as failed:
        send(notifier, PERSON, Message("x"))
    assert failed.value.maybe_sent and not failed.value.permanent


def test_typed_text_in_a_card_less_message_is_never_a_tag(notifier: TeamsNotifier, fake: FakeConnector) -> None:
    send(notifier, PERSON, Message('plain:<a href="https://evil.example">Møte & mat</a>'))
    [sent] = fake.sent
    assert sent.text == '&lt;a href="https://evil.example"&gt;Møte &amp; mat&lt;/a&gt;'
