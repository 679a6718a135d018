"""Harmonized System (HS) commodity codes as declarations carry them.

A code is 6 to 10 digits: the 6-digit international subheading, extended by
the EAEU/national tariff to 10. Spaces and dots that people type between
groups ("0808.10 800 0") are separators, nothing else is accepted.

>>> normalize_hs_code("0808.10 800 0")
'0808108000'
>>> hs_chapter("0808108000"), hs_heading("0808108000")
('08', '0808')
"""

from __future__ import annotations

import re

MIN_DIGITS = 6
MAX_DIGITS = 10
#: Chapter 77 is reserved in the Harmonized System; 98 and 99 are for
#: national use and not in the EAEU tariff.
RESERVED_CHAPTERS = frozenset({"77"})
LAST_CHAPTER = 97

_SEPARATORS = re.compile(r"[ .]")
_DIGITS = re.compile(r"^[0-9]+$")


class HsCodeError(ValueError):
    """Text that is not an HS code; says why."""


def normalize_hs_code(text: str) -> str:
    """The code as digits only; raises HsCodeError unless it has 6-10 digits of a real chapter."""
    if not isinstance(text, str):
        raise HsCodeError(f"an HS code is text, not {type(text).__name__}")
    code = _SEPARATORS.sub("", text.strip())
    if not code:
        raise HsCodeError("the HS code is empty")
    if not _DIGITS.match(code):
        raise HsCodeError(f"{text!r} is not an HS code: only digits (grouped by spaces or dots) are allowed")
    if not MIN_DIGITS <= len(code) <= MAX_DIGITS:
        raise HsCodeError(f"{text!r} has {len(code)} digits; an HS code has {MIN_DIGITS} to {MAX_DIGITS}")
    chapter = code[:2]
    if not 1 <= int(chapter) <= LAST_CHAPTER or chapter in RESERVED_CHAPTERS:
        raise HsCodeError(f"{text!r} is not an HS code: there is no chapter {chapter}")
    return code


def hs_chapter(code: str) -> str:
    """The 2-digit chapter, e.g. '08' (edible fruit and nuts)."""
    return code[:2]


def hs_heading(code: str) -> str:
    """The 4-digit heading, e.g. '0808' (apples, pears and quinces)."""
    return code[:4]
