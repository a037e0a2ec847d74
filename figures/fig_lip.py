"""Figure 8: the lip: crossing phase diagram over (lr, momentum) with the analytic boundary; minibatch crossing (A7, A8, A12)."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

import analysis as A

from . import style
from ._common import cached, save

NAME = "lip"


def compute(seed, quick):
    import jax

    n = 48 if quick else 256
    d = A.phase_diagram(method="momentum", lrs=np.geomspace(1e-3, 3, n), betas=np.linspace(0, 0.99, n), steps=2000)
    cp = A.crossing_probability(lrs=np.geomspace(0.6, 1.6, 9 if quick else 25), seeds=16 if quick else 128, steps=200,
                                key=jax.random.key(seed))
    fine = np.linspace(0, 0.99, 400)
    return {"lrs": d.lrs, "betas": d.betas, "first": d.simulated, "b_inf": A.boundary("momentum", fine), "b_fin": A.boundary("momentum", fine, 2000),
            "fine": fine, "disagree": np.int64(d.disagreement_cells), "cp_lrs": cp["lrs"], "cp_p": cp["probability"],
            "cp_lo": cp["ci"][0], "cp_hi": cp["ci"][1], "seeds": np.int64(cp["seeds"])}


def plot(d):
    style.apply()
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4.6))
    first = d["first"].astype(float)
    first[first < 0] = np.nan
    B, E = np.meshgrid(d["betas"], d["lrs"])
    pc = a1.pcolormesh(B, E, first, shading="nearest", cmap="viridis", norm=plt.matplotlib.colors.LogNorm())
    fig.colorbar(pc, ax=a1, label="first step with w > 0 (blank: never in 2000)")
    a1.plot(d["fine"], d["b_inf"], color=style.PALETTE["vermillion"], lw=2, label="analytic: lr = (1 - √β)²")
    a1.plot(d["fine"], d["b_fin"], color=style.PALETTE["orange"], lw=1.5, ls="--", label="analytic, 2000-step budget")
    a1.set(yscale="log", xlabel="momentum β (heavy ball)", ylabel="learning rate",
           title=f"Exact gradients from w0 = -10 ({int(d['disagree'])} cells disagree with the analysis)")
    a1.legend(loc="lower left")
    a1.grid(False)
    a2.fill_between(d["cp_lrs"], d["cp_lo"], d["cp_hi"], color=style.PALETTE["sky"], alpha=0.4, label="95% Wilson interval")
    a2.plot(d["cp_lrs"], d["cp_p"], "o-", color=style.PALETTE["blue"], label=f"minibatch SGD ({int(d['seeds'])} seeds per lr)")
    a2.axvline(1.0, color=style.PALETTE["vermillion"], ls="--", label="noiseless threshold lr = 1")
    a2.set(xlabel="learning rate (plain SGD, batch 1000)", ylabel="P(cross w = 0 within 200 steps)",
           title="Noise blurs the threshold")
    a2.legend()
    return fig, (a1, a2)


def main(out, quick=False, seed=0):
    settings = {"seed": seed, "quick": quick, "grid": 48 if quick else 256, "steps": 2000, "w0": -10.0}
    fig, _ = plot(cached(out, NAME, settings, lambda: compute(seed, quick)))
    return save(fig, out, NAME, settings, svg=False)
