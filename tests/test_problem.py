"""Problem, activations and batch loss: behaviour and validation."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import landscape as L


def test_defaults_and_normalization():
    p = L.Problem()
    assert p.student.name == "relu" and p.teacher.name == "relu" and p.trained == ("w",)
    assert isinstance(p.inputs, L.Gaussian)
    q = L.Problem(student=("leaky_relu", {"slope": 0.3}), inputs=L.Uniform(-1, 2), trained=("b", "w"))
    assert q.trained == ("w", "b") and q.student.kwargs == {"slope": 0.3}
    assert hash(q) == hash(L.Problem(student=("leaky_relu", {"slope": 0.3}), inputs="uniform:-1,2", trained="w,b"))


def test_relu_derivative_at_zero_is_zero_and_leaky_is_left_slope():
    assert float(jax.grad(L.ACTIVATIONS["relu"].fn)(0.0)) == 0.0
    lr = L.resolve_activation(("leaky_relu", {"slope": 0.3}))
    assert float(jax.grad(lr)(0.0)) == pytest.approx(0.3)
    assert float(jax.grad(lr)(1e-12)) == 1.0


def test_every_activation_is_elementwise_and_finite():
    z = jnp.linspace(-50, 50, 101)
    for name in L.ACTIVATIONS:
        a = L.resolve_activation(name)
        out = a(z)
        assert out.shape == z.shape and bool(jnp.all(jnp.isfinite(out))), name
        d = jax.vmap(jax.grad(a))(z)
        assert bool(jnp.all(jnp.isfinite(d))), name


def test_batch_loss_is_keras_mse():
    p = L.Problem(trained=("w", "b"))
    x = jnp.asarray([-1.0, 0.5, 2.0])
    got = float(L.neuron.batch_loss(p, {"w": 2.0, "b": -0.5}, x))
    f = np.maximum(2 * np.asarray(x) - 0.5, 0)
    y = np.maximum(np.asarray(x), 0)
    assert got == pytest.approx(np.mean((f - y) ** 2), rel=1e-15)


@pytest.mark.parametrize(
    "kwargs, err, match",
    [
        (dict(student="rleu"), ValueError, "known: .*relu"),
        (dict(teacher="swishy"), ValueError, "known"),
        (dict(student=("leaky_relu", {"slop": 0.3})), TypeError, "allowed: slope"),
        (dict(student=("leaky_relu", {"slope": math.nan})), ValueError, "finite"),
        (dict(student=("softplus", {"beta": -1.0})), ValueError, "beta"),
        (dict(student=("elu", {"alpha": -1.0})), ValueError, "alpha"),
        (dict(student=("gelu", {"approximate": 1})), TypeError, "True or False"),
        (dict(student=3), TypeError, "name or"),
        (dict(inputs="cauchy"), ValueError, "gaussian"),
        (dict(trained=("w", "z")), ValueError, "subset"),
        (dict(trained=()), ValueError, "subset"),
        (dict(trained=("w", "w")), ValueError, "repeats"),
    ],
)
def test_problem_validation(kwargs, err, match):
    with pytest.raises(err, match=match):
        L.Problem(**kwargs)


@pytest.mark.parametrize("lo, hi", [(1.0, 1.0), (2.0, -1.0), (0.0, math.inf), (math.nan, 1.0)])
def test_uniform_validation(lo, hi):
    with pytest.raises(ValueError, match=r"lo|hi"):
        L.Uniform(lo, hi)


def test_params_validation():
    p = L.Problem(trained=("w", "b"))
    with pytest.raises(ValueError, match="missing \\['b'\\]"):
        L.population_loss(p, {"w": 1.0})
    with pytest.raises(ValueError, match="not trained \\['a'\\]"):
        L.population_loss(p, {"w": 1.0, "b": 0.0, "a": 1.0})
    with pytest.raises(TypeError, match="dict"):
        L.neuron.batch_loss(p, [1.0, 0.0], jnp.ones(3))


def test_optimum_is_zero_loss_when_student_equals_teacher():
    for trained in [("w",), ("w", "b"), ("w", "b", "a", "c")]:
        p = L.Problem(trained=trained)
        assert float(L.population_loss(p, p.optimum())) == 0.0
    assert L.Problem(student="elu").optimum() is None
