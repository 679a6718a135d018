"""Weights: plausibility of a reading, gross and axle limits from a table, the declared-weight discrepancy."""

from __future__ import annotations

from decimal import Decimal

import pytest

from chekara.domain.weights import (
    AxleLimits,
    WeighingReading,
    WeightError,
    assess_weighing,
    check_reading,
    discrepancy_pct,
    parse_axle_limits_csv,
)

LIMITS = AxleLimits({"single": 10_000, "tandem": 8_000, "tridem": 7_000})


def reading(gross_kg: int, *loads: int, classes: tuple[str, ...] = ()) -> WeighingReading:
    return WeighingReading(gross_kg, tuple(loads), classes)


def kinds(findings) -> list[str]:
    return [f.kind for f in findings]


@pytest.mark.parametrize(
    "r, field, reason",
    [
        (reading(0, 0, 0), "gross_kg", "positive"),
        (reading(-30_000, 15_000, 15_000), "gross_kg", "positive"),
        (reading(200_000, *([40_000] * 5)), "gross_kg", "not a road vehicle"),
        (reading(300, 150, 150), "gross_kg", "not a road vehicle"),
        (reading(30_000, 30_000), "axle_loads_kg", "2 to 12 axles"),
        (reading(30_000, *([2_500] * 12), 0), "axle_loads_kg", "2 to 12 axles"),
        (reading(30_000, 45_000, -15_000), "axle_loads_kg.0", "not plausible"),
        (reading(30_000, 15_000, 0, 15_000), "axle_loads_kg.1", "not plausible"),
        (reading(30_000, 6_000, 6_000, 6_000), "axle_loads_kg", "add up to 18000"),
        (reading(30_000, 15_000, 15_000, classes=("single",)), "axle_classes", "1 axle classes for 2"),
        (reading(30_000, 15_000, 15_000, classes=("single", "quad")), "axle_classes.1", "unknown axle class"),
    ],
)
def test_readings_that_cannot_be_measurements_are_refused(r, field, reason):
    with pytest.raises(WeightError, match=reason) as caught:
        check_reading(r, LIMITS)
    assert caught.value.field == field


def test_a_scale_tolerance_on_the_axle_sum_is_accepted():
    check_reading(reading(30_000, 10_000, 10_000, 11_400), LIMITS)  # 31.4 t: 4.7 % off


def test_a_legal_vehicle_has_no_findings():
    assert assess_weighing(reading(40_000, 8_000, 10_000, 8_000, 7_000, 7_000,
                                   classes=("single", "single", "tandem", "tridem", "tridem")),
                           LIMITS, declared_gross_kg=40_000) == []


def test_gross_over_44_tonnes():
    [finding] = assess_weighing(reading(44_001, 8_000, 9_001, 9_000, 9_000, 9_000), LIMITS)
    assert finding.kind == "overweight_gross"
    assert finding.evidence == {"gross_kg": 44_001, "limit_kg": 44_000, "excess_kg": 1}
    assert assess_weighing(reading(44_000, 8_000, 9_000, 9_000, 9_000, 9_000), LIMITS) == []


def test_each_axle_against_the_limit_of_its_class():
    findings = assess_weighing(
        reading(34_000, 10_000, 8_500, 8_500, 7_000, classes=("single", "tandem", "tandem", "tridem")), LIMITS
    )
    assert kinds(findings) == ["overweight_axle", "overweight_axle"]
    assert [f.evidence["axle"] for f in findings] == [2, 3]
    assert findings[0].evidence == {"axle": 2, "axle_class": "tandem", "load_kg": 8_500, "limit_kg": 8_000,
                                    "excess_kg": 500}


def test_axles_without_a_class_are_single():
    [finding] = assess_weighing(reading(21_000, 10_500, 10_500 - 500), LIMITS)
    assert finding.evidence["axle_class"] == "single" and finding.evidence["axle"] == 1


@pytest.mark.parametrize(
    "measured, declared, found",
    [(32_100, 30_000, True), (27_900, 30_000, True), (31_500, 30_000, False), (28_500, 30_000, False),
     (31_501, 30_000, True), (30_000, None, False)],
)
def test_discrepancy_over_five_percent_either_way(measured, declared, found):
    share = measured // 5
    r = reading(measured, *([share] * 4), measured - 4 * share)
    findings = assess_weighing(r, AxleLimits({"single": 20_000}), declared_gross_kg=declared)
    assert kinds(findings) == (["weight_discrepancy"] if found else [])


def test_the_discrepancy_finding_carries_its_numbers():
    [finding] = assess_weighing(reading(32_100, 6_420, 6_420, 6_420, 6_420, 6_420), LIMITS, declared_gross_kg=30_000)
    assert finding.evidence == {"measured_gross_kg": 32_100, "declared_gross_kg": 30_000, "difference_kg": 2_100,
                                "difference_pct": "7.00", "threshold_pct": "5"}
    assert "+2100 kg" in finding.message and "+7.00 %" in finding.message


def test_limits_and_threshold_are_parameters():
    r = reading(41_000, 8_200, 8_200, 8_200, 8_200, 8_200)
    assert kinds(assess_weighing(r, LIMITS, 40_000, gross_limit_kg=40_000, threshold_pct=Decimal("2"))) == [
        "overweight_gross", "weight_discrepancy",
    ]
    assert discrepancy_pct(27_900, 30_000) == Decimal("-7.00")


def test_the_axle_limits_file_format():
    limits = parse_axle_limits_csv("# note\naxle_class,limit_kg,description\nsingle,10000,x\ntandem,8000,y\n")
    assert limits.classes == ("single", "tandem") and limits.limit_kg("tandem") == 8_000
    for text in ("class,kg\nsingle,1\n", "axle_class,limit_kg,description\nsingle,ten,x\n",
                 "axle_class,limit_kg,description\nsingle,0,x\n", "axle_class,limit_kg,description\n",
                 "axle_class,limit_kg,description\nsingle,1,x\nsingle,2,y\n"):
        with pytest.raises(ValueError):
            parse_axle_limits_csv(text)
