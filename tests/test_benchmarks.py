"""The benchmark suite runs end to end (quick sizes) and writes its tables."""

import json
import subprocess
import sys


def test_quick_suite_writes_results(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "benchmarks", "grid", "population", "stream", "deep", "--quick", "--out", str(tmp_path)],
        check=True,
        timeout=600,
    )
    files = list(tmp_path.glob("*-quick.json"))
    assert len(files) == 1
    res = json.loads(files[0].read_text())
    assert set(res["cases"]) == {"grid", "population", "stream", "deep"}
    for case in res["cases"].values():
        assert case["peak_rss_mb"] > 0
    assert res["cases"]["grid"]["ratio_exact_over_mc"] > 1
    assert res["cases"]["grid"]["mc_max_abs_error"] > 0  # Monte Carlo is compared against the exact values
    deep = res["cases"]["deep"]
    assert 0 <= deep["born_dead_bias_probability"] <= 1 and deep["born_dead_networks"] == 2000
    assert (tmp_path / files[0].name.replace(".json", ".md")).read_text().startswith("Device:")


def test_unknown_case_is_refused(tmp_path):
    r = subprocess.run(
        [sys.executable, "-m", "benchmarks", "nope", "--out", str(tmp_path)], capture_output=True, text=True
    )
    assert r.returncode == 2 and "known: stream" in r.stderr
