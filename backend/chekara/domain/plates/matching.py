"""Matching an ANPR read against known plates, allowing for OCR confusions.

Cameras confuse characters that look alike: 0/O/D/Q, 1/I/L, 2/Z, 5/S, 6/G,
8/B. A confusion is corrected only where the known plate's format makes the
read character impossible (a letter where the format has a digit, a digit or
a foreign letter where it has a letter) and the known plate has a look-alike
there. Such a match is *probable*, never exact.

>>> compare_plates("O1 123 A8C", "01 123 ABC")
PlateMatch(plate='01123ABC', kind='probable', confidence=0.7, \
corrections=(Correction(position=0, read='O', corrected='0'), \
Correction(position=6, read='8', corrected='B')))
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, NamedTuple

from .formats import FORMATS_BY_NAME, PlateFormat
from .reading import ParsedPlate, PlateText, clean_plate_text, parse_plate, readings_without_marker

#: Characters a camera mistakes for one another.
CONFUSION_GROUPS = ("0ODQ", "1IL", "2Z", "5S", "6G", "8B")
#: More corrections than this and the read is another plate, not a misread.
MAX_CORRECTIONS = 2
EXACT_CONFIDENCE = 1.0
#: A probable match starts here and loses a step per corrected character
#: (0.8 with one correction, 0.7 with two).
PROBABLE_CONFIDENCE = 0.9
CONFIDENCE_STEP_PER_CORRECTION = 0.1

MatchKind = Literal["exact", "probable"]


class Correction(NamedTuple):
    """One character of the read taken for a look-alike of the known plate.

    ``position`` counts from 0 in the known plate's canonical form.
    """

    position: int
    read: str
    corrected: str


@dataclass(frozen=True)
class PlateMatch:
    """A known plate that a read stands for.

    ``plate`` is the known plate in canonical form; ``confidence`` is 1.0
    for an exact match and less for a probable one.
    """

    plate: str
    kind: MatchKind
    confidence: float
    corrections: tuple[Correction, ...] = ()


def compare_plates(read: str, known_plate: str) -> PlateMatch | None:
    """Whether an ANPR read stands for a known plate, and how sure we are.

    Exact when both normalize to the same plate (Cyrillic look-alikes,
    separators and markers are normalisation, not corrections). Probable when
    they differ only by at most MAX_CORRECTIONS confusions that the known
    plate's format resolves. None otherwise, and for a known plate of no
    known format, which can only match exactly.

    >>> compare_plates("01 123 АВС", "01123ABC").kind
    'exact'
    >>> compare_plates("01 123 ABD", "01123ABC") is None
    True
    """
    return _compare(clean_plate_text(read), parse_plate(known_plate))


def match_plate(read: str, known: Iterable[str]) -> PlateMatch | None:
    """The known plate that an ANPR read stands for, if exactly one does.

    An exact match wins; otherwise the probable match with the fewest
    corrections. When two different known plates are equally likely the
    answer is None: better no match than the wrong vehicle.

    >>> match_plate("01 I23 ABC", ["08 555 XYZ", "01 123 ABC"]).plate
    '01123ABC'
    """
    top = best_matches(read, known)
    return top[0] if len(top) == 1 else None


def best_matches(read: str, known: Iterable[str]) -> list[PlateMatch]:
    """Every known plate an ANPR read stands for at the best confidence: the exact match alone if there
    is one, else the probable matches with the fewest corrections (several when they tie), in the order
    of `known`. The caller who knows that tied plates are one vehicle's may take it.

    >>> [m.plate for m in best_matches("01 123 A0C", ["01123ADC", "01123AOC"])]
    ['01123ADC', '01123AOC']
    """
    cleaned = clean_plate_text(read)
    plates: dict[str, ParsedPlate] = {}
    for text in known:
        parsed = parse_plate(text)
        plates.setdefault(parsed.canonical, parsed)
    if cleaned.canonical in plates:
        return [_exact(cleaned.canonical)]
    matches = [m for m in (_compare(cleaned, p) for p in plates.values()) if m is not None]
    if not matches:
        return []
    best = max(m.confidence for m in matches)
    return [m for m in matches if m.confidence == best]


@dataclass(frozen=True)
class KnownVehicle:
    """A vehicle a read may stand for: its plates (as known: the plate it was opened under, its
    declaration's tractor and trailer), and, when its first read matched nothing, that read's plate."""

    plates: tuple[str, ...]
    unmatched_read: str | None = None


def match_vehicle(read: str, vehicles: Sequence[KnownVehicle]) -> tuple[int, PlateMatch] | None:
    """The vehicle (its index) a read stands for, and how, if exactly one.

    Plates tied at the best confidence are one vehicle's when they are one vehicle's: the plate its
    entry camera misread ("01123ADC") and its declaration's ("01123AOC"), both one correction from
    "01123A0C". A first read that matched nothing and fits no plate format ("47743LA8") can only
    match exactly; when nothing else matches it is compared the other way round: does it stand for
    the plate now read ("47 743 LAB", whose format takes the 8 back)? Only if exactly one does.

    >>> match_vehicle("01 123 A0C", [KnownVehicle(("01123ADC", "01123AOC"), "01123ADC")])[0]
    0
    """
    owners: dict[str, int] = {}
    for i, vehicle in enumerate(vehicles):
        for plate in vehicle.plates:
            owners.setdefault(plate, i)
    top = best_matches(read, owners)
    if top and len({owners[m.plate] for m in top}) == 1:
        return owners[top[0].plate], top[0]
    misread = [(i, m) for i, v in enumerate(vehicles)
               if v.unmatched_read is not None and parse_plate(v.unmatched_read).layout is None
               and (m := compare_plates(v.unmatched_read, read)) is not None]
    return misread[0] if len(misread) == 1 else None


def _exact(canonical: str) -> PlateMatch:
    return PlateMatch(canonical, "exact", EXACT_CONFIDENCE)


def _compare(cleaned: PlateText, known: ParsedPlate) -> PlateMatch | None:
    if cleaned.canonical == known.canonical:
        return _exact(known.canonical)
    if known.layout is None:
        return None
    plate_format = FORMATS_BY_NAME[known.format]
    symbols = known.layout.replace(" ", "")
    # The read may still carry a marker that normalisation could not confirm
    # because of the very misreads we are about to correct ("O1123ABCKG").
    candidates = dict.fromkeys(
        [cleaned.canonical, cleaned.joined]
        + [rest for rest, _ in readings_without_marker(cleaned.joined)]
    )
    best: list[Correction] | None = None
    for candidate in candidates:
        if len(candidate) != len(symbols):
            continue
        corrections = _corrections(candidate, known.canonical, symbols, plate_format)
        if corrections is not None and (best is None or len(corrections) < len(best)):
            best = corrections
    if best is None or len(best) > MAX_CORRECTIONS:
        return None
    confidence = round(PROBABLE_CONFIDENCE - CONFIDENCE_STEP_PER_CORRECTION * len(best), 2)
    return PlateMatch(known.canonical, "probable", confidence, tuple(best))


def _corrections(
    read: str, plate: str, symbols: str, plate_format: PlateFormat
) -> list[Correction] | None:
    """The corrections that turn read into plate, or None if none can."""
    corrections = []
    for position, (got, expected, symbol) in enumerate(zip(read, plate, symbols)):
        if got == expected:
            continue
        # A character the format allows here is a different plate, not a misread.
        if got in plate_format.allowed(symbol) or not _look_alike(got, expected):
            return None
        corrections.append(Correction(position, got, expected))
    return corrections


def _look_alike(a: str, b: str) -> bool:
    return any(a in group and b in group for group in CONFUSION_GROUPS)
