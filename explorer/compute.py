"""What the explorer's endpoints compute: thin calls of ``landscape`` and ``analysis`` on validated settings.

Every function takes the settings of :mod:`explorer.schema` and returns a
JSON-ready dict. Shapes are bucketed so that ordinary use compiles once:
learning rates and other hyperparameters are passed as injected per-start
values (a new step size is data, not a new program), runs are recorded at a
fixed number of points, and the landscape grid and basin maps come in a few
sizes chosen by the page.
"""

from __future__ import annotations

import math
import threading
import time

import jax
import jax.numpy as jnp
import numpy as np

import landscape as L
from analysis import basins as B
from analysis import geometry as G
from analysis import phase as P

RECORDS = 200  # recorded points of a run (at most; fewer where the step count has no such divisor)
MAX_PROGRAMS = 64  # distinct compiled shapes kept; beyond, JAX's caches are cleared (memory stays bounded)
_PROGRAMS = {"seen": set(), "lock": threading.Lock(), "cleared": 0}


def _program(*shape):
    """Note a compiled shape; clear JAX's caches when there are more than ``MAX_PROGRAMS``."""
    with _PROGRAMS["lock"]:
        if shape in _PROGRAMS["seen"]:
            return
        if len(_PROGRAMS["seen"]) >= MAX_PROGRAMS:
            jax.clear_caches()
            _PROGRAMS["seen"].clear()
            _PROGRAMS["cleared"] += 1
        _PROGRAMS["seen"].add(shape)


def make_problem(p, trained=("w", "b")):
    act = p["activation"] + (f":{p['slope']!r}" if p["activation"] == "leaky_relu" else "")
    inputs = "gaussian" if p["inputs"] == "gaussian" else f"uniform:{p['lo']!r},{p['hi']!r}"
    return L.Problem(student=act, inputs=inputs, trained=trained)


def definitions():
    """The thresholds behind what the page draws and labels (the library's, stated on the page)."""
    return {"near_flat": dict(G.NEAR_FLAT), "classify": dict(B.TOLERANCES)}


def record_every(steps, records=RECORDS):
    """The smallest divisor ``r`` of ``steps`` with at most ``records`` recorded intervals."""
    for r in range(max(1, steps // records), steps + 1):
        if steps % r == 0 and steps // r <= records:
            return r
    return steps


def _axes(s):
    """The (w, b) grid axes: ``s["n"]`` points across each ``(lo, hi)`` range of ``s["box"]``."""
    (w_lo, w_hi), (b_lo, b_hi) = s["box"]["w"], s["box"]["b"]
    return np.linspace(w_lo, w_hi, s["n"]), np.linspace(b_lo, b_hi, s["n"])


def _finite(a):
    a = np.asarray(a, np.float64)
    return [None if not math.isfinite(v) else v for v in a.tolist()]


def landscape(s):
    """The exact loss over (w, b), the exact dead set, the region the classifier calls dead (within its
    tolerances) and the near-flat region (``analysis.geometry.near_flat``, the dead set included)."""
    problem = make_problem(s["problem"])
    n = s["n"]
    _program("landscape", n, repr(problem.config()))
    w, b = _axes(s)
    r = L.grid(problem, {"w": jnp.asarray(w), "b": jnp.asarray(b)}, quantities=("loss", "grad_norm"))
    loss, gn = np.asarray(r.loss), np.asarray(r.grad_norm)
    W, Bm = np.meshgrid(w, b, indexing="ij")
    at = {"w": jnp.asarray(W), "b": jnp.asarray(Bm)}
    dead_set = np.asarray(problem.dead_set(at))
    dead = np.asarray(problem.dead(at, tol_dead=B.TOLERANCES["tol_dead"], tol_active=B.TOLERANCES["tol_active"]))
    min_loss = problem.min_loss if problem.min_loss is not None else float(B.global_minimum(problem)[0])
    near = G.near_flat(loss, gn, min_loss)
    out = {
        "w": w.tolist(),
        "b": b.tolist(),
        "loss": [_finite(row) for row in loss],
        "dead_set": dead_set.astype(int).tolist(),
        "dead": dead.astype(int).tolist(),
        "near_flat": near.astype(int).tolist(),
        "min_loss": min_loss,
        "definitions": definitions(),
    }
    if problem.student.can_die:
        # the edge of the classifier's dead region, as a smooth field: log10 of the active input mass
        frac = np.asarray(L.neuron.active_fraction(problem, at))
        out["log10_active"] = [_finite(row) for row in np.log10(np.maximum(frac, 1e-300))]
    return out


def train_kwargs(s):
    """The arguments of ``landscape.train`` for a validated run (the browser test calls it the same way)."""
    problem = make_problem(s["problem"])
    kw = {
        "optimizer": s["optimizer"],
        "steps": s["steps"],
        "gradient": s["gradient"],
        "record_every": record_every(s["steps"]),
        "hyperparams": dict(s["hyper"]),
        "key": jax.random.key(s.get("seed", 0)),
    }
    if s["gradient"] == "minibatch":
        kw["batch_size"] = s["batch_size"]
    init = {"w": jnp.asarray([s["start"]["w"]], jnp.float64), "b": jnp.asarray([s["start"]["b"]], jnp.float64)}
    _program("train", s["optimizer"], s["steps"], s["gradient"], s.get("batch_size"), repr(problem.config()))
    return problem, init, kw


def train(s):
    problem, init, kw = train_kwargs(s)
    t0 = time.perf_counter()
    t = L.train(problem, init, **kw)
    w = np.asarray(t.params["w"])[:, 0]
    b = np.asarray(t.params["b"])[:, 0]
    fw, fb = float(np.asarray(t.final["w"])[0]), float(np.asarray(t.final["b"])[0])
    label = B.classify(problem, t.final, diverged=t.diverged).names()[0]
    return {
        "steps": np.asarray(t.steps).tolist(),
        "w": _finite(w),
        "b": _finite(b),
        "loss": _finite(np.asarray(t.population_loss)[:, 0]),
        "final": {"w": fw, "b": fb},
        "final_repr": {"w": repr(fw), "b": repr(fb)},
        "end_state": str(label),
        "diverged": bool(np.asarray(t.diverged)[0]),
        "seconds": time.perf_counter() - t0,
    }


def basins(s, should_stop=None):
    """The end states of a grid of starts (``landscape.train`` in chunks of a few rows: ``should_stop`` is asked
    between them, so that a request whose client left stops early)."""
    problem = make_problem(s["problem"])
    n = s["n"]
    w, b = _axes(s)
    W, Bm = np.meshgrid(w, b, indexing="ij")
    init = {"w": jnp.asarray(W.ravel()), "b": jnp.asarray(Bm.ravel())}
    _program("basins", s["optimizer"], n, s["steps"], repr(problem.config()))
    hyper = {k: np.full(n * n, v) for k, v in s["hyper"].items()}
    t0 = time.perf_counter()
    t = L.train(
        problem,
        init,
        optimizer=s["optimizer"],
        steps=s["steps"],
        gradient="population",
        record_every=s["steps"],
        hyperparams=hyper,
        key=jax.random.key(0),
        chunk=max(n, n * n // 8),
        should_stop=should_stop,
    )
    r = B.classify(problem, t.final, diverged=t.diverged)
    return {
        "w": w.tolist(),
        "b": b.tolist(),
        "labels": np.asarray(r.labels).reshape(n, n).tolist(),
        "names": list(B.BASINS),
        "fractions": {k: float(v) for k, v in r.fractions.items()},
        "seconds": time.perf_counter() - t0,
    }


def one_weight(s):
    """The original experiment: one weight, no bias, minibatch SGD; w and the loss at every recorded step."""
    problem = L.Problem(trained=("w",))
    steps = s["steps"]
    _program("one_weight", steps, s["batch_size"])
    t = L.train(
        problem,
        {"w": jnp.asarray([s["w0"]], jnp.float64)},
        optimizer=L.ORIGINAL.optimizer,
        steps=steps,
        batch_size=s["batch_size"],
        record_every=record_every(steps),
        key=jax.random.key(s["seed"]),
        hyperparams={"learning_rate": s["learning_rate"]},
    )
    return {
        "steps": np.asarray(t.steps).tolist(),
        "w": _finite(np.asarray(t.params["w"])[:, 0]),
        "loss": _finite(np.asarray(t.population_loss)[:, 0]),
        "batch_loss": _finite(np.asarray(t.batch_loss)[:, 0]),
    }


def phase(s):
    """The lip phase diagram of the original one-weight relu neuron (``analysis.phase``, its axes)."""
    n = s["n"]
    _program("phase", s["method"], n, s["steps"])
    lrs, betas = P.phase_axes(n)
    d = P.phase_diagram(
        L.Problem(student=L.ORIGINAL.student), s["method"], lrs=lrs, betas=betas, steps=s["steps"], w0=s["w0"]
    )
    return {
        "lrs": lrs.tolist(),
        "betas": betas.tolist(),
        "first_crossing": np.asarray(d.simulated).tolist(),
        "boundary_infinite": _finite(d.boundary_infinite) if d.boundary_infinite is not None else None,
        "boundary_finite": _finite(d.boundary_finite) if d.boundary_finite is not None else None,
        "disagreement_cells": int(d.disagreement_cells),
    }
