"""Activities from the Bot Connector, routed: installs and removals keep the conversation
references; messages and card clicks are stored in the inbox before they are answered, then
processed exactly once (a replay after a crash does the rest, late).

A click on a card (`adaptiveCard/action`, Universal Actions) is answered in the invoke response
itself, privately to the clicker; the cards everyone sees follow through the delivery engine,
which updates them in place.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from dataclasses import dataclass, replace
from typing import Any

from microsoft_agents.activity import Activity, ConversationReference

from handlers.teams import PLATFORM, dialogs
from handlers.teams.commands import run_command
from handlers.teams.connector import ConnectorError
from handlers.teams.context import TeamsDeps
from handlers.teams.render.common import (
    MEETING_CANCEL,
    MEETING_KEY,
    POINT_KEY,
    PRIVACY_ERASE,
    PRIVACY_OPT_OUT,
    REASON_KEY,
    RSVP_MAYBE,
    RSVP_NO,
    RSVP_YES,
    TOKEN_KEY,
    TOPIC_KEY,
    TOPIC_SUPPORT,
    URGENT_NUDGE,
    Card,
)
from handlers.teams.render.minutes import VERB_STATUS
from handlers.teams.render.replies import status_confirmation
from handlers.teams.replies import (
    already_done,
    apology,
    cancelled,
    card_message,
    channel_set,
    elsewhere,
    erased,
    error_text,
    nudged,
    opted_out,
    other_tenant,
    rsvp_recorded,
    setup_only_in_channel,
    support_recorded,
    unknown_action,
)
from services.enums import Answer as Rsvp
from services.errors import DomainError
from services.i18n import Translator, translator
from services.inbox import AlreadyApplied, Pending, is_transient
from services.people import Actor, Destination

log = logging.getLogger(__name__)

ANSWERS = {RSVP_YES: Rsvp.YES, RSVP_NO: Rsvp.NO, RSVP_MAYBE: Rsvp.MAYBE}
SETUP_WORDS = ("setup", "oppsett")
# A follow-up point as its buttons carry it: "<meeting-no>.<point-no>".
_POINT = re.compile(r"^(\d{1,9})\.(\d{1,3})$")
# Universal Actions' invoke response types.
_MESSAGE = "application/vnd.microsoft.activity.message"


@dataclass(frozen=True)
class Answer:
    """What the HTTP request is answered with: a status, and an invoke's body."""

    status: int
    body: dict[str, Any] | None = None


def reference_of(activity: Activity) -> ConversationReference:
    """The conversation an activity came from, to answer or write into later."""
    return activity.get_conversation_reference()


def stored(reference: ConversationReference) -> str:
    """A conversation reference as the database keeps it (opaque JSON)."""
    return reference.model_dump_json(by_alias=True, exclude_none=True)


def tenant_of(activity: Activity) -> str:
    """The tenant an activity comes from (conversation first, then Teams' channelData)."""
    tenant = activity.conversation.tenant_id if activity.conversation else None
    if not tenant and isinstance(activity.channel_data, dict):
        tenant = (activity.channel_data.get("tenant") or {}).get("id")
    return str(tenant or "").lower()


def _conversation_type(activity: Activity) -> str:
    return str((activity.conversation.conversation_type if activity.conversation else None) or "personal")


class TeamsBot:
    """Turns each activity into service calls and answers."""

    def __init__(self, deps: TeamsDeps) -> None:
        self._deps = deps
        deps.services.inbox.on_replay(PLATFORM, self.replay)

    # -- arriving ------------------------------------------------------------------------

    def receive(self, activity: Activity, raw: dict[str, Any]) -> Answer:
        """Handle one activity that passed the token check; the answer for the Connector."""
        deps = self._deps
        if tenant_of(activity) != deps.tenant_id:
            # Another organisation's Teams (the app installed there too, or a forged tenant id):
            # nothing of this workspace is read or written for it.
            log.warning("refused an activity from another tenant")
            return self._refuse_tenant(activity)
        kind = activity.type
        if kind in ("conversationUpdate", "installationUpdate"):
            self._installation(activity)
            return Answer(200)
        if kind not in ("message", "invoke"):
            return Answer(200)
        user = activity.from_property.aad_object_id if activity.from_property else None
        if not user:
            return Answer(200)  # not a person of the tenant (another bot, a system message)
        self._remember_personal(activity, user)
        # The activity's id first: the key is cut at 255 characters, and conversation ids are long.
        key = f"{activity.id or uuid.uuid4().hex}|{activity.conversation.id}"
        accepted = deps.services.inbox.accept(PLATFORM, key, kind, json.dumps(raw))
        if accepted.duplicate:
            # The Connector's retry of something already taken: it happens once.
            t = deps.translator(deps.actor(user), activity.locale)
            return self._invoke_answer(activity, already_done(t)) if kind == "invoke" else Answer(200)
        return self._process(accepted.id, activity, replaying=False)

    def replay(self, pending: Pending) -> None:
        """Process a stored activity again after a restart (its invoke answer is long gone)."""
        activity = Activity.model_validate(json.loads(pending.body))
        if pending.effected:
            self._deps.services.inbox.finish(pending.id)
            return
        self._process(pending.id, activity, replaying=True)

    # -- processing ----------------------------------------------------------------------

    def _process(self, entry_id: int, activity: Activity, *, replaying: bool) -> Answer:
        deps = self._deps
        inbox = deps.services.inbox
        actor = deps.actor(str(activity.from_property.aad_object_id))
        t = deps.translator(actor, activity.locale)
        try:
            with inbox.effect_scope(entry_id):
                if activity.type == "invoke":
                    answer = self._invoke(activity, actor, t)
                else:
                    self._message(activity, actor, t)
                    answer = Answer(200)
        except AlreadyApplied:
            answer = (self._invoke_answer(activity, already_done(t)) if activity.type == "invoke"
                      else Answer(200))
        except DomainError as error:
            answer = self._tell(activity, error_text(t, error), invoke=activity.type == "invoke")
        except Exception as error:  # noqa: BLE001 - every error is answered or retried, none is lost
            # The database failing, or the Connector unreachable (the effect may be done, the
            # answer not): both pass, so the request is tried again; a replay answers what is missing.
            if _passing(error) and self._retry(entry_id, error):
                return (Answer(200) if activity.type != "invoke"
                        else self._invoke_answer(activity, apology(t, None)))
            reference = uuid.uuid4().hex[:8]
            log.exception("Teams request %s failed (reference %s)", entry_id, reference)
            answer = self._tell(activity, apology(t, reference), invoke=activity.type == "invoke")
        self._settle(entry_id)
        return answer

    def _retry(self, entry_id: int, error: Exception) -> bool:
        """Send the request back for a later try; False once it is given up (then it is done)."""
        try:
            again = self._deps.services.inbox.retry_later(entry_id, type(error).__name__)
        except Exception:  # noqa: BLE001 - the database is failing; the lease brings the row back
            log.exception("could not put Teams request %s back for a retry", entry_id)
            self._deps.services.inbox.forget(entry_id)
            return True
        if again:
            log.warning("Teams request %s met %s (the database or the Connector); it will be retried",
                        entry_id, type(error).__name__)
        return again

    def _settle(self, entry_id: int) -> None:
        """Mark the request done; if even that fails, it stays for a replay (the 200 stands)."""
        try:
            self._deps.services.inbox.finish(entry_id)
        except Exception:  # noqa: BLE001 - left unfinished, it is replayed
            log.exception("could not mark Teams request %s done", entry_id)
            self._deps.services.inbox.forget(entry_id)

    def _message(self, activity: Activity, actor: Actor, t: Translator) -> None:
        words = self._command_text(activity)
        if words.split(maxsplit=1)[:1] and words.split(maxsplit=1)[0].casefold() in SETUP_WORDS:
            self._setup(activity, actor, t)
            return
        card = run_command(self._deps, actor, t, words)
        self._reply(activity, card)

    def _setup(self, activity: Activity, actor: Actor, t: Translator) -> None:
        if _conversation_type(activity) != "channel":
            self._reply(activity, setup_only_in_channel(t))
            return
        reference = reference_of(activity)
        # Posts go to the channel itself as new posts, not into the thread `setup` was written in.
        reference.activity_id = None
        reference.conversation.id = reference.conversation.id.split(";messageid=")[0]
        # The channel's, not the coordinator's who wrote `setup`: it names nobody.
        reference.user = None
        outcome = self._deps.services.conversations.set_dialogue_channel(actor, stored(reference))
        self._reply(activity, channel_set(t, replaced=outcome.replaced), public=True)

    def _invoke(self, activity: Activity, actor: Actor, t: Translator) -> Answer:
        if activity.name in ("task/fetch", "task/submit"):
            value = activity.value if isinstance(activity.value, dict) else {}
            data = value.get("data") if isinstance(value.get("data"), dict) else {}
            handle = dialogs.fetch if activity.name == "task/fetch" else dialogs.submit
            return Answer(200, handle(self._deps, actor, t, data))
        if activity.name != "adaptiveCard/action":
            return Answer(200)
        value = activity.value if isinstance(activity.value, dict) else {}
        action = value.get("action") if isinstance(value.get("action"), dict) else {}
        verb = str(action.get("verb") or "")
        data = action.get("data") if isinstance(action.get("data"), dict) else {}
        services = self._deps.services
        if verb in ANSWERS:
            outcome = services.meetings.rsvp(actor, _number(data, MEETING_KEY), ANSWERS[verb])
            return self._invoke_answer(activity, rsvp_recorded(t, outcome))
        if verb == TOPIC_SUPPORT:
            supported = services.topics.support(actor, _number(data, TOPIC_KEY))
            return self._invoke_answer(activity, support_recorded(t, supported.topic, added=supported.added))
        if verb == URGENT_NUDGE:
            outcome = services.meetings.nudge_silent(actor, _number(data, MEETING_KEY))
            return self._invoke_answer(activity, nudged(t, outcome))
        if verb == MEETING_CANCEL:
            reason = str(data.get(REASON_KEY) or "")[:500]
            return self._invoke_answer(activity, cancelled(t, services.meetings.cancel(
                actor, _number(data, MEETING_KEY), reason or None)))
        if verb == PRIVACY_ERASE:
            # The token is the services' own, checked there (signature, who asked, time, used once).
            outcome = services.privacy.erase(actor, str(data.get(TOKEN_KEY) or ""))
            return self._invoke_answer(activity, erased(t, outcome))
        if verb == PRIVACY_OPT_OUT:
            return self._invoke_answer(activity, opted_out(t, services.privacy.opt_out(actor)))
        point = _POINT.match(str(data.get(POINT_KEY) or ""))
        if verb in VERB_STATUS and point is not None:
            status = services.follow_up.set_status(actor, int(point.group(1)), int(point.group(2)),
                                                   VERB_STATUS[verb])
            return self._invoke_answer(activity, status_confirmation(t, status).text)
        return self._invoke_answer(activity, unknown_action(t))

    # -- installs ------------------------------------------------------------------------

    def _installation(self, activity: Activity) -> None:
        """Keep (or drop) how to reach a person when the app is installed (removed) for them."""
        bot_id = activity.recipient.id if activity.recipient else None
        added = [m.id for m in activity.members_added or []]
        removed = [m.id for m in activity.members_removed or []]
        action = str(activity.action or "")
        personal = _conversation_type(activity) == "personal"
        user = activity.from_property.aad_object_id if activity.from_property else None
        if not personal or not user:
            return
        conversations = self._deps.services.conversations
        if bot_id in removed or action.startswith("remove"):
            conversations.forget_person(self._deps.workspace, self._deps.person(str(user)))
        elif bot_id in added or action.startswith("add") or added:
            conversations.remember_person(self._deps.workspace, self._deps.person(str(user)),
                                          stored(reference_of(activity)))

    def _remember_personal(self, activity: Activity, user: str) -> None:
        if _conversation_type(activity) == "personal":
            # The install event may have been missed (an older install): a message is as good.
            self._deps.services.conversations.remember_person(self._deps.workspace, self._deps.person(user),
                                                              stored(reference_of(activity)))

    # -- answering -----------------------------------------------------------------------

    def _command_text(self, activity: Activity) -> str:
        """The command as typed: the bot's own @mention taken out, other people's written as
        `<@objectid|name>` (what the grammar reads)."""
        text = activity.remove_recipient_mention() if activity.recipient else (activity.text or "")
        for mention in activity.get_mentions():
            account = mention.mentioned
            if account is None or (activity.recipient and account.id == activity.recipient.id):
                continue
            object_id = account.aad_object_id or self._resolve(activity, str(account.id or ""))
            shown = mention.text or f"<at>{account.name}</at>"
            # No name in the token: a name's spaces would split it into words.
            token = f"<@{object_id}>" if object_id else "@" + "_".join(str(account.name or "").split())
            text = text.replace(shown, token)
        return " ".join(text.replace("&nbsp;", " ").split())

    def _resolve(self, activity: Activity, member_id: str) -> str | None:
        """A mentioned person's Entra object id, asked of the Connector when the mention lacks it."""
        if not member_id:
            return None
        try:
            member = self._deps.outbox.member(reference_of(activity), member_id)
        except Exception:  # noqa: BLE001 - an unresolved mention is reported by the grammar
            log.warning("could not look up a mentioned member")
            return None
        found = (member or {}).get("aadObjectId")
        return str(found) if found else None

    def _reply(self, activity: Activity, card: Card, *, public: bool = False) -> None:
        """Answer the person: in their chat with the bot; from a channel, privately in that chat
        when the bot has one with them, else in the channel thread."""
        outbox = self._deps.outbox
        message = card_message(card)
        if public or _conversation_type(activity) == "personal":
            outbox.send(reference_of(activity), message)
            return
        user = str(activity.from_property.aad_object_id)
        personal = self._deps.services.conversations.reference(self._personal_destination(user))
        if personal is not None:
            outbox.send(ConversationReference.model_validate_json(personal), message)
            outbox.reply(reference_of(activity), str(activity.id), card_message(elsewhere(self._t(activity))))
        else:
            outbox.reply(reference_of(activity), str(activity.id), message)

    def _personal_destination(self, user: str) -> Destination:
        return replace(Destination.person(self._deps.person(user)), workspace=self._deps.workspace)

    def _t(self, activity: Activity) -> Translator:
        return self._deps.translator(self._deps.actor(str(activity.from_property.aad_object_id)),
                                     activity.locale)

    def _tell(self, activity: Activity, line: str, *, invoke: bool) -> Answer:
        if invoke:
            return self._invoke_answer(activity, line)
        try:
            self._reply(activity, Card(line))
        except (ConnectorError, OSError) as error:
            # Only the answer is lost (a refusal, or an apology): nothing was done to retry.
            log.warning("could not answer a Teams message: %s", error)
        return Answer(200)

    @staticmethod
    def _invoke_answer(activity: Activity, line: str) -> Answer:
        """A line for the person, in the shape their invoke is answered in: a dialog's message, or
        Universal Actions' message."""
        if str(activity.name or "").startswith("task/"):
            return Answer(200, {"task": {"type": "message", "value": line}})
        return Answer(200, {"statusCode": 200, "type": _MESSAGE, "value": line})

    def _refuse_tenant(self, activity: Activity) -> Answer:
        line = other_tenant(translator(self._deps.services.default_language))
        if activity.type == "invoke":
            return self._invoke_answer(activity, line)
        return Answer(200)


def _passing(error: Exception) -> bool:
    """Whether `error` may pass by itself: the database failing, or the Connector out of reach."""
    return is_transient(error) or isinstance(error, ConnectorError | OSError)


def _number(data: dict[str, Any], key: str) -> int:
    """A number from a card's data; tampered or missing data reads as 0 (no such meeting/topic)."""
    value = data.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 10**9 else 0
