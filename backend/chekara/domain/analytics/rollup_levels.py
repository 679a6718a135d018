"""Which rollup level answers a heatmap window: whole UTC days from the daily level, anything else hourly.

The daily level holds, per resolution 5..9 and UTC day, what the hourly level holds per res-9
cell and hour: fixes, speeds, dwell (additive), and distinct trips made additive by counting a
trip on its first day inside the window only: a trip-day row remembers the trip's previous day
in the cell, and a window [A, B) sums the rows of days in [A, B) whose previous day is before A.

>>> from datetime import datetime, UTC
>>> choose_level(datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 10, 31, tzinfo=UTC), "trips", None)
'day'
>>> choose_level(datetime(2026, 10, 1, 5, tzinfo=UTC), datetime(2026, 10, 31, tzinfo=UTC), "fixes", None)
'hour'
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

LEVELS = ("hour", "day")
#: prev_day of a trip's first day in a cell: before any window.
NO_PREVIOUS_DAY = date(1, 1, 1)


def on_day_boundaries(start: datetime, end: datetime) -> bool:
    """Both ends at UTC midnight, at least one day apart."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    return start.time() == time(0) and end.time() == time(0) and end > start


def day_level_refusal(start: datetime, end: datetime, metric: str, corridor: str | None) -> str | None:
    """Why the daily level cannot answer this window, or None when it can.

    A corridor keeps only its res-9 cells, and a coarse hexagon then aggregates those: additive
    metrics can do that from the daily res-9 rows, distinct trips cannot (they need the sets).
    """
    if not on_day_boundaries(start, end):
        return "the daily level needs from and to at UTC midnight"
    if corridor is not None and metric == "trips":
        return "distinct trips along a corridor come from the hourly level"
    return None


def choose_level(start: datetime, end: datetime, metric: str, corridor: str | None) -> str:
    """'day' when the window is whole UTC days (and, for distinct trips, no corridor filter), else 'hour'."""
    return "day" if day_level_refusal(start, end, metric, corridor) is None else "hour"


def day_range(start: datetime, end: datetime) -> tuple[date, date]:
    """[first day, end day) of a window on day boundaries."""
    return start.astimezone(UTC).date(), end.astimezone(UTC).date()
