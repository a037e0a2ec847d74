"""Sweeps on 1, 2 and 8 (forced host) devices give the same numbers; interrupted sweeps resume."""

import importlib
import os
import subprocess
import sys
import textwrap

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import landscape as L

E = importlib.import_module("landscape.engine")

SCRIPT = textwrap.dedent(
    """
    import sys, numpy as np, jax
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp, landscape as L, analysis as A
    assert len(jax.devices()) == int(sys.argv[2])
    out = {}
    p = L.Problem(trained=("w", "b"))
    r = L.grid(p, {"w": jnp.linspace(-3, 3, 37), "b": jnp.linspace(-2, 2, 29)}, quantities=("loss", "grad", "eigvals"), chunk=50)
    out["grid_loss"], out["grid_gw"], out["grid_eig"] = np.asarray(r.loss), np.asarray(r.grad["w"]), np.asarray(r.eigvals)
    t = L.train(p, {"w": jnp.linspace(-3, 3, 13), "b": jnp.linspace(1, -1, 13)}, optimizer="sgd", steps=20, batch_size=64,
                record_every=10, key=jax.random.key(1), chunk=5)
    out["train_w"] = np.asarray(t.params["w"])
    from analysis import deep as D
    bd = D.born_dead(5, 3, scheme="rai", bias=True, inputs=L.Uniform(-1, 1), samples=301, chunk=101)
    out["born_dead"] = np.asarray([bd["probability"], bd["single_input_probability"]])
    out["phase"] = A.simulate_crossing(L.Problem(), "momentum", {"learning_rate": np.geomspace(1e-3, 2, 11), "momentum": np.linspace(0, 0.9, 7)}, steps=300)
    np.savez(sys.argv[1], **out)
    """
)


def test_identical_on_one_two_and_eight_devices(tmp_path):
    res = {}
    for n in (1, 2, 8):
        env = dict(os.environ, XLA_FLAGS=f"--xla_force_host_platform_device_count={n}", JAX_PLATFORMS="cpu")
        path = tmp_path / f"d{n}.npz"
        subprocess.run([sys.executable, "-c", SCRIPT, str(path), str(n)], check=True, env=env, timeout=600)
        res[n] = np.load(path)
    for n in (2, 8):
        for k in res[1].files:
            np.testing.assert_allclose(res[n][k], res[1][k], rtol=1e-12, atol=1e-14, err_msg=f"{k} on {n} devices")


def test_interrupted_sweep_resumes_to_the_same_result(tmp_path, monkeypatch):
    p = L.Problem(trained=("w", "b"))
    init = {"w": jnp.linspace(-3, 3, 14), "b": jnp.linspace(1, -1, 14)}
    kw = dict(
        optimizer=L.optimizer("adam", learning_rate=0.05),
        steps=30,
        batch_size=32,
        record_every=10,
        key=jax.random.key(2),
        chunk=3,
    )  # chunks of 4 (the bucket of 3): 4 + 4 + 4 + 2
    whole = L.train(p, init, **kw)
    calls = {"n": 0}
    real = E.run

    def dying(*a, **k):
        if isinstance(jax.tree_util.tree_leaves(a[2])[0], jax.core.Tracer):
            return real(*a, **k)  # the abstract evaluation that gives the output structure
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt("interrupted")
        return real(*a, **k)

    monkeypatch.setattr(E, "run", dying)
    with pytest.raises(KeyboardInterrupt):
        L.train(p, init, checkpoint=str(tmp_path / "ck"), **kw)
    assert sorted(f for f in os.listdir(tmp_path / "ck") if f.startswith("chunk")) == [
        "chunk-000000.npz",
        "chunk-000001.npz",
    ]
    calls["n"] = -100  # no more interruptions; count the chunks computed on resume
    resumed = L.train(p, init, checkpoint=str(tmp_path / "ck"), **kw)
    assert calls["n"] == -100 + 2  # 4 chunks in all, 2 were on disk
    for k in ("w", "b"):
        np.testing.assert_array_equal(np.asarray(resumed.params[k]), np.asarray(whole.params[k]))
    np.testing.assert_array_equal(np.asarray(resumed.batch_loss), np.asarray(whole.batch_loss))
    again = L.train(p, init, checkpoint=str(tmp_path / "ck"), **kw)  # all from disk
    assert calls["n"] == -98
    np.testing.assert_array_equal(np.asarray(again.final["w"]), np.asarray(whole.final["w"]))
    with pytest.raises(ValueError, match="another sweep"):
        L.train(p, init, checkpoint=str(tmp_path / "ck"), **{**kw, "steps": 40, "record_every": 10})


def test_chunked_and_unchunked_grids_and_trains_agree():
    p = L.Problem(trained=("w", "b"))
    ax = {"w": jnp.linspace(-2, 2, 21), "b": jnp.linspace(-2, 2, 19)}
    a, b = L.grid(p, ax, chunk=7), L.grid(p, ax, chunk=21 * 19)
    np.testing.assert_allclose(np.asarray(a.loss), np.asarray(b.loss), rtol=2e-15, atol=1e-16)
    init = {"w": jnp.linspace(-3, 3, 9), "b": jnp.zeros(9)}
    kw = dict(optimizer="sgd", steps=10, gradient="population", record_every=5, key=jax.random.key(0))
    np.testing.assert_allclose(
        np.asarray(L.train(p, init, chunk=2, **kw).final["w"]),
        np.asarray(L.train(p, init, **kw).final["w"]),
        rtol=1e-13,
    )
