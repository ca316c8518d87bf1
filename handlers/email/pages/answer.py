"""The one-click answer: GET shows the meeting and one button (mail scanners open every link, so
the GET changes nothing); the button's POST records the answer, then redirects to a page that
shows it (POST-redirect-GET: reloading never answers twice)."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask, Response, redirect, request

from handlers.email.links import ANSWER_PATH, Link, LinkKind
from handlers.email.pages.common import FORM_FIELD, Halt, Pages, Problem, guarded, on_site, problem
from handlers.email.pages.render import local_time, page
from services.enums import Answer
from services.errors import DomainError, NotFound
from services.outside import AnswerRefused, AnswerState, AnswerView

ANSWERS = (Answer.YES, Answer.NO, Answer.MAYBE)
_REFUSED = {AnswerState.STARTED: Problem.STARTED, AnswerState.CANCELLED: Problem.CANCELLED,
            AnswerState.NOT_INVITED: Problem.NOT_INVITED}


def register_answer(web: Flask, pages: Pages) -> None:
    """Add GET and POST ANSWER_PATH to `web`."""

    @web.get(ANSWER_PATH, endpoint="email_answer")
    @guarded(pages.services)
    def show(token: str) -> Response:
        link = pages.read(token, LinkKind.ANSWER)
        view = _view(pages, link)
        done = request.args.get("done")
        return _page(pages, token, link, view, done=done if done in ("confirmed", "recorded") else None)

    @web.post(ANSWER_PATH, endpoint="email_answer_post")
    @guarded(pages.services)
    def answer(token: str) -> Response:
        link = pages.read(token, LinkKind.ANSWER)
        language = pages.services.outside.language(link.actor)
        pages.check_form(token, language)
        try:
            outcome = pages.services.outside.answer(link.actor, _number(link), _answer(link))
        except AnswerRefused as refused:
            raise Halt(_refused(refused.view)) from None
        except NotFound:
            raise Halt(problem(Problem.NOT_FOUND, language)) from None
        except DomainError as error:
            raise Halt(problem(Problem.REFUSED, language, message=error.message)) from None
        # 303: the browser fetches the result with a GET, so a reload shows it and answers nothing.
        done = "confirmed" if outcome.confirmation_planned else "recorded"
        return redirect(f"{request.path}?done={done}", code=303)


def _view(pages: Pages, link: Link) -> AnswerView:
    try:
        return pages.services.outside.answer_view(link.actor, _number(link))
    except NotFound:
        raise Halt(problem(Problem.NOT_FOUND, pages.services.outside.language(link.actor))) from None


def _page(pages: Pages, token: str, link: Link, view: AnswerView, *, done: str | None) -> Response:
    if view.state != AnswerState.OPEN:
        return _refused(view)
    expires = datetime.fromtimestamp(link.expires_at or 0, UTC)
    who = link.actor.person
    others = [(other.value, on_site(pages.links.answer_url(link.actor.workspace, who, _number(link),
                                                           other, expires)))
              for other in ANSWERS if other != link.answer]
    meeting = view.meeting
    return page("answer.html", view.language, meeting=meeting, current=view.answer and view.answer.value,
                wanted=_answer(link).value, done=done if view.answer == link.answer else None,
                when=local_time(meeting.starts_at, pages.zone, view.language), others=others,
                form_field=FORM_FIELD, form_token=pages.form_token(token),
                page_url=on_site(pages.links.page_url(link.actor.workspace, link.actor.person)))


def _refused(view: AnswerView) -> Response:
    return problem(_REFUSED.get(view.state, Problem.REFUSED), view.language, meeting=view.meeting)


def _number(link: Link) -> int:
    if link.meeting_number is None:
        raise Halt(problem(Problem.INVALID, "en"))
    return link.meeting_number


def _answer(link: Link) -> Answer:
    if link.answer is None:
        raise Halt(problem(Problem.INVALID, "en"))
    return link.answer
