"""The experiments of the study, registered by name (see :mod:`analysis.registry`).

Contract
--------
Each experiment is a pure function from settings to data (arrays and named
numbers), registered with its default settings (one setting per experiment,
recorded in every result) and its quick overrides. The claims
(:mod:`analysis.claims`) and the figures (one per experiment, named after it)
both read these results. Trajectories that end are classified by
:func:`analysis.classify`; runs that are still moving are labelled so, never
counted as stuck. Minibatch runs of the original experiment are float32, as
Keras; exact-gradient runs and geometry are float64.

The original experiment's settings come from ``landscape.ORIGINAL`` (SGD at
Keras' default step, 2000 steps, batch 1000, float32, ``w0 = -10``), the
classifier's thresholds from ``analysis.basins.TOLERANCES``.
"""

from __future__ import annotations

import math
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

import landscape as L

from . import deep as D
from . import geometry as G
from . import phase as P
from .basins import classify, global_minimum, stop_rule
from .registry import experiment
from .stats import CONFIDENCE

__all__ = ["ACTIVATIONS", "activation"]

O = L.ORIGINAL
ACTIVATIONS = ("relu", "leaky_relu:0.3", "elu", "selu", "softplus")
F64 = jnp.float64


def activation(text):
    """``"leaky_relu:0.3"`` -> ``("leaky_relu", {"slope": 0.3})`` (settings stay JSON-ready strings)."""
    return L.activations.parse(text)


def _dtype(name):
    return {"float32": jnp.float32, "float64": jnp.float64}[name]


def _opt(name, lr, momentum=None):
    hp = {"learning_rate": lr}
    if momentum is not None and name in ("momentum", "nesterov"):
        hp["momentum"] = momentum
    return L.optimizer(name, **hp)


def _opt_hp(name, lr, momentum=None):
    """The optimizer ``name`` with its defaults, and the hyperparameters to inject per start: one
    compilation per optimizer name, whatever the step size."""
    hp = {"learning_rate": lr}
    if momentum is not None and name in ("momentum", "nesterov"):
        hp["momentum"] = momentum
    return L.optimizer(name), hp


def _labels_and_counts(b):
    return {"labels": b.labels, "counts": {k: np.int64(v) for k, v in b.counts.items()}, "n": np.int64(b.n)}


# ----------------------------------------------------------------- the original experiment
@experiment(
    "good_start",
    quick={"seeds": 4},
    w0s=(0.1, 0.5, 2.0, 3.0, 10.0),
    seeds=16,
    student=O.student,
    lr=O.learning_rate,
    steps=O.steps,
    batch=O.batch_size,
    dtype=O.dtype,
    seed=O.seed,
)
def good_start(*, w0s, seeds, student, lr, steps, batch, dtype, seed):
    """Minibatch SGD from positive starts (Q1): weight and loss per epoch, end states classified."""
    problem = L.Problem(student=activation(student))
    w0 = np.repeat(np.asarray(w0s, np.float64), seeds)
    t = L.train(
        problem,
        {"w": jnp.asarray(w0, _dtype(dtype))},
        optimizer=_opt("sgd", lr),
        steps=steps,
        batch_size=batch,
        record_every=O.steps_per_epoch,
        streams="independent",
        key=jax.random.key(seed),
        probes={"crossed": P.CROSSED},
    )
    b = classify(problem, {"w": jnp.asarray(t.final["w"], F64)}, diverged=t.diverged)
    return {
        "w0": w0,
        "w": np.asarray(t.params["w"]),
        "batch_loss": np.asarray(t.batch_loss),
        "exact": np.asarray(t.population_loss),
        "epoch_steps": np.asarray(t.steps),
        **_labels_and_counts(b),
    }


@experiment(
    "backwards_start",
    quick={"n_w0": 6, "seeds": 4},
    n_w0=16,
    seeds=16,
    student=O.student,
    lr=O.learning_rate,
    steps=O.steps,
    batch=O.batch_size,
    dtype=O.dtype,
    seed=O.seed,
)
def backwards_start(*, n_w0, seeds, student, lr, steps, batch, dtype, seed):
    """Minibatch SGD from negative starts in [-10, -0.1] (Q2, A5): history, crossings of w = 0, end states."""
    problem = L.Problem(student=activation(student))
    w0s = -np.geomspace(0.1, -O.w0, n_w0)
    w0 = np.repeat(w0s, seeds)
    t = L.train(
        problem,
        {"w": jnp.asarray(w0, _dtype(dtype))},
        optimizer=_opt("sgd", lr),
        steps=steps,
        batch_size=batch,
        record_every=O.steps_per_epoch,
        streams="independent",
        key=jax.random.key(seed),
        probes={"crossed": P.CROSSED},
    )
    b = classify(problem, {"w": jnp.asarray(t.final["w"], F64)}, diverged=t.diverged)
    return {
        "w0": w0,
        "w": np.asarray(t.params["w"]),
        "batch_loss": np.asarray(t.batch_loss),
        "exact": np.asarray(t.population_loss),
        "crossed": np.asarray(t.probes["crossed"]),
        "dead_level": problem.dead_level(F64),
        "epoch_steps": np.asarray(t.steps),
        **_labels_and_counts(b),
    }


# ------------------------------------------------------------------------- the kink
@experiment(
    "kink",
    quick={"batches": 50, "samples": 50_000},
    student="relu",
    teacher="relu",
    batches=400,
    samples=200_000,
    seed=0,
)
def kink(*, student, teacher, batches, samples, seed):
    """The exact L(w) of the no-bias problem: kink, one-sided slopes, chords, lines, gradient decay,
    the minibatch band, per-sample gradients (A1-A4, C2)."""
    problem = L.Problem(student=activation(student), teacher=activation(teacher))
    ws = np.linspace(-2, 2, 401)
    exact = np.asarray(problem.population_loss({"w": jnp.asarray(ws, F64)}))
    xs = problem.sample(jax.random.key(seed), (batches, O.batch_size), F64)
    bl = jax.jit(jax.vmap(lambda x: jax.vmap(lambda w: L.neuron.batch_loss(problem, {"w": w}, x))(jnp.asarray(ws))))(xs)
    lo, hi = np.percentile(np.asarray(bl), [50 * (1 - CONFIDENCE), 50 * (1 + CONFIDENCE)], axis=0)
    out = {"w": ws, "exact": exact, "band_lo": lo, "band_hi": hi, "band_level": CONFIDENCE, "batch": O.batch_size}
    if problem.student.kinked:
        d = G.one_sided_derivatives(problem, {"w": 0.0}, {"w": 1.0})
        out["one_sided"] = {
            "left": d["left"],
            "right": d["right"],
            "jump": d["jump"],
            "quotient_left": d["quotient_left"],
            "quotient_right": d["quotient_right"],
        }
    gd_s = np.logspace(-6, 1, 29)
    _, g = L.neuron.population_loss_and_grad(problem, {"w": jnp.asarray(-gd_s, F64)})
    out["decay"] = {"distance": gd_s, "gradient": np.asarray(g["w"])}
    c = G.nonconvexity_witness(problem, {"w": (-2.0, 2.0)})
    out["chord"] = {"found": np.bool_(c is not None)}
    if c is not None:
        out["chord"].update(
            {
                "a": c.a["w"],
                "b": c.b["w"],
                "loss_a": c.loss_a,
                "loss_b": c.loss_b,
                "mid": c.mid["w"],
                "loss_mid": c.loss_mid,
                "gap": c.gap,
            }
        )
    line = G.line_crossings(problem, {"w": (-2.0, 2.0)})
    out["line"] = {
        "slope": line["slope"],
        "offset": line["offset"],
        "crossings": np.asarray(line["crossings"]),
        "count": np.int64(line["count"]),
    }
    l0, l1 = (float(problem.population_loss({"w": jnp.asarray(w, F64)})) for w in (0.0, 1.0))
    out["L0"], out["L1"], out["min_loss"] = l0, l1, float(global_minimum(problem)[0])
    # per-sample gradients for w < 0, split by the sign of the pre-activation w x and of the target's input x
    x = problem.sample(jax.random.key(seed + 1), (samples,), F64)
    wl = -np.geomspace(1e-4, 3, 16)
    per = jax.jit(
        jax.vmap(
            lambda w: jax.vmap(
                jax.grad(lambda w_, xi: (L.neuron.predict(problem, {"w": w_}, xi) - L.neuron.target(problem, xi)) ** 2),
                in_axes=(None, 0),
            )(w, x)
        )
    )(jnp.asarray(wl, F64))
    per = np.asarray(per)
    neg_pre = (wl[:, None] * np.asarray(x)[None, :]) <= 0
    out["per_sample"] = {
        "w": wl,
        "max_abs_where_inactive": np.max(np.abs(np.where(neg_pre, per, 0.0))),
        "max_abs_where_active": np.max(np.abs(np.where(neg_pre, 0.0, per))),
    }
    # A4: exact SGD from the original start: the step taken shrinks as w approaches 0 from the left
    t = L.train(
        problem,
        {"w": jnp.asarray([O.w0], F64)},
        optimizer=_opt(O.optimizer, O.learning_rate),
        steps=O.steps,
        gradient="population",
        record_every=1,
        key=jax.random.key(0),
    )
    wt = np.asarray(t.params["w"][:, 0])
    out["sgd_path"] = {"w": wt[::10], "step": np.abs(np.diff(wt))[::10]}
    return out


# ------------------------------------------------------------------------ (w, b) plane
@experiment(
    "wb_landscape",
    quick={"grid": 121, "n_traj": 7, "samples": 4000, "scan": 41},
    grid=401,
    n_traj=11,
    samples=20000,
    scan=101,
    student="relu",
    teacher="relu",
    lr=0.1,
    steps=2000,
    seed=0,
)
def wb_landscape(*, grid, n_traj, samples, scan, student, teacher, lr, steps, seed):
    """The (w, b) plane: exact contours, near-flat region, convexity, differentiability, trajectories (Q3)."""
    problem = L.Problem(student=activation(student), teacher=activation(teacher), trained=("w", "b"))
    box = {"w": (-3.0, 3.0), "b": (-3.0, 3.0)}
    dz = G.dead_zone(problem, box, n=grid, eps=(G.NEAR_FLAT["eps"],))
    r = L.grid(problem, {"w": jnp.asarray(dz.axes["w"]), "b": jnp.asarray(dz.axes["b"])})
    cert = G.nonconvexity_witness(problem, box, samples=samples)
    # differentiability: the gradient's jump across every point of a scan grid and of the exact non-smooth set
    # (its points in the box: the origin for Gaussian inputs), each point once
    ax = np.linspace(-3, 3, scan)
    W, B = np.meshgrid(ax, ax, indexing="ij")
    pts = np.unique(np.concatenate([np.stack([W.ravel(), B.ravel()], 1), [[0.0, 0.0]]]), axis=0)
    jumps = G.gradient_jumps(problem, {"w": pts[:, 0], "b": pts[:, 1]}, h=1e-9)
    kinks = jumps > 1e-6
    predicted = np.asarray(problem.nonsmooth({"w": jnp.asarray(pts[:, 0]), "b": jnp.asarray(pts[:, 1])}))
    g = np.linspace(-2.6, 2.6, n_traj)
    W0, B0 = np.meshgrid(g, g, indexing="ij")
    t = L.train(
        problem,
        {"w": jnp.asarray(W0.ravel()), "b": jnp.asarray(B0.ravel())},
        optimizer=_opt("sgd", lr),
        steps=steps,
        record_every=20,
        key=jax.random.key(seed),
    )
    b = classify(problem, t.final, diverged=t.diverged)
    eps = G.NEAR_FLAT["eps"]
    optimum = problem.optimum()
    return {
        "w": dz.axes["w"],
        "b": dz.axes["b"],
        "loss": np.asarray(r.loss),
        "near_flat": dz.near_flat[eps],
        "flat_fraction": dz.near_flat_fraction[eps],
        "near_flat_eps": eps,
        "near_flat_delta": dz.delta,
        "dead_set": dz.dead,
        "min_loss": dz.min_loss,
        "lr": lr,
        "optimum": np.asarray([optimum[k] for k in ("w", "b")]) if optimum else np.full(2, np.nan),
        "convexity": {"found": np.bool_(cert is not None), "gap": cert.gap if cert else 0.0},
        "smoothness": {
            "points": np.int64(len(pts)),
            "nonsmooth": np.int64(kinks.sum()),
            "nonsmooth_w": pts[kinks, 0],
            "nonsmooth_b": pts[kinks, 1],
            "predicted": np.int64(predicted.sum()),
            "agree_with_exact_set": np.bool_(np.array_equal(kinks, predicted)),
        },
        "tw": np.asarray(t.params["w"]),
        "tb": np.asarray(t.params["b"]),
        **_labels_and_counts(b),
    }


@experiment(
    "basins",
    quick={"grid": 20, "steps": 4000},
    optimizer=O.optimizer,
    lr=0.1,
    momentum=0.9,
    steps=20000,
    grid=128,
    batch=O.batch_size,
    student=O.student,
    dtype=O.dtype,
    seed=O.seed,
)
def basins(*, optimizer, lr, momentum, steps, grid, batch, student, dtype, seed):
    """Where a grid of (w, b) starts ends under minibatch training (Q4): run until every start is at the
    minimum, dead or stationary (at most ``steps``), then classified; the share still moving is kept."""
    problem = L.Problem(student=activation(student), trained=("w", "b"))
    g = np.linspace(-3, 3, grid)
    W, B = np.meshgrid(g, g, indexing="ij")
    dt = _dtype(dtype)
    t = L.train(
        problem,
        {"w": jnp.asarray(W.ravel(), dt), "b": jnp.asarray(B.ravel(), dt)},
        optimizer=_opt(optimizer, lr, momentum),
        steps=steps,
        batch_size=batch,
        record_every=steps,
        stop=stop_rule(problem, 100),
        key=jax.random.key(seed),
    )
    b = classify(problem, {k: jnp.asarray(v, F64) for k, v in t.final.items()}, diverged=t.diverged)
    return {
        "axis": g,
        "w0": W.ravel(),
        "b0": B.ravel(),
        "steps_run": np.asarray(t.steps_run),
        **_labels_and_counts(b),
        "fractions": dict(b.fractions.items()),
    }


# -------------------------------------------------------------------- activations
@experiment(
    "activations",
    quick={"seeds": 2},
    students=ACTIVATIONS,
    w0=O.w0,
    lr=O.learning_rate,
    steps=O.steps,
    batch=O.batch_size,
    seeds=8,
    gradient="minibatch",
    warmup="softplus",
    dtype=O.dtype,
    seed=O.seed,
)
def activations(*, students, w0, lr, steps, batch, seeds, gradient, warmup, dtype, seed):
    """Each student from w0 = -10 with the original SGD (C1, A6, A11), and a softplus warm-up (``steps``) switched
    to relu (``steps`` more)."""
    out: dict[str, Any] = {"students": np.asarray(students)}
    dt = _dtype(dtype)
    kw: dict[str, Any] = dict(
        optimizer=_opt("sgd", lr),
        batch_size=batch,
        record_every=O.steps_per_epoch,
        gradient=gradient,
        streams="independent",
        key=jax.random.key(seed),
    )
    for i, s in enumerate(students):
        problem = L.Problem(student=activation(s))
        t = L.train(problem, {"w": jnp.full((seeds,), w0, dt)}, steps=steps, **kw)
        lmin, pmin = global_minimum(problem)
        if pmin is None:
            raise RuntimeError(f"the global minimum of {problem.label} came without the point that attains it")
        b = classify(problem, {"w": jnp.asarray(t.final["w"], F64)}, diverged=t.diverged, min_loss=lmin, tol_loss=1e-3)
        out[f"s{i}"] = {
            "label": problem.student.label,
            "w": np.asarray(t.params["w"]),
            "exact": np.asarray(t.population_loss),
            "optimum_w": float(pmin["w"]),
            "optimum_loss": float(lmin),
            **_labels_and_counts(b),
        }
    # warm-up: the warm-up student for the budget, then relu from where it got, for the budget again
    t1 = L.train(L.Problem(student=activation(warmup)), {"w": jnp.full((seeds,), w0, dt)}, steps=steps, **kw)
    t2 = L.train(L.Problem(), {"w": t1.final["w"]}, steps=steps, **kw)
    b = classify(L.Problem(), {"w": jnp.asarray(t2.final["w"], F64)}, diverged=t2.diverged, tol_loss=1e-3)
    out["switch"] = {
        "w_at_switch": np.asarray(t1.final["w"]),
        "w": np.asarray(t2.final["w"]),
        "exact": np.asarray(t2.population_loss[-1]),
        **_labels_and_counts(b),
    }
    return out


# --------------------------------------------------------------------- optimizers
# A8: each optimizer at its Keras default step (the answer keeps the defaults); A9: each at the original step
RUNS_A8 = tuple(
    (name, L.optimizers.defaults(name)["learning_rate"])
    for name in ("sgd", "momentum", "adam", "adam_keras", "amsgrad", "amsgrad_keras")
)
RUNS_A9 = tuple((name, O.learning_rate) for name in ("adam", "adam_keras", "momentum", "sgd"))


@experiment(
    "optimizers",
    quick={"seeds": 4, "long_steps": 30000},
    momentum=L.optimizers.defaults("momentum")["momentum"],
    steps=O.steps,
    batch=O.batch_size,
    seeds=16,
    long_steps=50000,
    dtype=O.dtype,
    seed=O.seed,
)
def optimizers(*, momentum, steps, batch, seeds, long_steps, dtype, seed):
    """Optimizers from w0 = -10 at the answer's settings (Keras defaults: Adam lr 0.001; A8) and from
    w0 = -1 at lr 0.01 (A9): minibatch trajectories (several batch streams) and exact-gradient crossings."""
    problem = L.Problem()
    out = {}
    dt = _dtype(dtype)
    for tag, w0, runs in (("a8", O.w0, RUNS_A8), ("a9", -1.0, RUNS_A9)):
        for name, lr in runs:
            opt, hp = _opt_hp(name, lr, momentum)
            every = math.gcd(100, steps)
            t = L.train(
                problem,
                {"w": jnp.full((seeds,), w0, dt)},
                optimizer=opt,
                steps=steps,
                batch_size=batch,
                record_every=every,
                streams="independent",
                probes={"crossed": P.CROSSED},
                hyperparams=hp,
                key=jax.random.key(seed),
            )
            te = L.train(
                problem,
                {"w": jnp.asarray([w0], F64)},
                optimizer=opt,
                steps=steps,
                gradient="population",
                record_every=every,
                probes={"crossed": P.CROSSED},
                hyperparams=hp,
                key=jax.random.key(seed),
            )
            out[f"{tag}_{name}"] = {
                "lr": lr,
                "w0": w0,
                "w": np.asarray(t.params["w"]),
                "crossed": np.asarray(t.probes["crossed"]),
                "exact_w": np.asarray(te.params["w"][:, 0]),
                "exact_crossed": np.int64(te.probes["crossed"][0]),
            }
    # A8: Adam over a longer budget (exact gradients), and the exact momentum needed at lr 0.01
    tl = L.train(
        problem,
        {"w": jnp.asarray([O.w0], F64)},
        optimizer=L.optimizer("adam"),
        steps=long_steps,
        gradient="population",
        record_every=long_steps,
        probes={"crossed": P.CROSSED},
        key=jax.random.key(0),
    )
    h = P.left_curvature(problem)
    beta_finite, tol = P.momentum_threshold("momentum", O.learning_rate, steps, h)
    out["a8_adam_long"] = {"steps": np.int64(long_steps), "crossed": np.int64(tl.probes["crossed"][0])}
    out["a8_momentum_threshold"] = {
        "finite": float(beta_finite[0]),
        "tolerance": tol,
        "infinite": float(P.heavy_ball_momentum(O.learning_rate, h)),
        "h": h,
    }
    return out


# -------------------------------------------------------------------------- the lip
@experiment(
    "lip",
    quick={"grid": 48, "cp_points": 9, "cp_seeds": 16, "mb_seeds": 16},
    grid=256,
    steps=O.steps,
    w0=O.w0,
    cp_points=25,
    cp_seeds=128,
    cp_steps=200,
    mb_seeds=64,
    student=O.student,
    seed=O.seed,
)
def lip(*, grid, steps, w0, cp_points, cp_seeds, cp_steps, mb_seeds, student, seed):
    """Crossing w = 0 from a backwards start: the (lr, momentum) phase diagram against its closed form,
    the minibatch crossing probability, and the exact SGD threshold for several starts (A7, A8, A12).
    The phase diagram and its closed form are for piecewise-linear students (whose loss is quadratic
    left of 0); the thresholds and the minibatch counts for any student."""
    problem = L.Problem(student=activation(student))
    out = {}
    if problem.student.piecewise_linear:
        lrs, betas = P.phase_axes(grid)
        d = P.phase_diagram(problem, "momentum", lrs=lrs, betas=betas, steps=steps, w0=w0)
        cp = P.crossing_probability(
            problem,
            lrs=np.geomspace(0.6, 1.6, cp_points),
            seeds=cp_seeds,
            steps=cp_steps,
            w0=w0,
            key=jax.random.key(seed),
        )
        fine = np.linspace(0, P.PHASE_AXES["beta_max"], 400)
        out = {
            "lrs": d.lrs,
            "betas": d.betas,
            "first": d.simulated,
            "analytic": d.analytic,
            "disagree": np.int64(d.disagreement_cells),
            "b_inf": P.boundary("momentum", fine),
            "b_fin": P.boundary("momentum", fine, steps),
            "fine": fine,
            "h": P.left_curvature(problem),
            "cp": {
                "lrs": cp["lrs"],
                "p": cp["probability"],
                "lo": cp["ci"][0],
                "hi": cp["ci"][1],
                "seeds": np.int64(cp["seeds"]),
            },
        }
    w0s = np.asarray([O.w0, -3.0, -1.0, -0.3, -0.1, -0.01])
    thr, thr_tol = sgd_thresholds(problem, w0s, steps)
    mb_lrs = np.asarray([0.9, 0.95, 1.0])
    mb = {}
    for j, w in enumerate((O.w0, -1.0, -0.1)):
        first = P.simulate_crossing(
            problem,
            "sgd",
            {"learning_rate": mb_lrs},
            w0=w,
            steps=cp_steps,
            gradient="minibatch",
            seeds=mb_seeds,
            key=jax.random.fold_in(jax.random.key(seed), j),
        )
        mb[f"w0_{j}"] = {"w0": w, "crossed": np.sum(np.asarray(first) > 0, axis=1)}
    out["thresholds"] = {"w0": w0s, "lr": thr, "tolerance": thr_tol}
    out["minibatch"] = {"lrs": mb_lrs, "seeds": np.int64(mb_seeds), **mb}
    return out


def sgd_thresholds(problem, w0s, steps, rounds=6, points=33, lo=1e-6, hi=10.0):
    """The smallest SGD step size that crosses w = 0 within ``steps``, for each start, by root finding.

    Multisection on the exact recursion simulated by the engine (every start
    and every step size of a round in one call): each round evaluates
    ``points`` log-spaced step sizes in the bracket and keeps the two around
    the first crossing; when even the smallest crosses, the bracket moves down
    by six decades. Returns the thresholds (NaN where no step size in
    ``[lo, hi]`` crosses) and the largest final bracket width.
    """
    n = len(w0s)
    lo = np.full(n, lo)
    hi = np.full(n, hi)
    found = np.zeros(n, bool)
    for _ in range(rounds):
        grid = np.exp(np.log(lo)[:, None] + (np.log(hi) - np.log(lo))[:, None] * np.linspace(0, 1, points)[None, :])
        starts = np.repeat(np.asarray(w0s, np.float64), points)
        t = L.train(
            problem,
            {"w": jnp.asarray(starts, F64)},
            optimizer=L.optimizer("sgd"),
            steps=steps,
            gradient="population",
            record_every=steps,
            hyperparams={"learning_rate": grid.ravel()},
            probes={"crossed": P.CROSSED},
            key=jax.random.key(0),
        )
        crossed = (np.asarray(t.probes["crossed"]) > 0).reshape(n, points)
        any_ = crossed.any(1)
        first = np.where(any_, crossed.argmax(1), points - 1)
        at0 = any_ & (first == 0)
        rows = np.arange(n)
        new_lo = np.where(at0, grid[:, 0] * 1e-6, grid[rows, np.maximum(first - 1, 0)])
        new_hi = np.where(any_, grid[rows, first], hi)
        found |= any_
        lo = np.where(any_, new_lo, lo)
        hi = np.where(any_, new_hi, hi)
    out = np.where(found, hi, np.nan)
    width = float(np.max(np.where(found, hi - lo, 0.0)))
    return out, width


# ---------------------------------------------------------------- output weight and bias
QUADS = ((1, 1), (-1, 1), (1, -1), (-1, -1))


def _quadrant_starts(rng, sign_w, sign_a, starts):
    """Starts of ``a s(w x + b) + c`` in one sign quadrant of (w, a): |w|, |a| uniform on [0.2, 2], b on [-1, 1],
    c on [-0.5, 0.5] (drawn in that order)."""
    return {
        "w": jnp.asarray(sign_w * rng.uniform(0.2, 2, starts), F64),
        "b": jnp.asarray(rng.uniform(-1, 1, starts), F64),
        "a": jnp.asarray(sign_a * rng.uniform(0.2, 2, starts), F64),
        "c": jnp.asarray(rng.uniform(-0.5, 0.5, starts), F64),
    }


@experiment(
    "four_parameter",
    quick={"starts": 32, "steps": 4000},
    starts=128,
    lr=0.05,
    steps=20000,
    student=O.student,
    seed=O.seed,
    t_end=1e12,
)
def four_parameter(*, starts, lr, steps, student, seed, t_end):
    """``a relu(w x + b) + c`` from the four sign quadrants of (w, a) with exact-gradient SGD, run until every
    start is at the minimum, dead or stationary (at most ``steps``) (Q5); then where each end state goes in the
    limit (:func:`analysis.escape.limit`: the gradient flow from it to ``t_end``, runs escaping to a level at
    infinity told apart, by the exact analysis or measured)."""

    problem = L.Problem(student=activation(student), trained=("w", "b", "a", "c"))
    rng = np.random.default_rng(seed)
    out: dict[str, Any] = {"x": np.linspace(-3, 3, 121)}
    ends = []
    for q, (sw, sa) in enumerate(QUADS):
        t = L.train(
            problem,
            _quadrant_starts(rng, sw, sa, starts),
            optimizer=_opt("sgd", lr),
            steps=steps,
            gradient="population",
            record_every=steps,
            stop=stop_rule(problem, 100),
            key=jax.random.key(seed),
        )
        b = classify(problem, t.final, diverged=t.diverged, escape=False)  # within the budget: as the runs stand
        f = np.asarray(
            L.neuron.predict(problem, {k: v[:, None] for k, v in t.final.items()}, jnp.asarray(out["x"])[None, :])
        )
        out[f"q{q}"] = {"sign_w": sw, "sign_a": sa, "f": f, **_labels_and_counts(b)}
        ends.append((t.final, t.diverged))
    # the limit of every quadrant's runs in one flow (one solve, its steps shared)
    final = {k: jnp.concatenate([e[0][k] for e in ends]) for k in ends[0][0]}
    lim = _limit(problem, final, jnp.concatenate([e[1] for e in ends]), t_end)
    for q in range(len(QUADS)):
        out[f"q{q}"] |= {k: v[q * starts : (q + 1) * starts] for k, v in lim.items()}
    return out


def _limit(problem, final, diverged, t_end, **classify_kw):
    """The limit analysis of end states (:func:`analysis.escape.limit`), as stored numbers."""
    from . import escape as E

    lim = E.limit(problem, final, t_end=t_end, diverged=diverged, **classify_kw)
    return {
        "limit_labels": lim["basins"].labels,
        "limit_analysed": lim["analysed"],
        "limit_measured": lim["measured"],
        "limit_loss": np.asarray(lim["flow"].loss[-1], np.float64),
    }


@experiment(
    "drift_law",
    quick={"students": ("relu",), "starts": 4, "steps": 20_000, "record": 200},
    students=("relu", "leaky_relu:0.3"),
    starts=16,
    lr=0.05,
    steps=4_000_000,
    record=4000,
    t_end=1e12,
    seed=0,
)
def drift_law(*, students, starts, lr, steps, record, t_end, seed):
    """Runs from both flipped (w < 0, a < 0) that drift to the best line's level at infinity: exact-gradient descent
    over four decades of steps and the gradient flow to ``t_end``, against the drift law integrated from each run's
    state at ``10 record`` steps (:func:`analysis.escape.drift_law`) and its limit form ``alpha^2 / (kappa^2 t)``."""
    from landscape.flow import gradient_flow

    from . import escape as E

    rng = np.random.default_rng(seed)
    out: dict[str, Any] = {"students": np.asarray(students), "level": E.LEVEL, "alpha": E.line_slope()}
    for i, student in enumerate(students):
        problem = L.Problem(student=activation(student), trained=("w", "b", "a", "c"))
        init = _quadrant_starts(rng, -1, -1, starts)  # both flipped
        t = L.train(
            problem,
            init,
            optimizer=_opt("sgd", lr),
            steps=steps,
            gradient="population",
            record_every=record,
            key=jax.random.key(seed),
        )
        run_steps = np.asarray(t.steps)
        w, b, a = (np.asarray(t.params[k]) for k in "wba")
        kappa = -b / w
        excess = np.asarray(t.population_loss) - E.LEVEL
        i0 = 10  # the law starts from each run's state at 10 records (the fast variables have relaxed)
        flow = gradient_flow(problem, init, t_end=t_end)
        ft = np.asarray(flow.times, np.float64)
        # the law over the runs' times, then on to the flow's (past the runs' end, to t_end)
        times = np.concatenate([lr * run_steps[i0 + 1 :], ft[ft > lr * run_steps[-1]]])
        delta = a[i0] ** 2 - w[i0] ** 2 - b[i0] ** 2
        law = E.drift_law(problem, kappa[i0], delta, lr * run_steps[i0], times)
        fk = -flow.params["b"] / flow.params["w"]
        b_end = classify(problem, t.final)
        out[f"s{i}"] = {
            "label": problem.student.label,
            "steps": run_steps,
            "kappa": kappa,
            "excess": excess,
            "law_times": times,
            "law_kappa": law["kappa"],
            "law_excess": law["excess"],
            "flow_times": flow.times,
            "flow_kappa": fk,
            "flow_excess": flow.loss - E.LEVEL,
            "flow_law_excess": E.profile(problem, fk)["excess"],  # eps at the flow's kinks (no loss rounding)
            "escaping": np.int64(b_end.counts["escaping"]),
            "proof": E.applies(problem) or (b_end.escape or {}).get("proof", ""),
        }
    return out


@experiment(
    "four_parameter_activations",
    quick={"starts": 32, "steps": 2000, "record": 1000},
    activations=("leaky_relu:0.3", "elu", "selu"),
    starts=256,
    lr=0.05,
    steps=40000,
    record=4000,
    seed=1,
    t_end=1e12,
)
def four_parameter_activations(*, activations, starts, lr, steps, record, seed, t_end):
    """``a act(w x + b) + c`` for other activations from random starts (A10): end states at every
    ``record`` steps, so the report can show how the share still moving falls with the budget, and where the
    end states go in the limit (:func:`analysis.escape.limit`, the gradient flow to ``t_end``) for students whose
    loss is in closed form."""
    rng = np.random.default_rng(seed)
    # the best constant and the best line through the teacher, by the exact loss's global minimum
    const_fit = global_minimum(L.Problem(student="zero", trained=("c",)))[0]
    line_fit = global_minimum(L.Problem(student="identity", trained=("w", "c")))[0]
    out = {
        "activations": np.asarray(activations),
        "record_steps": np.arange(record, steps + 1, record),
        "line_fit": line_fit,
        "const_fit": const_fit,
    }
    for i, act in enumerate(activations):
        problem = L.Problem(student=activation(act), trained=("w", "b", "a", "c"))
        init = {
            "w": rng.uniform(-2, 2, starts),
            "b": rng.uniform(-1, 1, starts),
            "a": rng.uniform(-2, 2, starts),
            "c": rng.uniform(-0.5, 0.5, starts),
        }
        t = L.train(
            problem,
            {k: jnp.asarray(v, F64) for k, v in init.items()},
            optimizer=_opt("sgd", lr),
            steps=steps,
            gradient="population",
            record_every=record,
            key=jax.random.key(0),
        )
        lmin = global_minimum(problem)[0]
        labels, excess = [], []
        for r in range(1, len(t.steps)):
            b = classify(
                problem, {k: v[r] for k, v in t.params.items()}, min_loss=lmin, tol_loss=1e-3, escape=False
            )  # within the budget: as the runs stand
            labels.append(b.labels)
            excess.append(np.asarray(t.population_loss[r]) - lmin)
        out[f"a{i}"] = {
            "label": problem.student.label,
            "labels": np.stack(labels),
            "excess": np.stack(excess),
            "loss": np.asarray(t.population_loss[-1]),
            "min_loss": lmin,
            # the limit where each flow step is cheap and exact: a closed-form loss (by quadrature, the implicit
            # solver's steps cost ~100x more and stall on the quadrature's rounding on the plateau)
            **(
                _limit(problem, t.final, t.diverged, t_end, min_loss=lmin, tol_loss=1e-3)
                if problem.exactness == "closed form"
                else {}
            ),
        }
    return out


# ----------------------------------------------------------------- deeper networks
@experiment(
    "born_dead",
    quick={"depths": (10,), "widths": (3,), "samples": 1000},
    depths=(1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20),
    widths=(2, 3, 4, 5, 10),
    samples=10000,
    scheme="symmetric",
    seed=0,
)
def born_dead(*, depths, widths, samples, scheme, seed):
    """Born-dead networks by depth and width, against the closed form; He against RAI with biases (D1, D2)."""
    key = jax.random.key(seed)
    out: dict[str, Any] = {"depths": np.asarray(depths), "widths": np.asarray(widths)}
    for w in widths:
        rows = [D.born_dead(int(d), int(w), scheme=scheme, samples=samples, key=key) for d in depths]
        out[f"w{w}"] = {
            "single": np.asarray([r["single_input_probability"] for r in rows]),
            "single_ci": np.asarray([r["single_input_ci"] for r in rows]),
            "support": np.asarray([r["probability"] for r in rows]),
            "support_ci": np.asarray([r["ci"] for r in rows]),
            "closed_form": np.asarray([D.closed_form_single_input(int(d), int(w)) for d in depths]),
        }
    for init in ("he_normal", "rai"):
        rows = [
            D.born_dead(
                int(d),
                D.REPORT_SHAPES["born-dead"][1],
                scheme=init,
                bias=True,
                inputs=L.Uniform(-1, 1),
                samples=samples // 2,
                key=key,
            )
            for d in depths
        ]
        out[init] = {"p": np.asarray([r["probability"] for r in rows]), "ci": np.asarray([r["ci"] for r in rows])}
    return out


@experiment(
    "deep_networks",
    quick={"depths": (10,), "dying_starts": 32, "dying_steps": 600, "ks": (6,), "spurious_starts": 16},
    depths=(2, 4, 6, 8, 10),
    dying_starts=256,
    dying_steps=2000,
    ks=(6, 7, 8, 9, 10, 11, 12),
    spurious_starts=256,
    seed=0,
)
def deep_networks(*, depths, dying_starts, dying_steps, ks, spurious_starts, seed):
    """Width-2 networks collapsing while fitting |x| (He against RAI) and spurious minima of n = k and
    n = k + 1 students on k orthonormal teacher units (D3, D4, D6)."""
    key = jax.random.key(seed)
    out: dict[str, Any] = {"depths": np.asarray(depths), "ks": np.asarray(ks)}
    for scheme in ("he_normal", "rai"):
        rows = [
            D.dying(
                int(d),
                D.REPORT_SHAPES["dying"][1],
                scheme=scheme,
                target="abs",
                starts=dying_starts,
                steps=dying_steps,
                key=key,
            )
            for d in depths
        ]
        out[scheme] = {
            "rate": np.asarray([r["rate"] for r in rows]),
            "ci": np.asarray([r["ci"] for r in rows]),
            "k": np.asarray([round(r["rate"] * r["starts"]) for r in rows]),
            "n": np.int64(dying_starts),
        }
    for extra in (0, 1):
        rows = [
            D.spurious_minima(int(k), int(k) + extra, starts=spurious_starts, key=jax.random.fold_in(key, int(k)))
            for k in ks
        ]
        out[f"extra{extra}"] = {
            "rate": np.asarray([r["rate"] for r in rows]),
            "ci": np.asarray([r["ci"] for r in rows]),
            "k": np.asarray([round(r["rate"] * r["starts"]) for r in rows]),
            "moving": np.asarray([round(r["still_moving"] * r["starts"]) for r in rows]),
            "n": np.int64(spurious_starts),
        }
    return out


@experiment(
    "gradient_growth",
    quick={"nets": 32},
    slopes=(0.25, 0.5, 1.0, 1.5, 2.0),
    depth=D.GROWTH["depth"],
    width=D.GROWTH["width"],
    nets=D.GROWTH["nets"],
    seed=0,
)
def gradient_growth(*, slopes, depth, width, nets, seed):
    """Per-layer growth of the directional derivative through leaky layers (A13, D5), against the exact
    finite-width expectation and the mean-field rate."""
    key = jax.random.key(seed)
    out: dict[str, Any] = {"slopes": np.asarray(slopes, np.float64)}
    rows = [
        D.gradient_growth(float(c), depth=depth, width=width, nets=nets, key=jax.random.fold_in(key, i))
        for i, c in enumerate(slopes)
    ]
    out["rate"] = np.asarray([r["rate"] for r in rows])
    out["stderr"] = np.asarray([r["stderr"] for r in rows])
    out["mean_field"] = np.asarray([r["mean_field"] for r in rows])
    out["finite_width"] = np.asarray([r["finite_width"] for r in rows])
    z = jnp.linspace(-5, 5, 1001, dtype=F64)
    out["identity_max_gap"] = float(jnp.max(jnp.abs(L.resolve_activation(("leaky_relu", {"slope": 1.0}))(z) - z)))
    return out


@experiment("published_minimum")
def published_minimum():
    """The k = n = 7 spurious minimum published by Safran, Yehudai & Shamir (2021), under this package's loss (D7),
    checked in floating point and proven in ball arithmetic (:mod:`analysis.proofs`)."""
    from . import proofs as Pr

    W = D.published_minimum_k7()
    c = D.minimum_check(W)
    swapped = D.minimum_check(W.T)
    proof = Pr.prove_points([W], 7)[0]
    return {**c, "swapped_grad_norm": swapped["grad_norm"], "rounding": 5e-11, "proof": proof}


@experiment(
    "spurious_proofs",
    quick={"ks": (7, 8), "want": 1, "batch": 32, "max_starts": 64},
    ks=tuple(range(6, 21)),
    want=4,
    batch=64,
    max_starts=2048,
    seed=0,
)
def spurious_proofs(*, ks, want, batch, max_starts, seed):
    """Spurious minima of the k = n Safran-Shamir problems, proven: for each k, batches of Xavier starts run to
    convergence (:func:`analysis.deep.spurious_minima`) until ``want`` spurious end points (by the float64 Hessian
    check) are found or ``max_starts`` were drawn; each point found is polished by Newton steps and proven a strict
    local minimum with a loss above 0 in ball arithmetic, or labelled not proven with the reason
    (:func:`analysis.proofs.prove_points`)."""
    from . import proofs as Pr

    key = jax.random.key(seed)
    out: dict[str, Any] = {"ks": np.asarray(ks)}
    for k in map(int, ks):
        found: list[np.ndarray] = []
        drawn = spurious = 0
        while len(found) < want and drawn < max_starts:
            r = D.spurious_minima(
                k, k, starts=batch, key=jax.random.fold_in(jax.random.fold_in(key, k), drawn), keep=want - len(found)
            )
            drawn += batch
            spurious += round(r["rate"] * batch)
            found += [np.asarray(w) for w in r.get("spurious_points", [])]
        proofs = Pr.prove_points(found, k)
        out[f"k{k}"] = {
            "starts": np.int64(drawn),
            "spurious": np.int64(spurious),
            "points": np.int64(len(proofs)),
            "proven": np.int64(sum(p["proven"] and p["spurious"] for p in proofs)),
            **{f"p{i}": p for i, p in enumerate(proofs)},
        }
    return out


@experiment("animations", quick={"grid": 121}, grid=241, frames=48, wb_lr=0.1, seed=0)
def animations(*, grid, frames, wb_lr, seed):
    """Trajectories for the animations: the original good and backwards starts, and SGD over (w, b)."""
    p = L.Problem()
    t = L.train(
        p,
        {"w": jnp.asarray([O.good_w0, O.w0], jnp.float32)},
        optimizer=_opt(O.optimizer, O.learning_rate),
        steps=O.steps,
        record_every=25,
        key=jax.random.key(seed),
    )
    pb = L.Problem(trained=("w", "b"))
    starts = {"w": jnp.asarray([-1.5, 0.8, 2.2, -2.4]), "b": jnp.asarray([1.5, -1.0, 0.6, -0.8])}
    tb = L.train(pb, starts, optimizer=_opt("sgd", wb_lr), steps=O.steps, record_every=25, key=jax.random.key(seed))
    b = classify(pb, tb.final, diverged=tb.diverged)
    ax = np.linspace(-3, 3, grid)
    r = L.grid(pb, {"w": jnp.asarray(ax), "b": jnp.asarray(ax)})
    W, B = np.meshgrid(ax, ax, indexing="ij")
    return {
        "w": np.asarray(t.params["w"]),
        "loss": np.asarray(t.population_loss),
        "steps": np.asarray(t.steps),
        "w0": np.asarray([O.good_w0, O.w0]),
        "lr": O.learning_rate,
        "wb_lr": wb_lr,
        "tw": np.asarray(tb.params["w"]),
        "tb": np.asarray(tb.params["b"]),
        "labels": b.labels,
        "wb_steps": np.asarray(tb.steps),
        "axis": ax,
        "grid_loss": np.asarray(r.loss),
        "frames": np.int64(frames),
        "dead_set": np.asarray(pb.dead_set({"w": jnp.asarray(W), "b": jnp.asarray(B)})),
    }


# ------------------------------------------------------------------------ instruments
def _ss_points(k, starts, seed):
    """The global minimum W = I of the k = n problem, and a spurious minimum by the float64 Hessian check (or None)."""
    if k == 7:
        return np.eye(7), np.asarray(D.published_minimum_k7()), "published (Safran, Yehudai & Shamir 2021)"
    r = D.spurious_minima(k, k, starts=starts, key=jax.random.key(seed))
    pts = r.get("spurious_points")
    return np.eye(k), (None if pts is None or len(pts) == 0 else np.asarray(pts[0])), "found by exact-gradient descent"


@experiment(
    "spectra",
    quick={"ks": (7,), "probes": 4, "steps": 24},
    ks=(7, 10),
    top=10,
    probes=10,
    steps=40,
    search_starts=64,
    seed=0,
)
def spectra(*, ks, top, probes, steps, search_starts, seed):
    """Hessian spectra of the Safran-Shamir problem at a global minimum and at a spurious minimum (float64 check):
    the top eigenvalues (block Lanczos), the trace (Hutchinson), the density (stochastic Lanczos quadrature), and
    the whole spectrum from the dense Hessian (these models are small enough) as the reference."""
    from . import instruments as I

    key = jax.random.key(seed)
    out: dict[str, Any] = {"ks": np.asarray(ks)}
    for k in ks:
        problem = D.safran_shamir(int(k), int(k))
        glob, spur, origin = _ss_points(int(k), search_starts, seed)
        entry = {"origin": origin, "found": np.bool_(spur is not None)}
        names = ["global"] + (["spurious"] if spur is not None else [])
        Ws = np.stack([glob] + ([spur] if spur is not None else []))
        batch = [{"W": jnp.asarray(Ws, F64)}]
        sp = L.dense_spectrum(problem, batch)
        loss, dense = sp["loss"], sp["eigvals"]
        topk = I.hessian_top(problem, batch, min(top, problem.n_params), key=jax.random.fold_in(key, int(k)))
        tr = I.hessian_trace(problem, batch, key=jax.random.fold_in(key, 100 + int(k)), probes=max(probes * 10, 20))
        sd = I.spectral_density(
            problem, batch, key=jax.random.fold_in(key, 200 + int(k)), probes=probes, steps=min(steps, problem.n_params)
        )
        for i, name in enumerate(names):
            entry[name] = {
                "W": Ws[i],
                "loss": float(loss[i]),
                "dense": dense[i],
                "top": topk["eigenvalues"][i],
                "trace": float(tr["trace"][i]),
                "trace_se": float(tr["stderr"][i]),
                "grid": sd["grid"],
                "density": sd["density"][i],
                "sigma": sd["sigma"],
                "smallest_positive": float(dense[i][dense[i] > 1e-9].min()),
            }
        out[f"k{int(k)}"] = entry
    return out


@experiment(
    "slices",
    quick={"n": 21, "path_points": 21, "net_depth": 4},
    n=51,
    span=1.0,
    net_span=0.25,
    path_points=51,
    net_depth=6,
    seed=0,
)
def slices(*, n, span, net_span, path_points, net_depth, seed):
    """Filter-normalized 2-D slices (Li et al. 2018) on exact population losses: at the global and at the
    published spurious minimum of the Safran-Shamir problem (k = n = 7) with the straight path between them and its
    barrier; around a born-dead network and a live one along the first layer's parameters (flat for the dead one); and the single neuron's (w, b) plane as a 2-D slice
    along its two coordinates, against ``landscape.grid``."""
    from . import instruments as I

    key = jax.random.key(seed)
    coef = np.linspace(-span, span, n)
    out: dict[str, Any] = {"coef": coef}
    ss = D.safran_shamir(7, 7)
    spur = [{"W": jnp.asarray(D.published_minimum_k7(), F64)}]
    # the straight path from the spurious point to its nearest global minimum (the library's one search)
    path = I.path_to_nearest_minimum(ss, spur, n=path_points)
    glob = [{"W": jnp.asarray(np.asarray(path.end[0]["W"]), F64)}]
    for name, centre in (("ss_global", glob), ("ss_spurious", spur)):
        d1, d2 = I.directions(ss, centre, key=jax.random.fold_in(key, 1), n=2, normalization="filter")
        r = I.slice2d(ss, centre, [d1, d2], coef, coef)
        out[name] = {"loss": np.asarray(r.loss), "centre_loss": float(ss.population_loss(centre))}
    out["path"] = {
        "t": path.t,
        "loss": path.loss,
        "grad_norm": path.grad_norm,
        "barrier": path.barrier,
        "argmax": path.argmax,
        "end_note": path.end_note,
    }
    # a born-dead network and a live one (depth net_depth, width 2, biases, inputs on [-1, 1])
    spec = L.networks.MLP.uniform(net_depth, 2, bias=True)
    problem = L.networks.NetProblem(spec, "abs", "uniform:-1,1")
    nets = L.networks.init_many(spec, jax.random.fold_in(key, 2), 256, "he_normal")
    dead = D.dead_layers_1d(spec, nets, (-1.0, 1.0))
    out["net_dead_found"] = np.bool_(dead.any() and (~dead).any())
    out["net_coef"] = net_coef = np.linspace(-net_span, net_span, n)
    for name, pick in (("net_dead", np.flatnonzero(dead)), ("net_live", np.flatnonzero(~dead))):
        if pick.size == 0:
            continue
        centre = jax.tree_util.tree_map(lambda a: a[int(pick[0])], nets)
        # directions in the first layer only: no signal passes a dead layer, so the first layer's loss is flat
        d1, d2 = I.directions(
            problem,
            centre,
            key=jax.random.fold_in(key, 3),
            n=2,
            normalization="filter",
            exclude=lambda leaf: not leaf.startswith("[0]"),
        )
        r = I.slice2d(problem, centre, [d1, d2], net_coef, net_coef)
        out[name] = {"loss": np.asarray(r.loss), "centre_loss": float(problem.population_loss(centre))}
    # the single neuron: a slice along its coordinates is the exact (w, b) grid
    p = L.Problem(trained=("w", "b"))
    ax = np.linspace(-3, 3, n)
    r = I.slice2d(p, {"w": 0.0, "b": 0.0}, [{"w": 1.0, "b": 0.0}, {"w": 0.0, "b": 1.0}], ax, ax)
    g = L.grid(p, {"w": jnp.asarray(ax), "b": jnp.asarray(ax)}, quantities=("loss",))
    out["neuron"] = {
        "axis": ax,
        "loss": np.asarray(r.loss),
        "max_abs_difference_from_grid": float(np.max(np.abs(np.asarray(r.loss) - np.asarray(g.loss)))),
    }
    return out


# ------------------------------------------------------------------------ a real data set
def _digits_data(train_size, seed):
    """scikit-learn's handwritten digits (1,797 8x8 images, shipped with the package, never downloaded), pixels
    scaled to [0, 1], split by a seeded permutation into ``train_size`` training examples and the rest."""
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        raise RuntimeError(
            "the digits experiment needs scikit-learn (it ships the data set): pip install 'relu-landscape[data]'"
        ) from None
    data, target = load_digits(return_X_y=True)
    X, y = np.asarray(data, np.float64) / 16.0, np.asarray(target, np.int64)
    if not 1 <= train_size < len(y):
        raise ValueError(f"train_size must be an integer in [1, {len(y) - 1}], got {train_size!r}")
    perm = np.random.default_rng(seed).permutation(len(y))
    return X[perm[:train_size]], y[perm[:train_size]], X[perm[train_size:]], y[perm[train_size:]]


def _path_data(p):
    """The arrays of an ``analysis.paths.Path`` (and its straight line) that the figure and the claims read."""
    out = {
        "t": p.t,
        "loss": p.loss,
        "barrier": np.float64(np.nan if p.barrier is None else p.barrier),
        "argmax": np.float64(np.nan if p.argmax is None else p.argmax),
        "top_loss": np.float64(np.nan if p.top_loss is None else p.top_loss),
        "converged": np.bool_(p.converged),
        "note": p.note,
    }
    for k in ("image_t", "image_loss", "mean_loss"):
        if k in p.extra:
            out[k] = np.asarray(p.extra[k], np.float64)
    for k in ("saddle", "force"):
        if k in p.extra:
            out[k] = np.float64(np.nan if p.extra[k] is None else p.extra[k])
    return out


@experiment(
    "digits",
    quick={
        "starts": 3,
        "hidden": 6,
        "steps": 150,
        "polish": 0,
        "slice_n": 7,
        "images": 3,
        "neb_steps": 60,
        "curve_starts": 2,
        "curve_steps": 60,
        "top": 3,
        "probes": 2,
        "lanczos": 8,
    },
    train_size=1500,
    hidden=16,
    activation="tanh",
    weight_decay=1e-3,
    starts=16,
    steps=2000,
    lr=0.01,
    polish=2000,
    polish_lr=0.5,
    slice_n=31,
    span=1.0,
    images=15,
    neb_steps=2000,
    curve_starts=4,
    curve_steps=1000,
    top=10,
    probes=8,
    lanczos=60,
    seed=0,
)
def digits(
    *,
    train_size,
    hidden,
    activation,
    weight_decay,
    starts,
    steps,
    lr,
    polish,
    polish_lr,
    slice_n,
    span,
    images,
    neb_steps,
    curve_starts,
    curve_steps,
    top,
    probes,
    lanczos,
    seed,
):
    """A real data set no one here made: scikit-learn's handwritten digits, a one-hidden-layer MLP (64 -> hidden
    -> 10, cross-entropy with weight decay, so that minima exist) as a ``landscape.DatasetProblem`` trained from
    many starts with exact full-batch gradients (Adam, then heavy-ball momentum to polish), and the instruments at
    its minima, exact over the training set: a filter-normalized 2-D slice around the best minimum, the best run's
    trajectory in its principal plane, the straight path, a nudged elastic band and a trained Bezier curve between
    the two best minima, the top Hessian eigenvalues and the spectral density."""
    from . import instruments as I
    from . import paths as PA

    key = jax.random.key(seed)
    Xtr, ytr, Xte, yte = _digits_data(int(train_size), seed)
    act = L.resolve_activation(activation)
    d_in, d_out = Xtr.shape[1], 10

    def apply(p, x):
        return p[1]["W"] @ act(p[0]["W"] @ x + p[0]["b"]) + p[1]["b"]

    def init(k):
        k1, k2 = jax.random.split(k)
        return [
            {"W": L.draws.normal(k1, (hidden, d_in)) / np.sqrt(d_in), "b": jnp.zeros(hidden)},
            {"W": L.draws.normal(k2, (d_out, hidden)) / np.sqrt(hidden), "b": jnp.zeros(d_out)},
        ]

    problem = L.DatasetProblem(
        Xtr,
        ytr,
        apply=apply,
        params=init(key),
        loss="cross_entropy",
        init=init,
        weight_decay=weight_decay,
        name="digits",
    )
    record = max(1, steps // 50)
    t = L.train(
        problem,
        problem.draw_starts(jax.random.fold_in(key, 1), starts, F64),
        optimizer=L.optimizer("adam", learning_rate=lr),
        steps=steps,
        gradient="population",
        record_every=record,
        key=jax.random.fold_in(key, 2),
    )
    curves, history, at = [np.asarray(t.population_loss)], [t.params], [np.asarray(t.steps)]
    diverged = np.asarray(t.diverged)
    if polish:
        t = L.train(
            problem,
            t.final,
            optimizer=L.optimizer("momentum", learning_rate=polish_lr, momentum=0.9),
            steps=polish,
            gradient="population",
            record_every=max(1, polish // 50),
            key=jax.random.fold_in(key, 3),
        )
        curves.append(np.asarray(t.population_loss)[1:])
        history.append(jax.tree_util.tree_map(lambda a: a[1:], t.params))
        at.append(steps + np.asarray(t.steps)[1:])
        diverged = diverged | np.asarray(t.diverged)
    final = t.final
    train_m, test_m = problem.metrics(final), problem.metrics(final, Xte, yte)
    b = classify(problem, final, diverged=diverged, min_loss=-np.inf, tol_grad=1e-3)
    objective = np.where(diverged, np.inf, train_m["objective"])
    order = np.argsort(objective)
    pick = lambda i: jax.tree_util.tree_map(lambda a: a[int(i)], final)
    best, second = pick(order[0]), pick(order[1])
    out: dict[str, Any] = {
        "n_train": np.int64(len(ytr)),
        "n_test": np.int64(len(yte)),
        "n_params": np.int64(problem.n_params),
        "exactness": problem.exactness,
        "steps": np.concatenate(at),
        "polish_from": np.int64(steps),
        "loss_curves": np.concatenate(curves),
        "objective": train_m["objective"],
        "train_loss": train_m["loss"],
        "train_accuracy": train_m["accuracy"],
        "test_accuracy": test_m["accuracy"],
        "grad_norm": b.grad_norm,
        "labels": b.labels,
        "counts": {k: np.int64(v) for k, v in b.counts.items()},
        "minima": order[:2].astype(np.int64),
    }
    # a filter-normalized slice around the best minimum (Li et al. 2018), exact over the training set
    d1, d2 = I.directions(problem, best, key=jax.random.fold_in(key, 4), n=2, normalization="filter")
    coef = np.linspace(-span, span, slice_n)
    s = I.slice2d(problem, best, [d1, d2], coef, coef)
    out["slice"] = {"alpha": coef, "beta": coef, "loss": np.asarray(s.loss), "centre_loss": float(objective[order[0]])}
    # the best run in its principal plane, over the loss on that plane
    run = jax.tree_util.tree_map(lambda *a: jnp.concatenate(a)[:, int(order[0])], *history)
    tp = I.trajectory_plane(problem, run)
    c = np.asarray(tp["coords"])
    lo, hi = c[:, :2].min(0), c[:, :2].max(0)
    pad = 0.15 * np.maximum(hi - lo, 1e-12)
    axes = [np.linspace(lo[i] - pad[i], hi[i] + pad[i], slice_n) for i in range(2)]
    g = I.slice2d(problem, tp["end"], tp["directions"], axes[0], axes[1])
    out["plane"] = {
        "coords": c[:, :2],
        "explained": np.asarray(tp["explained"][:2]),
        "alpha": axes[0],
        "beta": axes[1],
        "loss": np.asarray(g.loss),
    }
    # paths between the two best minima
    band = PA.neb(problem, best, second, key=jax.random.fold_in(key, 5), images=images, steps=neb_steps)
    curve = PA.bezier(problem, best, second, key=jax.random.fold_in(key, 6), starts=curve_starts, steps=curve_steps)
    assert band.straight is not None
    out["straight"] = _path_data(band.straight)
    out["neb"] = _path_data(band)
    out["bezier"] = _path_data(curve)
    out["distance"] = float(np.linalg.norm(np.asarray(problem.ravel(best)) - np.asarray(problem.ravel(second))))
    # the Hessian at the best minimum: top eigenvalues (block Lanczos) and the density (stochastic Lanczos quadrature)
    at_best = jax.tree_util.tree_map(lambda a: a[None], best)
    ht = I.hessian_top(problem, at_best, int(top), key=jax.random.fold_in(key, 7))
    sd = I.spectral_density(problem, at_best, key=jax.random.fold_in(key, 8), probes=probes, steps=lanczos)
    out["top"] = {
        "eigenvalues": ht["eigenvalues"][0],
        "residuals": ht["residuals"][0],
        "converged": np.bool_(ht["converged"][0]),
        "method": ht["method"],
    }
    out["density"] = {"grid": sd["grid"], "density": sd["density"][0], "sigma": float(sd["sigma"])}
    return out
