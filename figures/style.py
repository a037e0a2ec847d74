"""One style for every figure: Okabe-Ito colour-blind-safe palette, readable fonts."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.rcsetup import cycler

# Okabe & Ito (2008), "Color Universal Design": safe for the common colour-vision deficiencies
PALETTE = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
}
CYCLE = [PALETTE[k] for k in ("blue", "vermillion", "green", "orange", "purple", "sky", "black", "yellow")]
NEVER = "#BBBBBB"  # cells of a phase diagram that never crossed within the budget (not "no data")
GOOD, STUCK = PALETTE["blue"], PALETTE["vermillion"]  # the original's blue and red starts
BASIN_COLORS = {
    "global_min": PALETTE["blue"],
    "dead": PALETTE["vermillion"],
    "stationary": PALETTE["purple"],
    "moving": PALETTE["orange"],
    "diverged": PALETTE["black"],
    "escaping": PALETTE["sky"],
}


def apply():
    plt.rcParams.update(
        {
            "figure.dpi": 110,
            "savefig.dpi": 130,
            "font.size": 11,
            "axes.titlesize": 12,
            "axes.labelsize": 11,
            "legend.fontsize": 9,
            "axes.prop_cycle": cycler(color=CYCLE),
            "axes.grid": True,
            "grid.alpha": 0.25,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "figure.constrained_layout.use": True,
            "svg.hashsalt": "relu-landscape",
            "svg.fonttype": "none",
        }
    )


def dead_set(ax, w, b, mask, **kw):
    """Draw the exact dead set (``Problem.dead_set`` on the grid ``w x b``): a segment where it is a half-line
    of the grid (Gaussian inputs: ``w = 0, b <= 0``), a filled outline where it has area (uniform inputs)."""
    import numpy as np

    mask = np.asarray(mask, bool)
    label = kw.pop("label", "dead set (exact: the unit is off on every input)")
    color = kw.pop("color", PALETTE["vermillion"])
    if not mask.any():
        return
    cols = np.flatnonzero(mask.any(axis=1))
    if cols.size == 1:
        bs = np.asarray(b)[mask[cols[0]]]
        ax.plot([w[cols[0]]] * 2, [bs.min(), bs.max()], color=color, lw=3, label=label, **kw)
        return
    W, B = np.meshgrid(w, b, indexing="ij")
    ax.contourf(W, B, mask.astype(float), levels=[0.5, 1.5], colors=[color], alpha=0.25)
    ax.contour(W, B, mask.astype(float), levels=[0.5], colors=[color], linewidths=2)
    ax.plot([], [], color=color, lw=3, label=label)
