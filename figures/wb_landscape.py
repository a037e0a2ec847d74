"""Figure 4: the (w, b) plane: exact contours, the dead set, the near-flat region, blue and red starts (Q3, Q4):
experiment ``wb_landscape``."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import LogNorm

from analysis import BASINS

from . import style
from .common import data, save

NAME = "wb_landscape"


def plot(d, ax=None):
    style.apply()
    if ax is None:
        fig, ax = plt.subplots(figsize=(7.2, 6))
    fig = ax.figure
    W, B = np.meshgrid(d["w"], d["b"], indexing="ij")
    cs = ax.contourf(
        W,
        B,
        np.maximum(d["loss"], 1e-6),
        levels=np.geomspace(1e-6, d["loss"].max(), 25),
        norm=LogNorm(),
        cmap="cividis",
    )
    fig.colorbar(cs, ax=ax, label="exact loss (log scale)", format="%.0e")
    flat = d["near_flat"].astype(float)
    ax.contourf(W, B, flat, levels=[0.5, 1.5], colors="none", hatches=["...."])
    ax.contour(W, B, flat, levels=[0.5], colors=[style.PALETTE["yellow"]], linewidths=1.2)
    style.dead_set(ax, d["w"], d["b"], d["dead_set"])
    lab = d["labels"]
    for i in range(d["tw"].shape[1]):
        c = style.BASIN_COLORS[BASINS[lab[i]]]
        ax.plot(d["tw"][:, i], d["tb"][:, i], color=c, lw=1, alpha=0.8)
        ax.plot(d["tw"][0, i], d["tb"][0, i], "o", color=c, ms=4)
    if np.all(np.isfinite(d["optimum"])):
        ow, ob = (float(v) for v in d["optimum"])
        ax.plot(
            [ow], [ob], "*", color=style.PALETTE["green"], ms=16, mec="white", label=f"global minimum ({ow:g}, {ob:g})"
        )
    for b in ("global_min", "dead", "moving"):
        ax.plot(
            [],
            [],
            color=style.BASIN_COLORS[b],
            label={
                "global_min": "start reaches the minimum",
                "dead": "start gets stuck (dead)",
                "moving": "still moving after the budget",
            }[b],
        )
    ax.plot(
        [],
        [],
        color=style.PALETTE["yellow"],
        label=f"near-flat: |∇L| < {float(d['near_flat_eps']):g}, L > min + {float(d['near_flat_delta']):g} "
        f"({float(d['flat_fraction']):.1%} of box)",
    )
    ax.set(
        xlabel="weight w",
        ylabel="bias b",
        title=f"relu(w x + b) against relu(x): SGD (lr {float(d['lr']):g}) from a grid of starts",
        xlim=(d["w"].min(), d["w"].max()),
        ylim=(d["b"].min(), d["b"].max()),
    )
    ax.legend(loc="upper left", fontsize=8, framealpha=0.9)
    return fig, ax


def main(out, quick=False, seed=0):
    r = data(NAME, quick, seed=seed)
    fig, _ = plot(r.data)
    return save(fig, out, NAME, r.settings, shown={"flat_fraction": float(r["flat_fraction"])}, svg=False)
