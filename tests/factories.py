"""Factories for test data: rows made the way the services would make them."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session, sessionmaker

from services.people import Actor
from storage.models import Contact, Organisation, Tier, TimeOfDay, Workspace
from tests.conftest import COORDINATOR, TEAM

_NOW = datetime(2026, 1, 1, tzinfo=UTC)


def person(user_id: str, team: str = TEAM) -> Actor:
    """An actor in the test workspace."""
    return Actor.of("slack", team, user_id)


def coordinator() -> Actor:
    """The coordinator seeded from the settings."""
    return person(COORDINATOR)


def workspace(session: Session, team: str = TEAM) -> Workspace:
    """The workspace row for `team`, created if needed."""
    found = session.query(Workspace).filter_by(platform="slack", external_id=team).one_or_none()
    if found:
        return found
    row = Workspace(platform="slack", external_id=team, last_topic_no=0, last_meeting_no=0, created_at=_NOW)
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
    """An organisation with contacts (Slack user ids); returns its id."""
    with sessions.begin() as session:
        org = Organisation(
            workspace_id=workspace(session, team).id,
            name=name,
            name_key=" ".join(name.split()).casefold(),
            tier=tier,
            preferred_time=preferred_time,
            created_at=_NOW,
        )
        org.contacts = [Contact(platform="slack", user_id=u, created_at=_NOW) for u in contacts]
        session.add(org)
        session.flush()
        return org.id
