"""Validators for the exchange's published JSON Schemas (unit and integration tests share them)."""

from __future__ import annotations

from datetime import datetime

from jsonschema import Draft202012Validator, FormatChecker

from chekara.services.exchange.schemas import schema

_formats = FormatChecker()


@_formats.checks("date-time", raises=ValueError)
def _aware_date_time(value: object) -> bool:
    """RFC 3339 as our bodies write it: a date, a time and an offset (or Z)."""
    if not isinstance(value, str):
        return True
    return "T" in value and datetime.fromisoformat(value).tzinfo is not None


def schema_validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(schema(name), format_checker=_formats)


def assert_valid(name: str, instance: object) -> None:
    errors = sorted(schema_validator(name).iter_errors(instance), key=lambda e: list(e.path))
    assert not errors, f"{name}: " + "; ".join(f"{list(e.path)}: {e.message}" for e in errors)
