"""Figure 7: optimizers from w0 = -10 at the answer's settings (Keras defaults) and from w0 = -1 at lr 0.01
(A8, A9): experiment ``optimizers``."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

import landscape as L
from analysis.experiments import RUNS_A8, RUNS_A9

from . import style
from .common import data, save

NAME = "optimizers"


def plot(d, ax=None):
    style.apply()
    if ax is None:
        fig, ax = plt.subplots(1, 2, figsize=(10, 4.2))
    fig = ax[0].figure
    for a, (tag, w0, runs) in zip(ax, (("a8", -10.0, RUNS_A8), ("a9", -1.0, RUNS_A9))):
        for name, lr in runs:
            run = d[f"{tag}_{name}"]
            w = run["w"]
            e = np.arange(w.shape[0])
            ls = "--" if name.endswith("keras") else "-"
            crossed = int(np.sum(run["crossed"] > 0))
            a.plot(e, w[:, 0], ls=ls, lw=1.8, label=f"{name} (lr {lr:g}): {crossed}/{run['crossed'].size} cross")
        a.axhline(0, color="gray", lw=0.8)
        a.set(
            xlabel=f"epoch ({L.ORIGINAL.steps_per_epoch} steps, batch {d['settings']['batch']})",
            ylabel="weight w",
            title=f"w0 = {w0:g}",
        )
        a.legend(fontsize=8)
    ax[0].set_ylim(-10.5, 2.5)
    fig.suptitle("Optimizers from a backwards start (Optax definitions solid, Keras dashed; momentum 0.9)")
    return fig, ax


def main(out, quick=False, seed=0):
    r = data(NAME, quick, seed=seed)
    fig, _ = plot({**r.data, "settings": r.settings})
    shown = {
        k: {"crossed": int(np.sum(v["crossed"] > 0)), "runs": int(v["crossed"].size)}
        for k, v in r.data.items()
        if isinstance(v, dict) and "crossed" in v and np.ndim(v["crossed"]) == 1
    }
    return save(fig, out, NAME, r.settings, shown=shown)
