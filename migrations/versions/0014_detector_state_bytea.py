"""Issue 13: trips.detector_state as bytea (the state's JSON text), still compressed with lz4.

PostgreSQL checks the syntax of a json value on every write. A group's states went in as one
JSON document (ingest/trip_rows.py), and that check was half the cost of the trips' UPDATE:
measured on 1,000 trips at the bench's state size, the UPDATE took 64-76 ms, and 35-37 ms with
the same columns and the states as bytea sent in binary. Nothing queries inside a state; the
app reads and writes it whole through orjson (db.models.tracking.DetectorState).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 01:00:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def _compress_with_lz4() -> None:
    """Changing a column's type drops its compression: lz4 again, where the server was built with it
    (one without keeps pglz: slower, the same data)."""
    built_with_lz4 = op.get_bind().exec_driver_sql(
        "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'").scalar()
    if built_with_lz4:
        op.execute("ALTER TABLE trips ALTER COLUMN detector_state SET COMPRESSION lz4")


def upgrade() -> None:
    op.alter_column('trips', 'detector_state', type_=sa.LargeBinary(), existing_nullable=False,
                    postgresql_using="convert_to(detector_state::text, 'UTF8')")
    _compress_with_lz4()


def downgrade() -> None:
    op.alter_column('trips', 'detector_state', type_=sa.JSON(), existing_nullable=False,
                    postgresql_using="convert_from(detector_state, 'UTF8')::json")
    _compress_with_lz4()
