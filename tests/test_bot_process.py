"""The real bot as a process: starts, serves signed requests, stops on SIGTERM, says what is wrong."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

from fakes.slack import SlackRequester
from tests.conftest import CHANNEL, COORDINATOR
from tests.support.bot_process import BOT, clean_env, free_port, start_bot, wait_healthy
from tests.support.harness import MEMBERS, SIGNING_SECRET, fake_workspace


def _run(tmp_path: Path, **values: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, BOT], cwd=tmp_path, env=clean_env(**values),
                          capture_output=True, text=True, timeout=60)


def test_with_half_the_credentials_it_says_what_is_missing_and_how_to_get_it(tmp_path: Path) -> None:
    # Someone setting up a real workspace is told what is left, not dropped into the sandbox.
    result = _run(tmp_path, SLACK_SIGNING_SECRET="s", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    assert result.returncode == 2
    assert "Missing: SLACK_BOT_TOKEN" in result.stderr
    assert "manifest.json" in result.stderr and "SLACK_APP_TOKEN" in result.stderr
    assert "sandbox" in result.stderr


def test_a_deployment_without_slack_settings_stops_instead_of_serving_an_open_sandbox(tmp_path: Path) -> None:
    # A chosen database or a public address means a deployment whose secrets went missing.
    for values in ({"DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}"}, {"HOST": "0.0.0.0"}):
        result = _run(tmp_path, **values)
        assert result.returncode == 2, values
        assert "Missing: SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET" in result.stderr
        assert "python bot.py sandbox" in result.stderr
    assert not (tmp_path / "prod.sqlite3").exists() and not (tmp_path / "dialogbot-sandbox.sqlite3").exists()


def test_a_bad_setting_stops_start_up_with_one_line_naming_it(tmp_path: Path) -> None:
    result = _run(tmp_path, DIALOG_TIMEZONE="Mars/Olympus")
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert lines == ["dialogbot: bad setting DIALOG_TIMEZONE: 'Mars/Olympus' is not an IANA time zone, "
                     "e.g. Europe/Oslo"]


def test_settings_are_read_from_dotenv(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("DIALOG_LANGUAGE=fr\n")
    result = _run(tmp_path)
    assert "DIALOG_LANGUAGE" in result.stderr and result.returncode != 0


def test_a_rejected_token_is_reported_without_echoing_it(tmp_path: Path) -> None:
    with fake_workspace() as fake:
        result = _run(tmp_path, SLACK_BOT_TOKEN="xoxb-wrong-secret-value", SLACK_SIGNING_SECRET="s",
                      SLACK_API_URL=fake.api_url, DIALOG_CHANNEL=CHANNEL,
                      DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    assert result.returncode == 2
    assert "Slack refused SLACK_BOT_TOKEN (invalid_auth)" in result.stderr
    assert "wrong-secret-value" not in result.stderr + result.stdout


def test_the_bot_process_serves_slack_and_stops_cleanly(tmp_path: Path, database_url: str) -> None:
    port = free_port()
    with fake_workspace() as fake:
        process = start_bot(
            tmp_path,
            SLACK_BOT_TOKEN=fake.bot_token, SLACK_SIGNING_SECRET=SIGNING_SECRET,
            SLACK_API_URL=fake.api_url, DATABASE_URL=database_url, PORT=str(port),
            DIALOG_CHANNEL=CHANNEL, DIALOG_COORDINATORS=COORDINATOR,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            assert wait_healthy(url, process)["status"] == "ok"
            slack = SlackRequester(url, SIGNING_SECRET, team_id=fake.team_id)
            reply = slack.slash_command("propose Safe after-school activities", user_id=MEMBERS[0],
                                        response_url=fake.response_url("p"))
            assert reply.status == 200
            assert fake.wait_for(lambda: len(fake.messages(CHANNEL)) == 1, timeout=15)
            assert "Safe after-school activities" in json.dumps(fake.messages(CHANNEL)[0]["blocks"])
            assert fake.wait_for(lambda: len(fake.responses) == 1)
        finally:
            process.send_signal(signal.SIGTERM)
            out, err = process.communicate(timeout=30)
        assert process.returncode == 0, err
        assert fake.violations == []
    logs = out + err
    assert "Dialogbot is up" in logs
    for secret in (fake.bot_token, SIGNING_SECRET):
        assert secret not in logs



def test_without_any_slack_setting_it_serves_the_sandbox_and_keeps_it_across_a_restart(tmp_path: Path) -> None:
    """What `make run` on a fresh clone does: no .env, the default SQLite database file."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"

    def run_once(say: str | None) -> tuple[str, dict]:
        process = start_bot(tmp_path, PORT=str(port))
        try:
            assert wait_healthy(url, process)["status"] == "ok"
            with urllib.request.urlopen(url + "/sandbox/api/state", timeout=10) as answer:
                state = json.loads(answer.read())
            if say is not None:
                body = json.dumps({"user": state["me"]["id"], "channel": "C0SANDBOX", "text": say}).encode()
                request = urllib.request.Request(url + "/sandbox/api/send", data=body, method="POST",
                                                 headers={"Content-Type": "application/json"})
                with urllib.request.urlopen(request, timeout=10) as answer:
                    assert json.loads(answer.read()) == {"ok": True}
        finally:
            process.send_signal(signal.SIGTERM)
            out, err = process.communicate(timeout=30)
        assert process.returncode == 0, err
        return out + err, state

    logs, state = run_once("Hello from the first run")
    assert f"Open {url} in a browser." in logs
    # Its own database: a real workspace's database (dialogbot.sqlite3) is never the sandbox's.
    assert (tmp_path / "dialogbot-sandbox.sqlite3").is_file()
    assert (tmp_path / "dialogbot-sandbox.workspace.json").is_file()
    assert not (tmp_path / "dialogbot.sqlite3").exists()
    assert state["me"]["id"] == "U0KARI" and state["workspace"]["team_name"] == "Fjordby (sandbox)"
    assert "xoxb-sandbox-" not in logs, "the sandbox's token is a secret like any other"
    logs, state = run_once(None)
    assert "seeded the demo roster" not in logs
    texts = [m["text"] for m in state["messages"]["C0SANDBOX"]]
    assert "Hello from the first run" in texts
