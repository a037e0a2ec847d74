"""Figure 3: L(w) of the no-bias problem: its kink, one-sided slopes, a chord, the minibatch band (A1-A4, C2):
experiment ``kink``."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from . import style
from .common import data, save

NAME = "kink"


def plot(d, ax=None):
    style.apply()
    if ax is None:
        fig, ax = plt.subplots(figsize=(7, 4.3))
    fig = ax.figure
    w = d["w"]
    ax.fill_between(
        w,
        d["band_lo"],
        d["band_hi"],
        color=style.PALETTE["sky"],
        alpha=0.35,
        lw=0,
        label=f"{float(d['band_level']):.0%} band of the minibatch loss (batch {int(d['batch'])})",
    )
    ax.plot(w, d["exact"], color=style.PALETTE["black"], lw=2, label="exact L(w): w²/2 + 1/2 | (w - 1)²/2")
    t = np.linspace(-0.6, 0.6, 3)
    os_ = d["one_sided"]
    level = float(d["L0"])
    ax.plot(
        t[t <= 0],
        level + float(os_["left"]) * t[t <= 0],
        color=style.PALETTE["green"],
        lw=2,
        ls="--",
        label=f"left slope at 0: {round(float(os_['left']), 9) + 0.0:g}",
    )
    ax.plot(
        t[t >= 0],
        level + float(os_["right"]) * t[t >= 0],
        color=style.PALETTE["orange"],
        lw=2,
        ls="--",
        label=f"right slope at 0: {round(float(os_['right']), 9) + 0.0:g}",
    )
    c = d["chord"]
    if bool(c["found"]):
        a, b, la, lb, m, lm = (float(c[k]) for k in ("a", "b", "loss_a", "loss_b", "mid", "loss_mid"))
        ax.plot(
            [a, b],
            [la, lb],
            color=style.PALETTE["purple"],
            lw=1.8,
            marker="o",
            label=f"chord below the graph (gap {float(c['gap']):.3g} at w = {m:.2g})",
        )
        ax.annotate(
            "",
            xy=(m, lm),
            xytext=(m, la + (lb - la) * (m - a) / (b - a)),
            arrowprops=dict(arrowstyle="<->", color=style.PALETTE["purple"]),
        )
    ax.set(
        xlabel="weight w",
        ylabel="loss",
        title="The no-bias loss: a kink at w = 0, a slope of w to its left",
        ylim=(0, 2.6),
    )
    ax.legend(loc="upper center")
    return fig, ax


def main(out, quick=False, seed=0):
    r = data(NAME, quick, seed=seed)
    fig, _ = plot({**r.data, "settings": r.settings})
    return save(
        fig,
        out,
        NAME,
        r.settings,
        shown={
            "left": float(r["one_sided"]["left"]),
            "right": float(r["one_sided"]["right"]),
            "chord_gap": float(r["chord"]["gap"]),
        },
    )
