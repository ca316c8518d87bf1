"""Behind a reverse proxy, the client's address is the one the proxy forwards, if (and only if)
the proxy is trusted: the pages' request budget is per client, not one for everyone."""

from __future__ import annotations

import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from flask import Flask, request

from config import ConfigError, load_settings
from handlers.slack.server import make_server, stop_server


@contextmanager
def _serving(trusted_proxy: str) -> Iterator[str]:
    web = Flask("probe")

    @web.get("/who")
    def who() -> str:
        return request.remote_addr or "?"

    server = make_server(web, "127.0.0.1", 0, threads=2, trusted_proxy=trusted_proxy)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}/who"
    finally:
        stop_server(server)
        thread.join(timeout=10)


def _ask(url: str, forwarded: str | None) -> str:
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as answer:
        return answer.read().decode()


def test_a_trusted_proxy_forwards_the_clients_address() -> None:
    with _serving("127.0.0.1") as url:
        assert _ask(url, "203.0.113.7") == "203.0.113.7"
        assert _ask(url, "198.51.100.9") == "198.51.100.9"


def test_without_a_trusted_proxy_a_forwarded_address_is_not_believed() -> None:
    with _serving("") as url:
        assert _ask(url, "203.0.113.7") == "127.0.0.1"


def test_a_proxy_elsewhere_is_not_believed_either() -> None:
    with _serving("192.0.2.1") as url:
        assert _ask(url, "203.0.113.7") == "127.0.0.1"


def test_the_setting_takes_an_address_or_a_star() -> None:
    assert load_settings({"DIALOG_TRUSTED_PROXY": "10.0.0.5"}).trusted_proxy == "10.0.0.5"
    assert load_settings({"DIALOG_TRUSTED_PROXY": "*"}).trusted_proxy == "*"
    with pytest.raises(ConfigError, match="DIALOG_TRUSTED_PROXY"):
        load_settings({"DIALOG_TRUSTED_PROXY": "proxy.example.org"})
