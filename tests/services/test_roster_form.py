"""The roster form: create and update an organisation with everything the CSV can set, by the same
rules as the import, every field at fault named, nothing half-written; and organisations nobody can
reach, flagged for the scheduling form."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from services.container import Services
from services.errors import Conflict, Field, FieldRef, InvalidFields, InvalidInput, NotAllowed, NotFound
from services.messages import Unreachable
from services.ports import DeliveryError
from services.reachability import UnreachableOrganisation
from services.roster import RosterRow
from storage.models import AuditEntry, Organisation, Tier
from tests.conftest import T0
from tests.factories import coordinator, person
from tests.support.notifier import RecordingNotifier

CARITAS = RosterRow("Caritas", "core", ("U0000001", "U0000002"), ("religion", "country-background"),
                    "afternoon", "nb", ("migration", "housing"))


def test_the_form_creates_an_organisation_with_everything_the_csv_can_set(services: Services) -> None:
    boss = coordinator()
    assert services.roster.form(boss).organisation is None
    saved = services.roster.save(boss, CARITAS)
    assert saved.created and saved.changed
    exported = services.roster.export_rows(boss)
    assert exported == [RosterRow("Caritas", "core", ("U0000001", "U0000002"),
                                  ("country-background", "religion"), "afternoon", "nb", ("housing", "migration"))]
    # What the form shows when opened again is what was saved.
    card = services.roster.form(boss, "caritas").organisation
    assert card is not None and card.perspectives == ("country-background", "religion")


def test_the_form_updates_renames_and_replaces_what_it_holds(services: Services, sessions) -> None:
    boss = coordinator()
    services.roster.save(boss, CARITAS)
    saved = services.roster.save(boss, RosterRow("Caritas Oslo", "topic", ("U0000003",), ("religion",)),
                                 original="Caritas")
    assert not saved.created and saved.changed
    [card] = services.roster.organisations(boss)
    assert (card.name, card.tier, card.perspectives, card.preferred_time, card.language, card.keywords) == (
        "Caritas Oslo", "topic", ("religion",), "any", None, ())
    assert [c.user_id for c in card.contacts] == ["U0000003"]
    again = services.roster.save(boss, RosterRow("Caritas Oslo", "topic", ("U0000003",), ("religion",)),
                                 original="Caritas Oslo")
    assert not again.changed
    with sessions() as session:
        assert session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all() == [
            "roster.add", "roster.edit", "roster.edit"]


def test_the_form_and_the_csv_share_one_rule_per_field(services: Services, sessions) -> None:
    boss = coordinator()
    bad = RosterRow("C", "sometimes", perspectives=("ethnicity",), preferred_time="midnight", language="de",
                    keywords=("!!",))
    with pytest.raises(InvalidFields) as form:
        services.roster.save(boss, bad)
    assert set(form.value.errors) == {FieldRef(f) for f in (
        Field.NAME, Field.TIER, Field.PERSPECTIVES, Field.PREFERRED_TIME, Field.LANGUAGE, Field.KEYWORDS)}
    # The import refuses the same row with the first of the same messages, naming the line.
    with pytest.raises(InvalidInput) as csv:
        services.roster.import_rows(boss, [bad])
    assert csv.value.message.params["problem"] == form.value.message
    with sessions() as session:
        assert session.scalar(select(func.count(Organisation.id))) == 0


def test_names_clash_on_the_name_field_and_only_coordinators_use_the_form(services: Services) -> None:
    boss = coordinator()
    services.roster.save(boss, CARITAS)
    services.roster.save(boss, RosterRow("NOAS", "topic"))
    with pytest.raises(Conflict) as twice:
        services.roster.save(boss, RosterRow("caritas", "topic"))
    assert twice.value.field == Field.NAME
    with pytest.raises(Conflict) as renamed:
        services.roster.save(boss, RosterRow("Caritas", "topic"), original="NOAS")
    assert renamed.value.field == Field.NAME
    with pytest.raises(NotFound):
        services.roster.save(boss, RosterRow("Nobody", "topic"), original="Nobody at all")
    with pytest.raises(NotAllowed):
        services.roster.form(person("U0000001"))
    with pytest.raises(NotAllowed):
        services.roster.save(person("U0000001"), RosterRow("Sneaky", "core"))
    assert [c.name for c in services.roster.organisations(boss)] == ["Caritas", "NOAS"]


def test_an_archived_organisation_comes_back_through_the_form(services: Services) -> None:
    boss = coordinator()
    services.roster.add(boss, "NOAS", Tier.TOPIC, ["U0000005"])
    services.roster.remove(boss, "NOAS")
    saved = services.roster.save(boss, RosterRow("NOAS", "observer"))
    assert saved.created and saved.organisation.tier == "observer"
    assert [c.name for c in services.roster.organisations(boss)] == ["NOAS"]


def test_a_new_core_organisation_from_the_form_is_invited_to_upcoming_meetings(services: Services) -> None:
    boss = coordinator()
    scheduled = services.meetings.schedule(boss, title="Housing", starts_at=T0 + timedelta(days=20))
    services.roster.save(boss, CARITAS)
    assert "Caritas" in services.meetings.get(boss, scheduled.meeting.number).participants


def test_organisations_nobody_can_reach_are_flagged_in_the_scheduling_form(
    services: Services, notifier: RecordingNotifier,
) -> None:
    boss = coordinator()
    services.roster.save(boss, RosterRow("Silent Core", "core"))
    services.roster.save(boss, RosterRow("Gone Away", "core", ("U0GONE01",)))
    services.roster.save(boss, RosterRow("Fine", "topic", ("U0FINE01",)))
    assert services.meetings.schedule_form(boss).unreachable == (
        UnreachableOrganisation("Silent Core", Unreachable.NO_CONTACT),)
    # An urgent call's invitation to U0GONE01 fails for good: Gone Away is unreachable from then on.
    notifier.refuse["U0GONE01"] = DeliveryError("user_disabled", permanent=True)
    services.meetings.urgent(boss, title="Flooding")
    services.deliveries.sweep()
    assert services.meetings.schedule_form(boss).unreachable == (
        UnreachableOrganisation("Gone Away", Unreachable.NOT_DELIVERED),
        UnreachableOrganisation("Silent Core", Unreachable.NO_CONTACT),
    )
