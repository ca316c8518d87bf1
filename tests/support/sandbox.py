"""Run the sandbox in-process (the bot, its workspace and the page on one loopback port)."""

from __future__ import annotations

import dataclasses
import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from config import load_settings
from sandbox.launcher import Sandbox, start_sandbox
from services.clock import Clock


@contextmanager
def running_sandbox(database_url: str, state_file: Path | None, *, clock: Clock | None = None,
                    **env: str) -> Iterator[Sandbox]:
    """A started sandbox on a free loopback port, keeping its workspace in `state_file` (the bot
    on `clock`, if given); stopped (and saved) afterwards."""
    # Port 0: the operating system picks a free one (the sandbox reports it in `url`).
    settings = dataclasses.replace(load_settings({"DATABASE_URL": database_url, **env}), port=0)
    sandbox = start_sandbox(settings, clock=clock, state_file=state_file)
    try:
        yield sandbox
    finally:
        sandbox.stop()
        assert not sandbox.thread.is_alive(), "the sandbox's server did not stop"


def call(sandbox: Sandbox, path: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
    """GET (no body) or POST JSON to the sandbox; returns status and decoded JSON."""
    data = json.dumps(body).encode("utf-8") if body is not None else None
    request = urllib.request.Request(sandbox.url + path, data=data, method="POST" if data else "GET",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as error:
        raw = error.read()
        try:
            return error.code, json.loads(raw)
        except ValueError:
            return error.code, raw.decode("utf-8", "replace")


class ShiftedClock:
    """Real time, moved forward on request: pacing and timeouts run as usual, and a test can
    still jump past a meeting's start to write its minutes."""

    def __init__(self) -> None:
        self._offset = timedelta(0)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        """The current time plus the jumps made so far."""
        with self._lock:
            return datetime.now(UTC) + self._offset

    def jump_to(self, moment: datetime) -> None:
        """Go on from `moment` (forward only: the bot's time never runs backwards)."""
        with self._lock:
            self._offset = max(self._offset, moment - datetime.now(UTC))
