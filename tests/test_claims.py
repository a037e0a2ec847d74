"""Claims: the whole quick verification, and each verdict flipping with the model."""
import json

import numpy as np
import pytest

from analysis.__main__ import main as analysis_main
from analysis.claims import CLAIMS, VERDICTS, Verdict


@pytest.fixture(scope="module")
def quick_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    readme = out / "README.md"
    readme.write_text("intro\n<!-- verdicts:start -->\nSTALE-TABLE\n<!-- verdicts:end -->\nrest\n")
    assert analysis_main(["verify", "--quick", "--out", str(out), "--readme", str(readme)]) == 0
    data = json.loads((out / "report.json").read_text())
    return {"data": data, "by_id": {c["id"]: c for c in data["claims"]}, "md": (out / "report.md").read_text(),
            "readme": readme.read_text()}


def test_report_covers_every_claim_with_numbers(quick_report):
    data = quick_report["data"]
    assert [c["id"] for c in data["claims"]] == list(CLAIMS)
    for c in data["claims"]:
        assert set(c) >= {"id", "source", "statement", "verdict", "evidence", "settings", "figures"}
        assert c["verdict"] in VERDICTS and c["evidence"] and c["settings"]
    assert "versions" in data["provenance"] and data["quick"] is True
    assert "| A9 |" in quick_report["md"] and "### Q1" in quick_report["md"]
    assert "STALE-TABLE" not in quick_report["readme"] and "| Q1 | question |" in quick_report["readme"]
    assert quick_report["readme"].startswith("intro\n") and quick_report["readme"].endswith("rest\n")


# (claim, expected verdict with the study's settings, settings that make it false, verdict then)
FLIPS = [
    ("Q1", "confirmed", dict(student=("leaky_relu", {"slope": 0.3})), "refuted"),
    ("Q2", "confirmed", dict(lr=1.5), "refuted"),
    ("Q3", "nuanced", dict(student="identity", teacher="identity"), "confirmed"),
    ("Q4", "confirmed", dict(student=("leaky_relu", {"slope": 0.3})), "refuted"),
    ("Q5", "confirmed", dict(student="identity"), None),
    ("C1", "confirmed", dict(alternative="relu", warmup="relu"), "refuted"),
    ("C2", "confirmed", dict(student=("leaky_relu", {"slope": 0.3})), "refuted"),
    ("A1", "nuanced", dict(student="softplus"), "refuted"),
    ("A2", "confirmed", dict(teacher="zero"), "refuted"),
    ("A3", "confirmed", dict(student="identity", teacher="identity"), "refuted"),
    ("A4", "confirmed", dict(student=("leaky_relu", {"slope": 0.3})), "refuted"),
    ("A5", "confirmed", dict(lr=1.5), "refuted"),
    ("A6", "nuanced", dict(student="relu"), "refuted"),
    ("A7", "nuanced", dict(lrs=np.geomspace(0.01, 0.9, 8)), "refuted"),
    ("A8", "nuanced", dict(lr_sgd=1e-4, momentum=0.5, lr_adam=1e-5, long_steps=100), "confirmed"),
    ("A9", "refuted", dict(lr_sgd=1.5), "confirmed"),
    ("A10", "confirmed", dict(trained=("w",)), "refuted"),
    ("A11", "confirmed", dict(activations=("relu",)), "refuted"),
    ("A12", "nuanced", dict(lrs=np.geomspace(0.05, 0.9, 8)), "refuted"),
    ("A13", "confirmed", dict(slopes=(0.5, 0.8)), "refuted"),
]


def test_every_claim_has_a_flip_test():
    assert [f[0] for f in FLIPS] == list(CLAIMS)


@pytest.mark.parametrize("cid, expected, settings, flipped", FLIPS, ids=[f[0] for f in FLIPS])
def test_verdict_follows_the_model(quick_report, cid, expected, settings, flipped):
    assert quick_report["by_id"][cid]["verdict"] == expected, quick_report["by_id"][cid]["summary"]
    v = CLAIMS[cid].check(quick=True, **settings)
    assert isinstance(v, Verdict)
    assert v.verdict != expected, v.summary
    if flipped is not None:
        assert v.verdict == flipped, v.summary


def test_bad_input_of_verify(tmp_path, capsys):
    assert analysis_main(["verify", "--only", "A6,Z9", "--out", str(tmp_path)]) == 2
    assert "known: Q1" in capsys.readouterr().err
    blocked = tmp_path / "file"
    blocked.write_text("x")
    assert analysis_main(["verify", "--only", "A2", "--out", str(blocked / "sub")]) == 2
    assert "cannot write" in capsys.readouterr().err
    assert not (tmp_path / "report.json").exists()
