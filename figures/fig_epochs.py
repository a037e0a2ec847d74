"""Figures 1-2: loss and weight per epoch from a good start and from the backwards start (Q1, Q2)."""
from __future__ import annotations

import jax
import jax.numpy as jnp
import matplotlib.pyplot as plt
import numpy as np

import landscape as L

from . import style
from ._common import cached, save


def compute(w0, seed, quick):
    seeds = 4 if quick else 16
    p = L.Problem()
    t = L.train(p, {"w": jnp.full((seeds,), w0, jnp.float32)}, optimizer=L.optimizer("sgd", learning_rate=0.01),
                steps=2000, batch_size=1000, key=jax.random.key(seed), record_every=100, streams="independent")
    return {"epoch": np.arange(1, 21), "w": np.asarray(t.params["w"][1:]), "loss": np.asarray(t.batch_loss),
            "exact": np.asarray(t.population_loss[1:]), "dead_level": np.float64(0.5)}


def plot(d, w0):
    style.apply()
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(9, 3.6))
    e = d["epoch"]
    for i in range(d["w"].shape[1]):
        a1.semilogy(e, np.maximum(d["loss"][:, i], 1e-20), color=style.PALETTE["blue"], alpha=0.35, lw=1)
        a2.plot(e, d["w"][:, i], color=style.PALETTE["blue"], alpha=0.35, lw=1)
    a1.semilogy(e, np.maximum(d["exact"][:, 0], 1e-20), color=style.PALETTE["black"], lw=2, label="exact population loss")
    a1.axhline(float(d["dead_level"]), color=style.STUCK, ls="--", lw=1.2, label="dead level L(0) = 1/2")
    a1.set(xlabel="epoch (100 steps of SGD, lr 0.01, batch 1000)", ylabel="loss (MSE)", title=f"loss per epoch, w0 = {w0:g}")
    a1.legend()
    a2.axhline(1.0, color=style.PALETTE["green"], ls=":", lw=1.5, label="optimum w = 1")
    a2.axhline(0.0, color=style.STUCK, ls="--", lw=1.2, label="kink w = 0")
    a2.set(xlabel="epoch", ylabel="weight w", title=f"weight per epoch, w0 = {w0:g}")
    a2.legend()
    return fig, (a1, a2)


def _make(name, w0):
    def main(out, quick=False, seed=0):
        settings = {"w0": w0, "seed": seed, "quick": quick, "optimizer": "sgd", "lr": 0.01, "batch": 1000, "steps": 2000,
                    "dtype": "float32"}
        d = cached(out, name, settings, lambda: compute(w0, seed, quick))
        fig, _ = plot(d, w0)
        return save(fig, out, name, settings)

    return main


main_good = _make("good_start", 2.0)
main_backwards = _make("backwards_start", -10.0)
