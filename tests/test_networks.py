"""Networks on d-dimensional inputs: teachers, exact losses (arc-cosine kernel), training and basins."""

import itertools
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import integrate

import landscape as L
from analysis import classify
from analysis import deep as D
from landscape import kernels as K
from landscape import networks as N


def _mc(problem, params, n=1_000_000, seed=7):
    """Independent Monte Carlo estimate of the population loss and its standard error."""
    x = problem.sample(jax.random.key(seed), (n,))
    sq = (problem.outputs(params, x) - problem.target(x)) ** 2
    return float(sq.mean()), float(sq.std()) / math.sqrt(n)


@pytest.mark.parametrize(
    "student_act, teacher_act",
    [("relu", "relu"), (("leaky_relu", {"slope": 0.2}), "abs"), ("identity", ("leaky_relu", {"slope": -0.5}))],
)
def test_closed_form_loss_and_moments_against_monte_carlo(student_act, teacher_act):
    d = 3
    tspec = N.MLP(in_dim=d, hidden=(2,), activation=teacher_act, bias=False)
    teacher = N.NetTeacher.of(tspec, N.init(tspec, jax.random.key(1), "he_normal"))
    student = N.MLP(in_dim=d, hidden=(4,), activation=student_act, bias=False)
    problem = N.NetProblem(student, teacher)
    assert problem.method == "closed form" and problem.exact
    params = N.init(student, jax.random.key(2), "he_normal")
    exact = float(problem.population_loss(params))
    mc, se = _mc(problem, params)
    assert abs(exact - mc) <= 4 * se, (exact, mc, se)  # 4 standard errors: a false alarm has odds ~ 6e-5
    x = problem.sample(jax.random.key(3), (1_000_000,))
    f = problem.outputs(params, x)
    mean, var = (float(v) for v in problem.output_moments(params))
    assert abs(mean - float(f.mean())) <= 4 * float(f.std()) / 1000
    assert var == pytest.approx(float(f.var()), rel=0.01)


def test_closed_form_in_one_dimension_against_scipy():
    student = N.MLP(in_dim=1, hidden=(3,), activation="relu", bias=False)
    params = N.init(student, jax.random.key(4), "he_normal")
    problem = N.NetProblem(student, "relu")
    assert problem.method == "closed form"
    W, a = np.asarray(params[0]["W"])[:, 0], np.asarray(params[1]["W"])[0]
    f = lambda x: (a @ np.maximum(W * x, 0) - max(x, 0.0)) ** 2 * math.exp(-x * x / 2) / math.sqrt(2 * math.pi)
    ref = integrate.quad(f, -np.inf, 0)[0] + integrate.quad(f, 0, np.inf)[0]
    assert float(problem.population_loss(params)) == pytest.approx(ref, rel=1e-10, abs=1e-13)
    # the same network with a bias falls back to quadrature, which agrees with scipy too
    biased = N.MLP(in_dim=1, hidden=(3,), activation="relu", bias=True)
    bp = [{"W": params[0]["W"], "b": jnp.asarray([0.3, -0.2, 0.1])}, {"W": params[1]["W"], "b": jnp.asarray([0.05])}]
    qp = N.NetProblem(biased, "relu")
    assert qp.method == "quadrature"
    g = lambda x: (
        (a @ np.maximum(W * x + np.asarray(bp[0]["b"]), 0) + 0.05 - max(x, 0.0)) ** 2
        * math.exp(-x * x / 2)
        / math.sqrt(2 * math.pi)
    )
    kinks = sorted({0.0, *(-np.asarray(bp[0]["b"]) / W).tolist()})
    edges = [-np.inf, *kinks, np.inf]
    ref = sum(integrate.quad(g, lo, hi)[0] for lo, hi in itertools.pairwise(edges))
    assert float(qp.population_loss(bp)) == pytest.approx(ref, rel=1e-6)


def test_shallow_loss_matches_the_teacher_student_formula_and_a_published_minimum():
    k = 5
    problem = N.NetProblem(N.MLP(in_dim=k, hidden=(k,), bias=False), N.NetTeacher.orthonormal(k))
    W = jax.random.normal(jax.random.key(5), (k, k)) / math.sqrt(k)
    params = [{"W": W}, {"W": jnp.ones((1, k))}]
    # the same student with its output weights fixed at 1 (a "sum" readout): same function, same loss
    summed = D.safran_shamir(k, k)
    assert float(problem.population_loss(params)) == pytest.approx(float(summed.population_loss([{"W": W}])), rel=1e-12)
    # and the arc-cosine formula written out in NumPy, term by term
    Wn, V = np.asarray(W), np.eye(k)

    def kern(u, v):
        nu, nv = np.linalg.norm(u), np.linalg.norm(v)
        t = np.arccos(np.clip(u @ v / (nu * nv), -1, 1))
        return nu * nv * (np.sin(t) + (np.pi - t) * np.cos(t)) / (2 * np.pi)

    ref = (
        sum(kern(a, b) for a in Wn for b in Wn)
        - 2 * sum(kern(a, b) for a in Wn for b in V)
        + sum(kern(a, b) for a in V for b in V)
    )
    assert float(summed.population_loss([{"W": W}])) == pytest.approx(ref, rel=1e-10)
    assert float(problem.population_loss([{"W": jnp.eye(k)}, {"W": jnp.ones((1, k))}])) == pytest.approx(0.0, abs=1e-13)
    # Safran, Yehudai & Shamir's k = n = 7 spurious minimum: stationary, strictly convex, loss well above 0
    c = D.minimum_check(D.published_minimum_k7())
    assert c["grad_norm"] < 1e-8 and c["min_eig"] > 1e-2 and c["loss"] > 0.04
    # read with rows and columns swapped it is not stationary: the check can tell the difference
    assert D.minimum_check(D.published_minimum_k7().T)["grad_norm"] > 0.1


def test_kernel_gradients_are_finite_at_coincident_and_zero_units():
    u = jnp.asarray([0.6, -0.8])
    for v in (u, -u, jnp.zeros(2)):
        g = jax.grad(K.relu_kernel, argnums=(0, 1))(u, v)
        assert all(np.all(np.isfinite(np.asarray(t))) for t in g)
    # d/du E[relu(u.x)^2] = d/du |u|^2 / 2 = u
    np.testing.assert_allclose(np.asarray(jax.grad(lambda a: K.relu_kernel(a, a))(u)), np.asarray(u), atol=1e-14)


def test_bad_networks_problems():
    with pytest.raises(ValueError, match="dimensions differ"):
        N.NetProblem(N.MLP(in_dim=4, hidden=(3,)), N.NetTeacher.orthonormal(3))
    with pytest.raises(ValueError, match="needs a NetTeacher"):
        N.NetProblem(N.MLP(in_dim=2, hidden=(3,)), "relu")
    with pytest.raises(ValueError, match="d must be an integer >= k"):
        N.NetTeacher.orthonormal(4, 3)
    with pytest.raises(ValueError, match="W has shape"):
        N.NetTeacher.of(N.MLP(in_dim=2, hidden=(3,), bias=False), [{"W": jnp.ones((3, 3))}, {"W": jnp.ones((1, 3))}])
    with pytest.raises(ValueError, match="mc_samples"):
        N.NetProblem(N.MLP(in_dim=2, hidden=(3,)), N.NetTeacher.orthonormal(2), mc_samples=1)
    mc = N.NetProblem(N.MLP(in_dim=2, hidden=(3,), bias=True), N.NetTeacher.orthonormal(2))
    assert mc.method == "monte carlo" and not mc.exact
    init = N.init_many(mc.student, jax.random.key(0), 4)
    with pytest.raises(ValueError, match="population gradients need an exact loss"):
        L.train(mc, init, optimizer="sgd", steps=10, gradient="population", key=jax.random.key(0), record_every=10)


def test_train_on_d_dimensional_inputs_exact_and_minibatch():
    k = 3
    problem = N.NetProblem(N.MLP(in_dim=k, hidden=(4,), bias=False), N.NetTeacher.orthonormal(k))
    init = N.init_many(problem.student, jax.random.key(0), 6, "he_normal")
    lr, steps = 0.05, 40
    t = L.train(
        problem,
        init,
        optimizer=L.optimizer("sgd", learning_rate=lr),
        steps=steps,
        gradient="population",
        record_every=20,
        key=jax.random.key(1),
    )
    assert t.settings["path"] == "exact" and t.params[0]["W"].shape == (3, 6, 4, k)
    # plain gradient descent on the exact loss, one start at a time
    p = jax.tree_util.tree_map(lambda a: a[2], init)
    g = jax.jit(jax.grad(problem.population_loss))
    for _ in range(steps):
        p = jax.tree_util.tree_map(lambda a, b: a - lr * b, p, g(p))
    np.testing.assert_allclose(np.asarray(t.final[0]["W"][2]), np.asarray(p[0]["W"]), rtol=1e-11, atol=1e-13)
    assert np.all(np.diff(np.asarray(t.population_loss), axis=0) < 0)  # small steps lower the exact loss
    # minibatch training draws d-dimensional inputs: its first batch loss is the mean over that batch
    m = L.train(problem, init, optimizer="adam", steps=1, batch_size=32, record_every=1, key=jax.random.key(2))
    x = problem.sample(jax.random.fold_in(jax.random.key(2), 0), (32,))
    assert x.shape == (32, k)
    first = [float(problem.batch_loss(jax.tree_util.tree_map(lambda a: a[i], init), x)) for i in range(6)]
    np.testing.assert_allclose(np.asarray(m.batch_loss[0]), first, rtol=1e-12)


def test_basins_of_d_dimensional_networks():
    k = 3
    problem = N.NetProblem(N.MLP(in_dim=k, hidden=(k,), bias=False), N.NetTeacher.orthonormal(k))
    fit = [{"W": jnp.eye(k)}, {"W": jnp.ones((1, k))}]
    dead = [{"W": jnp.zeros((k, k))}, {"W": jnp.ones((1, k))}]  # every unit is the zero function
    other = [{"W": -jnp.eye(k)}, {"W": jnp.ones((1, k))}]  # alive, far from the teacher, not stationary
    both = jax.tree_util.tree_map(lambda *a: jnp.stack(a), fit, dead, other)
    assert classify(problem, both).names().tolist() == ["global_min", "dead", "moving"]
