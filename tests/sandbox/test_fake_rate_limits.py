"""The fake Slack's opt-in rate limits, exercised through a real slack_sdk WebClient (no retries).

The fake's clock is a hand-driven one here, so bursts and refills are exact.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from fakes.slack import (
    METHOD_RATE_LIMITS,
    POST_MESSAGE_PER_CHANNEL,
    POST_MESSAGE_WORKSPACE,
    TIER_3,
    TIER_4,
    FakeSlack,
)

CHANNEL = "C0DIALOG"
OTHER = "C0OTHER"
ANN = "U0ANN"
BO = "U0BO"
MANY = [f"U0MANY{n:03d}" for n in range(40)]


class Clock:
    """Seconds since the epoch, moved by hand."""

    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def fake(clock: Clock) -> Iterator[FakeSlack]:
    slack = FakeSlack(clock=clock, enforce_rate_limits=True)
    slack.add_channel(CHANNEL, "dialog")
    slack.add_channel(OTHER, "other")
    for user in (ANN, BO, *MANY):
        slack.add_user(user)
    slack.start()
    try:
        yield slack
    finally:
        slack.stop()
        assert slack.violations == []


@pytest.fixture
def client(fake: FakeSlack) -> WebClient:
    return WebClient(token=fake.bot_token, base_url=fake.api_url, timeout=10, retry_handlers=[])


def post(client: WebClient, channel: str, text: str = "hello") -> None:
    client.chat_postMessage(channel=channel, text=text)


def refused(call) -> SlackApiError:  # noqa: ANN001 - any zero-argument call
    """The SlackApiError a rate-limited call raises, checked to look exactly like Slack's 429."""
    with pytest.raises(SlackApiError) as excinfo:
        call()
    response = excinfo.value.response
    assert response.status_code == 429
    assert response.data == {"ok": False, "error": "ratelimited"}
    retry_after = {k.lower(): v for k, v in response.headers.items()}["retry-after"]
    assert retry_after.isdigit() and int(retry_after) >= 1
    return excinfo.value


def retry_after(error: SlackApiError) -> int:
    return int({k.lower(): v for k, v in error.response.headers.items()}["retry-after"])


def test_limits_are_off_unless_asked_for(clock: Clock) -> None:
    with FakeSlack(clock=clock) as fake:
        fake.add_channel(CHANNEL, "dialog")
        client = WebClient(token=fake.bot_token, base_url=fake.api_url, retry_handlers=[])
        assert fake.rate_limits_enabled is False
        for n in range(20):
            post(client, CHANNEL, f"m{n}")
        assert len(fake.messages(CHANNEL)) == 20
        assert fake.rate_limited_counts() == {}


def test_a_channel_takes_a_short_burst_then_429_with_retry_after(fake: FakeSlack, client: WebClient) -> None:
    assert POST_MESSAGE_PER_CHANNEL.burst == 3
    for n in range(3):
        post(client, CHANNEL, f"m{n}")
    error = refused(lambda: post(client, CHANNEL, "one too many"))
    assert retry_after(error) == 1  # one message per second per channel
    # The refused call is recorded but has no effect.
    assert [m["text"] for m in fake.messages(CHANNEL)] == ["m0", "m1", "m2"]
    assert fake.calls_to("chat.postMessage")[-1].params["text"] == "one too many"
    assert fake.rate_limited_counts() == {"chat.postMessage": 1}


def test_the_channel_refills_at_one_message_a_second_up_to_the_burst(
    fake: FakeSlack, client: WebClient, clock: Clock
) -> None:
    for n in range(3):
        post(client, CHANNEL, f"m{n}")
    clock.advance(0.5)
    refused(lambda: post(client, CHANNEL))
    clock.advance(0.5)
    post(client, CHANNEL, "after a second")
    refused(lambda: post(client, CHANNEL))
    clock.advance(60)  # a long pause refills to the burst, no more
    for n in range(3):
        post(client, CHANNEL, f"later {n}")
    refused(lambda: post(client, CHANNEL))
    assert len(fake.messages(CHANNEL)) == 7
    assert fake.rate_limited_counts() == {"chat.postMessage": 3}


def test_channels_are_limited_independently_and_a_user_id_is_its_dm(
    fake: FakeSlack, client: WebClient
) -> None:
    for _ in range(3):
        post(client, CHANNEL)
    refused(lambda: post(client, CHANNEL))
    for _ in range(3):
        post(client, OTHER)
    # A DM posted to the user id and to the D… id is the same conversation, the same bucket.
    post(client, ANN)
    post(client, fake.dm_channel_id(ANN))
    post(client, ANN)
    refused(lambda: post(client, fake.dm_channel_id(ANN)))
    post(client, BO)
    assert len(fake.dms(ANN)) == 3 and len(fake.dms(BO)) == 1 and len(fake.messages(OTHER)) == 3
    assert fake.message_counts() == {CHANNEL: 3, OTHER: 3, fake.dm_channel_id(ANN): 3, fake.dm_channel_id(BO): 1}


def test_chat_post_message_also_has_a_workspace_wide_cap(
    fake: FakeSlack, client: WebClient, clock: Clock
) -> None:
    burst = POST_MESSAGE_WORKSPACE.burst
    destinations = [channel for user in MANY for channel in (user, user, user)]
    for channel in destinations[:burst]:
        post(client, channel)
    fresh = next(u for u in MANY if not fake.dms(u))
    error = refused(lambda: post(client, fresh))  # a channel with tokens left, but the workspace is out
    assert retry_after(error) == 1
    clock.advance(60 / POST_MESSAGE_WORKSPACE.per_minute)
    post(client, fresh)
    refused(lambda: post(client, fresh))
    assert sum(len(fake.dms(u)) for u in MANY) == burst + 1


def test_tier_methods_have_a_bucket_per_method(fake: FakeSlack, client: WebClient, clock: Clock) -> None:
    assert METHOD_RATE_LIMITS["users.info"] == TIER_4 and METHOD_RATE_LIMITS["chat.update"] == TIER_3
    for _ in range(TIER_4.burst):
        client.users_info(user=ANN)
    error = refused(lambda: client.users_info(user=ANN))
    assert retry_after(error) == 1  # 100 a minute: the next token in 0.6 s

    # chat.update has its own bucket (Tier 3), untouched by users.info.
    ts = client.chat_postMessage(channel=CHANNEL, text="v0")["ts"]
    for n in range(TIER_3.burst):
        client.chat_update(channel=CHANNEL, ts=ts, text=f"v{n + 1}")
    error = refused(lambda: client.chat_update(channel=CHANNEL, ts=ts, text="not applied"))
    assert retry_after(error) == 2  # 50 a minute: the next token in 1.2 s
    [message] = fake.messages(CHANNEL)
    assert message["text"] == f"v{TIER_3.burst}" and message["edited"] == TIER_3.burst

    clock.advance(1.2)
    client.chat_update(channel=CHANNEL, ts=ts, text="after the wait")
    assert fake.messages(CHANNEL)[0]["text"] == "after the wait"
    assert fake.rate_limited_counts() == {"users.info": 1, "chat.update": 1}


def test_auth_and_argument_errors_come_before_the_limit(fake: FakeSlack, client: WebClient) -> None:
    for _ in range(3):
        post(client, CHANNEL)
    with pytest.raises(SlackApiError) as wrong:
        WebClient(token="xoxb-wrong", base_url=fake.api_url, retry_handlers=[]).chat_postMessage(
            channel=CHANNEL, text="x")
    assert wrong.value.response.status_code == 200 and wrong.value.response["error"] == "invalid_auth"
    with pytest.raises(SlackApiError) as unknown:
        post(client, "C0NOWHERE")
    assert unknown.value.response["error"] == "channel_not_found"
    assert fake.rate_limited_counts() == {}
    assert fake.violations == ["chat.postMessage: the token sent is not the bot token"]
    fake.reset()  # the wrong token was on purpose


def test_switching_limits_on_and_off_and_reset(fake: FakeSlack, client: WebClient) -> None:
    for _ in range(3):
        post(client, CHANNEL)
    refused(lambda: post(client, CHANNEL))
    fake.set_rate_limits(False)
    assert fake.rate_limits_enabled is False
    for _ in range(10):
        post(client, CHANNEL)
    fake.set_rate_limits(True)  # buckets start full again
    for _ in range(3):
        post(client, CHANNEL)
    refused(lambda: post(client, CHANNEL))
    assert fake.rate_limited_counts() == {"chat.postMessage": 2}
    fake.reset()
    assert fake.rate_limited_counts() == {} and fake.rate_limits_enabled is True
    for _ in range(3):
        post(client, CHANNEL)


def test_injected_429s_are_counted_too(fake: FakeSlack, client: WebClient) -> None:
    fake.fail_next("users.info", retry_after=7)
    error = refused(lambda: client.users_info(user=ANN))
    assert retry_after(error) == 7
    assert fake.rate_limited_counts() == {"users.info": 1}
