"""The sandbox's demo workspace: fictional people, organisations and proposals.

Everything here is made up. The city is "Fjordby" and every organisation name ends in
"(demo)", so that nobody mistakes the sandbox's data for a real roster. The organisations
span the tiers (core, topic, observer) and the perspectives the planning advice looks for,
and one takes part by e-mail only, so that every part of the flow has something to show on
the first run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from services.container import Services
from services.people import Actor
from services.roster import RosterRow
from services.suggestions import SuggestionInput

log = logging.getLogger(__name__)

TEAM_ID = "T0SANDBOX"
TEAM_NAME = "Fjordby (sandbox)"
CHANNEL_ID = "C0SANDBOX"
CHANNEL_NAME = "dialog"
COORDINATOR = "U0KARI"
# Fjordby's dialogue runs in Norwegian (DIALOG_LANGUAGE), as Oslo's does.
LANGUAGE = "nb"
# Who the bot's e-mails come from; they all land in the sandbox's Mailbox (.example never resolves).
EMAIL_FROM = "Dialogbot Fjordby <dialog@fjordby.example>"
EMAIL_ORGANISATION = "Fjordby Frivilligsentral (demo)"
EMAIL_CONTACT = "frivillig@fjordby.example"


@dataclass(frozen=True)
class Person:
    """Someone to act as in the sandbox."""

    id: str
    name: str
    real_name: str
    title: str
    tz: str = "Europe/Oslo"
    # What Slack reports: English for everyone whose language Slack lacks (it has no Norwegian).
    locale: str = "en-GB"


PEOPLE: tuple[Person, ...] = (
    Person(COORDINATOR, "kari", "Kari Koordinator", "Coordinator, Fjordby City Hall"),
    Person("U0AMINA", "amina", "Amina Haddad", "Fjordby Interfaith Council (demo)"),
    Person("U0OLA", "ola", "Ola Nordvik", "Nordvik Neighbourhood Mothers (demo)", locale="en-US"),
    Person("U0SOFIE", "sofie", "Sofie Berg", "Eastside Youth Sports (demo)"),
    Person("U0TOMAS", "tomas", "Tomás Rivera", "Harbour Refugee Welcome (demo)", tz="America/New_York",
           locale="en-US"),
    Person("U0LIV", "liv", "Liv Helse", "Fjordby Health Directorate (demo)"),
)
"""The coordinator first: the page starts as them."""

ROSTER: tuple[RosterRow, ...] = (
    RosterRow("Fjordby Interfaith Council (demo)", "core", ("U0AMINA",), ("religion",), "daytime", "en",
              ("interfaith", "integration", "youth")),
    RosterRow("Nordvik Neighbourhood Mothers (demo)", "core", ("U0OLA",),
              ("gender-age", "country-background"), "afternoon", "nb", ("health", "families", "school")),
    RosterRow("Eastside Youth Sports (demo)", "topic", ("U0SOFIE",), ("gender-age", "work-education"),
              "afternoon", "en", ("youth", "sports", "leisure")),
    RosterRow("Harbour Refugee Welcome (demo)", "topic", ("U0TOMAS",), ("country-background",), "any", "en",
              ("housing", "asylum", "language")),
    RosterRow("Fjordby Health Directorate (demo)", "observer", ("U0LIV",), ("public-health",), "daytime",
              "en", ()),
    # Nobody from the volunteer centre is in the chat: its contact is an e-mail address, so the bot
    # writes to it by e-mail, in Norwegian (the page's Mailbox catches what it sends).
    RosterRow(EMAIL_ORGANISATION, "topic", (EMAIL_CONTACT,), ("gender-age",), "afternoon", "nb",
              ("volunteering", "loneliness", "elderly")),
)

PROPOSALS: tuple[tuple[str, str, str], ...] = (
    ("U0AMINA", "Safe meeting places for young people in the evenings",
     "Several congregations see teenagers with nowhere to go after 21:00."),
    ("U0OLA", "Health information in more languages",
     "Mothers in our network miss information about vaccines and the GP scheme."),
    (COORDINATOR, "Next year's budget for youth housing",
     "The city wants to hear from organisations before the budget is proposed in the spring."),
)
"""(proposer, title, details): two from civil society, one from the city's side."""


def seed(services: Services, actor: Callable[[str], Actor]) -> bool:
    """Put the demo roster and proposals in an empty workspace; returns whether it did.

    ``actor`` makes the acting person from a user id. A workspace that already has
    organisations (any earlier run, or someone's own roster) is left alone.
    """
    coordinator = actor(COORDINATOR)
    if services.roster.organisations(coordinator):
        return False
    report = services.roster.import_rows(coordinator, ROSTER)
    for proposer, title, details in PROPOSALS:
        services.topics.propose(actor(proposer), title, details)
    # "Check with civil society who is relevant and interested": Ola's suggestion waits on Kari's
    # Home tab, to be added to the roster in one click.
    services.suggestions.suggest(actor("U0OLA"), SuggestionInput(
        "Fjordby Night Shelter (demo)", "They meet the people sleeping rough every night, and nobody on "
        "the roster does.", contact="post@nightshelter.example", perspective="public-health"))
    log.info("sandbox: seeded the demo roster (%d organisations) and %d proposals",
             len(report.created), len(PROPOSALS))
    return True
