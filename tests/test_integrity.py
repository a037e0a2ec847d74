"""Stored and reused results are what was computed: checkpoints, experiment caches, saved trajectories and grids
are sealed by checksums, checked against their settings on load, and refused (or, for caches, recomputed) when
they are not; user models are checked before any work and behave the same on every path."""

import json
import os

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import landscape as L
from analysis import classify, registry
from analysis import instruments as I
from landscape.io import IntegrityError, read_sealed, write_sealed
from landscape.sweep import CheckpointError

KEY = jax.random.key(0)
P1 = L.Problem()


def _rewrite(path, edit):
    """Rewrite the arrays of an .npz in place, as a careless or hostile hand would (the seal kept as it was)."""
    with np.load(path, allow_pickle=False) as z:
        data = {k: z[k] for k in z.files}
    edit(data)
    with open(path, "wb") as fh:
        np.savez(fh, **data)


def _rewrite_seal(path, edit):
    def change(data):
        seal = json.loads(str(data["__seal__"]))
        edit(seal)
        data["__seal__"] = np.asarray(json.dumps(seal))

    _rewrite(path, change)


def test_a_sealed_file_refuses_every_edit_naming_the_field(tmp_path):
    p = str(tmp_path / "x.npz")
    write_sealed(p, "kind", {"a": np.arange(3.0), "b": np.ones(2)}, {"settings": {"steps": 100}})
    arrays, meta = read_sealed(p, "kind")
    assert meta == {"settings": {"steps": 100}} and arrays["a"].tolist() == [0, 1, 2]
    cases = [
        (lambda d: d.__setitem__("a", np.arange(3.0) + 1), "field 'a' no longer matches"),
        (lambda d: d.pop("b"), "field 'b' is missing"),
        (lambda d: d.__setitem__("c", np.ones(1)), "field 'c' is not part"),
        (lambda d: d.pop("__seal__"), "no seal"),
    ]
    for edit, needle in cases:
        write_sealed(p, "kind", {"a": np.arange(3.0), "b": np.ones(2)}, {"settings": {"steps": 100}})
        _rewrite(p, edit)
        with pytest.raises(IntegrityError, match=needle):
            read_sealed(p, "kind")
    write_sealed(p, "kind", {"a": np.arange(3.0)}, {"settings": {"steps": 100}})
    _rewrite_seal(p, lambda s: s["meta"]["settings"].__setitem__("steps", 5000))
    with pytest.raises(IntegrityError, match=r"metadata .* no longer match"):
        read_sealed(p, "kind")
    write_sealed(p, "kind", {"a": np.arange(3.0)}, {})
    with pytest.raises(IntegrityError, match=r"a 'kind' file, not a other file"):
        read_sealed(p, "other")
    (tmp_path / "junk.npz").write_bytes(b"not a zip")
    with pytest.raises(IntegrityError, match=r"junk\.npz: not a readable kind file"):
        read_sealed(str(tmp_path / "junk.npz"), "kind")


def test_saved_trajectories_are_checked_against_their_checksums_and_settings(tmp_path):
    t = L.train(P1, {"w": jnp.asarray([2.0, -1.0, 0.5])}, optimizer="sgd", steps=100, record_every=10, key=KEY)
    p = str(tmp_path / "t.npz")
    t.save(p)
    back = L.Trajectories.load(p)
    np.testing.assert_array_equal(back.final["w"], t.final["w"])

    def swap(d):
        d["population_loss"], d["batch_loss"] = d["batch_loss"], d["population_loss"]

    for edit, needle in [
        (swap, "field 'population_loss' no longer matches|field 'batch_loss' no longer matches"),
        (lambda d: d.__setitem__("final['w']", d["final['w']"][:2]), r"field \"final\['w'\]\" no longer matches"),
        (lambda d: d.pop("final['w']"), r"field \"final\['w'\]\" is missing"),
    ]:
        t.save(p)
        _rewrite(p, edit)
        with pytest.raises(IntegrityError, match=needle):
            L.Trajectories.load(p)
    for edit, needle in [
        (lambda s: s["meta"]["settings"].__setitem__("steps", 5000), "metadata"),
        (lambda s: s["meta"].pop("params_structure"), "metadata"),
    ]:
        t.save(p)
        _rewrite_seal(p, edit)
        with pytest.raises(IntegrityError, match=needle):
            L.Trajectories.load(p)
    # even re-sealed after the edit (checksums recomputed), shapes are checked against the settings
    t.save(p)
    arrays, meta = read_sealed(p, "relu-landscape trajectories 2")
    arrays["final['w']"] = arrays["final['w']"][:2]
    write_sealed(p, "relu-landscape trajectories 2", arrays, meta)
    with pytest.raises(IntegrityError, match=r"final\['w'\]' has 2 starts; the settings say 3"):
        L.Trajectories.load(p)
    meta["settings"]["steps"] = 5000
    arrays, _ = read_sealed(str(tmp_path / "t.npz"), "relu-landscape trajectories 2")
    t.save(p)
    arrays, meta = read_sealed(p, "relu-landscape trajectories 2")
    meta["settings"]["steps"] = 5000
    write_sealed(p, "relu-landscape trajectories 2", arrays, meta)
    with pytest.raises(IntegrityError, match="field 'steps' has shape"):
        L.Trajectories.load(p)
    meta["settings"] = ["a", "list"]
    write_sealed(p, "relu-landscape trajectories 2", arrays, meta)
    with pytest.raises(IntegrityError, match="field 'settings' is missing or not an object"):
        L.Trajectories.load(p)
    t.save(p)  # re-sealed without its parameter structure: refused by the field's name, not a KeyError
    arrays, meta = read_sealed(p, "relu-landscape trajectories 2")
    meta.pop("params_structure")
    write_sealed(p, "relu-landscape trajectories 2", arrays, meta)
    with pytest.raises(IntegrityError, match=r"t\.npz: field 'params_structure' is missing or malformed"):
        L.Trajectories.load(p)


def test_a_saved_grid_refuses_a_transposed_loss(tmp_path):
    g = L.grid(L.Problem(trained=("w", "b")), {"w": jnp.linspace(-1, 1, 5), "b": jnp.linspace(-1, 1, 4)})
    p = str(tmp_path / "g.npz")
    g.save(p)
    np.testing.assert_array_equal(L.GridResult.load(p).loss, g.loss)
    _rewrite(p, lambda d: d.__setitem__("loss", d["loss"].T.copy()))
    with pytest.raises(IntegrityError, match="field 'loss' no longer matches"):
        L.GridResult.load(p)
    g.save(p)
    arrays, meta = read_sealed(p, "relu-landscape grid 2")
    arrays["loss"] = arrays["loss"].T.copy()
    write_sealed(p, "relu-landscape grid 2", arrays, meta)
    with pytest.raises(IntegrityError, match="field 'loss' has shape \\(4, 5\\)"):
        L.GridResult.load(p)
    meta["axes"] = ["w", "missing"]
    write_sealed(p, "relu-landscape grid 2", arrays, meta)
    with pytest.raises(IntegrityError, match="axis/missing"):
        L.GridResult.load(p)


def test_checkpoints_refuse_edited_chunks_and_other_code(tmp_path, monkeypatch):
    init = {"w": jnp.linspace(-1, 1, 4)}
    kw = dict(optimizer=L.optimizer("sgd"), steps=10, record_every=10, key=KEY, chunk=2, gradient="population")
    folder = str(tmp_path / "ck")
    first = L.train(P1, init, checkpoint=folder, **kw)
    again = L.train(P1, init, checkpoint=folder, **kw)  # resumed from the chunks: the same numbers
    np.testing.assert_array_equal(again.final["w"], first.final["w"])
    chunk = os.path.join(folder, "chunk-000000.npz")
    _rewrite(chunk, lambda d: d.__setitem__("['final']['w']", d["['final']['w']"] + 0.1))
    with pytest.raises(CheckpointError, match=r"chunk-000000.npz: field \"\['final'\]\['w'\]\" no longer matches"):
        L.train(P1, init, checkpoint=folder, **kw)
    # the same sweep after the training code changed: refused, not resumed with other numbers
    folder2 = str(tmp_path / "ck2")
    L.train(P1, init, checkpoint=folder2, **kw)
    import sys

    monkeypatch.setattr(sys.modules["landscape.train"], "source_digest", lambda packages: "another version of the code")
    with pytest.raises(CheckpointError, match="computed by other code"):
        L.train(P1, init, checkpoint=folder2, **kw)


def test_an_edited_experiment_cache_is_recomputed(tmp_path):
    registry.set_cache_dir(str(tmp_path))
    try:
        registry.clear_memory()
        first = registry.run("kink", quick=True)
        [path] = [str(tmp_path / f) for f in os.listdir(tmp_path) if f.startswith("kink-")]
        _rewrite(path, lambda d: d.__setitem__("L0", np.asarray(123.0)))
        registry.clear_memory()
        with pytest.warns(UserWarning, match="field 'L0' no longer matches"):
            again = registry.run("kink", quick=True)
        assert again["L0"] == first["L0"] == 0.5
    finally:
        registry.set_cache_dir(None)
        registry.clear_memory()


def test_user_models_are_checked_before_any_work():
    w0 = {"w": jnp.zeros(())}
    target = lambda x: x
    cases = [
        (dict(apply=lambda p, x: float(p["w"]) * x), TypeError, "apply cannot be traced"),
        (
            dict(loss=lambda p, x, y: jnp.stack([p["w"] * x - y, p["w"]])),
            ValueError,
            "loss: the loss of one example must be a scalar",
        ),
        (
            dict(apply=lambda p, x: jax.pure_callback(np.asarray, jax.ShapeDtypeStruct((), jnp.float64), p["w"] * x)),
            TypeError,
            "apply cannot be differentiated",
        ),
        (
            dict(apply=lambda p, x: p["w"] * x, inputs=lambda k, shape, dtype: jax.random.normal(k, (5,), dtype)),
            ValueError,
            "inputs: the sampler was asked for shape",
        ),
        (dict(apply=lambda p, x: p["w"] * x, init=lambda k: {"v": 0.0}), ValueError, "init"),
    ]
    for kw, exc, needle in cases:
        with pytest.raises(exc, match=needle):
            L.CustomProblem(target=target, params=w0, **kw)


def test_a_user_model_reads_its_globals_once_on_every_path():
    state = {"c": 1.0}
    p = L.CustomProblem(
        apply=lambda prm, x: prm["w"] * x * state["c"],
        target=lambda x: x,
        params={"w": jnp.zeros(())},
        population_loss=lambda prm: (prm["w"] * state["c"] - 1.0) ** 2,
        exactness="closed form",
    )
    point = {"w": jnp.asarray([1.0])}
    before = (
        float(L.population_loss(p, {"w": 1.0})),
        np.asarray(L.grid(p, {"['w']": jnp.linspace(0, 2, 3)}).loss).tolist(),
        float(I.hessian_top(p, point, 1, key=KEY)["eigenvalues"][0, 0]),
    )
    state["c"] = 2.0  # every path keeps what it read at the first trace: they never disagree
    after = (
        float(L.population_loss(p, {"w": 1.0})),
        np.asarray(L.grid(p, {"['w']": jnp.linspace(0, 2, 3)}).loss).tolist(),
        float(I.hessian_top(p, point, 1, key=KEY)["eigenvalues"][0, 0]),
    )
    assert before == after == (0.0, [1.0, 0.0, 1.0], 2.0)
    fresh = L.CustomProblem(
        apply=lambda prm, x: prm["w"] * x * state["c"],
        target=lambda x: x,
        params={"w": jnp.zeros(())},
        population_loss=lambda prm: (prm["w"] * state["c"] - 1.0) ** 2,
        exactness="closed form",
    )
    assert float(L.population_loss(fresh, {"w": 1.0})) == 1.0  # a new problem reads the new value


def test_python_values_are_taken_wherever_numbers_are():
    t = L.train(P1, {"w": [1.0, -2.0]}, optimizer="sgd", steps=10, record_every=10, key=KEY)
    assert t.n_starts == 2
    assert L.train(P1, {"w": (1.0,)}, optimizer="sgd", steps=10, record_every=10, key=KEY).n_starts == 1
    assert float(L.population_loss(P1, {"w": 2})) == 0.5
    assert classify(P1, {"w": [0.0, 1.0]}).names().tolist() == ["dead", "global_min"]
    p2 = L.Problem(trained=("w", "b"))
    assert np.asarray(L.grid(p2, {"w": [0.0, 1.0], "b": (0.0, 1.0)}).loss).shape == (2, 2)
    custom = L.CustomProblem(apply=lambda p, x: p["w"] * x, target=lambda x: x, params={"w": 0.0})
    assert float(L.population_loss(custom, {"w": 1.0})) == 0.0
    net = L.networks.NetProblem(L.networks.MLP(hidden=(2,)), "relu")
    point = [{"W": [[1.0], [1.0]], "b": [0.0, 0.0]}, {"W": [[1.0, 1.0]], "b": [0.0]}]
    assert float(L.population_loss(net, point)) == pytest.approx(0.5, abs=1e-9)
    assert (
        I.interpolate(
            net, point, [{"W": [[1.0], [-1.0]], "b": [0.0, 0.0]}, {"W": [[1.0, 1.0]], "b": [0.0]}], n=3
        ).barrier
        == 0.0
    )
    top = I.hessian_top(p2, {"w": [1.0], "b": [0.0]}, 1, key=KEY, tol=np.float32(1e-6))
    assert top["converged"].all()
