"""The published JSON Schemas: valid, one per event type, strict, and true to the examples."""

from __future__ import annotations

import copy
import json

import pytest
from jsonschema import Draft202012Validator

from chekara.domain.exchange import EVENT_TYPES, SCHEMA_VERSION
from chekara.services.exchange.schemas import NOTICE_SCHEMA, SCHEMA_DIR, SCHEMA_NAMES, schema
from tests.exchange_schemas import schema_validator as validator
from tests.unit.exchange.examples import EXAMPLES, NOTICE


def test_every_event_type_and_the_notice_have_a_schema_file_and_nothing_else_does():
    assert SCHEMA_NAMES == (*EVENT_TYPES, NOTICE_SCHEMA)
    assert sorted(p.stem for p in SCHEMA_DIR.glob("*.json")) == sorted(SCHEMA_NAMES)


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_each_schema_is_a_valid_draft_2020_12_schema(name):
    Draft202012Validator.check_schema(schema(name))
    assert json.loads((SCHEMA_DIR / f"{name}.json").read_text())["title"] == name


@pytest.mark.parametrize("type_", EVENT_TYPES)
def test_envelopes_share_one_shape(type_):
    s = schema(type_)
    assert s["required"] == ["id", "sequence", "type", "schema_version", "occurred_at", "data"]
    assert s["properties"]["type"] == {"const": type_}
    assert s["properties"]["schema_version"] == {"const": SCHEMA_VERSION}
    assert s["additionalProperties"] is False and s["properties"]["data"]["additionalProperties"] is False


@pytest.mark.parametrize("type_", EVENT_TYPES)
def test_the_examples_validate(type_):
    validator(type_).validate(EXAMPLES[type_])


@pytest.mark.parametrize("type_", EVENT_TYPES)
def test_a_field_more_or_less_is_refused(type_):
    extra = copy.deepcopy(EXAMPLES[type_])
    extra["data"]["consignor"] = "Kashgar Fruit Co."  # a body never grows a field without a new version
    assert not validator(type_).is_valid(extra)
    missing = copy.deepcopy(EXAMPLES[type_])
    missing["data"].pop(sorted(missing["data"])[0])
    assert not validator(type_).is_valid(missing)


def test_an_event_of_one_type_does_not_pass_for_another():
    assert not validator("crossing.exited").is_valid(EXAMPLES["crossing.released"])


def test_the_notice_schema():
    validator(NOTICE_SCHEMA).validate(NOTICE)
    assert not validator(NOTICE_SCHEMA).is_valid(NOTICE | {"expected_at": "tomorrow"})
    assert not validator(NOTICE_SCHEMA).is_valid({k: v for k, v in NOTICE.items() if k != "vehicle_plate"})
