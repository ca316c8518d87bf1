"""A person's own page (PAGE_PATH): their meetings and answers, the open topics to support, a form
to propose one, their organisations' follow-up points, and stopping or restarting e-mail.

The page only reads; each form posts to a path of its own under the page's, carrying the page's
form token, and on success redirects back to the page (303) with a short code saying what was
done. A proposal the services refuse is shown again with the message next to its field and the
words as typed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, redirect, request

from handlers.email.links import PAGE_PATH, Link, LinkKind
from handlers.email.pages.common import FORM_FIELD, Halt, Pages, Problem, guarded, problem, said
from handlers.email.pages.render import local_time, long_date, page
from services.enums import Answer
from services.errors import DomainError, NotFound, field_errors
from services.outside import AnswerRefused

DONE = ("answered", "recorded", "supported", "proposed", "stopped", "resumed")
"""What the page may say was just done (the redirect's `done`); anything else is ignored."""
_ANSWERS = {a.value: a for a in (Answer.YES, Answer.NO, Answer.MAYBE)}


def register_personal(web: Flask, pages: Pages) -> None:
    """Add the personal page and its forms to `web`."""
    outside = pages.services.outside

    @web.get(PAGE_PATH, endpoint="email_page")
    @guarded(pages.services)
    def show(token: str) -> Response:
        link = pages.read(token, LinkKind.PAGE)
        try:
            overview = outside.overview(link.actor)
        except NotFound:
            raise Halt(problem(Problem.INVALID, outside.language(link.actor))) from None
        done = request.args.get("done")
        return page("personal.html", overview.language, **{**_context(pages, token, link),
                                                             "address": overview.address or link.address},
                    overview=overview,
                    done=done if done in DONE else None,
                    when=lambda m: local_time(m.starts_at, pages.zone, overview.language),
                    due=lambda d: long_date(d, overview.language), proposal=None, errors={})

    @web.post(PAGE_PATH + "/answer", endpoint="email_page_answer")
    @guarded(pages.services)
    def answer(token: str) -> Response:
        link, language = _posted(pages, token)
        number, chosen = _int(request.form.get("meeting")), _ANSWERS.get(request.form.get("answer", ""))
        if number is None or chosen is None:
            raise Halt(problem(Problem.REFUSED, language))
        try:
            outcome = outside.answer(link.actor, number, chosen)
        except AnswerRefused as refused:
            raise Halt(problem(Problem.REFUSED, language, message=refused.message)) from None
        except DomainError as error:
            raise Halt(problem(Problem.REFUSED, language, message=error.message)) from None
        return _back(token, "answered" if outcome.confirmation_planned else "recorded", f"meeting-{number}")

    @web.post(PAGE_PATH + "/support", endpoint="email_page_support")
    @guarded(pages.services)
    def support(token: str) -> Response:
        link, language = _posted(pages, token)
        number = _int(request.form.get("topic"))
        if number is None:
            raise Halt(problem(Problem.REFUSED, language))
        try:
            outside.support(link.actor, number)
        except DomainError as error:
            raise Halt(problem(Problem.REFUSED, language, message=error.message)) from None
        return _back(token, "supported", f"topic-{number}")

    @web.post(PAGE_PATH + "/propose", endpoint="email_page_propose")
    @guarded(pages.services)
    def propose(token: str) -> Response:
        link, language = _posted(pages, token)
        title, details = request.form.get("title", ""), request.form.get("details", "")
        try:
            outside.propose(link.actor, title, details)
        except DomainError as error:
            # The form again, alone, with each message by its field and the words as typed.
            errors = {(ref.field.value if ref.field else ""): said(language, message)
                      for ref, message in field_errors(error).items()}
            return page("propose.html", language, 422, **_context(pages, token, link),
                        proposal={"title": title, "details": details}, errors=errors)
        return _back(token, "proposed", "propose")

    @web.post(PAGE_PATH + "/stop", endpoint="email_page_stop")
    @guarded(pages.services)
    def stop(token: str) -> Response:
        link, _ = _posted(pages, token)
        outside.stop(link.actor)
        return _back(token, "stopped", "email")

    @web.post(PAGE_PATH + "/resume", endpoint="email_page_resume")
    @guarded(pages.services)
    def resume(token: str) -> Response:
        link, _ = _posted(pages, token)
        outside.resume(link.actor)
        return _back(token, "resumed", "email")


def _context(pages: Pages, token: str, link: Link) -> Mapping[str, Any]:
    base = PAGE_PATH.replace("<token>", token)
    return {"address": link.address, "base": base, "form_field": FORM_FIELD,
            "form_token": pages.form_token(token)}


def _posted(pages: Pages, token: str) -> tuple[Link, str]:
    """The page's link and its reader's language, once the form's token is checked."""
    link = pages.read(token, LinkKind.PAGE)
    language = pages.services.outside.language(link.actor)
    pages.check_form(token, language)
    return link, language


def _back(token: str, done: str, anchor: str) -> Response:
    return redirect(f"{PAGE_PATH.replace('<token>', token)}?done={done}#{anchor}", code=303)


def _int(value: str | None) -> int | None:
    if value is None or not value.isascii() or not value.isdigit() or len(value) > 9:
        return None
    return int(value)
