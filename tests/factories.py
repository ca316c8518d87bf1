"""Factories for test data: rows made the way the services would make them."""

from __future__ import annotations

from contextvars import ContextVar
from datetime import UTC, datetime

from sqlalchemy.orm import Session, sessionmaker

from services.people import Actor
from storage.models import Contact, Organisation, Tier, TimeOfDay, Workspace
from tests.conftest import COORDINATOR, TEAM

_NOW = datetime(2026, 1, 1, tzinfo=UTC)
# The platform the people and workspaces made here live on: the domain suite runs once per
# platform (tests/services/conftest.py), to show the services know none in particular.
PLATFORM: ContextVar[str] = ContextVar("PLATFORM", default="slack")


def person(user_id: str, team: str = TEAM) -> Actor:
    """An actor in the test workspace."""
    return Actor.of(PLATFORM.get(), team, user_id)


def coordinator() -> Actor:
    """The coordinator seeded from the settings."""
    return person(COORDINATOR)


def workspace(session: Session, team: str = TEAM) -> Workspace:
    """The workspace row for `team`, created if needed."""
    found = session.query(Workspace).filter_by(platform=PLATFORM.get(), external_id=team).one_or_none()
    if found:
        return found
    row = Workspace(platform=PLATFORM.get(), external_id=team, last_topic_no=0, last_meeting_no=0, created_at=_NOW)
    session.add(row)
    session.flush()
    return row


def organisation(
    sessions: sessionmaker[Session],
    name: str,
    *contacts: str,
    tier: Tier = Tier.CORE,
    team: str = TEAM,
    preferred_time: TimeOfDay = TimeOfDay.ANY,
) -> int:
    """An organisation with contacts (user ids on the current platform); returns its id."""
    with sessions.begin() as session:
        org = Organisation(
            workspace_id=workspace(session, team).id,
            name=name,
            name_key=" ".join(name.split()).casefold(),
            tier=tier,
            preferred_time=preferred_time,
            created_at=_NOW,
        )
        org.contacts = [Contact(platform=PLATFORM.get(), user_id=u, created_at=_NOW) for u in contacts]
        session.add(org)
        session.flush()
        return org.id
