"""reminders: a plan's optional morning email, the address encrypted, deleted with the plan

Revision ID: 9b7e2f4a6c13
Revises: 3f6a1c8e2d47
Create Date: 2026-12-03 09:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '9b7e2f4a6c13'
down_revision = '3f6a1c8e2d47'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'reminders',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('plan_id', sa.Integer(), nullable=False),
        sa.Column('secret', sa.LargeBinary(), nullable=False),
        sa.Column('masked', sa.String(length=300), nullable=False),
        sa.Column('unsubscribe', sa.String(length=64), nullable=False),
        sa.Column('base_url', sa.String(length=300), nullable=False),
        sa.Column('last_sent', sa.Date(), nullable=True),
        sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('plan_id'),
        sa.UniqueConstraint('unsubscribe'),
    )
    op.create_index('ix_reminders_due_at', 'reminders', ['due_at'], unique=False)


def downgrade():
    op.drop_index('ix_reminders_due_at', table_name='reminders')
    op.drop_table('reminders')
