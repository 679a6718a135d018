"""Exchange rates to the som (KGS), by effective date."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from chekara.db.models import ExchangeRate
from chekara.domain.money import MoneyError, check_currency_code, check_rate
from chekara.domain.roles import Actor
from chekara.errors import InvalidInput, NotFound
from chekara.services import audit

#: DESIGN.md seed rates, KGS per unit, in force from SEED_RATES_DATE.
SEED_RATES: dict[str, Decimal] = {"USD": Decimal("84.80"), "EUR": Decimal("101.16"), "RUB": Decimal("1.14")}
SEED_RATES_DATE = date(2025, 1, 1)


def rates_in_force(session: Session, on: date) -> list[ExchangeRate]:
    """For each currency, the rate with the latest effective date on or before `on`."""
    latest = aliased(ExchangeRate)
    newest_day = (
        select(func.max(latest.effective_date))
        .where(latest.currency == ExchangeRate.currency, latest.effective_date <= on)
        .scalar_subquery()
    )
    query = select(ExchangeRate).where(ExchangeRate.effective_date == newest_day).order_by(ExchangeRate.currency)
    return list(session.scalars(query))


def rate_in_force(session: Session, currency: str, on: date) -> ExchangeRate:
    currency = currency.upper()
    rate = session.scalar(
        select(ExchangeRate)
        .where(ExchangeRate.currency == currency, ExchangeRate.effective_date <= on)
        .order_by(ExchangeRate.effective_date.desc())
        .limit(1)
    )
    if rate is None:
        raise NotFound(f"no {currency} rate in force on {on.isoformat()}", field="currency")
    return rate


def rate_history(session: Session, currency: str) -> list[ExchangeRate]:
    return list(
        session.scalars(
            select(ExchangeRate).where(ExchangeRate.currency == currency.upper()).order_by(ExchangeRate.effective_date)
        )
    )


def set_rate(session: Session, currency: str, kgs_per_unit: Decimal, effective_date: date, actor: Actor) -> tuple[ExchangeRate, str]:
    """Create or change the rate of `currency` from `effective_date`; audited. The caller commits."""
    try:
        currency = check_currency_code(currency)
        kgs_per_unit = check_rate(kgs_per_unit)
    except MoneyError as exc:
        raise InvalidInput(str(exc), field=exc.field) from exc
    row = session.scalar(
        select(ExchangeRate).where(ExchangeRate.currency == currency, ExchangeRate.effective_date == effective_date)
    )
    if row is not None and row.kgs_per_unit == kgs_per_unit:
        return row, "unchanged"
    before = None if row is None else str(row.kgs_per_unit)
    outcome = "created" if row is None else "updated"
    if row is None:
        row = ExchangeRate(currency=currency, effective_date=effective_date, kgs_per_unit=kgs_per_unit)
        session.add(row)
    else:
        row.kgs_per_unit = kgs_per_unit
    session.flush()
    audit.record(session, actor, "create" if outcome == "created" else "update", "exchange_rate",
                 f"{currency}@{effective_date.isoformat()}",
                 {"before": before, "after": str(kgs_per_unit), "effective_date": effective_date.isoformat()})
    return row, outcome
