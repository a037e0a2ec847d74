"""Deeper networks: inits, born-dead detection and rates, the arc-cosine kernel, spurious minima, explosion."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import landscape as L
from analysis import deep as D
from landscape import kernels as K
from landscape import networks as N


def test_init_schemes_have_their_variances_and_rai_its_asymmetric_entry():
    spec = N.MLP(in_dim=50, hidden=(40,), bias=True)
    for scheme, var in [
        ("he_normal", 2 / 50),
        ("he_uniform", 2 / 50),
        ("glorot_normal", 2 / 90),
        ("glorot_uniform", 2 / 90),
        ("symmetric", 1 / 50),
    ]:
        W = np.asarray(N.init(spec, jax.random.key(1), scheme)[0]["W"])
        assert W.var() == pytest.approx(var, rel=0.08), scheme
        assert abs(W.mean()) < 0.02
    p = N.init_many(N.MLP(in_dim=3, hidden=(4,)), jax.random.key(2), 4000, "rai")
    V = np.concatenate([np.asarray(p[0]["W"]), np.asarray(p[0]["b"])[..., None]], axis=-1)  # (n, 4, 4)
    # exactly one entry per row comes from Beta(2, 1): mean 2/3, in (0, 1); the rest are N(0, 0.6007^2 / 3)
    big = V > 0
    assert big.any(axis=-1).all()
    # one Beta(2, 1) entry (mean 2/3) among fan_in + 1 = 4, the rest zero-mean: E[V] = 1/6 (a symmetric law gives 0)
    assert abs(V.mean() - 1 / 6) < 0.01
    # the symmetric part has variance 0.6007^2 / fan_in: E[V^2] = (E[Beta^2] + 3 * 0.6007^2 / 3) / 4 = (1/2 + 0.3608) / 4
    assert abs((V**2).mean() - (0.5 + 0.6007**2) / 4) < 0.01


def test_single_input_death_matches_the_closed_form():
    for depth, width in [(6, 2), (10, 3), (8, 4)]:
        r = D.born_dead(depth, width, scheme="symmetric", samples=20000)
        lo, hi = r["single_input_ci"]
        assert lo <= r["closed_form_single_input"] <= hi, (depth, width, r)
        assert (
            r["probability"] <= r["single_input_probability"] + 0.02
        )  # dead everywhere is rarer than dead at one input


@pytest.mark.parametrize("bias, support", [(False, (-1.0, 1.0)), (True, (-1.0, 1.0)), (True, (0.5, 2.0))])
def test_exact_1d_detection_agrees_with_a_dense_grid(bias, support):
    spec = N.MLP.uniform(6, 2, bias=bias)
    params = N.init_many(spec, jax.random.key(3), 3000, "he_normal")
    dead = D.dead_layers_1d(spec, params, support)
    xs = jnp.linspace(*support, 4001)

    # pre-activations of every network at every grid point, from the public forward pass, 500 networks at a time
    @jax.jit
    def dead_on_grid(p):
        pre = jax.vmap(lambda q: jax.vmap(lambda x: N.hidden(spec, q, x[None])[1])(xs))(p)
        return jnp.any(jnp.stack([jnp.all(z <= 0, axis=(1, 2)) for z in pre], 1), 1)

    grid_dead = np.concatenate(
        [
            np.asarray(dead_on_grid(jax.tree_util.tree_map(lambda a: a[i : i + 500], params)))
            for i in range(0, 3000, 500)
        ]
    )
    assert np.all(grid_dead[dead])  # detected dead is dead at every grid point
    assert np.mean(dead == grid_dead) > 0.998  # alive only between grid points is rare
    assert 0.05 < dead.mean() < 0.95  # a non-trivial mix, so the comparison means something


def test_exact_piecewise_linear_detection():
    spec = N.MLP(in_dim=1, hidden=(2, 1), bias=True)
    # layer 2 is -relu(x - 0.3) - relu(-x - 0.3): <= 0 everywhere and exactly 0 on [-0.3, 0.3], so dead
    net = [
        {"W": jnp.asarray([[1.0], [-1.0]]), "b": jnp.asarray([-0.3, -0.3])},
        {"W": jnp.asarray([[-1.0, -1.0]]), "b": jnp.asarray([0.0])},
        {"W": jnp.ones((1, 1)), "b": jnp.zeros(1)},
    ]
    assert D.exact_dead_1d(spec, net, -1.0, 1.0)
    # a bias of 1e-9 on that unit brings it to life on the middle piece only
    alive = [net[0], {"W": net[1]["W"], "b": jnp.asarray([1e-9])}, net[2]]
    assert not D.exact_dead_1d(spec, alive, -1.0, 1.0)
    batch = jax.tree_util.tree_map(lambda a, b: jnp.stack([a, b]), net, alive)
    assert D.dead_layers_1d(spec, batch, (-1.0, 1.0)).tolist() == [True, False]
    # on random deep narrow networks the batched verdict (witness, certificate, then exact) is the exact one
    deep = N.MLP.uniform(8, 2, bias=True)
    params = N.init_many(deep, jax.random.key(5), 300, "he_normal")
    one_by_one = [D.exact_dead_1d(deep, jax.tree_util.tree_map(lambda a: a[i], params), -1.0, 1.0) for i in range(300)]
    assert D.dead_layers_1d(deep, params, (-1.0, 1.0)).tolist() == one_by_one
    assert 0.1 < np.mean(one_by_one) < 0.9


def test_bad_input():
    with pytest.raises(ValueError, match="depth"):
        D.born_dead(0, 3)
    with pytest.raises(ValueError, match="width"):
        D.born_dead(3, 0)
    with pytest.raises(ValueError, match="known: he_normal"):
        D.born_dead(3, 3, scheme="xavier")
    with pytest.raises(ValueError, match="bounded interval"):
        D.born_dead(3, 3, bias=True, inputs="gaussian")
    with pytest.raises(ValueError, match="piecewise-linear"):
        D.born_dead(3, 3, activation="tanh")
    with pytest.raises(ValueError, match="n=2 < k=3"):
        D.spurious_minima(3, 2)
    with pytest.raises(ValueError, match="bounded interval"):
        D.dead_layers_1d(
            N.MLP.uniform(3, 2, bias=True),
            N.init_many(N.MLP.uniform(3, 2, bias=True), jax.random.key(0), 2),
            (-math.inf, math.inf),
        )


@pytest.mark.parametrize("d", [2, 5, 20])
def test_arccos_kernel_against_monte_carlo(d):
    rng = np.random.default_rng(d)
    u = rng.normal(size=d)
    cases = [rng.normal(size=d), -u, -u + 1e-7 * rng.normal(size=d), u * 2.0, u + 1e-7 * rng.normal(size=d)]
    x = jax.random.normal(jax.random.key(d), (1_000_000, d), jnp.float64)
    for v in cases:
        prod = jax.nn.relu(x @ jnp.asarray(u)) * jax.nn.relu(x @ jnp.asarray(v))
        mc, se = float(prod.mean()), float(prod.std()) / 1000
        exact = float(K.relu_kernel(jnp.asarray(u), jnp.asarray(v)))
        assert abs(mc - exact) <= 4 * se + 1e-12, (d, mc, exact)
    assert float(K.relu_kernel(jnp.asarray(u), jnp.asarray(-u))) == pytest.approx(0.0, abs=1e-15)
    # arccos of the cosine would round this angle to pi and lose the kernel's leading term
    near = -u + 1e-9 * np.eye(d)[0]
    assert float(K.relu_kernel(jnp.asarray(u), jnp.asarray(near))) >= 0.0


def test_teacher_student_loss_and_spurious_minima():
    V = jnp.eye(3)
    ss = D.safran_shamir(3, 3)
    assert float(ss.population_loss([{"W": V}])) == pytest.approx(0.0, abs=1e-14)
    g = jax.grad(lambda W: ss.population_loss([{"W": W}]))(V)
    assert np.all(np.isfinite(np.asarray(g))) and float(jnp.abs(g).max()) < 1e-12
    small = D.spurious_minima(3, 3, starts=32)
    assert small["shares"]["global"] == 1.0 and small["rate"] == 0.0  # no spurious minima below k = 6
    # k = n = 1 is the single neuron on 1-D inputs: every start with w < 0 dies at the kink w = 0
    one = D.spurious_minima(1, 1, starts=64, key=jax.random.key(4))
    w0 = np.asarray(jax.random.normal(jax.random.key(4), (64, 1, 1), jnp.float64)).ravel()
    assert one["shares"]["dead_unit"] == np.mean(w0 < 0) and one["shares"]["global"] == np.mean(w0 > 0)
    assert one["rate"] == 0.0
    r = D.spurious_minima(8, 8, starts=64, key=jax.random.key(3))
    assert r["still_moving"] == 0.0 and r["shares"]["diverged"] == 0.0
    assert 0.0 < r["rate"] < 0.5 and r["ci"][0] <= r["rate"] <= r["ci"][1]
    # every spurious end point passes the float64 check: loss well above the teacher's, a positive definite Hessian
    assert r["spurious_loss_quantiles"][0] > 100 * r["tol"] and r["spurious_min_eig"] > r["eig_tol"]
    assert sum(r["shares"].values()) == pytest.approx(1.0)


def test_gradients_grow_for_slopes_above_one_at_the_exact_finite_width_rate():
    rows = {c: D.gradient_growth(c, depth=20, width=16, nets=32) for c in (0.5, 1.0, 2.0)}
    rates = {c: r["rate"] for c, r in rows.items()}
    assert rates[0.5] < rates[1.0] < rates[2.0]
    assert rates[2.0] - rates[1.0] > 0.5 and rates[1.0] - rates[0.5] > 0.3
    for r in rows.values():  # each within 4 standard errors of its exact expectation
        assert abs(r["rate"] - r["finite_width"]) < 4 * r["stderr"], r


def test_train_and_basins_accept_networks():
    from analysis import classify

    spec = N.MLP.uniform(3, 4)
    problem = N.NetProblem(spec, "abs", L.Uniform(-1, 1))
    init = N.init_many(spec, jax.random.key(0), 12, "he_normal")
    kw = dict(
        optimizer=L.optimizer("adam", learning_rate=0.01),
        steps=300,
        batch_size=64,
        record_every=100,
        key=jax.random.key(1),
    )
    t = L.train(problem, init, **kw)
    assert t.params[0]["W"].shape == (4, 12, 4, 1) and t.population_loss.shape == (4, 12)
    t2 = L.train(problem, init, chunk=5, **kw)
    np.testing.assert_allclose(np.asarray(t2.final[1]["W"]), np.asarray(t.final[1]["W"]), rtol=1e-12, atol=1e-14)
    # a dead network (every hidden unit off) and the exact fit |x| = relu(x) + relu(-x)
    dead = [
        {"W": -jnp.ones((4, 1)), "b": -5 * jnp.ones(4)},
        {"W": jnp.ones((4, 4)), "b": jnp.zeros(4)},
        {"W": jnp.ones((1, 4)), "b": jnp.zeros(1)},
    ]
    fit = [
        {"W": jnp.asarray([[1.0], [-1.0], [0.0], [0.0]]), "b": jnp.zeros(4)},
        {"W": jnp.eye(4), "b": jnp.zeros(4)},
        {"W": jnp.asarray([[1.0, 1.0, 0.0, 0.0]]), "b": jnp.zeros(1)},
    ]
    both = jax.tree_util.tree_map(lambda a, b: jnp.stack([a, b]), dead, fit)
    b = classify(problem, both)
    assert b.names().tolist() == ["dead", "global_min"]
    assert float(problem.population_loss(fit)) == pytest.approx(0.0, abs=1e-12)
    assert float(problem.population_loss(dead)) == pytest.approx(
        1 / 3, abs=1e-9
    )  # E[|x|^2] on U(-1, 1), the output is 0
    # 1-D quadrature is exact enough for population gradients: the loss falls
    tp = L.train(problem, init, gradient="population", **{**kw, "optimizer": L.optimizer("sgd", learning_rate=0.05)})
    assert tp.settings["path"] == "exact"
    assert np.all(np.asarray(tp.population_loss[-1]) < np.asarray(tp.population_loss[0]))


def test_dying_depends_on_depth():
    deep = D.dying(10, 2, starts=48, steps=600)
    shallow = D.dying(2, 10, starts=48, steps=600)
    assert deep["rate"] > shallow["rate"] and deep["ci"][0] > shallow["ci"][1]


def test_deep_cli_writes_json(tmp_path, capsys):
    import json

    from analysis.__main__ import main

    path = tmp_path / "bd.json"
    assert (
        main(
            [
                "deep",
                "born-dead",
                "--depth",
                "5",
                "--width",
                "3",
                "--init",
                "symmetric",
                "--samples",
                "2000",
                "--json",
                str(path),
            ]
        )
        == 0
    )
    data = json.loads(path.read_text())
    assert {"probability", "ci", "samples", "closed_form_single_input"} <= set(data) and data["samples"] == 2000
    assert main(["deep", "born-dead", "--depth", "0"]) == 2
    assert "depth must be" in capsys.readouterr().err
    assert main(["deep", "explode", "--width", "0"]) == 2
    assert "width must be" in capsys.readouterr().err
    assert main(["deep", "spurious", "--k", "3", "--samples", "8", "--json", str(path)]) == 0
    data = json.loads(path.read_text())
    assert data["k"] == data["n"] == 3 and data["starts"] == 8 and data["ci"][0] <= data["rate"] <= data["ci"][1]
    assert main(["deep", "spurious", "--k", "2:3", "--n", "k+1", "--samples", "8", "--json", str(path)]) == 0
    assert [(r["k"], r["n"]) for r in json.loads(path.read_text())["rows"]] == [(2, 3), (3, 4)]
    assert main(["deep", "spurious", "--k", "3", "--n", "2"]) == 2
    assert "n=2 < k=3" in capsys.readouterr().err


def test_the_exact_finite_width_rate_against_closed_forms_and_monte_carlo():
    from scipy import special

    for n in (4, 16, 32):
        assert D.finite_width_rate(1.0, n) == pytest.approx(special.digamma(n / 2) - math.log(n / 2), abs=1e-10)
    rng = np.random.default_rng(0)
    for c, n in ((0.5, 8), (1.5, 16), (2.0, 5)):
        k = rng.binomial(n, 0.5, 400_000)
        z = rng.chisquare(np.maximum(k, 1e-300)) * (k > 0) + c * c * rng.chisquare(np.maximum(n - k, 1e-300)) * (k < n)
        logs = np.log(z) - math.log(n)
        se = logs.std() / math.sqrt(logs.size)
        assert abs(D.finite_width_rate(c, n) - logs.mean()) < 4 * se, (c, n)
    # it tends to the mean-field rate as the width grows
    assert abs(D.finite_width_rate(1.5, 4096) - math.log((1 + 1.5**2) / 2)) < 1e-3


def test_the_extension_rows_fail_a_wrong_estimator_or_a_broken_detector():
    from analysis import rules
    from analysis.claims import published_point

    # D5: the directional derivative agrees with the exact rate; the Frobenius norm of the Jacobian does not
    good = D.gradient_growth(1.5, depth=20, width=16, nets=64)
    assert rules.agrees(good["rate"], good["stderr"], good["finite_width"]).verdict == "confirmed"
    frob = D.gradient_growth(1.5, depth=20, width=16, nets=64, measure="frobenius")
    assert rules.agrees(frob["rate"], frob["stderr"], good["finite_width"]).verdict == "refuted"
    # D1: a detector that calls a layer dead when any unit (instead of every unit) is off fails the interval test
    spec = N.MLP.uniform(10, 3, bias=False)
    params = N.init_many(spec, jax.random.key(0), 4000, "symmetric")
    x = jax.random.normal(jax.random.key(1), (4000,))
    pre = jax.vmap(lambda p, xi: N.hidden(spec, p, xi[None])[1])(params, x)
    broken = np.asarray(jnp.any(jnp.stack([jnp.any(z <= 0, axis=1) for z in pre], 1), 1)).mean()
    right = np.asarray(jnp.any(jnp.stack([jnp.all(z <= 0, axis=1) for z in pre], 1), 1)).mean()
    ref = D.closed_form_single_input(10, 3)
    se = lambda p: math.sqrt(p * (1 - p) / 4000)
    assert rules.agrees(right, se(right), ref).verdict == "confirmed"
    assert rules.agrees(broken, se(broken), ref).verdict == "refuted"
    # D7: the published point read with rows and columns swapped is not stationary
    c = D.minimum_check(D.published_minimum_k7())
    bound = c["max_eig"] * 5e-11 * 7
    assert published_point(c["grad_norm"], c["min_eig"], c["loss"], bound).verdict == "confirmed"
    t = D.minimum_check(D.published_minimum_k7().T)
    assert published_point(t["grad_norm"], t["min_eig"], t["loss"], bound).verdict == "refuted"
