"""Foundation: PostGIS, checkpoints, corridors, stop zones, rates, users, tokens, audit log.

Revision ID: 0001
Revises:
Create Date: 2026-11-30
"""
import geoalchemy2
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _geometry(kind: str) -> geoalchemy2.Geometry:
    return geoalchemy2.Geometry(kind, srid=4326, spatial_index=False)


def _timestamps() -> list[sa.Column]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    ]


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS postgis")

    op.create_table(
        "checkpoints",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code", sa.String(20), nullable=False),
        sa.Column("name_en", sa.Text, nullable=False),
        sa.Column("name_ru", sa.Text, nullable=False),
        sa.Column("name_ky", sa.Text, nullable=False),
        sa.Column("country", sa.String(2)),
        sa.Column("border_kind", sa.String(16), nullable=False),
        sa.Column("mode", sa.String(8), nullable=False),
        sa.Column("lanes", sa.Integer, nullable=False),
        sa.Column("has_weighbridge", sa.Boolean, nullable=False),
        sa.Column("neighbour_post", sa.Text),
        sa.Column("point", _geometry("POINT"), nullable=False),
        sa.Column("geofence", _geometry("POLYGON"), nullable=False),
        sa.Column("geofence_radius_m", sa.Float, nullable=False),
        sa.Column("coord_source", sa.Text, nullable=False),
        sa.Column("coord_accuracy", sa.String(16), nullable=False),
        *_timestamps(),
        sa.UniqueConstraint("code", name="uq_checkpoints_code"),
        sa.CheckConstraint("border_kind IN ('eaeu', 'external', 'inland')", name="ck_checkpoints_border_kind"),
        sa.CheckConstraint("mode IN ('road', 'rail')", name="ck_checkpoints_mode"),
        sa.CheckConstraint("coord_accuracy IN ('exact', 'approximate')", name="ck_checkpoints_coord_accuracy"),
        sa.CheckConstraint("lanes >= 0", name="ck_checkpoints_lanes"),
    )
    op.create_index("ix_checkpoints_point", "checkpoints", ["point"], postgresql_using="gist")
    op.create_index("ix_checkpoints_geofence", "checkpoints", ["geofence"], postgresql_using="gist")

    op.create_table(
        "corridors",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code", sa.String(20), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("geom", _geometry("LINESTRING"), nullable=False),
        sa.Column("half_width_m", sa.Float, nullable=False),
        sa.Column("length_m", sa.Float, nullable=False),
        sa.Column("origin_id", sa.Integer, sa.ForeignKey("checkpoints.id", name="fk_corridors_origin_id_checkpoints"), nullable=False),
        sa.Column("destination_id", sa.Integer, sa.ForeignKey("checkpoints.id", name="fk_corridors_destination_id_checkpoints"), nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        *_timestamps(),
        sa.UniqueConstraint("code", name="uq_corridors_code"),
        sa.CheckConstraint("half_width_m > 0", name="ck_corridors_half_width_m"),
    )
    op.create_index("ix_corridors_geom", "corridors", ["geom"], postgresql_using="gist")

    op.create_table(
        "corridor_segments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("corridor_id", sa.Integer, sa.ForeignKey("corridors.id", ondelete="CASCADE", name="fk_corridor_segments_corridor_id_corridors"), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("start_m", sa.Float, nullable=False),
        sa.Column("geom", _geometry("LINESTRING"), nullable=False),
        sa.UniqueConstraint("corridor_id", "seq", name="uq_corridor_segments_corridor_seq"),
    )
    op.create_index("ix_corridor_segments_geom", "corridor_segments", ["geom"], postgresql_using="gist")

    op.create_table(
        "stop_zones",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("corridor_id", sa.Integer, sa.ForeignKey("corridors.id", ondelete="CASCADE", name="fk_stop_zones_corridor_id_corridors"), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("geom", _geometry("POLYGON"), nullable=False),
        sa.UniqueConstraint("corridor_id", "name", name="uq_stop_zones_corridor_name"),
        sa.CheckConstraint("kind IN ('customs_post', 'rest_area', 'fuel', 'truck_park')", name="ck_stop_zones_kind"),
    )
    op.create_index("ix_stop_zones_geom", "stop_zones", ["geom"], postgresql_using="gist")

    op.create_table(
        "exchange_rates",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("kgs_per_unit", sa.Numeric(18, 6), nullable=False),
        sa.Column("effective_date", sa.Date, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.UniqueConstraint("currency", "effective_date", name="uq_exchange_rates_currency_date"),
        sa.CheckConstraint("kgs_per_unit > 0", name="ck_exchange_rates_kgs_per_unit"),
    )

    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.UniqueConstraint("name", name="uq_users_name"),
        sa.CheckConstraint(
            "role IN ('admin', 'operator', 'supervisor', 'planner', 'officer', 'callcenter', 'device')",
            name="ck_users_role",
        ),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE", name="fk_api_tokens_user_id_users"), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("prefix", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
        sa.UniqueConstraint("token_hash", name="uq_api_tokens_token_hash"),
    )

    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("entity_type", sa.Text, nullable=False),
        sa.Column("entity_id", sa.Text, nullable=False),
        sa.Column("change", postgresql.JSONB, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.UniqueConstraint("hash", name="uq_audit_log_hash"),
    )
    op.create_index("ix_audit_log_entity", "audit_log", ["entity_type", "entity_id"])
    # Append-only: the database itself refuses to change or remove an entry.
    op.execute(
        """
        CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP
                USING ERRCODE = 'insufficient_privilege';
        END;
        $$
        """
    )
    op.execute(
        "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
        "FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change()"
    )
    op.execute(
        "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change()"
    )


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS audit_log")
    op.execute("DROP FUNCTION IF EXISTS audit_log_refuse_change()")
    for table in ("api_tokens", "users", "exchange_rates", "stop_zones", "corridor_segments", "corridors", "checkpoints"):
        op.drop_table(table)
