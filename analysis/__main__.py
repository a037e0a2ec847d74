"""``python -m analysis verify|convexity|dead-zone|critical-points|phase|deep|slice|interpolate|hessian``: questions
asked of the landscape.

Each command is a thin layer over library calls: it validates every option
and output path before any work, prints a readable summary, and writes JSON
with its settings to ``--json PATH``; ``verify`` writes ``report.json`` and
``report.md`` (whole or not at all) to ``--out``. Bad input exits with one
line and status 2, a failure with one line and status 1 (``--debug`` shows
the traceback).
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any

import numpy as np

from landscape import cli


def _problem(args):
    import landscape as L

    return L.Problem(student=args.student, inputs=args.inputs, trained=args.train)


def _fixed(problem, box):
    """The trained parameters not on the box, at the neuron's defaults (the teacher's own values)."""
    from landscape.neuron import DEFAULTS

    return {k: DEFAULTS[k] for k in problem.trained if k not in box}


def _box(text, names):
    """``w=-3:3,b=-3:3`` -> {"w": (-3, 3), "b": (-3, 3)}."""
    out = {}
    for part in text.split(","):
        try:
            k, rng = part.split("=")
            lo, hi = (float(v) for v in rng.split(":"))
        except ValueError:
            raise ValueError(f"cannot read --box {text!r}; write e.g. w=-3:3,b=-3:3") from None
        out[k.strip()] = (lo, hi)
    return out


def cmd_verify(args):
    from . import report

    def show(cid, v):
        if isinstance(v, dict):  # an extension row
            print(f"{cid:4s} {v['status']:14s} {v['question']}", flush=True)
        else:
            print(f"{cid:4s} {v.verdict:14s} " + "; ".join(f"{s.verdict}: {s.text}" for s in v.statements), flush=True)

    ids = None
    if args.only is not None:
        ids = [i.strip() for i in args.only.split(",") if i.strip()]
        if not ids:
            raise ValueError(f"--only names no claim ({args.only!r}); give ids such as A6,A9 or leave it out")
    if args.cache:
        from landscape.io import check_writable

        from . import registry

        check_writable(args.cache)  # before any work
        registry.set_cache_dir(args.cache)
    t0 = time.perf_counter()
    doc = report.make(args.out, quick=args.quick, ids=ids, readme=args.readme, progress=show)
    stem = "report-partial" if doc["partial"] else "report"
    print(
        f"wrote {os.path.join(args.out, stem + '.json')} and {stem}.md in {time.perf_counter() - t0:.0f} s"
        + (" (a partial run: the full report and the README are untouched)" if doc["partial"] else "")
    )
    return 0


def cmd_convexity(args):
    from . import geometry as G

    problem = _problem(args)
    box = _box(args.box, problem.coordinates())
    fixed = _fixed(problem, box)
    cert = G.nonconvexity_witness(problem, box, fixed=fixed)
    out = {"problem": problem.config(), "box": box, "fixed": fixed, "witness": cert.as_dict() if cert else None}
    if len(box) == 1:
        out["line"] = G.line_crossings(problem, box, fixed=fixed)
    pt = lambda d: "(" + ", ".join(f"{k}={float(v):.6g}" for k, v in d.items()) + ")"
    if cert:
        print(
            f"not convex: L at {pt(cert.mid)} is {cert.gap:.6g} above the chord between {pt(cert.a)} and {pt(cert.b)} "
            f"(lam={cert.lam:g})"
        )
    else:
        print("no chord below the graph found: the loss looks convex on this box")
    if "line" in out:
        roots = ", ".join(f"{float(r):.6g}" for r in out["line"]["crossings"])
        print(f"a line crosses the graph {out['line']['count']} times: at {roots}")
    return out


def cmd_dead_zone(args):
    from . import geometry as G

    problem = _problem(args)
    box = _box(args.box, problem.coordinates())
    try:
        eps = tuple(float(e) for e in args.eps.split(","))
    except ValueError:
        raise ValueError(f"--eps must be comma-separated numbers, got {args.eps!r}") from None
    fixed = _fixed(problem, box)
    dz = G.dead_zone(problem, box, n=args.n, eps=eps, delta=args.delta, fixed=fixed or None)
    print(f"dead set: {dz.dead.sum()} of {dz.dead.size} grid points; exact area fraction {dz.dead_area_fraction:.6g}")
    for e, f in dz.near_flat_fraction.items():
        print(f"near-flat (|grad| < {e:g}, loss > min + {dz.delta:g}): {f:.4%} of the box")
    return {
        "problem": problem.config(),
        "box": box,
        "n": args.n,
        "dead_points": int(dz.dead.sum()),
        "dead_area_fraction": dz.dead_area_fraction,
        "near_flat_fraction": {str(k): v for k, v in dz.near_flat_fraction.items()},
        "delta": dz.delta,
        "min_loss": dz.min_loss,
    }


def cmd_critical(args):
    from . import geometry as G

    problem = _problem(args)
    box = _box(args.box, problem.coordinates())
    cps = G.critical_points(problem, box, starts=args.starts, steps=args.steps)
    for c in cps:
        ps = ", ".join(f"{k}={v:.6g}" for k, v in c.params.items())
        print(f"{c.kind:18s} {ps}  loss={c.loss:.6g}  starts={c.count}")
    return {"problem": problem.config(), "box": box, "points": [c.__dict__ for c in cps]}


def cmd_phase(args):
    from . import phase as P

    problem = _problem(args)
    lrs = np.geomspace(args.lr_min, args.lr_max, args.n)
    betas = np.linspace(P.PHASE_AXES["beta_min"], args.beta_max, args.n)
    t = time.perf_counter()
    d = P.phase_diagram(problem, args.method, lrs=lrs, betas=betas, steps=args.steps, w0=args.w0, second=args.second)
    dt = time.perf_counter() - t
    print(
        f"{args.method}: {np.mean(d.simulated > 0):.2%} of {d.simulated.size} cells cross within {args.steps} steps ({dt:.1f} s)"
    )
    if d.analytic is not None:
        print(
            f"analytic vs simulated: {d.disagreement_cells} cells disagree; largest boundary gap {d.max_boundary_gap} grid rows"
        )
        b_inf, b_fin = d.boundary_infinite, d.boundary_finite
        if b_inf is None or b_fin is None:
            raise RuntimeError("the phase diagram has an analytic part but no analytic boundaries")
        for j in np.linspace(0, args.n - 1, 5).astype(int):
            print(
                f"  {args.second}={betas[j]:.3f}: lr boundary infinite-horizon {b_inf[j]:.5g}, "
                f"{args.steps} steps {b_fin[j]:.5g}"
            )
    return {
        "method": args.method,
        "settings": d.settings,
        "lrs": lrs,
        "betas": betas,
        "simulated_first_crossing": d.simulated,
        "analytic_first_crossing": d.analytic,
        "boundary_infinite": d.boundary_infinite,
        "boundary_finite": d.boundary_finite,
        "disagreement_cells": d.disagreement_cells,
        "max_boundary_gap": d.max_boundary_gap,
        "seconds": dt,
    }


INIT_ALIASES = {"he": "he_normal", "glorot": "glorot_normal"}


def _init_name(text: str) -> str:
    """``--init``: an alias (he, glorot) or a full scheme name."""
    return INIT_ALIASES.get(text, text)


def _k_range(text):
    """``"6"`` or ``"6:20"`` (inclusive) -> list of teacher sizes."""
    try:
        parts = [int(p) for p in str(text).split(":")]
    except ValueError:
        raise ValueError(f"--k must be an integer or a range LO:HI, got {text!r}") from None
    if len(parts) not in (1, 2) or min(parts) < 1 or parts[0] > parts[-1]:
        raise ValueError(f"--k must be an integer >= 1 or a range LO:HI with 1 <= LO <= HI, got {text!r}")
    return list(range(parts[0], parts[-1] + 1))


def _n_rule(text):
    """``--n``: an integer, ``k`` or ``k+E`` -> function of k."""
    t = str(text).replace(" ", "")
    try:
        if t == "k":
            return lambda k: k
        if t.startswith("k+"):
            e = int(t[2:])
            return lambda k: k + e
        n = int(t)
        return lambda k: n
    except ValueError:
        raise ValueError(f"--n must be an integer, 'k' or 'k+E', got {text!r}") from None


def cmd_deep(args):
    import jax

    from landscape.progress import bar

    from . import deep as D

    key = jax.random.key(args.seed)
    if args.what == "born-dead":
        init = _init_name(args.init)
        r = D.born_dead(
            args.depth,
            args.width,
            scheme=init,
            bias=args.bias == "init",
            inputs=args.inputs,
            samples=args.samples,
            key=key,
            progress=bar("networks", "network"),
        )
        cf = r.get("closed_form_single_input")
        print(
            f"depth {args.depth}, width {args.width}, {init}, bias {args.bias}, {r['inputs']}: born dead "
            f"{r['probability']:.4g} [{r['ci'][0]:.4g}, {r['ci'][1]:.4g}] of {r['samples']}; "
            f"one input dead {r['single_input_probability']:.4g}"
            + (f" (closed form {cf:.4g})" if cf is not None else "")
        )
        return r
    if args.what == "dying":
        init = _init_name(args.init)
        r = D.dying(
            args.depth,
            args.width,
            scheme=init,
            target=args.target,
            inputs=args.inputs,
            starts=args.samples,
            key=key,
            steps=args.steps,
            progress=True,
        )
        print(
            f"depth {args.depth}, width {args.width}, {init}, fitting {r['target']}: {r['rate']:.3g} of {r['starts']} "
            f"collapse to a constant [{r['ci'][0]:.3g}, {r['ci'][1]:.3g}]; {r['fit']:.3g} fit the target"
        )
        return r
    if args.what == "spurious":
        ks, n_of = _k_range(args.k), _n_rule(args.n)
        for k in ks:
            if n_of(k) < k:
                raise ValueError(f"the student needs at least as many units as the teacher: n={n_of(k)} < k={k}")
        rows = []
        for k in ks:
            r = D.spurious_minima(
                k,
                n_of(k),
                starts=args.samples,
                key=jax.random.fold_in(key, k),
                steps=args.steps,
                keep=max(args.prove, 1),
                progress=True,
            )
            print(
                f"k={k} teacher units, n={r['n']} student units: {r['rate']:.3g} of {r['starts']} starts end at a spurious "
                f"minimum (float64 Hessian check) [{r['ci'][0]:.3g}, {r['ci'][1]:.3g}]; still moving "
                f"{r['still_moving']:.3g} after {r['steps_run']} steps"
            )
            if args.prove:
                from . import proofs

                pts = list(r.get("spurious_points", []))[: args.prove]
                r["proofs"] = proofs.prove_points(pts, k)
                for i, c in enumerate(r["proofs"]):
                    print(f"  point {i}: {c['reason']} ({c['seconds']:.2f} s)")
                if not pts:
                    print("  no spurious end point to prove")
            rows.append(r)
        return rows[0] if len(rows) == 1 else {"rows": rows}
    r = D.gradient_growth(args.slope, depth=args.depth, width=args.width, nets=args.samples, key=key)
    print(
        f"leaky slope {args.slope:g}, depth {r['depth']}, width {r['width']}, {r['nets']} networks: log|dy/dx|^2 grows by "
        f"{r['rate']:+.4f} per layer [{r['ci'][0]:+.4f}, {r['ci'][1]:+.4f}]; reference {r['reference']:+.4f} (exact at "
        f"width {r['width']}; mean-field limit {r['mean_field']:+.4f})"
    )
    return r


# ------------------------------------------------------------------ instruments
MAX_INSTRUMENT_PARAMS = 4096  # the Safran-Shamir problems these commands build: k * n parameters at most


def _instrument_problem(args):
    """``--problem``: ``neuron`` (with --student, --inputs, --train) or ``safran-shamir:K[,N]``."""

    text = args.problem.strip()
    if text == "neuron":
        from landscape.neuron import DEFAULTS

        problem = _problem(args)
        default = ",".join(f"{n}={DEFAULTS[n]:g}" for n in problem.trained)  # the teacher's own parameters
    else:
        problem, default = None, "identity"
    for name in ("centre", "at"):  # the default point: the teacher's parameters, or W = I
        if hasattr(args, name) and getattr(args, name) is None:
            setattr(args, name, default)
    if problem is not None:
        return problem, "neuron"
    if text.startswith("safran-shamir:"):
        from . import deep as D

        try:
            parts = [int(v) for v in text.split(":", 1)[1].split(",")]
        except ValueError:
            parts = []
        if len(parts) not in (1, 2) or min(parts) < 1 or (len(parts) == 2 and parts[1] < parts[0]):
            raise ValueError(f"--problem safran-shamir:K[,N] needs integers 1 <= K <= N, got {text!r}")
        k, n = parts[0], parts[-1]
        if k * n > MAX_INSTRUMENT_PARAMS:
            raise ValueError(
                f"--problem {text}: k * n = {k * n} parameters; at most {MAX_INSTRUMENT_PARAMS} here "
                "(use analysis.instruments from Python for larger models)"
            )
        return D.safran_shamir(k, n), "ss"
    raise ValueError(f"--problem must be neuron or safran-shamir:K[,N], got {text!r}")


def _instrument_point(problem, kind, text, name, seed=0):
    """A point: ``w=1,b=0`` (neuron); ``identity``, ``published`` (k = n = 7), ``random`` or a .npy file of the
    student weights (safran-shamir). (``nearest`` is resolved by the commands that take it.)"""
    import jax
    import jax.numpy as jnp

    if kind == "neuron":
        vals = {}
        for part in text.split(","):
            try:
                k, v = part.split("=")
                vals[k.strip()] = float(v)
            except ValueError:
                raise ValueError(f"{name} must read like w=1,b=0, got {text!r}") from None
        if set(vals) != set(problem.trained):
            raise ValueError(
                f"{name} must give exactly the trained parameters {', '.join(problem.trained)}, got "
                f"{', '.join(vals) or 'none'}"
            )
        return vals
    n, k = problem.param_shapes()[0]["W"]
    if text == "identity":
        W = np.eye(n, k)
    elif text == "published":
        if (n, k) != (7, 7):
            raise ValueError(f"{name} published is the k = n = 7 spurious minimum; this problem has k={k}, n={n}")
        from . import deep as D

        W = np.asarray(D.published_minimum_k7())
    elif text == "random":
        W = np.asarray(jax.random.normal(jax.random.key(seed), (n, k), jnp.float64)) / np.sqrt(k)
    elif text.endswith(".npy"):
        if not os.path.isfile(text):
            raise ValueError(f"{name}: no such file {text!r}")
        try:
            W = np.load(text, allow_pickle=False)
        except (ValueError, OSError) as exc:
            raise ValueError(f"{name}: {text} is not a plain NumPy array file ({exc})") from None
        if not isinstance(W, np.ndarray) or not np.issubdtype(W.dtype, np.number):
            raise ValueError(f"{name}: {text} must hold an array of numbers")
        if W.shape != (n, k):
            raise ValueError(f"{name}: {text} holds an array of shape {W.shape}; the student weights are ({n}, {k})")
    else:
        raise ValueError(f"{name} must be identity, published, random, nearest or a .npy file, got {text!r}")
    return [{"W": jnp.asarray(W, jnp.float64)}]


def cmd_slice(args):
    import jax

    from . import instruments as I

    problem, kind = _instrument_problem(args)
    centre = _instrument_point(problem, kind, args.centre, "--centre", args.seed)
    problem.check_point(centre, "--centre")
    # the slice's two arrays in memory, and their JSON text when written: refused before the work if too large
    need = args.n * args.n * 2 * (8 + (24 if args.json else 0))
    limit = __import__("landscape").io.memory_limit() // 2
    if need > limit:
        raise ValueError(
            f"--n {args.n}: a {args.n} x {args.n} slice needs about {need / 2**30:.3g} GiB for its "
            f"values{' and their JSON' if args.json else ''}, more than {limit / 2**30:.3g} GiB; use a "
            "smaller --n"
        )
    key = jax.random.key(args.seed)
    if args.towards:
        target = _instrument_point(problem, kind, args.towards, "--towards", args.seed + 1)
        d1 = jax.tree_util.tree_map(
            lambda a, b: jax.numpy.asarray(b, float) - jax.numpy.asarray(a, float), centre, target
        )
        d2 = I.directions(
            problem, centre, key=key, n=1, normalization=None if args.normalization == "none" else args.normalization
        )[0]
    else:
        d1, d2 = I.directions(
            problem, centre, key=key, n=2, normalization=None if args.normalization == "none" else args.normalization
        )
    coef = np.linspace(-args.span, args.span, args.n)
    t = time.perf_counter()
    r = I.slice2d(problem, centre, [d1, d2], coef, coef, quantities=("loss", "grad_norm"))
    dt = time.perf_counter() - t
    loss = np.asarray(r.loss)
    c = float(problem.population_loss(centre))
    print(
        f"{args.n} x {args.n} slice at {args.centre} (loss {c:.6g}) in {dt:.2f} s: loss from {loss.min():.6g} to "
        f"{loss.max():.6g}; {np.mean(np.abs(loss - c) <= 1e-12 * max(1.0, abs(c))):.1%} of it at the centre's level"
    )
    return {
        "problem": args.problem,
        "centre": args.centre,
        "towards": args.towards,
        "normalization": args.normalization,
        "coef": coef,
        "loss": loss,
        "grad_norm": np.asarray(r.grad_norm),
        "centre_loss": c,
        "seed": args.seed,
        "directions": [np.asarray(problem.ravel(d)) for d in (d1, d2)],
        "seconds": dt,
    }


def cmd_interpolate(args):
    from . import instruments as I

    problem, kind = _instrument_problem(args)
    texts = list(args.points)
    if all(t == "nearest" for t in texts):
        raise ValueError("nearest is the global minimum nearest to another point: give that point too")
    pts: list[Any] = [  # parameter points (pytrees); None until "nearest" is found
        None if t == "nearest" else _instrument_point(problem, kind, t, f"points[{i}]", args.seed + i)
        for i, t in enumerate(texts)
    ]
    notes = {}
    for i, t in enumerate(texts):
        if t == "nearest":
            j = i - 1 if i > 0 and pts[i - 1] is not None else i + 1
            found = problem.nearest_optimum(pts[j])
            if found is None:
                raise ValueError(f"points[{i}] nearest: this problem knows no global minimum to go to")
            pts[i], notes[i] = found
    r = I.interpolate(problem, *pts, n=args.n)
    for i, note in notes.items():
        print(f"points[{i}] = {note}")
    top = (
        "unknown (the loss is not finite at t = " + ", ".join(f"{v:g}" for v in r.nonfinite) + ")"
        if r.barrier is None
        else f"{r.barrier:.6g} at t = {r.argmax:g}"
    )
    print(f"path through {len(pts)} points: loss at the ends {r.loss[0]:.6g} and {r.loss[-1]:.6g}; barrier {top}")
    return {
        "problem": args.problem,
        "points": args.points,
        "nearest": {str(i): n for i, n in notes.items()},
        "t": r.t,
        "loss": r.loss,
        "grad_norm": r.grad_norm,
        "barrier": r.barrier,
        "argmax": r.argmax,
        "nonfinite": list(r.nonfinite),
    }


def cmd_hessian(args):
    import jax

    from . import instruments as I

    problem, kind = _instrument_problem(args)
    point = _instrument_point(problem, kind, args.at, "--at", args.seed)
    dim = problem.n_params
    if args.k > dim:
        raise ValueError(f"--k must be at most the number of parameters ({dim}), got {args.k}")
    args.steps = min(30, dim) if args.steps is None else args.steps
    if args.steps > dim:
        raise ValueError(f"--steps must be at most the number of parameters ({dim}), got {args.steps}")
    if args.probes < 2:
        raise ValueError(f"--probes must be at least 2, got {args.probes}")
    I.check_probe_memory(dim, args.probes, "--probes")  # before any work: the trace holds every probe at once
    batch = problem.check_starts(jax.tree_util.tree_map(lambda a: np.asarray(a, float)[None], point), "--at")[0]
    key = jax.random.key(args.seed)
    # the work, counted in Hessian-vector products, timed on one of them: printed before it starts, with bars
    print(f"timing one Hessian-vector product of {dim} parameters ...", flush=True)
    per = I.product_time(problem, jax.numpy.asarray(problem.ravel(batch))[0])
    dense = args.k * max(2, -(-(6 * args.k + 40) // args.k)) >= dim
    products = (dim if dense else 2 * (6 * args.k + 40)) + args.probes + args.probes * args.steps
    print(f"about {products} Hessian-vector products of {per:.2g} s each: {products * per:.3g} s", flush=True)
    from landscape.progress import bar

    top = I.hessian_top(problem, batch, args.k, key=jax.random.fold_in(key, 0), progress=bar("top eigenvalues"))
    tr = I.hessian_trace(problem, batch, key=jax.random.fold_in(key, 1), probes=args.probes, progress=bar("trace"))
    sd = I.spectral_density(
        problem, batch, key=jax.random.fold_in(key, 2), probes=args.probes, steps=args.steps, progress=bar("density")
    )
    conv = "" if top["converged"][0] else f", not converged: {top['reason'][0]}"
    err = (
        tr["note"]
        if tr["stderr"] is None
        else f"{int(100 * tr['confidence'])}% interval [{tr['ci'][0][0]:.6g}, {tr['ci'][0][1]:.6g}]"
    )
    print(
        f"at {args.at} (loss {float(problem.population_loss(point)):.6g}, {dim} parameters): top {args.k} "
        f"eigenvalues {np.array2string(top['eigenvalues'][0], precision=6)} ({top['method']}, largest residual "
        f"{top['residuals'][0].max():.1e}{conv}); trace {tr['trace'][0]:.6g} ({err}; Hutchinson, {args.probes} "
        f"probes); density by SLQ ({args.probes} probes x {args.steps} steps, sigma {sd['sigma']:.3g})"
    )
    return {
        "problem": args.problem,
        "at": args.at,
        "parameters": dim,
        "top": top["eigenvalues"][0],
        "residuals": top["residuals"][0],
        "converged": bool(top["converged"][0]),
        "reason": top["reason"][0],
        "lanczos": {k: top[k] for k in ("method", "block", "steps", "krylov_dim", "tol", "dtype", "key")},
        "trace": float(tr["trace"][0]),
        "trace_stderr": None if tr["stderr"] is None else float(tr["stderr"][0]),
        "trace_ci": None if tr["ci"] is None else list(map(float, tr["ci"][0])),
        "trace_note": tr["note"],
        "density": {
            "grid": sd["grid"],
            "density": sd["density"][0],
            "sigma": sd["sigma"],
            "nodes": sd["nodes"][0],
            "weights": sd["weights"][0],
            "key": sd["key"],
        },
        "seed": args.seed,
    }


def _defaults(fn) -> dict:
    """The keyword defaults of a library function (the commands show the library's own)."""
    import inspect

    return {
        k: p.default for k, p in inspect.signature(fn).parameters.items() if p.default is not inspect.Parameter.empty
    }


def build_parser():
    import landscape as L
    from landscape import networks as N

    from . import deep as D
    from . import registry as R
    from .phase import LINEAR_METHODS as LINEAR
    from .phase import PHASE_AXES as PA

    O = L.ORIGINAL
    aliases = ", ".join(f"{a} for {full}" for a, full in INIT_ALIASES.items())
    ap = cli.Parser(prog="python -m analysis", description=cli.description(__doc__))
    sub = ap.add_subparsers(
        dest="command",
        required=True,
        metavar="{verify,convexity,dead-zone,critical-points,phase,deep,slice,interpolate,hessian}",
    )

    def add(name, help_, where=sub):
        return cli.add_command(where, name, help_)

    v = add("verify", "a verdict for every claim of the study, split into its statements")
    v.add_argument("--out", default="figures/out", help="folder of report.json and report.md")
    v.add_argument(
        "--only",
        default=None,
        help="comma-separated claim ids, e.g. A6,A9, written to report-partial.* (default: every claim)",
    )
    v.add_argument("--quick", action="store_true", help="small sweeps, same logic")
    v.add_argument(
        "--readme",
        default=None,
        help="fill the verdict table of this README, full runs only (default: no README is touched)",
    )
    v.add_argument(
        "--cache",
        default=None,
        help="folder in which experiment results are kept and reused (default: kept in memory for this run only)",
    )

    def common(p, train="w", box="w=-3:3"):
        p.add_argument("--student", default="relu", help="student activation, e.g. relu or leaky_relu:0.3")
        p.add_argument("--inputs", default="gaussian", help="gaussian or uniform:LO,HI")
        p.add_argument("--train", default=train, help="trained parameters, e.g. w or w,b")
        p.add_argument("--box", default=box, help="the region, e.g. w=-3:3,b=-3:3")
        p.add_argument(
            "--json", default=None, metavar="PATH", help="write the results and settings as JSON (default: no file)"
        )

    common(add("convexity", "a chord below the graph, and lines crossing it"))
    d = add("dead-zone", "the dead set and the near-flat region")
    common(d, "w,b", "w=-3:3,b=-3:3")
    d.add_argument("--n", type=cli.positive_int("--n"), default=401, help="grid points per axis")
    d.add_argument("--eps", default="1e-1,1e-2,1e-3,1e-4", help="gradient-norm thresholds of the near-flat region")
    d.add_argument(
        "--delta",
        type=cli.positive_float("--delta"),
        default=1e-2,
        help="the near-flat region lies this far above the global minimum",
    )
    c = add("critical-points", "stationary points, classified")
    common(c, "w,b", "w=-3:3,b=-3:3")
    c.add_argument("--starts", type=cli.positive_int("--starts"), default=2048, help="random starts in the box")
    c.add_argument("--steps", type=cli.positive_int("--steps"), default=3000, help="Adam steps on |grad L|^2")
    p = add("phase", "where a backwards start crosses w = 0")
    common(p)
    lip = R.REGISTRY["lip"].defaults
    p.add_argument(
        "--method",
        default="momentum",
        choices=list(L.OPTIMIZERS),
        metavar="NAME",
        help=f"the optimizer, one of {', '.join(L.OPTIMIZERS)}; {', '.join(LINEAR)} also get the analytic boundary",
    )
    p.add_argument("--second", default="momentum", help="the second hyperparameter (momentum, or b1 for Adam)")
    p.add_argument("--n", type=cli.positive_int("--n"), default=lip["grid"], help="grid points per axis (the report's)")
    p.add_argument("--steps", type=cli.positive_int("--steps"), default=O.steps, help="the step budget")
    p.add_argument("--w0", type=cli.finite_float("--w0"), default=O.w0, help="the backwards start")
    p.add_argument("--lr-min", type=cli.positive_float("--lr-min"), default=PA["lr_min"], help="smallest learning rate")
    p.add_argument("--lr-max", type=cli.positive_float("--lr-max"), default=PA["lr_max"], help="largest learning rate")
    p.add_argument(
        "--beta-max",
        type=cli.finite_float("--beta-max", 0.0, 0.999999),
        default=PA["beta_max"],
        help="largest value of the second hyperparameter",
    )
    dp = add("deep", "deeper and wider networks: born-dead, dying, spurious, explode (each its own command)")
    deep = dp.add_subparsers(dest="what", required=True, metavar="{born-dead,dying,spurious,explode}")

    def net_options(q, depth, width, samples, what):
        q.add_argument(
            "--depth", type=cli.positive_int("--depth"), default=depth, help="layers, the output one included"
        )
        q.add_argument("--width", type=cli.positive_int("--width"), default=width, help="units per hidden layer")
        q.add_argument("--samples", type=cli.positive_int("--samples"), default=samples, help=what)
        q.add_argument("--seed", type=cli.seed, default=0, help="random seed")
        q.add_argument(
            "--json", default=None, metavar="PATH", help="write the results and settings as JSON (default: no file)"
        )

    def init_option(q, default):
        q.add_argument(
            "--init",
            default=default,
            help=f"the initialization, one of {', '.join(N.INITS)}, or {aliases}",
        )
        q.add_argument("--inputs", default="gaussian", help="gaussian or uniform:LO,HI")

    # defaults: the settings of the report's rows (D1-D7), read from the experiments that make them
    born = R.REGISTRY["born_dead"].defaults
    nets = R.REGISTRY["deep_networks"].defaults
    bd = add("born-dead", "how often a freshly initialized network is constant on its inputs", deep)
    net_options(bd, *D.REPORT_SHAPES["born-dead"], born["samples"], "networks drawn")
    init_option(bd, born["scheme"])
    bd.add_argument("--bias", default="none", choices=["none", "init"], help="whether layers have random biases")
    dy_defaults = _defaults(D.dying)
    dy = add("dying", "how often networks collapse to a constant while fitting a target", deep)
    net_options(dy, *D.REPORT_SHAPES["dying"], nets["dying_starts"], "starts trained")
    init_option(dy, dy_defaults["scheme"])
    dy.add_argument("--target", default=dy_defaults["target"], help="what the networks fit: abs or relu")
    dy.add_argument("--steps", type=cli.positive_int("--steps"), default=nets["dying_steps"], help="training steps")
    sp_defaults = _defaults(D.spurious_minima)
    sp = add("spurious", "how often descent ends at a spurious minimum of a teacher-student network", deep)
    sp.add_argument("--k", default="6", help="teacher units, or a range LO:HI")
    sp.add_argument("--n", default="k", help="student units: an integer, k or k+E")
    sp.add_argument(
        "--samples", type=cli.positive_int("--samples"), default=nets["spurious_starts"], help="random starts"
    )
    sp.add_argument(
        "--steps", type=cli.positive_int("--steps"), default=sp_defaults["steps"], help="at most this many steps"
    )
    sp.add_argument("--seed", type=cli.seed, default=0, help="random seed")
    sp.add_argument(
        "--prove",
        type=cli.nonneg_int("--prove"),
        default=0,
        help="prove this many spurious end points per k in ball arithmetic (polished by Newton steps first)",
    )
    sp.add_argument(
        "--json", default=None, metavar="PATH", help="write the results and settings as JSON (default: no file)"
    )
    ex = add("explode", "the per-layer growth of gradients through leaky layers, against its exact reference", deep)
    net_options(ex, D.GROWTH["depth"], D.GROWTH["width"], D.GROWTH["nets"], "networks measured")
    ex.add_argument("--slope", type=cli.finite_float("--slope", -1e6, 1e6), default=1.5, help="leaky slope")

    def instrument(p):
        p.add_argument(
            "--problem",
            default="neuron",
            help="neuron (with --student, --inputs, --train) or "
            f"safran-shamir:K[,N] (K teacher, N student units; at most {MAX_INSTRUMENT_PARAMS} parameters)",
        )
        p.add_argument(
            "--student", default="relu", help="student activation of the neuron, e.g. relu or leaky_relu:0.3"
        )
        p.add_argument("--inputs", default="gaussian", help="inputs of the neuron: gaussian or uniform:LO,HI")
        p.add_argument("--train", default="w,b", help="the neuron's trained parameters, e.g. w,b")
        p.add_argument("--seed", type=cli.seed, default=0, help="random seed of directions, probes and random points")
        p.add_argument(
            "--json", default=None, metavar="PATH", help="write the results and settings as JSON (default: no file)"
        )

    points_help = "w=1,b=0 for the neuron; identity, published (k = n = 7), random or a .npy file for safran-shamir"
    default_point = "the teacher's parameters: w=1,b=0 for the neuron, identity for safran-shamir"
    sl = add("slice", "the loss on a 2-D slice through a point (random filter-normalized directions)")
    instrument(sl)
    sl.add_argument("--centre", default=None, help=f"the centre: {points_help} (default: {default_point})")
    sl.add_argument(
        "--towards",
        default=None,
        help="make the first direction point at this point, same forms (default: both directions random)",
    )
    sl.add_argument(
        "--normalization",
        default="filter",
        choices=["filter", "layer", "none"],
        help="how random directions are scaled (filter: per unit, Li et al. 2018)",
    )
    sl.add_argument("--n", type=cli.positive_int("--n"), default=51, help="points per axis")
    sl.add_argument("--span", type=cli.positive_float("--span"), default=1.0, help="coefficients from -span to span")
    ip = add("interpolate", "the loss and the barrier on the straight path through two or more points")
    instrument(ip)
    ip.add_argument(
        "points",
        nargs="+",
        help=f"two or more points: {points_help}; or nearest, the global minimum "
        "nearest to the point before it (the first: after it), searched over every permutation of units",
    )
    ip.add_argument("--n", type=cli.positive_int("--n"), default=51, help="points per segment")
    hs = add("hessian", "top eigenvalues, trace and spectral density of the Hessian at a point")
    instrument(hs)
    hs.add_argument("--at", default=None, help=f"the point: {points_help} (default: {default_point})")
    hs.add_argument("--k", type=cli.positive_int("--k"), default=2, help="how many top eigenvalues (block Lanczos)")
    hs.add_argument(
        "--probes", type=cli.positive_int("--probes"), default=10, help="probe vectors of the trace and the density"
    )
    hs.add_argument(
        "--steps",
        type=cli.positive_int("--steps"),
        default=None,
        help="Lanczos steps per probe of the density (default: 30, or the number of parameters if fewer)",
    )
    return ap


COMMANDS = {
    "verify": "cmd_verify",
    "convexity": "cmd_convexity",
    "dead-zone": "cmd_dead_zone",
    "critical-points": "cmd_critical",
    "phase": "cmd_phase",
    "deep": "cmd_deep",
    "slice": "cmd_slice",
    "interpolate": "cmd_interpolate",
    "hessian": "cmd_hessian",
}


def _body(args):
    import jax

    jax.config.update("jax_enable_x64", True)
    if getattr(args, "json", None) is not None:
        from landscape.io import check_output_file

        check_output_file(args.json, "--json")
    out = globals()[COMMANDS[args.command]](args)
    if args.command != "verify" and args.json:
        from landscape.io import provenance, write_json

        write_json(args.json, {**out, "provenance": provenance()})
    return 0


def main(argv=None):
    return cli.main(build_parser(), _body, argv)


if __name__ == "__main__":
    sys.exit(main())
