"""A finite data set as a problem: the loss against NumPy, chunks against one pass, minibatches, metrics,
every instrument with the same calls as the built-in problems, an Equinox model, and refusals before any work."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import analysis as A
import landscape as L
from analysis import instruments as I

KEY = jax.random.key(0)
N, D, C, H = 40, 3, 3, 4
RNG = np.random.default_rng(0)
X = RNG.normal(size=(N, D))
Y = RNG.integers(0, C, N)
T = RNG.normal(size=(N, C))  # float targets


def apply(p, x):
    return p["W2"] @ jnp.tanh(p["W1"] @ x + p["b1"]) + p["b2"]


def init(key):
    k1, k2 = jax.random.split(key)
    return {
        "W1": jax.random.normal(k1, (H, D)) / np.sqrt(D),
        "b1": jnp.zeros(H),
        "W2": jax.random.normal(k2, (C, H)) / np.sqrt(H),
        "b2": jnp.zeros(C),
    }


POINT = jax.tree_util.tree_map(np.asarray, init(jax.random.key(1)))


def outputs_np(p, x):
    return np.tanh(x @ p["W1"].T + p["b1"]) @ p["W2"].T + p["b2"]


def reference(p, loss, labels, wd=0.0, x=X):
    """The mean loss over the data set in NumPy, independently of the package."""
    f = outputs_np(p, x)
    if loss == "cross_entropy":
        m = f.max(1, keepdims=True)
        per = (m[:, 0] + np.log(np.exp(f - m).sum(1))) - f[np.arange(len(labels)), labels]
    else:
        target = np.eye(C)[labels] if labels.dtype.kind == "i" else labels
        per = ((f - target) ** 2).sum(1)
    return per.mean() + 0.5 * wd * sum(float(np.sum(v**2)) for v in p.values())


def problem(loss="cross_entropy", labels=Y, **kw):
    return L.DatasetProblem(X, labels, apply=apply, params=POINT, loss=loss, init=init, **kw)


def batch(points):
    return jax.tree_util.tree_map(lambda *a: jnp.stack(a), *points)


@pytest.mark.parametrize(
    ("loss", "labels", "wd"), [("cross_entropy", Y, 0.0), ("mse", Y, 0.0), ("mse", T, 0.0), ("cross_entropy", Y, 0.1)]
)
def test_the_loss_is_the_mean_over_the_data_set_exactly(loss, labels, wd):
    p = problem(loss, labels, weight_decay=wd)
    assert p.exactness == "data set" and p.exact and p.describe()["fingerprint"] is None
    assert p.classification == (labels.dtype.kind == "i")
    np.testing.assert_allclose(float(p.population_loss(POINT)), reference(POINT, loss, labels, wd), rtol=1e-13)
    # the gradient against central differences of the NumPy loss
    g = p.population_loss_and_grad(jax.tree_util.tree_map(jnp.asarray, POINT))[1]
    for name, idx in (("W1", (1, 2)), ("b2", (0,)), ("W2", (2, 3))):
        h = 1e-6
        up, dn = ({k: v.copy() for k, v in POINT.items()} for _ in range(2))
        up[name][idx] += h
        dn[name][idx] -= h
        fd = (reference(up, loss, labels, wd) - reference(dn, loss, labels, wd)) / (2 * h)
        np.testing.assert_allclose(float(g[name][idx]), fd, rtol=1e-6, atol=1e-9)


def test_chunks_give_the_one_pass_result_to_rounding():
    one = problem(weight_decay=0.01)
    assert one.chunk == N and one.Xc.shape[0] == 1
    points = batch([POINT, init(jax.random.key(2))])
    base_loss, base_grad = one.population_batch(points)
    base_metrics = one.metrics(points)
    base_moments = jax.vmap(one.output_moments)(points)
    for chunk in (1, 7, 13, N - 1, 10 * N):
        p = problem(weight_decay=0.01, chunk=chunk)
        assert p.chunk == min(chunk, N) and p.Xc.shape[0] == -(-N // min(chunk, N))
        loss, grad = p.population_batch(points)
        np.testing.assert_allclose(np.asarray(loss), np.asarray(base_loss), rtol=1e-14, atol=0)
        for a, b in zip(jax.tree_util.tree_leaves(grad), jax.tree_util.tree_leaves(base_grad)):
            np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-12, atol=1e-15)
        m = p.metrics(points)
        np.testing.assert_array_equal(m["accuracy"], base_metrics["accuracy"])
        np.testing.assert_allclose(m["loss"], base_metrics["loss"], rtol=1e-14)
        for a, b in zip(jax.vmap(p.output_moments)(points), base_moments):
            np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-12)
    np.testing.assert_array_equal(problem(chunk=7).X, X)  # the padding is never seen
    np.testing.assert_array_equal(problem(chunk=7).y, Y)


def test_minibatches_are_seeded_draws_from_the_data_set_with_and_without_replacement():
    without, with_ = problem(), problem(replace=True)
    a = np.asarray(without.sample(KEY, (5, N)))
    np.testing.assert_array_equal(a, np.asarray(without.sample(KEY, (5, N))))  # seeded by the key
    assert a.dtype == np.int32 and all(sorted(row) == list(range(N)) for row in a)  # distinct: a permutation
    assert not np.array_equal(a, np.asarray(without.sample(jax.random.key(1), (5, N))))
    draws = np.asarray(with_.sample(KEY, (4000, 10))).ravel()
    assert draws.min() == 0 and draws.max() == N - 1
    assert any(len(set(row)) < N for row in np.asarray(with_.sample(KEY, (20, N))))  # repeats happen
    counts = np.bincount(draws, minlength=N)
    chi2 = float(np.sum((counts - draws.size / N) ** 2 / (draws.size / N)))
    assert chi2 < 39 + 6 * np.sqrt(2 * 39)  # uniform: chi-square with 39 degrees of freedom, 6 sigma
    idx = jnp.asarray([3, 3, 17, 0])
    got = float(without.batch_loss(jax.tree_util.tree_map(jnp.asarray, POINT), idx))
    want = reference(POINT, "cross_entropy", Y[np.asarray(idx)], x=X[np.asarray(idx)])
    np.testing.assert_allclose(got, want, rtol=1e-13)
    with pytest.raises(ValueError, match=rf"minibatch of {N + 1} examples drawn without replacement needs at most {N}"):
        without.sample(KEY, (N + 1,))


def test_metrics_report_the_accuracy_on_the_data_set_and_on_held_out_data():
    p = problem()
    points = batch([POINT, init(jax.random.key(2))])
    m = p.metrics(points)
    for i, q in enumerate([POINT, jax.tree_util.tree_map(lambda a: np.asarray(a[1]), points)]):
        assert m["accuracy"][i] == np.mean(np.argmax(outputs_np(q, X), 1) == Y)
        np.testing.assert_allclose(m["loss"][i], reference(q, "cross_entropy", Y), rtol=1e-13)
    Xt, Yt = RNG.normal(size=(11, D)), RNG.integers(0, C, 11)
    mt = p.metrics(points, Xt, Yt)
    assert mt["examples"] == 11 and mt["accuracy"][0] == np.mean(np.argmax(outputs_np(POINT, Xt), 1) == Yt)
    assert "accuracy" not in problem("mse", T).metrics(points)
    with pytest.raises(TypeError, match="labels of the problem's kind"):
        p.metrics(points, Xt, Xt[:, :3].astype(np.float64))
    with pytest.raises(ValueError, match="give both X and y"):
        p.metrics(points, Xt)


def test_every_instrument_takes_it_with_the_same_calls():
    p = problem(weight_decay=0.01)
    starts = p.draw_starts(jax.random.key(3), 4)
    opt = L.optimizer("adam", learning_rate=0.05)
    full = L.train(p, starts, optimizer=opt, steps=200, gradient="population", record_every=100, key=KEY)
    assert np.all(np.asarray(full.population_loss[-1]) < np.asarray(full.population_loss[0]))
    np.testing.assert_allclose(np.asarray(full.population_loss[-1]), p.metrics(full.final)["objective"], rtol=1e-13)
    for streams in ("shared", "independent"):
        mb = L.train(p, starts, optimizer=opt, steps=100, batch_size=8, record_every=100, streams=streams, key=KEY)
        assert np.all(np.asarray(mb.population_loss[-1]) < np.asarray(mb.population_loss[0]))
    b = A.classify(p, full.final, min_loss=0.0, tol_loss=10.0, tol_grad=1e-12)
    assert b.n == 4 and b.counts["global_min"] == 4  # every end within 10 of 0
    best = jax.tree_util.tree_map(lambda a: a[0], full.final)
    other = jax.tree_util.tree_map(lambda a: a[1], full.final)
    r = L.grid(p, {p.coordinates()[0]: jnp.linspace(-1, 1, 5)}, fixed=best, quantities=("loss",))
    assert r.loss.shape == (5,)
    d1, d2 = I.directions(p, best, key=KEY)  # filter-normalized: each row of W1 as long as the centre's
    np.testing.assert_allclose(np.linalg.norm(d1["W1"], axis=1), np.linalg.norm(best["W1"], axis=1), rtol=1e-12)
    s = I.slice2d(p, best, [d1, d2], np.linspace(-1, 1, 5), np.linspace(-1, 1, 3))
    np.testing.assert_allclose(float(s.loss[2, 1]), float(p.population_loss(best)), rtol=1e-13)
    path = I.interpolate(p, best, other, n=11)
    np.testing.assert_allclose(path.loss[[0, -1]], np.asarray(full.population_loss[-1][:2]), rtol=1e-12)
    with pytest.raises(ValueError, match="knows no global minimum"):
        I.path_to_nearest_minimum(p, best)
    # Hessians: the dense spectrum against NumPy's eigenvalues of jax.hessian of an independent loss
    flat = lambda v: _jnp_loss(p.unravel(v), 0.01)
    H = np.asarray(jax.hessian(flat)(p.ravel(jax.tree_util.tree_map(jnp.asarray, best))))
    want = np.linalg.eigvalsh(H)
    sp = L.dense_spectrum(p, jax.tree_util.tree_map(lambda a: a[:1], full.final))
    np.testing.assert_allclose(sp["eigvals"][0], want, atol=1e-10 * np.abs(want).max())
    top = I.hessian_top(p, jax.tree_util.tree_map(lambda a: a[:1], full.final), 3, key=KEY)
    np.testing.assert_allclose(top["eigenvalues"][0], want[::-1][:3], rtol=1e-8)
    tr = I.hessian_trace(p, jax.tree_util.tree_map(lambda a: a[:1], full.final), key=KEY, probes=400)
    assert abs(tr["trace"][0] - want.sum()) <= 5 * tr["stderr"][0]
    sd = I.spectral_density(p, jax.tree_util.tree_map(lambda a: a[:1], full.final), key=KEY, probes=2, steps=12)
    w = sd["weights"][0]
    np.testing.assert_allclose(np.sum(w * np.nan_to_num(sd["nodes"][0])) / 2, want.mean(), rtol=0.5)


def _jnp_loss(p, wd):
    f = jax.vmap(lambda x: apply(p, x))(jnp.asarray(X))
    per = jax.nn.logsumexp(f, axis=1) - f[jnp.arange(N), jnp.asarray(Y)]
    return jnp.mean(per) + 0.5 * wd * sum(jnp.sum(v**2) for v in jax.tree_util.tree_leaves(p))


def test_an_equinox_model_is_a_data_set_problem_too():
    eqx = pytest.importorskip("equinox")
    model = eqx.nn.MLP(D, C, H, 1, activation=jnp.tanh, key=jax.random.key(4))
    p = L.DatasetProblem(
        X, Y, model=model, loss="cross_entropy", init=lambda k: eqx.nn.MLP(D, C, H, 1, activation=jnp.tanh, key=k)
    )
    params = eqx.partition(model, eqx.is_inexact_array)[0]
    want = float(jnp.mean(jax.vmap(lambda x, y: jax.nn.logsumexp(model(x)) - model(x)[y])(X, Y)))
    np.testing.assert_allclose(float(p.population_loss(params)), want, rtol=1e-13)
    starts = p.draw_starts(jax.random.key(5), 3)
    t = L.train(
        p,
        starts,
        optimizer=L.optimizer("adam", learning_rate=0.05),
        steps=60,
        gradient="population",
        record_every=60,
        key=KEY,
    )
    assert np.all(np.asarray(t.population_loss[-1]) < np.asarray(t.population_loss[0]))
    end = p.module(jax.tree_util.tree_map(lambda a: a[0], t.final))
    assert isinstance(end, eqx.nn.MLP)
    acc = p.metrics(t.final)["accuracy"][0]
    assert acc == np.mean(np.argmax(np.asarray(jax.vmap(end)(X)), 1) == Y)
    with pytest.raises(TypeError, match="or apply= with params=, not both"):
        L.DatasetProblem(X, Y, model=model, apply=apply)
    with pytest.raises(TypeError, match="model must be an Equinox module, got dict"):
        L.DatasetProblem(X, Y, model={"W": 1.0})
    with pytest.raises(TypeError, match="module\\(\\) needs a problem built from model="):
        problem().module(POINT)


def _nan_x():
    x = X.copy()
    x[7, 1] = np.nan
    return x


BAD = [
    (dict(X=_nan_x()), ValueError, r"X must be finite, got X\[7, 1\] = .*nan"),
    (dict(X=X[:0], y=Y[:0]), ValueError, r"X is empty \(shape \(0, 3\)\): the data set needs at least one example"),
    (dict(y=Y[:-1]), ValueError, r"X has 40 examples and y has 39 labels"),
    (dict(y=T[:, 0] * 0 + 1.0), TypeError, r"float labels \(dtype float64\); loss='cross_entropy' needs integer"),
    (dict(y=np.where(np.arange(N) == 5, 3, Y)), ValueError, r"y\[5\] = 3 is out of range: .* integers in \[0, 3\)"),
    (dict(y=np.where(np.arange(N) == 2, -1, Y)), ValueError, r"y\[2\] = -1 is out of range"),
    (dict(y=Y > 0), TypeError, r"got booleans"),
    (
        dict(y=np.where(np.arange(N)[:, None] == 9, np.inf, T), loss="mse"),
        ValueError,
        r"y must be finite, got y\[9, 0\]",
    ),
    (dict(y=T[:, :2], loss="mse"), ValueError, r"float targets must have the model's output shape: .* \(2,\)"),
    (dict(loss="hinge"), ValueError, r"loss must be one of \('mse', 'cross_entropy'\), got 'hinge'"),
    (dict(chunk=0), ValueError, r"chunk must be an integer >= 1, got 0"),
    (dict(weight_decay=-1.0), ValueError, r"weight_decay must be a finite number >= 0, got -1.0"),
    (dict(replace="yes"), TypeError, r"replace must be True or False, got 'yes'"),
    (dict(X=X[:, :2]), TypeError, r"apply cannot be traced by JAX on one example of X"),
    (dict(apply=lambda p, x: np.asarray(x)), TypeError, r"apply cannot be traced by JAX"),
    (dict(apply=lambda p, x: (p["W2"] @ jnp.tanh(p["W1"] @ x))[0]), ValueError, r"output has shape \(\)"),
    (dict(params=None), TypeError, r"needs params="),
    (dict(X="abc"), TypeError, r"X must hold real numbers"),
]


@pytest.mark.parametrize(("kw", "exc", "match"), BAD)
def test_bad_data_and_models_are_refused_before_any_work(kw, exc, match):
    calls = []

    def counted(p, x):
        if not isinstance(x, jax.core.Tracer):  # pyright: ignore[reportAttributeAccessIssue]
            calls.append(1)
        return apply(p, x)

    args = dict(X=X, y=Y, apply=counted, params=POINT, loss="cross_entropy")
    args.update(kw)
    x, y = args.pop("X"), args.pop("y")
    with pytest.raises(exc, match=match):
        L.DatasetProblem(x, y, **args)
    assert not calls  # the model never ran on data
