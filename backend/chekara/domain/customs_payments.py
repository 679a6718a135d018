"""Customs payments due on goods: import duty from a tariff table, then VAT.

Pure arithmetic on Decimal, in som (KGS), rounded half-up to the tyiyn at
each line, so that every total is the exact sum of its lines and a report
reconciles with the declarations to the last tyiyn.

- Duty is ad valorem: ``duty_pct`` of the customs value, from the tariff
  entry with the longest HS prefix that the goods' code starts with (a
  heading "8703", or a more specific "870380" that overrides it).
- VAT is 12 % of customs value plus duty (Tax Code of the Kyrgyz Republic).
- A code with no tariff entry has *no rate*: duty and VAT are None, never a
  guess, and the caller records a finding.

The customs value here is the declared invoice value converted to KGS at
the rate in force on the declaration date.

>>> tariff = Tariff([TariffRate("0808", Decimal("10"), "apples")])
>>> line_payments(Decimal("1000.00"), "0808108000", tariff)
LinePayments(duty_pct=Decimal('10'), duty_kgs=Decimal('100.00'), vat_kgs=Decimal('132.00'), \
tariff_prefix='0808')
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from chekara.domain.hs_codes import MAX_DIGITS

#: Value added tax on imports, percent of (customs value + duty).
VAT_PCT = Decimal("12")
#: Amounts in KGS are kept to the tyiyn (1/100 som).
KGS_PLACES = Decimal("0.01")
#: Shortest code a tariff entry may name: the 4-digit heading.
MIN_PREFIX_DIGITS = 4
TARIFF_COLUMNS = ("hs_prefix", "duty_pct", "description")

_PREFIX = re.compile(rf"^[0-9]{{{MIN_PREFIX_DIGITS},{MAX_DIGITS}}}$")


class TariffTableError(ValueError):
    """The tariff file is malformed; says which line and why."""


def to_kgs(amount: Decimal, kgs_per_unit: Decimal) -> Decimal:
    """An amount converted to som, rounded half-up to the tyiyn.

    >>> to_kgs(Decimal("100.005"), Decimal("1"))
    Decimal('100.01')
    """
    return (amount * kgs_per_unit).quantize(KGS_PLACES, rounding=ROUND_HALF_UP)


def percent_of(base_kgs: Decimal, pct: Decimal) -> Decimal:
    """pct percent of an amount in som, rounded half-up to the tyiyn."""
    return (base_kgs * pct / 100).quantize(KGS_PLACES, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class TariffRate:
    """One tariff entry: goods whose HS code starts with ``hs_prefix`` pay ``duty_pct`` percent."""

    hs_prefix: str
    duty_pct: Decimal
    description: str = ""


class Tariff:
    """A tariff table: look up the duty rate of an HS code by its longest matching prefix."""

    def __init__(self, rates: Iterable[TariffRate]) -> None:
        self._by_prefix: dict[str, TariffRate] = {}
        for rate in rates:
            if rate.hs_prefix in self._by_prefix:
                raise TariffTableError(f"HS prefix {rate.hs_prefix} is listed twice")
            self._by_prefix[rate.hs_prefix] = rate

    def __len__(self) -> int:
        return len(self._by_prefix)

    def rate_for(self, hs_code: str) -> TariffRate | None:
        """The most specific entry for hs_code, or None when the table has no rate for it."""
        for length in range(min(len(hs_code), MAX_DIGITS), MIN_PREFIX_DIGITS - 1, -1):
            rate = self._by_prefix.get(hs_code[:length])
            if rate is not None:
                return rate
        return None


def parse_tariff_csv(text: str) -> Tariff:
    """A Tariff from CSV text with the header hs_prefix,duty_pct,description.

    Lines starting with # are comments. Raises TariffTableError naming the
    line of the first malformed entry.
    """
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    reader = csv.DictReader(io.StringIO("\n".join(lines)))
    if tuple(reader.fieldnames or ()) != TARIFF_COLUMNS:
        raise TariffTableError(f"the header must be {','.join(TARIFF_COLUMNS)}, not {reader.fieldnames}")
    rates = []
    for number, row in enumerate(reader, start=2):
        prefix = (row["hs_prefix"] or "").strip()
        if not _PREFIX.match(prefix):
            raise TariffTableError(f"entry {number}: hs_prefix {prefix!r} must be {MIN_PREFIX_DIGITS}-{MAX_DIGITS} digits")
        try:
            duty_pct = Decimal((row["duty_pct"] or "").strip())
        except InvalidOperation as exc:
            raise TariffTableError(f"entry {number}: duty_pct {row['duty_pct']!r} is not a number") from exc
        if not duty_pct.is_finite() or not 0 <= duty_pct <= 100:
            raise TariffTableError(f"entry {number}: duty_pct must be between 0 and 100")
        rates.append(TariffRate(prefix, duty_pct, (row["description"] or "").strip()))
    return Tariff(rates)


@dataclass(frozen=True)
class LinePayments:
    """Duty and VAT due on one goods line; all None when the tariff has no rate for its code."""

    duty_pct: Decimal | None
    duty_kgs: Decimal | None
    vat_kgs: Decimal | None
    tariff_prefix: str | None

    @property
    def has_rate(self) -> bool:
        return self.duty_pct is not None

    @property
    def total_kgs(self) -> Decimal | None:
        if self.duty_kgs is None or self.vat_kgs is None:
            return None
        return self.duty_kgs + self.vat_kgs


NO_RATE = LinePayments(None, None, None, None)


def line_payments(value_kgs: Decimal, hs_code: str, tariff: Tariff) -> LinePayments:
    """Duty and VAT on goods of customs value value_kgs (som) and code hs_code.

    >>> line_payments(Decimal("500.00"), "9999990000", Tariff([])).has_rate
    False
    """
    rate = tariff.rate_for(hs_code)
    if rate is None:
        return NO_RATE
    duty_kgs = percent_of(value_kgs, rate.duty_pct)
    vat_kgs = percent_of(value_kgs + duty_kgs, VAT_PCT)
    return LinePayments(rate.duty_pct, duty_kgs, vat_kgs, rate.hs_prefix)
