"""Figure 2: the backwards start: loss and weight per epoch from w0 = -10 (Q2, A5): experiment ``backwards_start``."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from . import style
from .common import data, save

NAME = "backwards_start"
SHOWN_W0 = -10.0


def plot(d, ax=None):
    """Loss and weight per epoch from ``SHOWN_W0``, with the dead level (the experiment's own number)."""
    style.apply()
    if ax is None:
        fig, ax = plt.subplots(1, 2, figsize=(9, 3.6))
    a1, a2 = ax
    fig = a1.figure
    sel = np.flatnonzero(np.isclose(d["w0"], SHOWN_W0))
    e = np.arange(1, d["batch_loss"].shape[0] + 1)
    level = float(d["dead_level"])
    for i in sel:
        a1.semilogy(e, d["batch_loss"][:, i], color=style.STUCK, alpha=0.35, lw=1)
        a2.plot(e, d["w"][1:, i], color=style.STUCK, alpha=0.35, lw=1)
    a1.semilogy(e, d["exact"][1:, sel[0]], color=style.PALETTE["black"], lw=2, label="exact population loss")
    a1.axhline(level, color=style.STUCK, ls="--", lw=1.2, label=f"dead level L(0) = {level:.3g}")
    st = d["settings"]
    a1.set(
        xlabel=f"epoch ({int(d['epoch_steps'][1])} steps of SGD, lr {st['lr']:g}, batch {st['batch']})",
        ylabel="loss (MSE)",
        title=f"loss per epoch, w0 = {SHOWN_W0:g}",
    )
    a1.legend()
    a2.axhline(0.0, color=style.STUCK, ls="--", lw=1.2, label="kink w = 0")
    a2.set(xlabel="epoch", ylabel="weight w", title=f"weight per epoch, w0 = {SHOWN_W0:g}\n({sel.size} batch streams)")
    a2.legend()
    return fig, ax


def main(out, quick=False, seed=0):
    r = data(NAME, quick, seed=seed)
    fig, _ = plot({**r.data, "settings": r.settings})
    sel = np.isclose(r["w0"], SHOWN_W0)
    return save(
        fig,
        out,
        NAME,
        r.settings,
        shown={"w0": SHOWN_W0, "dead_level": float(r["dead_level"]), "final_w": r["w"][-1, sel].tolist()},
    )
