"""Figure 6: activations from w0 = -10 with the original SGD (C1, A6, A11): experiment ``activations``."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator

import landscape as L

from . import style
from .common import data, save

NAME = "activations"


def plot(d, ax=None):
    style.apply()
    if ax is None:
        fig, ax = plt.subplots(figsize=(7.5, 4.3))
    fig = ax.figure
    students = list(d["students"])
    e = np.arange(d["s0"]["w"].shape[0])
    inset = ax.inset_axes((0.42, 0.33, 0.55, 0.4))  # the end game, where the students part ways
    for i in range(len(students)):
        s = d[f"s{i}"]
        (line,) = ax.plot(e, s["w"][:, 0], lw=2, label=s["label"])
        ax.axhline(float(s["optimum_w"]), color=line.get_color(), ls=":", lw=1.2)
        ax.plot([e[-1] + 0.4], [float(s["optimum_w"])], "<", color=line.get_color(), ms=8)
        inset.plot(e, s["w"][:, 0], lw=2, color=line.get_color())
        inset.axhline(float(s["optimum_w"]), color=line.get_color(), ls=":", lw=1.2)
    st = d["settings"]
    ax.set(
        xlabel=f"epoch ({L.ORIGINAL.steps_per_epoch} SGD steps, lr {st['lr']:g}, batch {st['batch']})",
        ylabel="weight w",
        title=f"From w0 = {st['w0']:g}: each student's weight (dotted: its optimum)",
        ylim=(min(-10.5, st["w0"] - 0.5), 2),
        xlim=(-0.5, e[-1] + 1.0),
    )
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(ncol=2, loc="lower right")
    inset.set(xlim=(4, e[-1] + 0.5), ylim=(-0.15, 1.1), title=f"epochs 4-{e[-1]}", xlabel="epoch")
    inset.title.set_fontsize(9)
    inset.xaxis.set_major_locator(MaxNLocator(integer=True))
    return fig, ax


def main(out, quick=False, seed=0):
    r = data(NAME, quick, seed=seed)
    fig, _ = plot({**r.data, "settings": r.settings})
    shown = {
        r[f"s{i}"]["label"]: {"final_w": float(r[f"s{i}"]["w"][-1, 0]), "optimum_w": float(r[f"s{i}"]["optimum_w"])}
        for i in range(len(r["students"]))
    }
    return save(fig, out, NAME, r.settings, shown=shown)
