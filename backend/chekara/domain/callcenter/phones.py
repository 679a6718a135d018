"""Callers' phone numbers, normalised to E.164 (the `phonenumbers` library, Google's libphonenumber rules).

Numbers written the Kyrgyz way (0555 123 456) are read with KG as the
default region; foreign numbers need their +country code.

>>> normalize_phone("0555 123 456")
'+996555123456'
"""

from __future__ import annotations

import phonenumbers

DEFAULT_REGION = "KG"


class PhoneError(ValueError):
    pass


def normalize_phone(text: str, region: str = DEFAULT_REGION) -> str:
    if not text or not text.strip():
        raise PhoneError("is empty")
    if len(text) > 32:
        raise PhoneError("is longer than 32 characters")
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise PhoneError(f"is not a phone number ({exc})") from exc
    if not phonenumbers.is_valid_number(number):
        raise PhoneError("is not a valid number (write foreign numbers with +country code)")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
