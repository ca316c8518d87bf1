"""The domain suite runs for two platforms: Slack, and a second one (named for Teams) the services
must serve the same way, knowing no platform of their own."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.factories import PLATFORM


@pytest.fixture(params=["slack", "teams"])
def platform(request: pytest.FixtureRequest) -> Iterator[str]:
    token = PLATFORM.set(request.param)
    yield request.param
    PLATFORM.reset(token)
