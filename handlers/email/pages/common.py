"""What the pages share: reading a link, checking a form, the language of a visitor without a
link, and the short pages that say why nothing happened."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import Response, request
from werkzeug.exceptions import HTTPException

from handlers.email.links import Link, LinkExpired, LinkInvalid, LinkKind, Links
from handlers.email.pages.render import page
from services.container import Services
from services.i18n import SUPPORTED, Command, Text, Translator, translator

log = logging.getLogger(__name__)

FORM_FIELD = "form"
"""The form field carrying the CSRF token (handlers.email.links.Links.form_token)."""
ASK_BINDING = "ask-for-a-link"
"""What the link request form's token is bound to: it has no link of its own."""


class Problem(StrEnum):
    """Why a page says nothing happened; each has its own words in problem.html."""

    INVALID = "invalid"
    EXPIRED = "expired"
    ANSWER_EXPIRED = "answer_expired"
    STARTED = "started"
    CANCELLED = "cancelled"
    NOT_INVITED = "not_invited"
    NOT_FOUND = "not_found"
    FORM = "form"
    REFUSED = "refused"
    TOO_MANY = "too_many"
    BROKEN = "broken"


STATUS = {
    Problem.INVALID: 404, Problem.EXPIRED: 410, Problem.ANSWER_EXPIRED: 410, Problem.STARTED: 410,
    Problem.CANCELLED: 410, Problem.NOT_INVITED: 403, Problem.NOT_FOUND: 404, Problem.FORM: 403,
    Problem.REFUSED: 409, Problem.TOO_MANY: 429, Problem.BROKEN: 500,
}


class Halt(Exception):  # noqa: N818 - it carries the answer, it is not a failure
    """Stop handling a request and answer with `response`."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status)
        self.response = response


@dataclass(frozen=True)
class Pages:
    """What the page handlers need: the services, the link signer, the meetings' zone."""

    services: Services
    links: Links
    zone: ZoneInfo

    def read(self, token: str, kind: LinkKind) -> Link:
        """The link `token` stands for; halts with a clear page if it is forged or expired."""
        try:
            return self.links.read(token, kind)
        except LinkInvalid:
            raise Halt(problem(Problem.INVALID, visitor_language(self.services))) from None
        except LinkExpired:
            expired = Problem.ANSWER_EXPIRED if kind == LinkKind.ANSWER else Problem.EXPIRED
            raise Halt(problem(expired, visitor_language(self.services))) from None

    def check_form(self, binding: str, language: str) -> None:
        """Halt (403, nothing done) unless the POST carries the form token made for `binding`."""
        if not self.links.form_ok(binding, request.form.get(FORM_FIELD)):
            raise Halt(problem(Problem.FORM, language))

    def form_token(self, binding: str) -> str:
        """The token a page's forms carry (CSRF), bound to the link the page was opened with."""
        return self.links.form_token(binding)


def visitor_language(services: Services) -> str:
    """The language for someone the page knows nothing of: their browser's choice between ours,
    else the dialogue's own."""
    wanted = request.accept_languages.best_match(("nb", "no", "nn", "en"))
    if wanted in ("nb", "no", "nn"):
        return "nb"
    if wanted == "en":
        return "en"
    return services.default_language if services.default_language in SUPPORTED else "en"


def said(language: str, message: Text) -> str:
    """A service's message as a page says it, in `language`: a command it suggests is named by
    where it is on the pages, not by a chat command nobody outside the chat can type (its
    parameters are escaped by the template, as the whole line is)."""
    t = translator(language)
    return t.render(message, hint=lambda hint, args: _where(t, hint.command, args))


def _where(t: Translator, command: Command, args: tuple[str, ...]) -> str:
    if command == Command.SUPPORT:
        return t.gettext("the Support button on your page")
    if command == Command.PROPOSE:
        # Suggested with an example title: the example says it; else where the form is.
        return " ".join(str(arg) for arg in args) if args else t.gettext("the form on your page")
    if command in (Command.TOPICS, Command.MEETINGS):
        return t.gettext("your page")
    # Roster and coordinators' commands: not something a contact does.
    return t.gettext("a coordinator")


def problem(kind: Problem, language: str, **context: Any) -> Response:
    """The short page saying why nothing happened, with its status."""
    message = context.get("message")
    context["message"] = said(language, message) if isinstance(message, Text) else message
    context.setdefault("ask_url", "/p/link")
    return page("problem.html", language, STATUS[kind], problem=kind.value, **context)


def on_site(url: str) -> str:
    """A link of ours as a path (and query) on this site: pages link to each other wherever they
    are served from, whatever DIALOG_PUBLIC_URL says."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def guarded(services: Services) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
    """Answer a Halt with its page, and anything unexpected with a plain 500 page: never a stack
    trace, and never the token in the log (the path's pattern and the error's type only)."""

    def wrap(view: Callable[..., Response]) -> Callable[..., Response]:
        @functools.wraps(view)
        def run(*args: Any, **kwargs: Any) -> Response:
            try:
                return view(*args, **kwargs)
            except Halt as halt:
                return halt.response
            except HTTPException:
                raise  # Flask's own (413 and the like): its plain answer
            except Exception as error:  # noqa: BLE001 - the visitor gets a page, the log the details
                rule = request.url_rule.rule if request.url_rule is not None else "?"
                log.error("page %s %s failed: %s", request.method, rule, type(error).__name__,
                          exc_info=(type(error), error, error.__traceback__))
                return problem(Problem.BROKEN, visitor_language(services))

        return run

    return wrap
