"""plan revisions: each write stores the whole computed plan; exports keyed by a variant too

Plans written before this migration get their first revision when they are next read or by
`flask --app wsgi plans replan`, carrying their SEQUENCE values over from session_versions.

Revision ID: 5c1e0d7a9f32
Revises: b40b15a9eef3
Create Date: 2026-11-30 13:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '5c1e0d7a9f32'
down_revision = 'b40b15a9eef3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'plan_revisions',
        sa.Column('plan_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('reason', sa.String(length=16), nullable=False),
        sa.Column('rules_version', sa.Integer(), nullable=False),
        sa.Column('as_of', sa.Date(), nullable=False),
        sa.Column('day', sa.Date(), nullable=True),
        sa.Column('decision', sa.String(length=16), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('body', sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('plan_id', 'number'),
    )
    with op.batch_alter_table('rendered_exports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('variant', sa.String(length=300), nullable=False, server_default=''))
    # Stored bytes of the old kind carry no variant: render them again on first read.
    op.execute("DELETE FROM rendered_exports")


def downgrade():
    with op.batch_alter_table('rendered_exports', schema=None) as batch_op:
        batch_op.drop_column('variant')
    op.drop_table('plan_revisions')
