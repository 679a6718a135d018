"""Each rule: a hit with the numbers, the boundary (exactly at the tolerance), and the no-evidence case."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from chekara.domain.risk import (
    AlertFact,
    DeclarationEvidence,
    FindingFact,
    GoodsLineFact,
    WeighingFact,
    assess,
    parse_ruleset,
    random_draw,
)
from chekara.domain.risk import rules as R

DATA = Path(__file__).resolve().parents[3] / "backend" / "chekara" / "data"
RULESET = parse_ruleset((DATA / "risk_rules.toml").read_text(), lambda name: (DATA / name).read_text())


def ev(**kw) -> DeclarationEvidence:
    """20 t on the weighbridge: 12 t of apples and an 8 t vehicle (a plausible tare)."""
    base = dict(number="IM-0001", kind="import", declared_gross_kg=Decimal(20000),
                goods=(GoodsLineFact("0808108000", Decimal(12000), Decimal(850_000)),))
    return DeclarationEvidence(**{**base, **kw})


def params(name):
    return RULESET.rules[name][1]


def test_clean_evidence_hits_nothing():
    for name, rule in R.RULES.items():
        assert rule(ev(), params(name), 10) is None, name


def test_weight_discrepancy_with_its_numbers():
    hit = R.weight_discrepancy(ev(weighings=(WeighingFact(21_480, 20_000),)), params("weight_discrepancy"), 40)
    assert hit.reason == "measured 21,480 kg vs declared 20,000 kg: +7.4 %"
    assert hit.weight == 40


@pytest.mark.parametrize("measured, hits", [(21_000, False), (19_000, False), (21_001, True), (18_999, True)])
def test_weight_discrepancy_boundary_at_exactly_5_percent(measured, hits):
    hit = R.weight_discrepancy(ev(weighings=(WeighingFact(measured, 20_000),)), params("weight_discrepancy"), 40)
    assert (hit is not None) is hits


def test_weight_discrepancy_uses_the_declaration_when_the_weighing_has_none():
    hit = R.weight_discrepancy(ev(weighings=(WeighingFact(22_000, None),)), params("weight_discrepancy"), 40)
    assert "+10.0 %" in hit.reason


def test_overweight_from_findings():
    finding = FindingFact("overweight_gross", "gross 46,200 kg over the 44,000 kg limit by 2,200 kg")
    hit = R.overweight(ev(findings=(finding, FindingFact("no_rate", "x"))), params("overweight"), 30)
    assert hit.reason == "gross 46,200 kg over the 44,000 kg limit by 2,200 kg"
    assert R.overweight(ev(findings=(FindingFact("no_rate", "x"),)), params("overweight"), 30) is None


def test_plate_mismatch_and_undeclared_vehicle():
    hit = R.plate_mismatch(ev(alerts=(AlertFact("plate_mismatch", {"plate": "01999ZZZ"}),)), params("plate_mismatch"), 40)
    assert "01999ZZZ" in hit.reason
    assert R.plate_mismatch(ev(alerts=(AlertFact("undeclared_vehicle", {}),)), params("plate_mismatch"), 40) is not None


def test_trip_alert_rules_carry_the_numbers():
    deviation = AlertFact("route_deviation", {"max_distance_m": 3120, "duration_s": 612})
    assert R.route_deviation(ev(alerts=(deviation,)), {}, 35).reason == "left the corridor by up to 3.1 km for 10 min"
    stop = AlertFact("unauthorized_stop", {"duration_s": 1500})
    assert "25 min" in R.unauthorized_stop(ev(alerts=(stop,)), {}, 25).reason
    lost = AlertFact("signal_lost", {"gap_s": 1260})
    assert "21 min" in R.signal_lost(ev(alerts=(lost,)), {}, 20).reason
    late = AlertFact("overdue", {"overdue_s": 5400})
    assert "1.5 h" in R.overdue(ev(alerts=(late,)), {}, 30).reason
    assert R.overdue(ev(alerts=(AlertFact("transit_not_closed", {}),)), {}, 30) is not None


def test_value_per_kg_below_the_chapter_minimum():
    cheap = (GoodsLineFact("0808108000", Decimal(12000), Decimal(120_000)),)  # 10 KGS/kg < 15
    hit = R.value_per_kg(ev(goods=cheap), params("value_per_kg"), 30)
    assert "10.00 KGS/kg < 15.00 for chapter 08" in hit.reason


def test_value_per_kg_exactly_at_the_minimum_and_unknown_chapter():
    exact = (GoodsLineFact("0808108000", Decimal(12000), Decimal(180_000)),)  # 15 KGS/kg
    assert R.value_per_kg(ev(goods=exact), params("value_per_kg"), 30) is None
    unknown = (GoodsLineFact("9999999999", Decimal(12000), Decimal(1)),)
    assert R.value_per_kg(ev(goods=unknown), params("value_per_kg"), 30) is None


def test_repeat_offender():
    assert R.repeat_offender(ev(red_history_vehicle=2), params("repeat_offender"), 30).reason == \
        "red in the last 180 days: vehicle 2×, consignee 0×"
    assert R.repeat_offender(ev(), params("repeat_offender"), 30) is None


@pytest.mark.parametrize("lines_kg, hits", [
    (24_000, False), (10_000, False),  # exactly at the plausible tares: 6 t and 20 t
    (24_001, True), (9_999, True), (30_000, True),
])
def test_goods_weight_mismatch_boundary(lines_kg, hits):
    goods = (GoodsLineFact("0808108000", Decimal(lines_kg), Decimal(2_000_000)),)
    heavy = ev(declared_gross_kg=Decimal(30_000), goods=goods)
    hit = R.goods_weight_mismatch(heavy, params("goods_weight_mismatch"), 20)
    assert (hit is not None) is hits
    if hit:
        assert "allows 10,000 kg–24,000 kg" in hit.reason


def test_clean_is_green_and_discrepancy_plus_deviation_is_red():
    clean = ev(number="IM-CLEAN-1")
    assert random_draw(RULESET.random.seed, clean.number) >= RULESET.random.rate, "pick a number not drawn at random"
    assert assess(clean, RULESET).channel == "green"
    bad = ev(number="IM-CLEAN-1", weighings=(WeighingFact(21_400, 20_000),),
             alerts=(AlertFact("route_deviation", {"max_distance_m": 3000, "duration_s": 600}),))
    verdict = assess(bad, RULESET)
    assert verdict.channel == "red" and verdict.score == 75
    assert {h.rule for h in verdict.hits} == {"weight_discrepancy", "route_deviation"}
    assert verdict.ruleset_version == RULESET.version


def test_one_finding_alone_is_yellow():
    verdict = assess(ev(number="IM-CLEAN-1", weighings=(WeighingFact(21_400, 20_000),)), RULESET)
    assert verdict.channel == "yellow"


def test_random_rate_over_10000_declarations_is_within_one_point():
    selected = sum(
        1 for i in range(10_000)
        if any(h.rule == "random_selection" for h in assess(ev(number=f"IM-{i:06d}"), RULESET).hits)
    )
    assert abs(selected / 10_000 - RULESET.random.rate) <= 0.01


def test_the_random_draw_is_deterministic_under_the_seed():
    assert random_draw("s", "X-1") == random_draw("s", "X-1") != random_draw("t", "X-1")
