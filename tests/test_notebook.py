"""The notebook tour (examples/tour.py, paired with examples/tour.ipynb by jupytext): in sync, committed with the
outputs of a full run (what the documentation shows), and run top to bottom in quick mode by the very command the
README gives (and ``make tour`` runs)."""

import json
import os
import re
import subprocess
import sys

import pytest

jupytext = pytest.importorskip("jupytext")
nbformat = pytest.importorskip("nbformat")
pytest.importorskip("ipykernel")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(ROOT, "examples")
SCRIPT = os.path.join(EXAMPLES, "tour.py")
NOTEBOOK = os.path.join(EXAMPLES, "tour.ipynb")
MAX_BYTES = 1_500_000  # the committed notebook, images included


def _cells(nb):
    return [(c.cell_type, c.source.strip()) for c in nb.cells]


def test_script_and_notebook_are_in_sync():
    script = jupytext.read(SCRIPT)
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    assert _cells(script) == _cells(notebook), (
        "examples/tour.py and examples/tour.ipynb differ; run `make tour` to regenerate the notebook with its outputs"
    )
    assert notebook.metadata.get("jupytext", {}).get("formats") == "ipynb,py:percent"


def _stdout(nb):
    return "".join(
        out.text
        for cell in nb.cells
        for out in cell.get("outputs", [])
        if out.output_type == "stream" and out.name == "stdout"
    )


def test_the_committed_notebook_holds_a_full_run():
    assert os.path.getsize(NOTEBOOK) < MAX_BYTES, "the notebook's outputs grew too large"
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(notebook)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    # every code cell ran, once, in order, in one run: no stale outputs kept from an earlier version of a cell
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1)), "run `make tour`"
    for i, cell in enumerate(code):
        for out in cell.outputs:
            assert out.output_type != "error", f"code cell {i}: {out.ename}: {out.evalue}"
    figures = sum(c.source.count("plt.show()") for c in code)
    images = sum("image/png" in out.get("data", {}) for c in code for out in c.outputs)
    assert figures >= 6 and images == figures, (figures, images)
    text = _stdout(notebook)
    assert "full mode" in text and text.endswith("TOUR OK\n")


def _readme_command():
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as fh:
        blocks = re.findall(r"```bash\n(.*?)```", fh.read(), flags=re.S)
    lines = [line.split("#")[0].strip() for block in blocks for line in block.splitlines()]
    found = [line for line in lines if "jupytext" in line and "examples/tour.py" in line]
    assert len(found) == 1, found
    return found[0]


def test_make_tour_runs_the_readme_command():
    with open(os.path.join(ROOT, "Makefile"), encoding="utf-8") as fh:
        recipe = re.search(r"^tour:.*\n((?:\t.*\n)+)", fh.read(), flags=re.M)
    assert recipe, "the Makefile has no tour target"
    assert recipe.group(1).strip() == _readme_command().replace(".venv/", "$(VENV)/")


def test_the_readme_command_runs_the_tour_in_quick_mode(tmp_path):
    """The README's command, exactly, in a copy of the examples with this interpreter's environment as .venv; one
    more cell at the end reads the tour's answers back, to ask the library the same questions."""
    command = _readme_command()
    (tmp_path / "examples").mkdir()
    with open(SCRIPT, encoding="utf-8") as fh:
        script = fh.read()
    (tmp_path / "examples" / "tour.py").write_text(script + "\n\n# %%\n" + ANSWERS)
    os.symlink(sys.prefix, tmp_path / ".venv")
    env = dict(os.environ, TOUR_QUICK="1")
    env.pop("MPLBACKEND", None)  # the kernel's inline backend draws every figure
    # the kernel shares the suite's compiled programs (never results; see tests/conftest.py)
    env["JAX_COMPILATION_CACHE_DIR"] = os.path.join(ROOT, ".pytest_cache", "jax")
    env["JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS"] = "0.2"
    r = subprocess.run(command, shell=True, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-5000:]
    notebook = nbformat.read(tmp_path / "examples" / "tour.ipynb", as_version=4)
    for cell in notebook.cells:
        for out in cell.get("outputs", []):
            assert out.output_type != "error", f"{out.ename}: {out.evalue}"
    assert sum("image/png" in out.get("data", {}) for c in notebook.cells for out in c.get("outputs", [])) >= 6
    text = _stdout(notebook)
    assert "quick mode" in text
    assert "L(-10.0) =  50.5000" in text and "L( +0.0) =   0.5000" in text
    assert "slope at w = 0: 0.0 from the left, -1.0 from the right, 0.0 at w = 0 itself" in text
    assert "loss at the answer    (w, b) = ( 1, 0): 0.000000" in text
    assert "['global_min' 'dead']" in text
    assert "verdict: confirmed" in text
    assert "TOUR OK\n" in text
    answers = json.loads(text.split("ANSWERS ", 1)[1].splitlines()[0])
    _same_answers_as_the_library(answers)


# the notebook as a surface of "one question, one answer": its numbers are the library's, computed the same way
ANSWERS = """import json
print("ANSWERS " + json.dumps({
    "final_w": [float(v) for v in runs_w.final["w"]], "labels_w": labels_w.tolist(),
    "steps": STEPS, "learning_rate": float(plane_sgd.hyperparams["learning_rate"]),
    "basin_fractions": {k: float(v) for k, v in basins.fractions.items()}, "basin_grid": BASIN_GRID,
    "eigenvalues": np.asarray(eigenvalues).tolist(),
    "q2_dead_level": result.statements[2].evidence["dead_level"]}))
"""


def _same_answers_as_the_library(answers):
    import jax
    import jax.numpy as jnp
    import numpy as np

    import landscape as L
    from analysis import classify, deep

    o = L.ORIGINAL
    t = L.train(
        L.Problem(),
        {"w": jnp.array([o.good_w0, o.w0])},
        optimizer=L.optimizer(o.optimizer, learning_rate=o.learning_rate),
        steps=o.steps,
        batch_size=o.batch_size,
        record_every=20,
        key=jax.random.key(o.seed),
    )
    assert answers["final_w"] == [float(v) for v in t.final["w"]]
    assert answers["labels_w"] == classify(L.Problem(), t.final, diverged=t.diverged).names().tolist()
    steps = answers["steps"]
    g = jnp.linspace(-3.0, 3.0, answers["basin_grid"])
    W, B = jnp.meshgrid(g, g, indexing="ij")
    problem = L.Problem(trained=("w", "b"))
    s = L.train(
        problem,
        {"w": W.ravel(), "b": B.ravel()},
        optimizer=L.optimizer("sgd", learning_rate=answers["learning_rate"]),
        steps=steps,
        gradient="population",
        record_every=steps,
        key=jax.random.key(0),
    )
    assert answers["basin_fractions"] == classify(problem, s.final, diverged=s.diverged).fractions
    ss = deep.safran_shamir(7, 7)
    spurious = deep.published_minimum_k7()
    nearest = ss.nearest_optimum([{"W": spurious}])[0][0]["W"]  # the global minimum the tour's path ends at
    dense = L.dense_spectrum(ss, [{"W": jnp.stack([nearest, spurious])}])["eigvals"]
    assert answers["eigenvalues"] == np.asarray(dense[:, ::-1]).tolist()
    assert answers["q2_dead_level"] == L.Problem().dead_level()
    assert np.isfinite(answers["final_w"]).all()
