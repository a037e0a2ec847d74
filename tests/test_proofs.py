"""Proofs of spurious minima in ball arithmetic: the enclosures hold the float64 values computed independently,
the published k = 7 point is proven, and points that are not minima are refused."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import landscape as L
from analysis import deep as D
from analysis import proofs as PR

pytest.importorskip("flint")


def _float_reference(W):
    k = W.shape[1]
    problem = D.safran_shamir(k, W.shape[0])
    x = jnp.asarray(W).ravel()
    loss, g = jax.value_and_grad(L.hessian.flat_loss(problem))(x)
    return float(loss), np.asarray(g), np.asarray(L.hessian.hessian(problem, x))


def _contains(ball, value, slack):
    """The float64 value lies in the ball, up to the float computation's own rounding ``slack``."""
    return abs(float(ball.mid()) - value) <= float(ball.rad()) + slack


@pytest.mark.parametrize("seed", [0, 1])
def test_enclosures_hold_the_float_loss_gradient_and_hessian(seed):
    W = np.eye(4) + 0.2 * np.asarray(jax.random.normal(jax.random.key(seed), (4, 4)))
    loss, grad, hess = PR.enclosures(W, 4)
    f_loss, f_grad, f_hess = _float_reference(W)
    slack = 1e-13  # float64 sums of a few hundred terms of size about 1
    assert _contains(loss, f_loss, slack)
    assert all(_contains(grad[i, 0], f_grad[i], slack) for i in range(16))
    assert all(_contains(hess[i, j], f_hess[i, j], slack) for i in range(16) for j in range(16))
    # over a box the enclosure holds the float values at points inside it
    box = PR.enclosures(W, 4, radius=1e-3)[2]
    inside = W + 1e-3 * np.asarray(jax.random.uniform(jax.random.key(9), W.shape, minval=-1, maxval=1))
    f_inside = _float_reference(inside)[2]
    assert all(_contains(box[i, j], f_inside[i, j], slack) for i in range(16) for j in range(16))
    assert float(box[0, 0].rad()) > 1e-6  # and is wider than the point's


def test_the_published_k7_minimum_is_proven_spurious():
    W = np.asarray(D.published_minimum_k7())
    c = PR.certify_minimum(W)
    dense = L.dense_spectrum(D.safran_shamir(7, 7), [{"W": jnp.asarray(W)[None]}])["eigvals"][0]
    assert c.proven and c.spurious, c.reason
    # the proven curvature bound stands below the float value, which it does not rely on
    assert 0 < c.mu <= dense[0] and c.float_min_eig == pytest.approx(dense[0], rel=1e-12)
    assert c.grad_norm < c.mu * c.radius and c.distance == pytest.approx(c.grad_norm / c.mu)
    f_loss = _float_reference(W)[0]
    assert c.loss_lower - 1e-13 <= f_loss <= c.loss_upper + 1e-13
    assert 0 < c.minimum_loss_lower <= c.loss_lower


def test_points_that_are_not_minima_get_no_certificate():
    W7 = np.asarray(D.published_minimum_k7())
    # a point with negative curvature (a saddle or worse) is no strict minimum
    saddle = np.full((3, 3), 0.3) + np.diag([0.2, -0.1, 0.05])
    c = PR.certify_minimum(saddle)
    assert not c.proven and "eigenvalue" in c.reason
    # far from any stationary point: a large gradient needs a ball wider than the Hessian stays positive on
    far = PR.certify_minimum(W7 + 0.05 * np.eye(7))
    assert not far.proven and far.grad_norm > 1e-3
    # the published point with a ball widened past where the Hessian stays positive definite
    wide = PR.certify_minimum(W7, radius=1e-3)
    assert not wide.proven and "not positive definite" in wide.reason
    # a ball too narrow for the gradient: g >= mu r
    narrow = PR.certify_minimum(W7, radius=1e-12)
    assert not narrow.proven and "not below mu r" in narrow.reason
    # a zero unit or parallel units: no closed form, no proof
    parallel = np.array([[1.0, 0.0], [2.0, 0.0]])
    assert "parallel" in PR.certify_minimum(parallel).reason
    with pytest.raises(ValueError, match="finite"):
        PR.certify_minimum(np.full((2, 2), np.nan))
    with pytest.raises(ValueError, match="radius"):
        PR.certify_minimum(W7, radius=-1.0)


def test_points_found_by_descent_are_polished_and_proven():
    r = D.spurious_minima(8, 8, starts=16, key=jax.random.key(8), keep=2)
    pts = list(r["spurious_points"])
    assert pts, r["shares"]
    g_before = float(L.dense_spectrum(D.safran_shamir(8, 8), [{"W": jnp.asarray(pts[0])[None]}])["grad_norm"][0])
    polished, g_after = PR.polish(pts[0])
    assert g_after < 1e-3 * g_before and np.linalg.norm(polished - pts[0]) < 1e-4
    proofs = PR.prove_points(pts, 8)
    assert len(proofs) == len(pts)
    for p in proofs:
        assert p["proven"] and p["spurious"], p["reason"]
        assert p["minimum_loss_lower"] > 0.01 and p["distance"] < 1e-10
    # polishing a saddle does not make it provable
    saddle = np.full((3, 3), 0.3) + np.diag([0.2, -0.1, 0.05])
    assert not PR.prove_points([saddle], 3)[0]["proven"]
