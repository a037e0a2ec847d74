"""Figure 9: a relu(w x + b) + c from the four sign quadrants of (w, a) (Q5): experiment ``four_parameter``."""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.lines import Line2D

from analysis import BASINS

from . import style
from .common import data, save

NAME = "four_parameter"


def _limit_counts(r):
    """Where a quadrant's runs go in the limit (the experiment's gradient flow to its end), by basin."""
    if "limit_labels" not in r:
        return {}
    lab = np.asarray(r["limit_labels"])
    return {BASINS[i]: int(np.sum(lab == i)) for i in np.unique(lab)}


def _limit_words(r):
    c = _limit_counts(r)
    return ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in sorted(c.items(), key=lambda kv: -kv[1]))


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
        lim = _limit_words(r)
        title = f"start w{sign(r['sign_w'])}, a{sign(r['sign_a'])}: {ok / lab.size:.0%} reach it ({ok} of {lab.size})"
        if lim:
            title += "\n" + "\n".join(textwrap.wrap(f"in the limit: {lim}", 34))
        a.set_title(title, fontsize=10)
        a.set(
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
        f"q{q}": {
            "reached": int(np.sum(r[f"q{q}"]["labels"] == 0)),
            "of": int(r[f"q{q}"]["labels"].size),
            "limit": _limit_counts(r[f"q{q}"]),
        }
        for q in range(4)
    }
    return save(fig, out, NAME, r.settings, shown=shown, svg=False)
