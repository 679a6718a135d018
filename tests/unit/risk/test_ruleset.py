import pytest

from chekara.domain.risk.ruleset import RulesetError, parse_ruleset

GOOD = """
version = "t1"
[channels]
blue = 10
yellow = 25
red = 50
[random]
rate = 0.1
seed = "s"
[rules.overweight]
weight = 30
"""


def test_a_minimal_ruleset():
    r = parse_ruleset(GOOD, lambda n: "")
    assert r.version == "t1" and r.rules == {"overweight": (30.0, {})}
    assert [r.channel_for_score(s) for s in (0, 9.9, 10, 25, 49, 50, 100)] == \
        ["green", "green", "blue", "yellow", "yellow", "red", "red"]


@pytest.mark.parametrize("broken, message", [
    (GOOD.replace('version = "t1"', ""), "version"),
    (GOOD.replace("red = 50", "red = 5"), "rise"),
    (GOOD.replace("rate = 0.1", "rate = 2"), "between 0 and 1"),
    (GOOD.replace("[rules.overweight]", "[rules.astrology]"), "unknown rule"),
    (GOOD.replace("weight = 30", 'weight = "heavy"'), "weight"),
    (GOOD + "\n[rules.weight_discrepancy]\nweight = 1\n", "tolerance_pct"),
    ("not toml [", "TOML"),
])
def test_bad_rulesets_are_refused_with_the_reason(broken, message):
    with pytest.raises(RulesetError, match=message):
        parse_ruleset(broken, lambda n: "")
