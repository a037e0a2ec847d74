"""The notebook tour (examples/tour.ipynb, paired with examples/tour.py by jupytext): in sync, committed without
outputs, and runs top to bottom in quick mode in a kernel of this interpreter."""

import json
import os
import sys

import pytest

jupytext = pytest.importorskip("jupytext")
nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(ROOT, "examples")
SCRIPT = os.path.join(EXAMPLES, "tour.py")
NOTEBOOK = os.path.join(EXAMPLES, "tour.ipynb")
KERNEL = "relu-landscape-tour"


def _cells(nb):
    return [(c.cell_type, c.source.strip()) for c in nb.cells]


def test_script_and_notebook_are_in_sync():
    script = jupytext.read(SCRIPT)
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    assert _cells(script) == _cells(notebook), (
        "examples/tour.py and examples/tour.ipynb differ; regenerate with "
        "`.venv/bin/jupytext --to ipynb examples/tour.py`"
    )
    assert notebook.metadata.get("jupytext", {}).get("formats") == "ipynb,py:percent"


def test_notebook_is_committed_without_outputs():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(notebook)
    for i, cell in enumerate(notebook.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"cell {i} has outputs; clear them before committing"
            assert cell.execution_count is None, f"cell {i} has an execution count"


@pytest.fixture
def kernel_of_this_interpreter(tmp_path, monkeypatch):
    """A kernelspec that starts ipykernel with this very interpreter (whatever kernels the user has installed)."""
    spec = tmp_path / "kernels" / KERNEL
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "relu-landscape tour",
                "language": "python",
            }
        )
    )
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path) + os.pathsep + os.environ.get("JUPYTER_PATH", ""))
    monkeypatch.setenv("TOUR_QUICK", "1")
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the kernel's inline backend draws every figure
    return KERNEL


def test_notebook_runs_top_to_bottom_in_quick_mode(kernel_of_this_interpreter):
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        notebook, kernel_name=kernel_of_this_interpreter, timeout=120, resources={"metadata": {"path": EXAMPLES}}
    )
    # one more cell reads the tour's answers back, to ask the library the same questions
    notebook.cells.append(nbformat.v4.new_code_cell(ANSWERS))
    client.execute()  # raises CellExecutionError, naming the cell, on the first error
    text = []
    for cell in notebook.cells:
        for out in cell.get("outputs", []):
            assert out.output_type != "error", f"{out.ename}: {out.evalue}"
            if out.output_type == "stream" and out.name == "stdout":
                text.append(out.text)
    text = "".join(text)
    assert "quick mode" in text
    assert "loss at the answer    (w, b) = ( 1, 0): 0.000000" in text
    assert "['global_min' 'dead']" in text
    assert "verdict: confirmed" in text
    assert "TOUR OK\n" in text
    answers = json.loads(text.split("ANSWERS ", 1)[1].splitlines()[0])
    _same_answers_as_the_library(answers)


# the notebook as a surface of "one question, one answer": its numbers are the library's, computed the same way
ANSWERS = """import json
print("ANSWERS " + json.dumps({
    "final_w": [float(v) for v in runs_w.final["w"]], "steps": STEPS, "learning_rate": float(sgd.hyperparams["learning_rate"]),
    "basin_fractions": {k: float(v) for k, v in basins.fractions.items()}, "basin_grid": BASIN_GRID,
    "eigenvalues": [float(v) for v in eigenvalues], "teacher_units": TEACHER_UNITS,
    "q2_dead_level": result.statements[2].evidence["dead_level"], "q2_verdict": result.verdict}))
"""


def _same_answers_as_the_library(answers):
    import jax
    import jax.numpy as jnp
    import numpy as np

    import landscape as L
    from analysis import claims as C
    from analysis import classify, deep

    sgd = L.optimizer("sgd", learning_rate=answers["learning_rate"])
    steps = answers["steps"]
    t = L.train(
        L.Problem(),
        {"w": jnp.array([0.5, -1.0])},
        optimizer=sgd,
        steps=steps,
        gradient="population",
        record_every=steps,
        key=jax.random.key(0),
    )
    assert answers["final_w"] == [float(v) for v in t.final["w"]]
    g = jnp.linspace(-3.0, 3.0, answers["basin_grid"])
    W, B = jnp.meshgrid(g, g, indexing="ij")
    problem = L.Problem(trained=("w", "b"))
    s = L.train(
        problem,
        {"w": W.ravel(), "b": B.ravel()},
        optimizer=sgd,
        steps=steps,
        gradient="population",
        record_every=steps,
        key=jax.random.key(0),
    )
    assert answers["basin_fractions"] == classify(problem, s.final, diverged=s.diverged).fractions
    k = answers["teacher_units"]
    dense = L.dense_spectrum(deep.safran_shamir(k, k), [{"W": jnp.eye(k)[None]}])["eigvals"][0]
    assert answers["eigenvalues"] == [float(v) for v in dense[::-1]]
    assert answers["q2_dead_level"] == L.Problem().dead_level()
    assert answers["q2_verdict"] == C.CLAIMS["Q2"].check(quick=True).verdict
    assert np.isfinite(answers["final_w"]).all()
