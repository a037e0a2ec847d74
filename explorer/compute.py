"""What the explorer's endpoints compute: thin calls of ``landscape`` and ``analysis`` on validated settings.

Every function takes the settings of :mod:`explorer.schema` and returns a
JSON-ready dict (non-finite numbers as ``null``, never NaN). Shapes are
bucketed so that ordinary use compiles once: learning rates and other
hyperparameters are injected per start (a new step size is data, not a new
program), the step count is traced (``landscape.train(traced_steps=True)``:
every run has :data:`RECORDS` records, so every step count shares one
program), and the landscape grid and basin maps come in a few sizes chosen
by the page. :func:`program` names the compiled program a request needs, so
that the server can tell which requests must compile (:class:`Programs`).
"""

from __future__ import annotations

import math
import threading
import time
from functools import partial

import jax
import jax.numpy as jnp
import numpy as np

import landscape as L
from analysis import basins as B
from analysis import deep as D
from analysis import geometry as G
from analysis import instruments as I
from analysis import phase as P

RECORDS = 100  # recorded intervals of a run: every offered step count is a multiple, so all share one program
MAX_PROGRAMS = 128  # distinct compiled programs kept; beyond, JAX's caches are cleared (memory stays bounded)
PATH_POINTS = 51  # points of the path from a spurious minimum to the nearest global minimum


class Programs:
    """The compiled programs of this server (thread-safe): which are ready, which are compiling now.

    :meth:`use` wraps a computation: the first request of a program marks it
    compiling (the page shows it), a second request of the same program waits
    for that compilation instead of compiling it again, and beyond
    ``MAX_PROGRAMS`` programs JAX's caches are cleared (memory stays bounded).
    """

    def __init__(self, most=MAX_PROGRAMS):
        self.most, self.lock = most, threading.Lock()
        self.ready: set = set()
        self.compiling: dict = {}  # key -> (text, started, threading.Event)
        self.cleared = 0

    def use(self, key, text):
        return _Use(self, key, text)

    def snapshot(self) -> dict:
        now = time.monotonic()
        with self.lock:
            return {
                "ready": len(self.ready),
                "compiling": [{"what": t, "seconds": round(now - t0, 1)} for t, t0, _ in self.compiling.values()],
                "cleared": self.cleared,
            }


class _Use:
    def __init__(self, programs, key, text):
        self.programs, self.key, self.text, self.owner = programs, key, text, False

    def __enter__(self):
        pr = self.programs
        while True:
            with pr.lock:
                if self.key in pr.ready:
                    return self
                entry = pr.compiling.get(self.key)
                if entry is None:
                    if len(pr.ready) >= pr.most:
                        jax.clear_caches()
                        pr.ready.clear()
                        pr.cleared += 1
                    pr.compiling[self.key] = (self.text, time.monotonic(), threading.Event())
                    self.owner = True
                    return self
            entry[2].wait()  # another request compiles it: wait, then run it compiled (or compile it if that failed)

    def __exit__(self, kind, value, tb):
        if not self.owner:
            return False
        pr = self.programs
        with pr.lock:
            _, _, done = pr.compiling.pop(self.key)
            if kind is None:
                pr.ready.add(self.key)
        done.set()
        return False


def make_problem(p, trained=("w", "b")):
    act = p["activation"] + (f":{p['slope']!r}" if p["activation"] == "leaky_relu" else "")
    inputs = "gaussian" if p["inputs"] == "gaussian" else f"uniform:{p['lo']!r},{p['hi']!r}"
    return L.Problem(student=act, inputs=inputs, trained=trained)


def _student(p):
    act = p["activation"] + (f" {p['slope']:g}" if p["activation"] == "leaky_relu" else "")
    return act + ("" if p["inputs"] == "gaussian" else f", uniform [{p['lo']:g}, {p['hi']:g}]")


def program(kind: str, s: dict) -> tuple[tuple, str]:
    """The compiled program that validated settings ``s`` of endpoint ``kind`` run (a key), and what it is in
    words: two requests with the same key share their compiled programs."""
    if kind == "landscape":
        return (
            kind,
            s["n"],
            repr(make_problem(s["problem"]).config()),
        ), f"the loss over (w, b), {_student(s['problem'])}"
    if kind == "train":
        key = (kind, repr(make_problem(s["problem"]).config()), s["optimizer"], s["gradient"], s.get("batch_size"))
        grad = "exact gradients" if s["gradient"] == "population" else f"minibatches of {s['batch_size']}"
        return key, f"runs of {_student(s['problem'])} with {s['optimizer']}, {grad}"
    if kind == "basins":
        key = (kind, repr(make_problem(s["problem"]).config()), s["optimizer"], s["n"])
        return key, f"basin maps of {_student(s['problem'])} with {s['optimizer']}"
    if kind == "one_weight":
        return (kind, s["batch_size"]), "the one-weight experiment"
    if kind == "phase":
        return (kind, s["method"], s["n"], s["steps"]), f"the phase diagram of {s['method']}"
    if kind == "born_dead":
        key = (kind, tuple(s["depths"]), tuple(s["widths"]), s["samples"], s["scheme"], s["bias"])
        return key, "born-dead detection for these depths and widths"
    if kind == "growth":
        return (kind, s["depth"], s["width"], s["nets"]), "gradient growth through leaky layers"
    if kind == "spurious":
        return (kind, s["k"], s["starts"], s["prove"]), f"the teacher-student search for k = {s['k']}"
    if kind == "problem_plane":
        return (kind, s["n"]), "the loss on a plane of your problem"
    if kind == "problem_train":
        records = s["steps"] // record_every(s["steps"])
        return (kind, s["optimizer"], records), f"runs of your problem with {s['optimizer']}"
    if kind == "problem_spectrum":
        return (kind, s["k"], s["probes"], s["steps"]), "the Hessian spectrum of your problem"
    raise ValueError(f"no program for {kind!r}")


def definitions():
    """The thresholds behind what the page draws and labels (the library's, stated on the page)."""
    return {"near_flat": dict(G.NEAR_FLAT), "classify": dict(B.TOLERANCES)}


def record_every(steps, records=RECORDS):
    """``steps // records`` where it divides (every offered step count); else the smallest divisor ``r`` of
    ``steps`` with at most ``records`` recorded intervals."""
    if steps % records == 0:
        return steps // records
    for r in range(max(1, steps // records), steps + 1):
        if steps % r == 0 and steps // r <= records:
            return r
    return steps


def _axes(s):
    """The (w, b) grid axes: ``s["n"]`` points across each ``(lo, hi)`` range of ``s["box"]``."""
    (w_lo, w_hi), (b_lo, b_hi) = s["box"]["w"], s["box"]["b"]
    return np.linspace(w_lo, w_hi, s["n"]), np.linspace(b_lo, b_hi, s["n"])


def finite(a):
    """A list of floats with every non-finite value as None (JSON ``null``: the page draws a gap)."""
    a = np.asarray(a, np.float64)
    return [None if not math.isfinite(v) else v for v in a.ravel().tolist()]


def _rows(a):
    a = np.asarray(a, np.float64)
    return [finite(row) for row in a.reshape(a.shape[0], -1)]


def _number(v):
    """A float, or None for a missing or non-finite value."""
    if v is None:
        return None
    v = float(v)
    return v if math.isfinite(v) else None


@partial(jax.jit, static_argnums=(0,))
def _masks(problem, at):
    """The exact dead set, the classifier's dead region and log10 of the active input mass, in one program."""
    dead_set = problem.dead_set(at)
    dead = problem.dead(at, tol_dead=B.TOLERANCES["tol_dead"], tol_active=B.TOLERANCES["tol_active"])
    active = L.neuron.active_fraction(problem, at) if problem.student.can_die else jnp.ones(dead.shape)
    return dead_set, dead, jnp.log10(jnp.maximum(active, 1e-300))


def landscape(s):
    """The exact loss over (w, b), the exact dead set, the region the classifier calls dead (within its
    tolerances) and the near-flat region (``analysis.geometry.near_flat``, the dead set included)."""
    problem = make_problem(s["problem"])
    w, b = _axes(s)
    r = L.grid(problem, {"w": jnp.asarray(w), "b": jnp.asarray(b)}, quantities=("loss", "grad_norm"))
    loss, gn = np.asarray(r.loss), np.asarray(r.grad_norm)
    W, Bm = np.meshgrid(w, b, indexing="ij")
    dead_set, dead, log_active = (np.asarray(a) for a in _masks(problem, {"w": jnp.asarray(W), "b": jnp.asarray(Bm)}))
    min_loss = problem.min_loss if problem.min_loss is not None else float(B.global_minimum(problem)[0])
    near = G.near_flat(loss, gn, min_loss)
    out = {
        "w": w.tolist(),
        "b": b.tolist(),
        "loss": _rows(loss),
        "dead_set": dead_set.astype(int).tolist(),
        "dead": dead.astype(int).tolist(),
        "near_flat": near.astype(int).tolist(),
        "min_loss": min_loss,
        "definitions": definitions(),
    }
    if problem.student.can_die:
        # the edge of the classifier's dead region, as a smooth field: log10 of the active input mass
        out["log10_active"] = _rows(log_active)
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
        "traced_steps": True,
    }
    if s["gradient"] == "minibatch":
        kw["batch_size"] = s["batch_size"]
    init = {"w": jnp.asarray([s["start"]["w"]], jnp.float64), "b": jnp.asarray([s["start"]["b"]], jnp.float64)}
    return problem, init, kw


def train(s):
    """One run: its records, its end and how it ended. A run whose update turned non-finite is frozen at its last
    finite values (the library's rule) and answers ``diverged`` with the step (``diverged_at``)."""
    problem, init, kw = train_kwargs(s)
    t0 = time.perf_counter()
    t = L.train(problem, init, **kw)
    fw, fb = float(np.asarray(t.final["w"])[0]), float(np.asarray(t.final["b"])[0])
    label = B.classify(problem, t.final, diverged=t.diverged).names()[0]
    return {
        "steps": np.asarray(t.steps).tolist(),
        "w": finite(np.asarray(t.params["w"])[:, 0]),
        "b": finite(np.asarray(t.params["b"])[:, 0]),
        "loss": finite(np.asarray(t.population_loss)[:, 0]),
        "final": {"w": _number(fw), "b": _number(fb)},
        "final_repr": {"w": repr(fw), "b": repr(fb)},
        "end_state": str(label),
        "diverged": bool(np.asarray(t.diverged)[0]),
        "diverged_at": int(np.asarray(t.diverged_at)[0]),
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
        traced_steps=True,
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
    t = L.train(
        problem,
        {"w": jnp.asarray([s["w0"]], jnp.float64)},
        optimizer=L.ORIGINAL.optimizer,
        steps=steps,
        batch_size=s["batch_size"],
        record_every=record_every(steps),
        key=jax.random.key(s["seed"]),
        hyperparams={"learning_rate": s["learning_rate"]},
        traced_steps=True,
    )
    return {
        "steps": np.asarray(t.steps).tolist(),
        "w": finite(np.asarray(t.params["w"])[:, 0]),
        "loss": finite(np.asarray(t.population_loss)[:, 0]),
        "batch_loss": finite(np.asarray(t.batch_loss)[:, 0]),
    }


def phase(s):
    """The lip phase diagram of the original one-weight relu neuron (``analysis.phase``, its axes)."""
    n = s["n"]
    lrs, betas = P.phase_axes(n)
    d = P.phase_diagram(
        L.Problem(student=L.ORIGINAL.student), s["method"], lrs=lrs, betas=betas, steps=s["steps"], w0=s["w0"]
    )
    return {
        "lrs": lrs.tolist(),
        "betas": betas.tolist(),
        "first_crossing": np.asarray(d.simulated).tolist(),
        "boundary_infinite": finite(d.boundary_infinite) if d.boundary_infinite is not None else None,
        "boundary_finite": finite(d.boundary_finite) if d.boundary_finite is not None else None,
        "disagreement_cells": int(d.disagreement_cells),
    }


# ----------------------------------------------------------------- deeper networks
def _stop(should_stop):
    if should_stop is not None and should_stop():
        raise L.sweep.Cancelled("the client left")


def born_dead_inputs(s):
    """The inputs of a born-dead request: Gaussian without biases, uniform on [-1, 1] with them (exact detection
    with biases needs a bounded interval), as the report's experiment."""
    return L.Uniform(-1, 1) if s["bias"] else "gaussian"


def born_dead(s, should_stop=None):
    """``analysis.deep.born_dead`` for every (depth, width): the share of networks dead on the whole support
    (exact detection) and of a single random input, with 95% Wilson intervals, and the closed form where one
    exists (bias-free, symmetric weights). The key is the report's (``jax.random.key(seed)`` for every cell)."""
    key = jax.random.key(s["seed"])
    rows = []
    t0 = time.perf_counter()
    for width in s["widths"]:
        for depth in s["depths"]:
            _stop(should_stop)
            r = D.born_dead(
                depth,
                width,
                scheme=s["scheme"],
                bias=s["bias"],
                inputs=born_dead_inputs(s),
                samples=s["samples"],
                key=key,
            )
            rows.append(
                {
                    "depth": depth,
                    "width": width,
                    "probability": r["probability"],
                    "ci": list(r["ci"]),
                    "single": r["single_input_probability"],
                    "single_ci": list(r["single_input_ci"]),
                    "closed_form": r.get("closed_form_single_input"),
                }
            )
    return {
        "rows": rows,
        "inputs": str(L.Problem(inputs=born_dead_inputs(s)).inputs.label),
        "seconds": time.perf_counter() - t0,
    }


def growth(s, should_stop=None):
    """``analysis.deep.gradient_growth`` for every slope (the key of slope ``GROWTH_SLOPES[i]`` is
    ``fold_in(key(seed), i)``, the report's for its slopes), with its exact finite-width reference and the
    mean-field rate, and both references as curves over the slope."""
    from .schema import GROWTH_SLOPES

    key = jax.random.key(s["seed"])
    rows = []
    for c in s["slopes"]:
        _stop(should_stop)
        r = D.gradient_growth(
            float(c),
            depth=s["depth"],
            width=s["width"],
            nets=s["nets"],
            key=jax.random.fold_in(key, GROWTH_SLOPES.index(c)),
        )
        rows.append(
            {
                "slope": c,
                "rate": _number(r["rate"]),
                "stderr": _number(r["stderr"]),
                "ci": finite(r["ci"]),
                "finite_width": _number(r["finite_width"]),
                "mean_field": _number(r["mean_field"]),
            }
        )
    curve = np.linspace(0.05, 3.0, 60)
    return {
        "rows": rows,
        "curve": {
            "slope": curve.tolist(),
            "finite_width": finite([D.finite_width_rate(float(c), s["width"]) for c in curve]),
            "mean_field": finite(np.log((1 + curve**2) / 2)),
        },
        "reference_kind": D.REFERENCE_KIND,
    }


def spurious(s, should_stop=None):
    """Spurious minima of the k = n teacher-student network (``analysis.deep.spurious_minima``, key
    ``fold_in(key(seed), k)`` as the report's): how often descent from Xavier starts ends at one, their losses
    and Hessian spectra (``landscape.dense_spectrum``, beside the global minimum W = I), the straight path from the
    first to the nearest global minimum with its barrier (``analysis.instruments.path_to_nearest_minimum``), and
    on request its proof in ball arithmetic (``analysis.proofs.prove_points``). For k = 7 without a spurious end
    point the published minimum (Safran, Yehudai & Shamir 2021) is shown."""
    from .schema import SPURIOUS_STEPS

    k = s["k"]
    problem = D.safran_shamir(k, k)
    r = D.spurious_minima(
        k, k, starts=s["starts"], steps=SPURIOUS_STEPS, key=jax.random.fold_in(jax.random.key(s["seed"]), k)
    )
    _stop(should_stop)
    points = [np.asarray(w, np.float64) for w in r.get("spurious_points", [])]
    source = "found by exact-gradient descent"
    if not points and k == 7:
        points, source = [np.asarray(D.published_minimum_k7(), np.float64)], "published (Safran, Yehudai & Shamir 2021)"
    out = {
        "k": k,
        "n": k,
        "starts": s["starts"],
        "steps": SPURIOUS_STEPS,
        "steps_run": r["steps_run"],
        "rate": r["rate"],
        "ci": list(r["ci"]),
        "shares": r["shares"],
        "loss_quantiles": r.get("spurious_loss_quantiles"),
        "source": source if points else None,
        "points": len(points),
    }
    Ws = np.stack([np.eye(k)] + points)
    sp = L.dense_spectrum(problem, [{"W": jnp.asarray(Ws)}])
    out["global"] = {"loss": _number(sp["loss"][0]), "eigvals": finite(sp["eigvals"][0])}
    out["spurious"] = [
        {"loss": _number(sp["loss"][i]), "grad_norm": _number(sp["grad_norm"][i]), "eigvals": finite(sp["eigvals"][i])}
        for i in range(1, len(Ws))
    ]
    if points:
        _stop(should_stop)
        path = I.path_to_nearest_minimum(problem, [{"W": jnp.asarray(points[0])}], n=PATH_POINTS)
        out["path"] = {
            "t": finite(path.t),
            "loss": finite(path.loss),
            "grad_norm": finite(path.grad_norm),
            "barrier": _number(path.barrier),
            "argmax": _number(path.argmax),
            "end_note": path.end_note,
        }
        if s["prove"]:
            from analysis import proofs as PR

            _stop(should_stop)
            c = PR.prove_points([points[0]], k)[0]
            out["proof"] = {
                key: (_number(v) if isinstance(v, float) else v)
                for key, v in c.items()
                if key != "W" and isinstance(v, (bool, int, float, str))
            }
    return out


# ----------------------------------------------------------------- a user's problem (python -m explorer --problem)
# Keys: the default centre is the first of ``problem.draw_starts(key(seed), 1)``; the plane's directions are
# ``analysis.instruments.directions(problem, centre, key=fold_in(key(seed), 1), n=2, normalization=...)``; a run
# uses ``key(seed)``, the spectrum ``key(seed)`` for both ``hessian_top`` and ``spectral_density``.
DIRECTIONS_FOLD = 1


def problem_centre(problem, seed: int, centre=None):
    """The plane's point: ``centre`` (a raveled vector) as the problem's pytree, or the problem's first start drawn
    with ``key(seed)``, or its known optimum when it draws no starts.

    Raises:
      ValueError: a problem that neither draws starts nor knows an optimum (and no centre given).
    """
    if centre is not None:
        return problem.check_point(problem.unravel(jnp.asarray(centre, jnp.float64)), "centre")
    starts = problem.draw_starts(jax.random.key(seed), 1)
    if starts is not None:
        arrays, _ = problem.check_starts(starts, "draw_starts(key, 1)")
        return jax.tree_util.tree_map(lambda a: np.asarray(a[0]), arrays)
    opt = problem.optimum()
    if opt is not None:
        return problem.check_point(opt, "optimum()")
    raise ValueError("the problem draws no starts (draw_starts answers None) and knows no optimum: give a centre")


def problem_plane_basis(problem, s):
    """``(centre, [d1, d2])`` of validated plane settings ``s`` (``seed``, ``normalization``, ``centre``)."""
    centre = problem_centre(problem, s["seed"], s["centre"])
    norm = None if s["normalization"] == "none" else s["normalization"]
    key = jax.random.fold_in(jax.random.key(s["seed"]), DIRECTIONS_FOLD)
    return centre, I.directions(problem, centre, key=key, n=2, normalization=norm)


def _vec(problem, point):
    return np.asarray(problem.ravel(jax.tree_util.tree_map(lambda a: jnp.asarray(a, jnp.float64), point)), np.float64)


def problem_point(problem, centre, dirs, alpha, beta):
    """``centre + alpha d1 + beta d2`` as a batch of one point (every leaf with a leading axis of 1)."""
    x = _vec(problem, centre) + alpha * _vec(problem, dirs[0]) + beta * _vec(problem, dirs[1])
    return problem.unravel(jnp.asarray(x[None, :]))


def project(problem, centre, dirs, X):
    """Least-squares coefficients ``(alpha, beta)`` of each row of ``X - centre`` on ``(d1, d2)`` (raveled), and
    each row's distance from the plane."""
    A = np.stack([_vec(problem, d) for d in dirs], axis=1)
    R = np.asarray(X, np.float64) - _vec(problem, centre)[None, :]
    coef = np.linalg.lstsq(A, R.T, rcond=None)[0].T
    return coef, np.linalg.norm(R - coef @ A.T, axis=1)


def problem_info(problem) -> dict:
    """What the page says about the loaded problem."""
    return {
        "name": str(problem.label),
        "n_params": int(problem.n_params),
        "exactness": str(problem.exactness),
        "min_loss": _number(problem.min_loss),
    }


def problem_plane(problem, s):
    """The population loss on ``centre + a d1 + b d2`` over ``[-span, span]^2`` (``analysis.instruments.slice2d``;
    rows are ``alpha``, columns ``beta``) and at the centre."""
    centre, dirs = problem_plane_basis(problem, s)
    axis = np.linspace(-s["span"], s["span"], s["n"])
    r = I.slice2d(problem, centre, dirs, jnp.asarray(axis), jnp.asarray(axis))
    loss = np.asarray(r.loss, np.float64)
    fin = loss[np.isfinite(loss)]
    return {
        "problem": problem_info(problem),
        "alpha": axis.tolist(),
        "beta": axis.tolist(),
        "loss": _rows(loss),
        "centre_loss": _number(problem.population_loss(centre)),
        "positive": bool(fin.size and np.all(fin > 0)),
        "directions": {
            "seed": s["seed"],
            "key": f"fold_in(key({s['seed']}), {DIRECTIONS_FOLD})",
            "normalization": s["normalization"],
        },
    }


def problem_train_kwargs(s):
    """The arguments of ``landscape.train`` for a validated run of the user's problem."""
    return {
        "optimizer": s["optimizer"],
        "hyperparams": {"learning_rate": s["learning_rate"]},
        "steps": s["steps"],
        "gradient": "population",
        "record_every": record_every(s["steps"]),
        "key": jax.random.key(s["seed"]),
        "traced_steps": True,
    }


def problem_train(problem, s):
    """A run with exact gradients from ``(alpha, beta)`` of the plane: its loss at every record, its records
    projected onto the plane (least squares on the two directions) and their distance from it."""
    centre, dirs = problem_plane_basis(problem, s)
    start = problem_point(problem, centre, dirs, s["alpha"], s["beta"])
    t0 = time.perf_counter()
    t = L.train(problem, start, **problem_train_kwargs(s))
    X = np.asarray(problem.ravel(t.params), np.float64)[:, 0, :]
    coef, off = project(problem, centre, dirs, X)
    loss = np.asarray(t.population_loss, np.float64)[:, 0]
    return {
        "steps": np.asarray(t.steps).tolist(),
        "alpha": finite(coef[:, 0]),
        "beta": finite(coef[:, 1]),
        "off_plane": finite(off),
        "loss": finite(loss),
        "end_loss": _number(loss[-1]),
        "end_loss_repr": repr(float(loss[-1])),
        "diverged": bool(np.asarray(t.diverged)[0]),
        "diverged_at": int(np.asarray(t.diverged_at)[0]),
        "seconds": time.perf_counter() - t0,
    }


def problem_spectrum(problem, s):
    """At ``(alpha, beta)`` of the plane: the top ``k`` Hessian eigenvalues with their residuals
    (``analysis.instruments.hessian_top``) and the eigenvalue density (``spectral_density``)."""
    centre, dirs = problem_plane_basis(problem, s)
    pts = problem_point(problem, centre, dirs, s["alpha"], s["beta"])
    key = jax.random.key(s["seed"])
    top = I.hessian_top(problem, pts, s["k"], key=key)
    dens = I.spectral_density(problem, pts, key=key, probes=s["probes"], steps=s["steps"])
    return {
        "loss": _number(problem.population_loss(jax.tree_util.tree_map(lambda a: a[0], pts))),
        "eigenvalues": finite(np.asarray(top["eigenvalues"])[0]),
        "residuals": finite(np.asarray(top["residuals"])[0]),
        "method": str(top["method"]),
        "grid": finite(dens["grid"]),
        "density": finite(np.asarray(dens["density"])[0]),
        "sigma": _number(dens["sigma"]),
    }
