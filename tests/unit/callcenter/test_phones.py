import pytest

from chekara.domain.callcenter.phones import PhoneError, normalize_phone


@pytest.mark.parametrize("text, e164", [
    ("+996 555 123 456", "+996555123456"),
    ("0555 123 456", "+996555123456"),
    ("0555-12-34-56", "+996555123456"),
    ("+7 701 123 4567", "+77011234567"),
    ("+998 90 123 45 67", "+998901234567"),
])
def test_numbers_become_e164(text, e164):
    assert normalize_phone(text) == e164


@pytest.mark.parametrize("text", ["", "   ", "abc", "+996 1", "8 701 123 4567", "1" * 40, "+999 123"])
def test_bad_numbers(text):
    with pytest.raises(PhoneError):
        normalize_phone(text)
