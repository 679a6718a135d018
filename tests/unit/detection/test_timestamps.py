import json
import random
from datetime import datetime, timedelta, timezone

from chekara.domain.detection.timestamps import from_iso, iso_of_micros, micros, seconds_between, to_iso


def test_iso_round_trips_exactly_through_json():
    ts = datetime(2024, 5, 1, 8, 0, 0, 123456, tzinfo=timezone.utc)
    assert from_iso(json.loads(json.dumps(to_iso(ts)))) == ts


def test_other_zones_are_written_in_utc():
    bishkek = timezone(timedelta(hours=6))
    assert to_iso(datetime(2024, 5, 1, 14, 0, tzinfo=bishkek)) == "2024-05-01T08:00:00+00:00"


def test_seconds_between_accepts_strings_and_datetimes():
    a = datetime(2024, 5, 1, 8, 0, tzinfo=timezone.utc)
    assert seconds_between(to_iso(a), a + timedelta(seconds=90)) == 90.0
    assert seconds_between(a, to_iso(a)) == 0.0


BISHKEK = timezone(timedelta(hours=6))


def random_instants(seed: int, n: int = 2_000) -> list[tuple[datetime, random.Random]]:
    """n instants within ~4 months of 2026-12-03 (UTC), each with the generator for what the test draws next."""
    rng = random.Random(seed)
    base = datetime(2026, 12, 3, tzinfo=timezone.utc)
    return [(base + timedelta(microseconds=rng.randrange(-10**13, 10**13)), rng) for _ in range(n)]


def test_seconds_between_is_exactly_timedelta_total_seconds():
    for a, rng in random_instants(5):
        b = a + timedelta(microseconds=rng.randrange(-10**10, 10**10))
        expected = (b - a).total_seconds()
        assert seconds_between(to_iso(a), to_iso(b)) == expected
        assert seconds_between(a.astimezone(BISHKEK), to_iso(b)) == expected
        assert (micros(a) <= micros(b)) == (a <= b)


def test_the_iso_text_of_micros_is_exactly_to_iso_of_the_instant():
    for k, (ts, _) in enumerate(random_instants(6)):
        if k % 3 == 0:
            ts = ts.replace(microsecond=0)  # isoformat leaves the fraction out: so must the text of its micros
        # isoformat itself, not to_iso: its cache would hand back the text iso_of_micros just put there
        assert iso_of_micros(micros(ts.astimezone(BISHKEK))) == ts.astimezone(timezone.utc).isoformat()
