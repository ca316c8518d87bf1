"""The token check at /api/messages, with real RS256 tokens: the Agents SDK's validator reads the
signing keys from a key set served over HTTP on loopback (standing in for the Bot Framework's,
whose address the test points at it), and checks signature, audience and expiry; the service URL
the token names must be the one the activity says to answer at."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from microsoft_agents.hosting.core.authorization import _entra_issuers
from microsoft_agents.hosting.core.authorization.jwt import jwt_token_validator

from fakes.teams import activities
from handlers.teams.auth import Gate, KeysUnavailable, Unauthorized
from services.people import Destination, PersonRef, WorkspaceRef
from tests.support.teams import MEMBER, running_teams_bot

ISSUER = _entra_issuers.BOTFRAMEWORK_PUBLIC_ISSUER
APP = activities.BOT_APP_ID
TENANT = activities.TENANT_ID
SECRET = "8Xq8Q~Fh2kLm9Pq3Rs7Tv1Wx5Yz0Ab4Cd6Ef8Gh"
SERVICE_URL = "https://smba.trafficmanager.net/emea/"


class KeySet:
    """A JSON Web Key Set on loopback, and tokens signed with its key (or another one)."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = f"test-{time.monotonic_ns()}"
        public = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        body = json.dumps({"keys": [{**public, "kid": self.kid, "use": "sig", "alg": "RS256"}]}).encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the base class's name
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/keys"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def token(self, *, audience: str = APP, expires_in: int = 600, service_url: str | None = SERVICE_URL,
              key: rsa.RSAPrivateKey | None = None, issuer: str = ISSUER, **extra: str) -> str:
        now = int(time.time())
        claims = {"iss": issuer, "aud": audience, "iat": now, "nbf": now, "exp": now + expires_in, **extra}
        if service_url is not None:
            claims["serviceurl"] = service_url
        return jwt.encode(claims, key or self.key, algorithm="RS256", headers={"kid": self.kid})


@pytest.fixture
def keys(monkeypatch: pytest.MonkeyPatch) -> Iterator[KeySet]:
    found = KeySet()
    # The SDK maps the Bot Framework's issuer to its key set's address: here, ours.
    monkeypatch.setitem(_entra_issuers.BOTFRAMEWORK_JWKS_URIS, ISSUER, found.url)
    yield found
    found.close()


def _gate() -> Gate:
    return Gate(app_id=APP, tenant_id=TENANT, anonymous=False)


def test_a_token_signed_by_the_bot_framework_for_this_bot_is_accepted(keys: KeySet) -> None:
    caller = _gate().check(f"Bearer {keys.token()}")
    assert caller.claims is not None
    assert caller.vouches_for(SERVICE_URL)
    assert not caller.vouches_for("https://attacker.example/")


@pytest.mark.parametrize("case", ["another audience", "expired", "another key"])
def test_a_token_for_another_bot_expired_or_forged_is_refused(keys: KeySet, case: str) -> None:
    token = {
        "another audience": lambda: keys.token(audience="11111111-2222-4333-8444-555555555555"),
        "expired": lambda: keys.token(expires_in=-3600),  # beyond the validator's five minutes' leeway
        "another key": lambda: keys.token(key=rsa.generate_private_key(public_exponent=65537, key_size=2048)),
    }[case]()
    with pytest.raises(Unauthorized):
        _gate().check(f"Bearer {token}")


def test_the_endpoint_takes_signed_activities_and_refuses_the_rest(database_url: str, keys: KeySet) -> None:
    with running_teams_bot(database_url, TEAMS_ANONYMOUS="false", TEAMS_APP_ID=APP,
                           TEAMS_APP_PASSWORD=SECRET) as teams:
        install = activities.conversation_update(sender=MEMBER, members_added=[activities.bot()])
        # The token names the service URL the activity gives (the fake's, set by the client).
        signed = f"Bearer {keys.token(service_url=teams.connector.url)}"
        assert teams.post(install, authorization=signed)[0] == 200
        services = teams.bot.runtime.services
        where = replace(Destination.person(PersonRef("teams", str(MEMBER.aad_object_id))),
                        workspace=WorkspaceRef("teams", TENANT))
        assert services.conversations.reference(where) is not None
        # A token lifted from elsewhere, naming another service URL, is refused.
        elsewhere = f"Bearer {keys.token(service_url='https://attacker.example/')}"
        assert teams.post(install, authorization=elsewhere)[0] == 401
        expired = f"Bearer {keys.token(service_url=teams.connector.url, expires_in=-3600)}"
        assert teams.post(install, authorization=expired)[0] == 401


def test_a_token_from_the_tenants_own_sign_in_is_not_the_bot_connectors(
        keys: KeySet, monkeypatch: pytest.MonkeyPatch) -> None:
    # Any app of the tenant can get an Entra token for our app id; its keys are Entra's (here:
    # ours, wherever the SDK looks), so only the issuer tells it from the Bot Connector's.
    monkeypatch.setattr(jwt_token_validator, "_build_jwks_uri", lambda *args: keys.url)
    entra = keys.token(issuer=f"https://login.microsoftonline.com/{TENANT}/v2.0", service_url=None, tid=TENANT)
    with pytest.raises(Unauthorized):
        _gate().check(f"Bearer {entra}")


def test_a_token_that_names_no_service_url_vouches_for_none(keys: KeySet) -> None:
    caller = _gate().check(f"Bearer {keys.token(service_url=None)}")
    assert not caller.vouches_for(SERVICE_URL)


def test_keys_that_cannot_be_fetched_are_a_passing_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    # Nobody listens there: the key set cannot be fetched, which is no fault of the caller's.
    keys = KeySet()
    url = keys.url
    keys.close()
    monkeypatch.setitem(_entra_issuers.BOTFRAMEWORK_JWKS_URIS, ISSUER, url.replace("/keys", "/gone-keys"))
    with pytest.raises(KeysUnavailable):
        _gate().check(f"Bearer {keys.token()}")
