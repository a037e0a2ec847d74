"""Filter-normalized 2-D slices on exact population losses: the Safran-Shamir problem's global and spurious
minima and the straight path between them; a born-dead network beside a live one; the single neuron's (w, b)
plane as a slice: experiment ``slices``."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import LogNorm
from matplotlib.ticker import FuncFormatter, LogLocator

from . import style
from .common import data, save

NAME = "slices"


def _panel(ax, x, y, z, title, levels=None):
    z = np.asarray(z, float)
    floor = max(float(np.min(z[z > 0])) if np.any(z > 0) else 1e-6, 1e-6)
    levels = levels if levels is not None else np.geomspace(floor, max(float(z.max()), floor * 10), 16)
    cs = ax.contourf(x, y, z.T.clip(levels[0]), levels=levels, norm=LogNorm(), cmap="viridis")
    ax.plot(0, 0, "*", color="white", ms=11, mec="black")
    ax.set(title=title, aspect="equal")
    return cs


def _colorbar(fig, cs, ax):
    """A log colour bar whose labels show distinct values: decades over a wide range, 1-2-5 over a narrow one."""
    decades = np.log10(cs.levels[-1] / cs.levels[0])
    subs = (1.0,) if decades > 2.5 else (1.0, 2.0, 5.0)
    fig.colorbar(cs, ax=ax, shrink=0.8, ticks=LogLocator(subs=subs), format=FuncFormatter(lambda v, _: f"{v:.3g}"))


def plot(d, axes=None):
    style.apply()
    if axes is None:
        fig, axes = plt.subplots(2, 3, figsize=(14, 8.6))
    fig = axes[0][0].figure
    c = d["coef"]
    for ax, name, label in (
        (axes[0][0], "ss_global", "global minimum"),
        (axes[0][1], "ss_spurious", "spurious minimum"),
    ):
        cs = _panel(
            ax,
            c,
            c,
            d[name]["loss"],
            f"Safran-Shamir k = n = 7: {label}\n(centre loss {float(d[name]['centre_loss']):.3g}), filter-normalized",
        )
        _colorbar(fig, cs, ax)
        ax.set(xlabel="α (direction 1)", ylabel="β (direction 2)")
    p = d["path"]
    ax = axes[0][2]
    ax.plot(p["t"], p["loss"], color=style.PALETTE["black"], lw=2, label="loss on the straight path")
    ax.plot(p["t"], p["grad_norm"], color=style.PALETTE["sky"], lw=1.5, ls="--", label="gradient norm")
    ax.axvline(
        float(p["argmax"]),
        color=style.PALETTE["vermillion"],
        lw=1,
        label=f"barrier {float(p['barrier']):.3g} above the higher end",
    )
    ax.set(xlabel="t (0: global minimum, 1: spurious minimum)", ylabel="loss", title="The straight path between them")
    ax.legend(loc="upper left", fontsize=8)
    for ax, name, label in ((axes[1][0], "net_dead", "born-dead network"), (axes[1][1], "net_live", "live network")):
        if name not in d:
            ax.set_axis_off()
            ax.set_title(f"no {label} among the draws")
            continue
        z = np.asarray(d[name]["loss"])
        centre = float(d[name]["centre_loss"])
        cn = d["net_coef"]
        cs = _panel(ax, cn, cn, z, "")
        _colorbar(fig, cs, ax)
        flat = np.abs(z - centre) <= 1e-12 * max(1.0, abs(centre))  # the loss equals the centre's: no signal
        if flat.any():  # hatched: where the loss equals the centre's (no signal reaches the first layer)
            with plt.rc_context({"hatch.color": "white", "hatch.linewidth": 0.8}):
                ax.contourf(cn, cn, flat.T.astype(float), levels=[0.5, 1.5], colors="none", hatches=["////"])
        ax.set(
            title=f"{label} (centre loss {centre:.3g}), first layer\nhatched, flat: {flat.mean():.0%} of the slice",
            xlabel="α (first layer)",
            ylabel="β (first layer)",
        )
    nb = d["neuron"]
    ax = axes[1][2]
    cs = _panel(
        ax,
        nb["axis"],
        nb["axis"],
        nb["loss"],
        "single neuron: the slice along (w, b)\n"
        f"= landscape.grid (max |difference| {float(nb['max_abs_difference_from_grid']):.1g})",
    )
    ax.set(xlabel="w", ylabel="b")
    _colorbar(fig, cs, ax)
    return fig, axes


def main(out, quick=False, seed=0):
    r = data(NAME, quick, seed=seed)
    fig, _ = plot(r.data)
    shown = {
        "barrier": float(r["path"]["barrier"]),
        "neuron_max_abs_difference_from_grid": float(r["neuron"]["max_abs_difference_from_grid"]),
    }
    for n in ("net_dead", "net_live"):
        if n in r:
            z, centre = np.asarray(r[n]["loss"]), float(r[n]["centre_loss"])
            shown[f"{n}_flat_share"] = float(np.mean(np.abs(z - centre) <= 1e-12 * max(1.0, abs(centre))))
    return save(fig, out, NAME, r.settings, shown=shown, svg=False)
