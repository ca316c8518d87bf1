"""DIALOG_LINK_SECRET: links in e-mails are signed with its newest key and still read with older
ones, so rotating the key keeps the unsubscribe links already sent working; a link signed with a
key no longer listed is refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from config import ConfigError, load_settings
from handlers.email.links import LinkInvalid, LinkKind, Links
from runtime import email_links
from services.clock import ManualClock
from services.people import WorkspaceRef

OLD = "old-key-" + "o" * 40
NEW = "new-key-" + "n" * 40
WORKSPACE = WorkspaceRef("slack", "T0DIALOG")
PUBLIC = "https://dialog.example.org"


def _token(url: str) -> str:
    return url.rsplit("/", 1)[1]


def test_a_link_signed_before_a_rotation_still_reads_after_it() -> None:
    before = Links([OLD], PUBLIC, clock=lambda: 1_800_000_000)
    stop = _token(before.stop_url(WORKSPACE, "kari@example.org"))
    after = Links([NEW, OLD], PUBLIC, clock=lambda: 1_800_000_000)
    assert after.read(stop, LinkKind.STOP).address == "kari@example.org"
    # New links are signed with the new key: they read without the old one.
    fresh = _token(after.stop_url(WORKSPACE, "kari@example.org"))
    assert Links([NEW], PUBLIC, clock=lambda: 1_800_000_000).read(fresh, LinkKind.STOP).address == "kari@example.org"
    # Once the old key is dropped, its links are refused.
    with pytest.raises(LinkInvalid):
        Links([NEW], PUBLIC, clock=lambda: 1_800_000_000).read(stop, LinkKind.STOP)


def test_the_setting_gives_the_keys_newest_first_and_refuses_short_ones() -> None:
    settings = load_settings({"DIALOG_LINK_SECRET": f"{NEW}, {OLD}", "DIALOG_PUBLIC_URL": PUBLIC})
    assert settings.link_secrets == (NEW, OLD)
    assert NEW not in repr(settings)
    now = datetime(2027, 1, 1, tzinfo=UTC)
    links = email_links(settings, ManualClock(now))
    token = _token(links.page_url(WORKSPACE, "kari@example.org"))
    assert Links([NEW], PUBLIC, clock=now.timestamp).read(token, LinkKind.PAGE).address == "kari@example.org"
    with pytest.raises(ConfigError, match="DIALOG_LINK_SECRET") as refused:
        load_settings({"DIALOG_LINK_SECRET": "short"})
    assert "short" not in str(refused.value)
