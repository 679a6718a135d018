"""ANPR confusions a format-aware reader cannot take back: the platform must say "no match", never a wrong vehicle.

The simulator's camera reads (sim.plates) only confuse characters where the
plate's format makes the read impossible; real cameras also confuse a letter
with a letter (O/D/Q) or read a digit where the format allows one. Such a
read is another valid plate: it must match neither the true plate nor any
other truck of the fleet.
"""

from __future__ import annotations

import random

import pytest

from chekara.domain.plates import compare_plates
from chekara.domain.plates.matching import match_plate
from chekara.domain.plates.formats import RUSSIAN_LETTERS
from chekara.sim.plates import LATIN_LETTERS, PlateFactory

#: Letter-for-letter and digit-for-digit confusions of real ANPR (each side valid in the same format position).
SAME_CLASS = {"O": "DQ", "D": "OQ", "Q": "OD", "I": "L", "L": "I", "B": "E", "E": "B"}


def _unresolvable(canonical: str, alphabet: str, rng: random.Random) -> str | None:
    """The plate with one letter read as a look-alike the format allows there too (None: it has none)."""
    options = [(i, other) for i, c in enumerate(canonical) for other in SAME_CLASS.get(c, "") if other in alphabet]
    if not options:
        return None
    i, other = rng.choice(options)
    return canonical[:i] + other + canonical[i + 1:]


@pytest.mark.parametrize("country", ["KG", "KZ", "UZ", "RU"])
def test_a_read_no_format_can_correct_matches_no_vehicle(country):
    rng = random.Random(country)
    factory = PlateFactory(random.Random(7))
    fleet = [factory.plate(country) for _ in range(300)]
    tried = 0
    for plate in fleet:
        read = _unresolvable(plate.canonical, RUSSIAN_LETTERS if country == "RU" else LATIN_LETTERS, rng)
        if read is None:
            continue
        tried += 1
        assert compare_plates(read, plate.canonical) is None, (plate.canonical, read)
        assert match_plate(read, [p.canonical for p in fleet]) is None, (plate.canonical, read)
    assert tried >= 30
