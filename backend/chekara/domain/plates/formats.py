"""The plate formats we recognise, country by country.

A format is a set of layouts: one symbol per character, a space where the
plate itself shows a gap. The symbols:

====  ==========================================================
``R``  a digit of the region code (the whole code must be valid)
``r``  a region letter (kg_1990s)
``P``  a Chinese province character
``9``  a digit
``A``  a letter of the format's alphabet
``X``  a letter of the format's alphabet or a digit
``E``  the new-energy letter of Chinese plates: D or F
====  ==========================================================

>>> [(f.name, layout) for f, layout in fitting_layouts("01123ABC")]
[('kg_2010', 'RR 999 AAA'), ('uz_legal', 'RR 999 AAA')]

Sources: the Wikipedia articles on the registration plates of each country
(English and German editions); see the notes on each format.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from functools import lru_cache

DIGITS = string.digits
LATIN_LETTERS = string.ascii_uppercase
#: Russian plates use only the Cyrillic letters with a Latin look-alike.
RUSSIAN_LETTERS = "ABEKMHOPCTYX"
#: Chinese plates never use I and O: they would be read as 1 and 0.
CHINESE_LETTERS = LATIN_LETTERS.replace("I", "").replace("O", "")

KG_REGIONS = {
    "01": "Bishkek",
    "02": "Osh",
    "03": "Batken Region",
    "04": "Jalal-Abad Region",
    "05": "Naryn Region",
    "06": "Osh Region",
    "07": "Talas Region",
    "08": "Chui Region",
    "09": "Issyk-Kul Region",
}
#: The first letter of 1994–2016 Kyrgyz plates. C and S both meant Chui;
#: E was the Bishkek outskirts.
KG_1990S_REGIONS = {
    "A": "Batken Region",
    "B": "Bishkek",
    "C": "Chui Region",
    "D": "Jalal-Abad Region",
    "E": "Bishkek",
    "I": "Issyk-Kul Region",
    "N": "Naryn Region",
    "O": "Osh",
    "S": "Chui Region",
    "T": "Talas Region",
    "Z": "Osh Region",
}
KZ_REGIONS = {
    "01": "Astana",
    "02": "Almaty",
    "03": "Akmola Region",
    "04": "Aktobe Region",
    "05": "Almaty Region",
    "06": "Atyrau Region",
    "07": "West Kazakhstan Region",
    "08": "Jambyl Region",
    "09": "Karaganda Region",
    "10": "Kostanay Region",
    "11": "Kyzylorda Region",
    "12": "Mangystau Region",
    "13": "Turkistan Region",
    "14": "Pavlodar Region",
    "15": "North Kazakhstan Region",
    "16": "East Kazakhstan Region",
    "17": "Shymkent",
    "18": "Abai Region",
    "19": "Jetisu Region",
    "20": "Ulytau Region",
}
#: Each Uzbek province owns a range of codes, first code to last (the
#: well-known 01, 10, 20, ... are the first of each range): every code from
#: 01 to 99 is Uzbek, so 01-09 is always shared with Kyrgyzstan.
UZ_REGION_RANGES = (
    (1, 9, "Tashkent"),
    (10, 19, "Tashkent Region"),
    (20, 24, "Syrdarya Region"),
    (25, 29, "Jizzakh Region"),
    (30, 39, "Samarkand Region"),
    (40, 49, "Fergana Region"),
    (50, 59, "Namangan Region"),
    (60, 69, "Andijan Region"),
    (70, 74, "Kashkadarya Region"),
    (75, 79, "Surkhandarya Region"),
    (80, 84, "Bukhara Region"),
    (85, 89, "Navoiy Region"),
    (90, 94, "Khorezm Region"),
    (95, 99, "Karakalpakstan"),
)
UZ_REGION_CODES = frozenset(
    f"{code:02d}" for first, last, _ in UZ_REGION_RANGES for code in range(first, last + 1)
)
#: Russian region codes: two digits 01-99, or three digits not starting with
#: 0 (102, 777, ...). New three-digit codes keep being added, so no list.
RU_REGION_CODES = frozenset(
    [f"{code:02d}" for code in range(1, 100)] + [str(code) for code in range(100, 1000)]
)
CN_PROVINCES = {
    "京": "Beijing",
    "津": "Tianjin",
    "沪": "Shanghai",
    "渝": "Chongqing",
    "冀": "Hebei",
    "豫": "Henan",
    "云": "Yunnan",
    "辽": "Liaoning",
    "黑": "Heilongjiang",
    "湘": "Hunan",
    "皖": "Anhui",
    "鲁": "Shandong",
    "新": "Xinjiang",
    "苏": "Jiangsu",
    "浙": "Zhejiang",
    "赣": "Jiangxi",
    "鄂": "Hubei",
    "桂": "Guangxi",
    "甘": "Gansu",
    "晋": "Shanxi",
    "蒙": "Inner Mongolia",
    "陕": "Shaanxi",
    "吉": "Jilin",
    "闽": "Fujian",
    "贵": "Guizhou",
    "粤": "Guangdong",
    "青": "Qinghai",
    "藏": "Tibet",
    "川": "Sichuan",
    "宁": "Ningxia",
    "琼": "Hainan",
}

_REGION_SYMBOLS = "RrP"


@dataclass(frozen=True)
class PlateFormat:
    """One plate format of one country.

    >>> KG_2010.layout_for("01123ABC")
    'RR 999 AAA'
    """

    name: str
    country: str
    layouts: tuple[str, ...]
    regions: frozenset[str]
    letters: str = LATIN_LETTERS

    def allowed(self, symbol: str) -> str | frozenset[str]:
        """The characters a layout symbol admits (region codes are checked whole)."""
        if symbol in "9R":
            return DIGITS
        if symbol == "A":
            return self.letters
        if symbol == "X":
            return DIGITS + self.letters
        if symbol == "E":
            return "DF"
        if symbol in "rP":
            return self.regions
        raise ValueError(f"unknown layout symbol {symbol!r} in format {self.name}")

    def layout_for(self, canonical: str) -> str | None:
        """The layout that canonical fits, or None."""
        for layout in self.layouts:
            symbols = layout.replace(" ", "")
            if len(symbols) != len(canonical):
                continue
            if all(c in self.allowed(s) for c, s in zip(canonical, symbols)) and (
                region_of(canonical, layout) in self.regions
            ):
                return layout
        return None


def region_of(canonical: str, layout: str) -> str:
    """The region characters of a plate that fits layout.

    >>> region_of("A123BC777", "A 999 AA RRR")
    '777'
    """
    symbols = layout.replace(" ", "")
    return "".join(c for c, s in zip(canonical, symbols) if s in _REGION_SYMBOLS)


def display_form(canonical: str, layout: str) -> str:
    """The plate written with the gaps the plate itself shows.

    >>> display_form("01A123BC", "RR A 999 AA")
    '01 A 123 BC'
    """
    characters = iter(canonical)
    return "".join(" " if s == " " else next(characters) for s in layout)


# Kyrgyzstan. "kg_2010" is the name other code uses; the series itself was
# introduced in 2015-2016 and is issued today.
KG_2010 = PlateFormat("kg_2010", "KG", ("RR 999 AAA",), frozenset(KG_REGIONS))
# Two letters after the number: government vehicles (and motorcycles, which
# share the layout); see the decisions in the package docstring.
KG_GOVERNMENT = PlateFormat("kg_government", "KG", ("RR 999 AA",), frozenset(KG_REGIONS))
# Black on yellow: foreign citizens and organisations registered in Kyrgyzstan.
KG_FOREIGN = PlateFormat("kg_foreign", "KG", ("RR 9999 A",), frozenset(KG_REGIONS))
# 1994-2016: region letter, four digits, two letters ("B 1234 AB"); still on
# the road.
KG_1990S = PlateFormat("kg_1990s", "KG", ("r 9999 AA",), frozenset(KG_1990S_REGIONS))
# Kazakhstan since 2012: three letters for people, two for organisations.
KZ_2012 = PlateFormat("kz_2012", "KZ", ("999 AAA RR", "999 AA RR"), frozenset(KZ_REGIONS))
RU_STANDARD = PlateFormat(
    "ru_standard", "RU", ("A 999 AA RR", "A 999 AA RRR"), RU_REGION_CODES, RUSSIAN_LETTERS
)
# Uzbekistan since 2008.
UZ_PRIVATE = PlateFormat("uz_private", "UZ", ("RR A 999 AA",), UZ_REGION_CODES)
UZ_LEGAL = PlateFormat("uz_legal", "UZ", ("RR 999 AAA",), UZ_REGION_CODES)
CN_STANDARD = PlateFormat(
    "cn_standard", "CN", ("PA XXXXX",), frozenset(CN_PROVINCES), CHINESE_LETTERS
)
# New-energy vehicles (green plates, 2016-): small ones D/F first, large ones
# D/F last.
CN_NEW_ENERGY = PlateFormat(
    "cn_new_energy", "CN", ("PA EX9999", "PA 99999E"), frozenset(CN_PROVINCES), CHINESE_LETTERS
)

#: Every format, in the order ambiguous_with names countries.
FORMATS = (
    KG_2010,
    KG_GOVERNMENT,
    KG_FOREIGN,
    KG_1990S,
    KZ_2012,
    RU_STANDARD,
    UZ_PRIVATE,
    UZ_LEGAL,
    CN_STANDARD,
    CN_NEW_ENERGY,
)
FORMATS_BY_NAME = {f.name: f for f in FORMATS}


@lru_cache(maxsize=65536)
def fitting_layouts(canonical: str) -> tuple[tuple[PlateFormat, str], ...]:
    """Every (format, layout) that canonical fits, in FORMATS order.

    Cached: a watch list is matched against every read at a checkpoint.
    """
    fits = []
    for plate_format in FORMATS:
        layout = plate_format.layout_for(canonical)
        if layout is not None:
            fits.append((plate_format, layout))
    return tuple(fits)
