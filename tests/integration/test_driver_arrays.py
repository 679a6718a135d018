"""Array literals for the pipeline's statements come back from PostgreSQL exactly as they went in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from chekara.db import driver

HOSTILE_IDS = [
    "TRK-1", 'quote"inside', "back\\slash", "trailing\\", "comma,inside", "{braces}", "NULL", "null", "",
    " padded ", "semi;colon'--", "кириллица-01", "tab\tinside", "\\\"both\\\"",
]


def test_text_elements_of_any_shape_round_trip(db_session):
    (back,) = driver.execute(db_session, "SELECT CAST(%(ids)s AS varchar[])", {"ids": driver.array_literal(HOSTILE_IDS)})
    assert back[0] == HOSTILE_IDS  # "NULL" stays a string, "" stays an element


def test_integers_and_time_stamps_round_trip(db_session):
    ids = [1, 2, 2_147_483_647, -5]
    stamps = [datetime(2026, 12, 3, 11, 6, 50, 634_000, tzinfo=UTC),
              datetime(2026, 12, 3, 16, 6, 50, 1, tzinfo=timezone(timedelta(hours=5))),
              datetime(1999, 1, 1, tzinfo=UTC)]
    (row,) = driver.execute(db_session, "SELECT CAST(%(ids)s AS int[]), CAST(%(ts)s AS timestamptz[])",
                            {"ids": driver.array_literal(ids), "ts": driver.array_literal(stamps)})
    assert row[0] == ids and row[1] == stamps
    assert driver.execute(db_session, "SELECT CAST(%(e)s AS int[])", {"e": driver.array_literal([])}) == [([],)]


def test_booleans_are_refused():
    with pytest.raises(TypeError):
        driver.array_literal([True])
