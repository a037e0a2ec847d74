"""Figures 6-7: activations and optimizers from the backwards start (C1, A6, A8, A9, A11)."""
from __future__ import annotations

import jax
import jax.numpy as jnp
import matplotlib.pyplot as plt
import numpy as np

import analysis as A
import landscape as L

from . import style
from ._common import cached, save

ACTS = ["relu", ("leaky_relu", {"slope": 0.3}), "elu", "selu", "softplus"]
OPTS = [("sgd", {"learning_rate": 0.01}), ("momentum", {"learning_rate": 0.01, "momentum": 0.9}),
        ("adam", {"learning_rate": 0.01}), ("adam_keras", {"learning_rate": 0.01}),
        ("amsgrad", {"learning_rate": 0.01}), ("amsgrad_keras", {"learning_rate": 0.01})]


def _run(problem, w0, opt, seed, steps=2000):
    t = L.train(problem, {"w": jnp.asarray([w0], jnp.float64)}, optimizer=opt, steps=steps, record_every=100,
                key=jax.random.key(seed))
    return np.asarray(t.params["w"][:, 0])


def compute_acts(seed, quick):
    out = {}
    for i, act in enumerate(ACTS):
        p = L.Problem(student=act)
        out[f"w{i}"] = _run(p, -10.0, L.optimizer("sgd", learning_rate=0.01), seed)
        out[f"opt{i}"] = np.float64(A.global_minimum(p)[1]["w"])
    return out


def plot_acts(d):
    style.apply()
    fig, ax = plt.subplots(figsize=(7.5, 4.3))
    e = np.arange(21)
    for i, act in enumerate(ACTS):
        label = L.resolve_activation(act).label
        line, = ax.plot(e, d[f"w{i}"], lw=2, label=label)
        ax.axhline(float(d[f"opt{i}"]), color=line.get_color(), ls=":", lw=1.2)
        ax.plot([20.4], [float(d[f"opt{i}"])], "<", color=line.get_color(), ms=8)
    ax.set(xlabel="epoch (100 SGD steps, lr 0.01, batch 1000)", ylabel="weight w",
           title="From w0 = -10: each student's weight (dotted: its optimum)", ylim=(-10.5, 2))
    ax.legend(ncol=2, loc="lower right")
    inset = ax.inset_axes([0.42, 0.33, 0.55, 0.4])  # the end game, where the students part ways
    for i in range(len(ACTS)):
        line, = inset.plot(e, d[f"w{i}"], lw=2)
        inset.axhline(float(d[f"opt{i}"]), color=line.get_color(), ls=":", lw=1.2)
    inset.set(xlim=(4, 20.5), ylim=(-0.15, 1.1), title="epochs 4-20", xlabel="epoch")
    inset.title.set_fontsize(9)
    return fig, ax


def compute_opts(seed, quick):
    out = {}
    for w0 in (-10.0, -1.0):
        for name, hp in OPTS:
            out[f"{w0:g}_{name}"] = _run(L.Problem(), w0, L.optimizer(name, **hp), seed)
    return out


def plot_opts(d):
    style.apply()
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.2))
    e = np.arange(21)
    for ax, w0 in zip(axes, (-10.0, -1.0)):
        for (name, hp), ls in zip(OPTS, ["-", "-", "-", "--", "-", "--"]):
            hps = ", ".join(f"{k.replace('learning_rate', 'lr')} {v:g}" for k, v in hp.items())
            ax.plot(e, d[f"{w0:g}_{name}"], ls=ls, lw=1.8, label=f"{name} ({hps})")
        ax.axhline(0, color="gray", lw=0.8)
        ax.set(xlabel="epoch (100 steps, batch 1000)", ylabel="weight w", title=f"w0 = {w0:g}")
    axes[0].set_ylim(-10.5, 2.5)
    axes[1].legend(fontsize=8)
    fig.suptitle("Optimizers from a backwards start (Optax definitions solid, Keras dashed)")
    return fig, axes


def main_acts(out, quick=False, seed=0):
    settings = {"seed": seed, "quick": quick, "activations": [L.resolve_activation(a).label for a in ACTS], "lr": 0.01}
    fig, _ = plot_acts(cached(out, "activations", settings, lambda: compute_acts(seed, quick)))
    return save(fig, out, "activations", settings)


def main_opts(out, quick=False, seed=0):
    settings = {"seed": seed, "quick": quick, "optimizers": OPTS}
    fig, _ = plot_opts(cached(out, "optimizers", settings, lambda: compute_opts(seed, quick)))
    return save(fig, out, "optimizers", settings)
