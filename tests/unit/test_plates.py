"""Vehicle licence plates: validation, normalisation, formats, OCR-aware matching."""

from __future__ import annotations

import dataclasses
import doctest
import importlib

import pytest

from chekara.domain.plates import (
    MAX_PLATE_TEXT_LENGTH,
    Correction,
    ParsedPlate,
    PlateError,
    PlateMatch,
    compare_plates,
    match_plate,
    normalize_plate,
    parse_plate,
    validate_plate_text,
)

# --- validation ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("\t\n ", "empty"),
        ("01\x00123ABC", "control character U\\+0000"),
        ("01\t123 ABC", "control character U\\+0009"),
        ("01 123\x1bABC", "control character U\\+001B"),
        ("01 123 ABC\x7f", "control character U\\+007F"),
        ("A" * (MAX_PLATE_TEXT_LENGTH + 1), "21 characters long; at most 20"),
        ("01 123 ABC KG 01 123 ABC", "24 characters long"),
        ("---", "no letters or digits"),
        (" . / ", "no letters or digits"),
    ],
)
def test_invalid_text_is_refused_with_the_reason(text: str, reason: str) -> None:
    with pytest.raises(PlateError, match=reason):
        validate_plate_text(text)


@pytest.mark.parametrize(
    "call",
    [
        normalize_plate,
        parse_plate,
        lambda text: compare_plates(text, "01123ABC"),
        lambda text: match_plate(text, ["01123ABC"]),
    ],
    ids=["normalize_plate", "parse_plate", "compare_plates", "match_plate"],
)
@pytest.mark.parametrize("text", ["", "  ", "01\x00123", "X" * 21])
def test_every_entry_point_refuses_invalid_text(call, text: str) -> None:
    with pytest.raises(PlateError):
        call(text)


@pytest.mark.parametrize(
    "text",
    [
        "A" * MAX_PLATE_TEXT_LENGTH,
        "  01 123 ABC\n",  # surrounding whitespace, a camera line's newline
        "x",
        "新A12345",
    ],
)
def test_valid_text_passes(text: str) -> None:
    assert validate_plate_text(text) is None


def test_plate_error_is_a_value_error() -> None:
    assert issubclass(PlateError, ValueError)


def test_text_that_is_not_a_string_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="must be a str"):
        validate_plate_text(12345)  # type: ignore[arg-type]


# --- normalisation ------------------------------------------------------------

CYRILLIC_TO_LATIN = [
    ("А", "A"),
    ("В", "B"),
    ("Е", "E"),
    ("К", "K"),
    ("М", "M"),
    ("Н", "H"),
    ("О", "O"),
    ("Р", "P"),
    ("С", "C"),
    ("Т", "T"),
    ("У", "Y"),
    ("Х", "X"),
]


@pytest.mark.parametrize(("cyrillic", "latin"), CYRILLIC_TO_LATIN)
@pytest.mark.parametrize("case", [str.upper, str.lower], ids=["upper", "lower"])
def test_cyrillic_look_alikes_become_latin(cyrillic: str, latin: str, case) -> None:
    assert normalize_plate(f"01 123 {case(cyrillic) * 3}") == f"01123{latin * 3}"


@pytest.mark.parametrize(
    "text",
    [
        "01 123 ABC",
        "01-123-ABC",
        "01.123.ABC",
        "01/123/ABC",
        "01_123_ABC",
        "01·123·ABC",
        "(01) 123 abc",
        " 01\u00a0123\u2009ABC ",
        "01123abc",
        "０１１２３ＡＢＣ",  # full-width, as Chinese OCR writes
        "01 123 АВС",  # Cyrillic letters
        "01 123 авс",
    ],
)
def test_separators_case_and_width_do_not_change_the_plate(text: str) -> None:
    assert normalize_plate(text) == "01123ABC"


@pytest.mark.parametrize(
    ("text", "canonical", "country"),
    [
        ("KG 01 123 ABC", "01123ABC", "KG"),
        ("01 123 ABC KG", "01123ABC", "KG"),
        ("KG01123ABC", "01123ABC", "KG"),
        ("01123ABCKG", "01123ABC", "KG"),
        ("01 KG 123 ABC", "01123ABC", "KG"),  # KG printed under the region code
        ("01KG123ABC", "01123ABC", "KG"),
        ("kg-01-123-abc", "01123ABC", "KG"),
        ("KZ 123 ABC 02", "123ABC02", "KZ"),
        ("123AB02KZ", "123AB02", "KZ"),
        ("A 123 BC 77 RUS", "A123BC77", "RU"),
        ("A123BC777RUS", "A123BC777", "RU"),
        ("RU A123BC77", "A123BC77", "RU"),
        ("RUA123BC77", "A123BC77", "RU"),
        ("A123BC77 RU", "A123BC77", "RU"),
        ("01 A 123 BC UZ", "01A123BC", "UZ"),
        ("UZ01A123BC", "01A123BC", "UZ"),
        ("CN 新A12345", "新A12345", "CN"),
        ("新A12345CN", "新A12345", "CN"),
        ("RUS A 123 BC 77 RUS", "A123BC77", "RU"),
    ],
)
def test_country_markers_are_removed(text: str, canonical: str, country: str) -> None:
    assert normalize_plate(text) == canonical
    assert parse_plate(text).country == country


@pytest.mark.parametrize(
    ("text", "canonical", "plate_format"),
    [
        # The marker's letters are the plate's own letter group.
        ("B 1234 KG", "B1234KG", "kg_1990s"),
        ("B1234KG", "B1234KG", "kg_1990s"),
        ("T 5678 CN", "T5678CN", "kg_1990s"),
        ("01 123 KZ", "01123KZ", "kg_government"),
        ("01 A 123 CN", "01A123CN", "uz_private"),
        ("01 A 123 UZ", "01A123UZ", "uz_private"),
        ("123 UZ 02", "123UZ02", "kz_2012"),
        ("123 KG 02", "123KG02", "kz_2012"),
        # A leading marker that stands apart goes; the trailing KG is the plate's.
        ("KG 01 123 KG", "01123KG", "kg_government"),
    ],
)
def test_a_marker_that_is_part_of_the_plate_is_kept(
    text: str, canonical: str, plate_format: str
) -> None:
    parsed = parse_plate(text)
    assert parsed.canonical == canonical
    assert parsed.format == plate_format


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("KG 999", "999"),  # apart: removed even though 999 is no plate
        ("KGXYZ", "KGXYZ"),  # attached, and XYZ is no Kyrgyz plate: kept
        ("KG", "KG"),  # a marker alone is all there is
        ("10123ABCKG", "10123ABCKG"),  # 10 123 ABC is Uzbek, so KG is not its marker
    ],
)
def test_markers_on_text_that_is_no_plate(text: str, canonical: str) -> None:
    assert normalize_plate(text) == canonical


@pytest.mark.parametrize(
    "text", ["新A12345", "粤B12345", "京AD12345", "新A·12345", "新a12345"]
)
def test_chinese_province_characters_are_kept(text: str) -> None:
    canonical = normalize_plate(text)
    assert canonical[0] == text[0]
    assert canonical[1:] == text[1:].replace("·", "").upper()


# --- formats ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "country", "plate_format", "region", "canonical", "display"),
    [
        # Kyrgyzstan
        ("01 123 ABC", "KG", "kg_2010", "01", "01123ABC", "01 123 ABC"),
        ("08 777 XYZ", "KG", "kg_2010", "08", "08777XYZ", "08 777 XYZ"),
        ("09 001 KGA", "KG", "kg_2010", "09", "09001KGA", "09 001 KGA"),
        ("01 123 AB", "KG", "kg_government", "01", "01123AB", "01 123 AB"),
        ("06 456 PT", "KG", "kg_government", "06", "06456PT", "06 456 PT"),
        ("02 1234 H", "KG", "kg_foreign", "02", "021234H", "02 1234 H"),
        ("B 1234 AB", "KG", "kg_1990s", "B", "B1234AB", "B 1234 AB"),
        ("O 0001 XY", "KG", "kg_1990s", "O", "O0001XY", "O 0001 XY"),
        ("S 9876 ZZ", "KG", "kg_1990s", "S", "S9876ZZ", "S 9876 ZZ"),
        # Kazakhstan
        ("123 ABC 02", "KZ", "kz_2012", "02", "123ABC02", "123 ABC 02"),
        ("777 AB 01", "KZ", "kz_2012", "01", "777AB01", "777 AB 01"),
        ("001 QWZ 20", "KZ", "kz_2012", "20", "001QWZ20", "001 QWZ 20"),
        # Russia, Latin and Cyrillic spellings
        ("A 123 BC 77", "RU", "ru_standard", "77", "A123BC77", "A 123 BC 77"),
        ("X 999 YX 799", "RU", "ru_standard", "799", "X999YX799", "X 999 YX 799"),
        ("м 001 от 01", "RU", "ru_standard", "01", "M001OT01", "M 001 OT 01"),
        ("Е777КХ102", "RU", "ru_standard", "102", "E777KX102", "E 777 KX 102"),
        # Uzbekistan
        ("01 A 123 BC", "UZ", "uz_private", "01", "01A123BC", "01 A 123 BC"),
        ("95 Z 999 ZZ", "UZ", "uz_private", "95", "95Z999ZZ", "95 Z 999 ZZ"),
        ("10 123 ABC", "UZ", "uz_legal", "10", "10123ABC", "10 123 ABC"),
        ("40 500 FGH", "UZ", "uz_legal", "40", "40500FGH", "40 500 FGH"),
        ("99 001 AAA", "UZ", "uz_legal", "99", "99001AAA", "99 001 AAA"),
        # China
        ("新A12345", "CN", "cn_standard", "新", "新A12345", "新A 12345"),
        ("粤B·3X5Y7", "CN", "cn_standard", "粤", "粤B3X5Y7", "粤B 3X5Y7"),
        ("京AD12345", "CN", "cn_new_energy", "京", "京AD12345", "京A D12345"),
        ("沪AFB1234", "CN", "cn_new_energy", "沪", "沪AFB1234", "沪A FB1234"),
        ("新A12345D", "CN", "cn_new_energy", "新", "新A12345D", "新A 12345D"),
    ],
)
def test_each_format_parses(
    text: str, country: str, plate_format: str, region: str, canonical: str, display: str
) -> None:
    parsed = parse_plate(text)
    assert (parsed.country, parsed.format, parsed.region, parsed.canonical) == (
        country,
        plate_format,
        region,
        canonical,
    )
    assert parsed.display == display


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        # Kyrgyzstan
        ("00 123 ABC", "region 00 is nobody's"),
        ("01 1234 ABC", "four digits before three letters"),
        ("01 12 ABC", "two digits"),
        ("01 123 ABCD", "four letters"),
        ("11 123 AB", "11 is no Kyrgyz region (two-letter series)"),
        ("10 1234 A", "10 is no Kyrgyz region (foreign series)"),
        ("X 1234 AB", "X is no 1990s region letter"),
        ("B 123 AB", "three digits in a 1990s plate"),
        ("B 1234 A", "one letter in a 1990s plate"),
        ("B 1234 ABC", "three letters in a 1990s plate"),
        ("011234", "region and four digits: not a format"),
        # Kazakhstan
        ("123 ABC 21", "region 21"),
        ("123 ABC 00", "region 00"),
        ("123 A 02", "one letter"),
        ("123 ABCD 02", "four letters"),
        ("12 ABC 02", "two digits"),
        ("123 ABC 2", "one-digit region"),
        # Russia
        ("A 123 BC 00", "region 00"),
        ("A 123 BC 077", "three-digit region with a leading 0"),
        ("A 123 BC 1777", "four-digit region"),
        ("F 123 BC 77", "F is not a Russian plate letter"),
        ("A 123 BD 77", "D is not a Russian plate letter"),
        ("A 123 BZ 77", "Z is not a Russian plate letter"),
        ("A 1234 BC 77", "four digits"),
        ("AB 123 BC 77", "two letters first"),
        # Uzbekistan
        ("00 A 123 BC", "region 00"),
        ("01 AB 123 BC", "two letters before the number"),
        ("01 A 1234 BC", "four digits"),
        ("01 A 123 B", "one letter at the end"),
        ("00 123 ABC", "region 00 (legal)"),
        # China
        ("中A12345", "中 is no province"),
        ("新I12345", "I is never used"),
        ("新AO1234", "O is never used"),
        ("新A1234", "four characters"),
        ("新A1234567", "seven characters"),
        ("新12345A", "no city letter"),
        ("新AX12345", "new energy needs D or F"),
        ("A12345", "no province character"),
        # Nothing like a plate
        ("HELLO", "letters only"),
        ("12345678", "digits only"),
    ],
)
def test_near_misses_are_unknown(text: str, reason: str) -> None:
    parsed = parse_plate(text)
    assert (parsed.country, parsed.format, parsed.region, parsed.layout) == (
        None,
        "unknown",
        None,
        None,
    ), reason
    assert parsed.canonical == normalize_plate(text)
    assert parsed.display == parsed.canonical


@pytest.mark.parametrize(
    ("text", "country", "plate_format", "ambiguous_with"),
    [
        # Kyrgyz region codes 01-09 are also Uzbek codes (Tashkent): KG by default.
        ("01 123 ABC", "KG", "kg_2010", ("UZ",)),
        ("09 123 ABC", "KG", "kg_2010", ("UZ",)),
        # A marker decides between the countries the pattern allows ...
        ("UZ 01 123 ABC", "UZ", "uz_legal", ("KG",)),
        ("01 123 ABC UZ", "UZ", "uz_legal", ("KG",)),
        ("KG 01 123 ABC", "KG", "kg_2010", ("UZ",)),
        # ... and is ignored when it names a country the pattern does not allow.
        ("KZ 01 123 ABC", "KG", "kg_2010", ("UZ",)),
        ("KG 10 123 ABC", "UZ", "uz_legal", ()),
        # Two markers naming different countries name none.
        ("UZ 01 123 ABC KZ", "KG", "kg_2010", ("UZ",)),
        # Codes 10-99 are Uzbek only.
        ("10 123 ABC", "UZ", "uz_legal", ()),
        ("75 123 ABC", "UZ", "uz_legal", ()),
        # Other formats have no twin.
        ("01 123 AB", "KG", "kg_government", ()),
        ("01 A 123 BC", "UZ", "uz_private", ()),
        ("123 ABC 02", "KZ", "kz_2012", ()),
        ("A 123 BC 77", "RU", "ru_standard", ()),
    ],
)
def test_country_of_a_plate_that_fits_two_countries(
    text: str, country: str, plate_format: str, ambiguous_with: tuple[str, ...]
) -> None:
    parsed = parse_plate(text)
    assert (parsed.country, parsed.format, parsed.ambiguous_with) == (
        country,
        plate_format,
        ambiguous_with,
    )


def test_parsed_plate_is_frozen() -> None:
    parsed = parse_plate("01 123 ABC")
    assert isinstance(parsed, ParsedPlate)
    with pytest.raises(dataclasses.FrozenInstanceError):
        parsed.country = "UZ"  # type: ignore[misc]


# --- matching: exact ----------------------------------------------------------


@pytest.mark.parametrize(
    ("read", "known"),
    [
        ("01123ABC", "01 123 ABC"),
        ("01 123 abc", "01123ABC"),
        ("01-123-АВС", "01 123 ABC"),  # Cyrillic look-alikes are not corrections
        ("01 123 авс", "01 123 ABC"),
        ("KG 01 123 ABC", "01 123 ABC"),
        ("01KG123ABC", "01123ABC"),
        ("A123BC77RUS", "А 123 ВС 77"),
        ("Х 777 ХХ 777", "X777XX777"),
        ("新A·12345", "新A12345"),
        ("HELLO", "hello"),  # unknown format: exact still works
    ],
)
def test_same_plate_after_normalisation_is_exact(read: str, known: str) -> None:
    expected = PlateMatch(normalize_plate(known), "exact", 1.0, ())
    assert compare_plates(read, known) == expected
    assert match_plate(read, [known]) == expected


# --- matching: probable -------------------------------------------------------

# (read, corrected): at a digit position a look-alike letter is read for the digit.
LETTER_READ_FOR_DIGIT = [
    ("O", "0"),
    ("D", "0"),
    ("Q", "0"),
    ("I", "1"),
    ("L", "1"),
    ("Z", "2"),
    ("S", "5"),
    ("G", "6"),
    ("B", "8"),
]
# (read, corrected): at a letter position a look-alike digit is read for the letter.
DIGIT_READ_FOR_LETTER = [
    ("0", "O"),
    ("0", "D"),
    ("0", "Q"),
    ("1", "I"),
    ("1", "L"),
    ("2", "Z"),
    ("5", "S"),
    ("6", "G"),
    ("8", "B"),
]


@pytest.mark.parametrize(("read_char", "digit"), LETTER_READ_FOR_DIGIT)
def test_a_letter_read_at_a_digit_position_is_corrected(read_char: str, digit: str) -> None:
    known = f"011{digit}3ABC"
    read = f"011{read_char}3ABC"
    assert compare_plates(read, known) == PlateMatch(
        known, "probable", 0.8, (Correction(3, read_char, digit),)
    )


@pytest.mark.parametrize(("read_char", "digit"), LETTER_READ_FOR_DIGIT)
def test_a_letter_read_in_the_region_code_is_corrected(read_char: str, digit: str) -> None:
    known = f"123ABC1{digit}"  # Kazakh region codes 10, 11, 12, 15, 16, 18
    assert parse_plate(known).format == "kz_2012"
    match = compare_plates(f"123ABC1{read_char}", known)
    assert match is not None
    assert match.corrections == (Correction(7, read_char, digit),)


@pytest.mark.parametrize(("read_char", "letter"), DIGIT_READ_FOR_LETTER)
def test_a_digit_read_at_a_letter_position_is_corrected(read_char: str, letter: str) -> None:
    known = f"01123A{letter}C"
    read = f"01123A{read_char}C"
    assert compare_plates(read, known) == PlateMatch(
        known, "probable", 0.8, (Correction(6, read_char, letter),)
    )


@pytest.mark.parametrize(
    ("read", "known", "corrections"),
    [
        # Two corrections are allowed, at 0.1 less confidence each.
        ("OI123ABC", "01123ABC", ((0, "O", "0"), (1, "I", "1"))),
        ("01I23AB0", "01123ABO", ((2, "I", "1"), (7, "0", "O"))),
        # Russia: a letter that no Russian plate uses is a misread of one that is.
        ("A 123 BC 7Z", "A123BC72", ((7, "Z", "2"),)),
        ("D 123 BC 77", "O123BC77", ((0, "D", "O"),)),
        ("0 123 8C 77", "O123BC77", ((0, "0", "O"), (4, "8", "B"))),
        # Kyrgyz 1990s: the region letter position.
        ("8 1234 AB", "B1234AB", ((0, "8", "B"),)),
        ("Q 1234 AB", "O1234AB", ((0, "Q", "O"),)),
        # Uzbek private: letter, digits, letters.
        ("01 8 I23 BC", "01B123BC", ((2, "8", "B"), (3, "I", "1"))),
        # China: I and O are never on a plate, so they stand for 1 and 0.
        ("新A1234O", "新A12340", ((6, "O", "0"),)),
        ("新AI2345", "新A12345", ((2, "I", "1"),)),
        ("京AD1234S", "京AD12345", ((7, "S", "5"),)),
    ],
)
def test_probable_matches(read: str, known: str, corrections) -> None:
    match = compare_plates(read, known)
    assert match is not None
    assert match.kind == "probable"
    assert match.plate == normalize_plate(known)
    assert match.corrections == tuple(Correction(*c) for c in corrections)
    assert match.confidence == pytest.approx(0.9 - 0.1 * len(corrections))


@pytest.mark.parametrize(
    "read",
    [
        "O1 123 ABC KG",  # marker apart
        "KG O1 123 ABC",
        "O1123ABCKG",  # marker attached: the misread hides that it is a marker
        "O1 KG 123 ABC",  # KG under the region code
        "о1 123 авс",  # Cyrillic о for the digit 0 is still a misread
    ],
)
def test_corrections_see_through_country_markers(read: str) -> None:
    assert compare_plates(read, "01123ABC") == PlateMatch(
        "01123ABC", "probable", 0.8, (Correction(0, "O", "0"),)
    )


def test_a_misread_kg_plate_whose_letters_look_like_a_marker() -> None:
    # "8 1234 KG" is no plate, so KG stood apart and was dropped; the known
    # plate still matches once B is read back for 8.
    assert compare_plates("8 1234 KG", "B1234KG") == PlateMatch(
        "B1234KG", "probable", 0.8, (Correction(0, "8", "B"),)
    )


def test_a_marker_dropped_only_to_match_is_probable_without_corrections() -> None:
    # 10 123 ABC is Uzbek: the KG written onto it is not its marker, so the
    # read is not that plate after normalisation, only probably.
    assert compare_plates("10123ABCKG", "10123ABC") == PlateMatch(
        "10123ABC", "probable", 0.9, ()
    )


# --- matching: no match -------------------------------------------------------


@pytest.mark.parametrize(
    ("read", "known", "why"),
    [
        ("01123ABD", "01123ABC", "another letter"),
        ("01124ABC", "01123ABC", "another digit"),
        ("01123AB7", "01123ABC", "7 does not look like C"),
        ("02123ABC", "01123ABC", "another region"),
        ("0112ABC", "01123ABC", "a character missing"),
        ("011234ABC", "01123ABC", "a character too many"),
        ("01123ABCD", "01123ABC", "a letter too many"),
        ("OII23ABC", "01123ABC", "three corrections"),
        ("OI1Z3ABC", "01123ABC", "another digit among two corrections"),
        ("O1IZ3A8C", "01123ABC", "four corrections"),
        # A character the pattern allows where it was read is another plate.
        ("01123ABD", "01123ABO", "D is a letter: no correction at a letter position"),
        ("01123AQC", "01123AOC", "Q is a letter too"),
        ("D 1234 AB", "O1234AB", "D is a 1990s region letter (Jalal-Abad)"),
        ("新A1234S", "新A12345", "S is allowed in a Chinese serial"),
        ("新A12348", "新A1234B", "8 is allowed in a Chinese serial"),
        ("新AB2345", "新A82345", "B is allowed in a Chinese serial"),
        ("A 123 BC 77", "A123BC72", "7 is a digit: no correction at a digit position"),
        ("HELL0", "HELLO", "known plate of no format: only exact matches"),
        ("A123BC77", "01123ABC", "another plate altogether"),
    ],
)
def test_reads_that_must_not_match(read: str, known: str, why: str) -> None:
    assert compare_plates(read, known) is None, why
    assert match_plate(read, [known]) is None, why


# --- match_plate over many known plates ---------------------------------------


def test_match_plate_prefers_the_exact_match() -> None:
    # O1234AB is a 1990s Osh plate; read against 01234AB it would be probable.
    match = match_plate("O 1234 AB", ["01 234 AB", "O 1234 AB"])
    assert match == PlateMatch("O1234AB", "exact", 1.0, ())


def test_match_plate_prefers_fewer_corrections() -> None:
    match = match_plate("OI234AB", ["01234AB", "O1234AB"])
    assert match == PlateMatch("O1234AB", "probable", 0.8, (Correction(1, "I", "1"),))


def test_match_plate_refuses_to_choose_between_equally_likely_plates() -> None:
    # Q could be the digit 0 of 01234AB or the region letter O of O1234AB.
    assert compare_plates("Q1234AB", "01234AB") is not None
    assert compare_plates("Q1234AB", "O1234AB") is not None
    assert match_plate("Q1234AB", ["01234AB", "O1234AB"]) is None


def test_match_plate_counts_one_plate_written_twice_once() -> None:
    match = match_plate("O1 123 ABC", ["01 123 ABC", "01123abc", "01-123-АВС"])
    assert match == PlateMatch("01123ABC", "probable", 0.8, (Correction(0, "O", "0"),))


def test_match_plate_finds_the_plate_among_others() -> None:
    known = (plate for plate in ["08 555 XYZ", "123 ABC 02", "01 123 ABC", "A 123 BC 77"])
    match = match_plate("01 I23 A8C", known)
    assert match is not None
    assert (match.plate, match.kind, match.confidence) == ("01123ABC", "probable", 0.7)


@pytest.mark.parametrize("known", [[], ["08 555 XYZ", "A 123 BC 77"]])
def test_match_plate_without_a_candidate_is_none(known: list[str]) -> None:
    assert match_plate("01 123 ABC", known) is None


def test_a_known_plate_that_is_not_a_plate_is_an_error() -> None:
    with pytest.raises(PlateError, match="empty"):
        match_plate("01 123 ABC", ["01 124 ABC", " "])


# --- docstring examples -------------------------------------------------------


@pytest.mark.parametrize("module", ["", ".text", ".formats", ".reading", ".matching"])
def test_docstring_examples_hold(module: str) -> None:
    result = doctest.testmod(importlib.import_module(f"chekara.domain.plates{module}"))
    assert result.attempted > 0
    assert result.failed == 0
