"""HS codes: 6 to 10 digits of a real chapter, separators allowed, nothing else."""

from __future__ import annotations

import pytest

from chekara.domain.hs_codes import HsCodeError, hs_chapter, hs_heading, normalize_hs_code


@pytest.mark.parametrize(
    "text, code",
    [
        ("080810", "080810"),
        ("0808108000", "0808108000"),
        ("0808.10.800.0", "0808108000"),
        (" 8471 30 000 0 ", "8471300000"),
        ("9701100000", "9701100000"),
        ("0101210000", "0101210000"),
    ],
)
def test_valid_codes_are_normalised_to_digits(text, code):
    assert normalize_hs_code(text) == code


@pytest.mark.parametrize(
    "text, reason",
    [
        ("", "empty"),
        ("   ", "empty"),
        ("08081", "5 digits"),
        ("08081080001", "11 digits"),
        ("0808-10", "only digits"),
        ("08O810", "only digits"),
        ("０８０８１０", "only digits"),  # full-width digits are not typed by the tariff
        ("000000", "no chapter 00"),
        ("770000", "no chapter 77"),
        ("980000", "no chapter 98"),
        ("990000", "no chapter 99"),
    ],
)
def test_wrong_shapes_are_refused_with_the_reason(text, reason):
    with pytest.raises(HsCodeError, match=reason):
        normalize_hs_code(text)


def test_chapter_and_heading():
    assert (hs_chapter("8703239000"), hs_heading("8703239000")) == ("87", "8703")
