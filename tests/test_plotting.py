"""The plotting helpers draw a user's results as the library returns them (a slice as contours and as a surface,
a path with its barrier, a spectrum with its top eigenvalues, a trajectory plane), mask what is not finite and
say so, refuse what they cannot draw (the digits figure, drawn with them, is checked in tests/test_verify.py)."""

import jax
import jax.numpy as jnp
import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

import landscape as L
from analysis import instruments as I
from figures import plotting as P


@pytest.fixture(scope="module")
def neuron_slice():
    p = L.Problem(trained=("w", "b"))
    ax = np.linspace(-2, 2, 9)
    return p, I.slice2d(p, {"w": 0.5, "b": 0.0}, [{"w": 1.0, "b": 0.0}, {"w": 0.0, "b": 1.0}], ax, ax)


def test_a_slice_as_contours_and_as_a_surface_with_non_finite_values_masked(neuron_slice):
    _, s = neuron_slice
    _, ax = P.plot_slice(s)
    assert ax.collections, "no contours drawn"
    xs = [np.asarray(v) for v in s.axes.values()]
    d = {"alpha": xs[0], "beta": xs[1], "loss": np.asarray(s.loss).copy()}
    d["loss"][0, 0] = np.nan
    _, ax = P.plot_slice(d, kind="surface")
    assert ax.name == "3d"
    _, ax = P.plot_slice(d)
    assert "1" in ax.get_title() and "not finite" in ax.get_title()
    with pytest.raises(ValueError, match="kind"):
        P.plot_slice(d, kind="bars")
    with pytest.raises(ValueError, match="missing"):
        P.plot_slice({"alpha": d["alpha"], "loss": d["loss"]})


def test_a_path_with_its_barrier_a_spectrum_with_its_top_eigenvalues_and_a_trajectory_plane(neuron_slice):
    p, _ = neuron_slice
    a, b = {"w": jnp.asarray(1.0), "b": jnp.asarray(0.0)}, {"w": jnp.asarray(-1.0), "b": jnp.asarray(0.5)}
    line = I.interpolate(p, a, b, n=33)
    _, ax = P.plot_path({"t": line.t, "loss": line.loss, "barrier": 0.1, "argmax": 0.5})
    labels = [h.get_label() for h in ax.get_legend().legend_handles]
    assert any("barrier 0.1" in t for t in labels)
    with pytest.raises(ValueError, match="'t' and 'loss'"):
        P.plot_path({"loss": [1.0]})
    at = {"w": jnp.asarray([0.8]), "b": jnp.asarray([0.1])}
    sd = I.spectral_density(p, at, key=jax.random.key(0), probes=2, steps=2)
    top = I.hessian_top(p, at, 2, key=jax.random.key(1))
    _, ax = P.plot_spectrum(sd, top=top)
    assert len(ax.lines) == 2  # the density and the top eigenvalues' ticks
    with pytest.raises(ValueError, match="index"):
        P.plot_spectrum(sd, index=3)
    coords = np.cumsum(np.ones((10, 2)), axis=0)
    _, ax = P.plot_trajectory_plane({"coords": coords, "explained": np.asarray([0.9, 0.1])})
    assert "90.0%" in ax.get_xlabel()
    with pytest.raises(ValueError, match="two components"):
        P.plot_trajectory_plane({"coords": coords[:, :1], "explained": np.asarray([1.0])})
