"""A user's own model as a problem: plain functions and Equinox, trained, classified and gridded like
the built-in ones; the protocol's answers checked against direct computations."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import analysis as A
import landscape as L
from landscape.sweep import CheckpointError

KEY = jax.random.key(0)


def _mlp():
    def apply(p, x):
        return p["w2"] @ jax.nn.relu(p["W1"] @ x + p["b1"]) + p["b2"]

    def init(key):
        k1, k2 = jax.random.split(key)
        return {
            "W1": jax.random.normal(k1, (4, 2)) / 2,
            "b1": jnp.zeros(4),
            "w2": jax.random.normal(k2, (4,)) / 2,
            "b2": jnp.zeros(()),
        }

    target = lambda x: jax.nn.relu(x[0]) + jax.nn.relu(x[1])
    return (
        L.CustomProblem(
            apply=apply,
            target=target,
            inputs="gaussian",
            dim=2,
            params=init(KEY),
            init=init,
            min_loss=0.0,
            mc_samples=4096,
        ),
        apply,
        target,
    )


def test_plain_functions_train_classify_and_grid_like_the_built_in_problems():
    problem, apply, target = _mlp()
    assert problem.exactness == "monte carlo" and problem.n_params == 17 and problem.event_shape == (2,)
    starts = problem.draw_starts(jax.random.key(1), 24)
    t = L.train(
        problem,
        starts,
        optimizer=L.optimizer("adam", learning_rate=0.02),
        steps=600,
        batch_size=128,
        record_every=200,
        key=jax.random.key(2),
    )
    assert t.params["W1"].shape == (4, 24, 4, 2) and t.population_loss.shape == (4, 24)
    # the recorded loss is the mean over the fixed sample, computed here directly
    x = problem.sample(jax.random.key(problem.seed), (problem.mc_samples,))
    p0 = jax.tree_util.tree_map(lambda a: a[3], t.final)
    direct = jnp.mean((jax.vmap(lambda xi: apply(p0, xi))(x) - jax.vmap(target)(x)) ** 2)
    np.testing.assert_allclose(float(t.population_loss[-1, 3]), float(direct), rtol=1e-10)
    b = A.classify(problem, t.final, diverged=t.diverged, tol_loss=1e-2, tol_grad=1e-3)
    assert b.n == 24 and sum(b.counts.values()) == 24 and b.fractions["global_min"] > 0.5
    # a dead network: every hidden unit off for every input; classify calls it dead through the protocol
    dead = {"W1": jnp.zeros((4, 2)), "b1": -jnp.ones(4), "w2": jnp.ones(4), "b2": jnp.zeros(())}
    both = jax.tree_util.tree_map(lambda a, b_: jnp.stack([a, b_]), dead, p0)
    assert A.classify(problem, both, tol_loss=1e-2, tol_grad=1e-3).names()[0] == "dead"
    r = L.grid(
        problem,
        {"['W1'][0, 0]": jnp.linspace(-1, 1, 5), "['b2']": jnp.linspace(-1, 1, 3)},
        fixed=p0,
        quantities=("loss", "grad_norm"),
    )
    assert r.loss.shape == (5, 3) and np.all(np.isfinite(np.asarray(r.grad_norm)))
    q = {**jax.tree_util.tree_map(np.asarray, p0)}
    q["W1"] = q["W1"].copy()
    q["W1"][0, 0] = 1.0
    q["b2"] = np.asarray(-1.0)
    np.testing.assert_allclose(float(r.loss[4, 0]), float(problem.population_loss(q)), rtol=1e-10)


def test_user_code_is_never_fingerprinted_and_checkpoints_refuse_it(tmp_path):
    problem, _, _ = _mlp()
    d = problem.describe()
    assert d["fingerprint"] is None and "cannot be fingerprinted" in d["fingerprint_note"]
    with pytest.raises(CheckpointError, match="cannot be fingerprinted"):
        L.train(
            problem,
            problem.draw_starts(KEY, 2),
            optimizer="sgd",
            steps=10,
            record_every=10,
            key=KEY,
            checkpoint=str(tmp_path / "ck"),
        )
    assert not (tmp_path / "ck").exists() or not list((tmp_path / "ck").iterdir())


@pytest.mark.parametrize(
    "bad, match",
    [
        (dict(apply=None, loss=None), "needs apply"),
        (dict(apply=3), "apply must be a function"),
        (dict(params=None), "needs params"),
        (dict(params={"w": "x"}), "real numbers"),
        (dict(mc_samples=1), "mc_samples"),
        (dict(exactness="closed form"), "exactness= describes"),
        (dict(min_loss=float("nan")), "min_loss"),
    ],
)
def test_bad_custom_problems(bad, match):
    kw = dict(apply=lambda p, x: p["w"] * x, target=lambda x: x, params={"w": jnp.zeros(())})
    kw.update(bad)
    with pytest.raises((TypeError, ValueError), match=match):
        L.CustomProblem(**kw)


def test_starts_that_do_not_match_the_parameters_are_refused_before_work():
    problem, _, _ = _mlp()
    good = problem.draw_starts(KEY, 3)
    wrong_shape = {**good, "W1": jnp.zeros((3, 7, 2))}
    with pytest.raises(ValueError, match=r"\['W1'\] has shape \(3, 7, 2\)"):
        L.train(problem, wrong_shape, optimizer="sgd", steps=1, record_every=1, key=KEY)
    with pytest.raises(ValueError, match="structure"):
        L.train(
            problem, {k: v for k, v in good.items() if k != "b2"}, optimizer="sgd", steps=1, record_every=1, key=KEY
        )


def test_an_equinox_model_is_a_problem_too():
    eqx = pytest.importorskip("equinox")
    model = eqx.nn.MLP(
        in_size=2, out_size="scalar", width_size=4, depth=1, activation=jax.nn.relu, key=jax.random.key(3)
    )
    params, static = eqx.partition(model, eqx.is_array)

    def apply(p, x):
        return eqx.combine(p, static)(x)

    def init(key):
        return eqx.partition(eqx.nn.MLP(2, "scalar", 4, 1, activation=jax.nn.relu, key=key), eqx.is_array)[0]

    problem = L.CustomProblem(
        apply=apply,
        target=lambda x: jax.nn.relu(x[0]) + jax.nn.relu(x[1]),
        dim=2,
        params=params,
        init=init,
        min_loss=0.0,
        mc_samples=4096,
    )
    starts = problem.draw_starts(jax.random.key(4), 16)
    t = L.train(
        problem,
        starts,
        optimizer=L.optimizer("adam", learning_rate=0.02),
        steps=400,
        batch_size=128,
        record_every=400,
        key=jax.random.key(5),
    )
    assert np.all(np.asarray(t.population_loss[-1]) < np.asarray(t.population_loss[0]))
    b = A.classify(problem, t.final, diverged=t.diverged, tol_loss=1e-2, tol_grad=1e-3)
    assert b.n == 16
    best = jax.tree_util.tree_map(lambda a: a[int(np.argmin(np.asarray(t.population_loss[-1])))], t.final)
    name = problem.coordinates()[0]
    r = L.grid(problem, {name: jnp.linspace(-1, 1, 7)}, fixed=best, quantities=("loss",))
    assert r.loss.shape == (7,) and np.all(np.isfinite(np.asarray(r.loss)))
