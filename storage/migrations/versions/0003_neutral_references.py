"""platform-neutral references: one opaque message reference, a person as a destination, ids wide
enough for every platform

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

# (table, column, nullable): platform ids, widened from 64 to 255 characters.
WIDENED = (
    ('workspaces', 'external_id', False),
    ('coordinators', 'user_id', False),
    ('contacts', 'user_id', False),
    ('topics', 'proposer_user_id', False),
    ('topic_supports', 'user_id', False),
    ('meetings', 'created_by_user_id', False),
    ('invitations', 'user_id', False),
    ('minutes', 'written_by_user_id', False),
    ('audit_log', 'actor_user_id', False),
    ('deliveries', 'dest_id', False),
)


def _widen(length_from: int, length_to: int) -> None:
    for table, column, nullable in WIDENED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(column, existing_type=sa.String(length=length_from),
                                  type_=sa.String(length=length_to), existing_nullable=nullable)


def upgrade() -> None:
    _widen(64, 255)
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('message_ref', sa.String(length=500), nullable=True))
    # Slack's (channel, ts) pairs, kept: the Slack adapter reads "channel:ts" (handlers/slack/refs.py).
    op.execute("UPDATE deliveries SET message_ref = ref_channel || ':' || ref_ts "
               "WHERE ref_channel IS NOT NULL AND ref_ts IS NOT NULL")
    op.execute("UPDATE deliveries SET dest_kind = 'person' WHERE dest_kind = 'user'")
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.drop_column('ref_ts')
        batch_op.drop_column('ref_channel')


def downgrade() -> None:
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ref_channel', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('ref_ts', sa.String(length=64), nullable=True))
    # Only the Slack shape goes back; another platform's reference has no older column to live in.
    find = 'strpos' if op.get_bind().dialect.name == 'postgresql' else 'instr'
    op.execute(f"UPDATE deliveries SET ref_channel = substr(message_ref, 1, {find}(message_ref, ':') - 1), "
               f"ref_ts = substr(message_ref, {find}(message_ref, ':') + 1) "
               "WHERE dest_platform = 'slack' AND message_ref IS NOT NULL")
    op.execute("UPDATE deliveries SET dest_kind = 'user' WHERE dest_kind = 'person'")
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.drop_column('message_ref')
    _widen(255, 64)
