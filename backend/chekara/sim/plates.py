"""Vehicle plates for the simulated traffic, and how cameras and people write them.

Plates are drawn in the real formats of the region's trucks (Kyrgyz, Kazakh,
Russian, Uzbek, Chinese; see chekara.domain.plates.formats). Every plate of
a scenario gets its own digit block, so two plates never differ only by
characters a camera confuses: a misread is then a misread of one known
plate, never a read that fits two (the platform would rightly refuse to
guess between them).

What a camera sends differs from the plate in the ways ANPR output does:
Cyrillic look-alike letters (RU plates are mostly read in Cyrillic), no
spaces or dashes, the "KG" printed beside the region, and OCR confusions
(0/O/D/Q, 1/I/L, 2/Z, 5/S, 6/G, 8/B). Confusions are made only where the
plate's format makes the read character impossible (a letter where the
format has a digit, or the reverse), which is what a format-aware reader
can take back. The hard profile adds, at a small rate, the misreads no
format can take back (``ReadRates.unrecoverable``): a letter read as a
look-alike the format allows there too (O/D/Q, I/L, B/E), a digit of a
Chinese plate's free part read as a letter, or a character not read at all
(dirt, a bolt). Such a read is another plate, or none: the platform must
answer "no match", never another vehicle. Every plate keeping its own digit
block, none of these reads is another plate of the scenario.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from chekara.domain.plates.formats import CHINESE_LETTERS, KG_REGIONS, KZ_REGIONS, RUSSIAN_LETTERS

LATIN_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
#: Latin letters with a Cyrillic twin, as Russian plates and Cyrillic keyboards write them.
TO_CYRILLIC = str.maketrans("ABEKMHOPCTYX", "АВЕКМНОРСТУХ")
#: OCR look-alikes: a digit read as a letter, a letter read as a digit.
DIGIT_AS_LETTER = {"0": "ODQ", "1": "IL", "2": "Z", "5": "S", "6": "G", "8": "B"}
LETTER_AS_DIGIT = {"O": "0", "D": "0", "Q": "0", "I": "1", "L": "1", "Z": "2", "S": "5", "G": "6", "B": "8"}
#: Letter-for-letter look-alikes: both sides valid where the format has a letter, so no format can take them back.
LETTER_AS_LETTER = {"O": "DQ", "D": "OQ", "Q": "OD", "I": "L", "L": "I", "B": "E", "E": "B"}
#: Of the misreads no format takes back, the share that drops a character (the others swap a look-alike).
DROPPED_SHARE = 0.3
#: Letter pairs that are also country markers; plates avoid them so a read is never taken for a marker.
MARKER_PAIRS = ("KG", "KZ", "UZ", "RU", "CN")

#: Where the trucks come from, by the neighbour a checkpoint faces (inland posts: mostly Kyrgyz trucks).
FLEET_BY_NEIGHBOUR: dict[str | None, tuple[tuple[str, float], ...]] = {
    "CN": (("CN", 0.55), ("KG", 0.35), ("KZ", 0.10)),
    "KZ": (("KZ", 0.45), ("KG", 0.35), ("RU", 0.20)),
    "UZ": (("UZ", 0.55), ("KG", 0.45)),
    "TJ": (("KG", 0.70), ("UZ", 0.30)),
    None: (("KG", 0.80), ("KZ", 0.10), ("RU", 0.10)),
}


@dataclass(frozen=True)
class VehiclePlate:
    """A plate: its country, canonical form (as the platform stores it) and layout symbols."""

    country: str
    canonical: str
    layout: str  # symbols with spaces, as in chekara.domain.plates.formats

    @property
    def display(self) -> str:
        chars = iter(self.canonical)
        return "".join(" " if s == " " else next(chars) for s in self.layout)


@dataclass(frozen=True)
class ReadRates:
    """How often a camera's text differs from the plate, per read (realistic ANPR rates)."""

    cyrillic: dict[str, float] = field(default_factory=lambda: {"RU": 0.7, "KG": 0.15, "KZ": 0.15, "UZ": 0.05})
    one_confusion: float = 0.06
    two_confusions: float = 0.015
    no_spaces: float = 0.30
    dashes: float = 0.05
    kg_marker: float = 0.05
    #: Misreads no format can take back (see the module docstring); None: the traffic profile's share.
    unrecoverable: float | None = None


@dataclass(frozen=True)
class CameraText:
    text: str
    confusions: int
    confidence: float
    #: The read is another plate (or none) that no format can take back to this one.
    unrecoverable: bool = False


class PlateFactory:
    """Draws plates with distinct digit blocks (see the module docstring)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self._blocks = list(range(100, 1000))
        rng.shuffle(self._blocks)

    def _block(self) -> int:
        # Past 900 plates the blocks repeat: still valid plates, only no longer confusion-proof.
        return self._blocks.pop() if self._blocks else self.rng.randint(100, 999)

    def _letters(self, alphabet: str, n: int) -> str:
        while True:
            letters = "".join(self.rng.choice(alphabet) for _ in range(n))
            if not any(pair in letters for pair in MARKER_PAIRS):
                return letters

    def plate(self, country: str) -> VehiclePlate:
        block = f"{self._block():03d}"
        rng = self.rng
        if country == "KG":
            region = rng.choice(sorted(KG_REGIONS))
            return VehiclePlate("KG", region + block + self._letters(LATIN_LETTERS, 3), "RR 999 AAA")
        if country == "KZ":
            region = rng.choice(sorted(KZ_REGIONS))
            return VehiclePlate("KZ", block + self._letters(LATIN_LETTERS, 3) + region, "999 AAA RR")
        if country == "RU":
            region = rng.choice(["02", "16", "54", "55", "66", "74", "77", "116", "154", "777"])
            letters = self._letters(RUSSIAN_LETTERS, 3)
            return VehiclePlate("RU", letters[0] + block + letters[1:] + region,
                                "A 999 AA " + "R" * len(region))
        if country == "UZ":
            region = f"{rng.randint(10, 99):02d}"
            return VehiclePlate("UZ", region + block + self._letters(LATIN_LETTERS, 3), "RR 999 AAA")
        if country == "CN":
            province = rng.choice(["新", "新", "新", "陕", "甘", "豫", "浙", "粤"])
            return VehiclePlate("CN", province + rng.choice(CHINESE_LETTERS) + block + f"{rng.randint(0, 99):02d}",
                                "PA XXXXX")
        raise ValueError(f"no plate format for country {country!r}")

    def fleet_country(self, neighbour: str | None) -> str:
        choices = FLEET_BY_NEIGHBOUR.get(neighbour, FLEET_BY_NEIGHBOUR[None])
        return self.rng.choices([c for c, _ in choices], [w for _, w in choices])[0]


def _confusable_positions(plate: VehiclePlate) -> list[int]:
    """Canonical positions where a look-alike would be impossible in the plate's format."""
    symbols = plate.layout.replace(" ", "")
    positions = []
    for i, (char, symbol) in enumerate(zip(plate.canonical, symbols)):
        if symbol in "9R" and char in DIGIT_AS_LETTER:
            positions.append(i)
        elif symbol == "A" and char in LETTER_AS_DIGIT:
            positions.append(i)
    return positions


def _confuse(char: str, rng: random.Random) -> str:
    if char in DIGIT_AS_LETTER:
        return rng.choice(DIGIT_AS_LETTER[char])
    return LETTER_AS_DIGIT[char]


def _spell(canonical: str, plate: VehiclePlate, rng: random.Random, rates: ReadRates, cyrillic: float) -> str:
    """Write a (possibly misread) canonical string the way the plate looks, with the variations of the text."""
    chars = iter(canonical)
    text = "".join(" " if s == " " else next(chars) for s in plate.layout)
    if plate.country == "KG" and rng.random() < rates.kg_marker:
        text = text[:2] + "KG" + text[2:]
    if rng.random() < cyrillic:
        text = text.translate(TO_CYRILLIC)
    draw = rng.random()
    if draw < rates.no_spaces:
        text = text.replace(" ", "")
    elif draw < rates.no_spaces + rates.dashes:
        text = text.replace(" ", "-")
    return text


def _unrecoverable(plate: VehiclePlate, rng: random.Random) -> VehiclePlate:
    """The plate as misread so that its format cannot take it back (see the module docstring)."""
    symbols = plate.layout.replace(" ", "")
    canonical = plate.canonical
    alphabet = RUSSIAN_LETTERS if plate.country == "RU" else CHINESE_LETTERS if plate.country == "CN" else LATIN_LETTERS
    swaps = [(i, other) for i, (char, symbol) in enumerate(zip(canonical, symbols)) if symbol == "A"
             for other in LETTER_AS_LETTER.get(char, "") if other in alphabet]
    swaps += [(i, other) for i, (char, symbol) in enumerate(zip(canonical, symbols)) if symbol == "X"
              for other in DIGIT_AS_LETTER.get(char, "") if other in alphabet]  # no I or O on Chinese plates
    if swaps and rng.random() >= DROPPED_SHARE:
        i, other = rng.choice(swaps)
        return VehiclePlate(plate.country, canonical[:i] + other + canonical[i + 1:], plate.layout)
    # A character of the plate's own block or letters (a region or province code is printed apart, larger).
    i = rng.choice([i for i, symbol in enumerate(symbols) if symbol in "9AX"])
    at = [j for j, symbol in enumerate(plate.layout) if symbol != " "][i]
    return VehiclePlate(plate.country, canonical[:i] + canonical[i + 1:], plate.layout[:at] + plate.layout[at + 1:])


def camera_text(plate: VehiclePlate, rng: random.Random, rates: ReadRates) -> CameraText:
    """What an ANPR camera sends for this plate, and how many characters it misread."""
    if rates.unrecoverable and rng.random() < rates.unrecoverable:
        misread = _unrecoverable(plate, rng)
        text = _spell(misread.canonical, misread, rng, rates, rates.cyrillic.get(plate.country, 0.0))
        return CameraText(text, 1, round(rng.uniform(0.6, 0.95), 2), unrecoverable=True)
    draw = rng.random()
    wanted = 2 if draw < rates.two_confusions else 1 if draw < rates.two_confusions + rates.one_confusion else 0
    positions = _confusable_positions(plate)
    chosen = sorted(rng.sample(positions, min(wanted, len(positions))))
    read = list(plate.canonical)
    for i in chosen:
        read[i] = _confuse(read[i], rng)
    text = _spell("".join(read), plate, rng, rates, rates.cyrillic.get(plate.country, 0.0))
    confidence = rng.uniform(0.55, 0.85) if chosen else rng.uniform(0.88, 0.99)
    return CameraText(text, len(chosen), round(confidence, 2))


def typed_text(plate: VehiclePlate, rng: random.Random, cyrillic: float = 0.3) -> str:
    """A plate as a person types it (weighbridge operator, broker): no misreads, any keyboard."""
    return _spell(plate.canonical, plate, rng, ReadRates(kg_marker=0.0), cyrillic)
