"""positions' monthly partitions: the server keeps the coming months ready; a DEFAULT partition catches the rest.

Ingest never waits for a partition: a fix of a month without its own partition (years back,
or a month nobody prepared) lands in ``positions_default``, which has every index too. The sweep
loop calls ``ensure_partitions`` each round, which creates the current month and the next
``AHEAD_MONTHS`` when missing. Creating a partition takes a short ACCESS EXCLUSIVE lock on
positions, so it waits at most ``LOCK_TIMEOUT`` for in-flight writers and otherwise tries again
next round. If the default partition already holds fixes of a month being created (a fix
60 s ahead at a month's turn), they are moved into the new partition in the same transaction.
"""

from __future__ import annotations

import logging
from datetime import date, datetime

from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from chekara.domain.archive.months import month_bounds, months_ahead, partition_name

log = logging.getLogger("chekara.archive")

DEFAULT_PARTITION = "positions_default"
#: Months after the current one kept ready.
AHEAD_MONTHS = 2
LOCK_TIMEOUT = "2s"
_COLUMNS = ("id, device_id, trip_id, ts, received_at, geom, speed_kmh, heading_deg, accuracy_m, altitude_m,"
            " battery_pct, h3_r9, corridor_distance_m, stop_zone_id, checkpoint_id, anomaly")


def month_partitions(session: Session) -> dict[str, str]:
    """positions' partitions: name -> bound expression."""
    return dict(session.execute(text(
        "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i"
        " JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'positions'::regclass ORDER BY 1"
    )).all())


def create_month_partition(session: Session, month: date) -> bool:
    """Create the month's partition (moving its fixes out of the default partition); False if it exists. Flushes, no commit."""
    name = partition_name(month)
    if name in month_partitions(session):
        return False
    start, end = month_bounds(month)
    params = {"start": start, "end": end}
    # Fixes of this month already in the default partition would make CREATE … PARTITION OF fail: move them.
    session.execute(text(f"LOCK TABLE {DEFAULT_PARTITION} IN ACCESS EXCLUSIVE MODE"))
    session.execute(text("CREATE TEMP TABLE moving_positions (LIKE positions) ON COMMIT DROP"))
    session.execute(text(
        f"WITH moved AS (DELETE FROM {DEFAULT_PARTITION} WHERE ts >= :start AND ts < :end RETURNING *)"
        f" INSERT INTO moving_positions SELECT * FROM moved"
    ), params)
    session.execute(text(
        f"CREATE TABLE {name} PARTITION OF positions FOR VALUES FROM ('{start.isoformat()}') TO ('{end.isoformat()}')"
    ))
    session.execute(text(f"INSERT INTO positions ({_COLUMNS}) SELECT {_COLUMNS} FROM moving_positions"))
    session.execute(text("DROP TABLE moving_positions"))
    return True


def ensure_partitions(session: Session, now: datetime, ahead: int = AHEAD_MONTHS) -> list[str]:
    """Create the current month's and the next ``ahead`` months' partitions when missing; commits. Returns the new names."""
    existing = month_partitions(session)  # once: create_month_partition asks again, for a race
    missing = [m for m in months_ahead(now, ahead) if partition_name(m) not in existing]
    created = []
    for month in missing:
        try:
            session.execute(text(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'"))
            if create_month_partition(session, month):
                created.append(partition_name(month))
            session.commit()
        except OperationalError:
            session.rollback()
            log.warning("positions stayed locked by writers for %s; partition %s waits for the next round",
                        LOCK_TIMEOUT, partition_name(month))
    if created:
        log.info("created partitions %s", ", ".join(created))
    return created
