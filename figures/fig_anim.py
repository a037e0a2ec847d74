"""Figure 11: animations: the student's function over training (good and backwards start), and a crawl over (w, b)."""
from __future__ import annotations

import os

import jax
import jax.numpy as jnp
import matplotlib.pyplot as plt
import numpy as np
from matplotlib import animation
from matplotlib.colors import LogNorm

import landscape as L
from landscape.io import write_atomic

from . import style
from ._common import cached

FRAMES = 41


def _gif(fig, update, frames, out, name, fps=8):
    """Render an animation to GIF bytes in memory, then write it atomically."""
    import tempfile

    anim = animation.FuncAnimation(fig, update, frames=frames, blit=False)
    with tempfile.TemporaryDirectory() as tmp:
        p = os.path.join(tmp, "a.gif")
        anim.save(p, writer=animation.PillowWriter(fps=fps), dpi=70)
        with open(p, "rb") as fh:
            write_atomic(os.path.join(out, f"{name}.gif"), fh.read())
    plt.close(fig)


def compute(seed, quick):
    p = L.Problem()
    t = L.train(p, {"w": jnp.asarray([2.0, -10.0], jnp.float32)}, optimizer=L.optimizer("sgd", learning_rate=0.01), steps=2000,
                record_every=50, key=jax.random.key(seed))
    pb = L.Problem(trained=("w", "b"))
    tb = L.train(pb, {"w": jnp.asarray([-1.5, 0.8]), "b": jnp.asarray([1.5, -1.0])}, optimizer=L.optimizer("sgd", learning_rate=0.1),
                 steps=2000, record_every=50, key=jax.random.key(seed))
    ax = np.linspace(-3, 3, 121 if quick else 241)
    r = L.grid(pb, {"w": jnp.asarray(ax), "b": jnp.asarray(ax)})
    return {"w": np.asarray(t.params["w"]), "loss": np.asarray(t.population_loss), "tw": np.asarray(tb.params["w"]),
            "tb": np.asarray(tb.params["b"]), "axis": ax, "grid_loss": np.asarray(r.loss)}


def main(out, quick=False, seed=0):
    settings = {"seed": seed, "quick": quick, "frames": FRAMES}
    d = cached(out, "animations", settings, lambda: compute(seed, quick))
    style.apply()
    x = np.linspace(-3, 3, 200)
    paths = []
    for s, name, title in ((0, "anim_good_start", "good start w0 = 2"), (1, "anim_backwards_start", "backwards start w0 = -10")):
        fig, ax = plt.subplots(figsize=(4.6, 3.4))
        ax.plot(x, np.maximum(x, 0), "k--", lw=2, label="target relu(x)")
        line, = ax.plot(x, np.maximum(d["w"][0, s] * x, 0), color=style.GOOD if s == 0 else style.STUCK, lw=2.5, label="student relu(w x)")
        txt = ax.set_title("")
        ax.set(xlim=(-3, 3), ylim=(-0.5, 3.5), xlabel="x", ylabel="output")
        ax.legend(loc="upper left", fontsize=8)
        steps = np.linspace(0, d["w"].shape[0] - 1, FRAMES).astype(int)

        def upd(i, s=s, line=line, txt=txt):
            k = steps[i]
            line.set_ydata(np.maximum(d["w"][k, s] * x, 0))
            txt.set_text(f"{title}: step {k * 50}, w = {d['w'][k, s]:.3f}, L = {d['loss'][k, s]:.3f}")
            txt.set_fontsize(8)
            return line, txt

        _gif(fig, upd, FRAMES, out, name)
        paths.append(os.path.join(out, f"{name}.gif"))
    fig, ax = plt.subplots(figsize=(4.8, 4.2))
    g = d["axis"]
    W, B = np.meshgrid(g, g, indexing="ij")
    ax.contourf(W, B, np.maximum(d["grid_loss"], 1e-6), levels=np.geomspace(1e-6, d["grid_loss"].max(), 20), norm=LogNorm(), cmap="cividis")
    ax.plot([0, 0], [-3, 0], color=style.PALETTE["vermillion"], lw=3)
    lines = [ax.plot([], [], color=c, lw=2)[0] for c in (style.STUCK, style.GOOD)]
    dots = [ax.plot([], [], "o", color=c, ms=7, mec="white")[0] for c in (style.STUCK, style.GOOD)]
    ax.set(xlabel="w", ylabel="b", title="SGD crawling over the (w, b) loss", xlim=(-3, 3), ylim=(-3, 3))
    steps = np.linspace(0, d["tw"].shape[0] - 1, FRAMES).astype(int)

    def upd2(i):
        k = steps[i]
        for j in range(2):
            lines[j].set_data(d["tw"][: k + 1, j], d["tb"][: k + 1, j])
            dots[j].set_data([d["tw"][k, j]], [d["tb"][k, j]])
        return lines + dots

    _gif(fig, upd2, FRAMES, out, "anim_wb_crawl")
    paths.append(os.path.join(out, "anim_wb_crawl.gif"))
    from landscape.io import provenance, write_json

    for p in paths:
        write_json(p[:-4] + ".json", {"figure": os.path.basename(p)[:-4], "settings": settings, "provenance": provenance()})
    return paths
