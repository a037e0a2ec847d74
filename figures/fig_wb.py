"""Figure 4: the (w, b) landscape: exact contours, dead set, near-flat region, blue and red starts (Q3, Q4)."""
from __future__ import annotations

import jax
import jax.numpy as jnp
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import LogNorm

import analysis as A
import landscape as L

from . import style
from ._common import cached, save

NAME = "wb_landscape"


def compute(seed, quick):
    p = L.Problem(trained=("w", "b"))
    n = 121 if quick else 401
    dz = A.dead_zone(p, {"w": (-3, 3), "b": (-3, 3)}, n=n, eps=(1e-3,))
    r = L.grid(p, {"w": jnp.asarray(dz.axes["w"]), "b": jnp.asarray(dz.axes["b"])})
    k = 7 if quick else 11
    g = np.linspace(-2.6, 2.6, k)
    W0, B0 = np.meshgrid(g, g, indexing="ij")
    t = L.train(p, {"w": jnp.asarray(W0.ravel()), "b": jnp.asarray(B0.ravel())}, optimizer=L.optimizer("sgd", learning_rate=0.1),
                steps=2000, record_every=20, key=jax.random.key(seed))
    basins = A.classify(p, t.final, diverged=t.diverged)
    return {"w": dz.axes["w"], "b": dz.axes["b"], "loss": np.asarray(r.loss), "near_flat": dz.near_flat[1e-3],
            "tw": np.asarray(t.params["w"]), "tb": np.asarray(t.params["b"]), "blue": basins.names() == "global_min",
            "flat_fraction": dz.near_flat_fraction[1e-3]}


def plot(d):
    style.apply()
    fig, ax = plt.subplots(figsize=(7.2, 6))
    W, B = np.meshgrid(d["w"], d["b"], indexing="ij")
    cs = ax.contourf(W, B, np.maximum(d["loss"], 1e-6), levels=np.geomspace(1e-6, d["loss"].max(), 25), norm=LogNorm(), cmap="cividis")
    fig.colorbar(cs, ax=ax, label="exact loss (log scale)", format="%.0e")
    ax.contourf(W, B, d["near_flat"].astype(float), levels=[0.5, 1.5], colors="none", hatches=["...."])
    ax.contour(W, B, d["near_flat"].astype(float), levels=[0.5], colors=[style.PALETTE["yellow"]], linewidths=1.2)
    ax.plot([0, 0], [d["b"].min(), 0], color=style.PALETTE["vermillion"], lw=3, label="dead set w = 0, b ≤ 0")
    for i in range(d["tw"].shape[1]):
        c = style.GOOD if d["blue"][i] else style.STUCK
        ax.plot(d["tw"][:, i], d["tb"][:, i], color=c, lw=1, alpha=0.8)
        ax.plot(d["tw"][0, i], d["tb"][0, i], "o", color=c, ms=4)
    ax.plot([1], [0], "*", color=style.PALETTE["green"], ms=16, mec="white", label="global minimum (1, 0)")
    ax.plot([], [], color=style.GOOD, label="start reaches the minimum")
    ax.plot([], [], color=style.STUCK, label="start gets stuck")
    ax.plot([], [], color=style.PALETTE["yellow"], label=f"near-flat: |∇L| < 1e-3 ({d['flat_fraction']:.1%} of box)")
    ax.set(xlabel="weight w", ylabel="bias b", title="relu(w x + b) against relu(x): SGD (lr 0.1) from a grid of starts",
           xlim=(d["w"].min(), d["w"].max()), ylim=(d["b"].min(), d["b"].max()))
    ax.legend(loc="upper left", fontsize=8, framealpha=0.9)
    return fig, ax


def main(out, quick=False, seed=0):
    settings = {"seed": seed, "quick": quick, "optimizer": "sgd", "lr": 0.1, "steps": 2000, "batch": 1000}
    fig, _ = plot(cached(out, NAME, settings, lambda: compute(seed, quick)))
    return save(fig, out, NAME, settings, svg=False)
