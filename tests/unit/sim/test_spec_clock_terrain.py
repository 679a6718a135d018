"""The run's parameters and clock, the command line's parsing, terrain speeds and motion."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime

import numpy as np
import pytest
import typer

from chekara.cli.simulate import parse_duration, parse_rates
from chekara.sim.clock import SimClock
from chekara.sim.motion import MotionBuilder, escort_lagging
from chekara.sim.spec import AnomalyRates, ScenarioSpec
from chekara.sim.terrain import is_mountain, speed_profile


def test_duration_and_speed_split_the_scenario_into_a_catch_up_and_a_live_part():
    spec = ScenarioSpec.from_duration(7200, speed=60)
    assert (spec.history_s, spec.live_s, spec.end_s) == (7080, 120, 7200)
    assert ScenarioSpec.from_duration(600, speed=1).history_s == 0  # real time: nothing to catch up
    with pytest.raises(ValueError, match="future"):
        ScenarioSpec.from_duration(600, speed=0.5)


def test_clock_driven_anomalies_end_after_the_catch_up_and_a_sweep_and_before_the_end():
    spec = ScenarioSpec(history_s=3000, live_s=120, sweep_interval_s=30, catch_up_allowance_s=20, tick_s=2)
    assert spec.observable_from_s == 3000 + 20 + 30 + 5
    assert spec.latest_end_s == 3120 - 5


def test_rates_are_shares_between_0_and_1():
    with pytest.raises(ValueError):
        AnomalyRates(route_deviation=1.5)
    assert all(v == 0 for v in vars(AnomalyRates.none()).values())


@pytest.mark.parametrize("text, seconds", [("90m", 5400), ("2h", 7200), ("45s", 45), ("3600", 3600), ("1.5h", 5400)])
def test_durations_are_written_the_way_people_write_them(text, seconds):
    assert parse_duration(text) == seconds


def test_a_bad_duration_or_rate_is_refused_with_the_names_that_are_allowed():
    with pytest.raises(typer.BadParameter):
        parse_duration("soon")
    with pytest.raises(typer.BadParameter, match="route_deviation"):
        parse_rates(["speeding=0.3"])
    assert parse_rates(["signal_loss=0.5"]).signal_loss == 0.5


def test_the_clock_puts_the_history_in_the_past_and_writes_bishkek_dates():
    now = datetime(2026, 5, 1, 20, 30, tzinfo=UTC)
    clock = SimClock.starting_now(3600, lambda: now)
    assert clock.instant(3600) == datetime(2026, 5, 1, 20, 30, 1, tzinfo=UTC)
    assert clock.bishkek_date(3600) == date(2026, 5, 2)  # 02:30 the next morning in Bishkek
    assert clock.bishkek_iso(3600).endswith("+06:00")
    assert clock.now_s() == pytest.approx(3599)


def test_trucks_slow_down_on_the_passes_and_speed_up_on_the_plain(geography):
    route = next(r for r in geography.routes if (r.corridor, r.origin) == ("BISHKEK-OSH", "BISHKEK"))
    profile = speed_profile(route, random.Random(1), pace=1.0)
    mountain = [s for start, s in zip(profile.start_m, profile.speed_kmh) if is_mountain(route, start + 2000)]
    plain = [s for start, s in zip(profile.start_m, profile.speed_kmh)
             if not is_mountain(route, start + 2000) and 5000 < start < route.length_m - 5000]
    assert mountain and plain and max(mountain) <= 55 < 65 <= min(plain)  # passes 25-40, gorges up to 50


def test_a_detour_leaves_the_line_sideways_and_comes_back_to_the_same_place(geography):
    route = next(r for r in geography.routes if (r.corridor, r.origin) == ("CHALDYBAR-BISHKEK", "CHALDYBAR"))
    motion = MotionBuilder(route, 0, 40_000).wait(60).detour(3000, 1, 240, 60, 240).wait(60).build()  # Chuy valley
    x, y = motion.positions_m(route, np.array([0.0, 60 + 240 + 30, motion.end_s]))
    distance = route.distance_to_line_m(x, y)
    assert distance[0] < 1 and 2900 < distance[1] <= 3001 and distance[2] < 1


def test_an_escort_that_stopped_catches_up_and_then_keeps_its_place(geography):
    route = next(r for r in geography.routes if r.length_m > 200_000)
    profile = speed_profile(route, random.Random(2), pace=1.0)
    leader = MotionBuilder(route, 0, 20_000).drive_to(120_000, profile).build()
    escort = escort_lagging(leader, -150, route.length_m, stop_from_s=600, stop_s=480, catch_up_kmh=35)
    behind = lambda t: float(np.interp(t, leader.t_s, leader.progress_m) - np.interp(t, escort.t_s, escort.progress_m))
    assert behind(600 + 480) > 5_000
    assert behind(leader.end_s) == pytest.approx(150, abs=1)
    speeds = np.diff(escort.progress_m) / np.diff(escort.t_s) * 3.6
    assert speeds.max() < 180


def test_a_bigger_past_is_given_more_time_to_catch_up():
    small = ScenarioSpec.from_duration(7200, 40, convoys=24)
    large = ScenarioSpec.from_duration(3 * 3600, 90, convoys=100)
    assert small.catch_up_allowance_s == 20.0
    assert large.catch_up_allowance_s > 60 and large.observable_from_s > large.history_s + 60
    assert ScenarioSpec.from_duration(3600, 90, convoys=10, catch_up_allowance_s=12).catch_up_allowance_s == 12
