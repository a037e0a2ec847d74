"""Figure 10: runs from both flipped drift to the best line's level at infinity, against the drift law (Q5, A10):
experiment ``drift_law``."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from . import style
from .common import data, save

NAME = "drift_law"


def _median(x):
    x = np.asarray(x, float)
    return np.nanmedian(np.where(np.isfinite(x), x, np.nan), axis=-1)


def plot(d, ax=None):
    """Excess loss over the best line's level (left) and the kink -b/w (right) against time ``t = lr x steps``:
    each student's median run measured, the gradient flow from the same starts, the drift law integrated from
    the runs' states, and the law's limit form alpha^2 / (kappa^2 t)."""
    style.apply()
    if ax is None:
        fig, ax = plt.subplots(1, 2, figsize=(11, 4.3))
    fig = ax[0].figure
    lr = float(d["settings"]["lr"])
    alpha = float(d["alpha"])
    for i in range(len(d["students"])):
        s = d[f"s{i}"]
        color = style.CYCLE[i]
        t = lr * np.asarray(s["steps"], float)
        ok = t > 0
        exc, kap = _median(s["excess"])[ok], _median(np.abs(s["kappa"]))[ok]
        label = str(s["label"])
        ax[0].loglog(t[ok], np.maximum(exc, 1e-300), color=color, lw=2.2, label=f"{label}: descent (median run)")
        ax[1].semilogx(t[ok], kap, color=color, lw=2.2, label=f"{label}: descent")
        lt = np.asarray(s["law_times"], float)
        ax[0].loglog(lt, _median(s["law_excess"]), color=color, lw=1.4, ls="--", label=f"{label}: drift law")
        ax[1].semilogx(lt, _median(np.abs(s["law_kappa"])), color=color, lw=1.4, ls="--", label=f"{label}: drift law")
        ft = np.asarray(s["flow_times"], float)
        fe, fk = _median(s["flow_law_excess"]), _median(np.abs(s["flow_kappa"]))
        keep = ft >= t[ok][0]
        ax[0].loglog(ft[keep], fe[keep], color=color, lw=0, marker="o", ms=4, label=f"{label}: gradient flow")
        ax[1].semilogx(ft[keep], fk[keep], color=color, lw=0, marker="o", ms=4, label=f"{label}: gradient flow")
        ax[0].loglog(
            ft[keep],
            alpha**2 / (fk[keep] ** 2 * ft[keep]),
            color=color,
            lw=1,
            ls=":",
            label=f"{label}: α²/(κ² t)",
        )
    tt = np.logspace(1, np.log10(float(d["settings"]["t_end"])), 100)
    ax[1].semilogx(tt, np.sqrt(2 * np.log(tt)), color=style.PALETTE["black"], lw=1, ls=":", label="√(2 ln t)")
    ax[0].set(
        xlabel="time t = step size × steps",
        ylabel="loss − best line's level",
        title="Excess loss over the level of the best line",
    )
    ax[1].set(xlabel="time t = step size × steps", ylabel="kink position |−b/w| (sd of the inputs)")
    ax[1].set_title("The kink walks out of the data like √(2 ln t)")
    ax[0].legend(fontsize=7, loc="lower left")
    ax[1].legend(fontsize=7, loc="upper left")
    return fig, ax


def _agreement(d):
    """Per student: the largest relative gap between the law and the median measured run, over the law's times."""
    out = {}
    lr = float(d["settings"]["lr"])
    for i in range(len(d["students"])):
        s = d[f"s{i}"]
        t = lr * np.asarray(s["steps"], float)
        lt = np.asarray(s["law_times"], float)
        inside = lt <= t[-1]  # over the runs' own times
        measured = np.interp(np.log(lt[inside]), np.log(np.maximum(t, 1e-300)), _median(s["excess"]))
        law = _median(s["law_excess"])[inside]
        out[str(s["label"])] = {
            "law_vs_descent_excess_max_relative_gap": float(np.max(np.abs(law / measured - 1.0))),
            "kappa_at_t_end": {
                "flow": float(_median(np.abs(s["flow_kappa"]))[-1]),
                "law": float(_median(np.abs(s["law_kappa"]))[-1]),
            },
        }
    return out


def main(out, quick=False, seed=0):
    r = data(NAME, quick, seed=seed)
    d = {**r.data, "settings": r.settings}
    fig, _ = plot(d)
    return save(fig, out, NAME, r.settings, shown=_agreement(d))
