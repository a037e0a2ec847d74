"""Plotting helpers for the instruments' results: the same functions the package's own figures draw with.

Contract
--------
Each helper takes a result as the library returns it and an optional
Matplotlib axes, draws, and returns ``(fig, ax)``; none saves (a figure's
``main`` does, through :func:`figures.common.save`). With ``ax=None`` a new
figure is made in the package's style (:func:`figures.style.apply`).

* :func:`plot_slice`: a 2-D slice (:func:`analysis.instruments.slice2d`,
  a ``landscape.GridResult`` with two axes, or a dict with ``alpha``, ``beta``
  and ``loss``) as filled contours on a log colour scale (``kind="contour"``)
  or as a 3-D surface of the loss's logarithm (``kind="surface"``), its centre
  starred.
* :func:`plot_path`: the loss along a path (:class:`analysis.paths.Path`, an
  :class:`analysis.instruments.Interpolation`, or a dict with ``t`` and
  ``loss``), its highest point marked with the barrier, the straight line's
  beside it when the path carries one, and a band's images as dots.
* :func:`plot_spectrum`: a Hessian eigenvalue density
  (:func:`analysis.instruments.spectral_density`), with the top eigenvalues
  (:func:`analysis.instruments.hessian_top`) and a dense spectrum as ticks
  when given.
* :func:`plot_trajectory_plane`: a trajectory in its principal plane
  (:func:`analysis.instruments.trajectory_plane`), over the loss on that
  plane when given, start and end marked.

Losses that are not finite are never drawn as values: they are masked (a
blank) and the count is said in the title.
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import LogNorm
from matplotlib.ticker import FuncFormatter, LogLocator

from . import style

__all__ = ["KINDS", "log_colorbar", "plot_path", "plot_slice", "plot_spectrum", "plot_trajectory_plane"]

KINDS = ("contour", "surface")


def _axes(ax, figsize, projection=None):
    if ax is None:
        style.apply()
        fig = plt.figure(figsize=figsize)
        ax = fig.add_subplot(projection=projection)
    return ax.figure, ax


def _slice_arrays(result):
    """``(x, y, z)`` of a 2-D slice: a GridResult with two axes or a mapping with alpha, beta and loss."""
    if isinstance(result, Mapping):
        missing = [k for k in ("alpha", "beta", "loss") if k not in result]
        if missing:
            raise ValueError(f"a slice given as a dict needs 'alpha', 'beta' and 'loss'; missing {missing}")
        x, y, z = result["alpha"], result["beta"], result["loss"]
    else:
        axes = getattr(result, "axes", None)
        z = getattr(result, "loss", None)
        if not isinstance(axes, Mapping) or len(axes) != 2 or z is None:
            raise TypeError(
                "plot_slice needs a 2-D slice: the GridResult of analysis.instruments.slice2d with two axes and "
                f"the loss, or a dict with alpha, beta and loss; got {type(result).__name__}"
            )
        x, y = axes.values()
    x, y, z = np.asarray(x, np.float64), np.asarray(y, np.float64), np.asarray(z, np.float64)
    if z.shape != (x.size, y.size):
        raise ValueError(f"the loss has shape {z.shape}; the axes need ({x.size}, {y.size})")
    return x, y, z


def log_colorbar(fig, cs, ax):
    """A log colour bar whose labels show distinct values: decades over a wide range, 1-2-5 over a narrow one."""
    decades = np.log10(cs.levels[-1] / cs.levels[0])
    subs = (1.0,) if decades > 2.5 else (1.0, 2.0, 5.0)
    return fig.colorbar(
        cs, ax=ax, shrink=0.8, ticks=LogLocator(subs=subs), format=FuncFormatter(lambda v, _: f"{v:.3g}")
    )


def plot_slice(result, ax=None, kind="contour", *, levels=None, colorbar=True, centre=True, title=None):
    """A 2-D slice of the loss around a point.

    Args:
      result: the ``GridResult`` of :func:`analysis.instruments.slice2d` (two
        axes) or a dict with ``alpha`` ``(n1,)``, ``beta`` ``(n2,)`` and
        ``loss`` ``(n1, n2)``.
      ax: the axes to draw on (for ``kind="surface"``, a 3-D axes); default a new figure.
      kind: ``"contour"`` (filled contours, log colour scale) or ``"surface"``
        (the surface of ``log10`` of the loss).
      levels: the contour levels (default 16 geometric levels from the
        smallest positive loss to the largest).
      colorbar: whether to draw the colour bar (contours only).
      centre: whether to star the slice's centre (0, 0).
      title: the axes' title.

    Returns:
      ``(fig, ax)``.

    Raises:
      ValueError: an unknown kind, a loss whose shape is not the axes', or
        a slice without a finite positive value; TypeError: a result that is
        not a 2-D slice, or a surface asked on 2-D axes.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    x, y, z = _slice_arrays(result)
    good = np.isfinite(z) & (z > 0)
    if not good.any():
        raise ValueError("the slice has no finite positive loss to draw on a log scale")
    bad = int(np.sum(~np.isfinite(z)))
    floor = max(float(np.min(z[good])), 1e-300)
    top = max(float(np.max(z[good])), floor * 10)
    zz = np.where(np.isfinite(z), z, np.nan)
    if kind == "surface":
        fig, ax = _axes(ax, (6.4, 5.2), projection="3d")
        if getattr(ax, "name", "") != "3d":
            raise TypeError("kind='surface' needs a 3-D axes (fig.add_subplot(projection='3d'))")
        A_, B_ = np.meshgrid(x, y, indexing="ij")
        logz = np.log10(np.clip(zz, floor, None))
        ax.plot_surface(A_, B_, logz, cmap="viridis", linewidth=0, antialiased=True, rstride=1, cstride=1)  # type: ignore[attr-defined]
        ax.set_zlabel("log10 loss")  # type: ignore[attr-defined]
        if centre:
            ci, cj = int(np.argmin(np.abs(x))), int(np.argmin(np.abs(y)))
            ax.scatter([x[ci]], [y[cj]], [logz[ci, cj]], marker="*", s=120, color="white", edgecolors="black")  # pyright: ignore[reportCallIssue]
    else:
        fig, ax = _axes(ax, (5.6, 4.6))
        levels = levels if levels is not None else np.geomspace(floor, top, 16)
        cs = ax.contourf(x, y, np.clip(zz, levels[0], None).T, levels=levels, norm=LogNorm(), cmap="viridis")
        if colorbar:
            log_colorbar(fig, cs, ax)
        if centre:
            ax.plot(0, 0, "*", color="white", ms=11, mec="black")
        ax.set(aspect="equal")
    ax.set(xlabel="α (direction 1)", ylabel="β (direction 2)")
    if title is not None or bad:
        ax.set_title((title or "") + (f"\n({bad} points not finite, blank)" if bad else ""))
    return fig, ax


def _path_arrays(path):
    if isinstance(path, Mapping):
        if "t" not in path or "loss" not in path:
            raise ValueError("a path given as a dict needs 't' and 'loss'")
        get = path.get
    else:
        if not hasattr(path, "t") or not hasattr(path, "loss"):
            raise TypeError(f"plot_path needs a path with t and loss, got {type(path).__name__}")
        get = lambda k, d=None: getattr(path, k, d)
    return get


def plot_path(path, ax=None, *, label=None, color=None, straight=True, images=True):
    """The loss along a path, its highest point marked with the barrier, the straight line's beside it.

    Args:
      path: an :class:`analysis.paths.Path`, an
        :class:`analysis.instruments.Interpolation`, or a dict with ``t``,
        ``loss`` and optionally ``barrier``, ``argmax``, ``top_loss``.
      ax: the axes; default a new figure.
      label: the line's label (default: the method's name).
      color: the line's colour.
      straight: draw the path's straight line (when it carries one).
      images: draw a band's images as dots (when it has them).

    Returns:
      ``(fig, ax)``.
    """
    get = _path_arrays(path)
    fig, ax = _axes(ax, (6.0, 3.8))
    t, loss = np.asarray(get("t"), np.float64), np.asarray(get("loss"), np.float64)
    method = get("method", None) or "path"
    color = color or style.PALETTE["blue"]
    ok = np.isfinite(loss)
    ax.plot(t[ok], loss[ok], color=color, lw=2, label=label or method)
    barrier, where = get("barrier", None), get("argmax", None)
    if barrier is not None and where is not None:
        height = get("top_loss", None)
        height = float(np.interp(where, t[ok], loss[ok])) if height is None else float(height)
        ax.plot([where], [height], "o", color=color, ms=7, mec="black", label=f"highest: barrier {barrier:.3g}")
    extra = get("extra", None) or {}
    if images and "image_t" in extra:
        ax.plot(extra["image_t"], extra["image_loss"], ".", color=color, ms=7)
    line = get("straight", None)
    if straight and line is not None:
        ax.plot(line.t, line.loss, color=style.PALETTE["black"], lw=1.3, ls="--", label="straight line")
        if line.barrier is not None and line.argmax is not None:
            ax.plot(
                [line.argmax],
                [line.top_loss],
                "o",
                color=style.PALETTE["black"],
                mfc="white",
                ms=7,
                label=f"straight line's highest: barrier {line.barrier:.3g}",
            )
    if not ok.all():
        ax.set_title(f"{int((~ok).sum())} samples not finite (not drawn)")
    ax.set(xlabel="t (0: first point, 1: second)", ylabel="loss")
    ax.legend(fontsize=8)
    return fig, ax


def plot_spectrum(density, ax=None, *, index=0, top=None, dense=None, label=None, color=None):
    """A Hessian eigenvalue density, with the top eigenvalues and a dense spectrum as ticks below it.

    Args:
      density: the dict of :func:`analysis.instruments.spectral_density`.
      ax: the axes; default a new figure.
      index: which of its points to draw.
      top: optional dict of :func:`analysis.instruments.hessian_top` (the
        same points): its eigenvalues as ticks.
      dense: optional eigenvalues of the dense Hessian (``landscape.dense_spectrum``) as ticks.
      label, color: the line's label and colour.

    Returns:
      ``(fig, ax)``.

    Raises:
      ValueError: a density without its ``grid`` and ``density``, or an index out of range.
    """
    if not isinstance(density, Mapping) or "grid" not in density or "density" not in density:
        raise ValueError("plot_spectrum needs the dict of analysis.instruments.spectral_density (grid, density)")
    dens = np.atleast_2d(np.asarray(density["density"], np.float64))
    if not 0 <= index < dens.shape[0]:
        raise ValueError(f"index must be in [0, {dens.shape[0]}), got {index!r}")
    fig, ax = _axes(ax, (6.0, 3.8))
    color = color or style.PALETTE["blue"]
    y = dens[index]
    ax.plot(density["grid"], y, color=color, lw=1.8, label=label or f"density (σ = {float(density['sigma']):.2g})")
    peak = float(np.max(y)) if y.size and np.isfinite(y).any() else 1.0
    if top is not None:
        ev = np.asarray(top["eigenvalues"], np.float64)[index]
        ev = ev[np.isfinite(ev)]
        ax.plot(ev, np.full(ev.size, -0.05 * peak), "|", color=style.PALETTE["vermillion"], ms=12, mew=1.5,
                label=f"top {ev.size} (block Lanczos)")  # fmt: skip
    if dense is not None:
        d = np.asarray(dense, np.float64)
        ax.plot(d, np.full(d.size, -0.1 * peak), "|", color=style.PALETTE["black"], ms=8, mew=0.8,
                label="dense eigenvalues")  # fmt: skip
    ax.set(xlabel="Hessian eigenvalue", ylabel="density")
    ax.legend(fontsize=8)
    return fig, ax


def plot_trajectory_plane(plane, ax=None, *, loss=None, label=None, color=None):
    """A trajectory in its principal plane, over the loss on that plane when given.

    Args:
      plane: the dict of :func:`analysis.instruments.trajectory_plane` (``coords``, ``explained``).
      ax: the axes; default a new figure.
      loss: optional loss on the plane: a dict with ``alpha``, ``beta``
        (coefficients of the plane's two directions about its end) and
        ``loss``, or the ``GridResult`` of :func:`analysis.instruments.slice2d`
        along the plane's directions; drawn as log contours.
      label, color: the trajectory's label and colour.

    Returns:
      ``(fig, ax)``.

    Raises:
      ValueError: a plane with fewer than two components.
    """
    coords = np.asarray(plane["coords"], np.float64)
    if coords.ndim != 2 or coords.shape[1] < 2:
        raise ValueError(f"plot_trajectory_plane needs two components, got coordinates of shape {coords.shape}")
    fig, ax = _axes(ax, (5.6, 4.6))
    if loss is not None:
        plot_slice(loss, ax=ax, centre=False)
    color = color or style.PALETTE["vermillion"]
    ax.plot(coords[:, 0], coords[:, 1], "-", color=color, lw=1.8, label=label or "trajectory")
    ax.plot(coords[0, 0], coords[0, 1], "o", color=color, ms=7, mec="black", label="start")
    ax.plot(coords[-1, 0], coords[-1, 1], "*", color="white", ms=12, mec="black", label="end")
    ex = np.asarray(plane["explained"], np.float64)
    ax.set(
        xlabel=f"principal direction 1 ({100 * ex[0]:.1f}% of the path)",
        ylabel=f"principal direction 2 ({100 * ex[1]:.1f}%)",
    )
    ax.legend(fontsize=8)
    return fig, ax
