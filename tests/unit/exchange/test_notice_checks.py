"""A partner's announced weight and seals against ours."""

from __future__ import annotations

from decimal import Decimal

import pytest

from chekara.domain.exchange import compare_seals, normalize_seal_id, weight_differs


@pytest.mark.parametrize("measured, announced, differs", [
    (31_500, 30_000, False),  # exactly 5 %: within
    (31_501, 30_000, True),
    (28_500, 30_000, False),
    (28_499, 30_000, True),
    (30_000, 30_000, False),
])
def test_weight_tolerance_is_relative_to_the_partner_and_exact(measured, announced, differs):
    assert weight_differs(measured, announced, Decimal("5")) is differs


def test_another_tolerance():
    assert weight_differs(30_700, 30_000, 2) is True
    assert weight_differs(30_600, 30_000, 2) is False


def test_an_announced_weight_must_be_positive():
    with pytest.raises(ValueError):
        weight_differs(30_000, 0, 5)


def test_seal_ids_ignore_case_spaces_and_dashes():
    assert normalize_seal_id(" kz-0012 345 ") == "KZ0012345"
    assert normalize_seal_id("CN/88.01_7") == "CN88017"
    with pytest.raises(ValueError):
        normalize_seal_id(" - ")


def test_seals_compared_as_sets():
    same = compare_seals(["KZ-001", "KZ-002"], ["kz 002", "kz001"])
    assert not same.differs
    other = compare_seals(["KZ-001", "KZ-002"], ["KZ001", "KZ003"])
    assert other.differs and other.missing == ("KZ002",) and other.unexpected == ("KZ003",)
