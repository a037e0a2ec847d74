"""Figure 15: animations: the student's function over training from a good and a backwards start, and SGD
crawling over the (w, b) contours: experiment ``animations``.

Every animation is at least 600 pixels wide with at least 40 frames, and uses
the figures' colours: blue reaches the minimum, vermillion gets stuck.
"""

from __future__ import annotations

import io
import os

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import LogNorm

from analysis import BASINS
from landscape.io import provenance, write_atomic, write_json

from . import style
from .common import data

NAME = "animations"
DPI = 100
WIDTH_IN = 6.4  # 640 pixels


def _gif(fig, update, frames, out, name, fps=10):
    """Render ``frames`` frames to a GIF with one shared palette, written atomically.

    ``update(i)`` changes the animated artists and returns them; the rest of
    the figure is drawn once and restored under every frame.
    """
    from PIL import Image

    fig.set_dpi(DPI)
    artists = update(0)
    for a in artists:
        a.set_animated(True)
    fig.canvas.draw()
    background = fig.canvas.copy_from_bbox(fig.bbox)
    images = []
    for i in range(frames):
        fig.canvas.restore_region(background)
        for a in update(i):
            fig.draw_artist(a)
        images.append(Image.fromarray(np.asarray(fig.canvas.buffer_rgba())[..., :3].copy()))
    plt.close(fig)
    palette = images[len(images) // 2].quantize(colors=255, method=Image.Quantize.MEDIANCUT)
    frames_p = [im.quantize(palette=palette, dither=Image.Dither.NONE) for im in images]
    buf = io.BytesIO()
    frames_p[0].save(buf, format="GIF", save_all=True, append_images=frames_p[1:], duration=int(1000 / fps), loop=0)
    write_atomic(os.path.join(out, f"{name}.gif"), buf.getvalue())


def plot_function(d, s, title, ax=None):
    """The student relu(w x) against relu(x) at the first record; returns (fig, ax, update)."""
    style.apply()
    if ax is None:
        fig, ax = plt.subplots(figsize=(WIDTH_IN, 4.2))
    fig = ax.figure
    x = np.linspace(-3, 3, 200)
    color = style.GOOD if d["w"][-1, s] > 0.5 else style.STUCK
    ax.plot(x, np.maximum(x, 0), "k--", lw=2, label="target relu(x)")
    (line,) = ax.plot(x, np.maximum(d["w"][0, s] * x, 0), color=color, lw=2.5, label="student relu(w x)")
    txt = ax.set_title("")
    ax.set(xlim=(-3, 3), ylim=(-0.5, 3.5), xlabel="x", ylabel="output")
    ax.legend(loc="upper left", fontsize=9)
    rows = np.linspace(0, d["w"].shape[0] - 1, int(d["frames"])).astype(int)

    def update(i):
        k = rows[i]
        line.set_ydata(np.maximum(d["w"][k, s] * x, 0))
        txt.set_text(f"{title}: step {int(d['steps'][k])}, w = {d['w'][k, s]:.3f}, L = {d['loss'][k, s]:.3f}")
        return [line, txt]

    return fig, ax, update


def plot_crawl(d, ax=None):
    """Trajectories over the (w, b) contours, coloured by where they end; returns (fig, ax, update)."""
    style.apply()
    if ax is None:
        fig, ax = plt.subplots(figsize=(WIDTH_IN, 5.6))
    fig = ax.figure
    g = d["axis"]
    W, B = np.meshgrid(g, g, indexing="ij")
    ax.contourf(
        W,
        B,
        np.maximum(d["grid_loss"], 1e-6),
        levels=np.geomspace(1e-6, d["grid_loss"].max(), 20),
        norm=LogNorm(),
        cmap="cividis",
    )
    style.dead_set(ax, g, g, d["dead_set"], alpha=0.6, label="dead set")
    colors = [style.BASIN_COLORS[BASINS[lab]] for lab in d["labels"]]
    lines = [ax.plot([], [], color=c, lw=2)[0] for c in colors]
    dots = [ax.plot([], [], "o", color=c, ms=7, mec="white")[0] for c in colors]
    ax.plot([1], [0], "*", color=style.PALETTE["green"], ms=16, mec="white", label="global minimum")
    ax.set(xlabel="w", ylabel="b", xlim=(-3, 3), ylim=(-3, 3))
    txt = ax.set_title("")
    ax.legend(loc="upper left", fontsize=9)
    rows = np.linspace(0, d["tw"].shape[0] - 1, int(d["frames"])).astype(int)

    def update(i):
        k = rows[i]
        for j in range(len(lines)):
            lines[j].set_data(d["tw"][: k + 1, j], d["tb"][: k + 1, j])
            dots[j].set_data([d["tw"][k, j]], [d["tb"][k, j]])
        txt.set_text(f"SGD (lr {float(d['wb_lr']):g}) over the (w, b) loss: step {int(d['wb_steps'][k])}")
        return lines + dots + [txt]

    return fig, ax, update


def plot(d, ax=None):
    """The first frame of the crawl (a still)."""
    fig, ax, update = plot_crawl(d, ax)
    update(0)
    return fig, ax


def main(out, quick=False, seed=0):
    r = data(NAME, quick, seed=seed)
    d = r.data
    paths = []
    frames = int(d["frames"])
    w0 = [float(v) for v in d["w0"]]
    for s, name, title in (
        (0, "anim_good_start", f"good start w0 = {w0[0]:g}"),
        (1, "anim_backwards_start", f"backwards start w0 = {w0[1]:g}"),
    ):
        fig, _, update = plot_function(d, s, title)
        _gif(fig, update, frames, out, name)
        paths.append(os.path.join(out, f"{name}.gif"))
    fig, _, update = plot_crawl(d)
    _gif(fig, update, frames, out, "anim_wb_crawl")
    paths.append(os.path.join(out, "anim_wb_crawl.gif"))
    for p in paths:
        write_json(
            p[:-4] + ".json",
            {
                "figure": os.path.basename(p)[:-4],
                "settings": r.settings,
                "shown": {"frames": frames, "width_px": int(WIDTH_IN * DPI)},
                "provenance": provenance(),
            },
        )
    return paths
