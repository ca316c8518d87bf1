"""The bot's own pages for e-mail contacts, under /p/ on its HTTP server: one-click answers, the
personal page, unsubscribing, and asking for a link (handlers/email/links.py makes the links).

No login and no JavaScript: the signed token in the path says who the visitor is, forms carry a
second token bound to it (CSRF), a GET never changes anything (mail scanners open every link),
and every response carries strict security headers. Requests are budgeted per client address
(RATE a minute): `request.remote_addr`, which behind a reverse proxy is the proxy's own unless
DIALOG_TRUSTED_PROXY names the proxy (then waitress takes the client's address from its
X-Forwarded-For); without it everyone coming through the proxy shares one budget, and a burst of
clicks after an invitation may meet the 429 page.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from zoneinfo import ZoneInfo

from flask import Flask, Response, request

from handlers.email.links import Links
from handlers.email.pages.answer import register_answer
from handlers.email.pages.common import Pages, Problem, problem, visitor_language
from handlers.email.pages.mail import register_mail
from handlers.email.pages.personal import register_personal
from handlers.email.pages.render import csp
from handlers.email.pages.security import HEADERS, PAGES_PREFIX, RATE, RateLimiter
from services.container import Services

__all__ = ["register"]


def register(web: Flask, services: Services, links: Links, *, zone: ZoneInfo,
             clock: Callable[[], float] = time.monotonic, rate: int = RATE) -> None:
    """Add the e-mail contacts' pages to `web` (the bot's Flask app), budgeting each client
    address `rate` requests a minute by `clock` (seconds)."""
    pages = Pages(services, links, zone)
    limiter = RateLimiter(rate, clock)

    @web.before_request
    def budget() -> Response | None:
        if not request.path.startswith(PAGES_PREFIX):
            return None
        if not limiter.allow(request.remote_addr or "?"):
            response = problem(Problem.TOO_MANY, visitor_language(services))
            response.headers["Retry-After"] = "60"
            return response
        return None

    @web.after_request
    def protect(response: Response) -> Response:
        if request.path.startswith(PAGES_PREFIX):
            for name, value in HEADERS.items():
                response.headers[name] = value
            # Pages set their own (with their style's nonce); anything else here gets the strictest.
            response.headers.setdefault("Content-Security-Policy", csp())
        return response

    register_answer(web, pages)
    register_personal(web, pages)
    register_mail(web, pages)
