"""Figure 1: loss and weight per epoch from good starts (Q1): experiment ``good_start``."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from . import style
from .common import data, save

NAME = "good_start"
SHOWN_W0 = 2.0  # the start drawn (every run of the experiment is judged by Q1)


def plot(d, ax=None):
    """Loss (log scale) and weight against the epoch for the runs from ``SHOWN_W0``."""
    style.apply()
    if ax is None:
        fig, ax = plt.subplots(1, 2, figsize=(9, 3.6))
    a1, a2 = ax
    fig = a1.figure
    sel = np.isclose(d["w0"], SHOWN_W0)
    e = np.arange(1, d["batch_loss"].shape[0] + 1)
    for i in np.flatnonzero(sel):
        a1.semilogy(e, np.maximum(d["batch_loss"][:, i], 1e-20), color=style.GOOD, alpha=0.35, lw=1)
        a2.plot(e, d["w"][1:, i], color=style.GOOD, alpha=0.35, lw=1)
    a1.semilogy(
        e,
        np.maximum(d["exact"][1:, np.flatnonzero(sel)[0]], 1e-20),
        color=style.PALETTE["black"],
        lw=2,
        label="exact population loss",
    )
    st = d["settings"]
    a1.set(
        xlabel=f"epoch ({int(d['epoch_steps'][1])} steps of SGD, lr {st['lr']:g}, batch {st['batch']})",
        ylabel="loss (MSE)",
        title=f"loss per epoch, w0 = {SHOWN_W0:g}",
    )
    a1.legend()
    a2.axhline(1.0, color=style.PALETTE["green"], ls=":", lw=1.5, label="optimum w = 1")
    a2.set(
        xlabel="epoch", ylabel="weight w", title=f"weight per epoch, w0 = {SHOWN_W0:g} ({int(sel.sum())} batch streams)"
    )
    a2.legend()
    return fig, ax


def main(out, quick=False, seed=0):
    r = data(NAME, quick, seed=seed)
    fig, _ = plot({**r.data, "settings": r.settings})
    sel = np.isclose(r["w0"], SHOWN_W0)
    return save(fig, out, NAME, r.settings, shown={"w0": SHOWN_W0, "final_w": r["w"][-1, sel].tolist()})
