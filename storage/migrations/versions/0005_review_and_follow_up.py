"""minutes that can go out as a draft for comments first; follow-up points with a status

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.db

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('minutes_comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('minutes_id', sa.Integer(), nullable=False),
    sa.Column('platform', sa.String(length=16), nullable=False),
    sa.Column('user_id', sa.String(length=255), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', storage.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['minutes_id'], ['minutes.id'], name=op.f('fk_minutes_comments_minutes_id_minutes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_minutes_comments'))
    )
    with op.batch_alter_table('action_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.Enum('open', 'in_progress', 'done', name='follow_up_status', native_enum=False, create_constraint=True, length=32), nullable=False,
                                      server_default='open'))
        batch_op.add_column(sa.Column('status_changed_at', storage.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('status_changed_by_platform', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('status_changed_by_user_id', sa.String(length=255), nullable=True))

    with op.batch_alter_table('minutes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('state', sa.Enum('draft', 'final', name='minutes_state', native_enum=False, create_constraint=True, length=32), nullable=False,
                                      server_default='final'))
        batch_op.add_column(sa.Column('review_until', storage.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('final_at', storage.db.UTCDateTime(timezone=True), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('minutes', schema=None) as batch_op:
        batch_op.drop_column('final_at')
        batch_op.drop_column('review_until')
        batch_op.drop_constraint(op.f('ck_minutes_minutes_state'), type_='check')
        batch_op.drop_column('state')

    with op.batch_alter_table('action_items', schema=None) as batch_op:
        batch_op.drop_column('status_changed_by_user_id')
        batch_op.drop_column('status_changed_by_platform')
        batch_op.drop_column('status_changed_at')
        batch_op.drop_constraint(op.f('ck_action_items_follow_up_status'), type_='check')
        batch_op.drop_column('status')

    op.drop_table('minutes_comments')
