"""Each claim's verdict follows the model: change a setting and watch the verdict change (quick sizes)."""

import pytest
from test_verify import QUICK_VERDICTS

from analysis.claims import CLAIMS

# (claim, settings that change the model, the claim's verdict then)
FLIPS = [
    ("Q1", dict(student="leaky_relu:0.3"), "refuted"),
    ("Q2", dict(lr=1.5), "refuted"),
    ("Q3", dict(student="identity", teacher="identity"), "confirmed"),
    ("Q4", dict(student="leaky_relu:0.3"), "partly refuted"),
    ("Q5", dict(student="identity"), "partly refuted"),
    ("C1", dict(alternative="relu"), "partly refuted"),
    ("C2", dict(student="leaky_relu:0.3"), "refuted"),
    ("A1", dict(student="softplus"), "refuted"),
    ("A2", dict(teacher="zero"), "refuted"),
    ("A3", dict(student="identity", teacher="identity"), "refuted"),
    ("A4", dict(teacher="abs"), "partly refuted"),
    ("A5", dict(lr=1.5), "refuted"),
    ("A6", dict(student="identity"), "refuted"),
    ("A7", dict(student="elu", steps=200, mb_seeds=4), "confirmed"),
    ("A8", dict(steps=10), "conditional"),
    ("A9", dict(steps=10), "refuted"),
    ("A10", dict(activations=("relu",)), "confirmed"),
    ("A11", dict(students=("relu",)), "refuted"),
    ("A12", dict(student="elu", steps=200, mb_seeds=4), "confirmed"),
    ("A13", dict(slopes=(0.5, 0.8)), "inconclusive"),
]


def test_every_claim_has_a_flip():
    assert [f[0] for f in FLIPS] == list(CLAIMS)


@pytest.mark.parametrize("cid, settings, flipped", FLIPS, ids=[f[0] for f in FLIPS])
def test_verdict_follows_the_model(cid, settings, flipped):
    v = CLAIMS[cid].check(quick=True, **settings)
    assert v.verdict != QUICK_VERDICTS[cid], v.summary
    assert v.verdict == flipped, v.summary
