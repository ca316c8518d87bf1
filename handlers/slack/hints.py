"""How Slack shows a command the services suggest: `/dialog <word> <arguments>`, with the
subcommand's word in the reader's language (the parser takes both, see parsing/commands.py)."""

from __future__ import annotations

from services.i18n import Command, Hint, HintStyle, Translator

SLASH = "/dialog"
# The Norwegian word for each command people are pointed to; parsing.commands.ALIASES maps them back.
NORWEGIAN: dict[Command, str] = {
    Command.HELP: "hjelp",
    Command.TOPICS: "tema",
    Command.PROPOSE: "foreslå",
    Command.SUPPORT: "støtt",
    Command.DECLINE: "avslå",
    Command.MEETINGS: "møter",
    Command.ROSTER: "deltakere",
    Command.ROSTER_CONTACT: "deltakere kontakt",
    Command.ROSTER_EDIT: "deltakere endre",
    Command.RECOMMEND: "anbefal",
    Command.INVITE: "inviter",
    Command.MY_DATA: "mine data",
    Command.ERASE: "slett",
}


def word(t: Translator, command: Command) -> str:
    """The subcommand as a reader in `t`'s language types it."""
    return NORWEGIAN.get(command, command.value) if t.language == "nb" else command.value


def slack_hint(t: Translator) -> HintStyle:
    """Hints as Slack code spans: `/dialog støtt 4` to a Norwegian reader."""

    def style(hint: Hint, args: tuple[str, ...]) -> str:
        return "`" + " ".join((SLASH, word(t, hint.command), *args)) + "`"

    return style
