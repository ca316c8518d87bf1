"""The erasure confirmation as an opaque token the service issues and alone can read.

Erasing is destructive, and the platform hands back whatever a button carried: the person to
erase, who asked and until when must come back exactly as the service issued them. So the token
is signed (itsdangerous, HMAC-SHA256, with the app's derived key and a salt of its own), names
its workspace, expires at `until` by the injected clock, and carries a random nonce that makes it
good for one erasure: the erasure's audit entry records the nonce, and a token whose nonce is
there already is refused (a replayed click, a second tab). Without a configured key (tests, a bot
with no platform credentials) a random key per process is used: a question then dies with it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from itsdangerous import BadData, URLSafeSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.errors import InvalidInput
from services.i18n import N_, text
from services.people import PersonRef, WorkspaceRef
from storage.models import AuditEntry, Workspace

_SALT = "dialogbot.erasure-confirmation"
ERASE_ACTION = "privacy.erase"
BROKEN = N_("That button no longer works. Ask again to erase.")


@dataclass(frozen=True)
class ErasureConfirmation:
    """What confirming an erasure carries: whom, who asked (only they may confirm), until when, and
    the nonce that makes it good once."""

    person: PersonRef
    by: PersonRef
    until: datetime
    nonce: str


class Confirmations:
    """Issues and reads erasure tokens, and tells whether one was used."""

    def __init__(self, key: str = "") -> None:
        self._serializer = URLSafeSerializer(key or secrets.token_hex(32), salt=_SALT)

    def issue(self, workspace: WorkspaceRef, person: PersonRef, by: PersonRef, until: datetime) -> str:
        """A token for erasing `person`, confirmable by `by` in `workspace` until `until`."""
        return str(self._serializer.dumps({
            "w": [workspace.platform, workspace.external_id], "p": [person.platform, person.user_id],
            "b": [by.platform, by.user_id], "t": int(until.timestamp()), "n": secrets.token_urlsafe(12),
        }))

    def read(self, workspace: WorkspaceRef, token: str) -> ErasureConfirmation:
        """The confirmation `token` carries, if this service issued it for `workspace`; a forged,
        changed or foreign token is refused as a broken button."""
        try:
            data = self._serializer.loads(token)
            where, person, by = (tuple(str(part) for part in data[k]) for k in ("w", "p", "b"))
            until = datetime.fromtimestamp(int(data["t"]), UTC)
            nonce = str(data["n"])
        except (BadData, KeyError, TypeError, ValueError, OverflowError, OSError):
            raise InvalidInput(text(BROKEN)) from None
        if where != (workspace.platform, workspace.external_id) or len(person) != 2 or len(by) != 2:
            raise InvalidInput(text(BROKEN))
        return ErasureConfirmation(PersonRef(*person), PersonRef(*by), until, nonce)

    @staticmethod
    def used(session: Session, workspace: Workspace, confirmation: ErasureConfirmation,
             ttl: timedelta) -> bool:
        """Whether an erasure already went through on `confirmation` (its nonce is in an erasure's
        audit entry; only those of the last `ttl` can be, as older tokens have expired)."""
        details = session.scalars(select(AuditEntry.details).where(
            AuditEntry.workspace_id == workspace.id, AuditEntry.action == ERASE_ACTION,
            AuditEntry.at >= confirmation.until - ttl))
        return any((d or {}).get("confirmation") == confirmation.nonce for d in details)
