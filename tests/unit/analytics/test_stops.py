"""Stop detection: hand-built tracks, and MovingPandas' detector on the same tracks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from chekara.domain.analytics.stops import (
    StopSpan,
    _Geodesic,
    detect_stops,
    detect_stops_lonlat,
    mrr_diagonal_lonlat_m,
    mrr_diagonal_m,
)
from chekara.domain.geometry import lonlat_transformer
from tests.stop_reference import movingpandas_stops, same_stops

T0 = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)


class MetricTrack:
    """A track in metres (x east, y north) with one fix every interval_s."""

    def __init__(self, interval_s: float = 20.0, seed: int = 7) -> None:
        self.interval_s = interval_s
        self.t: list[float] = []
        self.x: list[float] = []
        self.y: list[float] = []
        self.rng = np.random.default_rng(seed)
        self.pos = np.array([0.0, 0.0])
        self.heading = np.array([1.0, 0.3]) / np.hypot(1.0, 0.3)

    def _emit(self, jitter_m: float = 0.0) -> None:
        now = self.t[-1] + self.interval_s if self.t else 0.0
        noise = self.rng.uniform(-jitter_m, jitter_m, 2) if jitter_m else np.zeros(2)
        self.t.append(now)
        self.x.append(float(self.pos[0] + noise[0]))
        self.y.append(float(self.pos[1] + noise[1]))

    def drive(self, minutes: float, speed_kmh: float = 60.0) -> "MetricTrack":
        for _ in range(int(minutes * 60 / self.interval_s)):
            self.pos = self.pos + self.heading * speed_kmh / 3.6 * self.interval_s
            self._emit()
        return self

    def stop(self, minutes: float, jitter_m: float = 15.0) -> "MetricTrack":
        for _ in range(int(minutes * 60 / self.interval_s)):
            self._emit(jitter_m)
        return self

    def lonlat(self) -> tuple[np.ndarray, np.ndarray]:
        # Offset into Kyrgyzstan's metric frame (near Balykchy), then to lon/lat.
        lon, lat = lonlat_transformer().transform(np.array(self.x) + 20_000, np.array(self.y) + 30_000)
        return np.asarray(lon), np.asarray(lat)

    def times(self) -> list[datetime]:
        return [T0 + timedelta(seconds=s) for s in self.t]


def test_one_long_stop_between_two_drives():
    track = MetricTrack().drive(10).stop(20).drive(10)
    (stop,) = detect_stops(track.t, track.x, track.y, max_diameter_m=150, min_duration_s=900)
    # The stop begins at the last fix of the approach (it lies on the stop spot) and ends with the last stopped fix.
    assert stop.first == pytest.approx(29, abs=1)
    assert stop.last == 89
    assert track.t[stop.last] - track.t[stop.first] >= 900


def test_a_stop_shorter_than_min_duration_is_not_a_stop():
    track = MetricTrack().drive(10).stop(10).drive(10)
    assert detect_stops(track.t, track.x, track.y, 150, 900) == []


def test_jitter_wider_than_the_diameter_is_movement():
    track = MetricTrack().drive(5).stop(30, jitter_m=200).drive(5)
    assert detect_stops(track.t, track.x, track.y, 150, 900) == []


def test_a_track_that_ends_stopped_ends_with_a_stop():
    track = MetricTrack().drive(5).stop(25)
    (stop,) = detect_stops(track.t, track.x, track.y, 150, 900)
    assert stop.last == len(track.t) - 1


def test_slow_creep_within_the_diameter_is_still_a_stop():
    track = MetricTrack().drive(5).drive(20, speed_kmh=0.3).drive(5)
    assert len(detect_stops(track.t, track.x, track.y, 150, 900)) == 1


def test_parameters_must_be_positive():
    with pytest.raises(ValueError):
        detect_stops([0, 1], [0, 0], [0, 0], max_diameter_m=0)


def test_rectangle_diagonal_of_a_square_and_of_a_line():
    assert mrr_diagonal_m(np.array([0.0, 3.0]), np.array([0.0, 4.0])) == pytest.approx(5.0)
    square = mrr_diagonal_m(np.array([0.0, 10, 10, 0, 5]), np.array([0.0, 0, 10, 10, 5]))
    assert square == pytest.approx(np.hypot(10, 10))
    assert mrr_diagonal_m(np.array([0.0, 1, 2]), np.array([0.0, 1, 2])) == pytest.approx(np.hypot(2, 2))
    assert mrr_diagonal_m(np.array([1.0, 1, 1]), np.array([2.0, 2, 2])) == 0.0


def _brute_force(t, x, y, min_duration_s, stopped):
    """MovingPandas' loop as written, `stopped(window_x, window_y)` asked of every window: no shortcut."""
    spans, start, is_stopped, previously_stopped = [], 0, False, False
    for i in range(len(t)):
        if not is_stopped:
            while i - start + 1 > 2 and t[i] - t[start] >= min_duration_s:
                start += 1
        is_stopped = i > start and stopped(np.array(x[start : i + 1]), np.array(y[start : i + 1]))
        if not is_stopped and previously_stopped and i > start and t[i - 1] - t[start] >= min_duration_s:
            spans.append(StopSpan(start, i - 1))
            start = i
        previously_stopped = is_stopped
    if is_stopped and t[-1] - t[start] >= min_duration_s:
        spans.append(StopSpan(start, len(t) - 1))
    return spans


def _brute_force_stops(t, x, y, max_diameter_m, min_duration_s):
    """In metres: a rectangle fitted for every window, no pre-check, no hull shortcut."""
    return _brute_force(t, x, y, min_duration_s, lambda wx, wy: mrr_diagonal_m(wx, wy) < max_diameter_m)


@pytest.mark.parametrize("seed", [3, 4, 5])
def test_the_shortcuts_give_the_same_stops_as_fitting_every_window(seed):
    """Long jittery stops: fixes inside the hull skip the rectangle, big boxes skip it too; verdicts must not change."""
    rng = np.random.default_rng(seed)
    track = MetricTrack(interval_s=10, seed=seed)
    for _ in range(3):
        track.drive(float(rng.uniform(2, 6))).stop(float(rng.uniform(5, 60)), jitter_m=float(rng.uniform(20, 70)))
    track.drive(2)
    spans = detect_stops(track.t, track.x, track.y, 150, 600)
    assert spans, "the track should have stops"
    assert spans == _brute_force_stops(track.t, track.x, track.y, 150, 600)


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("interval_s", [10.0, 30.0])
def test_same_stops_as_movingpandas(seed, interval_s):
    rng = np.random.default_rng(seed)
    track = MetricTrack(interval_s=interval_s, seed=seed)
    for _ in range(4):
        track.drive(float(rng.uniform(5, 20)), speed_kmh=float(rng.uniform(30, 90)))
        track.stop(float(rng.uniform(5, 45)), jitter_m=float(rng.uniform(5, 40)))
    track.drive(5)
    lon, lat = track.lonlat()
    times = track.times()
    spans = detect_stops(track.t, track.x, track.y, 150, 900)
    ours = [(times[s.first], times[s.last]) for s in spans]
    theirs = movingpandas_stops(times, lon, lat, 150, 900)
    assert theirs, "the track should have stops"
    assert same_stops(ours, theirs, interval_s), (ours, theirs)


# ---- MovingPandas' own measure on lon/lat tracks: the same stops, fix for fix ------------------------------


def _lonlat_stops(track: MetricTrack, max_diameter_m: float = 150, min_duration_s: float = 900):
    lon, lat = track.lonlat()
    times = track.times()
    spans = detect_stops_lonlat(track.t, lon, lat, max_diameter_m, min_duration_s)
    return [(times[s.first], times[s.last]) for s in spans], movingpandas_stops(times, lon, lat, max_diameter_m,
                                                                                min_duration_s)


def test_a_jittery_28_minute_stop_ends_where_movingpandas_ends_it():
    """The case a metric rectangle got wrong: jitter near the diameter, the rectangle fitted in degrees decides."""
    found = []
    for seed in range(12):
        track = MetricTrack(interval_s=20, seed=seed).drive(8).stop(28, jitter_m=55).drive(8)
        ours, theirs = _lonlat_stops(track)
        assert ours == theirs, (seed, ours, theirs)  # exactly: the same first and last fix
        found += ours
    assert found, "the tracks should have stops"


@pytest.mark.parametrize("interval_s", [60.0, 120.0, 300.0])
@pytest.mark.parametrize("seed", [1, 2])
def test_sparse_tracks_have_movingpandas_stops_exactly(seed, interval_s):
    rng = np.random.default_rng(seed)
    track = MetricTrack(interval_s=interval_s, seed=seed)
    for _ in range(5):
        track.drive(float(rng.uniform(10, 40)), speed_kmh=float(rng.uniform(20, 80)))
        track.stop(float(rng.uniform(10, 60)), jitter_m=float(rng.uniform(5, 60)))
    track.drive(20)
    ours, theirs = _lonlat_stops(track)
    assert theirs, "the track should have stops"
    assert ours == theirs


@pytest.mark.parametrize("seed", [11, 12, 13, 14])
def test_jittery_tracks_have_movingpandas_stops_exactly(seed):
    """Jitter around the diameter, slow creeping and short stops: every decision is a near one."""
    rng = np.random.default_rng(seed)
    track = MetricTrack(interval_s=float(rng.choice([10, 20, 30])), seed=seed)
    for _ in range(6):
        track.drive(float(rng.uniform(1, 8)), speed_kmh=float(rng.uniform(3, 60)))
        track.stop(float(rng.uniform(8, 40)), jitter_m=float(rng.uniform(30, 80)))
    ours, theirs = _lonlat_stops(track, 150, 600)
    assert theirs, "the track should have stops"
    assert ours == theirs


def test_lonlat_diameter_is_the_rectangle_fitted_in_degrees():
    # Four fixes on a 100 m x 100 m square (metres), given in lon/lat: MovingPandas fits the rectangle in degrees.
    track = MetricTrack()
    track.t, track.x, track.y = [0, 1, 2, 3], [0, 100, 100, 0], [0, 0, 100, 100]
    lon, lat = track.lonlat()
    assert mrr_diagonal_lonlat_m(lon, lat) == pytest.approx(np.hypot(100, 100), rel=0.01)


def _brute_force_lonlat(t, lon, lat, max_diameter_m, min_duration_s):
    """In degrees: exact geodesics and a rectangle for every window."""
    def stopped(wx, wy):
        return (_Geodesic.exact(wx.min(), wy.min(), wx.max(), wy.max()) < 1.5 * max_diameter_m
                and mrr_diagonal_lonlat_m(wx, wy) < max_diameter_m)

    return _brute_force(t, lon, lat, min_duration_s, stopped)


@pytest.mark.parametrize("seed", [4, 5, 6])
def test_lonlat_shortcuts_give_the_same_stops_as_fitting_every_window(seed):
    rng = np.random.default_rng(seed)
    track = MetricTrack(interval_s=10, seed=seed)
    for _ in range(3):
        track.drive(float(rng.uniform(2, 6))).stop(float(rng.uniform(5, 40)), jitter_m=float(rng.uniform(20, 70)))
    track.drive(2)
    lon, lat = track.lonlat()
    spans = detect_stops_lonlat(track.t, lon, lat, 150, 600)
    assert spans, "the track should have stops"
    assert spans == _brute_force_lonlat(track.t, lon, lat, 150, 600)
