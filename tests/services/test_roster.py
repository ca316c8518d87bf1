"""The roster: coordinator-only edits, archive instead of delete, idempotent CSV import."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from services.container import Services
from services.errors import Conflict, InvalidInput, NotAllowed, NotFound
from services.roster import RosterRow
from storage.models import AuditEntry, Organisation, Tier
from tests.factories import coordinator, person


def test_only_coordinators_edit_the_roster_and_nothing_is_written_otherwise(
    services: Services, sessions
) -> None:
    with pytest.raises(NotAllowed):
        services.roster.add(person("U1"), "Caritas", Tier.CORE, ["U1"])
    with pytest.raises(NotAllowed):
        services.roster.import_rows(person("U1"), [RosterRow("Caritas", "core")])
    with sessions() as session:
        assert session.scalar(select(func.count(Organisation.id))) == 0


def test_add_list_contacts_and_remove(services: Services, sessions) -> None:
    boss = coordinator()
    services.roster.add(boss, "Oslo  Red Cross", Tier.CORE, ["U1", "U2", "U1"])
    services.roster.add(boss, "Helsedirektoratet", Tier.OBSERVER)
    services.roster.add(boss, "NOAS", Tier.TOPIC, ["U3"])
    cards = services.roster.organisations(boss)
    assert [(c.name, c.tier) for c in cards] == [
        ("Oslo Red Cross", "core"), ("NOAS", "topic"), ("Helsedirektoratet", "observer")
    ]
    assert [c.user_id for c in cards[0].contacts] == ["U1", "U2"]

    outcome = services.roster.add_contacts(boss, "oslo red cross", ["U2", "U4"])
    assert [tuple(p.user_id for p in people) for people in (outcome.added, outcome.already)] == [
        ("U4",), ("U2",)]

    with pytest.raises(Conflict):
        services.roster.add(boss, "OSLO RED CROSS", Tier.TOPIC)
    services.roster.remove(boss, "NOAS")
    assert "NOAS" not in [c.name for c in services.roster.organisations(boss)]
    with pytest.raises(NotFound):
        services.roster.add_contacts(boss, "NOAS", ["U5"])
    # Archived, not deleted: adding it again brings it back.
    services.roster.add(boss, "NOAS", Tier.TOPIC)
    assert [c.user_id for c in services.roster.organisations(boss)[1].contacts] == ["U3"]
    with sessions() as session:
        actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["roster.add", "roster.add", "roster.add", "roster.contact", "roster.remove",
                       "roster.add"]


def test_import_is_idempotent_and_the_file_is_the_truth_for_what_it_names(services: Services) -> None:
    boss = coordinator()
    rows = [
        RosterRow("Caritas", "core", ("U1", "U2"), ("religion", "country-background"), "daytime", "nb"),
        RosterRow("Bydelsmødrene", "fast", ("U3",), ("gender-age",), "ettermiddag", "", ("health",)),
    ]
    first = services.roster.import_rows(boss, rows)
    assert (first.created, first.updated, first.unchanged) == (["Caritas", "Bydelsmødrene"], [], [])
    again = services.roster.import_rows(boss, rows)
    assert (again.created, again.updated, again.unchanged) == ([], [], ["Caritas", "Bydelsmødrene"])
    exported = services.roster.export_rows(boss)
    assert exported[1] == RosterRow("Caritas", "core", ("U1", "U2"), ("country-background", "religion"),
                                    "daytime", "nb", ())
    assert exported[0].preferred_time == "afternoon" and exported[0].tier == "core"

    changed = services.roster.import_rows(boss, [RosterRow("Caritas", "topic", ("U2", "U5"))])
    assert changed.updated == ["Caritas"]
    caritas = [c for c in services.roster.organisations(boss) if c.name == "Caritas"][0]
    assert [c.user_id for c in caritas.contacts] == ["U2", "U5"] and caritas.perspectives == ()


@pytest.mark.parametrize(
    "bad",
    [
        RosterRow("Caritas", "sometimes"),
        RosterRow("Caritas", "core", perspectives=("ethnicity",)),
        RosterRow("Caritas", "core", preferred_time="midnight"),
        RosterRow("Caritas", "core", language="de"),
        RosterRow("C", "core"),
    ],
)
def test_a_bad_row_rejects_the_whole_import_and_says_which_line(services: Services, bad: RosterRow) -> None:
    boss = coordinator()
    with pytest.raises(InvalidInput) as refused:
        services.roster.import_rows(boss, [RosterRow("Good Org", "core"), bad])
    assert refused.value.message.params["line"] == 3
    assert services.roster.organisations(boss) == []


def test_duplicate_names_in_one_file_are_refused(services: Services) -> None:
    with pytest.raises(InvalidInput):
        services.roster.import_rows(coordinator(), [RosterRow("Caritas", "core"), RosterRow("caritas", "topic")])
