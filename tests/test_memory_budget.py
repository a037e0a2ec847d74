"""The suite's memory check can fail: a test, or a module's fixture, that takes the process over the budget
(RELU_LANDSCAPE_MEMORY_BUDGET_GB) fails with the peak named; under the budget both pass."""

import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

PROBE = """
import numpy as np
import pytest


@pytest.fixture(scope="module")
def big():
    yield np.ones(int(os.environ["PROBE_FIXTURE_MB"]) * 2**17).sum()


def test_in_a_module_fixture(big):
    assert big > 0


def test_in_a_test():
    assert np.ones(int(os.environ["PROBE_TEST_MB"]) * 2**17).sum() > 0
"""


def _run(tmp_path, budget_gb, fixture_mb, test_mb):
    probe = os.path.join(ROOT, "tests", f"test_zz_memory_probe_{os.getpid()}.py")
    with open(probe, "w") as fh:
        fh.write("import os\n" + PROBE)
    try:
        env = {
            **os.environ,
            "RELU_LANDSCAPE_MEMORY_BUDGET_GB": str(budget_gb),
            "PROBE_FIXTURE_MB": str(fixture_mb),
            "PROBE_TEST_MB": str(test_mb),
        }
        env.pop("PYTEST_XDIST_WORKER", None)
        r = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "addopts=", probe],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        os.remove(probe)
    return r.stdout + r.stderr


def test_the_memory_budget_fails_a_module_fixture_and_a_test_over_it_and_passes_under_it(tmp_path):
    out = _run(tmp_path, 1.5, fixture_mb=2400, test_mb=10)  # the module's fixture crosses 1.5 GiB
    assert "this module (its fixtures included) raised" in out and "1 error" in out, out[-1500:]
    out = _run(tmp_path, 1.5, fixture_mb=10, test_mb=2400)  # one test crosses it
    assert "this test raised the process's peak" in out and "1 error" in out, out[-800:]
    assert "this module (its fixtures included)" not in out, out[-800:]  # said once
    out = _run(tmp_path, 3.0, fixture_mb=100, test_mb=100)
    assert "2 passed" in out and "budget" not in out, out[-800:]
