"""The documentation site builds with warnings as errors, has its pages and its API reference, and the
Python blocks of its pages run (blocks marked ``py`` are excerpts of files and are not run)."""

import glob
import logging
import os
import re
import subprocess
import sys

import pytest

griffe = pytest.importorskip("griffe")
pytest.importorskip("mkdocs")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOCS = os.path.join(ROOT, "docs")
PACKAGES = ("landscape", "analysis", "figures")
PAGES = (
    "index.html",
    "getting-started/index.html",
    "tour/index.html",
    "architecture/index.html",
    "extending/index.html",
    *(f"api/{p}/index.html" for p in PACKAGES),
)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    r = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file", "mkdocs.yml", "--site-dir", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-5000:]
    assert "WARNING" not in r.stderr, r.stderr[-5000:]
    return out


def _read(site, page):
    with open(os.path.join(site, page), encoding="utf-8") as fh:
        return fh.read()


def test_the_site_has_every_page(site):
    missing = [p for p in PAGES if not os.path.isfile(os.path.join(site, p))]
    assert not missing, missing
    tour = _read(site, "tour/index.html")
    assert "A tour of relu-landscape" in tour  # the notebook, rendered
    assert tour.count("data:image/png;base64,") >= 6  # with the figures of its committed run
    assert "make reproduce" in _read(site, "getting-started/index.html")
    for kind in ("activation", "claim", "figure", "instrument", "kind of problem"):
        assert f"A new {kind}" in _read(site, "extending/index.html"), kind


def test_the_api_reference_documents_the_public_functions(site):
    api = _read(site, "api/landscape/index.html")
    for name in ("landscape.train.train", "landscape.grids.grid", "landscape.protocol.AbstractProblem"):
        assert f'id="{name}"' in api, name
    assert "population_loss" in api and "Raises" in api
    assert 'id="analysis.claims.claim"' in _read(site, "api/analysis/index.html")
    assert 'id="figures.common.save"' in _read(site, "api/figures/index.html")
    # the docstrings' roles are links where the object is documented, never left as raw ':class:' text
    assert re.search(r'<a class="autorefs autorefs-internal"[^>]*href="[^"]*#landscape\.problem\.Problem"', api)
    assert ":class:`" not in api and ":func:`" not in api


def test_every_module_has_its_place_in_the_api_reference():
    listed = set()
    for page in glob.glob(os.path.join(DOCS, "api", "*.md")):
        with open(page, encoding="utf-8") as fh:
            listed |= set(re.findall(r"^::: ([\w.]+)", fh.read(), flags=re.M))
    modules = set()
    for pkg in PACKAGES:
        for path in glob.glob(os.path.join(ROOT, pkg, "*.py")):
            name = os.path.splitext(os.path.basename(path))[0]
            modules.add(pkg if name == "__init__" else f"{pkg}.{name}")
    assert modules - listed == set(), "modules missing from docs/api/*.md"
    assert listed - modules == set(), "docs/api/*.md names modules that do not exist"


def test_the_extension_checks_parameter_names_and_links_roles(tmp_path, caplog):
    pkg = tmp_path / "tinypkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text(
        '"""See :func:`good`."""\n\n'
        "def good(a, b, *, c=0):\n"
        '    """Good.\n\n    Args:\n      a, b: two numbers.\n      c: a third.\n    """\n\n'
        "def bad(a):\n"
        '    """Bad.\n\n    Args:\n      a: a number.\n      d: not a parameter.\n    """\n'
    )
    extensions = griffe.load_extensions(os.path.join(DOCS, "griffe_roles.py"))
    with caplog.at_level(logging.WARNING):
        module = griffe.load("tinypkg", search_paths=[str(tmp_path)], extensions=extensions)
    warned = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warned) == 1 and "'d' of tinypkg.bad" in warned[0], warned
    assert '<autoref identifier="tinypkg.good" optional><code>good</code></autoref>' in module.docstring.value


def _blocks(page):
    with open(os.path.join(DOCS, page), encoding="utf-8") as fh:
        return re.findall(r"^```python\n(.*?)^```", fh.read(), flags=re.S | re.M)


@pytest.mark.parametrize("page", ["getting-started.md", "extending.md"])
def test_the_python_blocks_of_the_pages_run(page, capsys):
    blocks = _blocks(page)
    assert blocks, f"docs/{page} has no python block"
    for i, code in enumerate(blocks):
        exec(compile(code, f"docs/{page} block {i}", "exec"), {"__name__": "__docs__"})
    out = capsys.readouterr().out
    assert "Traceback" not in out
