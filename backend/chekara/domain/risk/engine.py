"""The risk assessment: every rule over the evidence, a score, a channel, and a fair random draw.

score = the sum of the weights of the rules that hit (capped at 100). The
channel is the highest whose threshold the score reaches. Random selection
draws from a hash of the ruleset's seed and the declaration number: the same
declaration always draws the same, nobody can predict it without the seed,
and over many declarations the share selected is the configured rate.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from chekara.domain.risk.evidence import DeclarationEvidence
from chekara.domain.risk.rules import RULES, Hit
from chekara.domain.risk.ruleset import CHANNELS, Ruleset

MAX_SCORE = 100.0


@dataclass(frozen=True)
class Assessment:
    score: float
    channel: str
    hits: tuple[Hit, ...]
    ruleset_version: str


def random_draw(seed: str, number: str) -> float:
    """A number in [0, 1) fixed by the seed and the declaration number."""
    digest = hashlib.sha256(f"{seed}\x00{number}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def assess(evidence: DeclarationEvidence, ruleset: Ruleset) -> Assessment:
    hits = []
    for name, (weight, params) in ruleset.rules.items():
        hit = RULES[name](evidence, params, weight)
        if hit is not None:
            hits.append(hit)
    score = min(sum(h.weight for h in hits), MAX_SCORE)
    channel = ruleset.channel_for_score(score)
    draw = random_draw(ruleset.random.seed, evidence.number)
    if draw < ruleset.random.rate:
        hits.append(Hit("random_selection", 0.0, f"selected at random (rate {ruleset.random.rate:.0%})"))
        if CHANNELS.index(ruleset.random.channel) > CHANNELS.index(channel):
            channel = ruleset.random.channel
    return Assessment(score, channel, tuple(hits), ruleset.version)
