"""Issue 14: how each device authenticates (an owner's token, or an issued OsmAnd identifier kept hashed),
and the count of fixes a device sent from the future (clock_skew alerts).

Existing escort phones become OsmAnd devices without an identifier: they report again once one is
issued (POST /api/v1/devices/{device_id}/osmand-id); other devices keep reporting with their owner's token.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 09:00:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('devices', sa.Column('credential', sa.String(length=16), server_default='token', nullable=False))
    op.add_column('devices', sa.Column('osmand_id_hash', sa.String(length=64), nullable=True))
    op.add_column('devices', sa.Column('future_fixes', sa.Integer(), server_default='0', nullable=False))
    op.add_column('devices', sa.Column('future_since', sa.DateTime(timezone=True), nullable=True))
    op.add_column('devices', sa.Column('future_max_s', sa.Float(), nullable=True))
    op.create_unique_constraint(op.f('uq_devices_osmand_id_hash'), 'devices', ['osmand_id_hash'])
    op.create_check_constraint(op.f('ck_devices_credential'), 'devices', "credential IN ('token', 'osmand')")
    op.execute("UPDATE devices SET credential = 'osmand' WHERE kind = 'escort_phone'")


def downgrade() -> None:
    op.drop_constraint(op.f('ck_devices_credential'), 'devices', type_='check')
    op.drop_constraint(op.f('uq_devices_osmand_id_hash'), 'devices', type_='unique')
    for column in ('future_max_s', 'future_since', 'future_fixes', 'osmand_id_hash', 'credential'):
        op.drop_column('devices', column)
