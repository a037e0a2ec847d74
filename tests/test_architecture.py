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
    return subprocess.run(
        [exe, "--config", os.path.join(cwd, "pyproject.toml")],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


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


def _private(name):
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _module_of(path):
    rel = os.path.relpath(path, ROOT)[:-3].split(os.sep)
    return rel[:-1] if rel[-1] == "__init__" else rel


def _resolve(path, module, level):
    """The dotted module a ``from`` import names, as a list of parts (relative imports resolved)."""
    if level == 0:
        return module.split(".") if module else []
    here = _module_of(path)
    base = here if os.path.basename(path) == "__init__.py" else here[:-1]
    base = base[: len(base) - (level - 1)]
    return base + (module.split(".") if module else [])


def _is_ours_module(parts):
    if not parts or parts[0] not in PACKAGES + ("tests",):
        return False
    p = os.path.join(ROOT, *parts)
    return os.path.isdir(p) or os.path.isfile(p + ".py")


def private_uses(path):
    """Private names of another module used from ``path``: ``from m import _x``, imports from a private
    module, and ``alias._x`` where ``alias`` is one of the package's modules, whatever its alias."""
    with open(path) as fh:
        tree = ast.parse(fh.read())
    modules, found = {}, []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name.split(".")[0] in PACKAGES:
                    modules[a.asname or a.name.split(".")[0]] = a.name.split(".")
        elif isinstance(node, ast.ImportFrom):
            parts = _resolve(path, node.module, node.level)
            if not _is_ours_module(parts):
                continue
            if any(_private(p) for p in parts):
                found.append((node.lineno, f"imports from the private module {'.'.join(parts)}"))
            for a in node.names:
                if _private(a.name):
                    found.append((node.lineno, f"imports the private name {a.name} from {'.'.join(parts)}"))
                elif _is_ours_module(parts + [a.name]):
                    modules[a.asname or a.name] = parts + [a.name]
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _private(node.attr):
            root = node.value
            while isinstance(root, ast.Attribute):
                root = root.value
            if isinstance(root, ast.Name) and root.id in modules and modules[root.id] != _module_of(path):
                found.append(
                    (node.lineno, f"{ast.unparse(node)}: the private name {node.attr} of {'.'.join(modules[root.id])}")
                )
    return [f"{os.path.relpath(path, ROOT)}:{line}: {what}" for line, what in found]


def test_no_private_name_crosses_a_module_boundary():
    found = [f for path in _sources(*PACKAGES, "tests", "examples") for f in private_uses(path)]
    assert not found, "\n".join(found)


def test_the_private_name_check_catches_every_spelling(tmp_path):
    bad = tmp_path / "analysis" / "probe.py"
    os.makedirs(bad.parent)
    bad.write_text(
        "from landscape import cli as c\nfrom landscape import engine\nimport landscape.train as T\n"
        "from landscape.optimizers import _build\nfrom . import instruments as I\n"
        "c._x\nengine._PROGRESS\nT._store\nI._lanczos\n"
    )
    # resolve the probe as if it lived in analysis/ of this tree
    global ROOT
    saved = ROOT
    try:
        shutil.copytree(os.path.join(saved, "analysis"), tmp_path / "analysis", dirs_exist_ok=True)
        shutil.copytree(os.path.join(saved, "landscape"), tmp_path / "landscape")
        ROOT = str(tmp_path)
        found = private_uses(str(bad))
    finally:
        ROOT = saved
    assert len(found) == 5, found


def test_no_training_loop_outside_landscape():
    loop = re.compile(r"lax\.(scan|fori_loop|while_loop)\(")
    found = []
    for path in _sources("analysis", "figures", "benchmarks", "explorer"):
        with open(path) as fh:
            lines = fh.readlines()
        for i, line in enumerate(lines, 1):
            if loop.search(line) and "not training" not in line:
                found.append(f"{os.path.relpath(path, ROOT)}:{i}: {line.strip()}")
    assert not found, "loops in analysis must be numerical iterations marked '# not training: ...':\n" + "\n".join(
        found
    )


@pytest.mark.parametrize("pkg", ["landscape", "analysis", "figures", "explorer"])
def test_every_module_opens_with_its_contract(pkg):
    for path in _sources(pkg):
        with open(path) as fh:
            doc = ast.get_docstring(ast.parse(fh.read()))
        assert doc and len(doc) > 40, f"{path} has no module docstring stating its contract"


def test_only_the_studys_layers_are_installed_and_the_commands_run_from_the_root(tmp_path):
    """The wheel holds landscape, analysis and figures; explorer and benchmarks are the repository's commands,
    run with ``python -m`` from its root (where a user's own explorer/ or benchmarks/ cannot shadow them)."""
    import subprocess
    import sys
    import tomllib

    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as fh:
        packages = tomllib.load(fh)["tool"]["setuptools"]["packages"]
    assert sorted(packages) == ["analysis", "figures", "landscape"]
    for command in ("explorer", "benchmarks"):
        r = subprocess.run([sys.executable, "-m", command, "--help"], cwd=ROOT, capture_output=True, text=True)
        assert r.returncode == 0 and "usage" in r.stdout, (command, r.stderr[-300:])
