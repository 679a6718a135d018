"""Exchange with the neighbouring customs: partners, the outbox, webhooks, deliveries, pre-arrival notices.

Also admits the role ``partner`` in users.role.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 09:00:00
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

_ROLES_BEFORE = "'admin', 'operator', 'supervisor', 'planner', 'officer', 'callcenter', 'device'"
_ROLES_AFTER = _ROLES_BEFORE + ", 'partner'"


def upgrade() -> None:
    op.drop_constraint('ck_users_role', 'users', type_='check')
    op.create_check_constraint('ck_users_role', 'users', f"role IN ({_ROLES_AFTER})")
    op.create_table('outbox_events',
    sa.Column('seq', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('event_id', sa.UUID(), nullable=False),
    sa.Column('type', sa.String(length=40), nullable=False),
    sa.Column('schema_version', sa.SmallInteger(), nullable=False),
    sa.Column('subject', sa.String(length=64), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('data', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_outbox_events')),
    sa.UniqueConstraint('event_id', name=op.f('uq_outbox_events_event_id'))
    )
    op.create_index('ix_outbox_events_type_seq', 'outbox_events', ['type', 'seq'], unique=False)
    op.create_table('partners',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_partners_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partners')),
    sa.UniqueConstraint('code', name=op.f('uq_partners_code')),
    sa.UniqueConstraint('user_id', name=op.f('uq_partners_user_id'))
    )
    op.create_table('webhooks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('event_types', sa.ARRAY(sa.String(length=40)), nullable=False),
    sa.Column('secret', sa.Text(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('cursor_seq', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_webhooks_partner_id_partners'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhooks')),
    sa.UniqueConstraint('partner_id', name=op.f('uq_webhooks_partner_id'))
    )
    op.create_table('deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('webhook_id', sa.Integer(), nullable=False),
    sa.Column('event_seq', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_status_code', sa.Integer(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('dead_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('replays', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("status IN ('pending', 'delivered', 'dead')", name=op.f('ck_deliveries_status')),
    sa.ForeignKeyConstraint(['event_seq'], ['outbox_events.seq'], name=op.f('fk_deliveries_event_seq_outbox_events')),
    sa.ForeignKeyConstraint(['webhook_id'], ['webhooks.id'], name=op.f('fk_deliveries_webhook_id_webhooks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deliveries')),
    sa.UniqueConstraint('webhook_id', 'event_seq', name='uq_deliveries_webhook_event')
    )
    op.create_index('ix_deliveries_webhook_status_seq', 'deliveries', ['webhook_id', 'status', 'event_seq'], unique=False)
    op.create_table('pre_arrival_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('notice_ref', sa.String(length=64), nullable=False),
    sa.Column('checkpoint_id', sa.Integer(), nullable=False),
    sa.Column('vehicle_plate', sa.String(length=20), nullable=False),
    sa.Column('vehicle_plate_text', sa.Text(), nullable=False),
    sa.Column('trailer_plate', sa.String(length=20), nullable=True),
    sa.Column('trailer_plate_text', sa.Text(), nullable=True),
    sa.Column('declaration_number', sa.String(length=40), nullable=False),
    sa.Column('departed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('expected_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('gross_kg', sa.Integer(), nullable=True),
    sa.Column('seal_ids', sa.ARRAY(sa.String(length=64)), nullable=False),
    sa.Column('goods', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('crossing_id', sa.Integer(), nullable=True),
    sa.Column('match_kind', sa.String(length=10), nullable=True),
    sa.Column('arrived_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('alerted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('submission_sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("status IN ('announced', 'arrived', 'not_arrived')", name=op.f('ck_pre_arrival_notices_status')),
    sa.CheckConstraint('gross_kg IS NULL OR gross_kg > 0', name=op.f('ck_pre_arrival_notices_gross_kg')),
    sa.ForeignKeyConstraint(['checkpoint_id'], ['checkpoints.id'], name=op.f('fk_pre_arrival_notices_checkpoint_id_checkpoints')),
    sa.ForeignKeyConstraint(['crossing_id'], ['crossings.id'], name=op.f('fk_pre_arrival_notices_crossing_id_crossings')),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_pre_arrival_notices_partner_id_partners')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pre_arrival_notices')),
    sa.UniqueConstraint('partner_id', 'notice_ref', name='uq_pre_arrival_notices_partner_ref')
    )
    op.create_index('ix_pre_arrival_notices_checkpoint_status', 'pre_arrival_notices', ['checkpoint_id', 'status', 'expected_at'], unique=False)
    op.create_index(op.f('ix_pre_arrival_notices_crossing_id'), 'pre_arrival_notices', ['crossing_id'], unique=False)
    # An event, once written, is what was said: it may be pruned (DELETE), never rewritten.
    op.execute(
        """
        CREATE FUNCTION outbox_events_refuse_update() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'outbox_events are immutable: UPDATE refused'
                USING ERRCODE = 'insufficient_privilege';
        END;
        $$
        """
    )
    op.execute(
        "CREATE TRIGGER outbox_events_immutable BEFORE UPDATE ON outbox_events "
        "FOR EACH ROW EXECUTE FUNCTION outbox_events_refuse_update()"
    )


def downgrade() -> None:
    op.drop_index(op.f('ix_pre_arrival_notices_crossing_id'), table_name='pre_arrival_notices')
    op.drop_index('ix_pre_arrival_notices_checkpoint_status', table_name='pre_arrival_notices')
    op.drop_table('pre_arrival_notices')
    op.drop_index('ix_deliveries_webhook_status_seq', table_name='deliveries')
    op.drop_table('deliveries')
    op.drop_table('webhooks')
    op.drop_table('partners')
    op.drop_index('ix_outbox_events_type_seq', table_name='outbox_events')
    op.drop_table('outbox_events')
    op.execute("DROP FUNCTION IF EXISTS outbox_events_refuse_update()")
    op.execute("DELETE FROM users WHERE role = 'partner'")
    op.drop_constraint('ck_users_role', 'users', type_='check')
    op.create_check_constraint('ck_users_role', 'users', f"role IN ({_ROLES_BEFORE})")
