"""analytics rollups: H3 cells, cell-hours, cell-hour trips, watermarks

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 09:00:00.000000
"""
from alembic import op
import sqlalchemy as sa

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('h3_cells',
    sa.Column('cell', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('r8', sa.BigInteger(), nullable=False),
    sa.Column('r7', sa.BigInteger(), nullable=False),
    sa.Column('r6', sa.BigInteger(), nullable=False),
    sa.Column('r5', sa.BigInteger(), nullable=False),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('cell', name=op.f('pk_h3_cells'))
    )
    op.create_index('ix_h3_cells_lat_lon', 'h3_cells', ['lat', 'lon'], unique=False)
    op.create_table('h3_cell_hours',
    sa.Column('hour', sa.DateTime(timezone=True), nullable=False),
    sa.Column('cell', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('fixes', sa.Integer(), nullable=False),
    sa.Column('speed_fixes', sa.Integer(), nullable=False),
    sa.Column('speed_kmh_sum', sa.Numeric(), nullable=False),
    sa.Column('dwell_ms', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('hour', 'cell', name=op.f('pk_h3_cell_hours'))
    )
    op.create_table('h3_cell_hour_trips',
    sa.Column('hour', sa.DateTime(timezone=True), nullable=False),
    sa.Column('cell', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('trip_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.PrimaryKeyConstraint('hour', 'cell', 'trip_id', name=op.f('pk_h3_cell_hour_trips'))
    )
    op.create_table('analytics_watermarks',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('position_id', sa.BigInteger(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_analytics_watermarks'))
    )


def downgrade() -> None:
    op.drop_table('analytics_watermarks')
    op.drop_table('h3_cell_hour_trips')
    op.drop_table('h3_cell_hours')
    op.drop_index('ix_h3_cells_lat_lon', table_name='h3_cells')
    op.drop_table('h3_cells')
