"""Figure 16: a real data set no one here made: scikit-learn's handwritten digits, a small MLP from many starts,
and the instruments at its minima, exact over the training set: experiment ``digits``. Drawn with the plotting
helpers a user draws their own results with (:mod:`figures.plotting`)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from . import style
from .common import data, save
from .plotting import plot_path, plot_slice, plot_spectrum, plot_trajectory_plane

NAME = "digits"


def plot(d, ax=None):
    style.apply()
    if ax is None:
        fig, ax = plt.subplots(2, 3, figsize=(15, 8.6))
        ax = ax.ravel()
    fig = ax[0].figure
    s = d["settings"]
    steps, curves = np.asarray(d["steps"]), np.asarray(d["loss_curves"])
    for i in range(curves.shape[1]):
        ax[0].semilogy(steps, curves[:, i], color=style.CYCLE[i % len(style.CYCLE)], lw=1, alpha=0.7)
    if int(d["polish_from"]) < steps[-1]:
        ax[0].axvline(int(d["polish_from"]), color=style.PALETTE["black"], lw=1, ls=":", label="Adam → momentum")
        ax[0].legend(fontsize=8)
    acc = np.asarray(d["test_accuracy"])
    ax[0].set(
        xlabel="step (exact full-batch gradients)",
        ylabel="training loss (cross-entropy)",
        title=f"{curves.shape[1]} starts: test accuracy {np.nanmin(acc):.1%} to {np.nanmax(acc):.1%}",
    )
    plot_slice(d["slice"], ax=ax[1], title="Filter-normalized slice around the best minimum")
    plot_trajectory_plane(d["plane"], ax=ax[2], loss=d["plane"])
    ax[2].set_title("The best run in its principal plane")
    colors = (style.PALETTE["black"], style.PALETTE["blue"], style.PALETTE["vermillion"])
    for (name, label), color in zip(
        (("straight", "straight line"), ("neb", "nudged elastic band"), ("bezier", "Bezier curve (trained)")),
        colors,
        strict=True,
    ):
        unfinished = name != "straight" and not bool(d[name]["converged"])
        shown = label + (" (not converged)" if unfinished else "")
        plot_path({**d[name], "method": shown}, ax=ax[3], color=color, straight=False)
    ax[3].set_title(f"Paths between the two best minima (distance {float(d['distance']):.3g})")
    top = {"eigenvalues": np.asarray(d["top"]["eigenvalues"])[None, :]}
    plot_spectrum(d["density"], ax=ax[4], top=top)
    ax[4].set_title("Hessian at the best minimum")
    tr = np.asarray(d["train_accuracy"])
    ax[5].scatter(tr, acc, color=style.PALETTE["blue"], s=20)
    ax[5].set(xlabel="training accuracy", ylabel="test accuracy", title="Each start's minimum")
    fig.suptitle(
        f"scikit-learn's digits ({int(d['n_train'])} training images): an MLP 64 → {s['hidden']} → 10 "
        f"({int(d['n_params'])} parameters, {s['activation']}), losses exact over the data set"
    )
    return fig, ax


def main(out, quick=False, seed=0):
    r = data(NAME, quick, seed=seed)
    d = {**r.data, "settings": r.settings}
    fig, _ = plot(d)
    shown = {
        "exactness": str(r["exactness"]),
        "barriers": {k: float(r[k]["barrier"]) for k in ("straight", "neb", "bezier")},
        "top_eigenvalue": float(np.nanmax(np.asarray(r["top"]["eigenvalues"]))),
        "test_accuracy_best": float(np.asarray(r["test_accuracy"])[int(np.asarray(r["minima"])[0])]),
    }
    return save(fig, out, NAME, r.settings, shown=shown, svg=False)
