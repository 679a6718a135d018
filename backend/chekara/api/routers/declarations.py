"""Declarations: filed by officers, read by staff (the call center answers "where is my declaration?")."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Response
from pydantic import AliasChoices, AwareDatetime, BaseModel, Field
from sqlalchemy.orm import Session

from chekara.api.deps import Allowed, AnyStaff, SessionDep, SettingsDep
from chekara.api.routers.crossings import FindingPublic
from chekara.db.models import Declaration
from chekara.domain.bishkek_time import today_in_bishkek
from chekara.domain.roles import Actor, Role
from chekara.services import channels, declarations

router = APIRouter(prefix="/declarations", tags=["declarations"])

Officer = Annotated[Actor, Depends(Allowed(Role.officer))]


class GoodsLineIn(BaseModel):
    hs_code: str = Field(max_length=20, description="6 to 10 digits (spaces and dots allowed between groups)")
    description: str = Field(max_length=500)
    gross_kg: Decimal = Field(description="kg, to the gram")
    net_kg: Decimal = Field(description="kg, to the gram, at most gross_kg")
    value: Decimal = Field(description="invoice value in the currency, to 2 decimals")
    currency: str = Field(max_length=3, description="ISO 4217 code with a rate in force on the declaration date, or KGS")


class DeclarationIn(BaseModel):
    number: str = Field(max_length=40, description="letters, digits and dashes, e.g. 41700000-150126-0001234")
    kind: Literal["transit", "import", "export"]
    declaration_date: date | None = Field(
        None, description="the day it was filed; goods are valued at that day's rates (default: today in Bishkek)"
    )
    vehicle_plate: str = Field(max_length=64)
    trailer_plate: str | None = Field(None, max_length=64)
    declared_gross_kg: int = Field(description="the loaded vehicle as the weighbridge should find it, kg")
    goods_lines: list[GoodsLineIn] = Field(validation_alias=AliasChoices("goods_lines", "goods"))
    consignor: str = Field(max_length=500)
    consignee: str = Field(max_length=500)
    dispatch_country: str = Field(max_length=2, description="ISO 3166-1 alpha-2: where the goods come from")
    destination_country: str = Field(max_length=2, description="ISO 3166-1 alpha-2: where the goods go")
    entry_checkpoint: str | None = Field(None, max_length=20, description="required for import and transit")
    exit_checkpoint: str | None = Field(None, max_length=20, description="required for export and transit")
    delivery_deadline: AwareDatetime | None = Field(None, description="transit only, required")


class GoodsLinePublic(BaseModel):
    line_no: int
    hs_code: str
    description: str
    gross_kg: Decimal
    net_kg: Decimal
    value: Decimal
    currency: str
    kgs_per_unit: Decimal
    value_kgs: Decimal
    duty_pct: Decimal | None = Field(description="null: the tariff has no rate for this code (a no_rate finding)")
    duty_kgs: Decimal | None
    vat_kgs: Decimal | None
    tariff_prefix: str | None


class CrossingBrief(BaseModel):
    id: int
    checkpoint: str
    direction: str
    status: str
    entered_at: datetime
    released_at: datetime | None
    exited_at: datetime | None


class DeclarationPublic(BaseModel):
    number: str
    kind: str
    status: str = Field(description="declared, at_checkpoint, in_transit, closed or released")
    channel: str
    declaration_date: date
    vehicle_plate: str
    trailer_plate: str | None
    declared_gross_kg: int
    consignor: str
    consignee: str
    dispatch_country: str
    destination_country: str
    entry_checkpoint: str | None
    exit_checkpoint: str | None
    delivery_deadline: datetime | None
    transit_closed_at: datetime | None
    value_kgs: Decimal
    duty_kgs: Decimal = Field(description="import: duty due, KGS")
    vat_kgs: Decimal = Field(description="import: VAT due, KGS")
    payments_due_kgs: Decimal = Field(description="import: duty + VAT, KGS; 0 for transit and export")
    guarantee_kgs: Decimal | None = Field(description="transit: the guarantee, KGS")
    lines_without_rate: int
    goods_lines: list[GoodsLinePublic]
    findings: list[FindingPublic]
    crossings: list[CrossingBrief]
    outcome: Literal["created", "existing"] | None = None

    @classmethod
    def of(cls, session: Session, d: Declaration, outcome: str | None = None) -> "DeclarationPublic":
        owed = d.kind == "import"
        session.refresh(d, ["findings", "crossings"])  # read-only relationships: load them as they are now
        return cls(
            number=d.number, kind=d.kind, status=declarations.declaration_status(d),
            channel=channels.channel_for(session, d).value, declaration_date=d.declaration_date,
            vehicle_plate=d.vehicle_plate, trailer_plate=d.trailer_plate, declared_gross_kg=d.declared_gross_kg,
            consignor=d.consignor, consignee=d.consignee, dispatch_country=d.dispatch_country,
            destination_country=d.destination_country,
            entry_checkpoint=d.entry_checkpoint.code if d.entry_checkpoint else None,
            exit_checkpoint=d.exit_checkpoint.code if d.exit_checkpoint else None,
            delivery_deadline=d.delivery_deadline, transit_closed_at=d.transit_closed_at,
            value_kgs=d.value_kgs,
            duty_kgs=sum((line.duty_kgs or 0 for line in d.goods_lines), Decimal("0.00")) if owed else Decimal("0.00"),
            vat_kgs=sum((line.vat_kgs or 0 for line in d.goods_lines), Decimal("0.00")) if owed else Decimal("0.00"),
            payments_due_kgs=d.payments_due_kgs, guarantee_kgs=d.guarantee_kgs,
            lines_without_rate=d.lines_without_rate,
            goods_lines=[GoodsLinePublic.model_validate(line, from_attributes=True) for line in d.goods_lines],
            findings=[FindingPublic.of(f) for f in d.findings],
            crossings=[
                CrossingBrief(id=c.id, checkpoint=c.checkpoint.code, direction=c.direction, status=c.status,
                              entered_at=c.entered_at, released_at=c.released_at, exited_at=c.exited_at)
                for c in d.crossings
            ],
            outcome=outcome,
        )


@router.post(
    "", status_code=201, response_model=DeclarationPublic,
    responses={200: {"model": DeclarationPublic, "description": "The same declaration re-sent: the stored one"}},
    summary="File a declaration (officer); the same declaration re-sent answers 200",
)
def post_declaration(
    body: DeclarationIn, response: Response, session: SessionDep, settings: SettingsDep, actor: Officer
) -> DeclarationPublic:
    draft = declarations.DeclarationDraft(
        number=body.number, kind=body.kind, declaration_date=body.declaration_date or today_in_bishkek(),
        vehicle_plate=body.vehicle_plate, trailer_plate=body.trailer_plate,
        declared_gross_kg=body.declared_gross_kg,
        goods_lines=[
            declarations.GoodsLineDraft(g.hs_code, g.description, g.gross_kg, g.net_kg, g.value, g.currency)
            for g in body.goods_lines
        ],
        consignor=body.consignor, consignee=body.consignee, dispatch_country=body.dispatch_country,
        destination_country=body.destination_country, entry_checkpoint=body.entry_checkpoint,
        exit_checkpoint=body.exit_checkpoint, delivery_deadline=body.delivery_deadline,
    )
    declaration, created = declarations.submit_declaration(session, settings, draft, actor)
    session.commit()
    if not created:
        response.status_code = 200
    return DeclarationPublic.of(session, declaration, "created" if created else "existing")


@router.get("/{number}", response_model=DeclarationPublic, summary="One declaration: goods, payments, findings, crossings")
def get_declaration(number: str, session: SessionDep, _: AnyStaff) -> DeclarationPublic:
    return DeclarationPublic.of(session, declarations.get_declaration(session, number))
