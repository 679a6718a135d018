"""Time stamps that parse but cannot be turned into UTC are a rejection naming the field, never an exception (issue 15)."""

import pytest

from chekara.ingest.decode import decode_json_fix, decode_osmand_query
from chekara.ingest.fixes import Rejection


@pytest.mark.parametrize("ts", ["9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+05:00"])
def test_a_time_that_overflows_in_utc_is_rejected_naming_ts(ts):
    outcome = decode_json_fix(0, {"device_id": "TRK-1", "ts": ts, "lat": 42.0, "lon": 74.0})
    assert isinstance(outcome, Rejection) and outcome.field == "ts" and "1..9999" in outcome.reason


def test_the_osmand_timestamp_too():
    outcome = decode_osmand_query({"id": "osm_x", "lat": "42", "lon": "74", "timestamp": "9999-12-31T23:59:59-05:00"})
    assert isinstance(outcome, Rejection) and outcome.field == "timestamp"
