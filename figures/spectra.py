"""Hessian spectra of the Safran-Shamir problem at a global and at a spurious minimum: stochastic Lanczos
quadrature against the dense spectrum, block-Lanczos top eigenvalues: experiment ``spectra``."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from . import style
from .common import data, save

NAME = "spectra"


def plot(d, axes=None):
    style.apply()
    ks = [int(k) for k in np.atleast_1d(d["ks"])]
    if axes is None:
        fig, axes = plt.subplots(len(ks), 2, figsize=(11, 3.9 * len(ks)), squeeze=False)
    fig = axes[0][0].figure
    colors = {"global": style.PALETTE["blue"], "spurious": style.PALETTE["vermillion"]}
    for row, k in zip(axes, ks):
        e = d[f"k{k}"]
        names = [n for n in ("global", "spurious") if n in e]
        a, b = row
        for i, n in enumerate(names):
            s = e[n]
            a.plot(
                s["grid"],
                s["density"],
                color=colors[n],
                lw=1.8,
                label=f"{n} minimum (loss {float(s['loss']):.3g}): SLQ density",
            )
            a.plot(
                s["dense"],
                np.full(len(s["dense"]), -0.04 - 0.05 * i) * np.max(s["density"]),
                "|",
                color=colors[n],
                ms=12,
                mew=1.2,
            )
            order = np.arange(1, len(s["dense"]) + 1)
            b.semilogy(
                order,
                np.sort(s["dense"])[::-1].clip(1e-12),
                "o",
                ms=4,
                mfc="none",
                color=colors[n],
                label=f"{n}: dense eigh (smallest positive {float(s['smallest_positive']):.3g})",
            )
            b.semilogy(
                np.arange(1, len(s["top"]) + 1),
                np.clip(s["top"], 1e-12, None),
                "x",
                ms=6,
                color=colors[n],
                label=f"{n}: top {len(s['top'])} by block Lanczos",
            )
        sigma = float(e[names[0]]["sigma"])
        a.set(
            xlabel="Hessian eigenvalue",
            ylabel="density",
            title=f"k = n = {k}: SLQ density (broadening σ = {sigma:.2g})\nticks: the dense eigenvalues",
        )
        a.legend(loc="upper right")
        b.set(
            xlabel="rank",
            ylabel="eigenvalue (log)",
            title=f"k = n = {k}: the whole spectrum, sorted\nspurious minimum: "
            f"{e['origin'].replace('Safran, Yehudai & Shamir', 'Safran et al.')}",
        )
        b.legend(loc="lower left", fontsize=8)
    return fig, axes


def main(out, quick=False, seed=0):
    r = data(NAME, quick, seed=seed)
    fig, _ = plot(r.data)
    shown = {}
    for k in np.atleast_1d(r["ks"]):
        e = r[f"k{int(k)}"]
        for n in ("global", "spurious"):
            if n in e:
                shown[f"k{int(k)}_{n}"] = {
                    "loss": float(e[n]["loss"]),
                    "top": [float(v) for v in e[n]["top"]],
                    "smallest_positive": float(e[n]["smallest_positive"]),
                    "smallest": float(np.min(e[n]["dense"])),
                    "trace": float(e[n]["trace"]),
                    "trace_se": float(e[n]["trace_se"]),
                    "dense_trace": float(np.sum(e[n]["dense"])),
                }
    return save(fig, out, NAME, r.settings, shown=shown, svg=False)
