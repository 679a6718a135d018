"""Customs payments: longest-prefix tariff lookup, duty then VAT on value plus duty, no rate means no guess."""

from __future__ import annotations

from decimal import Decimal

import pytest

from chekara.domain.customs_payments import (
    VAT_PCT,
    Tariff,
    TariffRate,
    TariffTableError,
    line_payments,
    parse_tariff_csv,
    percent_of,
    to_kgs,
)

TARIFF = Tariff([
    TariffRate("8703", Decimal("15")),
    TariffRate("870380", Decimal("0")),
    TariffRate("0808", Decimal("10")),
    TariffRate("3901", Decimal("6.5")),
])


def test_vat_is_twelve_percent():
    assert VAT_PCT == Decimal("12")


@pytest.mark.parametrize(
    "code, prefix",
    [("8703239000", "8703"), ("8703800000", "870380"), ("870380", "870380"), ("0808108000", "0808"),
     ("0809100000", None), ("8704", None)],
)
def test_the_most_specific_entry_wins(code, prefix):
    rate = TARIFF.rate_for(code)
    assert (rate.hs_prefix if rate else None) == prefix


def test_duty_then_vat_on_value_plus_duty():
    payments = line_payments(Decimal("848000.00"), "0808108000", TARIFF)
    assert payments.duty_kgs == Decimal("84800.00")
    assert payments.vat_kgs == Decimal("111936.00")  # 12 % of 932,800.00
    assert payments.total_kgs == Decimal("196736.00") and payments.tariff_prefix == "0808"


def test_a_fractional_rate_rounds_half_up_to_the_tyiyn():
    payments = line_payments(Decimal("1234.57"), "3901100000", TARIFF)
    assert payments.duty_kgs == Decimal("80.25")  # 6.5 % of 1234.57 = 80.24705
    assert payments.vat_kgs == Decimal("157.78")  # 12 % of 1314.82 = 157.7784
    assert percent_of(Decimal("0.05"), Decimal("10")) == Decimal("0.01")  # 0.005: half up, not to even


def test_a_zero_rate_still_owes_vat():
    payments = line_payments(Decimal("1000.00"), "8703800000", TARIFF)
    assert (payments.duty_kgs, payments.vat_kgs) == (Decimal("0.00"), Decimal("120.00"))


def test_an_unknown_heading_has_no_rate_and_no_amounts():
    payments = line_payments(Decimal("1000.00"), "2501009100", TARIFF)
    assert not payments.has_rate
    assert (payments.duty_pct, payments.duty_kgs, payments.vat_kgs, payments.total_kgs) == (None, None, None, None)


def test_conversion_to_kgs_rounds_half_up():
    assert to_kgs(Decimal("10000.00"), Decimal("84.80")) == Decimal("848000.00")
    assert to_kgs(Decimal("0.01"), Decimal("1.145")) == Decimal("0.01")
    assert to_kgs(Decimal("1.01"), Decimal("0.005")) == Decimal("0.01")  # 0.00505 -> half up


def test_the_tariff_file_format():
    tariff = parse_tariff_csv("# comment\nhs_prefix,duty_pct,description\n0808,10,Apples\n870380,0,\"Cars, electric\"\n")
    assert len(tariff) == 2 and tariff.rate_for("8703800000").description == "Cars, electric"


@pytest.mark.parametrize(
    "text, reason",
    [
        ("code,rate\n0808,10\n", "header"),
        ("hs_prefix,duty_pct,description\n080,10,x\n", "entry 2: hs_prefix"),
        ("hs_prefix,duty_pct,description\n0808,ten,x\n", "entry 2: duty_pct"),
        ("hs_prefix,duty_pct,description\n0808,101,x\n", "between 0 and 100"),
        ("hs_prefix,duty_pct,description\n0808,-1,x\n", "between 0 and 100"),
        ("hs_prefix,duty_pct,description\n0808,10,x\n0808,5,y\n", "listed twice"),
    ],
)
def test_a_malformed_tariff_file_names_the_entry(text, reason):
    with pytest.raises(TariffTableError, match=reason):
        parse_tariff_csv(text)
