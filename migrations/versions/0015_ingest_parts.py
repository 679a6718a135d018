"""Issue 13: ingest_parts, through which server processes share the parts of a large group.

One process takes a request, chosen by the kernel; two integrations posting batches of a thousand
fixes could both land on one process while the other idled (bench/load.py's (b): 4,000 against
8,600 fixes/s). A process that gathers a large group writes all but one of its parts here and
announces them; another process locks one (SKIP LOCKED), runs it and writes its results beside it
in the same transaction; the origin collects the results and runs what nobody took
(ingest/shared_parts.py). A row lives for the length of one group (a fraction of a second).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 05:00:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'ingest_parts',
        sa.Column('id', sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column('origin', sa.Text(), nullable=False),
        sa.Column('offered_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.Column('payload', sa.LargeBinary(), nullable=False),
        sa.Column('results', sa.LargeBinary(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table('ingest_parts')
