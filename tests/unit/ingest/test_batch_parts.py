"""Cutting a large group into parts by device, and putting the parts' results back together."""

from __future__ import annotations

import math

from chekara.domain.roles import Actor
from chekara.ingest import batch_parts
from chekara.ingest.batch import IngestResult, Submission
from chekara.ingest.fixes import Rejection

INTEGRATION = Actor("integration-1", "device")
OTHER = Actor("integration-2", "device")


def _fix(device: str, n: int) -> dict:
    return {"device_id": device, "ts": 1_800_000_000 + n, "lat": 42.8, "lon": 74.6}


def _osmand(index, params):  # a decoder of its own: stays with the process that took it
    raise AssertionError("not called here")


def test_every_fix_of_a_device_stays_in_one_part_in_its_order():
    raw = [_fix(f"T-{n % 40}", n) for n in range(400)]
    parts = batch_parts.cut([Submission(raw, INTEGRATION)], 2, {})
    assert len(parts) == 2
    seen: dict[str, int] = {}
    for p, part in enumerate(parts):
        (piece,) = part
        assert list(piece.indices) == sorted(piece.indices)
        assert [raw[i] for i in piece.indices] == piece.fixes.raw
        for fix in piece.fixes.raw:
            assert seen.setdefault(fix["device_id"], p) == p
    assert sorted(i for part in parts for i in part[0].indices) == list(range(400))
    sizes = [len(part[0].indices) for part in parts]
    assert min(sizes) > 100  # 40 devices spread over both parts, not all in one


def test_what_cannot_travel_stays_in_the_first_part():
    json_fixes = [_fix(f"T-{n}", n) for n in range(50)] + ["not a fix", {"device_id": "  "}]
    osmand = Submission([{"id": "phone"}], Actor("osmand", "osmand"), _osmand)
    parts = batch_parts.cut([Submission(json_fixes, INTEGRATION), osmand], 2, {})
    kept = {piece.submission: piece for piece in parts[0]}
    assert kept[1].fixes.decode is _osmand and kept[1].indices == (0,)
    assert {50, 51} <= set(kept[0].indices)
    for part in parts[1:]:
        assert all(piece.fixes.decode is None for piece in part)
        batch_parts.encode_part(part)  # travels


def test_the_devices_of_one_trip_stay_together_in_time_order():
    """A store-and-forward hour of a truck's tracker and its escort's phone: cut apart, each would run
    in a transaction of its own, and the detectors would compare the truck with where the escort had
    got to (convoy separation's false alarms)."""
    raw = [_fix(device, n) for n in range(100) for device in ("TRK-7", "ESC-7", *(f"T-{k}" for k in range(30)))]
    trip_of = {"TRK-7": 41, "ESC-7": 41}
    for parts in (2, 3, 4):
        holding = [part for part in batch_parts.cut([Submission(raw, INTEGRATION)], parts, trip_of)
                   if any(f["device_id"] in trip_of for piece in part for f in piece.fixes.raw)]
        assert len(holding) == 1  # one part holds both devices' fixes ...
        (piece,) = holding[0]
        both = [f for f in piece.fixes.raw if f["device_id"] in trip_of]
        assert [f["ts"] for f in both] == sorted(f["ts"] for f in both)  # ... interleaved as they came


def test_a_device_is_known_as_the_decoder_knows_it():
    """" T-1", "T-1 " and "T-1" are one device to the decoder, and 7, 7.0 and "7" another: one part each."""
    raw = [{"device_id": name, "ts": 1_800_000_000 + n, "lat": 42.8, "lon": 74.6}
           for n in range(20) for name in (" T-1", "T-1 ", "T-1", 7, 7.0, "7", *(f"X-{k}" for k in range(20)))]
    parts = batch_parts.cut([Submission(raw, INTEGRATION)], 4, {})
    for device in ("T-1", "7"):
        assert sum(any(batch_parts.device_of(f) == device for piece in part for f in piece.fixes.raw)
                   for part in parts) == 1
    assert batch_parts.devices_named([Submission(raw[:6], INTEGRATION)]) == {"T-1", "7"}


def test_one_device_makes_one_part():
    parts = batch_parts.cut([Submission([_fix("T-1", n) for n in range(1000)], INTEGRATION)], 2, {})
    assert len(parts) == 1


def test_a_part_travels_as_exactly_the_json_it_came_in():
    raw = [_fix("T-1", 1) | {"lat": math.nan, "speed_kmh": 2**70, "label": "Ош ✓"}, _fix("T-2", 2)]
    part = [batch_parts.Piece(3, (5, 9), Submission(raw, OTHER))]
    (back,) = batch_parts.decode_part(batch_parts.encode_part(part))
    assert back.submission == 3 and back.indices == (5, 9) and back.fixes.actor == OTHER
    assert math.isnan(back.fixes.raw[0]["lat"]) and back.fixes.raw[0]["speed_kmh"] == 2**70
    assert back.fixes.raw[0]["label"] == "Ош ✓" and back.fixes.raw[1] == raw[1]


def test_results_name_rejected_fixes_by_their_place_in_the_whole_submission():
    part = [batch_parts.Piece(0, (4, 7, 8), Submission([{}, {}, {}], INTEGRATION)),
            batch_parts.Piece(1, (0, 2), Submission([{}, {}], OTHER))]
    pieces = batch_parts.results_of(part, [
        IngestResult(1, 1, [Rejection(2, "lat", "out of range")], alerts_raised=2),
        IngestResult(2, 0, [], alerts_raised=2),
    ])
    travelled = batch_parts.decode_results(batch_parts.encode_results(pieces))
    kept = batch_parts.results_of(
        [batch_parts.Piece(0, (0, 1, 2, 3, 5, 6), Submission([{}] * 6, INTEGRATION))],
        [IngestResult(4, 0, [Rejection(5, "ts", "in the future"), Rejection(0, "fix", "must be a JSON object")], 1)],
    )
    first, second = batch_parts.merge(2, kept + travelled)
    assert (first.accepted, first.duplicates, second.accepted, second.duplicates) == (5, 1, 2, 0)
    assert first.as_dict()["rejected"] == [
        {"index": 0, "field": "fix", "reason": "must be a JSON object"},
        {"index": 6, "field": "ts", "reason": "in the future"},
        {"index": 8, "field": "lat", "reason": "out of range"},
    ]
    assert second.rejected == [] and first.alerts_raised == 3  # each part's transaction counted once
