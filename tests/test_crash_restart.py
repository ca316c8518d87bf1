"""Kill -9 during a fan-out, restart, and every invitation still arrives exactly once.

The fake Slack answers chat.postMessage slowly, so the kill lands while messages are on the wire:
some were taken by Slack but their replies never read (in doubt), some were claimed but not sent,
some not yet claimed. The restarted bot must send the missing ones and none twice, and look up in
Slack only those whose send had started: a row merely claimed was never handed over.
"""

from __future__ import annotations

import signal
import subprocess
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from fakes.slack import FakeSlack, SlackRequester
from tests.conftest import CHANNEL, COORDINATOR
from tests.support.bot_process import free_port, rows_in_flight, start_logged_bot, wait_healthy
from tests.support.harness import SIGNING_SECRET, fake_workspace

ORGANISATIONS = {f"Crash Test Org {n}": [f"UCRASH{n}{m}00" for m in range(4)] for n in range(4)}


def _start(tmp_path: Path, fake: FakeSlack, database_url: str, port: int, log: str) -> subprocess.Popen[bytes]:
    return start_logged_bot(tmp_path, log, api_url=fake.api_url, bot_token=fake.bot_token,
                            database_url=database_url, port=port, DIALOG_INVITE_LEAD="3h", DIALOG_REMINDERS="", DIALOG_NUDGE_AFTER="1d")


def _posts(fake: FakeSlack) -> Counter[str]:
    """How many invitations each destination received."""
    return Counter(
        call.params["channel"] for call in fake.calls_to("chat.postMessage")
        if "Invitation" in str(call.params.get("text"))
    )


def test_sigkill_mid_fan_out_then_restart_delivers_each_invitation_once(tmp_path: Path, database_url: str) -> None:
    contacts = [u for people in ORGANISATIONS.values() for u in people]
    with fake_workspace() as fake:
        for user in contacts:
            fake.add_user(user)
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        first = _start(tmp_path, fake, database_url, port, "first.log")
        try:
            wait_healthy(url, first)
            slack = SlackRequester(url, SIGNING_SECRET, team_id=fake.team_id)
            for name, people in ORGANISATIONS.items():
                mentions = " ".join(f"<@{u}>" for u in people)
                slack.slash_command(f'roster add "{name}" core {mentions}', user_id=COORDINATOR,
                                    response_url=fake.response_url(name))
            assert fake.wait_for(lambda: len(fake.responses) == len(ORGANISATIONS), timeout=20)
            # Each new contact's privacy notice goes out first; the fan-out under test is the invitations'.
            assert fake.wait_for(lambda: len(fake.calls_to("chat.postMessage")) >= len(contacts), timeout=30)
            fake.set_delay("chat.postMessage", 0.4)
            starts = datetime.now(ZoneInfo("Europe/Oslo")) + timedelta(hours=2)
            slack.slash_command(f"schedule {starts:%Y-%m-%d %H:%M} Crisis coordination",
                                user_id=COORDINATOR, response_url=fake.response_url("schedule"))
            # Mid fan-out: a few invitations are through, most are not.
            assert fake.wait_for(lambda: sum(_posts(fake).values()) >= 4, timeout=20)
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)
        assert first.returncode == -signal.SIGKILL
        sent_before = sum(_posts(fake).values())
        assert 0 < sent_before < len(contacts) + 1, "the kill must land mid fan-out"
        only_claimed, started = rows_in_flight(database_url)
        # The sweep claims a batch and sends a few at a time: most claimed rows never started.
        assert only_claimed > 0 and started > 0, (only_claimed, started)
        assert not fake.calls_to("conversations.history") and not fake.calls_to("conversations.open")

        fake.set_delay("chat.postMessage", 0.0)
        second = _start(tmp_path, fake, database_url, port, "second.log")
        try:
            wait_healthy(url, second)
            everyone = [CHANNEL, *contacts]  # DMs are posted to the user id
            assert fake.wait_for(lambda: all(_posts(fake)[d] >= 1 for d in everyone), timeout=60), _posts(fake)
            # Give a would-be duplicate every chance to appear: the sweep runs every second.
            fake.wait_for(lambda: sum(_posts(fake).values()) > len(everyone), timeout=3)
        finally:
            second.send_signal(signal.SIGTERM)
            second.wait(timeout=30)
        assert second.returncode == 0, (tmp_path / "second.log").read_text()
        counts = _posts(fake)
        assert {d: counts[d] for d in everyone} == {d: 1 for d in everyone}
        assert sum(counts.values()) == len(everyone)
        assert fake.violations == []
        # Only the rows whose send had started were looked up, each once (one page of history; a
        # DM's conversation is opened first); the merely claimed ones were simply released.
        assert len(fake.calls_to("conversations.history")) == started
        assert len(fake.calls_to("conversations.open")) <= started
        log = (tmp_path / "second.log").read_text()
        assert "sending it again" in log or "recorded, not resent" in log
        assert fake.bot_token not in log and SIGNING_SECRET not in log
