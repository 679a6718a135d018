"""Migration 0011 carries existing fixes over into monthly partitions, with every index per partition."""

from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine, text

from chekara.db.migrate import alembic_config, upgrade_to_head
from tests.database import create_scratch_database, database_url, drop_scratch_database

FIX = ("INSERT INTO positions (device_id, trip_id, ts, received_at, geom, h3_r9, anomaly)"
       " VALUES (:d, NULL, :ts, now(), ST_SetSRID(ST_MakePoint(74.6, 42.87), 4326), 617558006485745663, false)")


def test_existing_fixes_move_into_their_month_partitions():
    name = create_scratch_database("chekara_partitions", migrate=False)
    engine = create_engine(database_url(name))
    try:
        command.upgrade(alembic_config(name), "0010")
        with engine.begin() as conn:
            device = conn.scalar(text("INSERT INTO devices (device_id, kind, label) VALUES ('P-1', 'tracker', '')"
                                      " RETURNING id"))
            for ts in ("2024-02-29 23:59:59+00", "2024-03-01 00:00:00+00", "2025-07-15 12:00:00+00"):
                conn.execute(text(FIX), {"d": device, "ts": ts})
            before = conn.execute(text("SELECT id, ts FROM positions ORDER BY id")).all()
        upgrade_to_head(database=name)
        with engine.begin() as conn:
            assert conn.execute(text("SELECT id, ts FROM positions ORDER BY id")).all() == before
            where = dict(conn.execute(text("SELECT to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM'), tableoid::regclass::text"
                                           " FROM positions")).all())
            assert where == {"2024-02": "positions_2024_02", "2024-03": "positions_2024_03",
                             "2025-07": "positions_2025_07"}
            indexes = {r[0] for r in conn.execute(text(
                "SELECT indexdef FROM pg_indexes WHERE tablename = 'positions_2024_03'"))}
            assert len(indexes) == 6 and any("USING gist (geom)" in i for i in indexes)
            assert any("UNIQUE" in i and "(device_id, ts)" in i for i in indexes)
            # New ids continue the old sequence (the rollups' watermark stays valid).
            conn.execute(text(FIX), {"d": device, "ts": "2024-03-02 00:00:00+00"})
            assert conn.scalar(text("SELECT max(id) FROM positions")) == before[-1][0] + 1
        command.downgrade(alembic_config(name), "0010")  # and back: one plain table again, rows kept
        with engine.begin() as conn:
            assert conn.scalar(text("SELECT count(*) FROM positions")) == 4
            assert conn.scalar(text("SELECT relkind FROM pg_class WHERE relname = 'positions'")) == "r"
    finally:
        engine.dispose()
        drop_scratch_database(name)
