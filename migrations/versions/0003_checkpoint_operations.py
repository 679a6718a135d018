"""Checkpoint operations: declarations and goods lines, crossings and their steps, plate reads, weighings, findings.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 02:48:01.744962
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('declarations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('declaration_date', sa.Date(), nullable=False),
    sa.Column('vehicle_plate', sa.String(length=20), nullable=False),
    sa.Column('vehicle_plate_text', sa.Text(), nullable=False),
    sa.Column('trailer_plate', sa.String(length=20), nullable=True),
    sa.Column('trailer_plate_text', sa.Text(), nullable=True),
    sa.Column('declared_gross_kg', sa.Integer(), nullable=False),
    sa.Column('consignor', sa.Text(), nullable=False),
    sa.Column('consignee', sa.Text(), nullable=False),
    sa.Column('dispatch_country', sa.String(length=2), nullable=False),
    sa.Column('destination_country', sa.String(length=2), nullable=False),
    sa.Column('entry_checkpoint_id', sa.Integer(), nullable=True),
    sa.Column('exit_checkpoint_id', sa.Integer(), nullable=True),
    sa.Column('delivery_deadline', sa.DateTime(timezone=True), nullable=True),
    sa.Column('value_kgs', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('payments_due_kgs', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('guarantee_kgs', sa.Numeric(precision=18, scale=2), nullable=True),
    sa.Column('lines_without_rate', sa.Integer(), nullable=False),
    sa.Column('transit_closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('transit_alerted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('submission_sha256', sa.String(length=64), nullable=False),
    sa.Column('created_by', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("kind <> 'transit' OR (delivery_deadline IS NOT NULL AND entry_checkpoint_id IS NOT NULL AND exit_checkpoint_id IS NOT NULL)", name=op.f('ck_declarations_transit_route')),
    sa.CheckConstraint("kind IN ('transit', 'import', 'export')", name=op.f('ck_declarations_kind')),
    sa.CheckConstraint('declared_gross_kg > 0', name=op.f('ck_declarations_declared_gross_kg')),
    sa.ForeignKeyConstraint(['entry_checkpoint_id'], ['checkpoints.id'], name=op.f('fk_declarations_entry_checkpoint_id_checkpoints')),
    sa.ForeignKeyConstraint(['exit_checkpoint_id'], ['checkpoints.id'], name=op.f('fk_declarations_exit_checkpoint_id_checkpoints')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_declarations')),
    sa.UniqueConstraint('number', name=op.f('uq_declarations_number'))
    )
    op.create_index('ix_declarations_trailer_plate', 'declarations', ['trailer_plate'], unique=False)
    op.create_index('ix_declarations_vehicle_plate', 'declarations', ['vehicle_plate'], unique=False)
    op.create_table('crossings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('checkpoint_id', sa.Integer(), nullable=False),
    sa.Column('declaration_id', sa.Integer(), nullable=True),
    sa.Column('plate', sa.String(length=20), nullable=False),
    sa.Column('plate_as_read', sa.String(length=20), nullable=False),
    sa.Column('plate_match_kind', sa.String(length=10), nullable=True),
    sa.Column('plate_match_confidence', sa.Float(), nullable=True),
    sa.Column('direction', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('entered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('released_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('exited_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('exit_read_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("direction IN ('inbound', 'outbound', 'unknown')", name=op.f('ck_crossings_direction')),
    sa.CheckConstraint("plate_match_kind IS NULL OR plate_match_kind IN ('exact', 'probable')", name=op.f('ck_crossings_match_kind')),
    sa.CheckConstraint("status IN ('arrived', 'documents_checked', 'weighed', 'inspected', 'released', 'exited')", name=op.f('ck_crossings_status')),
    sa.ForeignKeyConstraint(['checkpoint_id'], ['checkpoints.id'], name=op.f('fk_crossings_checkpoint_id_checkpoints')),
    sa.ForeignKeyConstraint(['declaration_id'], ['declarations.id'], name=op.f('fk_crossings_declaration_id_declarations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_crossings'))
    )
    op.create_index('ix_crossings_checkpoint_exited_at', 'crossings', ['checkpoint_id', 'exited_at'], unique=False)
    op.create_index(op.f('ix_crossings_declaration_id'), 'crossings', ['declaration_id'], unique=False)
    op.create_index('ix_crossings_entered_at', 'crossings', ['entered_at'], unique=False)
    op.create_index('ix_crossings_released_at', 'crossings', ['released_at'], unique=False)
    op.create_index('uq_crossings_open_vehicle', 'crossings', ['checkpoint_id', 'plate'], unique=True, postgresql_where=sa.text("status <> 'exited'"))
    op.create_table('goods_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('declaration_id', sa.Integer(), nullable=False),
    sa.Column('line_no', sa.Integer(), nullable=False),
    sa.Column('hs_code', sa.String(length=10), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('gross_kg', sa.Numeric(precision=14, scale=3), nullable=False),
    sa.Column('net_kg', sa.Numeric(precision=14, scale=3), nullable=False),
    sa.Column('value', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('kgs_per_unit', sa.Numeric(precision=18, scale=6), nullable=False),
    sa.Column('value_kgs', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('duty_pct', sa.Numeric(precision=6, scale=3), nullable=True),
    sa.Column('duty_kgs', sa.Numeric(precision=18, scale=2), nullable=True),
    sa.Column('vat_kgs', sa.Numeric(precision=18, scale=2), nullable=True),
    sa.Column('tariff_prefix', sa.String(length=10), nullable=True),
    sa.CheckConstraint('gross_kg > 0 AND net_kg > 0 AND net_kg <= gross_kg', name=op.f('ck_goods_lines_masses')),
    sa.CheckConstraint('value >= 0', name=op.f('ck_goods_lines_value')),
    sa.ForeignKeyConstraint(['declaration_id'], ['declarations.id'], name=op.f('fk_goods_lines_declaration_id_declarations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_goods_lines')),
    sa.UniqueConstraint('declaration_id', 'line_no', name='uq_goods_lines_declaration_line')
    )
    op.create_table('crossing_steps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('crossing_id', sa.Integer(), nullable=False),
    sa.Column('step', sa.String(length=20), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.Text(), nullable=False),
    sa.Column('role', sa.Text(), nullable=False),
    sa.Column('details', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("step IN ('arrived', 'documents_checked', 'weighed', 'inspected', 'released', 'exited')", name=op.f('ck_crossing_steps_step')),
    sa.ForeignKeyConstraint(['crossing_id'], ['crossings.id'], name=op.f('fk_crossing_steps_crossing_id_crossings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_crossing_steps')),
    sa.UniqueConstraint('crossing_id', 'step', name='uq_crossing_steps_crossing_step')
    )
    op.create_table('plate_reads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('checkpoint_id', sa.Integer(), nullable=False),
    sa.Column('crossing_id', sa.Integer(), nullable=True),
    sa.Column('camera_id', sa.String(length=64), nullable=False),
    sa.Column('lane', sa.Integer(), nullable=False),
    sa.Column('direction', sa.String(length=5), nullable=False),
    sa.Column('plate_text', sa.Text(), nullable=False),
    sa.Column('plate', sa.String(length=20), nullable=False),
    sa.Column('plate_country', sa.String(length=2), nullable=True),
    sa.Column('plate_format', sa.String(length=20), nullable=False),
    sa.Column('confidence', sa.Float(), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('image_ref', sa.Text(), nullable=True),
    sa.Column('match_kind', sa.String(length=10), nullable=True),
    sa.Column('match_confidence', sa.Float(), nullable=True),
    sa.Column('posted_by', sa.Text(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("direction IN ('entry', 'exit')", name=op.f('ck_plate_reads_direction')),
    sa.CheckConstraint("match_kind IS NULL OR match_kind IN ('exact', 'probable')", name=op.f('ck_plate_reads_match_kind')),
    sa.CheckConstraint('confidence >= 0 AND confidence <= 1', name=op.f('ck_plate_reads_confidence')),
    sa.ForeignKeyConstraint(['checkpoint_id'], ['checkpoints.id'], name=op.f('fk_plate_reads_checkpoint_id_checkpoints')),
    sa.ForeignKeyConstraint(['crossing_id'], ['crossings.id'], name=op.f('fk_plate_reads_crossing_id_crossings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plate_reads')),
    sa.UniqueConstraint('camera_id', 'read_at', 'plate', name='uq_plate_reads_camera_time_plate')
    )
    op.create_index('ix_plate_reads_checkpoint_read_at', 'plate_reads', ['checkpoint_id', 'read_at'], unique=False)
    op.create_index(op.f('ix_plate_reads_crossing_id'), 'plate_reads', ['crossing_id'], unique=False)
    op.create_table('weighings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('checkpoint_id', sa.Integer(), nullable=False),
    sa.Column('crossing_id', sa.Integer(), nullable=False),
    sa.Column('weighbridge_id', sa.String(length=64), nullable=True),
    sa.Column('plate_text', sa.Text(), nullable=False),
    sa.Column('plate', sa.String(length=20), nullable=False),
    sa.Column('gross_kg', sa.Integer(), nullable=False),
    sa.Column('axle_loads_kg', sa.ARRAY(sa.Integer()), nullable=False),
    sa.Column('axle_classes', sa.ARRAY(sa.String(length=16)), nullable=False),
    sa.Column('weighed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('declared_gross_kg', sa.Integer(), nullable=True),
    sa.Column('posted_by', sa.Text(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('gross_kg > 0', name=op.f('ck_weighings_gross_kg')),
    sa.ForeignKeyConstraint(['checkpoint_id'], ['checkpoints.id'], name=op.f('fk_weighings_checkpoint_id_checkpoints')),
    sa.ForeignKeyConstraint(['crossing_id'], ['crossings.id'], name=op.f('fk_weighings_crossing_id_crossings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_weighings')),
    sa.UniqueConstraint('checkpoint_id', 'plate', 'weighed_at', name='uq_weighings_checkpoint_plate_time')
    )
    op.create_index(op.f('ix_weighings_crossing_id'), 'weighings', ['crossing_id'], unique=False)
    op.create_table('findings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('evidence', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('declaration_id', sa.Integer(), nullable=True),
    sa.Column('crossing_id', sa.Integer(), nullable=True),
    sa.Column('weighing_id', sa.Integer(), nullable=True),
    sa.Column('goods_line_id', sa.Integer(), nullable=True),
    sa.Column('found_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['crossing_id'], ['crossings.id'], name=op.f('fk_findings_crossing_id_crossings')),
    sa.ForeignKeyConstraint(['declaration_id'], ['declarations.id'], name=op.f('fk_findings_declaration_id_declarations')),
    sa.ForeignKeyConstraint(['goods_line_id'], ['goods_lines.id'], name=op.f('fk_findings_goods_line_id_goods_lines'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['weighing_id'], ['weighings.id'], name=op.f('fk_findings_weighing_id_weighings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_findings'))
    )
    op.create_index(op.f('ix_findings_crossing_id'), 'findings', ['crossing_id'], unique=False)
    op.create_index(op.f('ix_findings_declaration_id'), 'findings', ['declaration_id'], unique=False)
    op.create_index('ix_findings_kind', 'findings', ['kind'], unique=False)
    op.create_index(op.f('ix_findings_weighing_id'), 'findings', ['weighing_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_findings_weighing_id'), table_name='findings')
    op.drop_index('ix_findings_kind', table_name='findings')
    op.drop_index(op.f('ix_findings_declaration_id'), table_name='findings')
    op.drop_index(op.f('ix_findings_crossing_id'), table_name='findings')
    op.drop_table('findings')
    op.drop_index(op.f('ix_weighings_crossing_id'), table_name='weighings')
    op.drop_table('weighings')
    op.drop_index(op.f('ix_plate_reads_crossing_id'), table_name='plate_reads')
    op.drop_index('ix_plate_reads_checkpoint_read_at', table_name='plate_reads')
    op.drop_table('plate_reads')
    op.drop_table('crossing_steps')
    op.drop_table('goods_lines')
    op.drop_index('uq_crossings_open_vehicle', table_name='crossings', postgresql_where=sa.text("status <> 'exited'"))
    op.drop_index('ix_crossings_released_at', table_name='crossings')
    op.drop_index('ix_crossings_entered_at', table_name='crossings')
    op.drop_index(op.f('ix_crossings_declaration_id'), table_name='crossings')
    op.drop_index('ix_crossings_checkpoint_exited_at', table_name='crossings')
    op.drop_table('crossings')
    op.drop_index('ix_declarations_vehicle_plate', table_name='declarations')
    op.drop_index('ix_declarations_trailer_plate', table_name='declarations')
    op.drop_table('declarations')
