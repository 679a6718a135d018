"""Issue 17: positions partitioned by UTC calendar month (declarative RANGE partitioning on ts).

The unique (device_id, ts) key already holds the partition key; the primary key becomes (id, ts)
because every unique key of a partitioned table must. ids keep coming from the same sequence, so
the rollups' watermark on positions.id stays valid. A DEFAULT partition takes fixes of months
without a partition of their own (years back, say), so an insert never fails for want of one; the
server creates the coming months ahead (chekara.services.archive.partitions). A new index on ts
serves window queries (dwell, archive export, detach). Existing rows are carried over.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 11:00:00
"""
from datetime import UTC, date, datetime

from alembic import op
import sqlalchemy as sa

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

COLUMNS = ("id, device_id, trip_id, ts, received_at, geom, speed_kmh, heading_deg, accuracy_m, altitude_m,"
           " battery_pct, h3_r9, corridor_distance_m, stop_zone_id, checkpoint_id, anomaly")
#: Months created ahead at migration time (the server keeps this many ready afterwards).
AHEAD = 3


def _next(month: date) -> date:
    return date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def _months(first: date, last: date) -> list[date]:
    out = []
    while first <= last:
        out.append(first)
        first = _next(first)
    return out


def upgrade() -> None:
    bind = op.get_bind()
    op.execute("ALTER TABLE positions RENAME TO positions_unpartitioned")
    op.execute("ALTER TABLE positions_unpartitioned RENAME CONSTRAINT pk_positions TO pk_positions_unpartitioned")
    op.execute("ALTER TABLE positions_unpartitioned RENAME CONSTRAINT uq_positions_device_ts TO uq_positions_unpartitioned_device_ts")
    op.execute("ALTER TABLE positions_unpartitioned RENAME CONSTRAINT fk_positions_device_id_devices TO fk_positions_unpartitioned_device")
    op.execute("ALTER TABLE positions_unpartitioned RENAME CONSTRAINT fk_positions_trip_id_trips TO fk_positions_unpartitioned_trip")
    for index in ("ix_positions_geom", "ix_positions_h3_r9", "ix_positions_trip_ts"):
        op.execute(f"ALTER INDEX {index} RENAME TO {index.replace('positions', 'positions_unpartitioned')}")
    op.execute("""
        CREATE TABLE positions (
            id bigint NOT NULL DEFAULT nextval('positions_id_seq'),
            device_id integer NOT NULL,
            trip_id integer,
            ts timestamptz NOT NULL,
            received_at timestamptz NOT NULL,
            geom geometry(POINT, 4326) NOT NULL,
            speed_kmh double precision,
            heading_deg double precision,
            accuracy_m double precision,
            altitude_m double precision,
            battery_pct double precision,
            h3_r9 bigint NOT NULL,
            corridor_distance_m double precision,
            stop_zone_id integer,
            checkpoint_id integer,
            anomaly boolean NOT NULL,
            CONSTRAINT pk_positions PRIMARY KEY (id, ts),
            CONSTRAINT uq_positions_device_ts UNIQUE (device_id, ts),
            CONSTRAINT fk_positions_device_id_devices FOREIGN KEY (device_id) REFERENCES devices (id),
            CONSTRAINT fk_positions_trip_id_trips FOREIGN KEY (trip_id) REFERENCES trips (id)
        ) PARTITION BY RANGE (ts)
    """)
    op.execute("ALTER SEQUENCE positions_id_seq OWNED BY positions.id")
    op.execute("CREATE INDEX ix_positions_trip_ts ON positions (trip_id, ts)")
    op.execute("CREATE INDEX ix_positions_geom ON positions USING gist (geom)")
    op.execute("CREATE INDEX ix_positions_h3_r9 ON positions (h3_r9)")
    op.execute("CREATE INDEX ix_positions_ts ON positions (ts)")
    op.execute("CREATE TABLE positions_default PARTITION OF positions DEFAULT")
    first, last = bind.execute(sa.text(
        "SELECT min(ts) AT TIME ZONE 'UTC', max(ts) AT TIME ZONE 'UTC' FROM positions_unpartitioned")).one()
    now = datetime.now(UTC)
    months = set(_months(date(now.year, now.month, 1), date(now.year, now.month, 1)))
    for _ in range(AHEAD):
        months.add(_next(max(months)))
    if first is not None:
        months |= set(_months(date(first.year, first.month, 1), date(last.year, last.month, 1)))
    for month in sorted(months):
        end = _next(month)
        op.execute(
            f"CREATE TABLE positions_{month.year:04d}_{month.month:02d} PARTITION OF positions"
            f" FOR VALUES FROM ('{month.isoformat()} 00:00:00+00') TO ('{end.isoformat()} 00:00:00+00')"
        )
    op.execute(f"INSERT INTO positions ({COLUMNS}) SELECT {COLUMNS} FROM positions_unpartitioned")
    op.execute("DROP TABLE positions_unpartitioned")


def downgrade() -> None:
    op.execute("ALTER TABLE positions RENAME TO positions_partitioned")
    op.execute("ALTER TABLE positions_partitioned RENAME CONSTRAINT pk_positions TO pk_positions_partitioned")
    op.execute("ALTER TABLE positions_partitioned RENAME CONSTRAINT uq_positions_device_ts TO uq_positions_partitioned_device_ts")
    op.execute("ALTER TABLE positions_partitioned RENAME CONSTRAINT fk_positions_device_id_devices TO fk_positions_partitioned_device")
    op.execute("ALTER TABLE positions_partitioned RENAME CONSTRAINT fk_positions_trip_id_trips TO fk_positions_partitioned_trip")
    for index in ("ix_positions_geom", "ix_positions_h3_r9", "ix_positions_trip_ts", "ix_positions_ts"):
        op.execute(f"ALTER INDEX {index} RENAME TO {index.replace('positions', 'positions_partitioned')}")
    op.execute("""
        CREATE TABLE positions (
            id bigint NOT NULL DEFAULT nextval('positions_id_seq'),
            device_id integer NOT NULL, trip_id integer, ts timestamptz NOT NULL, received_at timestamptz NOT NULL,
            geom geometry(POINT, 4326) NOT NULL, speed_kmh double precision, heading_deg double precision,
            accuracy_m double precision, altitude_m double precision, battery_pct double precision,
            h3_r9 bigint NOT NULL, corridor_distance_m double precision, stop_zone_id integer, checkpoint_id integer,
            anomaly boolean NOT NULL,
            CONSTRAINT pk_positions PRIMARY KEY (id),
            CONSTRAINT uq_positions_device_ts UNIQUE (device_id, ts),
            CONSTRAINT fk_positions_device_id_devices FOREIGN KEY (device_id) REFERENCES devices (id),
            CONSTRAINT fk_positions_trip_id_trips FOREIGN KEY (trip_id) REFERENCES trips (id)
        )
    """)
    op.execute("ALTER SEQUENCE positions_id_seq OWNED BY positions.id")
    op.execute(f"INSERT INTO positions ({COLUMNS}) SELECT {COLUMNS} FROM positions_partitioned")
    op.execute("DROP TABLE positions_partitioned")
    op.execute("CREATE INDEX ix_positions_trip_ts ON positions (trip_id, ts)")
    op.execute("CREATE INDEX ix_positions_geom ON positions USING gist (geom)")
    op.execute("CREATE INDEX ix_positions_h3_r9 ON positions (h3_r9)")
