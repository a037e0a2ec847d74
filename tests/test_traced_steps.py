"""``landscape.train(traced_steps=True)``: the step count as data gives the numbers of the static loop, bit for
bit (parameters, records, losses, divergence, probes), and every step count with the same number of records shares
one compiled program."""

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import landscape as L
from landscape.train import TRACE_COUNT

KEY = jax.random.key(0)


def _same(a, b):
    leaves = lambda t: [
        t.final["w"],
        t.final["b"],
        t.params["w"],
        t.params["b"],
        t.population_loss,
        t.batch_loss,
        t.diverged_at,
        t.steps_run,
        t.probes["crossed"],
    ]
    return all(np.array_equal(np.asarray(x), np.asarray(y), equal_nan=True) for x, y in zip(leaves(a), leaves(b)))


@pytest.mark.parametrize("gradient", ["population", "minibatch"])
def test_traced_steps_give_the_static_loops_numbers_and_compile_once(gradient):
    p = L.Problem(trained=("w", "b"))
    # a backwards start, a good one, one that crosses w = 0, and one that diverges (step size 50 on the last)
    init = {"w": jnp.asarray([-1.0, 0.5, -0.2, 2.0]), "b": jnp.asarray([0.5, 0.5, 1.0, -1.0])}
    hyper = {"learning_rate": np.asarray([0.1, 0.1, 0.3, 50.0]), "momentum": 0.9}
    kw: dict[str, Any] = dict(optimizer="momentum", gradient=gradient, batch_size=64, hyperparams=hyper, key=KEY)
    kw["probes"] = {"crossed": L.Crossing("w", 0.0)}
    traces = 0
    for steps in (200, 500):
        static = L.train(p, init, steps=steps, record_every=steps // 100, **kw)
        before = TRACE_COUNT["train"]
        traced = L.train(p, init, steps=steps, record_every=steps // 100, traced_steps=True, **kw)
        traces += TRACE_COUNT["train"] - before
        assert _same(static, traced), steps
        assert traced.params["w"].shape == (101, 4) and list(traced.steps) == list(range(0, steps + 1, steps // 100))
        assert bool(static.diverged[3]) and not bool(static.diverged[0])  # the comparison covers a divergence
    assert traces <= 1  # two step counts, one program (none if an earlier test compiled it)


def test_traced_steps_refuse_a_stopping_rule_and_a_non_boolean_before_any_work():
    before = TRACE_COUNT["train"]
    kw: dict[str, Any] = dict(optimizer="sgd", steps=10, record_every=5, key=KEY, gradient="population")
    with pytest.raises(ValueError, match="does not combine with stop"):
        L.train(L.Problem(), {"w": jnp.ones(2)}, stop=L.Stop(grad_norm=1e-6, every=5), traced_steps=True, **kw)
    with pytest.raises(TypeError, match="traced_steps must be True or False"):
        L.train(L.Problem(), {"w": jnp.ones(2)}, traced_steps="yes", **kw)  # type: ignore[arg-type]
    assert TRACE_COUNT["train"] == before
