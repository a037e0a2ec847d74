"""Geometry: each object against what can be derived by hand."""

import jax.numpy as jnp
import numpy as np
import pytest

import analysis as A
import landscape as L

NOBIAS = L.Problem()
WB = L.Problem(trained=("w", "b"))
UNI = L.Problem(trained=("w", "b"), inputs=L.Uniform(-1, 1))


def test_certificate_for_the_kink_matches_the_hand_computation():
    c = A.nonconvexity_witness(NOBIAS, {"w": (-1.0, 1.0)}, n=41)
    # by hand: L(lam a + (1-lam) b) - chord, best at the kink; with a=-s, b=s, lam=1/2: 1/2 - (s^2/2+1/2 + (s-1)^2/2)/2
    a, b, lam = c.a["w"], c.b["w"], c.lam
    hand = lambda w: w * w / 2 + 0.5 if w < 0 else (w - 1) ** 2 / 2
    assert c.gap == pytest.approx(hand(lam * a + (1 - lam) * b) - lam * hand(a) - (1 - lam) * hand(b), abs=1e-14)
    assert c.gap >= 0.125 - 1e-12  # the symmetric chord at s = 1/2 reaches 1/8


def test_convex_losses_yield_no_certificate():
    # identity student and teacher: a convex quadratic in (w, b); relu on the right branch only
    assert (
        A.nonconvexity_witness(
            L.Problem(student="identity", teacher="identity", trained=("w", "b")),
            {"w": (-2, 2), "b": (-2, 2)},
            samples=4000,
        )
        is None
    )
    assert A.nonconvexity_witness(NOBIAS, {"w": (0.0, 3.0)}) is None
    assert A.nonconvexity_witness(NOBIAS, {"w": (-3.0, 0.0)}) is None


def test_two_d_certificate_and_uniform_inputs():
    c = A.nonconvexity_witness(WB, {"w": (-2, 2), "b": (-2, 2)}, samples=4000)
    assert c is not None and c.gap > 0.1
    lm = float(L.population_loss(WB, {"w": c.mid["w"], "b": c.mid["b"]}))
    assert lm == pytest.approx(c.loss_mid, abs=1e-15)
    cu = A.nonconvexity_witness(L.Problem(inputs=L.Uniform(-1, 1)), {"w": (-1, 1)})
    # uniform on [-1, 1]: L = w^2/6 + 1/6 (w<0), (w-1)^2/6 (w>0): symmetric chord at +-1/2 has gap 1/24
    assert cu.gap >= 1 / 24 - 1e-12


def test_a_line_crosses_the_no_bias_loss_four_times():
    r = A.line_crossings(NOBIAS, {"w": (-2.0, 2.0)})
    assert r["count"] >= 3
    hand = lambda w: w * w / 2 + 0.5 if w < 0 else (w - 1) ** 2 / 2
    for root in r["crossings"]:
        assert hand(root) == pytest.approx(r["slope"] * root + r["offset"], abs=1e-12)
    # a convex function is crossed by a line at most twice
    assert A.line_crossings(NOBIAS, {"w": (0.0, 3.0)})["count"] <= 2


def test_one_sided_derivatives_at_zero():
    d = A.one_sided_derivatives(NOBIAS, {"w": 0.0}, {"w": 1.0})
    assert d["left"] == pytest.approx(0.0, abs=1e-11) and d["right"] == pytest.approx(-1.0, abs=1e-11)
    assert d["quotient_left"] == pytest.approx(0.0, abs=1e-8) and d["quotient_right"] == pytest.approx(-1.0, abs=1e-8)
    assert d["gradient_at_point"] == 0.0
    du = A.one_sided_derivatives(L.Problem(inputs=L.Uniform(-1, 1)), {"w": 0.0}, {"w": 1.0})
    assert du["right"] == pytest.approx(-1 / 3, abs=1e-11)  # -2 E[x^2 1{x>0}] = -1/3
    dl = A.one_sided_derivatives(L.Problem(student=("leaky_relu", {"slope": 0.3})), {"w": 0.0}, {"w": 1.0})
    assert dl["left"] == pytest.approx(-0.3, abs=1e-11) and dl["right"] == pytest.approx(-1.0, abs=1e-11)
    with pytest.raises(ValueError, match="no kink"):
        A.one_sided_derivatives(L.Problem(student="softplus"), {"w": 0.0}, {"w": 1.0})


def test_gradient_vanishes_linearly_left_of_zero():
    g = A.gradient_decay(NOBIAS, {"w": 0.0}, {"w": 1.0})
    assert g["exponent"] == pytest.approx(1.0, abs=1e-9) and g["prefactor"] == pytest.approx(1.0, abs=1e-9)
    np.testing.assert_allclose(g["gradient"], -g["distance"], rtol=1e-12)


def test_dead_set_gaussian_is_the_half_line_and_uniform_has_area():
    dz = A.dead_zone(WB, {"w": (-1, 1), "b": (-1, 1)}, n=21)
    W, B = np.meshgrid(dz.axes["w"], dz.axes["b"], indexing="ij")
    np.testing.assert_array_equal(dz.dead, (W == 0) & (B <= 0))
    assert dz.dead_area_fraction == 0.0
    du = A.dead_zone(UNI, {"w": (-3, 3), "b": (-3, 3)}, n=61)
    assert du.dead_area_fraction == pytest.approx(0.25, abs=1e-6)  # b <= -|w| in the box
    assert abs(du.dead.mean() - 0.25) < 0.02
    # the exact output variance is 0 on the dead set and positive off it
    _, var = L.neuron.student_moments(UNI, {"w": jnp.asarray(W.ravel() * 3), "b": jnp.asarray(B.ravel() * 3)})
    w3, b3 = W.ravel() * 3, B.ravel() * 3
    dead = np.asarray(L.neuron.dead_set(UNI, {"w": w3, "b": b3}))
    clearly_alive = (np.maximum(-w3, w3) + b3 > 1e-3) & (w3 != 0)  # active on a visible part of [-1, 1]
    assert np.all(np.asarray(var)[dead] == 0) and np.all(np.asarray(var)[clearly_alive] > 0)
    assert not np.asarray(
        L.neuron.dead_set(L.Problem(student=("leaky_relu", {"slope": 0.3}), trained=("w", "b")), {"w": W, "b": B})
    ).any()


def test_near_flat_region_shrinks_with_epsilon_and_contains_the_dead_set():
    dz = A.dead_zone(WB, {"w": (-3, 3), "b": (-3, 3)}, n=61, eps=(1e-1, 1e-2, 1e-3))
    f = [dz.near_flat_fraction[e] for e in (1e-1, 1e-2, 1e-3)]
    assert f[0] > f[1] > f[2] > 0
    assert np.all(dz.near_flat[1e-3][dz.dead])
    with pytest.raises(ValueError, match="eps"):
        A.dead_zone(WB, {"w": (-3, 3), "b": (-3, 3)}, eps=(0.0,))
    with pytest.raises(ValueError, match="lo < hi"):
        A.dead_zone(WB, {"w": (1, 1), "b": (-3, 3)})
    with pytest.raises(ValueError, match="does not train"):
        A.nonconvexity_witness(WB, {"a": (0, 1)})


def test_hessian_sign_map_uniform_and_gaussian():
    ax = {"w": jnp.linspace(-2, 2, 41), "b": jnp.linspace(-2, 2, 41)}
    h = A.hessian_sign_map(WB, ax)
    assert h["nonsmooth"][20, 20] and not h["nonsmooth"][0, 0]
    assert h["negative_fraction"] > 0  # the (w, b) loss is not convex: negative curvature somewhere smooth
    hu = A.hessian_sign_map(UNI, ax)
    assert hu["nonsmooth"].mean() > h["nonsmooth"].mean()  # the kink meets the interval ends along two lines


def test_critical_points_of_the_seed_problems():
    cps = A.critical_points(NOBIAS, {"w": (-3, 3)}, starts=128, steps=1500)
    kinds = {c.kind: c for c in cps}
    assert kinds["global_min"].params["w"] == pytest.approx(1.0, abs=1e-6)
    nd = kinds["nondifferentiable"]
    assert nd.params["w"] == 0.0 and nd.evidence["right_w"] == pytest.approx(-1.0, abs=1e-9)
    cps2 = A.critical_points(WB, {"w": (-3, 3), "b": (-3, 3)}, starts=256, steps=1500)
    kinds2 = {c.kind: c for c in cps2}
    assert set(kinds2) >= {"global_min", "dead_manifold"}
    assert kinds2["dead_manifold"].loss == pytest.approx(0.5, abs=1e-6)
    lk = A.critical_points(
        L.Problem(student=("leaky_relu", {"slope": 0.3}), trained=("w", "b")),
        {"w": (-3, 3), "b": (-3, 3)},
        starts=128,
        steps=1500,
    )
    assert [c.kind for c in lk] == ["global_min"]  # no dead set for a leaky student


def test_four_parameter_problem_and_another_activation():
    four = L.Problem(trained=("w", "b", "a", "c"))
    c = A.nonconvexity_witness(four, {"w": (-2, 2), "b": (-2, 2)}, fixed={"a": 1.0, "c": 0.0}, samples=2000)
    assert c is not None and c.a["a"] == 1.0
    dz = A.dead_zone(four, {"w": (-2, 2), "b": (-2, 2)}, n=41, fixed={"a": 1.0, "c": 0.0})
    W, B = np.meshgrid(dz.axes["w"], dz.axes["b"], indexing="ij")
    assert dz.dead.sum() >= 20 and np.all(W[dz.dead] == 0) and np.all(B[dz.dead] <= 0)  # the half-line, on the grid
    elu = L.Problem(student="elu", trained=("w", "b"))
    assert np.asarray(L.neuron.dead_set(elu, {"w": np.zeros(3), "b": -np.ones(3)})).sum() == 0  # an ELU never dies
    assert A.nonconvexity_witness(elu, {"w": (-2, 2), "b": (-2, 2)}, samples=2000) is not None
