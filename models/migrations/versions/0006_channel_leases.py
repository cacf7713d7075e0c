"""channel leases (no two scans of one channel at once) and the scan jobs sent to workers

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""
from alembic import op
import sqlalchemy as sa
import models.base


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('channel_lease',
    sa.Column('channel_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('holder', sa.String(length=200), nullable=False),
    sa.Column('acquired_at', models.base.UTCDateTime(), nullable=False),
    sa.Column('expires_at', models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['channel_id'], ['channel.id'], name=op.f('fk_channel_lease_channel_id_channel')),
    sa.PrimaryKeyConstraint('channel_id', name=op.f('pk_channel_lease'))
    )
    op.create_table('scan_job',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('org_id', sa.String(length=64), nullable=False),
    sa.Column('channel_ids', sa.JSON(), nullable=True),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('scan_id', sa.Integer(), nullable=True),
    sa.Column('holder', sa.String(length=200), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('enqueued_at', models.base.UTCDateTime(), nullable=False),
    sa.Column('started_at', models.base.UTCDateTime(), nullable=True),
    sa.Column('finished_at', models.base.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['scan_id'], ['scan_run.id'], name=op.f('fk_scan_job_scan_id_scan_run')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scan_job'))
    )
    op.create_index('ix_scan_job_status', 'scan_job', ['status'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_scan_job_status', table_name='scan_job')
    op.drop_table('scan_job')
    op.drop_table('channel_lease')
