"""plans.share_token: the physio's read-only link (GET /shared/{share_token}), null when not shared

Revision ID: 3f6a1c8e2d47
Revises: e3a8c4d2f611
Create Date: 2026-12-02 10:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '3f6a1c8e2d47'
down_revision = 'e3a8c4d2f611'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.add_column(sa.Column('share_token', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_plans_share_token'), ['share_token'], unique=True)


def downgrade():
    # Not in batch mode: on SQLite that copies and drops the plans table, and with foreign keys on,
    # dropping it deletes every check-in, revision and export (ON DELETE CASCADE). SQLite 3.35+ drops a
    # column that no index holds in place.
    op.drop_index('ix_plans_share_token', table_name='plans')
    op.drop_column('plans', 'share_token')
