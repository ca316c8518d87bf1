"""Conversation references: kept per person and for the dialogue channel, per workspace and
platform; setting the dialogue channel is a coordinator's; erasing a person drops theirs."""

from __future__ import annotations

from dataclasses import replace

import pytest

from services.container import Services
from services.conversations import DIALOGUE
from services.errors import NotAllowed
from services.people import Destination, PersonRef, WorkspaceRef
from services.privacy.export import personal_data
from tests.factories import PLATFORM, coordinator, person, workspace


def _to_person(user: str, workspace: WorkspaceRef) -> Destination:
    return replace(Destination.person(PersonRef(PLATFORM.get(), user)), workspace=workspace)


def _to_channel(workspace: WorkspaceRef) -> Destination:
    return replace(Destination.channel(PLATFORM.get(), DIALOGUE), workspace=workspace)


def test_a_person_is_reached_where_they_were_last_seen(services: Services) -> None:
    kari = person("U0KARI")
    conversations = services.conversations
    assert conversations.reference(_to_person("U0KARI", kari.workspace)) is None
    conversations.remember_person(kari.workspace, kari.person, '{"conversation": {"id": "a:1"}}')
    conversations.remember_person(kari.workspace, kari.person, '{"conversation": {"id": "a:2"}}')
    assert conversations.reference(_to_person("U0KARI", kari.workspace)) == '{"conversation": {"id": "a:2"}}'
    # Another workspace's person of the same id is somebody else.
    other = WorkspaceRef(kari.workspace.platform, "T0OTHER")
    assert conversations.reference(_to_person("U0KARI", other)) is None
    conversations.forget_person(kari.workspace, kari.person)
    assert conversations.reference(_to_person("U0KARI", kari.workspace)) is None


def test_only_a_coordinator_sets_the_dialogue_channel(services: Services) -> None:
    boss = coordinator()
    with pytest.raises(NotAllowed):
        services.conversations.set_dialogue_channel(person("U0KARI"), '{"conversation": {"id": "19:x"}}')
    assert services.conversations.reference(_to_channel(boss.workspace)) is None
    first = services.conversations.set_dialogue_channel(boss, '{"conversation": {"id": "19:x"}}')
    again = services.conversations.set_dialogue_channel(boss, '{"conversation": {"id": "19:x"}}')
    moved = services.conversations.set_dialogue_channel(boss, '{"conversation": {"id": "19:y"}}')
    assert (first.replaced, again.replaced, moved.replaced) == (False, False, True)
    assert services.conversations.reference(_to_channel(boss.workspace)) == '{"conversation": {"id": "19:y"}}'


def test_a_destination_without_its_workspace_has_no_reference(services: Services) -> None:
    kari = person("U0KARI")
    services.conversations.remember_person(kari.workspace, kari.person, "{}")
    assert services.conversations.reference(Destination.person(kari.person)) is None


def test_erasing_a_person_drops_how_they_were_reached(services: Services) -> None:
    kari = person("U0KARI")
    services.conversations.remember_person(kari.workspace, kari.person, '{"conversation": {"id": "a:1"}}')
    question = services.privacy.erasure_question(kari, None)
    services.privacy.erase(kari, question.token)
    assert services.conversations.reference(_to_person("U0KARI", kari.workspace)) is None


def test_a_persons_data_includes_how_they_are_reached(services: Services) -> None:
    kari = person("U0KARI")
    services.conversations.remember_person(kari.workspace, kari.person, '{"conversation": {"id": "a:1"}}')
    with services.sessions() as session:
        document = personal_data(session, workspace(session), kari.person, services.clock.now())
    assert [row["reference"] for row in document["conversations"]] == ['{"conversation": {"id": "a:1"}}']
