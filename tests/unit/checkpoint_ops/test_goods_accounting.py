"""Goods accounting: groups add up exactly to the totals; vehicles are distinct crossings."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from chekara.domain.goods_accounting import GROUP_KEYS, GoodsEntry, GroupingError, aggregate, figures, parse_group_by

D1, D2 = date(2026, 1, 5), date(2026, 1, 6)


def entry(crossing_id, checkpoint="TORUGART", direction="inbound", chapter="08", country="CN", day=D1,
          gross="1000", value="100.00", duty="10.00", vat="13.20", guarantee="0", without_rate=False) -> GoodsEntry:
    return GoodsEntry(crossing_id, checkpoint, direction, chapter, country, day, Decimal(gross), Decimal(value),
                      Decimal(duty), Decimal(vat), Decimal(guarantee), without_rate)


ENTRIES = [
    entry(1, gross="18000.5", value="848000.00", duty="84800.00", vat="111936.00"),
    entry(1, chapter="84", gross="500", value="0.01", duty="0.00", vat="0.00"),
    entry(2, chapter="25", gross="2000", value="777.77", duty="0", vat="0", without_rate=True),
    entry(3, direction="outbound", chapter="07", day=D2, duty="0", vat="0"),
    entry(4, checkpoint="DOSTUK", country="UZ", direction="inbound", chapter="84", duty="0", vat="0",
          guarantee="999.99"),
    entry(5, checkpoint="DOSTUK", country=None, direction="unknown", chapter="52", day=D2),
]


def test_parse_group_by_keeps_the_canonical_order_and_refuses_unknown_keys():
    assert parse_group_by(None) == [] and parse_group_by(" ") == []
    assert parse_group_by("day,checkpoint") == ["checkpoint", "day"]
    assert parse_group_by("HS_CHAPTER, country") == ["hs_chapter", "country"]
    with pytest.raises(GroupingError, match="colour"):
        parse_group_by("checkpoint,colour")


@pytest.mark.parametrize("group_by", [[], *[[k] for k in GROUP_KEYS], list(GROUP_KEYS)])
def test_every_grouping_adds_up_exactly(group_by):
    report = aggregate(ENTRIES, group_by)
    total = figures(report.totals)
    for name in ("goods_lines", "gross_kg", "tonnes", "value_kgs", "duty_kgs", "vat_kgs", "payments_due_kgs",
                 "guarantee_kgs", "lines_without_rate"):
        assert sum(figures(r)[name] for r in report.rows) == total[name], name
    assert total["vehicles"] == 5 and total["goods_lines"] == 6
    assert total["value_kgs"] == Decimal("849077.78")
    assert total["payments_due_kgs"] == Decimal("196759.20")
    assert total["tonnes"] == Decimal("23.500500")


def test_vehicles_are_distinct_crossings_within_a_row():
    by_chapter = {r.keys["hs_chapter"]: r.vehicles for r in aggregate(ENTRIES, ["hs_chapter"]).rows}
    assert by_chapter == {"07": 1, "08": 1, "25": 1, "52": 1, "84": 2}  # crossing 1 carries 08 and 84
    by_checkpoint = {r.keys["checkpoint"]: r.vehicles for r in aggregate(ENTRIES, ["checkpoint"]).rows}
    assert by_checkpoint == {"DOSTUK": 2, "TORUGART": 3}


def test_rows_are_sorted_by_their_keys_with_no_country_last():
    rows = aggregate(ENTRIES, ["country", "day"]).rows
    assert [(r.keys["country"], r.keys["day"]) for r in rows] == [("CN", D1), ("CN", D2), ("UZ", D1), (None, D2)]


def test_no_entries_give_zero_totals():
    report = aggregate([], ["checkpoint"])
    assert report.rows == [] and figures(report.totals)["vehicles"] == 0
    assert figures(report.totals)["value_kgs"] == 0
