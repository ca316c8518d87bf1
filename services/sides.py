"""The three sides of a dialogue meeting, as the roster places organisations on them."""

from __future__ import annotations

from storage.models import Side, Tier


def side_of(tier: Tier) -> Side:
    """The side an organisation of `tier` is on: observers are public agencies (directorates,
    the police, the health trust), every other organisation is civil society."""
    return Side.AGENCY if tier == Tier.OBSERVER else Side.CIVIL_SOCIETY
