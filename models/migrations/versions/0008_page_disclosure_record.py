"""page disclosure record: what the disclosure checks take from a page version, remembered

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('page', schema=None) as batch_op:
        batch_op.add_column(sa.Column('disclosure_key', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('disclosure_record', sa.JSON(none_as_null=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('page', schema=None) as batch_op:
        batch_op.drop_column('disclosure_record')
        batch_op.drop_column('disclosure_key')
