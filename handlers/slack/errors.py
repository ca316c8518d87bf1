"""One place that turns errors into friendly private messages, for every listener.

Listeners are wrapped with `guard`, not left to Bolt's `@app.error` alone: when a listener that
already acknowledged raises quickly, Bolt's thread runner resets the acknowledgement it is about
to send (slack_bolt.listener.thread_runner, `ack.response = response` with `response` None), so
Slack would see no answer. The wrapper catches first; `@app.error` stays for errors outside
listeners (middleware).
"""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk.errors import SlackApiError, SlackClientError

from handlers.slack.context import SlackDeps
from handlers.slack.render.common import plain
from handlers.slack.reply import privately
from services.errors import DomainError
from services.i18n import N_, text

log = logging.getLogger(__name__)

Listener = Callable[..., Any]
STALE_TRIGGERS = ("expired_trigger_id", "invalid_trigger_id", "trigger_expired")


# Set on a request whose work a listener has taken on; a stored request nobody takes is done at once.
TAKEN = "dialogbot_taken"


def ack_now(ack: Ack, context: BoltContext) -> None:
    """Acknowledge a command or a click at once; its work follows as a lazy listener."""
    context[TAKEN] = True
    ack()


def ack_only(ack: Ack) -> None:
    """Acknowledge a click that needs nothing more (a link button opens in the browser)."""
    ack()


class ErrorReporter:
    """Tells the person privately what went wrong: the domain's message, or an apology with a reference."""

    def __init__(self, deps: SlackDeps) -> None:
        self._deps = deps

    def later(self, context: BoltContext, work: Callable[[], None]) -> None:
        """Run `work` after the acknowledgement has gone, reporting any error to the person."""

        def run() -> None:
            try:
                work()
            except Exception as error:  # noqa: BLE001 - every error is reported, none is lost
                self.report(error, context, {})

        self._deps.background.submit(run)

    def guard(self, listener: Listener) -> Listener:
        """Wrap a listener (which must take `context`) so no error escapes it."""

        @functools.wraps(listener)
        def guarded(**kwargs: Any) -> Any:
            try:
                return listener(**kwargs)
            except Exception as error:  # noqa: BLE001 - every error is reported, none is lost
                ack = kwargs.get("ack")
                if ack is not None and ack.response is None:
                    ack()
                self.report(error, kwargs["context"], kwargs.get("body") or {})
                return None

        return guarded

    def report(self, error: Exception, context: BoltContext, body: dict[str, Any]) -> None:
        """Render `error` for the person behind the request, privately."""
        t = self._deps.translator(context)
        if isinstance(error, DomainError):
            rendered = plain(t, error.message)
        elif isinstance(error, SlackApiError) and error.response.get("error") in STALE_TRIGGERS:
            # Slack gives a form three seconds to open: a busy moment, or a request finished after
            # a restart, is too late. Nothing went wrong that asking again does not fix.
            log.info("a form could not open: %s", error.response.get("error"))
            rendered = plain(t, text(N_("The form could not open in time. Please run the command "
                                               "again.")))
        else:
            reference = uuid.uuid4().hex[:8]
            # The request body may hold what people typed: log what kind of request it was, only.
            log.error("unexpected error (ref %s) handling a %s request", reference,
                      body.get("type") or body.get("command") or "Slack", exc_info=error)
            rendered = plain(
                t,
                text(
                    N_("Something went wrong on our side, sorry. Please try again; if it keeps "
                       "happening, tell a coordinator and quote reference {reference}."),
                    reference=reference,
                ),
            )
        # Requests from a message carry a response_url; those from the Home tab or a form do not.
        response_url = context.respond.response_url if context.respond is not None else None
        try:
            privately(rendered, response_url=response_url or "", user_id=context.user_id or "",
                      client=context.client)
        except (SlackApiError, SlackClientError, OSError) as exc:
            log.warning("could not tell %s about an error: %s", context.user_id, exc)


def register(app: App, reporter: ErrorReporter) -> None:
    """Install the last-resort handler for errors raised outside the listeners."""

    @app.error
    def handle(error: Exception, context: BoltContext, body: dict[str, Any]) -> None:
        reporter.report(error, context, body)
