"""The settings of the platforms beside Slack: e-mail (SMTP), Microsoft Teams, and Microsoft
Graph for Teams meeting links."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import formataddr, parseaddr
from urllib.parse import urlsplit

from config.values import ConfigError, Secret, get, shown

SMTP_SECURITY = {"starttls": 587, "tls": 465, "none": 25}


def _smtp_security(text: str) -> str:
    value = text.lower() or "starttls"
    if value not in SMTP_SECURITY:
        raise ConfigError("SMTP_SECURITY", f"{shown(text)} is not one of starttls, tls, none")
    return value


def _email_from(text: str, smtp_host: str) -> str:
    if not text:
        if smtp_host:
            raise ConfigError("EMAIL_FROM", "is needed with SMTP_HOST: the name and address the bot "
                                            "writes as, e.g. Dialogbot <dialog@example.org>")
        return ""
    if any(ch in text for ch in "\r\n"):
        raise ConfigError("EMAIL_FROM", "must be one line")
    name, address = parseaddr(text)
    if "@" not in address or address.startswith("@") or address.endswith("@") or " " in address:
        raise ConfigError("EMAIL_FROM", f"{shown(text)} has no address; write e.g. "
                                        "Dialogbot <dialog@example.org>")
    return formataddr((name, address)) if name else address


def smtp_settings(env: Mapping[str, str]) -> dict[str, object]:
    host = get(env, "SMTP_HOST")
    security = _smtp_security(get(env, "SMTP_SECURITY"))
    port_text = get(env, "SMTP_PORT")
    if port_text and not (port_text.isdigit() and 0 < int(port_text) < 65536):
        raise ConfigError("SMTP_PORT", f"{shown(port_text)} is not a TCP port (1-65535)")
    username, password = get(env, "SMTP_USERNAME"), env.get("SMTP_PASSWORD") or ""
    if password and not username:
        raise ConfigError("SMTP_USERNAME", "is needed with SMTP_PASSWORD")
    if password and security == "none" and host not in ("localhost", "127.0.0.1", "::1"):
        # A password in clear text across the network: refused rather than sent.
        raise ConfigError("SMTP_SECURITY", "none would send SMTP_PASSWORD unencrypted; use starttls or tls")
    return {"smtp_host": host, "smtp_port": int(port_text) if port_text else SMTP_SECURITY[security],
            "smtp_username": username, "smtp_password": Secret(password), "smtp_security": security,
            "email_from": _email_from(get(env, "EMAIL_FROM"), host)}


_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def _guid(text: str, variable: str, what: str) -> str:
    if text and not _GUID.match(text):
        raise ConfigError(variable, f"{shown(text)} is not {what} "
                                    "(a GUID like 72f988bf-86f1-41af-91ab-2d7cd011db47)")
    return text.lower()


def teams_settings(env: Mapping[str, str], *, host: str) -> dict[str, object]:
    app_id = _guid(get(env, "TEAMS_APP_ID"), "TEAMS_APP_ID", "the bot's Microsoft App ID")
    password = env.get("TEAMS_APP_PASSWORD") or ""
    tenant = _guid(get(env, "TEAMS_TENANT_ID"), "TEAMS_TENANT_ID", "a Microsoft Entra tenant ID")
    anonymous_text = get(env, "TEAMS_ANONYMOUS").lower()
    if anonymous_text not in ("", "true", "false", "1", "0", "yes", "no"):
        raise ConfigError("TEAMS_ANONYMOUS", f"{shown(anonymous_text)} is not true or false")
    anonymous = anonymous_text in ("true", "1", "yes")
    if anonymous and host not in _LOOPBACK_HOSTS:
        # Unauthenticated activities from the network would let anyone act as anyone.
        raise ConfigError("TEAMS_ANONYMOUS", f"is only accepted with a loopback HOST (127.0.0.1, ::1 or "
                                             f"localhost), not {shown(host)}: it accepts unsigned activities")
    coordinators = tuple(_guid(part.strip(), "TEAMS_COORDINATORS", "a Microsoft Entra object ID")
                         for part in get(env, "TEAMS_COORDINATORS").split(",") if part.strip())
    if (app_id or password or anonymous or coordinators) and not tenant:
        raise ConfigError("TEAMS_TENANT_ID", "is needed for Teams: the ID of the Microsoft Entra tenant "
                                             "the bot serves (Entra admin center → Overview → Tenant ID)")
    if tenant and not anonymous:
        missing = [name for name, value in (("TEAMS_APP_ID", app_id), ("TEAMS_APP_PASSWORD", password))
                   if not value]
        if missing:
            raise ConfigError(missing[0], "is needed with TEAMS_TENANT_ID (from the Azure Bot registration), "
                                          "or set TEAMS_ANONYMOUS=true for local use on a loopback HOST")
    return {"teams_app_id": app_id, "teams_app_password": Secret(password), "teams_tenant_id": tenant,
            "teams_anonymous": anonymous, "teams_coordinators": coordinators}



GRAPH_API = "https://graph.microsoft.com/v1.0"
AUTHORITY = "https://login.microsoftonline.com"
_TENANT_NAME = re.compile(r"^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
_UPN = re.compile(r"^[^@\s/]+@[^@\s/]+\.[^@\s/]+$")



@dataclass(frozen=True)
class GraphSettings:
    """Where and as whom the bot makes Teams online meetings."""

    tenant_id: str
    client_id: str
    client_secret: Secret
    organizer: str
    api_url: str = GRAPH_API
    authority: str = AUTHORITY


def graph_settings(env: Mapping[str, str]) -> GraphSettings | None:
    """The GRAPH_* settings, or None when none of them is set (coordinators paste links)."""
    def get(name: str) -> str:
        return (env.get(name) or "").strip()

    required = ("GRAPH_TENANT_ID", "GRAPH_CLIENT_ID", "GRAPH_CLIENT_SECRET", "GRAPH_ORGANIZER")
    if not any(get(name) for name in (*required, "GRAPH_API_URL", "GRAPH_AUTHORITY")):
        return None
    missing = [name for name in required if not get(name)]
    if missing:
        raise ConfigError(missing[0], "is needed for Teams meeting links with the other GRAPH_* settings "
                                      "(unset them all to have coordinators paste links)")
    tenant, client, organizer = get("GRAPH_TENANT_ID"), get("GRAPH_CLIENT_ID"), get("GRAPH_ORGANIZER")
    if not (_GUID.match(tenant) or _TENANT_NAME.match(tenant)):
        raise ConfigError("GRAPH_TENANT_ID", f"{shown(tenant)} is not a Microsoft Entra tenant ID (a GUID) "
                                             "or domain (contoso.onmicrosoft.com)")
    if not _GUID.match(client):
        raise ConfigError("GRAPH_CLIENT_ID", f"{shown(client)} is not an application (client) ID (a GUID "
                                             "like 72f988bf-86f1-41af-91ab-2d7cd011db47)")
    if not (_GUID.match(organizer) or _UPN.match(organizer)):
        raise ConfigError("GRAPH_ORGANIZER", f"{shown(organizer)} is not a user's object ID (a GUID) or "
                                             "user principal name (name@example.org)")
    return GraphSettings(
        tenant_id=tenant.lower() if _GUID.match(tenant) else tenant, client_id=client.lower(),
        client_secret=Secret(get("GRAPH_CLIENT_SECRET")),
        organizer=organizer.lower() if _GUID.match(organizer) else organizer,
        api_url=_base_url(get("GRAPH_API_URL") or GRAPH_API, "GRAPH_API_URL", loopback_http=True),
        authority=_base_url(get("GRAPH_AUTHORITY") or AUTHORITY, "GRAPH_AUTHORITY", loopback_http=False),
    )


def _base_url(value: str, variable: str, *, loopback_http: bool) -> str:
    parts = urlsplit(value)
    local_http = loopback_http and parts.scheme == "http" and parts.hostname in _LOOPBACK_HOSTS
    if not parts.hostname or (parts.scheme != "https" and not local_http) or parts.query or parts.fragment:
        need = "an https URL (http only on a loopback host)" if loopback_http else "an https URL"
        raise ConfigError(variable, f"{shown(value)} is not {need}")
    return value.rstrip("/")


