"""Landscape instruments against dense computations: Hessians at global minima against finite differences,
Lanczos against eigh (with multiplicities), Hutchinson within its standard errors, stochastic Lanczos
quadrature's moments, slices against the exact grid, filter normalization, determinism, bad inputs."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import landscape as L
from analysis import deep as D
from analysis import instruments as I
from landscape.kernels import relu_kernel

KEY = jax.random.key(0)


def _dense(problem, point):
    f = lambda x: problem.population_loss(problem.unravel(x))
    x = problem.ravel(point)
    return np.asarray(jax.jit(jax.hessian(f))(x)), f, x


def _fd_hessian(f, x, h=1e-5):
    """Central differences of the (autodiff) gradient: independent of second-order autodiff."""
    g = jax.jit(jax.grad(f))
    eye = np.eye(x.shape[0])
    cols = [(np.asarray(g(x + h * e)) - np.asarray(g(x - h * e))) / (2 * h) for e in eye]
    return np.stack(cols, axis=1)


def test_relu_kernel_has_the_true_hessian_at_parallel_and_antiparallel_units():
    u = jnp.array([1.0, 0.0, 0.0])
    for v, value in ((u, 0.5), (-u, 0.0)):
        # along the perpendicular directions the kernel is value + O(|e|^3): second derivative 0
        h = jax.jit(jax.hessian(lambda e: relu_kernel(u + jnp.array([0.0, e[0], e[1]]), v)))(jnp.zeros(2))
        np.testing.assert_allclose(np.asarray(h), 0.0, atol=1e-12)
        np.testing.assert_allclose(float(relu_kernel(u, v)), value, atol=1e-15)
    # the full Hessian in u at a generic and at a parallel pair against finite differences of the kernel itself
    for v in (jnp.array([0.3, -0.8, 0.5]), jnp.array([2.0, 0.0, 0.0])):
        f = lambda uu: relu_kernel(uu, v)
        np.testing.assert_allclose(np.asarray(jax.jit(jax.hessian(f))(u)), _fd_hessian(f, u, 1e-6), atol=2e-5)


def test_kernel_matrix_from_one_product_equals_the_pairwise_kernel_and_scipy():
    from scipy import integrate

    from landscape.kernels import relu_gram

    U = jax.random.normal(jax.random.key(1), (5, 3))
    V = jnp.concatenate([U[:2], -U[2:3], 1e-200 * U[3:4], jax.random.normal(jax.random.key(2), (2, 3))])
    K = np.asarray(relu_gram(U, V))
    np.testing.assert_allclose(K, np.asarray(relu_kernel(U[:, None, :], V[None, :, :])), rtol=1e-13, atol=1e-300)
    # one entry against quadrature in the plane of the two vectors: x = r (cos q, sin q), the radial integral
    # of r^3 exp(-r^2 / 2) is 2, so the kernel is (1 / pi) times the integral over q (kinks as break points)
    u, v = np.asarray(U[0]), np.asarray(V[4])
    e1 = u / np.linalg.norm(u)
    e2 = v - (v @ e1) * e1
    e2 /= np.linalg.norm(e2)
    a, b = np.array([u @ e1, u @ e2]), np.array([v @ e1, v @ e2])
    g = lambda q: max(a[0] * np.cos(q) + a[1] * np.sin(q), 0) * max(b[0] * np.cos(q) + b[1] * np.sin(q), 0)
    kinks = sorted((np.arctan2(-c[0], c[1]) + k * np.pi) % (2 * np.pi) for c in (a, b) for k in (0, 1))
    ref = integrate.quad(g, 0, 2 * np.pi, points=kinks, epsabs=1e-14, epsrel=1e-13, limit=200)[0] / np.pi
    assert K[0, 4] == pytest.approx(ref, rel=1e-11)


def test_hessian_at_a_teacher_student_global_minimum_matches_finite_differences():
    p = D.safran_shamir(3, 3)
    H, f, x = _dense(p, [{"W": jnp.eye(3)}])
    np.testing.assert_allclose(H, _fd_hessian(f, x), atol=1e-4)
    assert np.linalg.eigvalsh(H).min() > 0.1  # a strict minimum (up to the kernel's smoothness)


def test_block_lanczos_finds_the_top_eigenvalues_with_their_multiplicity():
    p = D.safran_shamir(6, 6)  # 36 parameters; at W = I the second eigenvalue is 5-fold
    H, _, _ = _dense(p, [{"W": jnp.eye(6)}])
    ev = np.linalg.eigvalsh(H)[::-1]
    assert np.sum(np.abs(ev - ev[1]) < 1e-8) == 5
    W = jnp.stack([jnp.eye(6), jnp.eye(6) + 0.1 * jax.random.normal(KEY, (6, 6))])
    r = I.hessian_top(p, [{"W": W}], 7, key=KEY, steps=5)  # the Lanczos path: a Krylov space of 35 < 36
    assert r["eigenvalues"].shape == (2, 7) and r["block"] == 7 and r["krylov_dim"] == 35
    assert r["method"] == "lanczos"
    np.testing.assert_allclose(r["eigenvalues"][0], ev[:7], atol=1e-8)
    # every Ritz value is within its residual of a true eigenvalue; at W = I they are converged
    assert r["converged"][0] and np.all(r["residuals"][0] <= 1e-8 * ev[0])
    for i in range(2):
        H_i = _dense(p, [{"W": W[i]}])[0]
        ev_i = np.linalg.eigvalsh(H_i)
        assert all(np.min(np.abs(ev_i - t)) <= res + 1e-12 for t, res in zip(r["eigenvalues"][i], r["residuals"][i]))
    H1, _, _ = _dense(p, [{"W": W[1]}])
    # off the minimum the spectrum is a dense cluster: the wanted values but the last (at the cluster's edge,
    # where Lanczos converges slowest) to 1e-8, the last to 1e-5
    np.testing.assert_allclose(r["eigenvalues"][1][:6], np.linalg.eigvalsh(H1)[::-1][:6], atol=1e-8)
    np.testing.assert_allclose(r["eigenvalues"][1][6], np.linalg.eigvalsh(H1)[::-1][6], atol=1e-5)
    # a single vector cannot see a multiplicity (in exact arithmetic); with a block of 1 the Ritz values
    # stay below the true ones (interlacing), the test of a real Rayleigh-Ritz step
    r1 = I.hessian_top(p, [{"W": W[:1]}], 3, key=KEY, block=1, steps=6)
    assert np.all(r1["eigenvalues"][0] <= ev[:3] + 1e-9)
    # deterministic under a key, and the key is in the output
    again = I.hessian_top(p, [{"W": W}], 7, key=KEY, steps=5)
    np.testing.assert_array_equal(again["eigenvalues"], r["eigenvalues"])
    assert r["key"] == np.asarray(jax.random.key_data(KEY)).tolist()
    # by default a space that would be the whole space is the dense Hessian: exact, converged
    d = I.hessian_top(p, [{"W": W}], 7, key=KEY)
    assert d["method"] == "dense" and d["converged"].all()
    np.testing.assert_allclose(d["eigenvalues"][1], np.linalg.eigvalsh(H1)[::-1][:7], atol=1e-10)


def test_hutchinson_trace_within_three_standard_errors_and_slq_moments_exact_per_probe():
    p = D.safran_shamir(4, 4)
    W = jnp.eye(4) + 0.2 * jax.random.normal(jax.random.key(3), (4, 4))
    H, _, _ = _dense(p, [{"W": W}])
    t = I.hessian_trace(p, [{"W": W[None]}], key=KEY, probes=64)
    assert t["stderr"][0] > 0
    assert abs(t["trace"][0] - np.trace(H)) < 3 * t["stderr"][0]
    assert t["ci"][0][0] < np.trace(H) < t["ci"][0][1]
    # stochastic Lanczos quadrature: with s steps the quadrature of each probe is exact for polynomials of
    # degree <= 2s - 1, so its moments equal z^T H^j z / |z|^2 for the very probes drawn from the key
    s = I.spectral_density(p, [{"W": W[None]}], key=KEY, probes=6, steps=3)
    zs = np.asarray(jax.random.rademacher(jax.random.split(KEY, 1)[0], (6, 16), jnp.float64))
    for j in range(6):
        per_probe = np.sum(s["weights"][0] * s["nodes"][0] ** j, axis=1)
        direct = np.einsum("pi,ij,pj->p", zs, np.linalg.matrix_power(H, j), zs) / 16
        np.testing.assert_allclose(per_probe, direct, rtol=1e-8)
    # and their average estimates tr(H^j) / P (unbiased): within 4 standard errors for j = 1, 2
    for j in (1, 2):
        per_probe = np.sum(s["weights"][0] * s["nodes"][0] ** j, axis=1)
        se = per_probe.std(ddof=1) / np.sqrt(6)
        assert abs(per_probe.mean() - np.trace(np.linalg.matrix_power(H, j)) / 16) < 4 * se + 1e-12
    # the density integrates to one, and sigma is stated
    dg = s["grid"][1] - s["grid"][0]
    assert abs(np.sum(s["density"][0]) * dg - 1) < 1e-3 and s["sigma"] > 0


def test_slice_of_the_single_neuron_is_the_exact_grid_and_interpolation_ends_are_the_loss():
    p = L.Problem(trained=("w", "b"))
    ax = np.linspace(-2, 2, 9)
    r = I.slice2d(p, {"w": 0.0, "b": 0.0}, [{"w": 1.0, "b": 0.0}, {"w": 0.0, "b": 1.0}], ax, ax)
    g = L.grid(p, {"w": jnp.asarray(ax), "b": jnp.asarray(ax)}, quantities=("loss",))
    np.testing.assert_allclose(np.asarray(r.loss), np.asarray(g.loss), rtol=1e-14, atol=1e-15)
    a, b = {"w": -1.0, "b": 0.5}, {"w": 1.0, "b": 0.0}
    path = I.interpolate(p, a, b, {"w": 2.0, "b": -1.0}, n=11)
    assert path.t.shape == (21,) and path.t[10] == 1.0
    for t, q in ((0, a), (10, b), (20, {"w": 2.0, "b": -1.0})):
        np.testing.assert_allclose(path.loss[t], float(p.population_loss(q)), rtol=1e-14)
    assert path.barrier == pytest.approx(max(0.0, path.loss.max() - max(path.loss[0], path.loss[-1])))
    # the backwards start and the minimum: the path crosses the dead set's edge with no barrier above (-1, 0.5)?
    # whatever it is, it is computed from the losses on the path
    assert path.argmax == path.t[int(np.argmax(path.loss))]


def test_filter_normalization_matches_each_units_norm_on_layers_of_very_different_scales():
    spec = L.networks.MLP.uniform(2, 3, bias=True)
    problem = L.networks.NetProblem(spec, "relu", "gaussian")
    centre = L.networks.init_many(spec, KEY, 1, "he_normal")
    centre = jax.tree_util.tree_map(lambda a: a[0], centre)
    centre[0]["W"] = centre[0]["W"] * 1e3
    centre[1]["W"] = centre[1]["W"] * 1e-3
    d1, d2 = I.directions(problem, centre, key=KEY, n=2, normalization="filter")
    for d in (d1, d2):
        for layer_c, layer_d in zip(centre, d):
            np.testing.assert_allclose(
                np.linalg.norm(np.asarray(layer_d["W"]), axis=1),
                np.linalg.norm(np.asarray(layer_c["W"]), axis=1),
                rtol=1e-12,
            )
    layer = I.directions(problem, centre, key=KEY, n=1, normalization="layer")[0]
    for layer_c, layer_d in zip(centre, layer):
        assert np.linalg.norm(np.asarray(layer_d["W"])) == pytest.approx(np.linalg.norm(np.asarray(layer_c["W"])))
    # biases excluded as in Li et al.; the same key gives the same directions, another key others
    ex = I.directions(problem, centre, key=KEY, n=1, exclude=lambda name: "'b'" in name)[0]
    assert all(not np.any(np.asarray(layer["b"])) for layer in ex)
    again = I.directions(problem, centre, key=KEY, n=2)
    other = I.directions(problem, centre, key=jax.random.key(1), n=2)
    np.testing.assert_array_equal(np.asarray(again[0][0]["W"]), np.asarray(d1[0]["W"]))
    assert not np.array_equal(np.asarray(other[0][0]["W"]), np.asarray(d1[0]["W"]))


def test_trajectory_plane_recovers_a_planar_path():
    p = D.safran_shamir(2, 2)
    e1, e2 = np.zeros((2, 2)), np.zeros((2, 2))
    e1[0, 0], e2[1, 1] = 1.0, 1.0
    s = np.linspace(0, 1, 20)
    hist = [{"W": jnp.asarray(np.eye(2) + np.cos(3 * s)[:, None, None] * e1 + np.sin(2 * s)[:, None, None] * e2)}]
    r = I.trajectory_plane(p, hist)
    assert r["explained"][:2].sum() == pytest.approx(1.0) and r["coords"].shape == (20, 2)
    assert r["explained"][2:].sum() < 1e-20


def test_instruments_work_on_a_users_model_with_the_same_calls():
    def apply(q, x):
        return q["w2"] @ jax.nn.tanh(q["W1"] @ x)

    params = {"W1": 0.5 * jax.random.normal(KEY, (3, 2)), "w2": jnp.array([1.0, -0.5, 0.25])}
    problem = L.CustomProblem(
        apply=apply, target=lambda x: jnp.sin(x[0]), inputs="gaussian", dim=2, params=params, mc_samples=512
    )
    H, _, _ = _dense(problem, params)
    batch = jax.tree_util.tree_map(lambda a: a[None], params)
    r = I.hessian_top(problem, batch, 3, key=KEY, block=3, steps=3)
    np.testing.assert_allclose(r["eigenvalues"][0], np.linalg.eigvalsh(H)[::-1][:3], atol=1e-8)
    d1, d2 = I.directions(problem, params, key=KEY)
    sl = I.slice2d(problem, params, [d1, d2], np.linspace(-1, 1, 3), np.linspace(-1, 1, 3))
    np.testing.assert_allclose(float(sl.loss[1, 1]), float(problem.population_loss(params)), rtol=1e-12)
    v = jax.tree_util.tree_map(jnp.ones_like, params)
    np.testing.assert_allclose(np.asarray(problem.ravel(I.hvp(problem, params, v))), H @ np.ones(9), atol=1e-10)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda p, c: I.directions(p, [{"W": jnp.eye(3)}], key=KEY), "centre"),
        (lambda p, c: I.directions(p, c, key=0), "jax.random key"),
        (lambda p, c: I.directions(p, c, key=KEY, normalization="unit"), "normalization"),
        (lambda p, c: I.directions(p, [{"W": jnp.zeros((2, 2))}], key=KEY), "zero"),
        (lambda p, c: I.interpolate(p, c, c), "same point"),
        (I.interpolate, "at least two"),
        (lambda p, c: I.interpolate(p, c, [{"W": jnp.full((2, 2), jnp.nan)}]), "finite"),
        (lambda p, c: I.hessian_top(p, [{"W": jnp.eye(2)[None]}], 5, key=KEY), "k must be"),
        (lambda p, c: I.hessian_top(p, [{"W": jnp.eye(2)[None]}], 0, key=KEY), "k must be"),
        (lambda p, c: I.hessian_trace(p, [{"W": jnp.eye(2)[None]}], key=KEY, probes=1), "probes"),
        (lambda p, c: I.spectral_density(p, [{"W": jnp.eye(2)[None]}], key=KEY, steps=9), "steps"),
        (lambda p, c: I.slice2d(p, c, [c], [0.0, 1.0], [0.0, 1.0]), "one direction per axis"),
        (lambda p, c: I.slice2d(p, c, [{"W": jnp.ones((3, 2))}, c], [0.0, 1.0], [0.0, 1.0]), "direction"),
        (lambda p, c: I.trajectory_plane(p, [{"W": jnp.eye(2)[None]}]), "two recorded"),
        (lambda p, c: I.hvp(p, c, {"W": jnp.ones(2)}), "v"),
    ],
)
def test_bad_input_is_refused_before_any_work(call, match):
    p = D.safran_shamir(2, 2)
    with pytest.raises((ValueError, TypeError), match=match):
        call(p, [{"W": jnp.eye(2)}])


def test_cli_slice_interpolate_hessian_write_the_librarys_numbers(tmp_path, capsys):
    import json

    from analysis.__main__ import main

    out = tmp_path / "h.json"
    assert main(["hessian", "--at", "w=-1,b=0.5", "--k", "2", "--json", str(out)]) == 0
    h = json.loads(out.read_text())
    p = L.Problem(trained=("w", "b"))
    H, _, _ = _dense(p, {"w": -1.0, "b": 0.5})
    np.testing.assert_allclose(h["top"], np.linalg.eigvalsh(H)[::-1], rtol=1e-10)
    assert h["lanczos"]["key"] == np.asarray(jax.random.key_data(jax.random.fold_in(KEY, 0))).tolist()
    out = tmp_path / "i.json"
    assert main(["interpolate", "w=-1,b=0.5", "w=1,b=0", "--n", "5", "--json", str(out)]) == 0
    i = json.loads(out.read_text())
    np.testing.assert_allclose(i["loss"][0], float(p.population_loss({"w": -1.0, "b": 0.5})), rtol=1e-14)
    assert i["loss"][-1] == pytest.approx(0.0, abs=1e-15) and "provenance" in i
    out = tmp_path / "s.json"
    assert main(["slice", "--centre", "w=1,b=0", "--n", "3", "--json", str(out)]) == 0
    s = json.loads(out.read_text())
    assert np.asarray(s["loss"]).shape == (3, 3) and s["loss"][1][1] == pytest.approx(0.0, abs=1e-15)
    capsys.readouterr()
    for argv in (
        ["slice", "--problem", "safran-shamir:200"],
        ["slice", "--centre", "w=1"],
        ["hessian", "--problem", "safran-shamir:2", "--k", "5"],
        ["interpolate", "w=1,b=0"],
        ["slice", "--problem", "safran-shamir:3", "--centre", "published"],
        ["hessian", "--probes", "1"],
        ["slice", "--problem", "mlp"],
        ["slice", "--span", "nan"],
    ):
        assert main(argv) == 2, argv
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("error:"), (argv, err)


# ------------------------------------------------------------------ degenerate and non-finite cases
def _quadratic(H):
    """A problem whose Hessian is exactly ``H`` everywhere (its loss ``x^T H x / 2`` in closed form)."""
    H = jnp.asarray(H, jnp.float64)
    n = H.shape[0]
    return L.CustomProblem(
        apply=lambda p, x: p["x"][0] * x,
        target=lambda x: x,
        params={"x": jnp.zeros(n)},
        population_loss=lambda p: 0.5 * p["x"] @ H @ p["x"],
        exactness="closed form",
    )


@pytest.mark.parametrize("n", range(1, 13))
def test_hessian_top_is_eigh_for_every_small_size_and_spectrum(n):
    rng = np.random.default_rng(n)
    Q, _ = np.linalg.qr(rng.normal(size=(n, n)))
    spectra = [rng.normal(size=n) * 5]  # indefinite
    if n >= 3:
        spectra.append(
            np.concatenate([[-10.0], np.full(n - 3, 1.0), [2.0, 2.0]])
        )  # repeated at the top, negative below
    for lam in spectra:
        H = (Q * lam) @ Q.T
        H = 0.5 * (H + H.T)
        want = np.sort(np.linalg.eigvalsh(H))[::-1]
        for k in {1, max(1, n // 2), n}:
            for block in {None, 1, min(n, 2)}:
                r = I.hessian_top(_quadratic(H), {"x": np.zeros((1, n))}, k, key=KEY, block=block)
                assert r["converged"][0], (n, k, block, r["reason"])
                np.testing.assert_allclose(r["eigenvalues"][0], want[:k], atol=1e-9 * max(1, np.abs(lam).max()))


def test_hessian_top_reaches_the_top_when_the_block_does_not_divide_the_dimension():
    r = I.hessian_top(_quadratic(np.diag([-10.0, 1.0, 2.0])), {"x": np.zeros((1, 3))}, 2, key=KEY)
    np.testing.assert_allclose(r["eigenvalues"][0], [2.0, 1.0], atol=1e-12)
    r = I.hessian_top(_quadratic(np.diag([5.0, 5, 5, 1, 1, 0])), {"x": np.zeros((1, 6))}, 4, key=KEY)
    np.testing.assert_allclose(r["eigenvalues"][0], [5.0, 5, 5, 1], atol=1e-12)
    # the Lanczos path itself on a larger problem, with a block that does not divide the dimension
    rng = np.random.default_rng(0)
    Q, _ = np.linalg.qr(rng.normal(size=(90, 90)))
    lam = np.concatenate([[9.0, 9.0, 9.0, 7.0], rng.uniform(-3, 3, 86)])
    H = (Q * lam) @ Q.T
    r = I.hessian_top(_quadratic(0.5 * (H + H.T)), {"x": np.zeros((1, 90))}, 4, key=KEY, block=4)
    assert r["method"] == "lanczos" and r["converged"][0]
    np.testing.assert_allclose(r["eigenvalues"][0], [9.0, 9.0, 9.0, 7.0], atol=1e-8)


def test_float32_points_converge_at_their_own_precision():
    p = D.safran_shamir(4, 4)
    W = jnp.eye(4) + 0.1 * jax.random.normal(KEY, (4, 4))
    with jax.enable_x64(False):
        r = I.hessian_top(p, [{"W": np.asarray(W, np.float32)[None]}], 3, key=KEY, steps=4)
    assert r["dtype"] == "float32" and r["tol"] == pytest.approx(np.sqrt(np.finfo(np.float32).eps))
    assert r["converged"][0] or "give more steps" in r["reason"][0]


def test_spectral_density_stops_at_a_lanczos_breakdown():
    s = I.spectral_density(_quadratic(3.0 * np.eye(5)), {"x": np.zeros((1, 5))}, key=KEY, probes=3, steps=5)
    nodes = s["nodes"][0]
    assert np.nanmin(nodes) == pytest.approx(3.0) and np.nanmax(nodes) == pytest.approx(3.0)
    np.testing.assert_allclose(s["weights"][0].sum(axis=1), 1.0, atol=1e-12)
    assert 0 < s["sigma"] < 0.1
    assert abs(s["grid"][np.argmax(s["density"][0])] - 3.0) < s["sigma"]
    with pytest.raises(ValueError, match="sigma must be a positive finite number"):
        I.spectral_density(_quadratic(np.eye(2)), {"x": np.zeros((1, 2))}, key=KEY, sigma=0)
    with pytest.raises(ValueError, match="grid must be"):
        I.spectral_density(_quadratic(np.eye(2)), {"x": np.zeros((1, 2))}, key=KEY, steps=2, grid=[0.0, np.nan])


@pytest.mark.parametrize("probes", [2, 5, 10, 100])
def test_hutchinson_states_an_error_only_where_it_holds(probes):
    rng = np.random.default_rng(1)
    A = rng.normal(size=(12, 12))
    H = A @ A.T / 12 - np.eye(12)  # indefinite, with a heavy-tailed z^T H z
    seeds = 300
    r = I.hessian_trace(_quadratic(H), {"x": np.zeros((seeds, 12))}, key=KEY, probes=probes)
    if probes < I.MIN_PROBES_FOR_ERROR:
        assert r["stderr"] is None and r["ci"] is None and "no error" in r["note"]
        return
    lo, hi = r["ci"][:, 0], r["ci"][:, 1]
    coverage = np.mean((lo <= np.trace(H)) & (np.trace(H) <= hi))
    # a 95% interval over 300 independent estimates: at least 90% of them cover the trace
    assert coverage >= 0.90, coverage


def test_a_path_through_non_finite_losses_has_no_barrier():
    p = L.CustomProblem(
        apply=lambda q, x: q["w"] * x,
        target=lambda x: x,
        params={"w": jnp.zeros(())},
        population_loss=lambda q: jnp.where(q["w"] > 0.35, jnp.nan, (q["w"] - 1.0) ** 2),
        exactness="closed form",
    )
    r = I.interpolate(p, {"w": 0.0}, {"w": 1.0}, n=11)
    assert r.barrier is None and r.argmax is None and len(r.nonfinite) == 7 and r.nonfinite[0] == pytest.approx(0.4)
    with pytest.raises(ValueError, match=r"points\[0\] to points\[1\] is too long"):
        I.interpolate(L.Problem(), {"w": 1e308}, {"w": -1e308})
