"""Figure 11: networks dying in training (He vs RAI), spurious minima of wider students, exploding gradients."""
from __future__ import annotations

import jax
import matplotlib.pyplot as plt
import numpy as np

from analysis import deep as D

from . import style
from ._common import cached, save

NAME = "deep_networks"


def compute(seed, quick):
    key = jax.random.key(seed)
    depths = np.asarray([2, 4, 6, 8, 10] if not quick else [2, 6])
    out = {"depths": depths}
    for scheme in ("he_normal", "rai"):
        rows = [D.dying(int(d), 2, scheme=scheme, target="abs", starts=32 if quick else 256, steps=300 if quick else 2000, key=key)
                for d in depths]
        out[f"dying_{scheme}"] = np.asarray([r["rate"] for r in rows])
        out[f"dying_ci_{scheme}"] = np.asarray([r["ci"] for r in rows])
    ks = np.asarray([6] if quick else [6, 7, 8, 9, 10, 11, 12])
    out["ks"] = ks
    for extra in (0, 1):
        rows = [D.spurious_minima(int(k), int(k) + extra, starts=16 if quick else 256, steps=2000 if quick else 50_000,
                                  key=jax.random.fold_in(key, int(k))) for k in ks]
        out[f"spur_{extra}"] = np.asarray([r["rate"] for r in rows])
        out[f"spur_ci_{extra}"] = np.asarray([r["ci"] for r in rows])
    slopes = np.asarray([0.25, 0.5, 1.0, 1.5, 2.0] if not quick else [0.5, 2.0])
    g = [D.gradient_growth(float(c), depth=20, width=16, nets=16 if quick else 128, key=key) for c in slopes]
    out["slopes"] = slopes
    out["growth"] = np.asarray([r["rate"] for r in g])
    return out


def _err(ax, x, p, ci, **kw):
    ax.errorbar(x, p, yerr=np.maximum([p - ci[:, 0], ci[:, 1] - p], 0), capsize=2, ms=4, **kw)


def plot(d):
    style.apply()
    fig, (a1, a2, a3) = plt.subplots(1, 3, figsize=(14, 4.2))
    for scheme, color, label in (("he_normal", style.PALETTE["vermillion"], "He normal"), ("rai", style.PALETTE["blue"], "RAI")):
        _err(a1, d["depths"], d[f"dying_{scheme}"], d[f"dying_ci_{scheme}"], fmt="o-", color=color, label=label)
    a1.set(xlabel="depth (width 2, with biases)", ylabel="share collapsed to a constant", ylim=(-0.02, 1.02),
           title="Fitting |x| with Adam: networks that die")
    a1.legend()
    for extra, color in ((0, style.PALETTE["purple"]), (1, style.PALETTE["green"])):
        _err(a2, d["ks"] + 0.06 * extra, d[f"spur_{extra}"], d[f"spur_ci_{extra}"], fmt="s-", color=color,
             label="n = k" if extra == 0 else "n = k + 1")
    a2.set(xlabel="teacher units k (d = k, orthonormal)", ylabel="share at a Hessian-certified spurious minimum",
           title="Spurious minima: exact gradients to convergence", xticks=d["ks"], ylim=(-0.02, 1.02))
    a2.legend()
    c = np.linspace(0.2, 2.1, 100)
    a3.plot(c, np.log((1 + c**2) / 2), color="black", lw=1.5, label="mean field log((1 + c²)/2)")
    a3.plot(d["slopes"], d["growth"], "o", color=style.PALETTE["orange"], ms=7, label="measured (depth 20, width 16)")
    a3.axhline(0, color="gray", lw=0.8)
    a3.set(xlabel="leaky slope c", ylabel="growth of log |dy/dx|² per layer", title="Slopes above 1 explode (A13)")
    a3.legend()
    return fig, (a1, a2, a3)


def main(out, quick=False, seed=0):
    settings = {"seed": seed, "quick": quick}
    fig, _ = plot(cached(out, NAME, settings, lambda: compute(seed, quick)))
    return save(fig, out, NAME, settings)
