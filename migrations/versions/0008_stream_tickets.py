"""Single-use tickets that open the event stream without a bearer token in the URL (issue 14).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-10 09:00:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('stream_tickets',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('ticket_hash', sa.String(length=64), nullable=False),
    sa.Column('token_id', sa.Integer(), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['token_id'], ['api_tokens.id'], name=op.f('fk_stream_tickets_token_id_api_tokens'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stream_tickets')),
    sa.UniqueConstraint('ticket_hash', name=op.f('uq_stream_tickets_ticket_hash'))
    )
    op.create_index(op.f('ix_stream_tickets_expires_at'), 'stream_tickets', ['expires_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_stream_tickets_expires_at'), table_name='stream_tickets')
    op.drop_table('stream_tickets')
