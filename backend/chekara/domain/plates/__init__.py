"""Vehicle licence plates as ANPR cameras and people write them.

Pure functions, no I/O:

- ``normalize_plate(text) -> str``: the canonical form, the key to store;
- ``parse_plate(text) -> ParsedPlate``: country, format, region;
- ``compare_plates(read, known_plate)`` and ``match_plate(read, known)``:
  does a camera read stand for a known plate, exactly or probably (OCR
  confusions corrected against the plate's format)? ``best_matches`` gives
  every plate tied at the best confidence; ``match_vehicle(read, vehicles)``
  the one vehicle a read stands for, its plates tied or not;
- ``validate_plate_text(text)``: raises ``PlateError`` for text that cannot
  be a plate.

>>> parse_plate("01 123 ABC").format
'kg_2010'
>>> match_plate("O1 123 ABC", ["01123ABC"]).kind
'probable'

Decisions where the rules of the plates leave a choice:

- Kyrgyz formats: ``kg_2010`` (RR 999 AAA, the 2016 series), ``kg_government``
  (RR 999 AA: government and motorcycles share it), ``kg_foreign``
  (RR 9999 A, yellow plates of foreigners) and ``kg_1990s`` (r 9999 AA with
  the region letter first). A bare region + four digits is not a format:
  every six-digit fragment of a read would become a Kyrgyz plate.
- Uzbek codes are ranges (Tashkent 01-09, Tashkent Region 10-19, ...), so
  every code 01-99 is Uzbek and RR 999 AAA with 01-09 fits both countries.
  A marker in the text decides; without one the plate is Kyrgyz and
  ``ambiguous_with`` says ("UZ",). A marker never overrides the pattern:
  "KG 10 123 ABC" is Uzbek.
- Corrections follow the confusion groups both ways, wherever the known
  plate's format makes the read character impossible: at a letter position
  a read 0 may stand for O, D or Q and a read 1 for I or L. A letter read
  where a letter is allowed is never corrected (O against D is another plate).
"""

from .formats import FORMATS, PlateFormat
from .matching import (
    CONFUSION_GROUPS,
    MAX_CORRECTIONS,
    Correction,
    KnownVehicle,
    PlateMatch,
    best_matches,
    compare_plates,
    match_plate,
    match_vehicle,
)
from .reading import COUNTRY_MARKERS, HOME_COUNTRY, ParsedPlate, normalize_plate, parse_plate
from .text import MAX_PLATE_TEXT_LENGTH, PlateError, validate_plate_text

__all__ = [
    "CONFUSION_GROUPS",
    "COUNTRY_MARKERS",
    "Correction",
    "FORMATS",
    "HOME_COUNTRY",
    "KnownVehicle",
    "MAX_CORRECTIONS",
    "MAX_PLATE_TEXT_LENGTH",
    "ParsedPlate",
    "PlateError",
    "PlateFormat",
    "PlateMatch",
    "best_matches",
    "compare_plates",
    "match_plate",
    "match_vehicle",
    "normalize_plate",
    "parse_plate",
    "validate_plate_text",
]
