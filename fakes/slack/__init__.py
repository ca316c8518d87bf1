"""A fake of Slack's Web API, served over real HTTP on the loopback interface.

Where things are:

* ``fake.py``: :class:`FakeSlack`, the object tests hold: serving, dispatch, spec checks per call.
* ``openapi.py``: finding and reading Slack's OpenAPI spec (the trimmed copy is in ``spec/``).
* ``blockkit.py``, ``mentions.py``: Block Kit rules and special-mention checks.
* ``http.py``, ``websocket.py``, ``socket_mode.py``: the loopback server, RFC 6455, Socket Mode.
* ``ratelimits.py``: Slack's published tiers as token buckets.
* ``state.py``, ``messages.py``, ``views.py``, ``directory.py``, ``response_urls.py``: the
  workspace and the Web API methods, grouped as Slack groups them.
* ``requests.py`` and ``payloads/``: signed requests to the bot, as Slack sends them.

The fake is for tests, benchmarks and the browser sandbox only: import-linter forbids the
services, storage, scheduling and handlers to import it, and ``tests/test_architecture.py``
checks that starting a real bot never loads it.


The bot's ``slack_sdk.WebClient`` talks to it through ``base_url`` (``SLACK_API_URL``), so
everything between the bot and "Slack" is real: JSON and form encoding, the
``Authorization`` header, HTTP status codes and ``Retry-After``.

Every call is checked against Slack's published OpenAPI (Swagger 2.0) description of the
Web API and against Block Kit rules (``slack_sdk.models`` plus the surface limits Slack
enforces). Problems are answered the way Slack would answer them *and* recorded in
:attr:`FakeSlack.violations`, so a test can assert that a whole scenario was clean.
A live special mention (``<!channel>``, ``<!here>``, ``<!everyone>``, ``<!subteam^…>``) in any
text Slack would show, in any call or response_url post, is recorded as a violation too: the bot
never sends one, so it can only have come from what someone typed.

State model (deliberately small, documented because tests rely on it):

* Channels exist only after :meth:`FakeSlack.add_channel`; the bot is a member of each.
* Every user added with :meth:`FakeSlack.add_user` (and the bot user) has a direct-message
  channel ``"D" + user_id``. ``chat.postMessage`` and ``chat.postEphemeral`` accept a user
  id (``U…``/``W…``) and post into that DM, answering with the ``D…`` id, as Slack does.
  Methods that address an existing message or history (``chat.update``, ``chat.delete``,
  ``conversations.history``/``replies``/``info``) need the conversation id, as on Slack.
* Posting to an unknown channel or user answers ``channel_not_found``.
* Message timestamps come from a clock (``time.time`` by default) and are unique and
  strictly increasing, formatted like Slack's (``"1700000000.000100"``).
* ``conversations.history`` lists top-level messages (thread replies only when they were
  broadcast), newest first, and includes ``metadata`` only with ``include_all_metadata``;
  ``conversations.replies`` lists a thread.
* ``chat.update`` keeps fields that are left out (an empty ``blocks`` array clears them).
* ``action_id`` must be unique within its block (Slack's documented rule) and ``block_id``
  within the message or view; ``FakeSlack(action_id_scope="surface")`` is stricter.
* A ``trigger_id`` can be used once (``exchanged_trigger_id``); expiry is not modelled.
* A response_url (:meth:`FakeSlack.response_url`) is only recorded: posts to it do not
  change messages.
* Blocks are stored as sent: Slack's generated ``block_id`` values are not added.

Socket Mode (documented here because tests rely on it):

* ``apps.connections.open`` accepts only the app-level token (:attr:`FakeSlack.app_token`),
  and only in the ``Authorization`` header, as Slack documents; the bot token answers
  ``not_allowed_token_type``, and so does the app token on every other method. The method
  is newer than the published spec, so its (empty) parameter list is declared in
  :data:`EXTRA_OPERATIONS` and checked like any other method's.
* It answers ``ws://127.0.0.1:<port>/socket?ticket=<n>``: the WebSocket endpoint is on the
  same loopback HTTP server as the Web API. Each ticket opens one connection.
* The endpoint is a minimal RFC 6455 server: handshake (``Sec-WebSocket-Accept``), text
  frames both ways (client frames must be masked; fragmented messages are reassembled),
  ping answered with pong, close answered with close. Binary frames, unmasked frames and
  other protocol errors close the connection (1002/1003/1007/1009) and are violations.
* On connect the client gets Slack's ``hello`` message. :meth:`FakeSlack.push_envelope`
  sends an envelope to the newest open connection (Slack picks one of the app's
  connections); every text message the client sends must be an acknowledgement
  ``{"envelope_id", "payload"?}`` of an envelope it was sent, once. Acks are recorded in
  :attr:`FakeSlack.socket_acks` as sent; a slash command ack's ``payload`` is checked like
  a message. The 3-second ack deadline is not enforced.
* :meth:`FakeSlack.disconnect_sockets` closes connections from the server side, optionally
  after Slack's ``disconnect`` message, so a client's reconnection can be tested.

Rate limits (opt-in: ``FakeSlack(enforce_rate_limits=True)`` or
:meth:`FakeSlack.set_rate_limits`; off by default):

* Each method has a token bucket per app per workspace, sized from Slack's published tier
  (:data:`METHOD_RATE_LIMITS`): a burst of up to one minute's allowance, refilled steadily.
  ``chat.postMessage`` (Slack's "special" tier) has a bucket per channel, a user id counting
  as its DM channel, plus a workspace-wide one (:data:`POST_MESSAGE_PER_CHANNEL`,
  :data:`POST_MESSAGE_WORKSPACE`).
* A call over a limit is answered as Slack answers it: HTTP 429, ``Retry-After`` in whole
  seconds (at least 1: when the next call would succeed), ``{"ok": false, "error":
  "ratelimited"}``. It is recorded in :attr:`FakeSlack.calls` but has no effect and takes no
  token. :meth:`FakeSlack.rate_limited_counts` counts the 429s served, per method.
* Time is the fake's ``clock``, so a test can drive refills. Limits are checked after the
  token and arguments (an invalid call is refused for that, not counted against a limit).
  Enabling the limits, and :meth:`FakeSlack.reset`, start every bucket full.
* Method ids that the tier table does not name are not limited.

Only the standard library and ``slack_sdk`` are used, so the module can also back a local
browser sandbox.
"""

from fakes.slack.blockkit import block_problems, message_problems, view_problems
from fakes.slack.common import API_PREFIX, RESPONSE_PREFIX, RESPONSE_URL_FAILURES, SOCKET_PATH, Call
from fakes.slack.fake import FakeSlack
from fakes.slack.mentions import special_mention_problems
from fakes.slack.openapi import EXTRA_OPERATIONS, VENDORED_SPEC, SpecNotFoundError, find_spec
from fakes.slack.ratelimits import (
    METHOD_RATE_LIMITS,
    POST_MESSAGE_PER_CHANNEL,
    POST_MESSAGE_WORKSPACE,
    TIER_1,
    TIER_2,
    TIER_3,
    TIER_4,
    RateLimit,
)
from fakes.slack.requests import (
    FIXTURES,
    FORM,
    JSON,
    Response,
    SlackRequester,
    load_fixture,
    slash_command_payload,
)

__all__ = [
    "API_PREFIX", "EXTRA_OPERATIONS", "FIXTURES", "FORM", "JSON", "METHOD_RATE_LIMITS",
    "POST_MESSAGE_PER_CHANNEL", "POST_MESSAGE_WORKSPACE", "RESPONSE_PREFIX", "RESPONSE_URL_FAILURES",
    "SOCKET_PATH", "TIER_1", "TIER_2", "TIER_3", "TIER_4", "VENDORED_SPEC", "Call", "FakeSlack",
    "RateLimit", "Response", "SlackRequester", "SpecNotFoundError", "block_problems", "find_spec",
    "load_fixture", "message_problems", "slash_command_payload", "special_mention_problems",
    "view_problems",
]
