"""The load generator: runs in a process of its own and signs every request as Slack does.

A spec is a tuple:

* ``("command", text, user_id, response_url)``: a ``/dialog`` slash command;
* ``("action", action_id, value, user_id, message, response_url)``: a button click in `message`.
"""

from __future__ import annotations

import itertools
import threading
import time
from typing import Any

from fakes.slack import SlackRequester

START_DELAY = 0.3
"""Seconds between starting the clients and the first request, so every client is ready."""
TIMEOUT = 10.0
"""A client gives up on an answer after this long (Slack itself gives up after 3 seconds)."""


def _send(requester: SlackRequester, spec: tuple[Any, ...]) -> tuple[int, float]:
    kind = spec[0]
    if kind == "command":
        _, text, user, response_url = spec
        reply = requester.slash_command(text, user_id=user, response_url=response_url)
    elif kind == "action":
        _, action_id, value, user, message, response_url = spec
        reply = requester.block_action(action_id, value, user_id=user, message=message,
                                       response_url=response_url)
    else:
        raise ValueError(f"unknown request kind {kind!r}")
    return reply.status, reply.elapsed


def run_load(url: str, secret: str, team: str, specs: list[tuple[Any, ...]], concurrency: int,
             offsets: list[float] | None) -> list[tuple[int, int, float, float, float]]:
    """Send every spec; return ``(index, status, latency, sent_at, done_at)`` per request.

    ``latency`` is from sending the request to reading the whole answer (the acknowledgement);
    times are epoch seconds. A request that fails outright counts as status 0.
    """
    counter = itertools.count()
    lock = threading.Lock()
    results: list[tuple[int, int, float, float, float]] = []
    start = time.time() + START_DELAY

    def client() -> None:
        requester = SlackRequester(url, secret, team_id=team, timeout=TIMEOUT)
        while True:
            with lock:
                index = next(counter)
            if index >= len(specs):
                return
            if offsets is not None:
                delay = start + offsets[index] - time.time()
                if delay > 0:
                    time.sleep(delay)
            sent = time.time()
            try:
                status, latency = _send(requester, specs[index])
            except OSError:
                status, latency = 0, time.time() - sent
            with lock:
                results.append((index, status, latency, sent, time.time()))

    delay = start - time.time()
    if delay > 0 and offsets is None:
        time.sleep(delay)
    threads = [threading.Thread(target=client, name=f"client-{n}") for n in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(results)
