"""Figure 11: born-dead networks by depth against the closed form; He against RAI with biases (D1, D2):
experiment ``born_dead``."""

from __future__ import annotations

import os

import matplotlib.pyplot as plt
import numpy as np

from analysis import deep as D
from landscape.io import write_atomic

from . import style
from .common import data, save

NAME = "born_dead"


def plot(d, ax=None):
    style.apply()
    if ax is None:
        fig, ax = plt.subplots(1, 2, figsize=(11, 4.4))
    a1, a2 = ax
    fig = a1.figure
    dd = np.arange(1, 21)
    depths = d["depths"]
    for w, color in zip(d["widths"], style.CYCLE):
        r = d[f"w{int(w)}"]
        ci, p = r["single_ci"], r["single"]
        a1.errorbar(depths, p, yerr=np.maximum([p - ci[:, 0], ci[:, 1] - p], 0), fmt="o", color=color, ms=4, capsize=2)
        a1.plot(
            dd, [D.closed_form_single_input(int(k), int(w)) for k in dd], color=color, lw=1.5, label=f"width {int(w)}"
        )
        a1.plot(depths, r["support"], ls=":", color=color, lw=1.2)
    a1.plot([], [], "ko", ms=4, label="one input dead (estimate, 95% CI)")
    a1.plot([], [], "k-", label="closed form 1 - (1 - 2^-N)^(L-1)")
    a1.plot([], [], "k:", label="dead for every input (exact)")
    a1.set(
        xlabel="depth L (layers, L - 1 hidden)",
        ylabel="probability",
        title="Bias-free ReLU nets, symmetric init",
        ylim=(-0.02, 1.42),
    )
    a1.set_yticks(np.linspace(0, 1, 6))
    a1.set_xticks([1, 5, 10, 15, 20])
    a1.legend(fontsize=8, ncol=3, loc="upper center")
    for scheme, color in (("he_normal", style.PALETTE["vermillion"]), ("rai", style.PALETTE["blue"])):
        p, ci = d[scheme]["p"], d[scheme]["ci"]
        a2.errorbar(
            depths,
            p,
            yerr=np.maximum([p - ci[:, 0], ci[:, 1] - p], 0),
            fmt="o-",
            color=color,
            ms=4,
            capsize=2,
            label={"he_normal": "He normal", "rai": "randomized asymmetric (RAI)"}[scheme],
        )
    a2.set(
        xlabel="depth L",
        ylabel="P(network constant on [-1, 1])",
        title="Width 3 with biases: RAI keeps nets alive",
        ylim=(-0.02, 1.02),
        xticks=[1, 5, 10, 15, 20],
    )
    a2.legend()
    return fig, ax


def table(d, samples):
    """The figure's numbers as Markdown: one input dead and dead everywhere, by depth and width."""
    pct = lambda v: f"{100 * v:.1f}%"
    widths = [int(w) for w in d["widths"]]
    lines = [
        f"# Born-dead networks ({samples} initializations per cell, 95% Wilson intervals)",
        "",
        "Bias-free ReLU networks, symmetric init N(0, 1/fan_in): P(one Gaussian input is dead) as estimate "
        "[interval] / closed form 1 - (1 - 2^-N)^(L-1), and P(dead for every input, exact).",
        "",
        "| depth L | " + " | ".join(f"width {w}" for w in widths) + " |",
        "|---|" + "---|" * len(widths),
    ]
    for i, L_ in enumerate(d["depths"]):
        cells = []
        for w in widths:
            r = d[f"w{w}"]
            ci = r["single_ci"][i]
            cells.append(
                f"{pct(r['single'][i])} [{pct(ci[0])}, {pct(ci[1])}] / {pct(r['closed_form'][i])}; "
                f"all: {pct(r['support'][i])}"
            )
        lines.append(f"| {int(L_)} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "Width 3 with biases on U(-1, 1): P(network constant on [-1, 1]), exact detection.",
        "",
        "| depth L | He normal | RAI |",
        "|---|---|---|",
    ]
    for i, L_ in enumerate(d["depths"]):
        cells = [
            f"{pct(d[s]['p'][i])} [{pct(d[s]['ci'][i][0])}, {pct(d[s]['ci'][i][1])}]" for s in ("he_normal", "rai")
        ]
        lines.append(f"| {int(L_)} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main(out, quick=False, seed=0):
    r = data(NAME, quick, seed=seed)
    fig, _ = plot(r.data)
    md = os.path.join(out, f"{NAME}.md")
    write_atomic(md, table(r.data, r.settings["samples"]))
    shown = {}
    for w in np.atleast_1d(r["widths"]):
        for i, d in enumerate(np.atleast_1d(r["depths"])):
            row = r[f"w{int(w)}"]
            shown[f"depth{int(d)}_width{int(w)}"] = {
                "support": float(row["support"][i]),
                "single": float(row["single"][i]),
                "closed_form": float(row["closed_form"][i]),
            }
    return save(fig, out, NAME, r.settings, shown=shown) + [md]
