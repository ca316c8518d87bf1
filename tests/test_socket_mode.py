"""The real bot as a process in Socket Mode, against the fake Slack's WebSocket endpoint."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from fakes.slack import FakeSlack, slash_command_payload
from tests.conftest import CHANNEL
from tests.support.bot_process import BOT, clean_env, free_port, start_bot, wait_healthy
from tests.support.harness import MEMBERS, fake_workspace

WAIT = 15.0


@dataclass
class SocketBot:
    """A bot process in Socket Mode and what it printed once it stopped."""

    fake: FakeSlack
    url: str
    process: subprocess.Popen[str]
    output: str = ""

    def propose(self, title: str, *, key: str) -> str:
        """Push `/dialog propose <title>` from a member over the socket; the envelope id."""
        payload = slash_command_payload(
            f"propose {title}",
            user_id=MEMBERS[0],
            user_name=MEMBERS[0].lower(),
            team_id=self.fake.team_id,
            response_url=self.fake.response_url(key),
            api_app_id=self.fake.app_id,
        )
        return self.fake.push_envelope("slash_commands", payload, accepts_response_payload=True)


def socket_mode_env(fake: FakeSlack, tmp_path: Path, port: int) -> dict[str, str]:
    """Socket Mode settings: the app token, the bot token and no signing secret."""
    return {
        "SLACK_APP_TOKEN": fake.app_token,
        "SLACK_BOT_TOKEN": fake.bot_token,
        "SLACK_API_URL": fake.api_url,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'dialogbot.sqlite3'}",
        "DIALOG_CHANNEL": CHANNEL,
        "PORT": str(port),
    }


@contextmanager
def socket_bot(tmp_path: Path) -> Iterator[SocketBot]:
    """Start the bot, wait until it is healthy and connected; SIGTERM it afterwards.

    After the block, `output` holds stdout + stderr and the process has exited."""
    port = free_port()
    with fake_workspace() as fake:
        process = start_bot(tmp_path, **socket_mode_env(fake, tmp_path, port))
        bot = SocketBot(fake, f"http://127.0.0.1:{port}", process)
        try:
            health = wait_healthy(bot.url, process)
            assert health["mode"] == "socket" and health["status"] == "ok", health
            assert health["socket"] == "connected"
            assert fake.wait_for(lambda: fake.socket_connections() == 1, timeout=WAIT)
            yield bot
        finally:
            process.send_signal(signal.SIGTERM)
            out, err = process.communicate(timeout=30)
            bot.output = out + err
        assert process.returncode == 0, bot.output
        assert fake.wait_for(lambda: fake.socket_connections() == 0, timeout=WAIT)


def post_status(url: str) -> int:
    request = urllib.request.Request(url, data=b"{}", headers={"Content-Type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_the_bot_serves_slack_over_socket_mode_and_stops_cleanly(tmp_path: Path) -> None:
    with socket_bot(tmp_path) as bot:
        fake = bot.fake
        assert post_status(bot.url + "/slack/events") in (404, 405)

        envelope_id = bot.propose("Safe school routes", key="x")
        ack = fake.wait_for_ack(envelope_id, timeout=WAIT)
        assert ack is not None and ack["envelope_id"] == envelope_id

        assert fake.wait_for(lambda: len(fake.messages(CHANNEL)) == 1, timeout=WAIT)
        assert "Safe school routes" in json.dumps(fake.messages(CHANNEL)[0]["blocks"])
        assert fake.wait_for(lambda: len(fake.responses) == 1, timeout=WAIT)
        assert fake.responses[0]["key"] == "x"
        assert "Safe school routes" in fake.responses[0]["body"]["text"]
    assert [call.token for call in fake.calls_to("apps.connections.open")] == [fake.app_token]
    assert fake.violations == []
    assert "Dialogbot is up: Socket Mode" in bot.output
    for secret in (fake.app_token, fake.bot_token):
        assert secret not in bot.output


def test_the_bot_reconnects_when_slack_refreshes_its_connection(tmp_path: Path) -> None:
    with socket_bot(tmp_path) as bot:
        fake = bot.fake
        assert fake.disconnect_sockets(reason="refresh_requested") == 1
        assert fake.wait_for(lambda: fake.socket_connections() == 1, timeout=WAIT)
        assert len(fake.calls_to("apps.connections.open")) == 2

        envelope_id = bot.propose("Late buses", key="after-refresh")
        assert fake.wait_for_ack(envelope_id, timeout=WAIT) is not None
        assert fake.wait_for(lambda: len(fake.messages(CHANNEL)) == 1, timeout=WAIT)
    assert fake.violations == []
    assert fake.app_token not in bot.output


def _run_with_app_token(tmp_path: Path, app_token: str) -> tuple[subprocess.CompletedProcess[str], FakeSlack]:
    with fake_workspace() as fake:
        env = socket_mode_env(fake, tmp_path, free_port())
        env["SLACK_APP_TOKEN"] = app_token
        result = subprocess.run([sys.executable, BOT], cwd=tmp_path, env=clean_env(**env),
                                capture_output=True, text=True, timeout=60)
    return result, fake


def test_a_rejected_app_token_stops_the_bot_without_echoing_it(tmp_path: Path) -> None:
    result, fake = _run_with_app_token(tmp_path, "xapp-1-wrong-secret-value")
    assert result.returncode != 0
    assert "wrong-secret-value" not in result.stdout + result.stderr
    assert fake.violations == ["apps.connections.open: the token sent is not the app-level token"]


def test_a_rejected_app_token_is_reported_in_one_line(tmp_path: Path) -> None:
    result, _ = _run_with_app_token(tmp_path, "xapp-1-wrong-secret-value")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "SLACK_APP_TOKEN" in result.stderr and "invalid_auth" in result.stderr
