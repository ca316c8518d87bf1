"""delivery keys and audit subjects wide enough for the 255-character ids of e-mail and Teams

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.alter_column('dedupe_key', existing_type=sa.String(length=200), type_=sa.String(length=1000),
                              existing_nullable=False)
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.alter_column('subject', existing_type=sa.String(length=200), type_=sa.String(length=500),
                              existing_nullable=False)


def downgrade() -> None:
    # Longer values than the old limits only come from ids the old schema could not hold anyway.
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.alter_column('subject', existing_type=sa.String(length=500), type_=sa.String(length=200),
                              existing_nullable=False)
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.alter_column('dedupe_key', existing_type=sa.String(length=1000), type_=sa.String(length=200),
                              existing_nullable=False)
