"""Grid evaluation: values, chunk independence, compile-once, memory."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import landscape as L
from landscape.grids import TRACE_COUNT


def test_grid_matches_pointwise_loss_grad_and_hessian():
    problem = L.Problem(trained=("w", "b", "a", "c"))
    ws, cs = jnp.linspace(-2, 2, 7), jnp.linspace(-0.5, 0.5, 5)
    r = L.grid(
        problem, {"w": ws, "c": cs}, fixed={"b": 0.3, "a": 1.2}, quantities=("loss", "grad", "hessian", "eigvals")
    )
    assert r.loss.shape == (7, 5) and r.hessian.shape == (7, 5, 4, 4) and r.eigvals.shape == (7, 5, 4)
    f = lambda th: L.population_loss(problem, dict(zip("wbac", th)))
    for i in [0, 3, 6]:
        for j in [0, 2, 4]:
            th = jnp.asarray([ws[i], 0.3, 1.2, cs[j]])
            assert float(r.loss[i, j]) == pytest.approx(float(f(th)), rel=1e-14, abs=1e-15)
            g = jax.grad(f)(th)
            for k, name in enumerate("wbac"):
                assert float(r.grad[name][i, j]) == pytest.approx(float(g[k]), rel=1e-13, abs=1e-14)
            np.testing.assert_allclose(
                np.asarray(r.hessian[i, j]), np.asarray(jax.hessian(f)(th)), rtol=1e-12, atol=1e-13
            )
            np.testing.assert_allclose(
                np.asarray(r.eigvals[i, j]), np.linalg.eigvalsh(np.asarray(r.hessian[i, j])), atol=1e-12
            )


def test_one_axis_grid_for_the_no_bias_problem():
    problem = L.Problem()
    ws = jnp.linspace(-3, 3, 61)
    r = L.grid(problem, {"w": ws})
    expect = np.where(ws < 0, ws**2 / 2 + 0.5, (ws - 1) ** 2 / 2)
    np.testing.assert_allclose(np.asarray(r.loss), expect, atol=1e-14)
    np.testing.assert_allclose(np.asarray(r.grad["w"]), np.where(ws <= 0, ws, ws - 1), atol=1e-14)


@pytest.mark.parametrize("student", ["relu", "softplus"])
def test_results_do_not_depend_on_chunk(student):
    problem = L.Problem(student=student, trained=("w", "b"))
    axes = {"w": jnp.linspace(-2, 2, 33), "b": jnp.linspace(-1, 1, 17)}
    ref = L.grid(problem, axes, quantities=("loss", "grad", "eigvals"), chunk=33 * 17)
    for chunk in [1, 7, 100]:
        r = L.grid(problem, axes, quantities=("loss", "grad", "eigvals"), chunk=chunk)
        # equal up to the last bit or two: XLA may vectorize a chunk's tail differently
        np.testing.assert_allclose(np.asarray(r.loss), np.asarray(ref.loss), rtol=2e-15, atol=1e-16)
        np.testing.assert_allclose(np.asarray(r.grad["b"]), np.asarray(ref.grad["b"]), rtol=2e-15, atol=1e-16)
        np.testing.assert_allclose(np.asarray(r.eigvals), np.asarray(ref.eigvals), rtol=1e-13, atol=1e-14)


def test_second_call_does_not_recompile():
    problem = L.Problem(trained=("w", "b"))
    axes = {"w": jnp.linspace(-2, 2, 11), "b": jnp.linspace(-1, 1, 13)}
    L.grid(problem, axes)
    before = TRACE_COUNT["grid"]
    axes2 = {"w": jnp.linspace(-3, 3, 11), "b": jnp.linspace(-2, 2, 13)}
    r = L.grid(problem, axes2)
    assert TRACE_COUNT["grid"] == before
    assert float(r.loss[0, 0]) == pytest.approx(float(L.population_loss(problem, {"w": -3.0, "b": -2.0})))


def test_large_grid_runs_in_bounded_memory():
    problem = L.Problem(trained=("w", "b"))
    ax = jnp.linspace(-4, 4, 4096, dtype=jnp.float32)
    r = L.grid(problem, {"w": ax, "b": ax})
    assert r.loss.shape == (4096, 4096) and r.loss.dtype == jnp.float32
    assert bool(jnp.all(jnp.isfinite(r.loss))) and bool(jnp.all(r.loss >= 0))
    assert float(r.loss[2048, 2048]) == pytest.approx(
        float(L.population_loss(problem, {"w": float(ax[2048]), "b": float(ax[2048])})), rel=1e-5
    )


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(axes={"a": jnp.ones(3)}), "not a trained parameter"),
        (dict(axes={"w": jnp.ones(0)}), "non-empty 1-D"),
        (dict(axes={"w": jnp.ones((2, 2))}), "non-empty 1-D"),
        (dict(axes={"w": jnp.asarray([0.0, jnp.nan])}), "finite"),
        (dict(axes={"w": jnp.ones(3)}), "missing \\['b'\\]"),
        (dict(axes={"w": jnp.ones(3), "b": jnp.ones(2)}, fixed={"b": 1.0}), "unexpected \\['b'\\]"),
        (dict(axes={"w": jnp.ones(3), "b": jnp.ones(2)}, quantities=("loss", "curvature")), "curvature"),
        (dict(axes={"w": jnp.ones(3), "b": jnp.ones(2)}, chunk=0), "chunk"),
        (dict(axes={}), "one or two"),
    ],
)
def test_bad_input(kwargs, match):
    problem = L.Problem(trained=("w", "b"))
    axes = kwargs.pop("axes")
    before = TRACE_COUNT["grid"]
    with pytest.raises(ValueError, match=match):
        L.grid(problem, axes, **kwargs)
    assert TRACE_COUNT["grid"] == before
