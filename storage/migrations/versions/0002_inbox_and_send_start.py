"""inbox of acknowledged requests; when a delivery's send really started

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.db

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('inbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform', sa.String(length=16), nullable=False),
    sa.Column('request_key', sa.String(length=255), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('state', sa.Enum('received', 'done', name='inbox_state', native_enum=False,
                               create_constraint=True, length=32), nullable=False),
    sa.Column('received_at', storage.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('received_by', sa.String(length=64), nullable=False),
    sa.Column('claimed_by', sa.String(length=64), nullable=True),
    sa.Column('claimed_at', storage.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', storage.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('effected_at', storage.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('done_at', storage.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inbox')),
    sa.UniqueConstraint('platform', 'request_key', name=op.f('uq_inbox_platform_request_key')),
    )
    with op.batch_alter_table('inbox', schema=None) as batch_op:
        batch_op.create_index('ix_inbox_state_received', ['state', 'received_at'], unique=False)
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('send_started_at', storage.db.UTCDateTime(timezone=True),
                                      nullable=True))
    # A row an older version left mid-send may have reached the platform: keep it in doubt (looked
    # up before any resend) rather than let the new recovery release it as merely claimed.
    op.execute("UPDATE deliveries SET send_started_at = attempted_at "
               "WHERE state = 'sending' AND attempted_at IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.drop_column('send_started_at')
    with op.batch_alter_table('inbox', schema=None) as batch_op:
        batch_op.drop_index('ix_inbox_state_received')
    op.drop_table('inbox')
