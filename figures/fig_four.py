"""Figure 9: the four-parameter model a*relu(w x + b) + c from the four sign quadrants of (w, a) (Q5, A10)."""
from __future__ import annotations

import jax
import jax.numpy as jnp
import matplotlib.pyplot as plt
import numpy as np

import analysis as A
import landscape as L

from . import style
from ._common import cached, save

NAME = "four_parameter"
QUADS = [(1, 1), (-1, 1), (1, -1), (-1, -1)]


def compute(seed, quick):
    p = L.Problem(trained=("w", "b", "a", "c"))
    n = 32 if quick else 128
    rng = np.random.default_rng(seed)
    out = {"x": np.linspace(-3, 3, 121)}
    for q, (sw, sa) in enumerate(QUADS):
        init = {"w": sw * rng.uniform(0.2, 2, n), "b": rng.uniform(-1, 1, n), "a": sa * rng.uniform(0.2, 2, n), "c": rng.uniform(-0.5, 0.5, n)}
        t = L.train(p, {k: jnp.asarray(v) for k, v in init.items()}, optimizer=L.optimizer("sgd", learning_rate=0.05),
                    steps=4000, gradient="population", record_every=4000, key=jax.random.key(seed))
        b = A.classify(p, t.final, diverged=t.diverged)
        f = np.asarray(L.predict(p, {k: v[:, None] for k, v in t.final.items()}, jnp.asarray(out["x"])[None, :]))
        out[f"f{q}"] = f
        out[f"labels{q}"] = b.labels
    return out


def plot(d):
    style.apply()
    fig, axes = plt.subplots(1, 4, figsize=(13, 3.6), sharey=True)
    x = d["x"]
    for q, (ax, (sw, sa)) in enumerate(zip(axes, QUADS)):
        lab = d[f"labels{q}"]
        for i in range(min(40, lab.size)):
            c = style.GOOD if lab[i] == 0 else style.STUCK
            ax.plot(x, d[f"f{q}"][i], color=c, alpha=0.35, lw=1)
        ax.plot(x, np.maximum(x, 0), color="black", lw=2, ls="--", label="target relu(x)")
        ok = np.mean(lab == 0)
        sign = lambda s: "+" if s > 0 else "−"
        ax.set(title=f"start w{sign(sw)}, a{sign(sa)}: {ok:.0%} reach it\n({np.sum(lab == 0)} of {lab.size})", xlabel="x", ylim=(-2, 3.2))
    axes[0].set_ylabel("learned a·relu(w x + b) + c")
    axes[0].legend(loc="upper left")
    fig.suptitle("One flip (of w or of a) can be learned, both cannot: exact-gradient SGD, lr 0.05, 4000 steps")
    return fig, axes


def main(out, quick=False, seed=0):
    settings = {"seed": seed, "quick": quick, "starts_per_quadrant": 32 if quick else 128, "lr": 0.05, "steps": 4000}
    fig, _ = plot(cached(out, NAME, settings, lambda: compute(seed, quick)))
    return save(fig, out, NAME, settings, svg=False)
