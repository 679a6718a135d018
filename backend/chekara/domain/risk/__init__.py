"""Risk: selectivity channels for declarations from explainable rules (pure: no I/O).

Evidence in (evidence.py), a Hit per rule that fires (rules.py), a score and
a channel out (engine.py), all parameters from one file (ruleset.py).
"""

from chekara.domain.risk.engine import Assessment, assess, random_draw
from chekara.domain.risk.evidence import AlertFact, DeclarationEvidence, FindingFact, GoodsLineFact, WeighingFact
from chekara.domain.risk.rules import RULES, Hit
from chekara.domain.risk.ruleset import CHANNELS, Ruleset, RulesetError, parse_ruleset

__all__ = [
    "AlertFact", "Assessment", "CHANNELS", "DeclarationEvidence", "FindingFact", "GoodsLineFact", "Hit",
    "RULES", "Ruleset", "RulesetError", "WeighingFact", "assess", "parse_ruleset", "random_draw",
]
