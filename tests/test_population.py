"""The exact population loss against independent references."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from reference import quad_loss

import landscape as L

STUDENTS = [
    ("relu", {}),
    ("leaky_relu", {"slope": 0.3}),
    ("leaky_relu", {"slope": -0.7}),
    ("identity", {}),
    ("elu", {"alpha": 1.0}),
    ("elu", {"alpha": 0.5}),
    ("selu", {}),
    ("softplus", {"beta": 1.0}),
    ("softplus", {"beta": 4.0}),
    ("gelu", {}),
    ("tanh", {}),
    ("sigmoid", {}),
    ("silu", {}),
]
INPUTS = ["gaussian", (-1.0, 1.0), (-0.5, 2.0)]


def _points(seed):
    rng = np.random.default_rng(seed)
    pts = [
        (0.0, 0.0, 1.0, 0.0),
        (0.0, 0.7, 1.0, 0.0),
        (0.0, -0.7, 1.3, 0.2),
        (1e-9, 0.3, 1.0, 0.0),
        (-1e-9, -0.3, 0.8, 0.1),
        (1.0, 0.0, 1.0, 0.0),
        (-2.0, 0.0, 1.0, 0.0),
        (1.5, 25.0, 0.5, -0.2),
        (-0.5, -30.0, 2.0, 0.3),
        (0.3, 0.0, 0.0, 0.4),
    ]
    for _ in range(14):
        pts.append(tuple(rng.normal(size=4) * np.array([2.0, 1.5, 1.0, 0.5]) + np.array([0, 0, 1, 0])))
    return pts


def _inputs(spec):
    return "gaussian" if spec == "gaussian" else L.Uniform(*spec)


@pytest.mark.parametrize("inputs", INPUTS, ids=str)
@pytest.mark.parametrize("student", STUDENTS, ids=lambda s: f"{s[0]}{s[1] or ''}")
def test_matches_scipy_quadrature(student, inputs):
    name, sp = student
    problem = L.Problem(student=(name, sp), inputs=_inputs(inputs), trained=("w", "b", "a", "c"))
    pts = _points(STUDENTS.index(student) * 10 + INPUTS.index(inputs))
    w, b, a, c = (jnp.asarray([p[i] for p in pts]) for i in range(4))
    got = np.asarray(L.population_loss(problem, {"w": w, "b": b, "a": a, "c": c}))
    for (pw, pb, pa, pc), g in zip(pts, got):
        ref = quad_loss(name, "relu", inputs, pw, pb, pa, pc, sp=sp)
        assert abs(g - ref) <= 1e-11 * max(1.0, abs(ref)), (pw, pb, pa, pc, g, ref)


@pytest.mark.parametrize("teacher", [("leaky_relu", {"slope": 0.2}), ("identity", {}), ("tanh", {}), ("elu", {})])
def test_other_teachers(teacher):
    for inputs in INPUTS:
        problem = L.Problem(student="relu", teacher=teacher, inputs=_inputs(inputs), trained=("w", "b"))
        for w, b in [(0.0, 0.0), (0.7, -0.2), (-1.3, 0.4), (2.0, 3.0)]:
            got = float(L.population_loss(problem, {"w": w, "b": b}))
            ref = quad_loss("relu", teacher[0], inputs, w, b, tp=teacher[1])
            assert abs(got - ref) <= 1e-11 * max(1.0, abs(ref))


def test_seed_one_dimensional_facts():
    problem = L.Problem()
    ws = np.concatenate([np.linspace(-10, -1e-6, 37), np.linspace(1e-6, 10, 37)])
    got = np.asarray(L.population_loss(problem, {"w": jnp.asarray(ws)}))
    expect = np.where(ws < 0, ws**2 / 2 + 0.5, (ws - 1) ** 2 / 2)
    np.testing.assert_allclose(got, expect, rtol=1e-14, atol=1e-14)
    assert float(L.population_loss(problem, {"w": 0.0})) == pytest.approx(0.5, abs=1e-15)


def _fd(f, x, h):
    return (f(x + h) - f(x - h)) / (2 * h)


@pytest.mark.parametrize("student", STUDENTS, ids=lambda s: f"{s[0]}{s[1] or ''}")
@pytest.mark.parametrize("inputs", ["gaussian", (-1.0, 1.0)], ids=str)
def test_grad_matches_finite_differences(student, inputs):
    problem = L.Problem(student=student, inputs=_inputs(inputs), trained=("w", "b", "a", "c"))
    rng = np.random.default_rng(7)
    for _ in range(6):
        theta = rng.normal(size=4) + np.array([0.0, 0.0, 1.0, 0.0])
        params = dict(zip("wbac", map(jnp.asarray, theta)))
        g = jax.grad(lambda p: L.population_loss(problem, p))(params)
        for k in "wbac":
            f = lambda v, k=k: float(L.population_loss(problem, {**params, k: jnp.asarray(v)}))
            ref = _fd(f, float(params[k]), 1e-5)
            assert float(g[k]) == pytest.approx(ref, rel=1e-7, abs=1e-8), k


def test_grad_matches_loss_and_grad():
    problem = L.Problem(trained=("w", "b", "a", "c"))
    params = {"w": jnp.asarray(-0.4), "b": jnp.asarray(0.3), "a": jnp.asarray(1.2), "c": jnp.asarray(-0.1)}
    g = jax.grad(lambda p: L.population_loss(problem, p))(params)
    _, g2 = L.neuron.population_loss_and_grad(problem, params)
    for k in params:
        assert float(g[k]) == pytest.approx(float(g2[k]), rel=1e-15, abs=1e-16)


@pytest.mark.parametrize("w0", [0.0, -0.0])
def test_grad_at_the_kink_is_the_expected_per_sample_gradient(w0):
    problem = L.Problem()
    g = jax.grad(lambda w: L.population_loss(problem, {"w": w}))(jnp.asarray(w0))
    assert float(g) == 0.0
    x = jax.random.normal(jax.random.key(0), (1000,), jnp.float64)
    gb = jax.grad(lambda w: L.neuron.batch_loss(problem, {"w": w}, x))(jnp.asarray(w0))
    assert float(gb) == 0.0
    # the one-sided slopes differ: the kink is real
    h = 1e-6
    left = (float(L.population_loss(problem, {"w": 0.0})) - float(L.population_loss(problem, {"w": -h}))) / h
    right = (float(L.population_loss(problem, {"w": h})) - float(L.population_loss(problem, {"w": 0.0}))) / h
    assert left == pytest.approx(0.0, abs=1e-5) and right == pytest.approx(-1.0, abs=1e-5)


def test_leaky_grad_at_dead_point_uses_left_slope():
    # at w = b = 0 every pre-activation is 0: the per-sample derivative is the left slope
    problem = L.Problem(student=("leaky_relu", {"slope": 0.3}), trained=("w", "b"))
    params = {"w": jnp.asarray(0.0), "b": jnp.asarray(0.0)}
    g = jax.grad(lambda p: L.population_loss(problem, p))(params)
    x = jax.random.normal(jax.random.key(1), (200_000,), jnp.float64)
    gb = jax.grad(lambda p: L.neuron.batch_loss(problem, p, x))(params)
    # E[-2 relu(x) * 0.3 x] = -0.3 and E[-2 relu(x) * 0.3] = -0.6 / sqrt(2 pi)
    assert float(g["w"]) == pytest.approx(-0.3, abs=1e-15)
    assert float(g["b"]) == pytest.approx(-0.6 / math.sqrt(2 * math.pi), abs=1e-15)
    assert float(gb["w"]) == pytest.approx(-0.3, abs=0.01)


@pytest.mark.parametrize("student", ["relu", "elu", "softplus"])
@pytest.mark.parametrize("inputs", ["gaussian", (-1.0, 1.0)], ids=str)
def test_monte_carlo_agrees_within_four_standard_errors(student, inputs):
    problem = L.Problem(student=student, inputs=_inputs(inputs), trained=("w", "b", "a", "c"))
    params = {"w": jnp.asarray(-0.8), "b": jnp.asarray(0.4), "a": jnp.asarray(1.3), "c": jnp.asarray(-0.2)}
    x = L.sample_inputs(problem, jax.random.key(3), (1_000_000,), jnp.float64)
    r2 = (L.neuron.predict(problem, params, x) - L.neuron.target(problem, x)) ** 2
    mc, se = float(jnp.mean(r2)), float(jnp.std(r2)) / 1000.0
    exact = float(L.population_loss(problem, params))
    assert abs(mc - exact) < 4 * se


def test_hessian_matches_finite_differences_of_gradient():
    problem = L.Problem(trained=("w", "b"))
    f = lambda th: L.population_loss(problem, {"w": th[0], "b": th[1]})
    th = jnp.asarray([0.7, -0.3])
    h = jax.hessian(f)(th)
    g = jax.grad(f)
    eps = 1e-6
    for j in range(2):
        e = jnp.zeros(2).at[j].set(eps)
        col = (g(th + e) - g(th - e)) / (2 * eps)
        np.testing.assert_allclose(np.asarray(h[:, j]), np.asarray(col), rtol=1e-7, atol=1e-9)


def test_float32_in_float32_out():
    for student in ["relu", "elu"]:
        problem = L.Problem(student=student, trained=("w", "b"))
        out = L.population_loss(problem, {"w": jnp.float32(0.5), "b": jnp.float32(0.1)})
        assert out.dtype == jnp.float32
        loss, g = L.neuron.population_loss_and_grad(problem, {"w": jnp.float32(0.5), "b": jnp.float32(0.1)})
        assert loss.dtype == g["w"].dtype == jnp.float32
        ref = float(L.population_loss(problem, {"w": 0.5, "b": 0.1}))
        assert float(out) == pytest.approx(ref, rel=1e-5)


def test_broadcasting():
    problem = L.Problem(trained=("w", "b"))
    w = jnp.linspace(-1, 1, 3)[:, None]
    b = jnp.linspace(-1, 1, 4)[None, :]
    out = L.population_loss(problem, {"w": w, "b": b})
    assert out.shape == (3, 4)
    assert float(out[2, 1]) == float(L.population_loss(problem, {"w": 1.0, "b": float(b[0, 1])}))
