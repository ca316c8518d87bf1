"""The fake identity platform and Graph: discovery, the client credentials grant, createOrGet's
idempotency by externalId, recording, injected failures, and TLS for MSAL."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import ssl
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from fakes.teams.graph import GRAPH_SCOPE, NO_POLICY, FakeGraph

TENANT = "8d3f2a10-4b5c-4d6e-9f70-112233445566"
CLIENT = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
SECRET = "s3cr3t~value.not-for-logs"
ORGANIZER = "0f0e0d0c-0b0a-4909-8807-060504030201"


def tls_for_loopback(folder: Path) -> tuple[ssl.SSLContext, str]:
    """A server context with a self-signed certificate for 127.0.0.1, and the certificate's path
    for clients to trust (MSAL speaks only https)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            # What strict verification (Python 3.13's default for clients) asks of a self-signed CA.
            .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=False,
                                         content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, encipher_only=False,
                                         decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "graph-cert.pem", folder / "graph-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    return context, str(cert_path)


@pytest.fixture
def fake() -> Iterator[FakeGraph]:
    with FakeGraph(client_id=CLIENT, client_secret=SECRET, tenant=TENANT) as graph:
        yield graph


def call(url: str, *, form: dict[str, str] | None = None, body: Any = None, token: str | None = None,
         context: ssl.SSLContext | None = None) -> tuple[int, dict[str, str], dict[str, Any]]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    data = None
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    elif body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=data, headers=headers, method="POST" if data else "GET")
    try:
        with urllib.request.urlopen(request, timeout=5, context=context) as answer:
            return answer.status, dict(answer.headers), json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read())


def token(fake: FakeGraph, secret: str = SECRET) -> tuple[int, dict[str, Any]]:
    status, _, body = call(f"{fake.url}/{TENANT}/oauth2/v2.0/token", form={
        "grant_type": "client_credentials", "client_id": CLIENT, "client_secret": secret, "scope": GRAPH_SCOPE})
    return status, body


def create(fake: FakeGraph, access: str, external: str | None = "key-1", **extra: str) -> tuple[int, dict, dict]:
    body = {"subject": "Winter shelter", "startDateTime": "2026-03-24T09:00:00Z",
            "endDateTime": "2026-03-24T10:00:00Z", **extra}
    if external is not None:
        body["externalId"] = external
    return call(f"{fake.graph_url}/users/{ORGANIZER}/onlineMeetings/createOrGet", body=body, token=access)


def test_discovery_names_the_token_endpoint(fake: FakeGraph) -> None:
    status, _, body = call(f"{fake.url}/{TENANT}/v2.0/.well-known/openid-configuration")
    assert status == 200
    assert body["token_endpoint"] == f"{fake.url}/{TENANT}/oauth2/v2.0/token"
    assert call(f"{fake.url}/another/v2.0/.well-known/openid-configuration")[0] == 400


def test_client_credentials_give_a_token_and_a_wrong_secret_none(fake: FakeGraph) -> None:
    status, body = token(fake)
    assert status == 200 and body["token_type"] == "Bearer" and body["access_token"]
    status, body = token(fake, "wrong")
    assert status == 401 and body["error"] == "invalid_client" and "access_token" not in body


def test_create_or_get_is_idempotent_by_external_id(fake: FakeGraph) -> None:
    access = token(fake)[1]["access_token"]
    first_status, _, first = create(fake, access, "key-1")
    again_status, _, again = create(fake, access, "key-1", subject="Renamed")
    other_status, _, other = create(fake, access, "key-2")
    assert (first_status, again_status, other_status) == (201, 200, 201)
    assert again == first and again["subject"] == "Winter shelter"
    assert other["joinWebUrl"] != first["joinWebUrl"]
    assert first["joinWebUrl"].startswith("https://teams.microsoft.com/l/meetup-join/")
    assert [m["externalId"] for m in fake.meetings(ORGANIZER)] == ["key-1", "key-2"]
    recorded = [r for r in fake.requests if r.path.endswith("/createOrGet")]
    assert recorded[0].path == f"/v1.0/users/{ORGANIZER}/onlineMeetings/createOrGet"
    assert recorded[0].body["externalId"] == "key-1"
    assert recorded[0].headers["authorization"] == f"Bearer {access}"


def test_graph_refuses_unknown_tokens_and_a_missing_external_id(fake: FakeGraph) -> None:
    assert create(fake, "made-up")[0] == 401
    access = token(fake)[1]["access_token"]
    status, _, body = create(fake, access, None)
    assert status == 400 and body["error"]["code"] == "BadRequest"
    assert fake.meetings(ORGANIZER) == []


def test_injected_failures_come_first_then_it_works(fake: FakeGraph) -> None:
    access = token(fake)[1]["access_token"]
    fake.fail(429, retry_after=7)
    fake.fail(403)
    status, headers, body = create(fake, access)
    assert status == 429 and headers["Retry-After"] == "7"
    status, _, body = create(fake, access)
    assert status == 403 and body["error"]["message"] == NO_POLICY
    assert create(fake, access)[0] == 201


def test_it_serves_tls_when_given_a_context(tmp_path: Path) -> None:
    context, ca = tls_for_loopback(tmp_path)
    with FakeGraph(client_id=CLIENT, client_secret=SECRET, tenant=TENANT, ssl_context=context) as graph:
        assert graph.url.startswith("https://127.0.0.1:")
        client = ssl.create_default_context(cafile=ca)
        status, _, body = call(f"{graph.url}/{TENANT}/v2.0/.well-known/openid-configuration", context=client)
        assert status == 200 and body["token_endpoint"].startswith("https://")
