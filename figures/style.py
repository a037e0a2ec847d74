"""One style for every figure: Okabe-Ito colour-blind-safe palette, readable fonts."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

# Okabe & Ito (2008), "Color Universal Design": safe for the common colour-vision deficiencies
PALETTE = {
    "black": "#000000", "orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73",
    "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7",
}
CYCLE = [PALETTE[k] for k in ("blue", "vermillion", "green", "orange", "purple", "sky", "black", "yellow")]
GOOD, STUCK = PALETTE["blue"], PALETTE["vermillion"]  # the original's blue and red starts
BASIN_COLORS = {"global_min": PALETTE["blue"], "dead": PALETTE["vermillion"], "stationary": PALETTE["purple"],
                "moving": PALETTE["orange"], "diverged": PALETTE["black"]}


def apply():
    plt.rcParams.update({
        "figure.dpi": 110, "savefig.dpi": 130, "font.size": 11, "axes.titlesize": 12, "axes.labelsize": 11,
        "legend.fontsize": 9, "axes.prop_cycle": matplotlib.cycler(color=CYCLE), "axes.grid": True,
        "grid.alpha": 0.25, "axes.spines.top": False, "axes.spines.right": False, "figure.constrained_layout.use": True,
        "svg.hashsalt": "relu-landscape", "svg.fonttype": "none",
    })
