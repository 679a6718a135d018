"""Goods on the simulated trucks: what the region's trade carries, by where it comes from.

Each lot is an HS code with a tariff rate in backend/chekara/data/tariff.csv
(so a line never raises a no_rate finding), a description, a plausible price
per kg, and the currencies such contracts are invoiced in. Chinese goods
(apparel, footwear, electronics, tyres, steel) come through Torugart and
Irkeshtam; Kazakh and Russian wheat, flour, sugar and fuel through the Chu
river posts; Uzbek fruit, vegetables and fabrics through Dostuk; Kyrgyz
beans, nuts and cement go out.

Prices sit above the risk engine's minimum value per kg of their HS chapter
(data/value_per_kg_reference.csv): an honest declaration must not look
undervalued.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True)
class Lot:
    hs_code: str
    description: str
    usd_per_kg: tuple[float, float]
    currencies: tuple[str, ...]
    packaging_pct: float = 3.0  # gross above net, percent


LOTS_BY_ORIGIN: dict[str, tuple[Lot, ...]] = {
    "CN": (
        Lot("6109100000", "Cotton T-shirts, knitted", (6.0, 14.0), ("USD", "USD", "EUR")),
        Lot("6403990000", "Footwear, leather uppers, rubber soles", (9.0, 25.0), ("USD",)),
        Lot("8517130000", "Smartphones", (120.0, 400.0), ("USD",)),
        Lot("8528720000", "Television receivers", (7.0, 15.0), ("USD",)),
        Lot("4011200000", "New pneumatic tyres for lorries", (2.0, 4.0), ("USD", "EUR")),
        Lot("7308900000", "Steel structures and parts", (1.2, 2.2), ("USD",)),
        Lot("8418100000", "Combined refrigerator-freezers", (4.0, 7.0), ("USD",)),
        Lot("9403600000", "Wooden furniture", (2.0, 5.0), ("USD",)),
        Lot("8415100000", "Wall air conditioners", (5.0, 10.0), ("USD",)),
    ),
    "KZ": (
        Lot("1001990000", "Wheat, milling grade", (0.20, 0.30), ("USD", "RUB")),
        Lot("1101001000", "Wheat flour", (0.28, 0.40), ("USD", "RUB", "KGS")),
        Lot("2710194200", "Diesel fuel", (0.65, 0.95), ("USD", "RUB")),
        Lot("1701999000", "White sugar", (0.45, 0.70), ("USD", "RUB")),
    ),
    "RU": (
        Lot("1701999000", "White sugar", (0.45, 0.70), ("RUB",)),
        Lot("3901100000", "Polyethylene granules", (1.1, 1.7), ("RUB", "USD")),
        Lot("2202100000", "Soft drinks", (0.55, 0.9), ("RUB",)),
        Lot("0406900000", "Cheese", (4.0, 8.0), ("RUB", "EUR")),
    ),
    "UZ": (
        Lot("0702000000", "Tomatoes, fresh", (0.4, 0.9), ("USD", "KGS")),
        Lot("0806101000", "Table grapes, fresh", (0.6, 1.2), ("USD",)),
        Lot("0808108000", "Apples, fresh", (0.4, 0.8), ("USD", "KGS")),
        Lot("5208120000", "Woven cotton fabric", (3.0, 6.0), ("USD",)),
    ),
    "KG": (
        Lot("0713339000", "Dried kidney beans", (0.9, 1.6), ("USD", "KGS")),
        Lot("0802900000", "Walnuts, shelled", (4.0, 7.0), ("USD",)),
        Lot("2523290000", "Portland cement", (0.05, 0.09), ("KGS", "USD")),
        Lot("0806201000", "Raisins", (1.5, 3.0), ("USD", "EUR")),
    ),
}

#: The seed rates (DESIGN.md), KGS per unit: only to price lots in other currencies.
KGS_PER_UNIT = {"USD": 84.80, "EUR": 101.16, "RUB": 1.14, "KGS": 1.0}
#: An empty semi-trailer truck (tractor and trailer), kg.
TARE_KG = (13_500, 16_000)


@dataclass(frozen=True)
class GoodsLineDraft:
    hs_code: str
    description: str
    gross_kg: Decimal
    net_kg: Decimal
    value: Decimal
    currency: str

    def as_json(self) -> dict[str, str]:
        return {"hs_code": self.hs_code, "description": self.description, "gross_kg": str(self.gross_kg),
                "net_kg": str(self.net_kg), "value": str(self.value), "currency": self.currency}


def _kg(value: float) -> Decimal:
    return Decimal(str(round(value, 1))).quantize(Decimal("0.001"))


def load(origin_country: str, rng: random.Random) -> tuple[list[GoodsLineDraft], int]:
    """The goods lines of one truck and its declared gross mass (vehicle and load), kg."""
    lots = LOTS_BY_ORIGIN.get(origin_country, LOTS_BY_ORIGIN["KG"])
    cargo_kg = rng.uniform(6_000, 17_000)
    chosen = rng.sample(lots, k=min(len(lots), rng.choice((1, 1, 2, 3))))
    shares = [rng.uniform(0.5, 1.5) for _ in chosen]
    lines = []
    for lot, share in zip(chosen, shares):
        gross = cargo_kg * share / sum(shares)
        net = gross / (1 + lot.packaging_pct / 100)
        currency = rng.choice(lot.currencies)
        usd = net * rng.uniform(*lot.usd_per_kg)
        value = Decimal(str(usd * KGS_PER_UNIT["USD"] / KGS_PER_UNIT[currency])).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP)
        lines.append(GoodsLineDraft(lot.hs_code, lot.description, _kg(gross), _kg(net), value, currency))
    declared_gross = int(rng.uniform(*TARE_KG) + float(sum(line.gross_kg for line in lines)))
    return lines, declared_gross
