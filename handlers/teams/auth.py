"""Who may post activities to `/api/messages`: the Bot Connector, proven by its signed JWT, checked
with the Microsoft 365 Agents SDK's own validator (keys from Microsoft's published sets, the
audience our app id, the tenant binding). Anonymous activities are for local use only: config.py
refuses TEAMS_ANONYMOUS unless the bot listens on a loopback address."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

from jwt import PyJWKClientConnectionError, PyJWTError
from microsoft_agents.hosting.core.authorization import AgentAuthConfiguration, ClaimsIdentity
from microsoft_agents.hosting.core.authorization._entra_issuers import BOTFRAMEWORK_PUBLIC_ISSUER
from microsoft_agents.hosting.core.authorization.jwt import JwtTokenValidator

log = logging.getLogger(__name__)


class Unauthorized(Exception):  # noqa: N818 - an answer (401), not a failure of ours
    """The request did not prove it comes from the Bot Connector for this bot."""


class KeysUnavailable(Exception):  # noqa: N818 - an answer (503): the Connector tries again
    """Microsoft's signing keys could not be fetched, so no token can be checked just now."""


@dataclass(frozen=True)
class Caller:
    """Who sent an activity: the Bot Connector (its claims), or nobody proven (anonymous mode)."""

    claims: ClaimsIdentity | None

    def vouches_for(self, service_url: str | None) -> bool:
        """Whether the token was issued for the service URL the activity says to answer at: a
        token lifted from one activity must not send the bot's replies (and token) elsewhere."""
        if self.claims is None:
            return True
        claimed = self.claims.get_claim_value("serviceurl")
        # The Bot Connector's tokens always name it; a token without one was not made for an
        # activity, and the bot would answer (with its own token) wherever the activity says.
        if not claimed or not service_url:
            return False
        return _same_url(str(claimed), service_url)


class Gate:
    """Checks the Authorization header of each activity."""

    def __init__(self, *, app_id: str, tenant_id: str, anonymous: bool) -> None:
        self._anonymous = anonymous
        # Only the Bot Connector's issuer: any app of the tenant can get an Entra token for our app
        # id, which the SDK accepts unless the issuer is checked.
        self._config = AgentAuthConfiguration(client_id=app_id or None, tenant_id=tenant_id or None,
                                              anonymous_allowed=anonymous, validate_issuer=True,
                                              issuers=[BOTFRAMEWORK_PUBLIC_ISSUER])
        self._validator = JwtTokenValidator(self._config)

    def check(self, authorization: str | None) -> Caller:
        """The caller, or Unauthorized: no header (unless anonymous), a malformed or a bad token."""
        if not authorization:
            if self._anonymous:
                return Caller(None)
            raise Unauthorized("no Authorization header")
        scheme, _, token = authorization.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token or any(ch.isspace() for ch in token):
            raise Unauthorized("malformed Authorization header")
        try:
            # The SDK's validator is a coroutine; the request's own thread runs it to the end.
            claims = asyncio.run(self._validator.validate_token(token))
        except PyJWKClientConnectionError:
            # Not the caller's fault: a 401 would be final, a 503 is retried by the Connector.
            log.warning("could not fetch the Bot Framework's signing keys to check an activity")
            raise KeysUnavailable("signing keys unavailable") from None
        except (PyJWTError, ValueError, KeyError) as error:
            # The type only: the message may quote claims.
            log.warning("refused an activity: its token did not validate (%s)", type(error).__name__)
            raise Unauthorized("invalid token") from None
        return Caller(claims)


def _same_url(one: str, other: str) -> bool:
    a, b = urlsplit(one.lower()), urlsplit(other.lower())
    return (a.scheme, a.netloc, a.path.rstrip("/")) == (b.scheme, b.netloc, b.path.rstrip("/"))
