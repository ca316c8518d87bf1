"""The declarative base every model shares: naming convention, aware-UTC timestamps, enum columns."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Enum, MetaData
from sqlalchemy.orm import DeclarativeBase

from storage.db import UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# Platform ids (users, workspaces, channels): Teams' are long, and an e-mail address may be 254.
ID_LENGTH = 255
# A platform's handle on a posted message, opaque to the domain.
MESSAGE_REF_LENGTH = 500


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime()}


def enum_column(enum: type[StrEnum], name: str) -> Enum:
    """A column type for `enum`, stored as its values."""
    # VARCHAR + CHECK on every backend: adding a value later is a plain migration.
    return Enum(
        enum,
        name=name,
        native_enum=False,
        create_constraint=True,
        validate_strings=True,
        values_callable=lambda members: [m.value for m in members],
        length=32,
    )
