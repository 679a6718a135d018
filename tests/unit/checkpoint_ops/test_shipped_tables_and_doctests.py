"""The tables shipped in backend/chekara/data parse, and the domain modules' examples hold."""

from __future__ import annotations

import doctest
import importlib
from decimal import Decimal

import pytest

from chekara.config import get_settings
from chekara.domain.customs_payments import parse_tariff_csv
from chekara.domain.weights import parse_axle_limits_csv

MODULES = [
    "chekara.domain.bishkek_time",
    "chekara.domain.crossing_procedure",
    "chekara.domain.customs_payments",
    "chekara.domain.goods_accounting",
    "chekara.domain.hs_codes",
    "chekara.domain.queue_figures",
    "chekara.domain.travel_direction",
    "chekara.domain.weights",
]


def test_the_shipped_tariff_parses_and_prices_common_goods():
    tariff = parse_tariff_csv(get_settings().tariff_file.read_text(encoding="utf-8"))
    assert len(tariff) >= 20
    assert tariff.rate_for("0808108000").duty_pct == Decimal("10")
    assert tariff.rate_for("8703800000").duty_pct == 0  # electric cars override the 8703 heading
    assert tariff.rate_for("2501009100") is None


def test_the_shipped_axle_limits_parse():
    limits = parse_axle_limits_csv(get_settings().axle_limits_file.read_text(encoding="utf-8"))
    assert limits.classes == ("single", "tandem", "tridem")
    assert limits.limit_kg("single") == 10_000


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name))
    assert result.failed == 0 and result.attempted > 0
