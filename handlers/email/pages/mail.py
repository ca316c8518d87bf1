"""Stopping e-mail (STOP_PATH, also the List-Unsubscribe header's target) and asking for a link
to one's page (ASK_PATH)."""

from __future__ import annotations

from flask import Flask, Response, redirect, request

from handlers.email.links import ASK_PATH, STOP_PATH, LinkKind
from handlers.email.pages.common import (
    ASK_BINDING,
    FORM_FIELD,
    Halt,
    Pages,
    Problem,
    guarded,
    on_site,
    problem,
    said,
    visitor_language,
)
from handlers.email.pages.render import page
from services.errors import DomainError, NotFound

ONE_CLICK = "One-Click"
"""RFC 8058: a mail provider's one-click unsubscribe is a POST with List-Unsubscribe=One-Click."""
ADDRESS_MAX = 320


def register_mail(web: Flask, pages: Pages) -> None:
    """Add the unsubscribe page and the link request form to `web`."""
    outside = pages.services.outside

    @web.get(STOP_PATH, endpoint="email_stop")
    @guarded(pages.services)
    def show_stop(token: str) -> Response:
        link = pages.read(token, LinkKind.STOP)
        try:
            status = outside.mail_status(link.actor)
        except NotFound:
            raise Halt(problem(Problem.INVALID, visitor_language(pages.services))) from None
        done = request.args.get("done")
        return page("stop.html", status.language, address=link.address, stopped=status.unsubscribed,
                    done=done if done in ("stopped", "resumed") else None, form_field=FORM_FIELD,
                    form_token=pages.form_token(token), action=request.path,
                    page_url=on_site(pages.links.page_url(link.actor.workspace, link.actor.person))
                    if pages.links.available else None)

    @web.post(STOP_PATH, endpoint="email_stop_post")
    @guarded(pages.services)
    def stop(token: str) -> Response:
        link = pages.read(token, LinkKind.STOP)
        if request.form.get("List-Unsubscribe") == ONE_CLICK:
            # A mail provider acting on the reader's click in their inbox: no page, no form token
            # (the signed, personal link is the proof), and the answer is for a machine.
            outside.stop(link.actor)
            return Response("Unsubscribed.\n", mimetype="text/plain")
        language = outside.language(link.actor)
        pages.check_form(token, language)
        if request.form.get("do") == "resume":
            outside.resume(link.actor)
            done = "resumed"
        else:
            outside.stop(link.actor)
            done = "stopped"
        return redirect(f"{request.path}?done={done}", code=303)

    @web.get(ASK_PATH, endpoint="email_ask")
    @guarded(pages.services)
    def show_ask() -> Response:
        return _ask_page(pages, sent=request.args.get("sent") == "1")

    @web.post(ASK_PATH, endpoint="email_ask_post")
    @guarded(pages.services)
    def ask() -> Response:
        pages.check_form(ASK_BINDING, visitor_language(pages.services))
        address = request.form.get("address", "")[:ADDRESS_MAX]
        try:
            outside.request_link(address)
        except DomainError as error:
            language = visitor_language(pages.services)
            return _ask_page(pages, status=422, address=address,
                             error=said(language, error.message))
        # The same answer whether or not the address is on a roster.
        return redirect(f"{ASK_PATH}?sent=1", code=303)


def _ask_page(pages: Pages, *, sent: bool = False, status: int = 200, address: str = "",
              error: str | None = None) -> Response:
    return page("ask.html", visitor_language(pages.services), status, sent=sent, address=address,
                error=error, form_field=FORM_FIELD, form_token=pages.form_token(ASK_BINDING), action=ASK_PATH)
