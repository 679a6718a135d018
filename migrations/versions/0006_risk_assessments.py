"""Risk: the assessments of declarations, append-only (every change of verdict kept).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 03:26:32.354135
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('risk_assessments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('declaration_id', sa.Integer(), nullable=False),
    sa.Column('assessed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('channel', sa.String(length=8), nullable=False),
    sa.Column('previous_channel', sa.String(length=8), nullable=True),
    sa.Column('hits', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('ruleset_version', sa.Text(), nullable=False),
    sa.Column('trigger', sa.String(length=20), nullable=False),
    sa.CheckConstraint("channel IN ('green', 'blue', 'yellow', 'red')", name=op.f('ck_risk_assessments_channel')),
    sa.ForeignKeyConstraint(['declaration_id'], ['declarations.id'], name=op.f('fk_risk_assessments_declaration_id_declarations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_risk_assessments'))
    )
    op.create_index('ix_risk_assessments_channel', 'risk_assessments', ['channel'], unique=False)
    op.create_index('ix_risk_assessments_declaration_at', 'risk_assessments', ['declaration_id', 'assessed_at'], unique=False)
    # A verdict, once given, stays as it was: a new verdict is a new row.
    op.execute(
        """
        CREATE FUNCTION risk_assessments_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'risk_assessments are append-only: % refused', TG_OP
                USING ERRCODE = 'insufficient_privilege';
        END;
        $$
        """
    )
    op.execute(
        "CREATE TRIGGER risk_assessments_append_only BEFORE UPDATE OR DELETE ON risk_assessments "
        "FOR EACH ROW EXECUTE FUNCTION risk_assessments_refuse_change()"
    )


def downgrade() -> None:
    op.drop_index('ix_risk_assessments_declaration_at', table_name='risk_assessments')
    op.drop_index('ix_risk_assessments_channel', table_name='risk_assessments')
    op.drop_table('risk_assessments')
    op.execute("DROP FUNCTION IF EXISTS risk_assessments_refuse_change()")
