"""Run the real bot (`python bot.py`) as a child process, as an operator would."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from sqlalchemy import select

from storage.db import make_engine
from storage.models import Delivery, DeliveryState
from tests.conftest import CHANNEL, COORDINATOR
from tests.support.harness import SIGNING_SECRET

ROOT = Path(__file__).resolve().parent.parent.parent
BOT = str(ROOT / "bot.py")


def free_port() -> int:
    """A loopback TCP port that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def clean_env(**values: str) -> dict[str, str]:
    """This process's environment without any bot setting, plus `values`."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SLACK_", "DIALOG_", "DATABASE_URL", "SMTP_", "EMAIL_FROM"))}
    env.update(values)
    return env


def start_bot(cwd: Path, **values: str) -> subprocess.Popen[str]:
    """`python bot.py` in `cwd` with a clean environment plus `values`; output is piped."""
    return subprocess.Popen(
        [sys.executable, BOT],
        cwd=cwd,
        env=clean_env(**values),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_healthy(url: str, process: subprocess.Popen[str], deadline: float = 30.0) -> dict[str, Any]:
    """Poll `url`/healthz until it answers (a process start cannot be observed otherwise)."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if process.poll() is not None:
            assert process.stderr is not None
            raise AssertionError(f"bot exited early with {process.returncode}: {process.stderr.read()}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
                return json.loads(response.read())
        except OSError:
            time.sleep(0.1)
    raise AssertionError("bot did not become healthy")


def start_logged_bot(cwd: Path, log: str, *, api_url: str, bot_token: str, database_url: str, port: int,
                     **values: str) -> subprocess.Popen[bytes]:
    """`python bot.py` for the test workspace (see tests.support.harness), its output in `cwd/log`
    (an unread pipe would fill up and stall the bot); `values` are further settings."""
    with open(cwd / log, "wb") as out:
        return subprocess.Popen(
            [sys.executable, BOT], cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
            env=clean_env(SLACK_BOT_TOKEN=bot_token, SLACK_SIGNING_SECRET=SIGNING_SECRET,
                          SLACK_API_URL=api_url, DATABASE_URL=database_url, PORT=str(port),
                          DIALOG_CHANNEL=CHANNEL, DIALOG_COORDINATORS=COORDINATOR, **values),
        )


def rows_in_flight(database_url: str) -> tuple[int, int]:
    """(claimed but never started, started) among delivery rows a killed process left mid-send."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(Delivery.send_started_at)
                                .where(Delivery.state == DeliveryState.SENDING)).all()
    finally:
        engine.dispose()
    started = sum(1 for (at,) in rows if at is not None)
    return len(rows) - started, started
