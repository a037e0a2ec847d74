"""The layers hold: declared for import-linter and checked; public names only; one training loop."""
import ast
import os
import re
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGES = ("landscape", "analysis", "figures", "benchmarks", "explorer")


def _lint(cwd):
    exe = shutil.which("lint-imports", path=os.path.dirname(sys.executable)) or shutil.which("lint-imports")
    env = dict(os.environ, PYTHONPATH=cwd)
    return subprocess.run([exe, "--config", os.path.join(cwd, "pyproject.toml")], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def test_the_layer_contract_is_kept_and_can_fail(tmp_path):
    ok = _lint(ROOT)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "KEPT" in ok.stdout
    # a copy in which the core imports the analysis layer breaks the contract
    for pkg in PACKAGES:
        shutil.copytree(os.path.join(ROOT, pkg), tmp_path / pkg, ignore=shutil.ignore_patterns("out", "results"))
    shutil.copy(os.path.join(ROOT, "pyproject.toml"), tmp_path / "pyproject.toml")
    with open(tmp_path / "landscape" / "io.py", "a") as fh:
        fh.write("\nimport analysis  # noqa\n")
    bad = _lint(str(tmp_path))
    assert bad.returncode != 0 and "BROKEN" in bad.stdout


def _sources(*pkgs):
    for pkg in pkgs:
        for dirpath, _, files in os.walk(os.path.join(ROOT, pkg)):
            if "out" in dirpath.split(os.sep):
                continue
            for f in files:
                if f.endswith(".py"):
                    yield os.path.join(dirpath, f)


def test_higher_layers_use_only_public_names_of_landscape():
    private = re.compile(r"\blandscape(\.\w+)*\._\w|\bL(\.\w+)*\._\w|from landscape[\w.]* import [^\n]*\b_\w")
    found = []
    for path in _sources("analysis", "figures", "benchmarks", "explorer"):
        for i, line in enumerate(open(path), 1):
            if private.search(line):
                found.append(f"{os.path.relpath(path, ROOT)}:{i}: {line.strip()}")
    assert not found, "\n".join(found)


def test_no_training_loop_outside_landscape():
    loop = re.compile(r"lax\.(scan|fori_loop|while_loop)\(")
    found = []
    for path in _sources("analysis", "figures", "benchmarks", "explorer"):
        for i, line in enumerate(open(path), 1):
            if loop.search(line) and "not training" not in line:
                found.append(f"{os.path.relpath(path, ROOT)}:{i}: {line.strip()}")
    assert not found, "loops in analysis must be numerical iterations marked '# not training: ...':\n" + "\n".join(found)


@pytest.mark.parametrize("pkg", ["landscape", "analysis", "figures", "explorer"])
def test_every_module_opens_with_its_contract(pkg):
    for path in _sources(pkg):
        doc = ast.get_docstring(ast.parse(open(path).read()))
        assert doc and len(doc) > 40, f"{path} has no module docstring stating its contract"
