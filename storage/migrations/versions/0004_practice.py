"""true to the practice: each person's language, a meeting's chair, background, cancellation reason
and change history, speakers as people, follow-up points the city owns, agencies as a third side,
and suggestions of organisations to invite

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.db

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('people',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('platform', sa.String(length=16), nullable=False),
    sa.Column('user_id', sa.String(length=255), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=True),
    sa.Column('created_at', storage.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', storage.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'], name=op.f('fk_people_workspace_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_people')),
    sa.UniqueConstraint('workspace_id', 'platform', 'user_id', name=op.f('uq_people_workspace_id_platform_user_id'))
    )
    op.create_table('meeting_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('fields', sa.String(length=200), nullable=False),
    sa.Column('previous_starts_at', storage.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('changed_by_platform', sa.String(length=16), nullable=False),
    sa.Column('changed_by_user_id', sa.String(length=255), nullable=False),
    sa.Column('changed_at', storage.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_meeting_changes_meeting_id_meetings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_changes')),
    sa.UniqueConstraint('meeting_id', 'version', name=op.f('uq_meeting_changes_meeting_id_version'))
    )
    op.create_table('organisation_suggestions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('name_key', sa.String(length=200), nullable=False),
    sa.Column('contact', sa.Text(), nullable=False),
    sa.Column('contact_platform', sa.String(length=16), nullable=True),
    sa.Column('contact_user_id', sa.String(length=255), nullable=True),
    sa.Column('perspective', sa.String(length=64), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=True),
    sa.Column('suggested_by_platform', sa.String(length=16), nullable=False),
    sa.Column('suggested_by_user_id', sa.String(length=255), nullable=False),
    sa.Column('state', sa.Enum('open', 'accepted', 'dismissed', name='suggestion_state', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('decided_by_platform', sa.String(length=16), nullable=True),
    sa.Column('decided_by_user_id', sa.String(length=255), nullable=True),
    sa.Column('decided_at', storage.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', storage.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_organisation_suggestions_meeting_id_meetings'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_organisation_suggestions_organisation_id_organisations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'], name=op.f('fk_organisation_suggestions_workspace_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisation_suggestions'))
    )
    with op.batch_alter_table('organisation_suggestions', schema=None) as batch_op:
        batch_op.create_index('ix_organisation_suggestions_open', ['workspace_id', 'state'], unique=False)

    with op.batch_alter_table('action_items', schema=None) as batch_op:
        batch_op.alter_column('owner_organisation_id',
               existing_type=sa.INTEGER(),
               nullable=True)

    with op.batch_alter_table('meeting_talks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('speaker_platform', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('speaker_user_id', sa.String(length=255), nullable=True))

    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('chair', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('chair_platform', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('chair_user_id', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('background', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('cancel_reason', sa.Text(), nullable=True))

    _sides("'city', 'civil_society', 'agency'")



def _sides(values: str) -> None:
    with op.batch_alter_table('topics', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_topics_side'), type_='check')
        batch_op.create_check_constraint(op.f('ck_topics_side'), f"proposer_side IN ({values})")


def downgrade() -> None:
    # Agencies' proposals were civil society's before there were three sides.
    op.execute("UPDATE topics SET proposer_side = 'civil_society' WHERE proposer_side = 'agency'")
    _sides("'city', 'civil_society'")
    # A follow-up point the city owned has no owner to go back to: it goes.
    op.execute("DELETE FROM action_items WHERE owner_organisation_id IS NULL")
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.drop_column('cancel_reason')
        batch_op.drop_column('background')
        batch_op.drop_column('chair_user_id')
        batch_op.drop_column('chair_platform')
        batch_op.drop_column('chair')

    with op.batch_alter_table('meeting_talks', schema=None) as batch_op:
        batch_op.drop_column('speaker_user_id')
        batch_op.drop_column('speaker_platform')

    with op.batch_alter_table('action_items', schema=None) as batch_op:
        batch_op.alter_column('owner_organisation_id',
               existing_type=sa.INTEGER(),
               nullable=False)

    with op.batch_alter_table('organisation_suggestions', schema=None) as batch_op:
        batch_op.drop_index('ix_organisation_suggestions_open')

    op.drop_table('organisation_suggestions')
    op.drop_table('meeting_changes')
    op.drop_table('people')
