"""Teams online meetings through Microsoft Graph: the `OnlineMeetings` port of
`services.meeting_links`, app-only (client credentials through MSAL), each meeting made with
`createOrGet` on the organiser's behalf so that the same key never makes a second one.

The app registration needs the application permission `OnlineMeetings.ReadWrite.All` with admin
consent, and a Teams application access policy that names the app and is granted to the organiser
(`New-CsApplicationAccessPolicy`, `Grant-CsApplicationAccessPolicy`); without the policy Graph
answers 403. Tokens and the client secret are never logged.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote

import msal
import requests

from config import GraphSettings
from services.meeting_links import LinkNotMade

log = logging.getLogger(__name__)

SCOPE = "https://graph.microsoft.com/.default"
PERMISSION = "OnlineMeetings.ReadWrite.All"
POLICY_HINT = (
    "Graph refused to make online meetings for the organiser (GRAPH_ORGANIZER). Give the app "
    f"registration the application permission {PERMISSION} with admin consent, and allow it to act "
    "for the organiser with a Teams application access policy: New-CsApplicationAccessPolicy "
    "-Identity Dialogbot -AppIds <GRAPH_CLIENT_ID>, then Grant-CsApplicationAccessPolicy -PolicyName "
    "Dialogbot -Identity <the organiser's object ID> (it can take up to an hour to apply)."
)
ORGANIZER_HINT = ("Graph does not know the organiser: set GRAPH_ORGANIZER to the object ID (or the user "
                  "principal name) of a licensed Teams user in the tenant.")
CREDENTIALS_HINT = "Check GRAPH_TENANT_ID, GRAPH_CLIENT_ID and GRAPH_CLIENT_SECRET (it may have expired)."
BUSY_WAIT = timedelta(seconds=30)
class GraphError(LinkNotMade):
    """Graph, or signing in to it, made no online meeting this time (the message says why)."""


class GraphMeetings:
    """Makes Teams online meetings organised by `settings.organizer`; the port the service calls."""

    def __init__(self, settings: GraphSettings, *, timeout: float = 10.0,
                 token_provider: Callable[[], str] | None = None, ca_bundle: str | None = None) -> None:
        self._settings = settings
        self._timeout = timeout
        # For a private CA (a TLS-inspecting proxy, or the fake in tests); None: the system's.
        self._verify: str | bool = ca_bundle or True
        self._token_provider = token_provider or self._token
        self._app: msal.ConfidentialClientApplication | None = None
        self._lock = threading.Lock()
        self._http = requests.Session()

    def create(self, subject: str, starts_at: datetime, ends_at: datetime, *, key: str) -> str:
        """The join URL of the online meeting for `key` (made now, or the one made before)."""
        token = self._token_provider()
        organizer = quote(self._settings.organizer, safe="@")
        url = f"{self._settings.api_url}/users/{organizer}/onlineMeetings/createOrGet"
        body = {"externalId": key, "subject": subject,
                "startDateTime": _utc(starts_at), "endDateTime": _utc(ends_at)}
        try:
            answer = self._http.post(url, json=body, timeout=self._timeout, verify=self._verify, headers={
                "Authorization": f"Bearer {token}", "Accept": "application/json"})
        except requests.RequestException as error:
            raise GraphError(f"Graph could not be reached ({type(error).__name__})") from None
        if answer.status_code in (200, 201):
            link = _json(answer).get("joinWebUrl") or _json(answer).get("joinUrl")
            if not isinstance(link, str) or not link:
                raise GraphError("Graph made the online meeting but gave no joinWebUrl")
            return link
        raise _failure(answer)

    def _token(self) -> str:
        """An app-only access token for Graph (MSAL keeps it until shortly before it expires)."""
        with self._lock:
            if self._app is None:
                # Built on first use, in the job's thread: MSAL reads the tenant's configuration over
                # the network when built, and start-up must not wait for that. The authority is taken
                # as given (no instance discovery): the tenant's own OpenID configuration says the rest.
                try:
                    self._app = msal.ConfidentialClientApplication(
                        self._settings.client_id, client_credential=str(self._settings.client_secret),
                        authority=f"{self._settings.authority}/{self._settings.tenant_id}",
                        instance_discovery=False, http_client=_Http(self._http, self._verify, self._timeout))
                except (ValueError, requests.RequestException) as error:
                    raise GraphError(f"signing in to Microsoft Entra failed: the authority "
                                     f"{self._settings.authority}/{self._settings.tenant_id} did not answer "
                                     f"as a tenant ({type(error).__name__})", hint=CREDENTIALS_HINT) from None
            app = self._app
        try:
            result: dict[str, Any] = app.acquire_token_for_client(scopes=[SCOPE]) or {}
        except (ValueError, requests.RequestException) as error:
            raise GraphError(f"signing in to Microsoft Entra failed ({type(error).__name__})") from None
        token = result.get("access_token")
        if not isinstance(token, str) or not token:
            # The error and its description name the problem (AADSTS codes), never the secret.
            code = result.get("error") or "no access token"
            description = str(result.get("error_description") or "").splitlines()[0:1]
            raise GraphError(f"signing in to Microsoft Entra failed: {code}"
                             f"{': ' + description[0] if description else ''}", hint=CREDENTIALS_HINT)
        return token


class _Http:
    """The HTTP client MSAL is given: every request with our CA bundle and timeout (requests lets
    REQUESTS_CA_BUNDLE override a session's own `verify`, so it is passed with each call)."""

    def __init__(self, session: requests.Session, verify: str | bool, timeout: float) -> None:
        self._session = session
        self._verify = verify
        self._timeout = timeout

    def get(self, url: str, **kwargs: Any) -> requests.Response:
        """GET for MSAL."""
        kwargs.setdefault("timeout", self._timeout)
        return self._session.get(url, verify=self._verify, **kwargs)

    def post(self, url: str, **kwargs: Any) -> requests.Response:
        """POST for MSAL."""
        kwargs.setdefault("timeout", self._timeout)
        return self._session.post(url, verify=self._verify, **kwargs)

    def close(self) -> None:
        """Nothing of its own to close: the session is the client's."""


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _json(answer: requests.Response) -> dict[str, Any]:
    try:
        body = answer.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _failure(answer: requests.Response) -> GraphError:
    """Graph's refusal as an error the service logs and retries, with what the operator must do."""
    error = _json(answer).get("error")
    error = error if isinstance(error, dict) else {}
    said = " ".join(f"{error.get('code') or ''}: {error.get('message') or ''}".split())[:300].strip(": ")
    status = answer.status_code
    what = f"Graph answered {status}{f' ({said})' if said else ''}"
    if status in (429, 503, 504):
        wait = _retry_after(answer.headers.get("Retry-After")) or BUSY_WAIT
        return GraphError(f"{what}: Graph is busy, asking again in {wait}", retry_after=wait)
    if status == 403:
        return GraphError(what, hint=POLICY_HINT)
    if status == 401:
        return GraphError(what, hint=CREDENTIALS_HINT)
    if status == 404:
        return GraphError(what, hint=ORGANIZER_HINT)
    return GraphError(what)


def _retry_after(value: str | None) -> timedelta | None:
    """Retry-After in seconds or as an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return timedelta(seconds=int(value))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(when - datetime.now(UTC), timedelta(0))
