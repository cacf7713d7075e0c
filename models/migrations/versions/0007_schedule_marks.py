"""schedule marks: scheduled work done once (the weekly report of each week)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29
"""
from alembic import op
import sqlalchemy as sa
import models.base


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('schedule_mark',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('holder', sa.String(length=200), nullable=False),
    sa.Column('claimed_at', models.base.UTCDateTime(), nullable=False),
    sa.Column('done_at', models.base.UTCDateTime(), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_schedule_mark')),
    sa.UniqueConstraint('key', name=op.f('uq_schedule_mark_key'))
    )


def downgrade() -> None:
    op.drop_table('schedule_mark')
