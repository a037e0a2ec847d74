"""Runs that never stop because they drift to a valley at infinity: the level, the drift law, the decision.

Contract
--------
The single neuron ``f(x) = a s(w x + b) + c`` with a piecewise-linear
student ``s`` of slopes ``0 <= l < r`` (relu, leaky relu), teacher ``relu``,
inputs ``N(0, 1)`` and all four parameters trained: from ``w < 0`` gradient
descent does not stop. Write ``kappa = -b / w`` (the kink) and ``h(x) = s(kappa
- x)``; then ``f = c + A h`` with ``A = a |w|`` and, for fixed ``kappa``, the best
``(A, c)`` leave the loss ``level + eps(kappa)`` with

    level = Var(y) - Cov(y, x)^2 = 1/4 - 1/(2 pi)   (the best linear fit),
    eps(kappa) = D(kappa) / Var(h),   D = Var(h) / 4 - Cov(y, h)^2 > 0,

(:func:`analysis.proofs.prove_line_level` proves ``D > 0`` for every finite
``kappa``). ``eps`` falls to 0 only as ``|kappa| -> infinity``, like
``phi(kappa) / (2 kappa)`` for relu: the runs sit at the level of the best
line while the kink walks out of the data.

The drift law (derived here, checked against runs). Gradient flow conserves
``delta = a^2 - w^2 - b^2`` (the unit is homogeneous in ``(w, b)``). The fast
variables ``(A, c)`` relax to their best values, so the run follows the valley
floor ``theta(kappa) = (w, b, a, c)`` with ``w^2 = u``, ``(1 + kappa^2) u^2 +
delta u - A*^2 = 0``, ``a = A* / |w|``, ``b = -kappa w``, ``c = c*``; on it the flow
is the gradient flow of ``eps`` in the induced metric (the floor's tangent is
orthogonal to the flat rescaling direction because ``delta`` is conserved):

    d kappa / dt = -eps'(kappa) / |d theta / d kappa|^2.

As ``kappa -> infinity`` only ``c* ~ alpha kappa`` grows fast (``alpha = 1/2``,
the best line's slope), so ``|d theta / d kappa|^2 -> alpha^2`` and, with ``eps ~
K phi(kappa) / kappa``, ``d kappa/dt ~ K phi(kappa) / alpha^2``: ``kappa(t)^2 = 2
log t + O(log log t)`` and

    eps(t) ~ alpha^2 / (kappa(t)^2 t),

whatever ``delta`` and ``K``: the excess loss falls a little faster than
``1/t`` and the kink moves out like ``sqrt(2 log t)``. :func:`drift_law`
integrates the law from a run's state; :func:`asymptotic_excess` is the
limit form.

:func:`escaping` decides, from an end state (and, when given, its history),
which runs escape: ``w < 0``, the kink at least ``far`` standard deviations out
on a side where the unit is linear with a non-zero slope, the loss above the
level by at most ``tol_level``, the exact gradient pushing the kink outward,
and the level proven unreachable at finite points. Everything else (other
students, teachers, inputs, trained subsets) is left undecided: such runs
stay ``moving``.
"""

from __future__ import annotations

import math
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.scipy.special import erfc

__all__ = [
    "LEVEL",
    "applies",
    "asymptotic_excess",
    "drift_law",
    "drift_rate",
    "escaping",
    "history_evidence",
    "levels",
    "limit",
    "line_slope",
    "profile",
    "valley",
]

LEVEL = 0.25 - 1.0 / (2.0 * math.pi)  # the best linear fit of relu(x) on N(0, 1): Var(y) - Cov(y, x)^2
ESCAPE = {"far": 3.0, "tol_level": 1e-3}  # the decision's defaults: kink position (in sd) and excess over the level


def line_slope() -> float:
    """``alpha``, the slope of the best linear fit of ``relu(x)`` on ``N(0, 1)`` (``Cov(x, y) = 1/2``)."""
    return 0.5


def applies(problem) -> str | None:
    """None when the analysis covers ``problem``, else why not (in words)."""
    neuron = problem.as_neuron()
    if neuron is None:
        return "the escape analysis is about the single neuron a s(w x + b) + c"
    cfg = neuron.config()
    why = []
    if cfg["teacher"]["name"] != "relu":
        why.append(f"its teacher is {cfg['teacher']['name']}, not relu")
    if cfg["inputs"].get("kind") != "gaussian":
        why.append("its inputs are not N(0, 1)")
    if set(neuron.trained) != {"w", "b", "a", "c"}:
        why.append(f"it trains {', '.join(neuron.trained)}, not all of w, b, a, c")
    if not neuron.student.piecewise_linear or not (0 <= neuron.student.slopes[0] < neuron.student.slopes[1]):
        why.append(f"its student {neuron.student.label} is not piecewise linear with slopes 0 <= l < r")
    return "; ".join(why) or None


def _slopes(problem):
    reason = applies(problem)
    if reason is not None:
        raise ValueError(f"no escape analysis for this problem: {reason}")
    if not jax.config.read("jax_enable_x64"):
        raise RuntimeError("the escape analysis needs float64: call jax.config.update('jax_enable_x64', True) first")
    l, r = problem.as_neuron().student.slopes
    return float(l), float(r)


def _moments(kappa, l, r):
    """``(Cov(y, h), Var(h), E h, D)`` for ``h = s(kappa - x)``, from the tail forms (no cancellation)."""
    g = r - l
    root2pi = math.sqrt(2 * math.pi)
    k = jnp.abs(kappa)
    phi = jnp.exp(-k * k / 2) / root2pi
    Q = erfc(k / math.sqrt(2.0)) / 2
    m = phi - k * Q
    var_t = (k * k + 1) * Q - k * phi - m * m
    right = kappa >= 0
    cov = jnp.where(right, -r / 2 + g * (Q - m / root2pi), -l / 2 - g * m / root2pi)
    var = jnp.where(right, r * r - 2 * r * g * Q + g * g * var_t, l * l + 2 * l * g * Q + g * g * var_t)
    mean = jnp.where(right, r * kappa + g * m, l * kappa + g * m)
    d = jnp.where(
        right,
        r * g * (Q / 2 - m / root2pi) + g * g * (var_t / 4 - (Q - m / root2pi) ** 2),
        l * g * (Q / 2 - m / root2pi) + g * g * (var_t / 4 - m * m / (2 * math.pi)),
    )
    return cov, var, mean, d


def profile(problem, kappa) -> dict:
    """The valley's profile at kinks ``kappa`` (any shape), for ``w < 0``: ``excess`` ``eps(kappa)`` over the
    level, the best amplitude ``A* = a |w|`` and offset ``c*``, exact (closed forms)."""
    l, r = _slopes(problem)
    kappa = jnp.asarray(kappa, jnp.float64)
    cov, var, mean, d = _moments(kappa, l, r)
    amp = cov / var
    return {
        "excess": np.asarray(d / var),
        "amplitude": np.asarray(amp),
        "offset": np.asarray(1 / math.sqrt(2 * math.pi) - amp * mean),
    }


def _eps(kappa, l, r):
    _, var, _, d = _moments(kappa, l, r)
    return d / var


def _floor(kappa, delta, l, r):
    """The valley floor at ``kappa`` for the conserved ``delta``: ``(w, b, a, c)``, ``w < 0``."""
    cov, var, mean, _ = _moments(kappa, l, r)
    amp = cov / var
    c = 1 / math.sqrt(2 * math.pi) - amp * mean
    q = 1 + kappa * kappa
    u = (-delta + jnp.sqrt(delta * delta + 4 * q * amp * amp)) / (2 * q)
    w = -jnp.sqrt(u)
    return jnp.stack([w, -kappa * w, amp / jnp.sqrt(u), c])


def valley(problem, kappa, delta) -> dict:
    """The valley floor ``theta(kappa)`` (``w < 0``) of the flows with conserved ``delta = a^2 - w^2 - b^2``."""
    l, r = _slopes(problem)
    th = jax.vmap(lambda k: _floor(k, delta, l, r))(jnp.atleast_1d(jnp.asarray(kappa, jnp.float64)))
    return {name: np.asarray(th[:, i]) for i, name in enumerate("wbac")}


def _rate(kappa, delta, l, r):
    eps_prime = jax.grad(lambda k: _eps(k, l, r))(kappa)
    tangent = jax.jacfwd(lambda k: _floor(k, delta, l, r))(kappa)
    return -eps_prime / jnp.sum(tangent * tangent)


def drift_rate(problem, kappa, delta) -> np.ndarray:
    """``d kappa / dt`` on the valley floor (the drift law), at kinks ``kappa`` for the conserved ``delta``."""
    l, r = _slopes(problem)
    k = jnp.atleast_1d(jnp.asarray(kappa, jnp.float64))
    return np.asarray(jax.vmap(lambda x: _rate(x, jnp.float64(delta), l, r))(k))


@partial(jax.jit, static_argnums=(4, 5))
def _integrate(kappa0, delta, s0, s_out, l, r):
    import diffrax as dfx

    def field(s, k, d):  # in log time s = log t: dk/ds = t dk/dt
        return jnp.exp(s) * _rate(k, d, l, r)

    def one(k0, d):
        sol = dfx.diffeqsolve(
            dfx.ODETerm(field),
            dfx.Tsit5(),
            t0=s0,
            t1=s_out[-1],
            dt0=1e-3,
            y0=k0,
            args=d,
            saveat=dfx.SaveAt(ts=s_out),
            stepsize_controller=dfx.PIDController(rtol=1e-10, atol=1e-12),
            max_steps=100_000,
        )
        return sol.ys

    return jax.vmap(one)(kappa0, delta)


def drift_law(problem, kappa0, delta, t0, times) -> dict:
    """Integrate the drift law from kinks ``kappa0`` at time ``t0`` (flow time; ``lr x steps`` for gradient
    descent), one run per entry of ``kappa0`` and ``delta``, to ``times`` (each ``> t0``): the predicted ``kappa``
    and excess loss ``eps(kappa)`` there, ``(T,)`` for scalars or ``(T, S)``."""
    l, r = _slopes(problem)
    times = np.asarray(times, np.float64)
    if not (np.all(np.isfinite(times)) and times.ndim == 1 and times.size and np.all(times > t0) and t0 > 0):
        raise ValueError(f"times must be finite and after t0 = {t0!r} > 0, got {times!r}")
    if np.any(np.diff(times) <= 0):
        raise ValueError("times must increase")
    scalar = np.ndim(kappa0) == 0
    k0 = jnp.atleast_1d(jnp.asarray(kappa0, jnp.float64))
    d = jnp.broadcast_to(jnp.asarray(delta, jnp.float64), k0.shape)
    kappa = np.asarray(_integrate(k0, d, jnp.float64(math.log(t0)), jnp.log(jnp.asarray(times)), l, r)).T
    kappa = kappa[:, 0] if scalar else kappa
    return {"times": times, "kappa": kappa, "excess": profile(problem, kappa)["excess"]}


def asymptotic_excess(t, kappa) -> np.ndarray:
    """The drift law's limit form ``alpha^2 / (kappa^2 t)`` of the excess loss at flow time ``t``."""
    return line_slope() ** 2 / (np.asarray(kappa, float) ** 2 * np.asarray(t, float))


def escaping(problem, final, *, loss=None, grads=None, far=ESCAPE["far"], tol_level=ESCAPE["tol_level"]) -> dict:
    """Which end states escape toward the level of the best linear fit.

    Args:
      problem: a problem of the protocol (undecided unless :func:`applies` is None).
      final: end states, every leaf with a leading starts axis.
      loss, grads: their exact loss and gradient, when already computed.
      far: the kink's distance from 0 (standard deviations) beyond which the unit is linear on the bulk.
      tol_level: the largest excess loss over the level.

    Returns:
      dict with ``mask`` ``(S,)`` (escaping), ``reason`` (why the analysis does not apply, or ""), and per start
      ``kappa``, ``drift`` (``d kappa / dt`` from the exact gradient), ``excess`` over the level, ``delta`` and the
      ``proof`` of the level (:func:`analysis.proofs.prove_line_level`, its reason).
    """
    leaves = jax.tree_util.tree_leaves(final)
    n = int(np.shape(leaves[0])[0]) if leaves else 0
    reason = applies(problem)
    if reason is not None:
        return {"mask": np.zeros(n, bool), "reason": reason}
    from .proofs import prove_line_level

    proof = prove_line_level(problem)
    p = {k: jnp.asarray(np.asarray(v), jnp.float64) for k, v in final.items()}
    if loss is None or grads is None:
        loss, grads = problem.population_batch(p)
    loss = np.asarray(loss, np.float64)
    w, b, a = (np.asarray(p[k]) for k in "wba")
    gw, gb = np.asarray(grads["w"]), np.asarray(grads["b"])
    l, r = problem.as_neuron().student.slopes
    with np.errstate(divide="ignore", invalid="ignore"):
        kappa = np.where(w != 0, -b / w, np.nan)
        drift = -((b / w**2) * gw + (-1 / w) * gb)  # d kappa / dt = -grad kappa . grad L
    excess = loss - LEVEL
    slope_nonzero = np.where(kappa > 0, r != 0, l != 0)
    outward = np.sign(kappa) * drift > 0
    mask = (
        np.isfinite(loss)
        & (w < 0)
        & (np.abs(kappa) >= far)
        & slope_nonzero
        & (excess > 0)
        & (excess <= tol_level)
        & outward
        & bool(proof.proven)
    )
    return {
        "mask": mask,
        "reason": "",
        "kappa": kappa,
        "drift": drift,
        "excess": excess,
        "delta": a * a - w * w - b * b,
        "proof": proof.reason,
        "level": LEVEL,
        "far": far,
        "tol_level": tol_level,
    }


def history_evidence(times, kappa, excess) -> dict[str, Any]:
    """Evidence over decades for one run: whether the kink moved out and the excess fell at every record."""
    times, kappa, excess = (np.asarray(v, float) for v in (times, kappa, excess))
    ok = np.isfinite(kappa) & np.isfinite(excess)
    t, k, e = times[ok], kappa[ok], excess[ok]
    return {
        "decades": float(np.log10(t[-1] / t[0])) if t.size > 1 else 0.0,
        "kink_moves_out": bool(t.size > 1 and np.all(np.diff(np.abs(k)) > 0)),
        "excess_falls": bool(t.size > 1 and np.all(np.diff(e) < 0)),
    }


LIMIT = {"t_end": 1e12, "tol_move": 1e-9, "decades": 3}  # the limit analysis's defaults


def levels(problem) -> dict[str, float]:
    """The levels a single neuron approaches at infinity, exact: the best linear fit of its teacher on its
    inputs (the unit linear on the bulk of the data) and the best constant (the unit off, or constant, there)."""
    import landscape as L

    neuron = problem.as_neuron()
    if neuron is None:
        return {}
    cfg = neuron.config()
    teacher = (cfg["teacher"]["name"], {k: v for k, v in cfg["teacher"].items() if k != "name"})
    out = {}
    for name, student, trained in (("best linear fit", "identity", ("w", "c")), ("best constant", "zero", ("c",))):
        sub = L.Problem(student=student, teacher=teacher, inputs=neuron.inputs, trained=trained)
        vec = lambda v, sub=sub, trained=trained: sub.population_loss(dict(zip(trained, v, strict=True)))
        x0 = jnp.zeros(len(trained), jnp.float64)
        g, H = jax.grad(vec)(x0), jax.hessian(vec)(x0)  # the loss is a quadratic in these parameters
        best = x0 - jnp.linalg.solve(H, g)
        out[name] = float(vec(best))
    return out


def limit(
    problem, final, *, min_loss=None, diverged=None, t_end=LIMIT["t_end"], tol_move=LIMIT["tol_move"], **classify_kw
) -> dict:
    """Where runs end in the limit: the gradient flow from ``final`` to ``t_end`` (:func:`landscape.flow.
    gradient_flow`, records every decade), then each run labelled by the classifier at ``t_end`` and by its last
    decades:

    * ``escaping``: by the exact analysis (:func:`escaping`) at ``t_end``, or measured: the loss above a level
      of :func:`levels` by at most ``tol_level``, falling at each of the last ``decades`` decades while the
      parameters' norm grows at each (no certificate: said so);
    * ``stationary``: the classifier's stationary point, and the parameters moved less than ``tol_move``
      (relative) over the last decade: converged;
    * ``moving``: otherwise, the limit analysis cannot decide (a gradient below the classifier's tolerance
      that still moves is not a stationary point);
    * ``global_min``, ``dead``, ``diverged`` as the classifier says at ``t_end``.

    ``diverged`` (``(S,)`` bool): runs already diverged before (they stay diverged).

    Returns:
      dict with ``basins`` (:class:`analysis.basins.Basins` at ``t_end``, labels as above), ``flow``, and
      per run ``analysed`` (escaping by the exact analysis of the end state, its level proven unreachable) and
      ``measured`` (escaping by the decades only).
    """
    from landscape.flow import STATUS, decades, gradient_flow

    from .basins import BASINS, classify, summarize

    flow = gradient_flow(problem, final, t_end=t_end, times=decades(t_end))
    diverged = (flow.status == STATUS.index("diverged")) | (False if diverged is None else np.asarray(diverged, bool))
    b = classify(problem, flow.final, diverged=diverged, min_loss=min_loss, **classify_kw)
    labels = b.labels.copy()
    analysed = labels == BASINS.index("escaping")
    k = LIMIT["decades"]
    leaves = jax.tree_util.tree_leaves(flow.params)
    vec = np.concatenate([np.asarray(v).reshape(v.shape[0], v.shape[1], -1) for v in leaves], -1)
    norm = np.linalg.norm(vec, axis=-1)  # (T, S)
    moved = np.linalg.norm(vec[-1] - vec[-2], axis=-1) / np.maximum(1.0, norm[-1])
    named = levels(problem)
    tol_level = ESCAPE["tol_level"]
    measured = np.zeros(b.n, bool)
    level_of = np.full(b.n, "", object)
    for name, value in named.items():
        exc = flow.loss[-k - 1 :] - value
        ok = (exc[-1] > 0) & (exc[-1] <= tol_level) & np.all(np.diff(exc, axis=0) < 0, axis=0)
        ok &= np.all(np.diff(norm[-k - 1 :], axis=0) > 0, axis=0)
        level_of[ok & (level_of == "")] = name
        measured |= ok
    undecided = np.isin(labels, [BASINS.index("stationary"), BASINS.index("moving")])
    labels[undecided & measured] = BASINS.index("escaping")
    still = undecided & ~measured
    labels[still & (moved < tol_move) & (b.labels == BASINS.index("stationary"))] = BASINS.index("stationary")
    labels[still & ~((moved < tol_move) & (b.labels == BASINS.index("stationary")))] = BASINS.index("moving")
    out = summarize(labels, {**b.thresholds, "t_end": t_end, "tol_move": tol_move, "tol_level": tol_level}, 0.95)
    return {
        "basins": out,
        "flow": flow,
        "analysed": analysed,
        "measured": measured & undecided,
        "level": level_of,
        "moved": moved,
        "escape": b.escape,
    }
