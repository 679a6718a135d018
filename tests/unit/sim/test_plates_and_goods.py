"""Simulated plates and reads: real formats, distinct trucks, misreads a format-aware reader can take back."""

from __future__ import annotations

import random
import re
from collections import Counter

import pytest

from chekara.domain.plates import match_plate, parse_plate
from chekara.sim import goods
from chekara.sim.plates import PlateFactory, ReadRates, camera_text, typed_text

COUNTRIES = ("KG", "KZ", "RU", "UZ", "CN")
CYRILLIC = re.compile(r"[\u0400-\u04FF]")


@pytest.fixture
def factory() -> PlateFactory:
    return PlateFactory(random.Random(7))


@pytest.mark.parametrize("country", COUNTRIES)
def test_each_plate_fits_its_countrys_format(factory, country):
    for _ in range(50):
        plate = factory.plate(country)
        parsed = parse_plate(plate.display)
        assert parsed.country == country and parsed.canonical == plate.canonical


def test_no_two_plates_of_a_scenario_can_be_taken_for_one_another(factory):
    plates = [factory.plate(COUNTRIES[i % 5]) for i in range(800)]
    canon = [p.canonical for p in plates]
    rng = random.Random(3)
    heavy = ReadRates(one_confusion=0.0, two_confusions=1.0)
    for plate in plates[:300]:
        read = camera_text(plate, rng, heavy)
        match = match_plate(read.text, canon)
        assert match is not None and match.plate == plate.canonical, (plate, read)


def test_camera_reads_vary_like_anpr_output_and_always_stand_for_their_plate(factory):
    rng = random.Random(5)
    rates = ReadRates()
    plates = [factory.plate(COUNTRIES[i % 5]) for i in range(400)]
    confusions, cyrillic = Counter(), Counter()
    for plate in plates:
        read = camera_text(plate, rng, rates)
        match = match_plate(read.text, [plate.canonical])
        assert match is not None and match.kind == ("exact" if read.confusions == 0 else "probable")
        confusions[read.confusions] += 1
        cyrillic[plate.country] += bool(CYRILLIC.search(read.text))
        assert 0.5 <= read.confidence <= 1.0
    assert 0.03 < (confusions[1] + confusions[2]) / len(plates) < 0.15  # about 7.5 %
    assert cyrillic["RU"] > cyrillic["KG"] > 0 and cyrillic["CN"] == 0


def test_a_person_types_a_plate_without_misreads_on_either_keyboard(factory):
    rng = random.Random(9)
    for country in COUNTRIES:
        plate = factory.plate(country)
        match = match_plate(typed_text(plate, rng, cyrillic=1.0), [plate.canonical])
        assert match is not None and match.kind == "exact"


def test_trucks_come_from_the_countries_a_checkpoint_faces(factory):
    drawn = Counter(factory.fleet_country("CN") for _ in range(500))
    assert drawn["CN"] > drawn["KG"] > drawn["KZ"] > 0 and "UZ" not in drawn


@pytest.mark.parametrize("origin", ["CN", "KZ", "RU", "UZ", "KG"])
def test_a_load_is_what_that_trade_carries_with_a_plausible_gross(origin):
    rng = random.Random(1)
    for _ in range(30):
        lines, gross = goods.load(origin, rng)
        codes = {lot.hs_code for lot in goods.LOTS_BY_ORIGIN[origin]}
        assert lines and all(line.hs_code in codes for line in lines)
        cargo = sum(line.gross_kg for line in lines)
        assert 6_000 <= cargo <= 17_000 and 13_500 <= gross - float(cargo) <= 16_001
        assert all(line.net_kg < line.gross_kg for line in lines)


def test_every_hs_code_has_a_rate_in_the_tariff_so_no_line_raises_a_no_rate_finding():
    from chekara.config import get_settings

    text = get_settings().tariff_file.read_text(encoding="utf-8")
    prefixes = [line.split(",")[0] for line in text.splitlines() if line and line[0].isdigit()]
    for lots in goods.LOTS_BY_ORIGIN.values():
        for lot in lots:
            assert any(lot.hs_code.startswith(p) for p in prefixes), lot


def test_honest_prices_stay_above_the_risk_engines_minimum_value_per_kg_of_their_chapter():
    from chekara.config import PROJECT_ROOT

    text = (PROJECT_ROOT / "backend" / "chekara" / "data" / "value_per_kg_reference.csv").read_text(encoding="utf-8")
    minimum = {row.split(",")[0]: float(row.split(",")[1]) for row in text.splitlines()[1:] if row and row[0].isdigit()}
    for lots in goods.LOTS_BY_ORIGIN.values():
        for lot in lots:
            cheapest_kgs_per_gross_kg = lot.usd_per_kg[0] * goods.KGS_PER_UNIT["USD"] / (1 + lot.packaging_pct / 100)
            assert cheapest_kgs_per_gross_kg >= minimum.get(lot.hs_code[:2], 0), lot
