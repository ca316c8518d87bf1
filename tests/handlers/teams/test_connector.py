"""The bot's Connector client against the fake Bot Connector, over real HTTP on loopback."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from microsoft_agents.activity import (
    Activity,
    Attachment,
    ChannelAccount,
    ConversationAccount,
    ConversationReference,
)

from fakes.teams.connector import BLOCKED, DROP, STALL, FakeConnector
from handlers.teams.connector import Connector, ConnectorError, trusted_service_url

PERSONAL = "a:1mW4tbQNrlZ9bzH3lDPpMAHXsHrUoZ0oGvjpm4l2URBL1aGdkJ9Uu3hQLG8W6ZnXw5v"
CHANNEL = "19:5d1e3f7a9b2c4d6e8f0a1b3c5d7e9f1a@thread.tacv2"
APP_ID = "0f8a4a1e-2b3c-4d5e-9f60-718293a4b5c6"
TENANT = "6e1f2c3a-4b5d-4e6f-8a9b-0c1d2e3f4a5b"


@pytest.fixture
def fake() -> Iterator[FakeConnector]:
    with FakeConnector() as connector:
        yield connector


def reference(service_url: str, conversation_id: str = PERSONAL, kind: str = "personal") -> ConversationReference:
    return ConversationReference(
        activity_id="1:1699999999999",  # the incoming activity it was taken from
        user=ChannelAccount(id="29:1kari", aad_object_id="c33aafd2-646d-4a6a-a9d5-4c6fd3ed4a2a"),
        agent=ChannelAccount(id=f"28:{APP_ID}", name="Dialogbot"),
        conversation=ConversationAccount(id=conversation_id, conversation_type=kind, tenant_id=TENANT),
        channel_id="msteams",
        service_url=service_url,
    )


def connector(*, anonymous: bool = True, timeout: float = 5.0, token: str | None = None) -> Connector:
    return Connector(app_id=APP_ID, password="p@ss-word", tenant_id=TENANT, anonymous=anonymous,
                     timeout=timeout, token_provider=(lambda: token) if token else None)


def card_message() -> Activity:
    return Activity(type="message", summary="Invitasjon",
                    attachments=[Attachment(content_type="application/vnd.microsoft.card.adaptive",
                                            content={"type": "AdaptiveCard", "version": "1.5", "body": []})])


def test_send_reply_and_update_reach_the_connector(fake: FakeConnector) -> None:
    bot = connector()
    ref = reference(fake.url)
    first = bot.send(ref, card_message())
    [sent] = fake.messages_to(PERSONAL)
    assert sent.activity_id == first and sent.operation == "send"
    assert sent.activity["from"]["id"] == f"28:{APP_ID}" and sent.activity["conversation"]["id"] == PERSONAL
    assert sent.attachments[0]["contentType"] == "application/vnd.microsoft.card.adaptive"
    # A proactive message: not a reply to the activity the reference was taken from, no nulls.
    assert "replyToId" not in sent.activity and None not in sent.activity.values()
    second = bot.reply(ref, first, Activity(type="message", text="Referat"))
    assert fake.sent[-1].reply_to_id == first and fake.sent[-1].activity_id == second
    bot.update(ref, first, Activity(type="message", text="Endret"))
    assert (fake.activity(PERSONAL, first) or {})["text"] == "Endret"
    assert fake.sent[-1].operation == "update" and fake.sent[-1].activity["id"] == first


def test_channel_thread_ids_and_long_ids_arrive_intact(fake: FakeConnector) -> None:
    thread = f"{CHANNEL};messageid=1700000000123"
    connector().send(reference(fake.url, thread, "channel"), Activity(type="message", text="x"))
    long_id = "a:1" + "x" * 200  # the SDK would cut it at 150 characters
    connector().send(reference(fake.url, long_id), Activity(type="message", text="y"))
    assert [s.conversation_id for s in fake.sent] == [thread, long_id]


def test_no_token_when_anonymous_and_the_token_when_not(fake: FakeConnector) -> None:
    connector().send(reference(fake.url), Activity(type="message", text="a"))
    fake.require_token("the-token")
    connector(anonymous=False, token="the-token").send(reference(fake.url), Activity(type="message", text="b"))
    assert [s.authorization for s in fake.sent] == [None, "Bearer the-token"]
    with pytest.raises(ConnectorError) as refused:
        connector(anonymous=False, token="stale").send(reference(fake.url), Activity(type="message"))
    assert refused.value.status == 401


def test_msal_is_the_default_and_secrets_stay_out_of_sight() -> None:
    bot = Connector(app_id=APP_ID, password="p@ss-word", tenant_id=TENANT, anonymous=False)
    assert bot._msal is not None and "p@ss-word" not in repr(bot)
    assert Connector(app_id=APP_ID, password="x", tenant_id=TENANT, anonymous=True)._msal is None


def test_a_failing_token_is_a_credentials_error(fake: FakeConnector) -> None:
    def broken() -> str:
        raise ValueError("AADSTS7000215: Invalid client secret provided.")

    bot = Connector(app_id=APP_ID, password="x", tenant_id=TENANT, anonymous=False, token_provider=broken)
    with pytest.raises(ConnectorError) as failed:
        bot.send(reference(fake.url), Activity(type="message"))
    assert failed.value.credentials and not failed.value.written and fake.calls == []


def test_refusals_carry_status_code_and_retry_after(fake: FakeConnector) -> None:
    fake.fail(429, retry_after=7)
    with pytest.raises(ConnectorError) as limited:
        connector().send(reference(fake.url), Activity(type="message"))
    assert (limited.value.status, limited.value.retry_after) == (429, 7.0)
    fake.fail(403, code=BLOCKED)
    with pytest.raises(ConnectorError) as blocked:
        connector().send(reference(fake.url), Activity(type="message"))
    assert (blocked.value.status, blocked.value.code) == (403, BLOCKED)
    with pytest.raises(ConnectorError) as missing:
        connector().update(reference(fake.url), "404404", Activity(type="message"))
    assert (missing.value.status, missing.value.code) == (404, "ActivityNotFoundInConversation")


def test_a_lost_answer_is_written_and_an_unreachable_connector_is_not(fake: FakeConnector) -> None:
    fake.fail(DROP)
    with pytest.raises(ConnectorError) as dropped:
        connector().send(reference(fake.url), Activity(type="message", text="?"))
    assert dropped.value.written and dropped.value.status is None
    assert len(fake.messages_to(PERSONAL)) == 1  # it was taken
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    with pytest.raises(ConnectorError) as unreachable:
        connector().send(reference(f"http://127.0.0.1:{port}/"), Activity(type="message"))
    assert not unreachable.value.written


def test_a_stalled_answer_times_out_in_doubt(fake: FakeConnector) -> None:
    fake.fail(STALL)
    with pytest.raises(ConnectorError) as stalled:
        connector(timeout=0.3).send(reference(fake.url), Activity(type="message", text="?"))
    assert stalled.value.timed_out and stalled.value.written


def test_members_by_either_id(fake: FakeConnector) -> None:
    fake.add_member("29:1kari", name="Kari Nordmann", aad_object_id="c33aafd2-646d-4a6a-a9d5-4c6fd3ed4a2a",
                    email="kari@example.org", user_principal_name="kari@example.org")
    found = connector().member(reference(fake.url, f"{CHANNEL};messageid=17", "channel"), "29:1kari")
    assert found is not None
    assert (found["aadObjectId"], found["email"], found["userPrincipalName"]) == (
        "c33aafd2-646d-4a6a-a9d5-4c6fd3ed4a2a", "kari@example.org", "kari@example.org")
    assert connector().member(reference(fake.url), "c33aafd2-646d-4a6a-a9d5-4c6fd3ed4a2a") is not None
    assert connector().member(reference(fake.url), "29:1stranger") is None
    fake.fail(500, operations=["member"])
    with pytest.raises(ConnectorError) as failed:
        connector().member(reference(fake.url), "29:1kari")
    assert failed.value.status == 500


def test_a_reference_without_a_service_url_is_refused() -> None:
    ref = reference("https://x/").model_copy(update={"service_url": None})
    with pytest.raises(ConnectorError):
        connector().send(ref, Activity(type="message"))


def test_the_bots_token_goes_only_to_the_bot_connector() -> None:
    assert trusted_service_url("https://smba.trafficmanager.net/emea/")
    assert trusted_service_url("http://127.0.0.1:8080/")
    assert not trusted_service_url("https://attacker.example/")
    assert not trusted_service_url("http://smba.trafficmanager.net/emea/")
    assert not trusted_service_url("https://smba.trafficmanager.net.attacker.example/")
