"""Figure 8: the lip: crossing phase diagram over (lr, momentum) against its closed form, and the minibatch
crossing probability (A7, A8, A12): experiment ``lip``."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import LogNorm

import landscape as L

from . import style
from .common import data, save

NAME = "lip"


def plot(d, ax=None):
    style.apply()
    if ax is None:
        fig, ax = plt.subplots(1, 2, figsize=(11, 4.6))
    a1, a2 = ax
    fig = a1.figure
    first = d["first"].astype(float)
    first[first < 0] = np.nan
    B, E = np.meshgrid(d["betas"], d["lrs"])
    cmap = plt.get_cmap("viridis").with_extremes(bad=style.NEVER)
    pc = a1.pcolormesh(B, E, first, shading="nearest", cmap=cmap, norm=LogNorm())
    fig.colorbar(pc, ax=a1, label="first step with w > 0 (grey: never)")
    a1.plot(d["fine"], d["b_inf"], color=style.PALETTE["vermillion"], lw=2, label="analytic: lr = (1 - √β)² / h")
    a1.plot(d["fine"], d["b_fin"], color=style.PALETTE["orange"], lw=1.5, ls="--", label="analytic, within the budget")
    a1.set(
        yscale="log",
        xlabel="momentum β (heavy ball)",
        ylabel="learning rate",
        title=f"Exact gradients from w0 = {d['settings']['w0']:g} ({int(d['disagree'])} cells disagree with the analysis)",
    )
    # only the simulated step sizes are drawn: outside them nothing was run
    lrs = np.asarray(d["lrs"], float)
    half = np.sqrt(lrs[1] / lrs[0]) if lrs.size > 1 else 1.5
    a1.set_ylim(lrs.min() / half, lrs.max() * half)
    a1.legend(loc="lower left")
    a1.grid(False)
    cp = d["cp"]
    a2.fill_between(cp["lrs"], cp["lo"], cp["hi"], color=style.PALETTE["sky"], alpha=0.4, label="95% Wilson interval")
    a2.plot(
        cp["lrs"], cp["p"], "o-", color=style.PALETTE["blue"], label=f"minibatch SGD ({int(cp['seeds'])} seeds per lr)"
    )
    a2.axvline(
        1.0 / float(d["h"]),
        color=style.PALETTE["vermillion"],
        ls="--",
        label=f"noiseless threshold lr = 1/h = {1.0 / float(d['h']):.3g}",
    )
    a2.set(
        xlabel=f"learning rate (plain SGD, batch {L.ORIGINAL.batch_size})",
        ylabel="P(cross w = 0 within the budget)",
        title="Noise blurs the threshold",
    )
    a2.legend()
    return fig, ax


def _cells(r):
    """A few cells of the drawn phase diagram (row: step size, column: momentum) and their first crossing step."""
    first = np.asarray(r["first"])
    n0, n1 = first.shape
    index = [(i * (n0 - 1) // 4, j * (n1 - 1) // 4) for i in range(5) for j in range(5)]
    return {
        "index": index,
        "lr": [float(r["lrs"][i]) for i, _ in index],
        "momentum": [float(r["betas"][j]) for _, j in index],
        "first_crossing": [int(first[i, j]) for i, j in index],
    }


def main(out, quick=False, seed=0):
    r = data(NAME, quick, seed=seed)
    fig, _ = plot({**r.data, "settings": r.settings})
    return save(
        fig,
        out,
        NAME,
        r.settings,
        shown={"disagreeing_cells": int(r["disagree"]), "threshold": 1.0 / float(r["h"]), "cells": _cells(r)},
        svg=False,
    )
