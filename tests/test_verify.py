"""The verification and the figures from one quick run: the report, the README table, each verdict
following the model, and the figures drawing the very numbers the claims read."""

import json
import os

import numpy as np
import pytest
from PIL import Image

from analysis import registry
from analysis.__main__ import main as analysis_main
from analysis.claims import CLAIMS, EXTENSION
from analysis.rules import CLAIM_VERDICTS, STATEMENT_VERDICTS
from figures.__main__ import FIGURES
from figures.__main__ import main as figures_main


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """``verify --quick`` (filling a README), then every figure in quick mode from the same cache."""
    out = tmp_path_factory.mktemp("out")
    readme = out / "README.md"
    readme.write_text("intro\n<!-- verdicts:start -->\nSTALE-TABLE\n<!-- verdicts:end -->\nrest\n")
    cache = str(out / ".cache")
    assert analysis_main(["verify", "--quick", "--out", str(out), "--readme", str(readme), "--cache", cache]) == 0
    assert figures_main(["--quick", "--no-verify", "--out", str(out)]) == 0
    data = json.loads((out / "report.json").read_text())
    registry.set_cache_dir(cache)
    return {
        "out": out,
        "data": data,
        "by_id": {c["id"]: c for c in data["claims"]},
        "md": (out / "report.md").read_text(),
        "readme": readme.read_text(),
    }


def test_report_covers_every_claim_statement_by_statement(run):
    data = run["data"]
    assert [c["id"] for c in data["claims"]] == list(CLAIMS)
    for c in data["claims"]:
        assert set(c) >= {"id", "verdict", "evidence", "settings", "statements"}
        assert c["verdict"] in CLAIM_VERDICTS and c["statements"] and c["settings"]
        for s in c["statements"]:
            assert set(s) >= {"text", "verdict", "evidence", "settings"}
            assert s["verdict"] in STATEMENT_VERDICTS and s["evidence"] and s["reason"]
        if any(s["verdict"] == "refuted" for s in c["statements"]):
            assert c["verdict"] in ("refuted", "partly refuted")
    assert [r["id"] for r in data["extension"]] == list(EXTENSION)
    assert all(r["status"] in ("agrees", "differs", "no reference") for r in data["extension"])
    assert "versions" in data["provenance"] and data["quick"] is True and data["partial"] is False
    assert "## Verdicts" in run["md"] and "**partly refuted**" in run["md"] and '<a id="a6-s2"></a>' in run["md"]


def test_readme_table_is_filled_and_links_to_the_evidence(run):
    readme = run["readme"]
    assert "STALE-TABLE" not in readme and "| Q1 | question |" in readme
    assert readme.startswith("intro\n") and readme.endswith("rest\n")
    assert "(figures/out/report.md#a1-s2)" in readme


def test_the_defects_once_found_stay_fixed(run):
    by = run["by_id"]
    # A1: the gradient left of 0 is L'(w) = w, not zero
    assert by["A1"]["statements"][1]["verdict"] == "refuted"
    # A6: w goes to 0.917, not 1; and 1 is not this student's optimum
    assert [s["verdict"] for s in by["A6"]["statements"]][1:] == ["refuted", "refuted"]
    assert abs(by["A6"]["statements"][2]["evidence"]["optimum_w"] - 0.9174) < 1e-3
    # A8: momentum 0.9 does cross; the momentum needed comes from root finding, not a grid
    a8 = by["A8"]["statements"][0]
    assert a8["verdict"] == "refuted" and abs(a8["evidence"]["momentum_needed_within_budget"] - 0.81002) < 1e-4
    assert a8["evidence"]["threshold_tolerance"] <= 1e-11
    # Q3: smoothness is measured (a finite set of kinks), not typed in
    q3 = by["Q3"]["statements"][0]
    assert q3["verdict"] == "conditional" and q3["evidence"]["nonsmooth_points"] >= 1
    # A13: the growth at c = 1 agrees with the exact finite-width rate, not with +0.1 per layer
    g = registry.run("gradient_growth", quick=True)
    i1 = list(g["slopes"]).index(1.0)
    assert abs(g["rate"][i1] - g["finite_width"][i1]) <= 3 * g["stderr"][i1]
    # Q4 and A10 report the runs still moving instead of counting them as stuck
    assert "moving" in by["Q4"]["statements"][0]["evidence"]
    assert all("still_moving_above_optimum" in s["evidence"] for s in by["A10"]["statements"])
    # the settings maps keep the original experiment's setting as a column
    q4map = by["Q4"]["maps"][0]
    assert any(c["original"] for c in q4map["columns"]) and q4map["columns"][0]["label"].startswith("lr 0.01")


# the verdicts of the quick run (tests/test_flips.py changes the model and watches each one change)
QUICK_VERDICTS = {
    "Q1": "confirmed",
    "Q2": "confirmed",
    "Q3": "partly refuted",
    "Q4": "confirmed",
    "Q5": "inconclusive",
    "C1": "confirmed",
    "C2": "confirmed",
    "A1": "partly refuted",
    "A2": "confirmed",
    "A3": "confirmed",
    "A4": "confirmed",
    "A5": "confirmed",
    "A6": "partly refuted",
    "A7": "partly refuted",
    "A8": "partly refuted",
    "A9": "partly refuted",
    "A10": "conditional",
    "A11": "confirmed",
    "A12": "partly refuted",
    "A13": "confirmed",
}


def test_quick_verdicts(run):
    assert {c: run["by_id"][c]["verdict"] for c in CLAIMS} == QUICK_VERDICTS


def test_every_figure_is_a_valid_non_blank_image_with_a_sidecar(run):
    out = run["out"]
    imgs = sorted(p for p in os.listdir(out) if p.endswith((".png", ".gif")))
    assert len(imgs) == len(FIGURES) - 1 + 3  # animations make three GIFs
    for name in imgs:
        with Image.open(out / name) as im:
            im.verify()
        with Image.open(out / name) as im:
            arr = np.asarray(im.convert("RGB"), dtype=np.float64)
            assert arr.shape[0] > 100 and arr.shape[1] > 100
            assert arr.std() > 10, name  # not a blank canvas
            if name.endswith(".gif"):
                assert im.size[0] >= 600 and im.n_frames >= 40, (name, im.size, im.n_frames)
        side = json.loads((out / (os.path.splitext(name)[0] + ".json")).read_text())
        assert side["provenance"]["versions"]["jax"] and "commit" in side["provenance"]["source"]
        assert side["settings"]


def test_figures_draw_the_numbers_the_claims_read(run):
    out, by = run["out"], run["by_id"]
    basins = json.loads((out / "basins.json").read_text())["shown"]["panel0"]
    ev = by["Q4"]["statements"][0]["evidence"]
    assert basins["settings"]["optimizer"] == "sgd"
    n = ev["n"]
    assert basins["fractions"]["dead"] + basins["fractions"]["stationary"] == pytest.approx(ev["stuck"] / n)
    assert basins["fractions"]["moving"] == pytest.approx(ev["moving"] / n)
    acts = json.loads((out / "activations.json").read_text())["shown"]
    assert acts["leaky_relu(slope=0.3)"]["optimum_w"] == pytest.approx(
        by["A6"]["statements"][2]["evidence"]["optimum_w"]
    )
    back = json.loads((out / "backwards_start.json").read_text())["shown"]
    assert back["dead_level"] == pytest.approx(by["Q2"]["statements"][2]["evidence"]["dead_level"])
    four = json.loads((out / "four_parameter.json").read_text())["shown"]
    assert four["q3"]["reached"] == by["Q5"]["statements"][2]["evidence"]["w-a-_min"]


def test_instrument_figures_show_numbers_that_match_their_dense_references(run):
    spec = json.loads((run["out"] / "spectra.json").read_text())["shown"]
    for name in ("k7_global", "k7_spurious"):
        s = spec[name]
        assert abs(s["trace"] - s["dense_trace"]) < 4 * s["trace_se"], name  # Hutchinson within its error
        assert s["top"] == sorted(s["top"], reverse=True) and s["smallest_positive"] > 0
    assert spec["k7_global"]["loss"] == pytest.approx(0.0, abs=1e-12) and spec["k7_spurious"]["loss"] > 1e-3
    sl = json.loads((run["out"] / "slices.json").read_text())["shown"]
    assert sl["neuron_max_abs_difference_from_grid"] <= 1e-12 and sl["barrier"] > 0
    assert sl["net_dead_flat_share"] > 0.9 and sl["net_live_flat_share"] < 0.05


def test_born_dead_table_lists_every_depth(run):
    text = (run["out"] / "born_dead.md").read_text()
    rows = [line for line in text.splitlines() if line.startswith("| 10 |")]
    assert len(rows) == 2 and rows[0].count("all:") == 1


def test_a_partial_run_never_replaces_the_full_report_or_the_readme(run, tmp_path, capsys):
    out = run["out"]
    before = (out / "report.json").read_text()
    assert analysis_main(["verify", "--quick", "--only", "A2", "--out", str(out)]) == 0
    assert (out / "report.json").read_text() == before
    partial = json.loads((out / "report-partial.json").read_text())
    assert partial["partial"] is True and [c["id"] for c in partial["claims"]] == ["A2"]
    readme = tmp_path / "README.md"
    readme.write_text("<!-- verdicts:start -->\nx\n<!-- verdicts:end -->\n")
    assert analysis_main(["verify", "--quick", "--only", "A2", "--out", str(out), "--readme", str(readme)]) == 2
    assert "partial run" in capsys.readouterr().err and "x" in readme.read_text()


def test_bad_input_of_verify_and_figures(tmp_path, capsys):
    assert analysis_main(["verify", "--only", "A6,Z9", "--out", str(tmp_path)]) == 2
    assert "known: Q1" in capsys.readouterr().err
    blocked = tmp_path / "file"
    blocked.write_text("x")
    assert analysis_main(["verify", "--only", "A2", "--out", str(blocked / "sub")]) == 2
    assert "cannot write" in capsys.readouterr().err
    assert analysis_main(["verify", "--readme", str(tmp_path / "missing.md"), "--out", str(tmp_path)]) == 2
    assert "is not a file" in capsys.readouterr().err
    nomark = tmp_path / "R.md"
    nomark.write_text("no markers")
    assert analysis_main(["verify", "--readme", str(nomark), "--out", str(tmp_path)]) == 2
    assert "no <!-- verdicts:start -->" in capsys.readouterr().err
    assert not (tmp_path / "report.json").exists()
    assert figures_main(["nope", "--out", str(tmp_path)]) == 2
    assert "known: good_start" in capsys.readouterr().err
    assert figures_main(["kink", "--out", str(blocked / "sub")]) == 2
    assert not any(p.startswith(".") and p != ".cache" for p in os.listdir(tmp_path))
