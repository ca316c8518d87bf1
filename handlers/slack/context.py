"""What every listener needs: who is asking, and in which language to answer."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from slack_bolt import BoltContext

from handlers.slack import PLATFORM
from handlers.slack.downloads import Downloads
from services.container import Services
from services.i18n import Translator, translator
from services.people import Actor

log = logging.getLogger(__name__)

# The requester's language, once worked out for a request, travels in its context.
_LANGUAGE = "dialogbot_language"


@dataclass(frozen=True)
class SlackDeps:
    """The services plus the Slack-side helpers the listeners share."""

    services: Services
    channel_id: str
    timezone: ZoneInfo
    # The workspace the app is installed in (auth.test). One install serves one workspace; a
    # guest from another organisation (Slack Connect) acts in this one, not their own.
    team_id: str = ""
    # Where the bot is reachable from people's browsers (calendar links); "" if nowhere.
    public_url: str = ""
    # Signed links to the minutes for the case archive (None: not offered).
    downloads: Downloads | None = None
    # Work that follows a form's acknowledgement (the private confirmation, advice).
    background: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(max_workers=8, thread_name_prefix="slack-after"))

    def actor(self, context: BoltContext) -> Actor:
        """The person behind a request, in the installation's workspace."""
        team = self.team_id or context.team_id or context.enterprise_id or ""
        return Actor.of(PLATFORM, team, context.user_id or "")

    def translator(self, context: BoltContext) -> Translator:
        """A translator in the requester's language, by the services' one rule (their choice, their
        organisation's, the workspace's): a database read, never a question to Slack, whose
        locale is English for everyone whose language Slack lacks."""
        known = context.get(_LANGUAGE)
        if known is None:
            languages = self.services.languages
            try:
                known = languages.of(self.actor(context))
            except Exception:  # noqa: BLE001 - an answer in the workspace's language beats none
                log.warning("could not read the language of %s; answering in %s", context.user_id,
                            languages.default, exc_info=True)
                return translator(languages.default)
            context[_LANGUAGE] = known
        return translator(known)

    def speaks(self, context: BoltContext, language: str) -> Translator:
        """Answer the rest of this request in `language` (after the person chose it)."""
        context[_LANGUAGE] = language
        return translator(language)

    def quick_translator(self, context: BoltContext) -> Translator:
        """The same as `translator`, which never waits on Slack: safe before `ack()`."""
        return self.translator(context)


def bind(listener: Callable[..., Any], *given: Any) -> Callable[..., Any]:
    """`listener` with its leading arguments (the deps) given; Bolt injects the rest by name.

    Bolt reads the partial's signature, which leaves the given arguments out. The name and
    docstring are copied for Bolt's logs, but not `__wrapped__`: Bolt unwraps a listener before
    reading its arguments, and would then ask for the given ones too.
    """
    bound = functools.partial(listener, *given)
    bound.__name__ = listener.__name__  # type: ignore[attr-defined]
    bound.__qualname__ = listener.__qualname__  # type: ignore[attr-defined]
    bound.__doc__ = listener.__doc__
    return bound
