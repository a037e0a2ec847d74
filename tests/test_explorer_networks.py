"""The explorer's deeper-network endpoints answer the library's numbers (born-dead networks, gradient growth,
spurious minima with their spectra, path, barrier and proof), refuse bad or excessive requests by name, start from
the report's settings; and the server's own machinery: the warm-up and its status, programs compiled once, strict
JSON for diverging runs."""

import json
import threading
import time

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import landscape as L
from analysis import deep as D
from analysis import instruments as I
from analysis import registry

starlette = pytest.importorskip("starlette")
from starlette.testclient import TestClient  # noqa: E402

from explorer import compute, schema  # noqa: E402
from explorer.app import WARMUP, create_app  # noqa: E402


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    return TestClient(create_app(str(tmp_path_factory.mktemp("r") / "none.json")), base_url="http://127.0.0.1")


def test_born_dead_is_the_librarys_with_and_without_biases(client):
    d = client.post("/api/born_dead", json={"depths": [3, 2], "widths": [2], "samples": 1000}).json()
    assert [(r["depth"], r["width"]) for r in d["rows"]] == [(2, 2), (3, 2)]  # in the order of the choices
    for row in d["rows"]:
        r = D.born_dead(row["depth"], row["width"], scheme="symmetric", samples=1000, key=jax.random.key(0))
        assert (row["probability"], row["ci"]) == (r["probability"], list(r["ci"]))
        assert (row["single"], row["single_ci"]) == (r["single_input_probability"], list(r["single_input_ci"]))
        assert row["closed_form"] == D.closed_form_single_input(row["depth"], row["width"])
    b = client.post("/api/born_dead", json={"bias": True, "depths": [4], "samples": 1000}).json()
    assert b["settings"]["widths"] == [3] and b["settings"]["scheme"] == "he_normal" and b["inputs"] == "uniform(-1,1)"
    r = D.born_dead(4, 3, scheme="he_normal", bias=True, inputs=L.Uniform(-1, 1), samples=1000, key=jax.random.key(0))
    assert b["rows"][0]["probability"] == r["probability"] and b["rows"][0]["closed_form"] is None


def test_gradient_growth_is_the_librarys_with_its_references(client):
    d = client.post("/api/growth", json={"slopes": [1.5, 0.5], "nets": 32}).json()
    assert [r["slope"] for r in d["rows"]] == [0.5, 1.5]
    for row in d["rows"]:
        key = jax.random.fold_in(jax.random.key(0), schema.GROWTH_SLOPES.index(row["slope"]))
        r = D.gradient_growth(row["slope"], depth=20, width=16, nets=32, key=key)
        assert (row["rate"], row["ci"]) == (r["rate"], list(r["ci"]))
        assert row["finite_width"] == D.finite_width_rate(row["slope"], 16) == r["reference"]
        assert row["mean_field"] == pytest.approx(np.log((1 + row["slope"] ** 2) / 2), rel=1e-12)
    i = d["curve"]["slope"].index(1.0)
    assert d["curve"]["mean_field"][i] == 0.0 and d["curve"]["finite_width"][i] == D.finite_width_rate(1.0, 16)


def test_spurious_minima_their_spectra_path_barrier_and_proof_are_the_librarys(client):
    d = client.post("/api/spurious", json={"k": 7, "starts": 16, "prove": True}).json()
    key = jax.random.fold_in(jax.random.key(0), 7)
    r = D.spurious_minima(7, 7, starts=16, steps=schema.SPURIOUS_STEPS, key=key)
    assert (d["rate"], d["ci"], d["shares"]) == (r["rate"], list(r["ci"]), r["shares"])
    points = r.get("spurious_points", [])
    W = np.asarray(points[0]) if len(points) else np.asarray(D.published_minimum_k7())
    assert d["points"] == max(len(points), 1) and d["source"]
    problem = D.safran_shamir(7, 7)
    sp = L.dense_spectrum(problem, [{"W": jnp.asarray(np.stack([np.eye(7), W]))}])
    assert d["spurious"][0]["loss"] == float(sp["loss"][1]) > 0 and d["global"]["loss"] == float(sp["loss"][0])
    assert d["spurious"][0]["eigvals"] == sp["eigvals"][1].tolist() and min(d["spurious"][0]["eigvals"]) > 0
    path = I.path_to_nearest_minimum(problem, [{"W": jnp.asarray(W)}], n=compute.PATH_POINTS)
    assert d["path"]["barrier"] == float(path.barrier) > 0 and d["path"]["loss"] == np.asarray(path.loss).tolist()
    assert d["proof"]["proven"] and d["proof"]["spurious"] and d["proof"]["minimum_loss_lower"] > 0


def test_the_first_views_are_the_reports_settings():
    born = registry.settings_of("born_dead")
    s = schema.born_dead({})
    assert (s["samples"], s["scheme"], s["seed"]) == (born["samples"], born["scheme"], born["seed"])
    assert set(s["depths"]) <= set(born["depths"]) and set(s["widths"]) <= set(born["widths"])
    biased = schema.born_dead({"bias": True})
    assert biased["samples"] == born["samples"] // 2 and biased["widths"] == [D.REPORT_SHAPES["born-dead"][1]]
    growth = registry.settings_of("gradient_growth")
    g = schema.growth({})
    assert tuple(g["slopes"]) == tuple(growth["slopes"]) == schema.GROWTH_SLOPES[: len(g["slopes"])]
    assert (g["depth"], g["width"], g["nets"]) == (growth["depth"], growth["width"], growth["nets"])
    assert set(schema.SPURIOUS_KS) >= set(registry.settings_of("deep_networks")["ks"])


@pytest.mark.parametrize(
    "path, body, needle",
    [
        ("/api/born_dead", {"depths": [7]}, "depths must be one of"),
        ("/api/born_dead", {"depths": []}, "depths must be a non-empty list"),
        ("/api/born_dead", {"depths": [2, 2]}, "lists a value twice"),
        ("/api/born_dead", {"widths": [2, 3, 4, 5]}, "widths takes at most 3 values"),
        ("/api/born_dead", {"bias": "yes"}, "bias must be true or false"),
        ("/api/born_dead", {"scheme": "xavier"}, "scheme must be one of"),
        ("/api/born_dead", {"samples": 10**9}, "samples must be one of"),
        ("/api/born_dead", {"depth": 3}, "no field 'depth'"),
        ("/api/growth", {"slopes": [0.3]}, "slopes must be one of"),
        ("/api/growth", {"width": 1000}, "width must be one of"),
        ("/api/spurious", {"k": 40}, "k must be one of"),
        ("/api/spurious", {"k": 12, "prove": True}, "proofs are offered for k <= 10"),
        ("/api/spurious", {"starts": 5}, "starts must be one of"),
    ],
)
def test_bad_network_requests_get_a_422_naming_the_value(client, path, body, needle):
    r = client.post(path, json=body)
    assert r.status_code == 422 and needle in r.json()["error"], r.text


def test_network_work_is_bounded_before_any_work(client):
    every = {"depths": list(schema.BORN_DEPTHS), "widths": [2, 5, 10], "samples": 20000, "bias": True}
    for path, body in (("/api/born_dead", every), ("/api/spurious", {"k": 12, "starts": 256})):
        t = time.perf_counter()
        r = client.post(path, json=body)
        assert r.status_code == 422 and "would take about" in r.json()["error"], r.text
        assert time.perf_counter() - t < 2.0
    for kind, parse in (("born_dead", schema.born_dead), ("growth", schema.growth), ("spurious", schema.spurious)):
        assert schema.work_seconds(kind, parse({})) <= schema.WORK_S  # every first view is within the bound


def test_a_diverging_run_answers_strict_json_and_says_where_it_diverged(client):
    r = client.post("/api/train", json={"start": {"w": -1.0, "b": 0.5}, "hyper": {"learning_rate": 50.0}, "steps": 500})
    bad = lambda c: pytest.fail(f"non-finite number {c} in the answer")
    d = json.loads(r.text, parse_constant=bad)
    assert d["diverged"] and d["end_state"] == "diverged" and 0 < d["diverged_at"] < 500
    direct = L.train(
        L.Problem(trained=("w", "b")),
        {"w": jnp.asarray([-1.0]), "b": jnp.asarray([0.5])},
        optimizer="sgd",
        steps=500,
        gradient="population",
        record_every=5,
        hyperparams={"learning_rate": 50.0},
        key=jax.random.key(0),
    )
    assert d["diverged_at"] == int(direct.diverged_at[0])
    assert None in d["loss"]  # the loss overflowed: null, never NaN


def test_programs_compile_once_and_say_so_while_they_compile(monkeypatch):
    cleared = []
    monkeypatch.setattr(jax, "clear_caches", lambda: cleared.append(1))  # the other tests keep their programs
    programs = compute.Programs(most=2)
    started, release, seen = threading.Event(), threading.Event(), []

    def first():
        with programs.use(("p",), "program p"):
            started.set()
            release.wait(10)

    def second():
        with programs.use(("p",), "program p"):
            seen.append(programs.snapshot())  # inside: the first compilation has finished

    a = threading.Thread(target=first)
    a.start()
    started.wait(10)
    b = threading.Thread(target=second)
    b.start()
    time.sleep(0.1)
    snap = programs.snapshot()
    assert snap["compiling"][0]["what"] == "program p" and snap["ready"] == 0 and b.is_alive()  # it waits
    release.set()
    a.join(10)
    b.join(10)
    assert seen[0]["ready"] == 1 and seen[0]["compiling"] == []
    for key in ("q", "r"):  # beyond `most` programs, JAX's caches are cleared
        with programs.use((key,), key):
            pass
    assert programs.snapshot()["cleared"] == 1 == len(cleared) and programs.snapshot()["ready"] == 1
    with pytest.raises(RuntimeError), programs.use(("s",), "s"):
        raise RuntimeError("a failed compilation is not ready")
    assert ("s",) not in programs.ready and not programs.compiling


def test_the_warm_up_answers_its_requests_in_the_background_and_reports_them(tmp_path):
    jobs = WARMUP[:2]
    assert [j[0] for j in WARMUP[:2]] == ["landscape", "train"]
    assert {j[1]["optimizer"] for j in WARMUP if j[0] == "train"} == set(schema.OPTIMIZERS)
    assert {j[1]["problem"]["activation"] for j in WARMUP if j[0] == "landscape"} == set(schema.ACTIVATIONS)
    with TestClient(create_app(str(tmp_path / "none.json"), warmup=jobs), base_url="http://127.0.0.1") as c:
        for _ in range(600):
            s = c.get("/api/status").json()
            if s["warmup"]["finished"]:
                break
            time.sleep(0.1)
        assert s["warmup"] == {**s["warmup"], "total": 2, "done": 2, "finished": True, "failed": []}
        assert s["programs"]["ready"] >= 2 and s["programs"]["compiling"] == []
        # the warm-up's answers serve the page: the same request is answered from the cache
        t = time.perf_counter()
        assert c.post("/api/landscape", json=jobs[0][1]).status_code == 200
        assert time.perf_counter() - t < 1.0
    assert (
        TestClient(create_app(str(tmp_path / "none.json")), base_url="http://127.0.0.1")
        .get("/api/status")
        .json()["warmup"]["finished"]
    )


def test_the_cache_folder_defaults_to_the_users_cache(monkeypatch, tmp_path):
    from explorer.__main__ import build_parser, default_cache_dir

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_cache_dir() == str(tmp_path / "relu-landscape" / "jax")
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert default_cache_dir().endswith("/.cache/relu-landscape/jax")
    args = build_parser().parse_args(["--no-cache", "--no-warmup", "--cache-dir", str(tmp_path)])
    assert args.no_cache and args.no_warmup and args.cache_dir == str(tmp_path)
