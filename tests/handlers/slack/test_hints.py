"""Command hints: services name the command, Slack writes it in the reader's language."""

from __future__ import annotations

from handlers.slack.text import mrkdwn
from services.i18n import Command, Hint, plain_hint, text, translator


def test_a_hint_is_the_slash_command_in_the_readers_language() -> None:
    message = text("There is no topic {number}. {topics} lists the open ones.", number=7,
                   topics=Hint(Command.TOPICS))
    assert mrkdwn(translator("en"), message) == "There is no topic 7. `/dialog topics` lists the open ones."
    assert mrkdwn(translator("nb"), message) == "Det finnes ikke noe tema 7. `/dialog tema` viser de åpne."


def test_a_hints_examples_are_translated_and_typed_values_escaped() -> None:
    decline = text("Say why, in 3 to {max} characters: {decline}.", max=500,
                   decline=Hint(Command.DECLINE, ("4", text("<reason>"))))
    assert mrkdwn(translator("nb"), decline).endswith("`/dialog avslå 4 &lt;begrunnelse&gt;`.")
    contact = text("Name at least one person, e.g. {contact}.",
                   contact=Hint(Command.ROSTER_CONTACT, ('"<!channel> & co"', "@kari")))
    rendered = mrkdwn(translator("en"), contact)
    assert "<!channel>" not in rendered and "&lt;!channel&gt; &amp; co" in rendered
    assert rendered.startswith("Name at least one person, e.g. `/dialog roster contact ")


def test_without_a_platform_a_hint_is_just_the_commands_words() -> None:
    message = text("There is no meeting {number}. {meetings} lists the upcoming ones.", number=3,
                   meetings=Hint(Command.MEETINGS))
    assert translator("en").render(message) == "There is no meeting 3. meetings lists the upcoming ones."
    assert plain_hint(Hint(Command.SUPPORT, ("4",)), ("4",)) == "support 4"
