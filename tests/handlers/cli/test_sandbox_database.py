"""The roster CLI on a fresh clone: against the sandbox's database, with no Slack settings."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from config import Settings
from handlers.cli.commands import OfflineNotifier as _OfflineNotifier
from handlers.slack import PLATFORM
from runtime import timings_of
from sandbox import demo
from services.clock import SystemClock
from services.container import build_services
from services.people import WorkspaceRef
from storage.db import make_engine, make_session_factory
from storage.migrate import upgrade

ROOT = Path(__file__).resolve().parents[3]


def test_roster_export_against_the_sandbox_database_needs_no_as(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'dialogbot-sandbox.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    # As the sandbox leaves it: its workspace with Kari as the one coordinator.
    services = build_services(make_session_factory(engine), SystemClock(), _OfflineNotifier(), platform=PLATFORM,
                              channel_id=demo.CHANNEL_ID, coordinators=(demo.COORDINATOR,), default_language="en",
                              timings=timings_of(Settings()))
    services.start(WorkspaceRef(PLATFORM, demo.TEAM_ID))
    engine.dispose()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DIALOG_", "DATABASE_URL"))}
    result = subprocess.run([sys.executable, str(ROOT / "bot.py"), "roster", "export", "--database-url", url],
                            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("name,tier,contacts")
    assert not (tmp_path / "dialogbot.sqlite3").exists()  # the default database was left alone
