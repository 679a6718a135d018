"""Plate text as it arrives: validation and character folding.

Cameras and people write the same plate many ways: lower case, Cyrillic
letters that look Latin, full-width digits, spaces, dashes, dots. This module
refuses text that cannot be a plate at all and turns the rest into runs of
plate characters in one spelling.

>>> plate_tokens("01 кg-123.авс")
['01', 'KG', '123', 'ABC']
"""

from __future__ import annotations

import re
import unicodedata

#: Longest plate text accepted, surrounding whitespace not counted. The
#: longest real plate with a country marker ("A 123 BC 777 RUS") has 16.
MAX_PLATE_TEXT_LENGTH = 20

# Cyrillic capitals that are drawn like Latin ones. Russian plates use exactly
# these twelve, so a plate typed on a Russian keyboard and the same plate read
# by a Latin OCR engine must end up the same string. І (Kazakh, Ukrainian)
# is added because it is typed for I on those keyboards.
CYRILLIC_LOOK_ALIKES = {
    "А": "A",
    "В": "B",
    "Е": "E",
    "К": "K",
    "М": "M",
    "Н": "H",
    "О": "O",
    "Р": "P",
    "С": "C",
    "Т": "T",
    "У": "Y",
    "Х": "X",
    "І": "I",
}
_TO_LATIN = str.maketrans(CYRILLIC_LOOK_ALIKES)

# Runs of letters or digits of any script (str.isalnum): Han province
# characters stay; everything else is a separator.
_PLATE_CHARACTERS = re.compile(r"[^\W_]+")


class PlateError(ValueError):
    """Text that cannot be a plate at all: empty, too long, control characters."""


def validate_plate_text(text: str) -> None:
    """Raise PlateError, saying why, unless text could be a plate.

    Surrounding whitespace is ignored (a camera line often ends in a newline);
    inside the text a control character is refused.

    >>> validate_plate_text("01 123 ABC")
    >>> validate_plate_text("   ")
    Traceback (most recent call last):
    ...
    chekara.domain.plates.text.PlateError: plate text is empty
    """
    if not isinstance(text, str):
        raise TypeError(f"plate text must be a str, not {type(text).__name__}")
    stripped = text.strip()
    if not stripped:
        raise PlateError("plate text is empty")
    for character in stripped:
        if unicodedata.category(character) == "Cc":
            raise PlateError(
                f"plate text contains the control character U+{ord(character):04X}"
            )
    if len(stripped) > MAX_PLATE_TEXT_LENGTH:
        raise PlateError(
            f"plate text is {len(stripped)} characters long; "
            f"at most {MAX_PLATE_TEXT_LENGTH} are allowed"
        )
    if not _PLATE_CHARACTERS.search(stripped):
        raise PlateError("plate text has no letters or digits")


def plate_tokens(text: str) -> list[str]:
    """The runs of plate characters in text, upper case, look-alikes in Latin.

    NFKC first, so that full-width digits from Chinese OCR become ASCII.

    >>> plate_tokens("新Ａ·１２３４５")
    ['新A', '12345']
    """
    folded = unicodedata.normalize("NFKC", text).upper().translate(_TO_LATIN)
    return _PLATE_CHARACTERS.findall(folded)
