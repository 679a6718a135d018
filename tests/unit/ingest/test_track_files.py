import pytest

from chekara.ingest.track_files import TrackFileError, csv_fixes, gpx_fixes

GPX = """<?xml version="1.0"?><gpx version="1.1" creator="t" xmlns="http://www.topografix.com/GPX/1/1">
<trk><trkseg><trkpt lat="42.8" lon="74.6"><time>2026-11-30T08:00:00Z</time></trkpt>
<trkpt lat="42.81" lon="74.61"><time>2026-11-30T08:00:20Z</time></trkpt></trkseg></trk></gpx>"""


def test_gpx_points_become_fixes():
    fixes = gpx_fixes(GPX, "TRK-9")
    assert [(f["device_id"], f["lat"], f["lon"]) for f in fixes] == [("TRK-9", 42.8, 74.6), ("TRK-9", 42.81, 74.61)]
    assert fixes[1]["ts"].startswith("2026-11-30T08:00:20")


def test_gpx_without_points_or_unreadable():
    with pytest.raises(TrackFileError):
        gpx_fixes("<gpx", "A")
    with pytest.raises(TrackFileError, match="no track points"):
        gpx_fixes('<?xml version="1.0"?><gpx version="1.1" creator="t" xmlns="http://www.topografix.com/GPX/1/1"/>', "A")


def test_csv_with_aliases_and_device_column():
    rows = list(csv_fixes("Device,Time,Latitude,Longitude,Speed_kmh,colour\nA,2026-11-30T08:00:00Z,42.8,74.6,50,red\n"))
    assert rows == [{"device_id": "A", "ts": "2026-11-30T08:00:00Z", "lat": 42.8, "lon": 74.6, "speed_kmh": 50.0}]


def test_csv_device_option_and_missing_columns():
    assert list(csv_fixes("ts,lat,lon\n1700000000,42,74\n", "B"))[0]["device_id"] == "B"
    with pytest.raises(TrackFileError, match="device_id"):
        list(csv_fixes("ts,lat,lon\n1,2,3\n"))
    with pytest.raises(TrackFileError, match="lat"):
        list(csv_fixes("ts,lon\n1,2\n", "B"))


def test_csv_bad_numbers_are_left_for_the_pipeline_to_name():
    (row,) = csv_fixes("ts,lat,lon\n1700000000,north,74\n", "B")
    assert row["lat"] == "north"
