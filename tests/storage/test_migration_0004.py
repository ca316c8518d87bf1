"""Migration 0004: agencies are a third side the database accepts, and nothing else is."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from storage.models import Side, Topic, Workspace

T0 = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def test_agency_is_a_side_and_an_unknown_side_is_refused(sessions) -> None:
    with sessions.begin() as session:
        workspace = Workspace(platform="slack", external_id="T1", last_topic_no=0, last_meeting_no=0,
                              created_at=T0)
        session.add(workspace)
        session.flush()
        session.add(Topic(workspace_id=workspace.id, number=1, title="Housing", title_key="housing",
                          proposer_platform="slack", proposer_user_id="U1", proposer_side=Side.AGENCY,
                          created_at=T0, updated_at=T0))
    with sessions() as session:
        assert session.scalar(sa.select(Topic.proposer_side)) == Side.AGENCY
    with pytest.raises(IntegrityError), sessions.begin() as session:
        session.execute(sa.text("UPDATE topics SET proposer_side = 'press'"))
