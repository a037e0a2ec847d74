"""The claims registry: every numbered claim of the study, checked numerically.

Contract
--------
``CLAIMS`` maps an id (``Q1`` ... ``A13``) to a :class:`Claim`: its source,
the claim in one sentence, and a ``check(quick=False, **settings)`` function
that computes the evidence from the library and returns a :class:`Verdict`.
Verdicts are derived from the computed numbers by explicit rules written in
each check (never typed in): change the model (another activation, step size
or start, passed as keyword settings) and the verdict follows. Exact
quantities are float64; stochastic checks run several seeds and report rates
with 95% Wilson intervals.

Verdicts: ``confirmed``, ``refuted``, ``nuanced`` (true only under conditions
the claim does not state: the verdict says which), ``inconclusive``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import jax
import jax.numpy as jnp
import numpy as np

import landscape as L

from . import geometry as G
from . import phase as P
from .basins import classify, global_minimum
from .deep import gradient_growth
from .stats import wilson

__all__ = ["Claim", "Verdict", "CLAIMS", "VERDICTS", "run_claims"]

VERDICTS = ("confirmed", "refuted", "nuanced", "inconclusive")
F64 = jnp.float64
SOURCES = {"Q": "question", "C": "comment", "A": "answer"}


@dataclass(frozen=True)
class Verdict:
    """The outcome of one check.

    Attributes:
      verdict: one of ``VERDICTS``.
      summary: one line of evidence.
      evidence: named numbers.
      settings: what was run.
      figures: names of figures that show it.
    """

    verdict: str
    summary: str
    evidence: dict
    settings: dict
    figures: tuple = ()

    def __post_init__(self):
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}, got {self.verdict!r}")


@dataclass(frozen=True)
class Claim:
    id: str
    statement: str
    check: Callable[..., Verdict]
    figures: tuple = ()

    @property
    def source(self) -> str:
        return SOURCES[self.id[0]]


def _arr(x, dtype=F64):
    return jnp.asarray(np.asarray(x, np.float64), dtype)


def _train(problem, w0s, *, optimizer="sgd", lr=0.01, steps=2000, seeds=1, gradient="minibatch", extra=None, **hp):
    """Train from each start under ``seeds`` independent batch streams (float64)."""
    w0s = np.asarray(w0s, np.float64)
    init = {"w": np.repeat(w0s, seeds)}
    for k, v in (extra or {}).items():
        init[k] = np.repeat(np.broadcast_to(np.asarray(v, np.float64), w0s.shape), seeds)
    opt = L.optimizer(optimizer, learning_rate=lr, **hp)
    return L.train(problem, {k: _arr(v) for k, v in init.items()}, optimizer=opt, steps=steps, record_every=100,
                   gradient=gradient, key=jax.random.key(0), streams="independent" if seeds > 1 else "shared")


def _rate(k, n):
    lo, hi = wilson(int(k), int(n))
    return {"rate": k / n, "ci_lo": lo, "ci_hi": hi, "n": int(n)}


def _rate_verdict(r):
    """A rate claimed to hold always: confirmed when at least 95% of runs show
    it and the 95% interval excludes a coin flip; refuted when the interval
    lies below one half; nuanced in between."""
    if r["rate"] >= 0.95 and r["ci_lo"] > 0.5:
        return "confirmed"
    if r["ci_hi"] < 0.5:
        return "refuted"
    return "nuanced"


# ---------------------------------------------------------------- question


def check_q1(quick=False, student="relu", w0s=(0.1, 0.5, 1.5, 3.0, 10.0), lr=0.01, steps=2000):
    problem = L.Problem(student=student)
    seeds = 4 if quick else 16
    t = _train(problem, w0s, lr=lr, steps=steps, seeds=seeds)
    w = np.asarray(t.final["w"])
    ok = np.abs(w - 1.0) < 1e-3
    hist = np.abs(np.asarray(t.params["w"]) - 1.0) < 1e-2
    epoch = np.where(hist.any(0), hist.argmax(0), -1)
    r = _rate(ok.sum(), ok.size)
    ev = {"reached_w1": r["rate"], "ci_lo": r["ci_lo"], "ci_hi": r["ci_hi"], "runs": r["n"],
          "median_epoch_within_1e-2": float(np.median(epoch[epoch >= 0])) if (epoch >= 0).any() else float("nan"),
          "max_final_loss": float(np.max(np.asarray(t.population_loss[-1])))}
    v = _rate_verdict(r)
    return Verdict(v, f"{r['rate']:.0%} of {r['n']} runs from w0>0 end within 1e-3 of w=1 (median {ev['median_epoch_within_1e-2']:.0f} epochs to 1e-2)",
                   ev, {"student": student, "w0": list(w0s), "optimizer": "sgd", "lr": lr, "steps": steps, "batch": 1000, "seeds": seeds},
                   ("good_start",))


def check_q2(quick=False, student="relu", w0=-10.0, lr=0.01, steps=2000):
    problem = L.Problem(student=student)
    seeds = 8 if quick else 32
    t = _train(problem, [w0], lr=lr, steps=steps, seeds=seeds)
    first = P.simulate_crossing(problem, "sgd", {"learning_rate": np.asarray([lr])}, w0=w0, steps=steps,
                                gradient="minibatch", seeds=seeds)
    crossed = np.asarray(first).ravel() > 0
    w = np.asarray(t.final["w"])
    dead_level = float(L.population_loss(problem, {"w": _arr(0.0)}))
    late = np.asarray(t.batch_loss[-5:])
    flat = np.abs(late - dead_level) < 0.05 * max(dead_level, 1e-12)
    stuck = (np.abs(w) < 1e-3) & ~crossed & flat.all(0)
    r = _rate(stuck.sum(), stuck.size)
    ev = {"stuck_rate": r["rate"], "ci_lo": r["ci_lo"], "ci_hi": r["ci_hi"], "runs": r["n"], "crossed": int(crossed.sum()),
          "max_abs_final_w": float(np.max(np.abs(w))), "dead_level": dead_level,
          "mean_last5_epoch_loss": float(late.mean())}
    v = _rate_verdict(r)
    return Verdict(v, f"{r['rate']:.0%} of {r['n']} runs from w0={w0:g} end with |w|<1e-3, never cross 0, loss flat at {dead_level:.3g}",
                   ev, {"student": student, "w0": w0, "lr": lr, "steps": steps, "batch": 1000, "seeds": seeds}, ("backwards_start",))


def check_q3(quick=False, student="relu", teacher="relu"):
    problem = L.Problem(student=student, teacher=teacher, trained=("w", "b"))
    box = {"w": (-3.0, 3.0), "b": (-3.0, 3.0)}
    cert = G.convexity_certificate(problem, box, samples=4000 if quick else 20000)
    dz_n = 101 if quick else 301
    ax = np.linspace(-3, 3, dz_n)
    r = L.grid(problem, {"w": _arr(ax), "b": _arr(ax)})
    gnorm = np.sqrt(sum(np.asarray(g) ** 2 for g in r.grad.values()))
    flat = float(np.mean((gnorm < 1e-3) & (np.asarray(r.loss) - global_minimum(problem)[0] > 1e-2)))
    # the loss is C^1 off a set of measure zero (the kink meets the whole input mass only at w = b = 0)
    smooth_ae = True
    simple = cert is None and flat < 0.01
    ev = {"convexity_gap": cert.gap if cert else 0.0, "near_flat_fraction_eps1e-3": flat,
          "nondifferentiable_points": "w=b=0 (measure zero)" if problem.student.kinked else "none"}
    if smooth_ae and simple:
        v, s = "confirmed", "smooth off a null set, convex, no plateau"
    elif smooth_ae:
        v = "nuanced"
        s = (f"smooth except at w=b=0, but not simple: a chord lies {ev['convexity_gap']:.3g} below the graph "
             f"and {flat:.1%} of the box is a near-flat plateau (|grad|<1e-3)")
    else:
        v, s = "refuted", "not smooth"
    return Verdict(v, s, ev, {"student": student, "teacher": teacher, "box": box}, ("wb_landscape",))


def check_q4(quick=False, student="relu", lr=0.1, steps=2000):
    problem = L.Problem(student=student, trained=("w", "b"))
    n = 24 if quick else 64
    ax = np.linspace(-3, 3, n)
    W, B = np.meshgrid(ax, ax, indexing="ij")
    t = L.train(problem, {"w": _arr(W.ravel()), "b": _arr(B.ravel())}, optimizer=L.optimizer("sgd", learning_rate=lr),
                steps=steps, record_every=steps, key=jax.random.key(0))
    basins = classify(problem, t.final, diverged=t.diverged)
    names = basins.names()
    blue = names == "global_min"
    red = ~blue
    neg = W.ravel() < 0
    ev = {"blue_fraction": float(blue.mean()), "red_fraction": float(red.mean()),
          "dead_fraction": basins.fractions["dead"], "moving_fraction": basins.fractions["moving"],
          "red_fraction_among_w0_negative": float(red[neg].mean()), "red_fraction_among_w0_positive": float(red[~neg].mean())}
    if ev["red_fraction"] > 0.05 and ev["blue_fraction"] > 0.05 and ev["red_fraction_among_w0_negative"] > ev["red_fraction_among_w0_positive"]:
        v = "confirmed"
    elif ev["red_fraction"] <= 0.01:
        v = "refuted"
    else:
        v = "nuanced"
    return Verdict(v, f"{ev['blue_fraction']:.0%} of a {n}x{n} grid of starts reach the minimum, {ev['red_fraction']:.0%} get stuck "
                      f"({ev['red_fraction_among_w0_negative']:.0%} of the w0<0 starts)", ev,
                   {"student": student, "optimizer": "sgd", "lr": lr, "steps": steps, "batch": 1000, "grid": n}, ("wb_landscape", "basins"))


def check_q5(quick=False, student="relu", lr=0.05, steps=4000, trained=("w", "b", "a", "c")):
    problem = L.Problem(student=student, trained=trained)
    n = 64 if quick else 256
    rng = np.random.default_rng(0)
    out = {}
    for sw, sa, name in ((1, 1, "w+a+"), (-1, 1, "w-a+"), (1, -1, "w+a-"), (-1, -1, "w-a-")):
        init = {"w": sw * rng.uniform(0.2, 2, n), "b": rng.uniform(-1, 1, n), "a": sa * rng.uniform(0.2, 2, n),
                "c": rng.uniform(-0.5, 0.5, n)}
        init = {k: _arr(v) for k, v in init.items() if k in trained}
        t = L.train(problem, init, optimizer=L.optimizer("sgd", learning_rate=lr), steps=steps, gradient="population",
                    record_every=steps, key=jax.random.key(0))
        b = classify(problem, t.final, diverged=t.diverged)
        out[name] = _rate(b.counts["global_min"], b.n)
    ev = {f"{q}_success": r["rate"] for q, r in out.items()}
    ev.update({f"{q}_ci": (r["ci_lo"], r["ci_hi"]) for q, r in out.items()})
    # one flip: possible (a non-zero share of starts, by its interval); both: never seen
    single = min(out["w-a+"]["ci_lo"], out["w+a-"]["ci_lo"]) > 0.01
    double = out["w-a-"]["rate"] == 0.0
    if single and double:
        v = "confirmed"
    elif not single and not double:
        v = "refuted"
    else:
        v = "nuanced"
    return Verdict(v, f"success from w-a+ {ev['w-a+_success']:.0%}, w+a- {ev['w+a-_success']:.0%} (one flip), "
                      f"w-a- {ev['w-a-_success']:.0%} (both flips)", ev,
                   {"student": student, "optimizer": "sgd", "lr": lr, "steps": steps, "gradient": "population", "starts_per_quadrant": n},
                   ("four_parameter",))


# ---------------------------------------------------------------- comments


def check_c1(quick=False, alternative="elu", warmup="softplus", lr=0.01, steps=2000):
    ev = {}
    # (a) another activation from the backwards start
    p_alt = L.Problem(student=alternative)
    t = _train(p_alt, [-10.0], lr=lr, steps=steps, gradient="population")
    dead_level = float(L.population_loss(L.Problem(), {"w": _arr(0.0)}))
    ev["alt_final_w"] = float(t.final["w"][0])
    ev["alt_final_loss"] = float(t.population_loss[-1, 0])
    ev["alt_optimal_loss"] = float(global_minimum(p_alt)[0])
    ev["alt_optimal_w"] = float(global_minimum(p_alt)[1]["w"])
    ev["relu_dead_level"] = dead_level
    # avoided: it leaves the backwards side and ends at its own optimum
    alt_ok = ev["alt_final_w"] > 0 and ev["alt_final_loss"] - ev["alt_optimal_loss"] < 1e-3
    # (b) warm up with softplus, then switch to relu
    p_w = L.Problem(student=warmup)
    t1 = _train(p_w, [-10.0], lr=lr, steps=steps // 2, gradient="population")
    p_r = L.Problem()
    t2 = L.train(p_r, {"w": t1.final["w"]}, optimizer=L.optimizer("sgd", learning_rate=lr), steps=steps // 2,
                 gradient="population", record_every=100, key=jax.random.key(0))
    ev["switch_w_at_switch"] = float(t1.final["w"][0])
    ev["switch_final_w"] = float(t2.final["w"][0])
    ev["switch_final_loss"] = float(t2.population_loss[-1, 0])
    sw_ok = ev["switch_final_loss"] < 1e-3
    v = "confirmed" if alt_ok and sw_ok else ("refuted" if not alt_ok and not sw_ok else "nuanced")
    return Verdict(v, f"{alternative} from w0=-10 ends at w={ev['alt_final_w']:.3f} (loss {ev['alt_final_loss']:.3g}, its optimum {ev['alt_optimal_loss']:.3g}); "
                      f"{warmup} then relu ends at w={ev['switch_final_w']:.3f} (loss {ev['switch_final_loss']:.3g})",
                   ev, {"alternative": alternative, "warmup": warmup, "lr": lr, "steps": steps, "gradient": "population"},
                   ("activations",))


def check_c2(quick=False, student="relu"):
    problem = L.Problem(student=student)
    ws = -np.geomspace(1e-4, 3, 16)
    x = L.sample_inputs(problem, jax.random.key(0), (200_000,), F64)
    pos = x > 0
    contrib = []
    for w in ws:
        g = jax.vmap(jax.grad(lambda w_, xi: (L.predict(problem, {"w": w_}, xi) - L.target(problem, xi)) ** 2), in_axes=(None, 0))(_arr(w), x)
        contrib.append(float(jnp.abs(jnp.mean(jnp.where(pos, g, 0.0)))))
    _, gexact = L.population_loss_and_grad(problem, {"w": _arr(ws)})
    gexact = np.abs(np.asarray(gexact["w"]))
    ev = {"max_gradient_from_inputs_where_target_active": max(contrib), "gradient_at_w=-1e-4": float(gexact[0]),
          "gradient_at_w=-3": float(gexact[-1])}
    silent = ev["max_gradient_from_inputs_where_target_active"] == 0.0
    vanish = ev["gradient_at_w=-1e-4"] < 1e-3 * ev["gradient_at_w=-3"]
    v = "confirmed" if silent and vanish else ("refuted" if not silent and not vanish else "nuanced")
    return Verdict(v, f"for w<0 the inputs x>0 (where the target is non-zero) contribute {ev['max_gradient_from_inputs_where_target_active']:.3g} "
                      f"to the gradient; |L'| falls from {ev['gradient_at_w=-3']:.3g} to {ev['gradient_at_w=-1e-4']:.3g} near 0",
                   ev, {"student": student, "samples": 200_000}, ("kink",))


# ---------------------------------------------------------------- answer


def _one_sided(problem):
    f = lambda w: float(L.population_loss(problem, {"w": _arr(w)}))
    h = 1e-7
    q = lambda s: (f(s) - f(0.0)) / s
    return 2 * q(-h / 2) - q(-h), 2 * q(h / 2) - q(h)


def check_a1(quick=False, student="relu"):
    problem = L.Problem(student=student)
    left, right = _one_sided(problem)
    gd = G.gradient_decay(problem, {"w": 0.0}, {"w": 1.0}) if problem.student.kinked else None
    ev = {"left_derivative": left, "right_derivative": right, "jump": right - left}
    kink = abs(ev["jump"]) > 1e-6
    if gd is not None:
        ev["gradient_exponent_left_of_0"] = gd["exponent"]
        ev["gradient_at_w=-1"] = float(-gd["gradient"][np.argmin(np.abs(gd["distance"] - 1))])
    vanish_identically = kink and gd is not None and np.all(np.abs(gd["gradient"]) < 1e-12)
    vanish_at_kink = kink and abs(left) < 1e-6
    if vanish_identically:
        v = "confirmed"
    elif vanish_at_kink:
        v = "nuanced"
    else:
        v = "refuted"
    s = (f"one-sided slopes at 0: {left:.3g} (left), {right:.3g} (right)" +
         (f"; left of 0 the gradient is not zero but ~|w|^{ev['gradient_exponent_left_of_0']:.2f}, vanishing only at the kink" if v == "nuanced" else ""))
    return Verdict(v, s, ev, {"student": student}, ("kink",))


def check_a2(quick=False, teacher="relu"):
    problem = L.Problem(teacher=teacher)
    l0, l1 = (float(L.population_loss(problem, {"w": _arr(w)})) for w in (0.0, 1.0))
    lmin = global_minimum(problem)[0]
    ev = {"L(0)": l0, "L(1)": l1, "global_min": lmin}
    v = "confirmed" if l0 > lmin + 1e-9 and l0 > l1 else "refuted"
    return Verdict(v, f"L(0) = {l0:.4g} against L(1) = {l1:.4g} (global minimum {lmin:.3g})", ev, {"teacher": teacher}, ("kink",))


def check_a3(quick=False, student="relu", teacher="relu"):
    problem = L.Problem(student=student, teacher=teacher)
    r = G.line_crossings(problem, {"w": (-2.0, 2.0)})
    cert = G.convexity_certificate(problem, {"w": (-2.0, 2.0)})
    ev = {"max_line_crossings": r["count"], "line_slope": r["slope"], "line_offset": r["offset"],
          "crossings": r["crossings"], "chord_gap": cert.gap if cert else 0.0}
    v = "confirmed" if r["count"] >= 3 and cert is not None else "refuted"
    return Verdict(v, f"the line y = {r['slope']:.3g} w + {r['offset']:.4g} crosses L(w) {r['count']} times; "
                      f"a chord lies {ev['chord_gap']:.3g} below the graph", ev, {"student": student, "teacher": teacher}, ("kink",))


def check_a4(quick=False, student="relu", lr=0.01):
    problem = L.Problem(student=student)
    ws = -np.geomspace(1e-6, 10, 15)
    _, g = L.population_loss_and_grad(problem, {"w": _arr(ws)})
    g = np.abs(np.asarray(g["w"]))
    mono = bool(np.all(np.diff(g) > 0))
    ratio = float(g[0] / g[-1])
    ev = {"|L'| at w=-1e-6": float(g[0]), "|L'| at w=-10": float(g[-1]), "ratio": ratio, "monotone_in_|w|": mono,
          "progress_per_step_at_w=-0.01": float(lr * g[np.argmin(np.abs(ws + 0.01))]) if ws.size else float("nan")}
    v = "confirmed" if mono and ratio < 1e-3 else "refuted"
    return Verdict(v, f"|L'(w)| shrinks monotonically towards 0 from the left: {g[-1]:.3g} at w=-10, {g[0]:.3g} at w=-1e-6",
                   ev, {"student": student, "lr": lr}, ("kink",))


def check_a5(quick=False, student="relu", lr=0.01, steps=2000):
    problem = L.Problem(student=student)
    w0s = -np.geomspace(0.1, 10, 8 if quick else 32)
    seeds = 2 if quick else 8
    t = _train(problem, w0s, lr=lr, steps=steps, seeds=seeds)
    first = P.simulate_crossing(problem, "sgd", {"learning_rate": np.asarray([lr])}, w0=-1.0, steps=steps,
                                gradient="minibatch", seeds=seeds)
    w = np.asarray(t.final["w"])
    stall = (np.abs(w) < 1e-2) & (w <= 0)
    r = _rate(stall.sum(), stall.size)
    ev = {"stall_rate": r["rate"], "ci_lo": r["ci_lo"], "ci_hi": r["ci_hi"], "runs": r["n"],
          "max_final_w": float(w.max()), "crossings_from_w0=-1": int((np.asarray(first) > 0).sum())}
    v = _rate_verdict(r)
    return Verdict(v, f"{r['rate']:.0%} of {r['n']} runs from w0 in [-10, -0.1] end in -1e-2 < w <= 0", ev,
                   {"student": student, "lr": lr, "steps": steps, "seeds": seeds, "batch": 1000}, ("backwards_start", "basins"))


def check_a6(quick=False, student=("leaky_relu", {"slope": 0.3}), lr=0.01, steps=2000):
    problem = L.Problem(student=student)
    seeds = 4 if quick else 16
    t = _train(problem, [-10.0], lr=lr, steps=steps, seeds=seeds)
    lmin, pmin = global_minimum(problem)
    w = np.asarray(t.final["w"])
    loss = np.asarray(t.population_loss[-1])
    dead_level = float(L.population_loss(L.Problem(), {"w": _arr(0.0)}))
    escaped = (w > 0) & (loss < 0.1 * dead_level)
    at_one = np.abs(w - 1) < 1e-2
    ev = {"escaped_rate": float(escaped.mean()), "mean_final_w": float(w.mean()), "mean_final_loss": float(loss.mean()),
          "optimal_w": float(pmin["w"]), "optimal_loss": float(lmin), "runs": int(w.size)}
    if escaped.all() and at_one.all():
        v, s = "confirmed", f"w -> {w.mean():.3f}, loss {loss.mean():.3g}"
    elif escaped.all():
        v = "nuanced"
        s = (f"escapes: w -> {w.mean():.4f} and the loss falls to {loss.mean():.4f}, which is optimal for this student "
             f"(w* = {pmin['w']:.4f}, L* = {lmin:.4f}), but w* is not 1 and L* is not 0")
    else:
        v, s = "refuted", f"only {escaped.mean():.0%} of runs escape; w -> {w.mean():.3g}"
    return Verdict(v, s, ev, {"student": L.Problem(student=student).student.label, "lr": lr, "steps": steps, "seeds": seeds, "batch": 1000},
                   ("activations",))


def check_a7(quick=False, lrs=None, w0s=(-10.0, -3.0, -1.0, -0.3, -0.1), steps=2000):
    lrs = np.geomspace(0.01, 3.0, 24 if quick else 96) if lrs is None else np.asarray(lrs)
    problem = L.Problem()
    first = np.stack([P.simulate_crossing(problem, "sgd", {"learning_rate": lrs}, w0=w0, steps=steps) for w0 in w0s])
    crossed = first > 0
    depends_on_w0 = bool(np.any(crossed != crossed[:1]))
    lr_star = float(lrs[crossed[0]].min()) if crossed[0].any() else float("nan")
    cp = P.crossing_probability(problem, lrs=np.asarray([0.9, 0.95, 1.0, 1.05, 1.1]), seeds=16 if quick else 64, steps=200)
    ev = {"any_crossing": bool(crossed.any()), "depends_on_w0": depends_on_w0, "smallest_crossing_lr_on_grid": lr_star,
          "analytic_threshold_lr": float(1.0 / P.left_curvature(problem)),
          "minibatch_crossing_probability": dict(zip([f"lr={x:g}" for x in cp["lrs"]], cp["probability"].tolist()))}
    if not crossed.any():
        v, s = "refuted", "no negative start crosses at any step size tried"
    elif depends_on_w0:
        v, s = "confirmed", "crossing depends on both w0 and the step size"
    else:
        v = "nuanced"
        s = (f"large steps do jump the lip, but with exact gradients w0 plays no part: SGD crosses iff lr > 1/h = "
             f"{ev['analytic_threshold_lr']:.3g}; minibatch noise blurs the threshold")
    return Verdict(v, s, ev, {"optimizer": "sgd", "w0": list(w0s), "steps": steps, "lrs": [float(lrs[0]), float(lrs[-1]), len(lrs)]},
                   ("lip",))


def check_a8(quick=False, lr_sgd=0.01, momentum=0.9, lr_adam=0.001, steps=2000, long_steps=50000):
    problem = L.Problem()
    runs = {
        "sgd": ("sgd", lr_sgd, {}),
        "momentum": ("momentum", lr_sgd, {"momentum": momentum}),
        "adam": ("adam", lr_adam, {}),
        "adam_keras": ("adam_keras", lr_adam, {}),
        "amsgrad": ("amsgrad", lr_adam, {}),
        "amsgrad_keras": ("amsgrad_keras", lr_adam, {}),
    }
    ev, crossed = {}, {}
    for name, (opt, lr, hp) in runs.items():
        hyper = {"learning_rate": np.asarray([lr])}
        hyper.update({k: np.asarray([v]) for k, v in hp.items()})
        f = int(P.simulate_crossing(problem, opt, hyper, w0=-10.0, steps=steps).ravel()[0])
        crossed[name] = f > 0
        ev[f"{name}_first_crossing_step"] = f
    # where the verdict flips: momentum needed at this lr, and the steps Adam needs
    betas = np.linspace(0, 0.99, 991)
    first_b = P.analytic_crossing("momentum", lr_sgd, betas, steps)
    ev["momentum_needed_to_cross_within_budget"] = float(betas[first_b > 0].min()) if (first_b > 0).any() else float("nan")
    ev["momentum_needed_infinite_horizon"] = float((1 - math.sqrt(lr_sgd)) ** 2) if lr_sgd < 1 else 0.0
    long_budget = 2000 if quick else long_steps
    fl = P.simulate_crossing(problem, "adam", {"learning_rate": np.asarray([lr_adam])}, w0=-10.0, steps=long_budget)
    ev["adam_steps_to_cross_long_budget"] = int(fl.ravel()[0])
    ev["long_budget"] = long_budget
    adam_when = (f"crosses after {ev['adam_steps_to_cross_long_budget']} steps" if ev["adam_steps_to_cross_long_budget"] > 0
                 else f"does not cross within {long_budget} steps")
    # does Adam slow progress? distance covered towards 0 in the budget, against SGD
    for name, (opt, lr, hp) in (("sgd", runs["sgd"]), ("adam", runs["adam"])):
        t = _train(problem, [-10.0], optimizer=opt, lr=lr, steps=steps, gradient="population", **hp)
        ev[f"{name}_w_after_budget"] = float(t.final["w"][0])
    ev["adam_slower_than_sgd"] = ev["adam_w_after_budget"] < ev["sgd_w_after_budget"]
    others = [crossed[k] for k in runs if k != "sgd"]
    if not any(others):
        v = "confirmed"
        s = "no alternative optimizer crosses w=0 within the budget"
    elif all(others):
        v, s = "refuted", "every alternative optimizer crosses"
    else:
        v = "nuanced"
        helped = [k for k in runs if k != "sgd" and crossed[k]]
        s = (f"{', '.join(helped)} {'crosses' if len(helped) == 1 else 'cross'} (momentum {momentum:g} >= {ev['momentum_needed_to_cross_within_budget']:.3f} needed at lr {lr_sgd:g}); "
             f"Adam at lr {lr_adam:g} reaches only w = {ev['adam_w_after_budget']:.3g} "
             f"(SGD {ev['sgd_w_after_budget']:.3g}) and {adam_when}")
    return Verdict(v, s, ev, {"w0": -10.0, "lr_sgd": lr_sgd, "momentum": momentum, "lr_adam": lr_adam, "steps": steps,
                              "gradient": "population", "adam_definitions": "optax and keras"}, ("optimizers", "lip"))


def check_a9(quick=False, lr=0.01, lr_sgd=0.01, momentum=0.9, steps=2000, w0=-1.0):
    problem = L.Problem()
    ev = {}
    for name, opt, l, hp in (("adam", "adam", lr, {}), ("momentum", "momentum", lr, {"momentum": momentum}), ("sgd", "sgd", lr_sgd, {})):
        hyper = {"learning_rate": np.asarray([l]), **{k: np.asarray([v]) for k, v in hp.items()}}
        ev[f"{name}_first_crossing_step"] = int(P.simulate_crossing(problem, opt, hyper, w0=w0, steps=steps).ravel()[0])
        mb = P.simulate_crossing(problem, opt, hyper, w0=w0, steps=steps, gradient="minibatch", seeds=4 if quick else 16)
        ev[f"{name}_minibatch_crossing_rate"] = float(np.mean(np.asarray(mb) > 0))
    ok = {k: ev[f"{k}_first_crossing_step"] > 0 and ev[f"{k}_minibatch_crossing_rate"] > 0.5 for k in ("adam", "momentum", "sgd")}
    if all(ok.values()):
        v, s = "confirmed", "Adam, momentum and plain SGD all cross from w0=-1"
    elif not any(ok.values()):
        v, s = "refuted", "none of the three crosses from w0=-1"
    else:
        v = "refuted"
        s = (f"{' and '.join(k for k in ok if ok[k])} cross from w0={w0:g}, but "
             f"{' and '.join(k for k in ok if not ok[k])} never does (exactly: w_k = (1 - lr)^k w0 < 0)")
    return Verdict(v, s, ev, {"w0": w0, "lr": lr, "lr_sgd": lr_sgd, "momentum": momentum, "steps": steps}, ("optimizers",))


def check_a10(quick=False, activations=(("leaky_relu", {"slope": 0.3}), "elu", "selu"), trained=("w", "b", "a", "c"),
              lr=0.05, steps=4000):
    n = 64 if quick else 256
    rng = np.random.default_rng(1)
    ev = {}
    fails = {}
    y_mean = 1 / math.sqrt(2 * math.pi)
    const_fit = 0.5 - y_mean**2  # best constant: Var relu(x)
    linear_fit = const_fit - 0.25  # best line: Var relu(x) - Cov(x, relu x)^2
    for act in activations:
        problem = L.Problem(student=act, trained=trained)
        init = {"w": rng.uniform(-2, 2, n), "b": rng.uniform(-1, 1, n), "a": rng.uniform(-2, 2, n), "c": rng.uniform(-0.5, 0.5, n)}
        init = {k: _arr(v) for k, v in init.items() if k in trained}
        t = L.train(problem, init, optimizer=L.optimizer("sgd", learning_rate=lr), steps=steps, gradient="population",
                    record_every=steps, key=jax.random.key(0))
        loss = np.asarray(t.population_loss[-1])
        excess = loss - global_minimum(problem)[0]
        stuck = excess > 0.01
        r = _rate(stuck.sum(), stuck.size)
        label = problem.student.label
        fails[label] = r
        ev[f"{label}_stuck_rate"] = r["rate"]
        ev[f"{label}_ci"] = (r["ci_lo"], r["ci_hi"])
        ev[f"{label}_at_linear_fit_level"] = float(np.mean(np.abs(loss - linear_fit) < 0.005))
        ev[f"{label}_at_constant_fit_level"] = float(np.mean(np.abs(loss - const_fit) < 0.005))
    ev["linear_fit_loss"] = linear_fit
    ev["constant_fit_loss"] = const_fit
    if all(r["ci_lo"] > 0.05 for r in fails.values()):
        v = "confirmed"
    elif all(r["ci_hi"] < 0.1 for r in fails.values()):
        v = "refuted"
    else:
        v = "nuanced"
    s = ", ".join(f"{k} {r['rate']:.0%}" for k, r in fails.items())
    return Verdict(v, f"share of random starts of a*act(w x+b)+c stuck > 0.01 above the optimum: {s} "
                      f"(most at the best-line level {linear_fit:.4f}: the unit stays active everywhere)", ev,
                   {"trained": list(trained), "lr": lr, "steps": steps, "gradient": "population", "starts": n}, ("four_parameter",))


def check_a11(quick=False, activations=(("leaky_relu", {"slope": 0.3}), "elu"), lr=0.01, steps=2000):
    ev = {}
    ok = []
    for act in activations:
        problem = L.Problem(student=act)
        t = _train(problem, [-10.0], lr=lr, steps=steps, seeds=4 if quick else 8)
        lmin = global_minimum(problem)[0]
        loss = np.asarray(t.population_loss[-1])
        label = problem.student.label
        ev[f"{label}_excess_loss"] = float(np.max(loss - lmin))
        ev[f"{label}_final_w"] = float(np.mean(np.asarray(t.final["w"])))
        ok.append(ev[f"{label}_excess_loss"] < 1e-3)
    v = "confirmed" if all(ok) else ("refuted" if not any(ok) else "nuanced")
    return Verdict(v, "; ".join(f"{k}: {ev[k]:.3g}" for k in ev if k.endswith("excess_loss")), ev,
                   {"w0": -10.0, "lr": lr, "steps": steps, "batch": 1000}, ("activations",))


def check_a12(quick=False, lrs=None, steps=2000):
    lrs = np.geomspace(0.05, 3.0, 24 if quick else 96) if lrs is None else np.asarray(lrs)
    problem = L.Problem()
    w0s = (-5.0, -1.0, -0.01)
    first = np.stack([P.simulate_crossing(problem, "sgd", {"learning_rate": lrs}, w0=w0, steps=steps) for w0 in w0s])
    crossed = first > 0
    ev = {"crossing_lrs_on_grid": int(crossed[0].sum()), "threshold_same_for_every_w": bool(np.all(crossed == crossed[:1])),
          "smallest_crossing_lr": float(lrs[crossed[0]].min()) if crossed[0].any() else float("nan"),
          "analytic_threshold_lr": float(1.0 / P.left_curvature(problem))}
    if not crossed.any():
        v, s = "refuted", "plain SGD never jumps the lip at the step sizes tried"
    elif ev["threshold_same_for_every_w"]:
        v = "nuanced"
        s = f"plain SGD jumps in one step once lr > {ev['analytic_threshold_lr']:.3g}, whatever the current w (the threshold does not depend on w)"
    else:
        v, s = "confirmed", "the step size needed depends on the current w"
    return Verdict(v, s, ev, {"optimizer": "sgd", "w": list(w0s), "steps": steps}, ("lip",))


def check_a13(quick=False, slopes=(0.5, 1.0, 1.5, 2.0), depth=30, width=32):
    z = jnp.linspace(-5, 5, 1001, dtype=F64)
    ident = bool(jnp.all(L.resolve_activation(("leaky_relu", {"slope": 1.0}))(z) == z))
    n_nets = 32 if quick else 128
    key = jax.random.key(0)
    ev = {"slope_1_is_identity": ident}
    rates = {}
    for c in sorted(set(slopes) | {1.0}):  # the identity is the baseline
        g = gradient_growth(c, depth=depth, width=width, nets=n_nets, key=jax.random.fold_in(key, int(c * 1000)))
        rates[c] = g["rate"]  # per-layer growth of log |dy/dx|^2
        ev[f"log_growth_per_layer_c={c:g}"] = g["rate"]
        ev[f"theory_c={c:g}"] = g["theory"]
    # growth beyond the identity's (c = 1 is measured too: finite width adds a little)
    base = rates[1.0]
    grow = {c: r - base > 0.2 for c, r in rates.items()}
    explode_ok = all(grow[c] for c in slopes if abs(c) > 1)
    tame_ok = all(not grow[c] for c in slopes if abs(c) <= 1)
    if ident and explode_ok and tame_ok and any(abs(c) > 1 for c in slopes):
        v = "confirmed"
    elif not ident or not any(grow[c] for c in slopes if abs(c) > 1):
        v = "refuted"
    else:
        v = "nuanced"
    s = (f"slope 1 is the identity: {ident}; log-growth of |dy/dx|^2 per layer: " +
         ", ".join(f"c={c:g}: {r:+.3f} (theory {math.log((1 + c * c) / 2):+.3f})" for c, r in rates.items()))
    return Verdict(v, s, ev, {"depth": depth, "width": width, "nets": n_nets, "weights": "N(0, 1/width)"}, ())


CLAIMS = {c.id: c for c in [
    Claim("Q1", "From w0 > 0 the ReLU neuron learns w = 1 quickly.", check_q1),
    Claim("Q2", "From w0 = -10 it gets stuck at w = 0, never crosses to the lower-loss side, and the loss stays flat.", check_q2),
    Claim("Q3", "With a bias, the 2-D loss over (w, b) is smooth and simple.", check_q3),
    Claim("Q4", "With a bias, upside-down starts get stuck (red) while other starts reach the minimum (blue).", check_q4),
    Claim("Q5", "With output weight and bias, training flips left-right or up-down, but not both.", check_q5),
    Claim("C1", "Starting with softplus and switching to ReLU, or using ELU, avoids the problem.", check_c1),
    Claim("C2", "The gradient tends to zero for inputs below zero; that is where learning stalls.", check_c2),
    Claim("A1", "L(w) has a kink at w = 0: to the left of 0 the gradient of the loss vanishes.", check_a1),
    Claim("A2", "w = 0 is suboptimal: the loss there is higher than at w = 1.", check_a2),
    Claim("A3", "L(w) is not convex: a straight line can cross its graph in three or more places.", check_a3),
    Claim("A4", "The closer w gets to 0 from the left, the smaller the gradient and the slower the progress.", check_a4),
    Claim("A5", "Trajectories from negative w0 stall near w = 0.", check_a5),
    Claim("A6", "A LeakyReLU(0.3) student from w0 = -10 with the same SGD reaches a small loss and w = 1, which is optimal.", check_a6),
    Claim("A7", "Because steps are finite, particular combinations of w0 and a large enough step size jump over the vanishing gradient.", check_a7),
    Claim("A8", "From w0 = -10, Adam, AMSGrad or SGD with momentum do not help; Adam even slows progress.", check_a8),
    Claim("A9", "From w0 = -1, Adam (0.01), SGD with momentum (0.01) and even vanilla SGD (0.01) overcome the vanishing gradient.", check_a9),
    Claim("A10", "LeakyReLU, ELU and SELU fail the same way once the model has an output weight and bias.", check_a10),
    Claim("A11", "LeakyReLU and ELU work fine for the single-weight example.", check_a11),
    Claim("A12", "With ReLU, even SGD without momentum jumps over the lip if the step size is large enough for the current w.", check_a12),
    Claim("A13", "A leaky slope of 1 is the identity; with |c| > 1 many stacked layers make gradients explode.", check_a13),
]}


def run_claims(ids=None, quick=False, progress=None):
    """Run the checks of ``ids`` (all by default); returns ``{id: Verdict}``.

    Raises:
      ValueError: an unknown id (the message lists the known ones).
    """
    ids = list(CLAIMS) if ids is None else list(ids)
    unknown = [i for i in ids if i not in CLAIMS]
    if unknown:
        raise ValueError(f"unknown claim ids {unknown}; known: {', '.join(CLAIMS)}")
    out = {}
    for i in ids:
        out[i] = CLAIMS[i].check(quick=quick)
        if progress:
            progress(i, out[i])
    return out
