"""The sorted-prefix-sum minibatch path equals jax.grad of the batch loss."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import landscape as L
from landscape import fastpath as F

PROBLEMS = [
    L.Problem(trained=("w",)),
    L.Problem(trained=("w", "b")),
    L.Problem(trained=("w", "b", "a", "c")),
    L.Problem(student=("leaky_relu", {"slope": 0.3}), trained=("w", "b", "a", "c")),
    L.Problem(student="identity", teacher=("leaky_relu", {"slope": -0.5}), trained=("w", "b")),
    L.Problem(inputs=L.Uniform(-1, 2), trained=("w", "b", "a", "c")),
]


def _direct(problem, params, x):
    return jax.value_and_grad(lambda p: L.neuron.batch_loss(problem, p, x))(params)


def _assert_same(problem, params, x, tol=1e-12):
    l1, g1 = F.loss_and_grad(problem, params, F.prepare(x))
    l2, g2 = _direct(problem, params, x)
    scale = max(1.0, abs(float(l2)))
    assert abs(float(l1) - float(l2)) <= tol * scale, (params, float(l1), float(l2))
    for k in problem.trained:
        assert abs(float(g1[k]) - float(g2[k])) <= tol * max(scale, abs(float(g2[k]))), (
            k,
            params,
            float(g1[k]),
            float(g2[k]),
        )


@pytest.mark.parametrize("problem", PROBLEMS, ids=lambda p: p.label)
def test_random_parameters(problem):
    x = L.sample_inputs(problem, jax.random.key(0), (1000,), jnp.float64)
    rng = np.random.default_rng(1)
    for _ in range(20):
        th = rng.normal(size=4) * np.array([2, 1.5, 1, 0.5]) + np.array([0, 0, 1, 0])
        _assert_same(problem, {k: jnp.asarray(v) for k, v in zip("wbac", th) if k in problem.trained}, x)


@pytest.mark.parametrize("problem", PROBLEMS[1:4], ids=lambda p: p.label)
def test_edges(problem):
    # samples exactly at the student's kink (w x + b == 0), at 0, repeated values
    x = jnp.asarray([-2.0, -0.5, -0.5, 0.0, 0.0, 0.25, 0.5, 0.5, 1.0, 3.0])
    edges = [
        dict(w=0.0, b=0.0),
        dict(w=-0.0, b=0.0),
        dict(w=0.0, b=0.7),
        dict(w=0.0, b=-0.7),
        dict(w=2.0, b=-1.0),  # kink at x = 0.5, two samples on it
        dict(w=-2.0, b=1.0),  # the same kink, reversed orientation
        dict(w=4.0, b=2.0),  # kink at -0.5
        dict(w=1.0, b=10.0),  # every sample active
        dict(w=1.0, b=-10.0),  # every sample inactive
        dict(w=-1.0, b=-10.0),
        dict(w=1e-300, b=0.0),
    ]
    for e in edges:
        params = {"w": jnp.asarray(e["w"]), "b": jnp.asarray(e["b"])}
        if "a" in problem.trained:
            for a, c in [(1.0, 0.0), (0.0, 0.0), (0.0, 0.3), (-1.5, 0.2)]:
                _assert_same(problem, {**params, "a": jnp.asarray(a), "c": jnp.asarray(c)}, x)
        else:
            _assert_same(problem, params, x)


@settings(max_examples=60, deadline=None)
@given(
    w=st.floats(-5, 5, allow_subnormal=False),
    b=st.floats(-5, 5, allow_subnormal=False),
    a=st.floats(-3, 3, allow_subnormal=False),
    c=st.floats(-2, 2, allow_subnormal=False),
    seed=st.integers(0, 2**16),
    n=st.integers(1, 64),
)
def test_property_any_batch(w, b, a, c, seed, n):
    problem = PROBLEMS[3]
    x = jnp.round(jax.random.normal(jax.random.key(seed), (n,), jnp.float64) * 4) / 4  # many ties and kink hits
    _assert_same(
        problem, {"w": jnp.asarray(w), "b": jnp.asarray(b), "a": jnp.asarray(a), "c": jnp.asarray(c)}, x, tol=1e-11
    )


def test_float32_prefix_sums_stay_at_rounding_for_large_batches():
    problem = L.Problem(trained=("w", "b", "a", "c"))
    x64 = jax.random.normal(jax.random.key(5), (100_000,), jnp.float64) * 3 + 1.0
    x32 = x64.astype(jnp.float32)
    rng = np.random.default_rng(2)
    for _ in range(10):
        th = rng.normal(size=4) + np.array([0, 0, 1, 0])
        p32 = {k: jnp.asarray(v, jnp.float32) for k, v in zip("wbac", th)}
        p64 = {k: jnp.asarray(float(v), jnp.float64) for k, v in p32.items()}
        l32, g32 = F.loss_and_grad(problem, p32, F.prepare(x32))
        l64, g64 = F.loss_and_grad(problem, p64, F.prepare(x32.astype(jnp.float64)))
        assert l32.dtype == jnp.float32
        # a few float32 roundings of the result (not B of them)
        assert abs(float(l32) - float(l64)) <= 64 * 6e-8 * max(1.0, abs(float(l64)))
        for k in "wbac":
            assert abs(float(g32[k]) - float(g64[k])) <= 64 * 6e-8 * max(1.0, abs(float(l64)), abs(float(g64[k])))


def test_naive_float32_cumsum_would_fail_the_same_bound():
    # the bound above is not loose: a plain float32 cumulative sum misses it
    x = jnp.sort(jax.random.normal(jax.random.key(5), (100_000,), jnp.float64) * 3 + 1.0)
    naive = jnp.cumsum((x * x).astype(jnp.float32))
    exact = jnp.cumsum(x * x)
    i, j = 40_000, 40_050
    err = abs(float(naive[j] - naive[i]) - float(exact[j] - exact[i]))
    assert err > 64 * 6e-8 * max(1.0, float(exact[j] - exact[i]))


@pytest.mark.parametrize("dtype, rtol", [(jnp.float64, 1e-10), (jnp.float32, 2e-4)])
def test_whole_trajectories_agree_with_the_direct_path(dtype, rtol):
    problem = L.Problem(trained=("w", "b"))
    init = {"w": jnp.asarray([2.0, -10.0, 0.5, -1.0, 1.5], dtype), "b": jnp.asarray([0.0, 0.0, -0.5, 1.0, 2.0], dtype)}
    kw = dict(optimizer=L.optimizer("sgd", learning_rate=0.01), steps=2000, batch_size=1000, key=jax.random.key(0))
    fast = L.train(problem, init, path="sorted", **kw)
    direct = L.train(problem, init, path="direct", **kw)
    auto = L.train(problem, init, **kw)
    assert fast.settings["path"] == "sorted" == auto.settings["path"] and direct.settings["path"] == "direct"
    for k in ("w", "b"):
        np.testing.assert_allclose(
            np.asarray(fast.params[k]), np.asarray(direct.params[k]), rtol=rtol, atol=rtol * 1e-2
        )
    np.testing.assert_allclose(
        np.asarray(fast.batch_loss), np.asarray(direct.batch_loss), rtol=rtol * 10, atol=rtol * 1e-2
    )


def test_path_selection_and_errors():
    key = jax.random.key(0)
    kw = dict(optimizer="sgd", steps=2, record_every=1, batch_size=8, key=key)
    assert L.train(L.Problem(student="elu"), {"w": jnp.ones(2)}, **kw).settings["path"] == "direct"
    assert L.train(L.Problem(), {"w": jnp.ones(2)}, streams="independent", **kw).settings["path"] == "direct"
    assert L.train(L.Problem(), {"w": jnp.ones(2)}, gradient="population", **kw).settings["path"] == "exact"
    with pytest.raises(ValueError, match="piecewise-linear"):
        L.train(L.Problem(student="elu"), {"w": jnp.ones(2)}, path="sorted", **kw)
    with pytest.raises(ValueError, match="path must be one of"):
        L.train(L.Problem(), {"w": jnp.ones(2)}, path="fast", **kw)
