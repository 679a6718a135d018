"""Calendar months of positions: their bounds (UTC), partition names, and when a month is closed.

``positions`` is partitioned by UTC calendar month; a month's partition is
``positions_YYYY_MM``. A month is *closed* once no fix for it can still be
accepted: ingest refuses fixes older than CHEKARA_MAX_FIX_AGE_DAYS, so a
month is closed that long after its end (plus one day of margin for clocks
and batches in flight). Only closed months may be archived and detached, so
a detached month can never receive a fix through ingest.

>>> parse_month("2026-10")
datetime.date(2026, 10, 1)
>>> partition_name(parse_month("2026-10"))
'positions_2026_10'
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

#: Days after a month's fix-age horizon before it counts as closed (batches in flight, clock skew).
CLOSE_MARGIN_DAYS = 1.0
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(text: str) -> date:
    """'YYYY-MM' as the month's first day; ValueError naming the expected form otherwise."""
    match = _MONTH.match(text.strip()) if isinstance(text, str) else None
    if not match:
        raise ValueError("month must be YYYY-MM, e.g. 2026-10")
    year, month = int(match[1]), int(match[2])
    if not (1 <= month <= 12 and 1900 <= year <= 9998):
        raise ValueError("month must be YYYY-MM with a month 01..12 and a year 1900..9998")
    return date(year, month, 1)


def month_label(month: date) -> str:
    return f"{month.year:04d}-{month.month:02d}"


def next_month(month: date) -> date:
    return date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def month_of(instant: datetime) -> date:
    """The UTC calendar month an instant falls in."""
    utc = instant.astimezone(UTC) if instant.tzinfo else instant
    return date(utc.year, utc.month, 1)


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """[start, end) of the month in UTC."""
    end = next_month(month)
    return (datetime(month.year, month.month, 1, tzinfo=UTC), datetime(end.year, end.month, 1, tzinfo=UTC))


def months_between(first: date, last: date) -> list[date]:
    """Every month from first to last, both included."""
    out, month = [], date(first.year, first.month, 1)
    while month <= last:
        out.append(month)
        month = next_month(month)
    return out


def partition_name(month: date) -> str:
    return f"positions_{month.year:04d}_{month.month:02d}"


def month_days(month: date) -> list[date]:
    """The month's days (the archive writes one file a day)."""
    start, end = month_bounds(month)
    return [(start + timedelta(days=i)).date() for i in range((end - start).days)]


def closed_after(month: date, max_fix_age_days: float) -> datetime:
    """The instant from which no fix of the month can be accepted any more."""
    return month_bounds(month)[1] + timedelta(days=max_fix_age_days + CLOSE_MARGIN_DAYS)


def is_closed(month: date, now: datetime, max_fix_age_days: float) -> bool:
    return now >= closed_after(month, max_fix_age_days)


def months_ahead(now: datetime, ahead: int) -> list[date]:
    """The current month and ``ahead`` months after it: the partitions the server keeps ready."""
    month = month_of(now)
    out = [month]
    for _ in range(ahead):
        out.append(next_month(out[-1]))
    return out


def retention_allows(month: date, now: datetime, retention_months: int) -> bool:
    """Whether a month is old enough to leave the database: 0 keeps everything (never due)."""
    if retention_months <= 0:
        return False
    newest_kept = month_of(now)
    for _ in range(retention_months - 1):
        newest_kept = date(newest_kept.year - (newest_kept.month == 1), (newest_kept.month - 2) % 12 + 1, 1)
    return month < newest_kept


_PARTITION = re.compile(r"^positions_(\d{4}_\d{2}|default)$")


def is_partition_name(name: str) -> bool:
    """A partition of positions (the schema comparison leaves them out: the server makes them)."""
    return bool(_PARTITION.match(name or ""))


def partition_month(name: str) -> date | None:
    """The month of a month partition's name; None for the default partition or another table."""
    match = re.match(r"^positions_(\d{4})_(\d{2})$", name or "")
    return date(int(match[1]), int(match[2]), 1) if match else None
