"""Call center: inquiries with full-text search, their append-only notes, checkpoint opening hours.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 03:04:30.607208
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('inquiries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('caller_name', sa.Text(), nullable=False),
    sa.Column('caller_phone', sa.String(length=20), nullable=True),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('topic', sa.String(length=32), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('plate', sa.String(length=20), nullable=True),
    sa.Column('declaration_number', sa.String(length=40), nullable=True),
    sa.Column('checkpoint_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('assigned_to', sa.String(length=64), nullable=True),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Text(), nullable=False),
    sa.Column('search', postgresql.TSVECTOR(), sa.Computed("to_tsvector('simple', coalesce(caller_name, '') || ' ' || coalesce(text, '') || ' ' || coalesce(answer, '') || ' ' || coalesce(plate, '') || ' ' || coalesce(declaration_number, ''))", persisted=True), nullable=True),
    sa.CheckConstraint("channel IN ('phone', 'web', 'walk_in')", name=op.f('ck_inquiries_channel')),
    sa.CheckConstraint("language IN ('ru', 'ky', 'en')", name=op.f('ck_inquiries_language')),
    sa.CheckConstraint("status IN ('new', 'in_progress', 'answered', 'closed')", name=op.f('ck_inquiries_status')),
    sa.ForeignKeyConstraint(['checkpoint_id'], ['checkpoints.id'], name=op.f('fk_inquiries_checkpoint_id_checkpoints')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inquiries'))
    )
    op.create_index('ix_inquiries_created_at', 'inquiries', ['created_at'], unique=False)
    op.create_index('ix_inquiries_search', 'inquiries', ['search'], unique=False, postgresql_using='gin')
    op.create_index('ix_inquiries_status_due', 'inquiries', ['status', 'due_at'], unique=False)
    op.create_table('inquiry_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('inquiry_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('author', sa.Text(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['inquiry_id'], ['inquiries.id'], name=op.f('fk_inquiry_notes_inquiry_id_inquiries'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inquiry_notes'))
    )
    op.create_index(op.f('ix_inquiry_notes_inquiry_id'), 'inquiry_notes', ['inquiry_id'], unique=False)
    # What an agent noted stays as written: corrections are new notes.
    op.execute(
        """
        CREATE FUNCTION inquiry_notes_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'inquiry_notes are append-only: % refused', TG_OP
                USING ERRCODE = 'insufficient_privilege';
        END;
        $$
        """
    )
    op.execute(
        "CREATE TRIGGER inquiry_notes_append_only BEFORE UPDATE OR DELETE ON inquiry_notes "
        "FOR EACH ROW EXECUTE FUNCTION inquiry_notes_refuse_change()"
    )
    op.add_column('checkpoints', sa.Column('opening_hours', sa.Text(), server_default='24/7', nullable=False))


def downgrade() -> None:
    op.drop_column('checkpoints', 'opening_hours')
    op.drop_index(op.f('ix_inquiry_notes_inquiry_id'), table_name='inquiry_notes')
    op.drop_table('inquiry_notes')
    op.execute("DROP FUNCTION IF EXISTS inquiry_notes_refuse_change()")
    op.drop_index('ix_inquiries_status_due', table_name='inquiries')
    op.drop_index('ix_inquiries_search', table_name='inquiries', postgresql_using='gin')
    op.drop_index('ix_inquiries_created_at', table_name='inquiries')
    op.drop_table('inquiries')
