"""Money: currency codes and exchange rates to the som (KGS). Decimal only, never float."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

#: The national currency; every amount is converted to it.
NATIONAL_CURRENCY = "KGS"
#: Rates are kept to 6 decimal places (KGS per unit).
RATE_PLACES = Decimal("0.000001")
_CURRENCY_CODE = re.compile(r"^[A-Z]{3}$")


class MoneyError(ValueError):
    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


def check_currency_code(code: str) -> str:
    """An ISO 4217 alphabetic code, upper case; KGS itself has no rate."""
    code = code.strip().upper()
    if not _CURRENCY_CODE.match(code):
        raise MoneyError(f"{code!r} is not an ISO 4217 code (three letters)", "currency")
    if code == NATIONAL_CURRENCY:
        raise MoneyError("KGS is the national currency: its rate is always 1", "currency")
    return code


def check_rate(kgs_per_unit: Decimal | str | int) -> Decimal:
    """A positive rate with at most 6 decimal places."""
    try:
        rate = Decimal(str(kgs_per_unit))
    except InvalidOperation as exc:
        raise MoneyError(f"{kgs_per_unit!r} is not a number", "kgs_per_unit") from exc
    if not rate.is_finite() or rate <= 0:
        raise MoneyError("must be a positive number", "kgs_per_unit")
    if rate > Decimal("1000000"):
        raise MoneyError("is implausibly large (over 1,000,000 KGS per unit)", "kgs_per_unit")
    if rate != rate.quantize(RATE_PLACES):
        raise MoneyError("has more than 6 decimal places", "kgs_per_unit")
    return rate
