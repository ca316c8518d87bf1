"""deliveries reach a chat person by e-mail when chat failed for good: where a row went instead

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('via_platform', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('via_id', sa.String(length=255), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.drop_column('via_id')
        batch_op.drop_column('via_platform')
