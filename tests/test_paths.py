"""Paths between minima on a landscape whose minimum-energy path is known in closed form, and on a data set.

The ring: ``L(x, y) = (r^2 - 1)^2 + h y^2 (2 - r^2)`` with ``r^2 = x^2 + y^2``. Its global minima are
``(+-1, 0)`` (loss 0). On the unit circle the radial derivative ``4 r (r^2 - 1) + 2 h r sin^2(phi) (1 - r^2)``
vanishes, so the gradient is tangent to the circle there: the circle is the minimum-energy path, over the
saddles ``(0, +-1)`` at loss ``h`` (a saddle for ``h < 1``: radial curvature ``8 (1 - h)``). The straight line
through the origin rises to ``L(0, 0) = 1``. No path between the minima can stay below ``h``.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import integrate

import landscape as L
from analysis import paths as PA

H = 0.2
A_, B_ = {"x": 1.0, "y": 0.0}, {"x": -1.0, "y": 0.0}


def ring(p):
    r2 = p["x"] ** 2 + p["y"] ** 2
    return (r2 - 1) ** 2 + H * p["y"] ** 2 * (2 - r2)


RING = L.CustomProblem(
    apply=lambda p, x: p["x"] * x,
    target=lambda x: 0.0 * x,
    params={"x": 0.0, "y": 0.0},
    population_loss=ring,
    exactness="closed form",
    min_loss=0.0,
)


def test_the_band_finds_the_known_minimum_energy_path_and_its_barrier():
    r = PA.neb(RING, A_, B_, key=jax.random.key(0), images=15, steps=1000)
    assert r.method == "neb" and r.converged and r.exactness == "closed form"
    # the straight line: barrier 1 at the origin, halfway
    assert abs(r.straight.barrier - 1.0) < 1e-12 and abs(r.straight.argmax - 0.5) < 1e-8
    assert r.straight.top is not None and abs(float(r.straight.top["x"])) < 1e-8
    # the band: the climbing image sits on a saddle (0, +-1) at loss h; the polyline through the images no higher
    assert abs(r.extra["saddle"] - H) < 1e-9
    assert abs(r.barrier - H) < 1e-6 and r.barrier < r.straight.barrier
    assert r.top is not None and abs(abs(float(r.top["y"])) - 1.0) < 1e-4 and abs(float(r.top["x"])) < 1e-4
    assert abs(r.argmax - 0.5) < 1e-3  # halfway along the arc
    # the images lie on the unit circle (the known path) up to the error of the tangent from the neighbouring
    # image (the chord, off the circle's tangent by half the angle between images): first order in the spacing
    images = r.extra["images"]
    off = np.max(np.abs(np.hypot(np.asarray(images["x"]), np.asarray(images["y"])) - 1.0))
    assert off < 5e-3 and np.max(r.extra["image_loss"]) == r.extra["image_loss"][8]
    finer = PA.neb(RING, A_, B_, key=jax.random.key(0), images=31, steps=1000).extra["images"]
    off_finer = np.max(np.abs(np.hypot(np.asarray(finer["x"]), np.asarray(finer["y"])) - 1.0))
    assert off_finer < 0.6 * off
    np.testing.assert_allclose(r.extra["image_t"], np.linspace(0, 1, 17), atol=1e-4)  # evenly spaced by the springs
    assert "barrier" in r.summary() and "straight line" in r.summary()


def test_the_trained_curve_beats_the_straight_line_and_no_path_beats_the_saddle():
    r = PA.bezier(RING, A_, B_, key=jax.random.key(1), starts=4, steps=400)
    assert r.method == "bezier" and r.converged
    assert r.barrier < 0.5 * r.straight.barrier
    assert r.barrier >= H - 1e-9  # a path's barrier bounds the minimum-energy path's from above
    assert r.loss[0] == ring(A_) and r.loss[-1] == pytest.approx(0.0, abs=1e-15)
    assert r.argmax is not None and 0 < r.argmax < 1
    control = r.extra["control"]
    assert float(control["x"][0]) == 1.0 and float(control["x"][2]) == -1.0
    assert abs(float(control["y"][1])) > 1.0  # bent out to pass near a saddle
    assert r.extra["mean_loss"].shape == (4,) and r.extra["kept"] == int(np.argmin(r.extra["mean_loss"]))


def test_the_curves_mean_loss_is_the_integral_along_it():
    va, vb = np.array([1.0, 0.0]), np.array([-1.0, 0.0])
    curve = PA.BezierProblem(RING, va, vb, nodes=32)
    assert curve.exactness == "quadrature" and curve.param_shapes() == {"x": (), "y": ()}
    bend = {"x": jnp.asarray(0.3), "y": jnp.asarray(1.7)}
    theta = np.array([0.3, 1.7])
    along = lambda t: ring(dict(zip("xy", (1 - t) ** 2 * va + 2 * t * (1 - t) * theta + t**2 * vb)))
    want = integrate.quad(along, 0.0, 1.0, epsabs=1e-14, epsrel=1e-14)[0]
    # L(phi(t)) is a polynomial of degree 8 in t: 32 Gauss-Legendre nodes integrate it exactly
    np.testing.assert_allclose(float(curve.population_loss(bend)), want, rtol=1e-13)
    ts = jnp.asarray([0.1, 0.5, 0.9])
    np.testing.assert_allclose(float(curve.batch_loss(bend, ts)), np.mean([along(t) for t in (0.1, 0.5, 0.9)]))


def test_paths_between_minima_of_a_model_on_a_data_set_are_exact_over_it():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(30, 2)), rng.integers(0, 2, 30)

    def apply(p, x):
        return p["V"] @ jnp.tanh(p["W"] @ x)

    def init(key):
        k1, k2 = jax.random.split(key)
        return {"W": jax.random.normal(k1, (3, 2)), "V": jax.random.normal(k2, (2, 3))}

    p = L.DatasetProblem(X, y, apply=apply, params=init(jax.random.key(0)), loss="cross_entropy", init=init)
    t = L.train(
        p,
        p.draw_starts(jax.random.key(2), 2),
        optimizer=L.optimizer("adam", learning_rate=0.05),
        steps=300,
        gradient="population",
        record_every=300,
        key=jax.random.key(3),
    )
    a, b = (jax.tree_util.tree_map(lambda v: v[i], t.final) for i in (0, 1))
    band = PA.neb(p, a, b, key=jax.random.key(4), images=5, steps=200)
    assert band.exactness == "data set" and band.barrier is not None and band.straight is not None
    assert band.barrier <= band.straight.barrier + 1e-12
    images = band.extra["images"]
    for i in (0, 3, 6):
        point = jax.tree_util.tree_map(lambda v: v[i], images)
        np.testing.assert_allclose(band.extra["image_loss"][i], float(p.population_loss(point)), rtol=1e-12)
    curve = PA.bezier(p, a, b, key=jax.random.key(5), starts=2, steps=100)
    assert curve.exactness == "data set" and curve.barrier is not None
    np.testing.assert_allclose(curve.end_loss, np.asarray(t.population_loss[-1]), rtol=1e-12)


@pytest.mark.parametrize(
    ("call", "exc", "match"),
    [
        (lambda: PA.neb(RING, A_, A_, key=jax.random.key(0)), ValueError, "a and b are the same point"),
        (lambda: PA.neb(RING, A_, {"x": 1.0}, key=jax.random.key(0)), ValueError, "b must have the structure"),
        (lambda: PA.neb(RING, A_, {"x": np.nan, "y": 0.0}, key=jax.random.key(0)), ValueError, "must be finite"),
        (lambda: PA.neb(RING, A_, B_, key=0), TypeError, "key must be a jax.random key"),
        (lambda: PA.neb(RING, A_, B_, key=jax.random.key(0), images=0), ValueError, "images must be an integer >= 1"),
        (lambda: PA.neb(RING, A_, B_, key=jax.random.key(0), climb=2.0), ValueError, "climb must be a finite number"),
        (
            lambda: PA.neb(RING, A_, B_, key=jax.random.key(0), spring=0.0),
            ValueError,
            "spring must be a finite number > 0",
        ),
        (
            lambda: PA.neb("ring", A_, B_, key=jax.random.key(0)),
            TypeError,
            "problem must implement the problem protocol",
        ),
        (
            lambda: PA.bezier(RING, A_, B_, key=jax.random.key(0), gradient="exact"),
            ValueError,
            "gradient must be one of",
        ),
        (
            lambda: PA.bezier(RING, A_, B_, key=jax.random.key(0), starts=0),
            ValueError,
            "starts must be an integer >= 1",
        ),
        (lambda: PA.BezierProblem(RING, np.zeros(2), np.zeros(2)), ValueError, "a and b are the same point"),
    ],
)
def test_bad_input_is_refused_before_any_work(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
