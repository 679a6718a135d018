"""Exchange rates to the som (KGS)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from fastapi import APIRouter
from pydantic import BaseModel, Field

from chekara.api.deps import Admin, AnyStaff, SessionDep
from chekara.db.models import ExchangeRate
from chekara.services import rates

router = APIRouter(prefix="/rates", tags=["rates"])

BISHKEK = ZoneInfo("Asia/Bishkek")


class RatePublic(BaseModel):
    currency: str
    kgs_per_unit: Decimal = Field(description="som per one unit of the currency, as a decimal string")
    effective_date: date

    @classmethod
    def of(cls, row: ExchangeRate) -> "RatePublic":
        return cls(currency=row.currency, kgs_per_unit=row.kgs_per_unit, effective_date=row.effective_date)


class RatesInForce(BaseModel):
    base: str = "KGS"
    on: date
    rates: list[RatePublic]


class RateUpdate(BaseModel):
    kgs_per_unit: Decimal = Field(description="som per one unit, > 0, at most 6 decimals", examples=["84.80"])
    effective_date: date | None = Field(None, description="from which day (default: today in Bishkek)")


class RateSaved(RatePublic):
    outcome: str


def _today_in_bishkek() -> date:
    return datetime.now(BISHKEK).date()


@router.get("", response_model=RatesInForce, summary="The rate in force for every currency on a day")
def list_rates(session: SessionDep, _: AnyStaff, on: date | None = None) -> RatesInForce:
    day = on or _today_in_bishkek()
    return RatesInForce(on=day, rates=[RatePublic.of(r) for r in rates.rates_in_force(session, day)])


@router.get("/{currency}", response_model=list[RatePublic], summary="The history of one currency's rate")
def rate_history(currency: str, session: SessionDep, _: AnyStaff) -> list[RatePublic]:
    return [RatePublic.of(r) for r in rates.rate_history(session, currency)]


@router.put("/{currency}", response_model=RateSaved, summary="Set a currency's rate from a day on (admin)")
def set_rate(currency: str, body: RateUpdate, session: SessionDep, actor: Admin) -> RateSaved:
    row, outcome = rates.set_rate(
        session, currency, body.kgs_per_unit, body.effective_date or _today_in_bishkek(), actor
    )
    session.commit()
    return RateSaved(currency=row.currency, kgs_per_unit=row.kgs_per_unit, effective_date=row.effective_date, outcome=outcome)
