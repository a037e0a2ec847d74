"""Static checks of the package's code: ruff (lint and format) and pyright (basic mode), zero findings.

The configurations are in pyproject.toml; these tests run the same commands a contributor runs
(CONTRIBUTING.md). pyright checks against this interpreter's installed packages.
"""

import os
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _tool(name):
    exe = shutil.which(name, path=os.path.dirname(sys.executable)) or shutil.which(name)
    if exe is None:
        pytest.fail(f"{name} is not installed: it is part of the test extras (pip install -e '.[test]')")
    return exe


def _run(*argv, timeout=600):
    return subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False)


def test_ruff_finds_nothing():
    r = _run(_tool("ruff"), "check", "--no-cache", ".")
    assert r.returncode == 0, r.stdout + r.stderr


def test_ruff_format_leaves_the_code_as_it_is():
    r = _run(_tool("ruff"), "format", "--check", "--no-cache", ".")
    assert r.returncode == 0, r.stdout + r.stderr


def test_pyright_finds_nothing():
    r = _run(_tool("pyright"), "--pythonpath", sys.executable, timeout=900)
    assert r.returncode == 0 and "0 errors" in r.stdout, r.stdout[-4000:] + r.stderr[-2000:]
