"""Figure 12: networks dying in training (He vs RAI), spurious minima of wider students, and the growth of
gradients through leaky layers (D3-D6, A13): experiments ``deep_networks`` and ``gradient_growth``."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

import landscape as L
from analysis.stats import CONFIDENCE, z_value

from . import style
from .common import data, save

NAME = "deep_networks"


def _err(ax, x, p, ci, **kw):
    ax.errorbar(x, p, yerr=np.maximum([p - ci[:, 0], ci[:, 1] - p], 0), capsize=2, ms=4, **kw)


def plot(d, ax=None):
    """``d``: ``{"deep_networks": data, "gradient_growth": data}``."""
    style.apply()
    if ax is None:
        fig, ax = plt.subplots(1, 3, figsize=(14, 4.2))
    a1, a2, a3 = ax
    fig = a1.figure
    dn, gg = d["deep_networks"], d["gradient_growth"]
    for scheme, color, label in (
        ("he_normal", style.PALETTE["vermillion"], "He normal"),
        ("rai", style.PALETTE["blue"], "RAI"),
    ):
        _err(a1, dn["depths"], dn[scheme]["rate"], dn[scheme]["ci"], fmt="o-", color=color, label=label)
    a1.set(
        xlabel="depth (width 2, with biases)",
        ylabel="share collapsed to a constant",
        ylim=(-0.02, 1.02),
        title="Fitting |x| with Adam: networks that die",
    )
    a1.legend()
    for extra, color in ((0, style.PALETTE["purple"]), (1, style.PALETTE["green"])):
        _err(
            a2,
            dn["ks"] + 0.06 * extra,
            dn[f"extra{extra}"]["rate"],
            dn[f"extra{extra}"]["ci"],
            fmt="s-",
            color=color,
            label="n = k" if extra == 0 else "n = k + 1",
        )
    a2.set(
        xlabel="teacher units k (d = k, orthonormal)",
        ylabel="share at a spurious minimum (Hessian check)",
        title="Spurious minima: exact gradients to convergence",
        xticks=dn["ks"],
        ylim=(-0.02, 1.02),
    )
    a2.legend()
    c = np.linspace(0.2, 2.1, 100)
    rate = [L.resolve_activation(("leaky_relu", {"slope": float(x)})).mean_field_rate for x in c]
    a3.plot(c, rate, color="black", lw=1.5, label="mean field log((1 + c²)/2)")
    a3.plot(
        gg["slopes"], gg["finite_width"], "x", color=style.PALETTE["blue"], ms=9, mew=2, label="exact at this width"
    )
    a3.errorbar(
        gg["slopes"],
        gg["rate"],
        yerr=z_value() * gg["stderr"],
        fmt="o",
        color=style.PALETTE["orange"],
        ms=6,
        capsize=3,
        label=f"measured |J v|² ({CONFIDENCE:.0%} CI)",
    )
    a3.axhline(0, color="gray", lw=0.8)
    a3.set(
        xlabel="leaky slope c",
        ylabel="growth of log |J v|² per layer",
        title=f"Slopes above 1 explode (A13)\ndepth {d['depth']}, width {d['width']}",
    )
    a3.legend(fontsize=8)
    return fig, ax


def main(out, quick=False, seed=0):
    dn = data(NAME, quick, seed=seed)
    gg = data("gradient_growth", quick, seed=seed)
    fig, _ = plot(
        {
            "deep_networks": dn.data,
            "gradient_growth": gg.data,
            "depth": gg.settings["depth"],
            "width": gg.settings["width"],
        }
    )
    slopes = list(map(str, gg["slopes"].tolist()))
    shown = {
        "growth_rate": dict(zip(slopes, gg["rate"].tolist())),
        "growth_reference": dict(zip(slopes, gg["finite_width"].tolist())),
        "growth_mean_field": dict(zip(slopes, gg["mean_field"].tolist())),
    }
    return save(fig, out, NAME, {"deep_networks": dn.settings, "gradient_growth": gg.settings}, shown=shown)
