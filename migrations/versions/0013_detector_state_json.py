"""Issue 13: trips.detector_state as json, not jsonb, compressed with lz4.

The ingest pipeline reads every touched trip's detector state as text and writes it back as one
document per group (ingest/trip_rows.py); nothing queries inside it. jsonb converts the ~2-3 kB of
each state to its binary form on every write and back to text on every read: measured on 1,000
trips, the locking read took 82 ms against 32 ms as json, the UPDATE 328 ms against 155 ms.
A state over ~2 kB is compressed by TOAST: lz4 instead of the default pglz took the UPDATE of
1,000 states from 104 to 67 ms and their locking read from 19 to 10 ms, at the same size.
Every group rewrites its trips' rows: with half of each page left free (fillfactor 50) the new
version fits beside the old one and the indexes are left alone (a HOT update): 79 -> 63 ms for
1,000 trips. The table holds a row per trip, so doubling its pages costs nothing that matters.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 11:20:00
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.alter_column('trips', 'detector_state', type_=sa.JSON(), existing_nullable=False,
                    postgresql_using='detector_state::json')
    op.execute("ALTER TABLE trips SET (fillfactor = 50)")
    # A server built without lz4 keeps pglz: slower, the same data.
    op.execute("""
        DO $$ BEGIN
            ALTER TABLE trips ALTER COLUMN detector_state SET COMPRESSION lz4;
        EXCEPTION WHEN feature_not_supported OR invalid_parameter_value THEN
            RAISE NOTICE 'lz4 is not available: trips.detector_state keeps the default compression';
        END $$
    """)


def downgrade() -> None:
    op.execute("ALTER TABLE trips ALTER COLUMN detector_state SET COMPRESSION default")
    op.execute("ALTER TABLE trips RESET (fillfactor)")
    op.alter_column('trips', 'detector_state', type_=postgresql.JSONB(astext_type=sa.Text()), existing_nullable=False,
                    postgresql_using='detector_state::jsonb')
