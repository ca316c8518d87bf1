"""Services as production builds them, privacy notices on (the shared fixture turns them off)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from services.clock import Clock
from services.container import Services, build_services
from services.privacy import PrivacySettings
from tests.conftest import CHANNEL, COORDINATOR, TIMINGS
from tests.support.notifier import RecordingNotifier


def services_with_notices(sessions: sessionmaker[Session], clock: Clock, notifier: RecordingNotifier,
                          platform: str, **settings: Any) -> Services:
    """The test services with the privacy notice on, and any other privacy settings given."""
    return build_services(sessions, clock, notifier, platform=platform, channel_id=CHANNEL,
                          coordinators=(COORDINATOR,), default_language="en", timings=TIMINGS,
                          privacy=PrivacySettings(**settings))
