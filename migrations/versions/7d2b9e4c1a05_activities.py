"""activities: what was really run (rule 36) on check-ins, and uploaded runs waiting for their check-in

Only the numbers read from a file are stored, never the file (GPS traces show where people live).

Revision ID: 7d2b9e4c1a05
Revises: 5c1e0d7a9f32
Create Date: 2026-11-30 14:05:00

"""
from alembic import op
import sqlalchemy as sa


revision = '7d2b9e4c1a05'
down_revision = '5c1e0d7a9f32'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('checkins', schema=None) as batch_op:
        batch_op.add_column(sa.Column('actual', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('remarks', sa.JSON(), nullable=True))
    op.create_table(
        'activities',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('plan_id', sa.Integer(), nullable=False),
        sa.Column('date', sa.Date(), nullable=False),
        sa.Column('actual', sa.JSON(), nullable=False),
        sa.Column('remarks', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('plan_id', 'date', name='uq_activities_plan_date'),
    )
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activities_plan_id'), ['plan_id'], unique=False)


def downgrade():
    op.drop_table('activities')
    with op.batch_alter_table('checkins', schema=None) as batch_op:
        batch_op.drop_column('remarks')
        batch_op.drop_column('actual')
