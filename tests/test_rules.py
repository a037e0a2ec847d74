"""Every verdict rule fed numbers directly: each reaches every verdict it can, and says which it cannot."""

import pytest

from analysis import rules as R

# (rule, args, kwargs, expected verdict)
TABLE = [
    (R.always, (19, 20), {}, "confirmed"),
    (R.always, (10, 20), {}, "refuted"),
    (R.always, (15, 20), {"moving": 5}, "inconclusive"),
    (R.always, (0, 0), {}, "inconclusive"),
    (R.never, (0, 50), {}, "confirmed"),
    (R.never, (1, 50), {}, "refuted"),
    (R.never, (0, 50), {"moving": 3}, "inconclusive"),
    (R.never, (None, 50), {}, "inconclusive"),
    (R.sometimes, (3, 50), {}, "confirmed"),
    (R.sometimes, (0, 100), {}, "refuted"),
    (R.sometimes, (0, 10), {}, "inconclusive"),
    (R.sometimes, (0, 100), {"moving": 4}, "inconclusive"),
    (R.equals, (0.9174, 1.0), {"tol": 1e-2}, "refuted"),
    (R.equals, (0.999, 1.0), {"tol": 1e-2}, "confirmed"),
    (R.equals, (None, 1.0), {"tol": 1e-2}, "inconclusive"),
    (R.at_most, (0.07, 0.01), {}, "refuted"),
    (R.at_most, (0.0, 0.0), {}, "confirmed"),
    (R.at_most, (float("nan"), 0.0), {}, "inconclusive"),
    (R.at_least, (4, 3), {}, "confirmed"),
    (R.at_least, (2, 3), {}, "refuted"),
    (R.at_least, (None, 3), {}, "inconclusive"),
    (R.differ, (0.5, 0.0), {"tol": 0.0}, "confirmed"),
    (R.differ, (0.0, 0.5), {"tol": 0.0}, "refuted"),
    (R.differ, (None, 0.5), {"tol": 0.0}, "inconclusive"),
    (R.agrees, (0.70, 0.003, 0.699), {}, "confirmed"),
    (R.agrees, (0.60, 0.003, 0.699), {}, "refuted"),
    (R.agrees, (0.70, None, 0.699), {}, "inconclusive"),
    (R.smooth, (1000, 0, 0.0), {}, "confirmed"),
    (R.smooth, (1000, 1, 0.001), {"where": "(0, 0)"}, "conditional"),
    (R.smooth, (1000, 300, 0.3), {}, "refuted"),
    (R.smooth, (0, 0, 0.0), {}, "inconclusive"),
    (R.depends_on, ([0.5, 1.0, 2.0],), {"tol": 1e-6}, "confirmed"),
    (R.depends_on, ([1.0, 1.0, 1.0],), {"tol": 1e-6, "minibatch": [(2, 64), (60, 64)]}, "conditional"),
    (R.depends_on, ([1.0, 1.0, 1.0],), {"tol": 1e-6, "minibatch": [(30, 64), (32, 64)]}, "refuted"),
    (R.depends_on, ([1.0, 1.0],), {"tol": 1e-6}, "refuted"),
    (R.depends_on, ([],), {"tol": 1e-6}, "inconclusive"),
    (R.more_likely, (40, 50, 5, 50), {}, "confirmed"),
    (R.more_likely, (5, 50, 40, 50), {}, "refuted"),
    (R.more_likely, (12, 50, 10, 50), {}, "inconclusive"),
    (R.more_likely, (1, 0, 1, 5), {}, "inconclusive"),
    (R.within_budget, (-1, 2000), {}, "confirmed"),
    (R.within_budget, (-1, 2000), {"later_step": 19125, "later_budget": 50000}, "conditional"),
    (R.within_budget, (150, 2000), {}, "refuted"),
    (R.within_budget, (None, 2000), {}, "inconclusive"),
    (R.stuck, (5, 3, 100), {}, "confirmed"),
    (R.stuck, (0, 30, 100), {}, "conditional"),
    (R.stuck, (0, 0, 100), {}, "refuted"),
    (R.stuck, (0, 0, 0), {}, "inconclusive"),
    (R.stuck, (0, 3, 100), {"escaping": 40}, "confirmed"),
    (R.stuck, (0, 3, 100), {"escaping": 0}, "conditional"),
    (R.proven_for_each, ({"k=7": (4, 4), "k=8": (2, 1)},), {}, "confirmed"),
    (R.proven_for_each, ({"k=6": (0, 0), "k=7": (4, 4)},), {}, "inconclusive"),
    (R.proven_for_each, ({"k=7": (3, 0)},), {}, "inconclusive"),
    (R.proven_for_each, ({},), {}, "inconclusive"),
]


@pytest.mark.parametrize("rule, args, kwargs, expected", TABLE, ids=[f"{t[0].__name__}-{t[3]}" for t in TABLE])
def test_rule_reaches_its_verdict(rule, args, kwargs, expected):
    j = rule(*args, **kwargs)
    assert j.verdict == expected, j.reason
    assert j.reason  # every verdict says why, in words built from the numbers


def test_every_rule_reaches_each_verdict_its_docstring_allows():
    reached = {}
    for rule, _, _, v in TABLE:
        reached.setdefault(rule.__name__, set()).add(v)
    assert set(reached) == set(R.RULES)  # every rule is in the table
    for name, rule in R.RULES.items():
        doc = " ".join(rule.__doc__.lower().split())
        missing = set(R.STATEMENT_VERDICTS) - reached[name]
        for v in missing:
            # a verdict a rule cannot reach is named in its docstring, with the reason
            assert f"never {v}" in doc, (name, v)


@pytest.mark.parametrize(
    "verdicts, claim",
    [
        (["confirmed", "confirmed"], "confirmed"),
        (["confirmed", "conditional"], "conditional"),
        (["conditional", "inconclusive"], "inconclusive"),
        (["confirmed", "refuted"], "partly refuted"),
        (["conditional", "refuted", "inconclusive"], "partly refuted"),
        (["refuted", "refuted"], "refuted"),
    ],
)
def test_claim_verdict_from_statements(verdicts, claim):
    assert R.claim_verdict(verdicts) == claim
    assert claim in R.CLAIM_VERDICTS


def test_a_refuted_statement_is_never_reported_as_conditional_or_confirmed():
    import itertools

    for n in (1, 2, 3):
        for combo in itertools.product(R.STATEMENT_VERDICTS, repeat=n):
            v = R.claim_verdict(combo)
            if "refuted" in combo:
                assert v in ("refuted", "partly refuted"), combo
            else:
                assert v in ("confirmed", "conditional", "inconclusive"), combo
    with pytest.raises(ValueError, match="at least one"):
        R.claim_verdict([])
    with pytest.raises(ValueError, match="unknown statement verdict"):
        R.claim_verdict(["nuanced"])
