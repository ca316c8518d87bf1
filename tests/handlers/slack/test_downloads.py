"""The Download for the archive button's one call (`Downloads.offer`): the services check the
coordinator and the minutes, then links are signed for them; without a public address the check
still runs and there are no links."""

from __future__ import annotations

from datetime import timedelta

import pytest

from handlers.slack.downloads import Downloads
from services.clock import ManualClock
from services.container import Services
from services.errors import InvalidInput, NotAllowed
from storage.models import Tier
from tests.factories import coordinator, person

PUBLIC = "https://dialog.example.org"


@pytest.fixture
def held(services: Services, clock: ManualClock) -> int:
    services.roster.add(coordinator(), "Caritas", Tier.CORE, ["UCARITAS1"])
    card = services.meetings.schedule(coordinator(), title="March dialogue",
                                      starts_at=clock.now() + timedelta(hours=2)).meeting
    clock.set(card.starts_at + timedelta(hours=1))
    services.minutes.record(coordinator(), card.number, summary="Warm rooms for the winter.")
    return card.number


def test_an_offer_is_checked_by_the_services_then_signed(services: Services, held: int) -> None:
    downloads = Downloads(services, key="k" * 64, public_url=PUBLIC + "/")
    links = downloads.offer(coordinator(), held)
    assert set(links) == {"pdf", "docx"} and all(u.startswith(PUBLIC + "/minutes/") for u in links.values())
    with pytest.raises(NotAllowed):
        downloads.offer(person("UCARITAS1"), held)
    with pytest.raises(InvalidInput):
        downloads.offer(coordinator(), held + 1)


def test_without_a_public_address_the_check_still_runs(services: Services, held: int) -> None:
    unavailable = Downloads(services, key="", public_url="")
    assert unavailable.offer(coordinator(), held) == {}
    with pytest.raises(NotAllowed):
        unavailable.offer(person("UCARITAS1"), held)
