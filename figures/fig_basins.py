"""Figure 5: basin maps of (w, b) starts for SGD, momentum, Adam and AMSGrad (Q4, A5, A8)."""
from __future__ import annotations

import jax
import jax.numpy as jnp
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap

import analysis as A
import landscape as L

from . import style
from ._common import cached, save

NAME = "basins"
RUNS = [("sgd", {"learning_rate": 0.1}), ("momentum", {"learning_rate": 0.1, "momentum": 0.9}),
        ("adam", {"learning_rate": 0.01}), ("amsgrad", {"learning_rate": 0.01})]


def compute(seed, quick):
    p = L.Problem(trained=("w", "b"))
    n = 64 if quick else 256
    g = np.linspace(-3, 3, n, dtype=np.float32)
    W, B = np.meshgrid(g, g, indexing="ij")
    out = {"axis": g}
    for name, hp in RUNS:
        t = L.train(p, {"w": jnp.asarray(W.ravel()), "b": jnp.asarray(B.ravel())}, optimizer=L.optimizer(name, **hp),
                    steps=2000, batch_size=1000, record_every=2000, key=jax.random.key(seed))
        b = A.classify(p, {k: jnp.asarray(v, jnp.float64) for k, v in t.final.items()}, diverged=t.diverged)
        out[name] = b.labels.reshape(n, n)
    return out


def plot(d):
    style.apply()
    fig, axes = plt.subplots(2, 2, figsize=(9, 8.4), sharex=True, sharey=True)
    cmap = ListedColormap([style.BASIN_COLORS[b] for b in A.BASINS])
    g = d["axis"]
    for ax, (name, hp) in zip(axes.ravel(), RUNS):
        lab = d[name]
        ax.imshow(lab.T, origin="lower", extent=(g[0], g[-1], g[0], g[-1]), cmap=cmap, vmin=-0.5, vmax=len(A.BASINS) - 0.5,
                  interpolation="nearest", aspect="auto")
        fr = {b: np.mean(lab == i) for i, b in enumerate(A.BASINS)}
        hps = ", ".join(f"{k.replace('learning_rate', 'lr')} {v:g}" for k, v in hp.items())
        ax.set_title(f"{name} ({hps})\nmin {fr['global_min']:.0%} · dead {fr['dead']:.0%} · moving {fr['moving']:.0%}"
                     + (f" · diverged {fr['diverged']:.0%}" if fr["diverged"] else ""), fontsize=10)
        ax.grid(False)
    for ax in axes[1]:
        ax.set_xlabel("initial w")
    for ax in axes[:, 0]:
        ax.set_ylabel("initial b")
    handles = [plt.Rectangle((0, 0), 1, 1, color=style.BASIN_COLORS[b]) for b in A.BASINS]
    fig.legend(handles, [b.replace("_", " ") for b in A.BASINS], loc="outside lower center", ncol=5)
    fig.suptitle(f"Where {len(g)}×{len(g)} starts end after 2000 minibatch steps (batch 1000)")
    return fig, axes


def main(out, quick=False, seed=0):
    settings = {"seed": seed, "quick": quick, "runs": RUNS, "steps": 2000, "batch": 1000, "dtype": "float32"}
    fig, _ = plot(cached(out, NAME, settings, lambda: compute(seed, quick)))
    return save(fig, out, NAME, settings, svg=False)
