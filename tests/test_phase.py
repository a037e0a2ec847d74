"""The lip: analytic crossing of the linear dynamics against simulation."""

import numpy as np
import pytest

import analysis as A
import landscape as L


def test_sgd_boundary_is_eta_one():
    first = A.analytic_crossing("sgd", np.asarray([0.5, 0.99, 1.0, 1.01, 1.5]), 0.0, 2000)
    assert first.tolist() == [-1, -1, -1, 1, 1]


def test_heavy_ball_boundary_formula_and_crossing_step():
    beta = 0.81  # boundary (1 - 0.9)^2 = 0.01
    assert A.boundary("momentum", [beta])[0] == pytest.approx(0.01, rel=1e-12)
    assert A.analytic_crossing("momentum", 0.0099, beta, 100000) == -1
    k = int(A.analytic_crossing("momentum", 0.0101, beta, 100000))
    # iterate the recurrence by hand to check the closed-form step
    w, t, kk = -10.0, 0.0, 0
    while w <= 0:
        t = w + beta * t
        w -= 0.0101 * t
        kk += 1
    assert k == kk


@pytest.mark.parametrize("method", ["sgd", "momentum", "nesterov"])
def test_simulated_and_analytic_boundaries_agree(method):
    d = A.phase_diagram(method=method, lrs=np.geomspace(1e-3, 3, 48), betas=np.linspace(0, 0.95, 24), steps=500)
    assert d.disagreement_cells == 0 and d.max_boundary_gap == 0.0
    # and the crossing steps themselves agree
    both = (d.simulated > 0) & (d.analytic > 0)
    assert np.array_equal(d.simulated[both], d.analytic[both])


def test_a_wrong_analytic_model_would_disagree():
    # Nesterov simulated against the heavy-ball analysis: the boundaries differ
    d = A.phase_diagram(method="nesterov", lrs=np.geomspace(1e-3, 3, 48), betas=np.linspace(0, 0.95, 24), steps=500)
    E, B = np.meshgrid(d.lrs, d.betas, indexing="ij")
    wrong = A.analytic_crossing("momentum", E, B, 500) > 0
    assert np.sum(wrong != (d.simulated > 0)) > 0


def test_uniform_inputs_scale_the_curvature():
    p = L.Problem(inputs=L.Uniform(-1, 1))
    h = A.left_curvature(p)
    assert h == pytest.approx(1 / 3, rel=1e-12)
    d = A.phase_diagram(p, method="sgd", lrs=np.asarray([2.9, 3.1]), betas=np.asarray([0.0]), steps=100)
    assert (d.simulated[:, 0] > 0).tolist() == [False, True]


def test_adam_is_simulated_and_minibatch_probability_has_intervals():
    d = A.phase_diagram(
        method="adam", lrs=np.geomspace(1e-3, 1, 8), betas=np.asarray([0.0, 0.9]), second="b1", steps=300
    )
    assert d.analytic is None and d.simulated.shape == (8, 2)
    cp = A.crossing_probability(lrs=np.asarray([0.5, 1.5]), seeds=16, steps=50)
    assert cp["probability"].tolist() == [0.0, 1.0]
    lo, hi = cp["ci"]
    assert lo[1] > 0.7 and hi[0] < 0.3


def test_bad_input():
    with pytest.raises(ValueError, match="no-bias"):
        A.simulate_crossing(L.Problem(trained=("w", "b")), "sgd", {"learning_rate": [0.1]})
    with pytest.raises(ValueError, match="backwards start"):
        A.simulate_crossing(L.Problem(), "sgd", {"learning_rate": [0.1]}, w0=1.0)
    with pytest.raises(ValueError, match="no hyperparameter 'momentum'"):
        A.simulate_crossing(L.Problem(), "sgd", {"momentum": [0.1]})
    with pytest.raises(ValueError, match="analytic crossing is defined"):
        A.analytic_crossing("adam", 0.1, 0.9, 10)
