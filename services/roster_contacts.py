"""Who an organisation's contacts are, as stored: people on the acting chat platform (each with
their own e-mail address, if given, for what chat cannot deliver) and e-mail addresses, which are
people on the e-mail platform (services/mailing.py). The rules for what a contact may be are in
`services.roster_rules`; this is how a checked contact becomes a row and back."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from services.people import EMAIL, PersonRef
from services.roster_rules import CleanContact, ContactInput, ContactValue
from storage.models import Contact, Organisation


def person_of(contact: CleanContact, platform: str) -> PersonRef:
    """Who a contact is: a person on the acting `platform`, or an address on the e-mail one."""
    if contact.person is None:
        return PersonRef(EMAIL, contact.address or "")
    return PersonRef(platform, contact.person)


def clean_of(person: PersonRef, address: str | None) -> CleanContact:
    """A stored contact (and a chat person's own address) as the rules would give it."""
    if person.platform == EMAIL:
        return CleanContact(None, person.user_id)
    return CleanContact(person.user_id, address)


def typed_of(person: PersonRef, address: str | None) -> ContactValue:
    """A stored contact as a roster row types it: the address, the id, or the pair."""
    if person.platform == EMAIL:
        return person.user_id
    return ContactInput(person.user_id, address) if address else person.user_id


def set_contacts(organisation: Organisation, contacts: Sequence[CleanContact], *, platform: str,
                 now: datetime, replace: bool = False, keep_addresses: bool = True) -> list[PersonRef]:
    """Give `organisation` the `contacts` (only them, with `replace`); returns the people new to
    it. A chat person given without an address keeps the one they have, unless the caller states
    every address (`keep_addresses=False`: the CSV, where the file is the truth)."""
    wanted = {person_of(c, platform): c for c in contacts}
    # This platform's people and e-mail addresses are the roster's to change here; a contact on
    # another chat platform is left to that platform's roster.
    current = {PersonRef(c.platform, c.user_id): c for c in organisation.contacts
               if c.platform in (platform, EMAIL)}
    if replace:
        for person, row in current.items():
            if person not in wanted:
                organisation.contacts.remove(row)
    added = []
    for person, contact in wanted.items():
        own = contact.address if contact.person is not None else None
        row = current.get(person)
        if row is None:
            organisation.contacts.append(Contact(platform=person.platform, user_id=person.user_id,
                                                 email=own, created_at=now))
            added.append(person)
        elif own is not None or not keep_addresses:
            row.email = own
    return added
