"""Figure 3: L(w) of the no-bias problem, its kink, one-sided slopes, a chord, the minibatch band (A1-A4, C2)."""
from __future__ import annotations

import jax
import jax.numpy as jnp
import matplotlib.pyplot as plt
import numpy as np

import analysis as A
import landscape as L

from . import style
from ._common import cached, save

NAME = "kink"


def compute(seed, quick):
    p = L.Problem()
    ws = np.linspace(-2, 2, 401)
    exact = np.asarray(L.population_loss(p, {"w": jnp.asarray(ws, jnp.float64)}))
    nb = 50 if quick else 400
    xs = L.sample_inputs(p, jax.random.key(seed), (nb, 1000), jnp.float64)
    bl = jax.vmap(lambda x: jax.vmap(lambda w: L.batch_loss(p, {"w": w}, x))(jnp.asarray(ws)))(xs)
    lo, hi = np.percentile(np.asarray(bl), [2.5, 97.5], axis=0)
    d = A.one_sided_derivatives(p, {"w": 0.0}, {"w": 1.0})
    c = A.convexity_certificate(p, {"w": (-1.0, 1.0)})
    return {"w": ws, "exact": exact, "band_lo": lo, "band_hi": hi, "left": d["left"], "right": d["right"],
            "chord": np.asarray([c.a["w"], c.b["w"], c.loss_a, c.loss_b, c.mid["w"], c.loss_mid, c.gap])}


def plot(d):
    style.apply()
    fig, ax = plt.subplots(figsize=(7, 4.3))
    w = d["w"]
    ax.fill_between(w, d["band_lo"], d["band_hi"], color=style.PALETTE["sky"], alpha=0.35, lw=0,
                    label="95% band of the minibatch loss (batch 1000)")
    ax.plot(w, d["exact"], color=style.PALETTE["black"], lw=2, label="exact L(w): w²/2 + 1/2 | (w - 1)²/2")
    t = np.linspace(-0.6, 0.6, 3)
    ax.plot(t[t <= 0], 0.5 + float(d["left"]) * t[t <= 0], color=style.PALETTE["green"], lw=2, ls="--",
            label=f"left slope at 0: {round(float(d['left']), 9) + 0.0:g}")
    ax.plot(t[t >= 0], 0.5 + float(d["right"]) * t[t >= 0], color=style.PALETTE["orange"], lw=2, ls="--",
            label=f"right slope at 0: {round(float(d['right']), 9) + 0.0:g}")
    a, b, la, lb, m, lm, gap = d["chord"]
    ax.plot([a, b], [la, lb], color=style.PALETTE["purple"], lw=1.8, marker="o", label=f"chord below the graph (gap {gap:.3g} at w = {m:.2g})")
    ax.annotate("", xy=(m, lm), xytext=(m, la + (lb - la) * (m - a) / (b - a)),
                arrowprops=dict(arrowstyle="<->", color=style.PALETTE["purple"]))
    ax.set(xlabel="weight w", ylabel="loss", title="The no-bias loss: a kink at w = 0, flat to its left", ylim=(0, 2.6))
    ax.legend(loc="upper center")
    return fig, ax


def main(out, quick=False, seed=0):
    settings = {"seed": seed, "quick": quick, "batches": 50 if quick else 400, "batch": 1000}
    fig, _ = plot(cached(out, NAME, settings, lambda: compute(seed, quick)))
    return save(fig, out, NAME, settings)
