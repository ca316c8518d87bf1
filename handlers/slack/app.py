"""Builds the Bolt app and the Slack Web API clients, and registers every listener."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)

from handlers.slack import (
    actions,
    change_listeners,
    commands,
    errors,
    home,
    languages,
    minutes_listeners,
    privacy_listeners,
    roster_listeners,
    views,
)
from handlers.slack.context import SlackDeps
from handlers.slack.durable import Durable, DurableApp

# Threads for the work after the acknowledgements (commands and clicks).
WORK_THREADS = 16


def make_client(token: str, base_url: str, *, retries: bool) -> WebClient:
    """A Web API client for `base_url` (Slack, GovSlack or a fake).

    Listener-side calls retry dropped connections and one 429. The delivery sweep's client does
    not retry at all: a post whose connection dropped may already be in Slack, so the sweep looks
    for it (message metadata) before sending again, and it reschedules after a 429 instead of
    sleeping.
    """
    handlers = (
        [ConnectionErrorRetryHandler(max_retry_count=2), RateLimitErrorRetryHandler(max_retry_count=1)]
        if retries else []
    )
    return WebClient(token=token, base_url=base_url, timeout=15, retry_handlers=handlers)


def build_app(deps: SlackDeps, client: WebClient, *, signing_secret: str | None) -> DurableApp:
    """The Bolt app with every Dialogbot listener registered; signature checks stay on (at the edge)."""
    work = ThreadPoolExecutor(max_workers=WORK_THREADS, thread_name_prefix="slack-work")
    app = DurableApp(
        client=client,
        signing_secret=signing_secret or None,
        request_verification_enabled=False,  # checked first, at the HTTP edge: handlers.slack.server
        # Acknowledgements are made in the request's own thread (commands and buttons ack first
        # thing; forms ack once validated), and the work runs afterwards on Bolt's lazy-listener
        # pool. Acks then never queue behind other people's work, however busy the bot is.
        process_before_response=True,
        listener_executor=work,
        logger=logging.getLogger("dialogbot.bolt"),
    )
    reporter = errors.ErrorReporter(deps)
    # Persist first: every request is in the inbox before a listener acknowledges it.
    durable = Durable(deps, reporter, deps.services.inbox)
    app.pools = (work, deps.background)
    durable.install(app)
    commands.register(app, deps, durable.guard)
    actions.register(app, deps, durable.guard)
    views.register(app, deps, durable)
    roster_listeners.register(app, deps, durable)
    change_listeners.register(app, deps, durable)
    minutes_listeners.register(app, deps, durable)
    home.register(app, deps, durable.guard)
    languages.register(app, deps, durable.guard)
    privacy_listeners.register(app, deps, durable.guard)
    errors.register(app, reporter)
    return app
