"""Figure 9: a relu(w x + b) + c from the four sign quadrants of (w, a) (Q5): experiment ``four_parameter``."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.lines import Line2D

from analysis import BASINS

from . import style
from .common import data, save

NAME = "four_parameter"


def plot(d, ax=None):
    style.apply()
    if ax is None:
        fig, ax = plt.subplots(1, 4, figsize=(13, 4.0), sharey=True)
    fig = ax[0].figure
    x = d["x"]
    sign = lambda s: "+" if s > 0 else "−"
    for q, a in enumerate(ax):
        r = d[f"q{q}"]
        lab = r["labels"]
        for i in range(min(40, lab.size)):
            a.plot(x, r["f"][i], color=style.BASIN_COLORS[BASINS[lab[i]]], alpha=0.35, lw=1)
        a.plot(x, np.maximum(x, 0), color="black", lw=2, ls="--", label="target relu(x)")
        ok = int(np.sum(lab == 0))
        a.set(
            title=f"start w{sign(r['sign_w'])}, a{sign(r['sign_a'])}: {ok / lab.size:.0%} reach it\n({ok} of {lab.size})",
            xlabel="x",
            ylim=(-2, 3.2),
        )
    ax[0].set_ylabel("learned a·relu(w x + b) + c")
    # each learned function is coloured by where its run ended (the basins' colours)
    ended = sorted({int(v) for q in range(len(ax)) for v in np.asarray(d[f"q{q}"]["labels"])[:40]})
    handles = [Line2D([], [], color="black", lw=2, ls="--", label="target relu(x)")] + [
        Line2D([], [], color=style.BASIN_COLORS[BASINS[i]], lw=1.5, label=f"run ended: {BASINS[i].replace('_', ' ')}")
        for i in ended
    ]
    fig.legend(handles=handles, loc="outside lower center", ncol=len(handles))
    fig.suptitle(
        f"One flip (of w or of a) can be learned, both cannot: exact-gradient SGD, lr {d['settings']['lr']:g}, "
        "until converged"
    )
    return fig, ax


def main(out, quick=False, seed=0):
    r = data(NAME, quick, seed=seed)
    fig, _ = plot({**r.data, "settings": r.settings})
    shown = {
        f"q{q}": {"reached": int(np.sum(r[f"q{q}"]["labels"] == 0)), "of": int(r[f"q{q}"]["labels"].size)}
        for q in range(4)
    }
    return save(fig, out, NAME, r.settings, shown=shown, svg=False)
