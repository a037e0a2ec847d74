"""Figure 5: basin maps of (w, b) starts for SGD, momentum, Adam and AMSGrad (Q4, A5, A8): experiment ``basins``.

The SGD panel is the experiment's default setting, the one claim Q4 reads.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.patches import Rectangle

from analysis import BASINS

from . import style
from .common import data, save

NAME = "basins"
PANELS = (
    {},
    {"optimizer": "momentum", "lr": 0.1},
    {"optimizer": "adam", "lr": 0.01},
    {"optimizer": "amsgrad", "lr": 0.01},
)


def _title(r):
    s = r.settings
    opt = s["optimizer"] + (f", momentum {s['momentum']:g}" if s["optimizer"] in ("momentum", "nesterov") else "")
    fr = r["fractions"]
    return (
        f"{opt}, lr {s['lr']:g}\nmin {fr['global_min']:.0%} · stuck {fr['dead'] + fr['stationary']:.0%} · "
        f"moving {fr['moving']:.0%}" + (f" · diverged {fr['diverged']:.0%}" if fr["diverged"] else "")
    )


def plot(results, ax=None):
    """One basin map per result of the experiment (a list of :class:`analysis.registry.Result`)."""
    style.apply()
    if ax is None:
        fig, ax = plt.subplots(2, 2, figsize=(9, 8.4), sharex=True, sharey=True)
    axes = np.asarray(ax).ravel()
    fig = axes[0].figure
    cmap = ListedColormap([style.BASIN_COLORS[b] for b in BASINS])
    for a, r in zip(axes, results):
        g = r["axis"]
        n = g.size
        a.imshow(
            r["labels"].reshape(n, n).T,
            origin="lower",
            extent=(g[0], g[-1], g[0], g[-1]),
            cmap=cmap,
            vmin=-0.5,
            vmax=len(BASINS) - 0.5,
            interpolation="nearest",
            aspect="auto",
        )
        a.set_title(_title(r), fontsize=10)
        a.grid(False)
    for a in np.asarray(ax)[-1]:
        a.set_xlabel("initial w")
    for a in np.asarray(ax)[:, 0]:
        a.set_ylabel("initial b")
    handles = [Rectangle((0, 0), 1, 1, color=style.BASIN_COLORS[b]) for b in BASINS]
    fig.legend(handles, [b.replace("_", " ") for b in BASINS], loc="outside lower center", ncol=5)
    s = results[0].settings
    fig.suptitle(
        f"Where {s['grid']}×{s['grid']} starts end: minibatch training (batch {s['batch']})\nuntil every start "
        f"is at the minimum, dead or stationary, at most {s['steps']} steps"
    )
    return fig, ax


def main(out, quick=False, seed=0):
    results = [data(NAME, quick, seed=seed, **p) for p in PANELS]
    fig, _ = plot(results)
    shown = {
        f"panel{i}": {
            "settings": {k: r.settings[k] for k in ("optimizer", "lr", "steps", "grid")},
            "fractions": dict(r["fractions"]),
        }
        for i, r in enumerate(results)
    }
    return save(fig, out, NAME, [r.settings for r in results], shown=shown, svg=False)
