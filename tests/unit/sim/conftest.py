"""A geography from geodata/ and a few seeded scenarios, generated once for the simulator's unit tests."""

from __future__ import annotations

import pytest

from chekara.config import get_settings
from chekara.sim.geography import SimGeography, geography_from_geodata
from chekara.sim.scenario import Scenario, generate_scenario
from chekara.sim.spec import AnomalyRates, ScenarioSpec

#: Three hours of traffic, two minutes of it live, a server that sweeps every second.
BASE = dict(convoys=20, history_s=3 * 3600 - 120, live_s=120.0, sweep_interval_s=1.0, catch_up_allowance_s=12.0,
            tick_s=1.0)


@pytest.fixture(scope="session")
def geography() -> SimGeography:
    return geography_from_geodata(get_settings().geodata_dir)


@pytest.fixture(scope="session")
def quiet(geography) -> Scenario:
    """Normal traffic only."""
    return generate_scenario(ScenarioSpec(seed=5, rates=AnomalyRates.none(), **BASE), geography, "T1")


@pytest.fixture(scope="session")
def eventful(geography) -> Scenario:
    """Every kind of anomaly, at higher rates than the default."""
    rates = AnomalyRates(route_deviation=0.3, unauthorized_stop=0.3, signal_loss=0.3, overdue_arrival=0.1,
                         escort_separation=0.2, gps_jump=0.2, weight_discrepancy=0.2, undeclared_vehicle=0.1,
                         plate_mismatch=0.1, transit_never_closed=0.1)
    return generate_scenario(ScenarioSpec(seed=8, rates=rates, **BASE), geography, "T2")
