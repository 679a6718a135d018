"""Tracking: devices, trips and their devices, positions, alerts and their notes.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 02:41:44.089380
"""
from alembic import op
import sqlalchemy as sa
import geoalchemy2
from sqlalchemy.dialects import postgresql

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('devices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('label', sa.Text(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("kind IN ('tracker', 'escort_phone', 'seal')", name=op.f('ck_devices_kind')),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_devices_owner_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_devices')),
    sa.UniqueConstraint('device_id', name=op.f('uq_devices_device_id'))
    )
    op.create_table('trips',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('declaration_number', sa.String(length=40), nullable=False),
    sa.Column('vehicle_plates', sa.ARRAY(sa.String(length=20)), nullable=False),
    sa.Column('corridor_id', sa.Integer(), nullable=False),
    sa.Column('origin_id', sa.Integer(), nullable=False),
    sa.Column('destination_id', sa.Integer(), nullable=False),
    sa.Column('planned_departure', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deadline', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('departed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('arrived_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancel_reason', sa.Text(), nullable=True),
    sa.Column('distance_m', sa.Float(), nullable=False),
    sa.Column('last_fix_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_point', geoalchemy2.types.Geometry(geometry_type='POINT', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry'), nullable=True),
    sa.Column('last_speed_kmh', sa.Float(), nullable=True),
    sa.Column('last_heading_deg', sa.Float(), nullable=True),
    sa.Column('last_progress_m', sa.Float(), nullable=True),
    sa.Column('detector_state', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('created_by', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("status IN ('planned', 'in_transit', 'arrived', 'cancelled')", name=op.f('ck_trips_status')),
    sa.CheckConstraint('deadline > planned_departure', name=op.f('ck_trips_deadline')),
    sa.ForeignKeyConstraint(['corridor_id'], ['corridors.id'], name=op.f('fk_trips_corridor_id_corridors')),
    sa.ForeignKeyConstraint(['destination_id'], ['checkpoints.id'], name=op.f('fk_trips_destination_id_checkpoints')),
    sa.ForeignKeyConstraint(['origin_id'], ['checkpoints.id'], name=op.f('fk_trips_origin_id_checkpoints')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trips'))
    )
    op.create_index(op.f('ix_trips_declaration_number'), 'trips', ['declaration_number'], unique=False)
    op.create_index('ix_trips_status', 'trips', ['status'], unique=False)
    op.create_table('alerts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('type', sa.String(length=40), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('subject', sa.Text(), nullable=False),
    sa.Column('trip_id', sa.Integer(), nullable=True),
    sa.Column('checkpoint_id', sa.Integer(), nullable=True),
    sa.Column('device_id', sa.String(length=64), nullable=True),
    sa.Column('declaration_number', sa.String(length=40), nullable=True),
    sa.Column('raised_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('evidence', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('acknowledged_by', sa.Text(), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_by', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("status IN ('open', 'acknowledged', 'resolved')", name=op.f('ck_alerts_status')),
    sa.ForeignKeyConstraint(['checkpoint_id'], ['checkpoints.id'], name=op.f('fk_alerts_checkpoint_id_checkpoints')),
    sa.ForeignKeyConstraint(['trip_id'], ['trips.id'], name=op.f('fk_alerts_trip_id_trips')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alerts'))
    )
    op.create_index(op.f('ix_alerts_declaration_number'), 'alerts', ['declaration_number'], unique=False)
    op.create_index('ix_alerts_raised_at', 'alerts', ['raised_at'], unique=False)
    op.create_index('ix_alerts_status_type', 'alerts', ['status', 'type'], unique=False)
    op.create_index('ix_alerts_trip', 'alerts', ['trip_id'], unique=False)
    op.create_index('uq_alerts_unresolved_subject', 'alerts', ['type', 'subject'], unique=True, postgresql_where=sa.text("status <> 'resolved'"))
    op.create_table('positions',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=False),
    sa.Column('trip_id', sa.Integer(), nullable=True),
    sa.Column('ts', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('geom', geoalchemy2.types.Geometry(geometry_type='POINT', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.Column('speed_kmh', sa.Float(), nullable=True),
    sa.Column('heading_deg', sa.Float(), nullable=True),
    sa.Column('accuracy_m', sa.Float(), nullable=True),
    sa.Column('altitude_m', sa.Float(), nullable=True),
    sa.Column('battery_pct', sa.Float(), nullable=True),
    sa.Column('h3_r9', sa.BigInteger(), nullable=False),
    sa.Column('corridor_distance_m', sa.Float(), nullable=True),
    sa.Column('stop_zone_id', sa.Integer(), nullable=True),
    sa.Column('checkpoint_id', sa.Integer(), nullable=True),
    sa.Column('anomaly', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_positions_device_id_devices')),
    sa.ForeignKeyConstraint(['trip_id'], ['trips.id'], name=op.f('fk_positions_trip_id_trips')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_positions')),
    sa.UniqueConstraint('device_id', 'ts', name='uq_positions_device_ts')
    )
    op.create_index('ix_positions_geom', 'positions', ['geom'], unique=False, postgresql_using='gist')
    op.create_index('ix_positions_h3_r9', 'positions', ['h3_r9'], unique=False)
    op.create_index('ix_positions_trip_ts', 'positions', ['trip_id', 'ts'], unique=False)
    op.create_table('trip_devices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('trip_id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('plate', sa.String(length=20), nullable=True),
    sa.CheckConstraint("role IN ('escort', 'vehicle')", name=op.f('ck_trip_devices_role')),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_trip_devices_device_id_devices')),
    sa.ForeignKeyConstraint(['trip_id'], ['trips.id'], name=op.f('fk_trip_devices_trip_id_trips'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trip_devices')),
    sa.UniqueConstraint('trip_id', 'device_id', name='uq_trip_devices_trip_device')
    )
    op.create_index(op.f('ix_trip_devices_device_id'), 'trip_devices', ['device_id'], unique=False)
    op.create_table('alert_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('alert_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('author', sa.Text(), nullable=False),
    sa.Column('role', sa.Text(), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['alert_id'], ['alerts.id'], name=op.f('fk_alert_notes_alert_id_alerts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_notes'))
    )
    op.create_index(op.f('ix_alert_notes_alert_id'), 'alert_notes', ['alert_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_alert_notes_alert_id'), table_name='alert_notes')
    op.drop_table('alert_notes')
    op.drop_index(op.f('ix_trip_devices_device_id'), table_name='trip_devices')
    op.drop_table('trip_devices')
    op.drop_index('ix_positions_trip_ts', table_name='positions')
    op.drop_index('ix_positions_h3_r9', table_name='positions')
    op.drop_index('ix_positions_geom', table_name='positions', postgresql_using='gist')
    op.drop_table('positions')
    op.drop_index('uq_alerts_unresolved_subject', table_name='alerts', postgresql_where=sa.text("status <> 'resolved'"))
    op.drop_index('ix_alerts_trip', table_name='alerts')
    op.drop_index('ix_alerts_status_type', table_name='alerts')
    op.drop_index('ix_alerts_raised_at', table_name='alerts')
    op.drop_index(op.f('ix_alerts_declaration_number'), table_name='alerts')
    op.drop_table('alerts')
    op.drop_index('ix_trips_status', table_name='trips')
    op.drop_index(op.f('ix_trips_declaration_number'), table_name='trips')
    op.drop_table('trips')
    op.drop_table('devices')
