"""Figure 10: born-dead networks against depth, with the closed form; He against RAI (A13's deeper cousin)."""
from __future__ import annotations

import jax
import matplotlib.pyplot as plt
import numpy as np

import landscape as L
from analysis import deep as D

from . import style
from ._common import cached, save

NAME = "born_dead"
WIDTHS = (2, 3, 4, 5, 10)


def compute(seed, quick):
    depths = np.asarray([1, 4] if quick else [1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20])
    samples = 1000 if quick else 10000
    out = {"depths": depths}
    key = jax.random.key(seed)
    for w in WIDTHS:
        rows = [D.born_dead(int(d), w, scheme="symmetric", samples=samples, key=key) for d in depths]
        out[f"single_{w}"] = np.asarray([r["single_input_probability"] for r in rows])
        out[f"single_ci_{w}"] = np.asarray([r["single_input_ci"] for r in rows])
        out[f"support_{w}"] = np.asarray([r["probability"] for r in rows])
    for scheme in ("he_normal", "rai"):
        rows = [D.born_dead(int(d), 3, scheme=scheme, bias=True, inputs=L.Uniform(-1, 1), samples=samples // 2, key=key)
                for d in depths]
        out[f"bias_{scheme}"] = np.asarray([r["probability"] for r in rows])
        out[f"bias_ci_{scheme}"] = np.asarray([r["ci"] for r in rows])
    return out


def plot(d):
    style.apply()
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4.4))
    dd = np.arange(1, 21)
    for w, color in zip(WIDTHS, style.CYCLE):
        ci = d[f"single_ci_{w}"]
        p = d[f"single_{w}"]
        a1.errorbar(d["depths"], p, yerr=np.maximum([p - ci[:, 0], ci[:, 1] - p], 0), fmt="o", color=color, ms=4, capsize=2)
        a1.plot(dd, [D.closed_form_single_input(int(k), w) for k in dd], color=color, lw=1.5, label=f"width {w}")
        a1.plot(d["depths"], d[f"support_{w}"], ls=":", color=color, lw=1.2)
    a1.plot([], [], "ko", ms=4, label="one input dead (estimate, 95% CI)")
    a1.plot([], [], "k-", label="closed form 1 - (1 - 2^-N)^(L-1)")
    a1.plot([], [], "k:", label="dead for every input (exact)")
    a1.set(xlabel="depth L (layers, L - 1 hidden)", ylabel="probability", title="Bias-free ReLU nets, symmetric init", ylim=(-0.02, 1.42))
    a1.set_yticks(np.linspace(0, 1, 6))
    a1.set_xticks([1, 5, 10, 15, 20])
    a1.legend(fontsize=8, ncol=3, loc="upper center")
    for scheme, color in (("he_normal", style.PALETTE["vermillion"]), ("rai", style.PALETTE["blue"])):
        p, ci = d[f"bias_{scheme}"], d[f"bias_ci_{scheme}"]
        a2.errorbar(d["depths"], p, yerr=np.maximum([p - ci[:, 0], ci[:, 1] - p], 0), fmt="o-", color=color, ms=4, capsize=2,
                    label={"he_normal": "He normal", "rai": "randomized asymmetric (RAI)"}[scheme])
    a2.set(xlabel="depth L", ylabel="P(network constant on [-1, 1])", title="Width 3 with biases: RAI keeps nets alive",
           ylim=(-0.02, 1.02), xticks=[1, 5, 10, 15, 20])
    a2.legend()
    return fig, (a1, a2)


def table(d, samples):
    """The figure's numbers as Markdown: one input dead and dead everywhere, by depth and width."""
    pct = lambda v: f"{100 * v:.1f}%"
    lines = [f"# Born-dead networks ({samples} initializations per cell, 95% Wilson intervals)", "",
             "Bias-free ReLU networks, symmetric init N(0, 1/fan_in): P(one Gaussian input is dead) as estimate "
             "[interval] / closed form 1 - (1 - 2^-N)^(L-1), and P(dead for every input, exact).", "",
             "| depth L | " + " | ".join(f"width {w}" for w in WIDTHS) + " |", "|---|" + "---|" * len(WIDTHS)]
    for i, L_ in enumerate(d["depths"]):
        cells = []
        for w in WIDTHS:
            ci = d[f"single_ci_{w}"][i]
            cells.append(f"{pct(d[f'single_{w}'][i])} [{pct(ci[0])}, {pct(ci[1])}] / "
                         f"{pct(D.closed_form_single_input(int(L_), w))}; all: {pct(d[f'support_{w}'][i])}")
        lines.append(f"| {int(L_)} | " + " | ".join(cells) + " |")
    lines += ["", "Width 3 with biases on U(-1, 1): P(network constant on [-1, 1]), exact detection.", "",
              "| depth L | He normal | RAI |", "|---|---|---|"]
    for i, L_ in enumerate(d["depths"]):
        cells = [f"{pct(d[f'bias_{s}'][i])} [{pct(d[f'bias_ci_{s}'][i][0])}, {pct(d[f'bias_ci_{s}'][i][1])}]"
                 for s in ("he_normal", "rai")]
        lines.append(f"| {int(L_)} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main(out, quick=False, seed=0):
    import os

    from landscape.io import write_atomic

    samples = 1000 if quick else 10000
    settings = {"seed": seed, "quick": quick, "widths": WIDTHS, "samples": samples}
    d = cached(out, NAME, settings, lambda: compute(seed, quick))
    fig, _ = plot(d)
    md = os.path.join(out, f"{NAME}.md")
    write_atomic(md, table(d, samples))
    return save(fig, out, NAME, settings) + [md]
