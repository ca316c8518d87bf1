"""Persist first: every request is stored before Slack gets its 200, and processed exactly once.

`persist_first` is a Bolt middleware: it runs before any listener acknowledges, writes the
request to the inbox (a local database write, no network) and only then lets the listener ack.
A platform retry of a stored request (the Events API's `X-Slack-Retry-Num`, a double submit with
the same trigger) is acknowledged and not processed again.

`Durable.guard` wraps the listeners that do the work: it runs the listener with the inbox's
exactly-once stamp active, and marks the request done. If the process dies anywhere in between,
`replay` hands the stored request to this app again after the restart: its effect happens then
(late, and the answer says so), or, if it had already happened, the person is told that their
request went through before the restart.
"""

from __future__ import annotations

import contextvars
import functools
import hashlib
import json
import logging
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse
from slack_sdk.errors import SlackApiError, SlackClientError

from handlers.slack import PLATFORM
from handlers.slack.context import SlackDeps
from handlers.slack.errors import TAKEN, ErrorReporter, Listener
from handlers.slack.parsing.carried import ModalContext
from handlers.slack.render.common import plain
from handlers.slack.reply import late_note, privately
from services.i18n import N_, text
from services.inbox import AlreadyApplied, Inbox, Pending, is_transient

log = logging.getLogger(__name__)

INBOX_ID = "dialogbot_inbox_id"
REPLAY = "dialogbot_replay"
_DEFERRED = "dialogbot_deferred"
_QUOTE = "dialogbot_quote"
_REPLY_URL = "dialogbot_reply_url"
# What a request says of itself, quoted back when it went through before a restart.
_QUOTE_MAX = 80


def request_identity(body: dict[str, Any]) -> tuple[str, str] | None:
    """The kind of a request worth storing, and a key unique to it; None for ones with no work."""
    team = str(body.get("team_id") or (body.get("team") or {}).get("id") or "")
    if "command" in body:
        kind, unique = "command", body.get("trigger_id")
    elif body.get("type") == "view_submission":
        # A form sent again unchanged (after Slack showed an error for a lost answer) is the same
        # request, whatever its new trigger: one form, one set of values, one effect.
        view = body.get("view") if isinstance(body.get("view"), dict) else {}
        state = view.get("state") if isinstance(view.get("state"), dict) else {}
        values = hashlib.sha256(json.dumps(state.get("values"), sort_keys=True).encode()).hexdigest()
        kind, unique = "view_submission", f"{view.get('id', '')}:{values}"
    elif body.get("type") == "block_actions":
        kind, unique = "block_actions", body.get("trigger_id")
        if not unique:
            actions = body.get("actions") or [{}]
            first = actions[0] if isinstance(actions, list) and isinstance(actions[0], dict) else {}
            container = body.get("container") if isinstance(body.get("container"), dict) else {}
            unique = f"{container.get('message_ts', '')}:{first.get('action_ts', '')}"
    elif body.get("type") == "event_callback":
        kind, unique = "event", body.get("event_id")
    else:
        return None
    return kind, f"{team}:{kind}:{unique or uuid.uuid4().hex}"


class DurableApp(App):
    """Bolt's App, telling the inbox when a request's listeners have all run.

    A middleware cannot tell: in Bolt's synchronous dispatch, `next()` only marks the chain as
    continued; the listeners run after every middleware has returned.
    """

    durable: Durable | None = None
    # The listeners' thread pools: drained before the process says it is gone.
    pools: tuple[ThreadPoolExecutor, ...] = ()

    def drain(self) -> None:
        """Let the work already accepted finish. Only then may this worker's heartbeat go: another
        process would take its unfinished requests for a dead worker's and answer them twice."""
        for pool in self.pools:
            pool.shutdown(wait=True)

    def dispatch(self, req: BoltRequest) -> BoltResponse:
        """Dispatch as Bolt does, then let the inbox finish a stored request nobody took on."""
        response = super().dispatch(req)
        if self.durable is not None:
            self.durable.dispatched(req)
        return response


class Durable:
    """Stores requests before they are acknowledged and processes each one exactly once."""

    def __init__(self, deps: SlackDeps, reporter: ErrorReporter, inbox: Inbox) -> None:
        self._deps = deps
        self._reporter = reporter
        self._inbox = inbox
        self._app: DurableApp | None = None
        self._background: ThreadPoolExecutor = deps.background

    def install(self, app: DurableApp) -> None:
        """Add the persist-first middleware to `app` and let the inbox replay requests through it."""
        self._app = app
        app.durable = self
        app.middleware(self.persist_first)
        self._inbox.on_replay(PLATFORM, self.replay)

    def dispatched(self, req: BoltRequest) -> None:
        """After the listeners ran: a stored request none of them took on (a link click, an action
        nobody listens for) is done now, or it would be replayed for ever."""
        entry_id = req.context.get(INBOX_ID)
        if entry_id is not None and not req.context.get(TAKEN):
            try:
                self._inbox.finish(entry_id)
            except Exception:  # noqa: BLE001 - left unfinished, it is replayed and finished then
                log.exception("could not mark request %s done", entry_id)

    # -- before the acknowledgement --------------------------------------------------------

    def persist_first(self, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]) -> Any:
        """Write the request to the inbox before any listener can acknowledge it."""
        # What the listeners' own arguments may not carry, should the person need to be told
        # that their request went through before a restart.
        req.context[_QUOTE] = _quote(req.body)
        req.context[_REPLY_URL] = _response_url(req.body)
        if INBOX_ID in req.context:
            return next()  # a replay of a stored request
        identity = request_identity(req.body)
        if identity is None:
            return next()
        kind, key = identity
        # Slack's legacy verification token is not needed again, so it is not kept.
        stored = json.dumps({name: value for name, value in req.body.items() if name != "token"})
        try:
            accepted = self._inbox.accept(PLATFORM, key, kind, stored,
                                          again_if_ineffective=kind == "view_submission")
        except Exception:  # noqa: BLE001 - without the row there must be no 200
            log.exception("could not store a %s request; answering 503 so it is not taken as done", kind)
            return BoltResponse(status=503, body="")
        if accepted.duplicate:
            retry = (req.headers.get("x-slack-retry-num") or [""])[0]
            log.info("request %s arrived again%s; it is processed once", accepted.id,
                     f" (Slack retry {retry})" if retry else "")
            return BoltResponse(status=200, body="")
        req.context[INBOX_ID] = accepted.id
        return next()

    # -- the work --------------------------------------------------------------------------

    def guard(self, listener: Listener) -> Listener:
        """Wrap a listener (which must take `context`) to process its stored request exactly once."""
        guarded = self._reporter.guard(listener)

        @functools.wraps(listener)
        def durable(**kwargs: Any) -> Any:
            context: BoltContext = kwargs["context"]
            entry_id = context.get(INBOX_ID)
            if entry_id is None:
                return guarded(**kwargs)
            context[TAKEN] = True  # a form's listener runs before its ack, in the request's context
            ack = kwargs.get("ack")
            # The request is this worker's: stored claimed by it, or claimed for it by `due`.
            replaying = bool(context.get(REPLAY))
            if replaying:
                pending = self._inbox.status(entry_id)
                if pending is not None and pending.effected:
                    _ack_if_needed(ack)
                    self._went_through(context)
                    self._settle(entry_id)
                    return None
            token = late_note.set(self._late_text(context) if replaying else None)
            try:
                with self._inbox.effect_scope(entry_id):
                    result = listener(**kwargs)
            except AlreadyApplied:
                _ack_if_needed(ack)
                self._went_through(context)
                self._settle(entry_id)
                return None
            except Exception as error:  # noqa: BLE001 - every error is reported or retried, none is lost
                _ack_if_needed(ack)
                # The database failing, or Slack unreachable (the effect may be done, the answer
                # not): both pass, so the request is tried again; a replay answers what is missing.
                if (is_transient(error) or isinstance(error, OSError)) and self._retry(entry_id, error):
                    return None
                self._reporter.report(error, context, kwargs.get("body") or {})
                self._settle(entry_id)
                return None
            finally:
                late_note.reset(token)
            if not context.get(_DEFERRED):
                self._settle(entry_id)
            return result

        return durable

    def later(self, context: BoltContext, work: Callable[[], None]) -> None:
        """Run `work` after the acknowledgement (a form's confirmation); the request is done after it."""
        entry_id = context.get(INBOX_ID)
        context[_DEFERRED] = True
        # The late-answer note travels with the work to its thread.
        run_in = contextvars.copy_context()

        def run() -> None:
            try:
                run_in.run(work)
            except Exception as error:  # noqa: BLE001 - every error is reported, none is lost
                self._reporter.report(error, context, {})
            finally:
                if entry_id is not None:
                    self._settle(entry_id)

        self._background.submit(run)

    def _settle(self, entry_id: int) -> None:
        """Mark the request done; if even that fails, it stays for a replay (the ack stands)."""
        try:
            self._inbox.finish(entry_id)
        except Exception:  # noqa: BLE001 - left unfinished, it is replayed and the person told
            log.exception("could not mark request %s done", entry_id)
            self._inbox.forget(entry_id)

    def _retry(self, entry_id: int, error: Exception) -> bool:
        """Send the request back for a later try after a database error; False if it is given up."""
        try:
            again = self._inbox.retry_later(entry_id, type(error).__name__)
        except Exception:  # noqa: BLE001 - the database is failing; the lease brings the row back
            log.exception("could not put request %s back for a retry", entry_id)
            self._inbox.forget(entry_id)
            return True
        if again:
            log.warning("request %s met %s (the database or Slack); it will be retried",
                        entry_id, type(error).__name__)
        return again

    # -- after a restart -------------------------------------------------------------------

    def replay(self, pending: Pending) -> None:
        """Process a stored request again, through the same listeners, without a new signature check."""
        if self._app is None:
            raise RuntimeError("the durable middleware is not installed")
        body = json.loads(pending.body)
        # Socket Mode's request shape: an already parsed body with no HTTP signature to check;
        # the request was verified when it first arrived.
        request = BoltRequest(body=body, mode="socket_mode",
                              context={INBOX_ID: pending.id, REPLAY: True})
        self._app.dispatch(request)

    def _late_text(self, context: BoltContext) -> str:
        t = self._deps.translator(context)
        return t.render(text(N_("This answer is late: the bot was interrupted while handling your request.")))

    def _went_through(self, context: BoltContext) -> None:
        """Tell the person that their request had its effect before a restart cut the answer off."""
        t = self._deps.translator(context)
        what = str(context.get(_QUOTE) or "")
        message = (text(N_("Your request `{request}` went through just before the bot was interrupted; "
                           "this confirmation is late."), request=what) if what else
                   text(N_("Your last request went through just before the bot was interrupted; this "
                           "confirmation is late.")))
        rendered = plain(t, message)
        try:
            privately(rendered, response_url=str(context.get(_REPLY_URL) or ""),
                      user_id=context.user_id or "", client=context.client)
        except (SlackApiError, SlackClientError, OSError) as exc:
            log.warning("could not tell %s that their request went through: %s", context.user_id, exc)


def _ack_if_needed(ack: Any) -> None:
    if ack is not None and ack.response is None:
        ack()


def _response_url(body: dict[str, Any]) -> str:
    if body.get("response_url"):
        return str(body["response_url"])
    view = body.get("view")
    if isinstance(view, dict):
        return ModalContext.load(str(view.get("private_metadata") or "")).response_url
    return ""


def _quote(body: dict[str, Any]) -> str:
    """`/dialog propose …` as the person typed it, shortened; "" for clicks and forms."""
    if "command" in body:
        # Backticks would end the code span the quote is shown in.
        typed = f"{body.get('command', '')} {body.get('text', '')}".strip().replace("`", "'")
        return typed if len(typed) <= _QUOTE_MAX else typed[: _QUOTE_MAX - 1] + "…"
    return ""
