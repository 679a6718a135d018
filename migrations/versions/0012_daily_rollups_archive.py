"""Issue 17: the daily rollup level (per resolution 5..9: cell-days, trip-days with the trip's previous
day in the cell, and the counts that make distinct trips additive) and the archive's ledger of months.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 11:15:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('h3_cell_days',
    sa.Column('res', sa.SmallInteger(), autoincrement=False, nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('cell', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('fixes', sa.Integer(), nullable=False),
    sa.Column('speed_fixes', sa.Integer(), nullable=False),
    sa.Column('speed_kmh_sum', sa.Numeric(), nullable=False),
    sa.Column('dwell_ms', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('res', 'day', 'cell', name=op.f('pk_h3_cell_days'))
    )
    op.create_table('h3_cell_day_trips',
    sa.Column('res', sa.SmallInteger(), autoincrement=False, nullable=False),
    sa.Column('cell', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('trip_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('prev_day', sa.Date(), nullable=True),
    sa.PrimaryKeyConstraint('res', 'cell', 'trip_id', 'day', name=op.f('pk_h3_cell_day_trips'))
    )
    op.create_table('h3_cell_day_trip_counts',
    sa.Column('res', sa.SmallInteger(), autoincrement=False, nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('cell', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('prev_day', sa.Date(), nullable=False),
    sa.Column('trips', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('res', 'day', 'cell', 'prev_day', name=op.f('pk_h3_cell_day_trip_counts'))
    )
    op.create_table('archive_months',
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('fixes', sa.BigInteger(), nullable=False),
    sa.Column('id_sum', sa.Numeric(), nullable=False),
    sa.Column('content_sha256', sa.String(length=64), nullable=False),
    sa.Column('folder', sa.Text(), nullable=False),
    sa.Column('exported_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('detached_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('exported', 'detached')", name=op.f('ck_archive_months_status')),
    sa.PrimaryKeyConstraint('month', name=op.f('pk_archive_months'))
    )


def downgrade() -> None:
    op.drop_table('archive_months')
    op.drop_table('h3_cell_day_trip_counts')
    op.drop_table('h3_cell_day_trips')
    op.drop_table('h3_cell_days')
