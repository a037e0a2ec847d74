"""The explorer on a user's problem (``python -m explorer --problem MODULE:FACTORY``): the plane, runs from its
points and the Hessian spectrum answer the library's numbers exactly (``analysis.instruments.directions``,
``slice2d``, ``landscape.train``, ``hessian_top``, ``spectral_density``), bad requests get a 422 naming the field, the
command line refuses a bad spec, a factory that returns no problem and a non-loopback host in one line with status 2,
and the page shows the tab, trains from a clicked point of the plane and draws the API's numbers."""

import json
import socket
import threading
import time
import urllib.request

import jax
import jax.numpy as jnp
import numpy as np
import pytest

starlette = pytest.importorskip("starlette")
from starlette.testclient import TestClient  # noqa: E402

import landscape as L  # noqa: E402
from analysis import instruments as I  # noqa: E402
from examples.my_problem import make  # noqa: E402
from explorer.app import create_app  # noqa: E402

jax.config.update("jax_enable_x64", True)


@pytest.fixture(scope="module")
def problem():
    return make()


@pytest.fixture(scope="module")
def client(problem, tmp_path_factory):
    app = create_app(str(tmp_path_factory.mktemp("r") / "none.json"), problem=problem)
    return TestClient(app, base_url="http://127.0.0.1")


def _post(client, path, body):
    r = client.post(path, json=body)
    assert r.status_code == 200, r.text
    return r.json()


def _basis(problem, seed=0, normalization="filter", centre=None):
    """The plane of the documented keys, straight from the library."""
    if centre is None:
        centre = jax.tree_util.tree_map(lambda a: a[0], problem.draw_starts(jax.random.key(seed), 1))
    dirs = I.directions(
        problem,
        centre,
        key=jax.random.fold_in(jax.random.key(seed), 1),
        n=2,
        normalization=None if normalization == "none" else normalization,
    )
    return centre, dirs


def _vec(problem, tree):
    return np.asarray(problem.ravel(jax.tree_util.tree_map(lambda a: jnp.asarray(a, jnp.float64), tree)))


def _null(a):
    return [None if not np.isfinite(v) else float(v) for v in np.ravel(a)]


def test_config_names_the_problem(client, problem):
    cfg = client.get("/api/config").json()["problem"]
    assert cfg["n_params"] == problem.n_params == 25 and cfg["name"] == problem.label
    assert cfg["caps"]["n"] == 61 and cfg["defaults"]["normalization"] == "filter"


def test_without_a_problem_the_problem_endpoints_say_so(tmp_path):
    c = TestClient(create_app(str(tmp_path / "none.json")), base_url="http://127.0.0.1")
    assert c.get("/api/config").json()["problem"] is None
    r = c.post("/api/problem/plane", json={})
    assert r.status_code == 404 and "--problem" in r.json()["error"]
    with pytest.raises(TypeError, match="problem protocol"):
        create_app(str(tmp_path / "none.json"), problem=object())


@pytest.mark.parametrize("normalization", ["filter", "none"])
def test_the_plane_is_slice2d_of_the_librarys_directions(client, problem, normalization):
    d = _post(client, "/api/problem/plane", {"n": 9, "span": 0.75, "seed": 3, "normalization": normalization})
    centre, dirs = _basis(problem, 3, normalization)
    axis = np.linspace(-0.75, 0.75, 9)
    want = np.asarray(I.slice2d(problem, centre, dirs, jnp.asarray(axis), jnp.asarray(axis)).loss)
    assert d["alpha"] == d["beta"] == axis.tolist()
    assert d["loss"] == [_null(row) for row in want]
    assert d["centre_loss"] == float(problem.population_loss(centre))
    assert d["loss"][4][4] == pytest.approx(d["centre_loss"], rel=1e-12)  # the grid's middle is the centre
    assert d["directions"]["seed"] == 3 and d["positive"]


def test_a_given_centre_is_the_planes_point(client, problem):
    centre = jax.tree_util.tree_map(lambda a: a[0], problem.draw_starts(jax.random.key(7), 1))
    vec = _vec(problem, centre).tolist()
    d = _post(client, "/api/problem/plane", {"n": 5, "span": 0.5, "centre": vec})
    c, dirs = _basis(problem, 0, "filter", centre)
    axis = np.linspace(-0.5, 0.5, 5)
    want = np.asarray(I.slice2d(problem, c, dirs, jnp.asarray(axis), jnp.asarray(axis)).loss)
    assert d["loss"] == [_null(row) for row in want]


def test_a_run_from_the_plane_is_the_librarys_projected_onto_it(client, problem):
    body = {"alpha": 0.25, "beta": -0.5, "optimizer": "adam", "learning_rate": 0.01, "steps": 100, "seed": 1}
    d = _post(client, "/api/problem/train", body)
    centre, dirs = _basis(problem, 1)
    c, d1, d2 = _vec(problem, centre), _vec(problem, dirs[0]), _vec(problem, dirs[1])
    start = problem.unravel(jnp.asarray((c + 0.25 * d1 - 0.5 * d2)[None, :]))
    t = L.train(
        problem,
        start,
        optimizer="adam",
        hyperparams={"learning_rate": 0.01},
        steps=100,
        gradient="population",
        record_every=1,
        key=jax.random.key(1),
        traced_steps=True,
    )
    loss = np.asarray(t.population_loss)[:, 0]
    assert d["loss"] == _null(loss) and d["end_loss"] == float(loss[-1]) and d["end_loss_repr"] == repr(float(loss[-1]))
    X = np.asarray(problem.ravel(t.params))[:, 0, :]
    A = np.stack([d1, d2], axis=1)
    coef = np.linalg.lstsq(A, (X - c).T, rcond=None)[0].T
    assert d["alpha"] == _null(coef[:, 0]) and d["beta"] == _null(coef[:, 1])
    assert d["alpha"][0] == pytest.approx(0.25, abs=1e-12) and d["beta"][0] == pytest.approx(-0.5, abs=1e-12)
    assert d["off_plane"][0] < 1e-12 < d["off_plane"][-1]  # it starts on the plane and leaves it
    assert d["loss"][-1] < d["loss"][0]
    # the same numbers as the plain loop with the optimizer built by name and step size
    plain = L.train(
        problem,
        start,
        optimizer=L.optimizer("adam", learning_rate=0.01),
        steps=100,
        gradient="population",
        record_every=1,
        key=jax.random.key(1),
    )
    assert np.array_equal(np.asarray(plain.population_loss)[:, 0], loss)


def test_the_spectrum_is_hessian_top_and_spectral_density(client, problem):
    body = {"alpha": 0.5, "beta": 0.25, "k": 4, "probes": 3, "steps": 12, "seed": 2}
    d = _post(client, "/api/problem/spectrum", body)
    centre, dirs = _basis(problem, 2)
    x = _vec(problem, centre) + 0.5 * _vec(problem, dirs[0]) + 0.25 * _vec(problem, dirs[1])
    pts = problem.unravel(jnp.asarray(x[None, :]))
    top = I.hessian_top(problem, pts, 4, key=jax.random.key(2))
    dens = I.spectral_density(problem, pts, key=jax.random.key(2), probes=3, steps=12)
    assert d["eigenvalues"] == _null(np.asarray(top["eigenvalues"])[0]) and d["method"] == top["method"]
    assert d["grid"] == _null(dens["grid"]) and d["density"] == _null(np.asarray(dens["density"])[0])
    assert d["eigenvalues"] == sorted(d["eigenvalues"], reverse=True)


@pytest.mark.parametrize(
    "path, body, needle",
    [
        ("plane", {"n": 62}, "n must be an integer in [3, 61]"),
        ("plane", {"span": 0}, "span must be"),
        ("plane", {"normalization": "batch"}, "normalization must be one of"),
        ("plane", {"centre": [1.0, 2.0]}, "centre must be a list of the problem's 25 parameters"),
        ("plane", {"steps": 100}, "no field 'steps'"),
        ("train", {"steps": 10000}, "steps must be one of"),
        ("train", {"steps": 7}, "steps must be one of"),
        ("train", {"alpha": 21}, "alpha must be"),
        ("train", {"optimizer": "lbfgs"}, "optimizer must be one of"),
        ("train", {"learning_rate": -1}, "learning_rate must be"),
        ("train", {"n": 9}, "no field 'n'"),
        ("spectrum", {"k": 21}, "k must be an integer in [1, 20]"),
        ("spectrum", {"probes": 21}, "probes must be an integer in [1, 20]"),
        ("spectrum", {"steps": 26}, "steps must be an integer in [1, 25]"),  # at most the dimension
        ("spectrum", {"beta": "x"}, "beta must be a number"),
        ("spectrum", {"bogus": 1}, "no field 'bogus'"),
    ],
)
def test_bad_requests_get_a_422_naming_the_field(client, path, body, needle):
    r = client.post(f"/api/problem/{path}", json=body)
    assert r.status_code == 422 and needle in r.json()["error"], r.text


# ------------------------------------------------------------------ the command line
def _one_line_error(capsys, *needles):
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: --problem"), err
    for n in needles:
        assert n in lines[0], err


def test_cli_refuses_bad_problems_in_one_line_before_serving(capsys, tmp_path):
    from explorer.__main__ import main

    assert main(["--problem", "no_such_module_xyz:make", "--no-cache"]) == 2
    _one_line_error(capsys, "importing no_such_module_xyz failed")
    assert main(["--problem", "examples/my_problem.py", "--no-cache"]) == 2
    _one_line_error(capsys, "MODULE:FACTORY")
    assert main(["--problem", str(tmp_path / "missing.py") + ":make", "--no-cache"]) == 2
    _one_line_error(capsys, "no such file")
    assert main(["--problem", "examples/my_problem.py:nothing", "--no-cache"]) == 2
    _one_line_error(capsys, "no function nothing")
    bad = tmp_path / "not_a_problem.py"
    bad.write_text("def make():\n    return {'w': 1.0}\n\ndef broken():\n    raise RuntimeError('no data\\nmore')\n")
    assert main(["--problem", f"{bad}:make", "--no-cache"]) == 2
    _one_line_error(capsys, "returned dict, not a problem of the protocol")
    assert main(["--problem", f"{bad}:broken", "--no-cache"]) == 2
    _one_line_error(capsys, "broken() failed: RuntimeError: no data")
    assert main(["--problem", "examples/my_problem.py:make", "--host", "0.0.0.0", "--no-cache"]) == 2
    _one_line_error(capsys, "127.0.0.1 only", "0.0.0.0")


def test_a_dotted_module_or_a_file_loads_the_same_problem():
    from explorer.__main__ import load_problem

    a = load_problem("examples.my_problem:make")
    b = load_problem("examples/my_problem.py:make")
    assert a.n_params == b.n_params == 25 and a.label == b.label


# ------------------------------------------------------------------ the page
@pytest.fixture(scope="module")
def server(problem, tmp_path_factory):
    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = create_app(str(tmp_path_factory.mktemp("page") / "none.json"), problem=problem)
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    th = threading.Thread(target=srv.run, daemon=True)
    th.start()
    for _ in range(200):
        if srv.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    th.join(10)


def test_the_page_shows_the_tab_trains_from_a_clicked_point_and_draws_the_apis_numbers(server, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    from test_explorer_page import IDLE, LAYOUT, SIZES, _chromium

    exe = _chromium()
    if exe is None:
        pytest.skip("no Chromium on this machine: the browser test did not run (apt-get install chromium)")
    errors: list[str] = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=exe, args=["--no-sandbox"])
        page = browser.new_page(**SIZES["phone"])
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{server}/?view=problem")
        page.wait_for_function(IDLE, timeout=120_000)
        assert page.is_visible("#tabs button[data-view='problem']")
        page.select_option("#pb-n", "21")
        page.wait_for_function(IDLE, timeout=120_000)
        page.wait_for_selector("body[data-problem-drawn='1']", timeout=120_000)
        got = page.evaluate(LAYOUT, "problem")  # every control inside the phone's width, beside its label
        assert got["scroll"] <= got["width"] and not got["outside"] and not got["hidden"] and not got["far"], got
        page.select_option("#pb-steps", "100")
        page.locator("#pb-plane").scroll_into_view_if_needed()
        xy = page.evaluate("([a, b]) => window.problemPixel(a, b)", [0.5, -0.5])
        page.touchscreen.tap(xy[0], xy[1])
        page.wait_for_selector("#pb-runs li.run", timeout=120_000)
        page.wait_for_function(IDLE, timeout=120_000)
        body = json.loads(page.get_attribute("#pb-runs li.run", "data-body"))
        assert body["steps"] == 100 and abs(body["alpha"] - 0.5) < 0.05 and abs(body["beta"] + 0.5) < 0.05, body
        req = urllib.request.Request(
            server + "/api/problem/train", json.dumps(body).encode(), {"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(req, timeout=120) as r:
            want = json.loads(r.read())
        assert page.get_attribute("#pb-runs li.run", "data-end-loss") == want["end_loss_repr"]
        drawn = page.evaluate("document.getElementById('pb-plane').data.at(-1)")  # the run, projected on the plane
        assert drawn["x"] == want["alpha"] and drawn["y"] == want["beta"]
        loss = page.evaluate("document.getElementById('pb-loss').data[0].y")
        assert loss[-1] == want["end_loss"]
        page.click("#pb-spectrum-go")  # the spectrum at the clicked point
        page.wait_for_selector("#pb-eigen[data-eigenvalues]", timeout=120_000)
        eig = json.loads(page.get_attribute("#pb-eigen", "data-eigenvalues"))
        assert len(eig) == 5 and eig == sorted(eig, reverse=True)
        page.screenshot(path=str(tmp_path / "problem.png"), full_page=True)
        page.close()
        browser.close()
    assert errors == [], errors
