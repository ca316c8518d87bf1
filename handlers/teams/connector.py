"""The bot's client to the Bot Framework Connector (the REST API behind each activity's `serviceUrl`):
send, reply, update, and look a member up, synchronously for Flask's and the scheduler's threads.

Each call runs the Microsoft 365 Agents SDK's async `ConnectorClient` on an event loop of its own
(`asyncio.run`), with a fresh aiohttp session closed afterwards and a deadline for the whole call,
token included. Failures come out as one `ConnectorError` that says what the Connector answered
(status, Bot Framework error code, `Retry-After`) or, when it answered nothing, whether the request
had already gone out (`written`): only then may the Connector have taken it.

The token is the bot's own (client credentials for `https://api.botframework.com/.default`, from
MSAL, cached by it); in anonymous mode (the local Agents Playground, tests) no token is sent and
MSAL is never asked. Neither the token nor the password is ever logged.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit

import aiohttp
from microsoft_agents.activity import Activity, ConversationReference
from microsoft_agents.authentication.msal import MsalAuth
from microsoft_agents.hosting.core.authorization import AgentAuthConfiguration
from microsoft_agents.hosting.core.connector.client import ConnectorClient

log = logging.getLogger(__name__)

T = TypeVar("T")

BOT_FRAMEWORK = "https://api.botframework.com"
SCOPE = f"{BOT_FRAMEWORK}/.default"
# The SDK cuts conversation ids at 150 characters by default; Teams' may be longer, and a cut id
# names another conversation (or none), so the cut is moved out of reach.
_MAX_CONVERSATION_ID = 1000
_CONNECT_TIMEOUT = 5.0


class ConnectorError(Exception):
    """A Connector call failed.

    `status` is the HTTP status the Connector answered (None: no answer), `code` its Bot Framework
    error code (`ConversationBlockedByUser`, ...), `retry_after` its `Retry-After` in seconds.
    Without an answer, `written` says whether the request had gone out (the Connector may have
    taken it), and `credentials` that the bot's own token could not be had."""

    def __init__(self, description: str, *, status: int | None = None, code: str | None = None,
                 retry_after: float | None = None, written: bool = False, timed_out: bool = False,
                 credentials: bool = False) -> None:
        super().__init__(description)
        self.description = description
        self.status = status
        self.code = code
        self.retry_after = retry_after
        self.written = written
        self.timed_out = timed_out
        self.credentials = credentials


class Connector:
    """Talks to the Bot Connector of each conversation (its `serviceUrl`) as this bot."""

    def __init__(self, *, app_id: str, password: str, tenant_id: str, anonymous: bool,
                 timeout: float = 10.0, token_provider: Callable[[], str] | None = None) -> None:
        self._app_id = app_id
        self._anonymous = anonymous
        self._timeout = timeout
        self._token_provider = token_provider
        self._msal: MsalAuth | None = None
        if not anonymous and token_provider is None:
            # Single-tenant: the token comes from the bot's own tenant.
            self._msal = MsalAuth(AgentAuthConfiguration(client_id=app_id, tenant_id=tenant_id,
                                                         client_secret=password, scopes=[SCOPE]))

    def __repr__(self) -> str:
        return f"Connector(app_id={self._app_id!r}, anonymous={self._anonymous}, timeout={self._timeout:g})"

    def send(self, reference: ConversationReference, activity: Activity) -> str:
        """Post `activity` to the reference's conversation; the new activity's id."""
        outgoing = _addressed(activity, reference)
        conversation = reference.conversation.id

        async def call(client: ConnectorClient, session: aiohttp.ClientSession) -> str:
            return _id_of(await client.conversations.send_to_conversation(conversation, outgoing))

        return self._run(reference, call)

    def reply(self, reference: ConversationReference, reply_to_id: str, activity: Activity) -> str:
        """Post `activity` as a reply to `reply_to_id` in the reference's conversation; its id."""
        outgoing = _addressed(activity, reference)
        outgoing.reply_to_id = reply_to_id
        conversation = reference.conversation.id

        async def call(client: ConnectorClient, session: aiohttp.ClientSession) -> str:
            return _id_of(await client.conversations.reply_to_activity(conversation, reply_to_id, outgoing))

        return self._run(reference, call)

    def update(self, reference: ConversationReference, activity_id: str, activity: Activity) -> None:
        """Replace the activity `activity_id` in the reference's conversation with `activity`."""
        outgoing = _addressed(activity, reference)
        outgoing.id = activity_id
        conversation = reference.conversation.id

        async def call(client: ConnectorClient, session: aiohttp.ClientSession) -> None:
            await client.conversations.update_activity(conversation, activity_id, outgoing)

        self._run(reference, call)

    def member(self, reference: ConversationReference, member_id: str) -> dict[str, Any] | None:
        """A member of the reference's conversation (by `29:` id or Entra object id) as the
        Connector describes them (id, name, aadObjectId, userPrincipalName, email...); None if
        the Connector does not know them there."""
        path = (f"v3/conversations/{quote(reference.conversation.id, safe='')}"
                f"/members/{quote(member_id, safe='')}")

        async def call(client: ConnectorClient, session: aiohttp.ClientSession) -> dict[str, Any] | None:
            # Straight through the session: the SDK's model would drop the e-mail and the UPN.
            async with session.get(path) as response:
                if response.status == 404:
                    return None
                body = await response.text()
                if response.status != 200:
                    raise aiohttp.ClientResponseError(response.request_info, response.history,
                                                      status=response.status, message=body,
                                                      headers=response.headers)
                found = json.loads(body or "null")
                return found if isinstance(found, dict) else None

        return self._run(reference, call)

    # The machinery of one call

    def _run(self, reference: ConversationReference,
             call: Callable[[ConnectorClient, aiohttp.ClientSession], Awaitable[T]]) -> T:
        service_url = str(reference.service_url or "")
        if not service_url.startswith(("https://", "http://")):
            raise ConnectorError("the conversation reference has no serviceUrl", status=None)
        if not service_url.endswith("/"):
            service_url += "/"
        if not self._anonymous and not trusted_service_url(service_url):
            # The bot's token goes with every call: only to the Bot Connector's own hosts.
            raise ConnectorError(f"refused to send the bot's token to {urlsplit(service_url).hostname}: "
                                 "not a Bot Connector address", status=None, credentials=True)
        state = {"written": False}
        try:
            return asyncio.run(asyncio.wait_for(self._call(service_url, call, state), self._timeout))
        except ConnectorError:
            raise
        except aiohttp.ClientResponseError as error:
            raise _answered(error) from None
        except aiohttp.ConnectionTimeoutError:
            raise ConnectorError("timed out connecting to the Bot Connector", timed_out=True) from None
        except aiohttp.ClientConnectorError as error:
            raise ConnectorError(f"cannot reach the Bot Connector: {error.os_error}") from None
        except (TimeoutError, aiohttp.ServerTimeoutError):
            raise ConnectorError(f"no answer from the Bot Connector within {self._timeout:g} s",
                                 written=state["written"], timed_out=True) from None
        except (aiohttp.ClientError, OSError) as error:
            raise ConnectorError(f"the connection to the Bot Connector failed: {type(error).__name__}",
                                 written=state["written"]) from None

    async def _call(self, service_url: str,
                    call: Callable[[ConnectorClient, aiohttp.ClientSession], Awaitable[T]],
                    state: dict[str, bool]) -> T:
        token = await self._token()

        async def headers_sent(session: aiohttp.ClientSession, context: Any, params: Any) -> None:
            state["written"] = True

        trace = aiohttp.TraceConfig()
        trace.on_request_headers_sent.append(headers_sent)
        timeout = aiohttp.ClientTimeout(total=self._timeout, connect=min(self._timeout, _CONNECT_TIMEOUT))
        async with aiohttp.ClientSession(base_url=service_url, timeout=timeout,
                                         trace_configs=[trace]) as session:
            client = ConnectorClient(service_url, token, session=session)
            conversations = client.conversations
            if hasattr(conversations, "_max_conversation_id_length"):
                conversations._max_conversation_id_length = _MAX_CONVERSATION_ID
            return await call(client, session)

    async def _token(self) -> str:
        if self._anonymous:
            return ""
        try:
            if self._token_provider is not None:
                return self._token_provider()
            assert self._msal is not None
            return await self._msal.get_access_token(BOT_FRAMEWORK, [SCOPE])
        except Exception as error:
            # MSAL's message names the failure (a wrong secret, an unknown app), never the secret.
            raise ConnectorError(f"cannot get the bot's token: {str(error)[:200]}",
                                 credentials=True) from None


# Where Microsoft's Bot Connector answers (public cloud and US Government), and this machine (tests).
_CONNECTOR_HOSTS = (".trafficmanager.net", ".botframework.com", ".botframework.us", ".teams.microsoft.com",
                    ".teams.microsoft.us", ".infra.gov.teams.microsoft.us")
_LOOPBACK = ("127.0.0.1", "localhost", "::1")


def trusted_service_url(service_url: str) -> bool:
    """Whether a conversation's service URL is the Bot Connector's (https on one of its hosts) or
    on this machine: the only places the bot's token may be sent."""
    parts = urlsplit(service_url)
    host = (parts.hostname or "").lower()
    if host in _LOOPBACK:
        return True
    return parts.scheme == "https" and host.endswith(_CONNECTOR_HOSTS)


def _addressed(activity: Activity, reference: ConversationReference) -> Activity:
    """A copy of `activity` from the bot, in the reference's conversation (a proactive message:
    not a reply to the activity the reference was taken from)."""
    outgoing = activity.model_copy(deep=True)
    outgoing.apply_conversation_reference(reference.model_copy(update={"activity_id": None}))
    # What the reference lacks (a locale) would otherwise go out as null.
    for name in [name for name in outgoing.model_fields_set if getattr(outgoing, name) is None]:
        outgoing.model_fields_set.discard(name)
    return outgoing


def _id_of(response: Any) -> str:
    activity_id = getattr(response, "id", None)
    if not activity_id:
        raise ConnectorError("the Bot Connector took the activity but gave no id", written=True)
    return str(activity_id)


def _answered(error: aiohttp.ClientResponseError) -> ConnectorError:
    """The Connector's refusal, with its Bot Framework error code and Retry-After."""
    code = None
    message = ""
    try:
        body = json.loads(error.message)
        if isinstance(body, dict):
            detail = body.get("error")
            if isinstance(detail, dict):
                code = str(detail.get("code") or "") or None
                message = str(detail.get("message") or "")
            else:
                message = str(body.get("message") or "")
    except (TypeError, ValueError):
        message = error.message if error.message and len(error.message) < 200 else ""
    headers = error.headers or {}
    retry_after = _retry_after(headers.get("Retry-After")) if hasattr(headers, "get") else None
    said = " ".join(part for part in (str(error.status), code or "", message[:200]) if part)
    return ConnectorError(f"the Bot Connector answered {said}", status=error.status, code=code,
                          retry_after=retry_after, written=True)


def _retry_after(value: str | None) -> float | None:
    """`Retry-After` in seconds: a number of seconds, or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
