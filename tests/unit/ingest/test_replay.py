"""The pure half of the late-fix replay: the run over a track, and episodes out of its events."""

from datetime import UTC, datetime, timedelta

from chekara.domain.detection import AlertRaised, AlertResolved, DetectionThresholds, EnrichedFix
from chekara.ingest.episodes import episodes_of
from chekara.ingest.replay import TrackFix, run_track

T = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
ORIGIN, DESTINATION = 1, 2


def _track(places: list[tuple[float, float | None, int | None]]) -> list[TrackFix]:
    """One truck fix a minute per (lon, corridor distance in metres, checkpoint id)."""
    return [
        TrackFix(EnrichedFix("TRK-1", T + timedelta(minutes=i), lon, 42.0, 60.0, 80.0, distance_m, 500.0, None,
                             None, "vehicle"), checkpoint)
        for i, (lon, distance_m, checkpoint) in enumerate(places)
    ]


def _run(track: list[TrackFix], planned: bool = False):
    return run_track(track, planned=planned, origin_id=ORIGIN, destination_id=DESTINATION,
                     thresholds=DetectionThresholds())


def test_a_planned_trip_departs_at_its_first_fix_outside_the_origin_and_arrives_at_the_destination():
    track = _track([(74.0, 0, ORIGIN), (74.01, 0, ORIGIN), (74.02, 0, None), (74.03, 0, DESTINATION), (74.04, 0, None)])
    run = _run(track, planned=True)
    assert run.departure is track[2] and run.arrival is track[3]
    assert run.detected == track[2:4] and run.moved == track[:4]  # the fix after the arrival is not examined


def test_a_deviation_in_the_track_is_one_episode_with_its_end():
    outside = [(74.0 + i * 0.01, 3000, None) for i in range(4)]
    run = _run(_track([(73.99, 0, None), *outside, (74.05, 0, None)]))
    (episode,) = episodes_of(run.events)
    assert episode.raised.type == "route_deviation" and episode.resolved is not None
    assert episode.start == T + timedelta(minutes=1) and episode.end == T + timedelta(minutes=5)


def test_episodes_pair_each_raise_with_the_next_resolution_of_its_type_and_key():
    events = [
        AlertRaised("unauthorized_stop", T, key="A"), AlertRaised("unauthorized_stop", T, key="B"),
        AlertResolved("unauthorized_stop", T + timedelta(minutes=1), key="A"),
        AlertRaised("unauthorized_stop", T + timedelta(minutes=2), key="A"),
        AlertResolved("low_battery", T, key="A"),  # nothing raised it in the replay: ignored
    ]
    first_a, b, second_a = episodes_of(events)
    assert first_a.end == T + timedelta(minutes=1)
    assert b.end is None and second_a.end is None and second_a.raised.ts == T + timedelta(minutes=2)
