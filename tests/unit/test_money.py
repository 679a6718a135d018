from decimal import Decimal

import pytest

from chekara.domain.money import MoneyError, check_currency_code, check_rate


@pytest.mark.parametrize("code, expected", [("usd", "USD"), (" EUR ", "EUR"), ("RUB", "RUB")])
def test_currency_codes_are_upper_case(code, expected):
    assert check_currency_code(code) == expected


@pytest.mark.parametrize("code", ["US", "USDT", "U5D", "", "KGS"])
def test_bad_currency_codes(code):
    with pytest.raises(MoneyError) as err:
        check_currency_code(code)
    assert err.value.field == "currency"


def test_rates_stay_decimal():
    assert check_rate("84.80") == Decimal("84.80")
    assert check_rate(Decimal("1.14")) + check_rate("0.000001") == Decimal("1.140001")


@pytest.mark.parametrize("value", ["0", "-1", "abc", "NaN", "Infinity", "1.0000001", "2000000"])
def test_bad_rates(value):
    with pytest.raises(MoneyError) as err:
        check_rate(value)
    assert err.value.field == "kgs_per_unit"
