"""What every Teams handler needs: the services, the tenant served, the reader's language, and
the way back to the person (the Connector, with the conversation an activity came from)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol
from zoneinfo import ZoneInfo

from microsoft_agents.activity import Activity, ConversationReference

from handlers.teams import PLATFORM
from services.container import Services
from services.i18n import Translator, translator
from services.people import Actor, PersonRef, WorkspaceRef


class Outbox(Protocol):
    """The part of the Connector the handlers use to answer (handlers/teams/connector.py)."""

    def send(self, reference: ConversationReference, activity: Activity) -> str: ...

    def reply(self, reference: ConversationReference, reply_to_id: str, activity: Activity) -> str: ...

    def member(self, reference: ConversationReference, member_id: str) -> dict[str, object] | None: ...


@dataclass
class TeamsDeps:
    """The Teams side's dependencies, built once by the composition root."""

    services: Services
    tenant_id: str
    zone: ZoneInfo
    outbox: Outbox
    public_url: str = ""

    @property
    def workspace(self) -> WorkspaceRef:
        """The Teams workspace: the tenant this bot serves."""
        return WorkspaceRef(PLATFORM, self.tenant_id)

    def person(self, user_id: str) -> PersonRef:
        """A Teams person, by their Microsoft Entra object id."""
        return PersonRef(PLATFORM, user_id)

    def actor(self, user_id: str) -> Actor:
        """The actor for a Teams person of this tenant."""
        return Actor(self.workspace, self.person(user_id))

    def translator(self, actor: Actor, locale: str | None) -> Translator:
        """The reader's language by the one rule; Teams' own locale counts (Teams speaks Norwegian)."""
        return translator(self.services.languages.of(actor, locale=locale))
