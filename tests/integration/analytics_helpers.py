"""Shared by the analytics tests: rollup snapshots and raw counts straight from positions."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from chekara.domain.analytics.dwell import fix_dwell_s


def hour_floor(instant: datetime) -> datetime:
    return instant.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def cell_hours(session) -> list[tuple]:
    return [tuple(r) for r in session.execute(text(
        "SELECT hour, cell, fixes, speed_fixes, speed_kmh_sum, dwell_ms FROM h3_cell_hours ORDER BY hour, cell"))]


def cell_hour_trips(session) -> list[tuple]:
    return [tuple(r) for r in session.execute(text(
        "SELECT hour, cell, trip_id FROM h3_cell_hour_trips ORDER BY hour, cell, trip_id"))]


def raw_fix_count(session, start: datetime, end: datetime) -> int:
    return session.scalar(text("SELECT count(*) FROM positions WHERE ts >= :s AND ts < :e"), {"s": start, "e": end})


def reference_dwell_ms(session) -> dict[tuple[datetime, int], int]:
    """Dwell per (hour, cell) computed in Python from the raw fixes with the domain's definition."""
    by_device: dict[int, list[tuple[datetime, int]]] = defaultdict(list)
    for device_id, ts, cell in session.execute(text("SELECT device_id, ts, h3_r9 FROM positions ORDER BY device_id, ts")):
        by_device[device_id].append((ts, cell))
    out: dict[tuple[datetime, int], int] = defaultdict(int)
    for fixes in by_device.values():
        t0 = fixes[0][0]
        dwell = fix_dwell_s([(ts - t0).total_seconds() for ts, _ in fixes])
        for (ts, cell), seconds in zip(fixes, dwell):
            out[(hour_floor(ts), cell)] += round(seconds * 1000)
    return dict(out)


def aligned_start(hours_ago: int = 6, minutes_past: int = 40) -> datetime:
    """A start time some whole hours back, a given number of minutes past the hour (tracks then span hours)."""
    return hour_floor(datetime.now(UTC)) - timedelta(hours=hours_ago) + timedelta(minutes=minutes_past)
