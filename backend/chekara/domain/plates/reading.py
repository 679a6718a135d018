"""From plate text to one canonical plate: normalize_plate and parse_plate.

>>> normalize_plate("KG 01 123 авс")
'01123ABC'
>>> parse_plate("A 123 BC 77 RUS").format
'ru_standard'
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from .formats import display_form, fitting_layouts, region_of
from .text import plate_tokens, validate_plate_text

#: Country codes that OCR and people add before or after a plate, and the
#: country each names. "RUS" is what Russian plates print.
COUNTRY_MARKERS = {"RUS": "RU", "RU": "RU", "KG": "KG", "KZ": "KZ", "UZ": "UZ", "CN": "CN"}
# Longest first, so that "RUS..." is not taken for "RU" + "S...".
_MARKERS_LONGEST_FIRST = sorted(COUNTRY_MARKERS, key=len, reverse=True)

#: We are the Kyrgyz customs: a plate that fits Kyrgyz and foreign formats
#: alike, with no marker to decide, is taken as Kyrgyz.
HOME_COUNTRY = "KG"
UNKNOWN_FORMAT = "unknown"


class PlateText(NamedTuple):
    """Plate text cleaned up: what matching needs besides the canonical form."""

    joined: str  # every plate character, markers included
    canonical: str
    marker_country: str | None  # the country a removed marker named


@dataclass(frozen=True)
class ParsedPlate:
    """A plate recognised (or not) as one country's format.

    ``region`` is the region code as printed ("01", "777"), the region letter
    of kg_1990s plates, or the province character of Chinese plates; None
    when the format is unknown. ``ambiguous_with`` names the other countries
    whose formats the plate also fits (a Kyrgyz 01-09 plate is also an Uzbek
    legal-entity plate).

    >>> parse_plate("01 123 ABC")
    ParsedPlate(country='KG', canonical='01123ABC', format='kg_2010', region='01', \
layout='RR 999 AAA', ambiguous_with=('UZ',))
    """

    country: str | None
    canonical: str
    format: str
    region: str | None = None
    layout: str | None = None
    ambiguous_with: tuple[str, ...] = ()

    @property
    def display(self) -> str:
        """The plate with the gaps the plate shows; canonical when unknown.

        >>> parse_plate("a123bc77").display
        'A 123 BC 77'
        """
        if self.layout is None:
            return self.canonical
        return display_form(self.canonical, self.layout)


def normalize_plate(text: str) -> str:
    """The one canonical form of a plate: the key to store and compare.

    Upper case, Cyrillic look-alikes in Latin, separators and country markers
    removed; Chinese province characters kept. Raises PlateError for text
    that cannot be a plate (see validate_plate_text).

    >>> normalize_plate("01 KG 123-abc")
    '01123ABC'
    >>> normalize_plate("B 1234 KG")  # KG is the plate's own letters here
    'B1234KG'
    """
    return clean_plate_text(text).canonical


def parse_plate(text: str) -> ParsedPlate:
    """Recognise the country and format of a plate.

    A marker in the text ("UZ 01 123 ABC") chooses between countries whose
    formats the plate fits; it never makes a plate fit a format it does not.
    Without a marker, a tie goes to Kyrgyzstan. Text that fits no format is
    returned with country None and format "unknown".

    >>> parse_plate("UZ 01 123 ABC").country
    'UZ'
    >>> parse_plate("XYZ 1").format
    'unknown'
    """
    return _parse(text)


@lru_cache(maxsize=65536)
def _parse(text: str) -> ParsedPlate:
    cleaned = clean_plate_text(text)
    fits = fitting_layouts(cleaned.canonical)
    if not fits:
        return ParsedPlate(None, cleaned.canonical, UNKNOWN_FORMAT)
    countries = list(dict.fromkeys(plate_format.country for plate_format, _ in fits))
    if cleaned.marker_country in countries:
        country = cleaned.marker_country
    elif HOME_COUNTRY in countries:
        country = HOME_COUNTRY
    else:
        country = countries[0]
    plate_format, layout = next((f, layout) for f, layout in fits if f.country == country)
    return ParsedPlate(
        country=country,
        canonical=cleaned.canonical,
        format=plate_format.name,
        region=region_of(cleaned.canonical, layout),
        layout=layout,
        ambiguous_with=tuple(c for c in countries if c != country),
    )


def clean_plate_text(text: str) -> PlateText:
    """Validate text, fold its characters and remove country markers.

    A marker is removed when what remains is a plate of the country it names,
    or when it stands apart (spaces, dashes) at the start or end of the text
    and the whole text is not a plate by itself: "B 1234 KG" keeps its KG.
    """
    validate_plate_text(text)
    tokens = plate_tokens(text)
    joined = "".join(tokens)
    canonical, marker_country = _without_markers(tokens)
    return PlateText(joined, canonical, marker_country)


def readings_without_marker(joined: str) -> Iterator[tuple[str, str]]:
    """Each way of removing one marker written together with the plate.

    A marker at the start or the end, and the KG that Kyrgyz plates print
    under the region code ("01KG123ABC"). Yields (rest, marker country).

    >>> list(readings_without_marker("KG01123ABC"))
    [('01123ABC', 'KG')]
    """
    for marker in _MARKERS_LONGEST_FIRST:
        if len(joined) > len(marker):
            if joined.startswith(marker):
                yield joined[len(marker) :], COUNTRY_MARKERS[marker]
            if joined.endswith(marker):
                yield joined[: -len(marker)], COUNTRY_MARKERS[marker]
    # No digit check on the region: a misread "O1KG123ABC" must still lose
    # its KG before it is compared with 01123ABC.
    if len(joined) > 4 and joined[2:4] == "KG":
        yield joined[:2] + joined[4:], "KG"


def _without_markers(tokens: list[str]) -> tuple[str, str | None]:
    joined = "".join(tokens)
    # In this order: the whole text as a plate (the marker's letters are the
    # plate's own: "B 1234 KG"); a marker before or after a plate of its
    # country, apart or not; markers that stand apart, whatever remains.
    if fitting_layouts(joined):
        return joined, None
    for rest, country in readings_without_marker(joined):
        if _is_plate_of(rest, country):
            return rest, country
    apart = _without_apart_markers(tokens)
    if apart is not None:
        return apart
    return joined, None


def _without_apart_markers(tokens: list[str]) -> tuple[str, str | None] | None:
    """The text without the marker tokens at its ends, or None if it has none."""
    start, end = 0, len(tokens)
    countries = set()
    while end - start > 1 and tokens[start] in COUNTRY_MARKERS:
        countries.add(COUNTRY_MARKERS[tokens[start]])
        start += 1
    while end - start > 1 and tokens[end - 1] in COUNTRY_MARKERS:
        countries.add(COUNTRY_MARKERS[tokens[end - 1]])
        end -= 1
    if (start, end) == (0, len(tokens)):
        return None
    # Two markers naming different countries name none.
    country = countries.pop() if len(countries) == 1 else None
    return "".join(tokens[start:end]), country


def _is_plate_of(canonical: str, country: str | None) -> bool:
    return any(f.country == country for f, _ in fitting_layouts(canonical))
