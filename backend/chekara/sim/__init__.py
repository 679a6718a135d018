"""The scenario simulator: a living border with known truth (docs/DETECTION.md).

Three parts that do not mix:

- generation, pure (no I/O, one random.Random(seed)): ``generate_scenario``
  turns a ScenarioSpec and a SimGeography into a Scenario — convoys, their
  fixes and checkpoint actions, and every InjectedAnomaly with its truth;
- feeding over HTTP (Feeder, ChekaraApi), as the platform's devices,
  cameras, weighbridges and officers would;
- evaluation (collect_observed, score): what the platform raised against
  the ground truth.

``run_simulation`` puts the three together for one run.
"""

from .evaluation import Evaluation, collect_observed, score
from .feeder import Feeder
from .geography import SimGeography, geography_from_api, geography_from_geodata
from .run import RunResult, run_simulation
from .scenario import Scenario, generate_scenario
from .spec import AnomalyRates, ScenarioSpec
from .truth import AnomalyKind, ExpectedSignal, GroundTruth, InjectedAnomaly

__all__ = [
    "AnomalyKind", "AnomalyRates", "Evaluation", "ExpectedSignal", "Feeder", "GroundTruth", "InjectedAnomaly",
    "RunResult", "Scenario", "ScenarioSpec", "SimGeography", "collect_observed", "generate_scenario",
    "geography_from_api", "geography_from_geodata", "run_simulation", "score",
]
