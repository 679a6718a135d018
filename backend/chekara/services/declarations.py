"""Declarations: filed once, validated whole, their goods valued in KGS and their payments computed.

submit_declaration() is the one way a declaration is written. Everything is
checked before anything is written, so a bad line leaves nothing behind.
Filing the same declaration again is harmless (the stored one is returned);
filing a different one under a taken number is a conflict: a declaration
is not edited in place.

Payments by kind:

- import: duty from the tariff table and VAT, per goods line; the sum is
  ``payments_due_kgs``;
- transit: no payments, but a guarantee (``guarantee_kgs``) of the duty and
  VAT an import of the goods would owe;
- export: nothing (Kyrgyzstan levies no export duty on these goods).

A goods line whose HS code has no tariff rate gets a ``no_rate`` finding and
counts 0 in the sums; ``lines_without_rate`` says how many did.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from chekara.config import Settings
from chekara.db.models import Checkpoint, Declaration, Finding, GoodsLine
from chekara.domain.customs_payments import KGS_PLACES, LinePayments, line_payments, to_kgs
from chekara.domain.hs_codes import HsCodeError, hs_heading, normalize_hs_code
from chekara.domain.money import NATIONAL_CURRENCY, MoneyError, check_currency_code
from chekara.domain.plates import PlateError, normalize_plate
from chekara.domain.roles import Actor
from chekara.domain.weights import MAX_GROSS_KG, MIN_GROSS_KG
from chekara.errors import Conflict, InvalidInput, NotFound
from chekara.services import audit, rates, risk
from chekara.services.checkpoints import get_checkpoint
from chekara.services.rule_tables import tariff

KINDS = ("transit", "import", "export")
#: Declaration numbers travel in URLs: letters, digits and dashes only (write 41700000/150126/0001234
#: as 41700000-150126-0001234).
NUMBER_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9-]{2,39}$")
COUNTRY_PATTERN = re.compile(r"^[A-Z]{2}$")
MAX_GOODS_LINES = 999
#: Goods masses are kept to the gram.
KG_PLACES = Decimal("0.001")
#: Kinds whose goods are priced with the import tariff (payments for imports, the guarantee for transits).
PRICED_KINDS = ("import", "transit")


@dataclass(frozen=True)
class GoodsLineDraft:
    hs_code: str
    description: str
    gross_kg: Decimal
    net_kg: Decimal
    value: Decimal
    currency: str


@dataclass(frozen=True)
class DeclarationDraft:
    """A declaration as an officer submits it (plates and codes as typed)."""

    number: str
    kind: str
    declaration_date: date
    vehicle_plate: str
    trailer_plate: str | None
    declared_gross_kg: int
    goods_lines: list[GoodsLineDraft]
    consignor: str
    consignee: str
    dispatch_country: str
    destination_country: str
    entry_checkpoint: str | None = None
    exit_checkpoint: str | None = None
    delivery_deadline: datetime | None = None


@dataclass(frozen=True)
class _PricedLine:
    draft: GoodsLineDraft
    hs_code: str
    currency: str
    kgs_per_unit: Decimal
    value_kgs: Decimal
    payments: LinePayments | None  # None: not priced (export)


def get_declaration(session: Session, number: str, field: str = "number") -> Declaration:
    declaration = session.scalar(select(Declaration).where(Declaration.number == number.strip().upper()))
    if declaration is None:
        raise NotFound(f"no declaration with number {number!r}", field=field)
    return declaration


def _plate(text: str | None, field: str) -> str | None:
    if text is None:
        return None
    try:
        return normalize_plate(text)
    except PlateError as exc:
        raise InvalidInput(f"{field}: {exc}", field=field) from exc


def _checkpoint(session: Session, code: str | None, field: str) -> Checkpoint | None:
    if code is None or not code.strip():
        return None
    try:
        return get_checkpoint(session, code.strip(), field=field)
    except NotFound as exc:  # a bad reference inside a body is invalid input
        raise InvalidInput(exc.message, field=field) from exc


def _check_route(draft: DeclarationDraft, entry: Checkpoint | None, exit_: Checkpoint | None) -> None:
    """Which checkpoints and deadline each kind needs."""
    if draft.kind == "transit":
        if entry is None:
            raise InvalidInput("a transit names the checkpoint where it enters", field="entry_checkpoint")
        if exit_ is None:
            raise InvalidInput("a transit names the checkpoint where it leaves", field="exit_checkpoint")
        if draft.delivery_deadline is None:
            raise InvalidInput("a transit has a delivery deadline", field="delivery_deadline")
        if draft.delivery_deadline.tzinfo is None:
            raise InvalidInput("the delivery deadline needs a time zone", field="delivery_deadline")
        if draft.delivery_deadline.date() < draft.declaration_date:
            raise InvalidInput("the delivery deadline is before the declaration date", field="delivery_deadline")
    elif draft.delivery_deadline is not None:
        raise InvalidInput("only a transit has a delivery deadline", field="delivery_deadline")
    if draft.kind == "import" and entry is None:
        raise InvalidInput("an import names the checkpoint where it enters", field="entry_checkpoint")
    if draft.kind == "export" and exit_ is None:
        raise InvalidInput("an export names the checkpoint where it leaves", field="exit_checkpoint")
    if entry is not None and exit_ is not None and entry.id == exit_.id:
        raise InvalidInput("the entry and exit checkpoints must differ", field="exit_checkpoint")


def _check_text(value: str, field: str, max_length: int = 500) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput(f"{field} must not be blank", field=field)
    if len(value) > max_length:
        raise InvalidInput(f"{field} is longer than {max_length} characters", field=field)
    return value


def _check_kg(value: Decimal, field: str) -> Decimal:
    if not value.is_finite() or value <= 0:
        raise InvalidInput(f"{field} must be a positive mass in kg", field=field)
    if value > MAX_GROSS_KG:
        raise InvalidInput(f"{field} {value} kg is more than a road vehicle carries ({MAX_GROSS_KG} kg)", field=field)
    if value != value.quantize(KG_PLACES):
        raise InvalidInput(f"{field} has more than 3 decimal places (grams)", field=field)
    return value


def _price_line(
    session: Session, settings: Settings, draft: DeclarationDraft, i: int, line: GoodsLineDraft
) -> _PricedLine:
    prefix = f"goods_lines.{i}"
    try:
        hs_code = normalize_hs_code(line.hs_code)
    except HsCodeError as exc:
        raise InvalidInput(str(exc), field=f"{prefix}.hs_code") from exc
    _check_text(line.description, f"{prefix}.description")
    _check_kg(line.gross_kg, f"{prefix}.gross_kg")
    _check_kg(line.net_kg, f"{prefix}.net_kg")
    if line.net_kg > line.gross_kg:
        raise InvalidInput("net mass is more than gross mass", field=f"{prefix}.net_kg")
    if not line.value.is_finite() or line.value < 0:
        raise InvalidInput("the value must be zero or more", field=f"{prefix}.value")
    if line.value != line.value.quantize(KGS_PLACES):
        raise InvalidInput("the value has more than 2 decimal places", field=f"{prefix}.value")
    currency = (line.currency or "").strip().upper()
    if currency == NATIONAL_CURRENCY:
        kgs_per_unit = Decimal("1")
    else:
        try:
            currency = check_currency_code(currency)
            kgs_per_unit = rates.rate_in_force(session, currency, draft.declaration_date).kgs_per_unit
        except MoneyError as exc:
            raise InvalidInput(str(exc), field=f"{prefix}.currency") from exc
        except NotFound as exc:
            raise InvalidInput(f"unknown currency: {exc.message}", field=f"{prefix}.currency") from exc
    value_kgs = to_kgs(line.value, kgs_per_unit)
    payments = line_payments(value_kgs, hs_code, tariff(settings)) if draft.kind in PRICED_KINDS else None
    return _PricedLine(line, hs_code, currency, kgs_per_unit, value_kgs, payments)


def _submission_digest(draft: DeclarationDraft, vehicle: str, trailer: str | None, lines: list[_PricedLine]) -> str:
    """A digest of what was declared, in canonical form: the same declaration re-sent digests the same."""
    canonical = asdict(draft) | {
        "number": draft.number.strip().upper(),
        "vehicle_plate": vehicle,
        "trailer_plate": trailer,
        "entry_checkpoint": (draft.entry_checkpoint or "").strip().upper() or None,
        "exit_checkpoint": (draft.exit_checkpoint or "").strip().upper() or None,
        "dispatch_country": draft.dispatch_country.strip().upper(),
        "destination_country": draft.destination_country.strip().upper(),
        "delivery_deadline": draft.delivery_deadline.astimezone(UTC).isoformat() if draft.delivery_deadline else None,
        "goods_lines": [
            [p.hs_code, p.draft.description.strip(), str(p.draft.gross_kg.normalize()),
             str(p.draft.net_kg.normalize()), str(p.draft.value.normalize()), p.currency]
            for p in lines
        ],
    }
    encoded = json.dumps(canonical, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(encoded.encode()).hexdigest()


def _validated(session: Session, settings: Settings, draft: DeclarationDraft):
    number = draft.number.strip().upper()
    if not NUMBER_PATTERN.match(number):
        raise InvalidInput(
            "a declaration number is 3-40 letters, digits and dashes (write slashes as dashes)", field="number"
        )
    if draft.kind not in KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(KINDS)}", field="kind")
    vehicle = _plate(draft.vehicle_plate, "vehicle_plate")
    trailer = _plate(draft.trailer_plate, "trailer_plate")
    if vehicle is None:
        raise InvalidInput("the vehicle plate is required", field="vehicle_plate")
    if trailer is not None and trailer == vehicle:
        raise InvalidInput("the trailer plate is the vehicle plate", field="trailer_plate")
    gross = draft.declared_gross_kg
    if isinstance(gross, bool) or not isinstance(gross, int) or not MIN_GROSS_KG <= gross <= MAX_GROSS_KG:
        raise InvalidInput(
            f"declared_gross_kg {gross!r} is not a road vehicle's mass ({MIN_GROSS_KG}-{MAX_GROSS_KG} kg)",
            field="declared_gross_kg",
        )
    for name in ("consignor", "consignee"):
        _check_text(getattr(draft, name), name)
    for name in ("dispatch_country", "destination_country"):
        if not COUNTRY_PATTERN.match((getattr(draft, name) or "").strip().upper()):
            raise InvalidInput(f"{name} is an ISO 3166-1 alpha-2 code (two letters)", field=name)
    entry = _checkpoint(session, draft.entry_checkpoint, "entry_checkpoint")
    exit_ = _checkpoint(session, draft.exit_checkpoint, "exit_checkpoint")
    _check_route(draft, entry, exit_)
    if not draft.goods_lines:
        raise InvalidInput("a declaration has at least one goods line", field="goods_lines")
    if len(draft.goods_lines) > MAX_GOODS_LINES:
        raise InvalidInput(f"at most {MAX_GOODS_LINES} goods lines", field="goods_lines")
    lines = [_price_line(session, settings, draft, i, line) for i, line in enumerate(draft.goods_lines)]
    goods_gross = sum((p.draft.gross_kg for p in lines), Decimal("0"))
    if goods_gross > gross:
        raise InvalidInput(
            f"the goods weigh {goods_gross} kg gross, more than the declared gross of the vehicle ({gross} kg)",
            field="declared_gross_kg",
        )
    return number, vehicle, trailer, entry, exit_, lines


def submit_declaration(
    session: Session, settings: Settings, draft: DeclarationDraft, actor: Actor
) -> tuple[Declaration, bool]:
    """File a declaration; (declaration, True) when stored now, (the stored one, False) when re-sent.

    The caller commits.
    """
    number, vehicle, trailer, entry, exit_, lines = _validated(session, settings, draft)
    digest = _submission_digest(draft, vehicle, trailer, lines)
    stored = session.scalar(select(Declaration).where(Declaration.number == number))
    if stored is not None:
        if stored.submission_sha256 == digest:
            return stored, False
        raise Conflict(f"declaration {number} is already filed with different contents", field="number")

    priced = [p for p in lines if p.payments is not None]
    owed = sum((p.payments.total_kgs for p in priced if p.payments.has_rate), Decimal("0"))
    declaration = Declaration(
        number=number,
        kind=draft.kind,
        declaration_date=draft.declaration_date,
        vehicle_plate=vehicle,
        vehicle_plate_text=draft.vehicle_plate.strip(),
        trailer_plate=trailer,
        trailer_plate_text=draft.trailer_plate.strip() if draft.trailer_plate else None,
        declared_gross_kg=draft.declared_gross_kg,
        consignor=draft.consignor.strip(),
        consignee=draft.consignee.strip(),
        dispatch_country=draft.dispatch_country.strip().upper(),
        destination_country=draft.destination_country.strip().upper(),
        entry_checkpoint=entry,
        exit_checkpoint=exit_,
        delivery_deadline=draft.delivery_deadline,
        value_kgs=sum((p.value_kgs for p in lines), Decimal("0")),
        payments_due_kgs=owed if draft.kind == "import" else Decimal("0"),
        guarantee_kgs=owed if draft.kind == "transit" else None,
        lines_without_rate=sum(1 for p in priced if not p.payments.has_rate),
        submission_sha256=digest,
        created_by=actor.name,
    )
    declaration.goods_lines = [
        GoodsLine(
            line_no=i + 1,
            hs_code=p.hs_code,
            description=p.draft.description.strip(),
            gross_kg=p.draft.gross_kg,
            net_kg=p.draft.net_kg,
            value=p.draft.value,
            currency=p.currency,
            kgs_per_unit=p.kgs_per_unit,
            value_kgs=p.value_kgs,
            duty_pct=p.payments.duty_pct if p.payments else None,
            duty_kgs=p.payments.duty_kgs if p.payments else None,
            vat_kgs=p.payments.vat_kgs if p.payments else None,
            tariff_prefix=p.payments.tariff_prefix if p.payments else None,
        )
        for i, p in enumerate(lines)
    ]
    session.add(declaration)
    session.flush()
    now = datetime.now(UTC)
    for line, p in zip(declaration.goods_lines, lines):
        if p.payments is not None and not p.payments.has_rate:
            session.add(
                Finding(
                    kind="no_rate",
                    message=f"goods line {line.line_no}: the tariff has no rate for HS code {line.hs_code} "
                    f"(heading {hs_heading(line.hs_code)}); duty and VAT are not computed",
                    evidence={"line_no": line.line_no, "hs_code": line.hs_code, "hs_heading": hs_heading(line.hs_code),
                              "value_kgs": str(line.value_kgs)},
                    declaration_id=declaration.id,
                    goods_line_id=line.id,
                    found_at=now,
                )
            )
    session.flush()
    audit.record(
        session, actor, "create", "declaration", number,
        {
            "kind": declaration.kind,
            "vehicle_plate": vehicle,
            "trailer_plate": trailer,
            "goods_lines": len(lines),
            "value_kgs": str(declaration.value_kgs),
            "payments_due_kgs": str(declaration.payments_due_kgs),
            "guarantee_kgs": None if declaration.guarantee_kgs is None else str(declaration.guarantee_kgs),
            "lines_without_rate": declaration.lines_without_rate,
        },
    )
    session.refresh(declaration, ["findings"])
    risk.reassess(session, declaration, "declaration")
    return declaration, True


def declaration_status(declaration: Declaration) -> str:
    """Where a declaration stands, in a word the call center can read out.

    declared (no crossing yet), at_checkpoint (a vehicle inside a checkpoint now),
    in_transit (a transit that entered and has not left), closed (a transit seen
    leaving), released (an import or export released at a checkpoint).
    """
    crossings = declaration.crossings
    if any(c.status != "exited" for c in crossings):
        return "at_checkpoint"
    if declaration.kind == "transit":
        if declaration.transit_closed_at is not None:
            return "closed"
        return "in_transit" if crossings else "declared"
    if any(c.released_at is not None for c in crossings):
        return "released"
    return "declared"
