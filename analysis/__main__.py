"""``python -m analysis verify|convexity|dead-zone|critical-points|phase``.

Each command prints a readable summary; ``verify`` writes ``report.json`` and
``report.md`` (whole or not at all) to ``--out``; the others write JSON with
their settings to ``--json PATH``.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np

README_START = "<!-- verdicts:start -->"
README_END = "<!-- verdicts:end -->"


def _problem(args):
    import landscape as L
    from landscape.__main__ import parse_activation

    return L.Problem(student=parse_activation(args.student), inputs=args.inputs, trained=args.train)


def _jsonable(o):
    if isinstance(o, dict):
        return {str(k): _jsonable(v) for k, v in o.items()}
    if isinstance(o, (list, tuple)):
        return [_jsonable(v) for v in o]
    if isinstance(o, np.ndarray):
        return o.tolist()
    if isinstance(o, (np.floating, np.integer, np.bool_)):
        return o.item()
    return o


def _box(text, names):
    """``w=-3:3,b=-3:3`` -> {"w": (-3, 3), "b": (-3, 3)}."""
    out = {}
    for part in text.split(","):
        try:
            k, rng = part.split("=")
            lo, hi = (float(v) for v in rng.split(":"))
        except ValueError:
            raise ValueError(f"cannot read box {text!r}; write e.g. w=-3:3,b=-3:3") from None
        out[k.strip()] = (lo, hi)
    return out


def verdict_table(results) -> str:
    lines = ["| claim | source | verdict | evidence |", "|---|---|---|---|"]
    for c in results:
        summary = c["summary"].replace("|", "\\|")  # |w| would split a Markdown cell
        lines.append(f"| {c['id']} | {c['source']} | **{c['verdict']}** | {summary} |")
    return "\n".join(lines) + "\n"


def write_report(out, claims, provenance, quick, extension=None):
    from landscape.io import write_atomic

    doc = {"claims": claims, "extension": extension or [], "provenance": provenance, "quick": quick}
    md = ["# Verification of the claims", "",
          "Every verdict below is computed by `python -m analysis verify` from exact losses, trajectories,",
          "certificates and phase diagrams; see `analysis/claims.py` for the rule behind each.", "",
          verdict_table(claims), "## Evidence", ""]
    for c in claims:
        md.append(f"### {c['id']} ({c['source']}): {c['verdict']}")
        md.append("")
        md.append(f"> {c['statement']}")
        md.append("")
        md.append(c["summary"] + ".")
        md.append("")
        md.append("Numbers: " + "; ".join(f"`{k}` = {_fmt(v)}" for k, v in c["evidence"].items()) + ".")
        md.append("")
        md.append("Settings: " + "; ".join(f"`{k}` = {_fmt(v)}" for k, v in c["settings"].items()) + ".")
        md.append("")
    if extension:
        md += ["## Extension: deeper networks", "", "| id | question | measured | 95% interval | reference | agrees |",
               "|---|---|---|---|---|---|"]
        for r in extension:
            ref = r["reference_kind"] + (f" = {_fmt(r['reference'])}" if r["reference"] is not None else "")
            cells = [r["id"], r["question"], _fmt(r["measured"]), _fmt(r["ci"]) if r["ci"] else "-", ref,
                     "yes" if r["agrees"] else "no"]
            md.append("| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |")
        md.append("")
    # both files are prepared first; each lands whole (temp file + rename)
    payload_json = json.dumps(_jsonable(doc), indent=2) + "\n"
    payload_md = "\n".join(md)
    write_atomic(os.path.join(out, "report.json"), payload_json)
    write_atomic(os.path.join(out, "report.md"), payload_md)


def _fmt(v):
    if isinstance(v, float):
        return f"{v:.4g}"
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_fmt(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k}: {_fmt(x)}" for k, x in v.items()) + "}"
    return str(v)


def update_readme(path, claims):
    with open(path) as fh:
        text = fh.read()
    if README_START not in text or README_END not in text:
        raise ValueError(f"{path} has no {README_START} ... {README_END} block to fill")
    head, rest = text.split(README_START, 1)
    _, tail = rest.split(README_END, 1)
    from landscape.io import write_atomic

    write_atomic(path, head + README_START + "\n" + verdict_table(claims) + README_END + tail)


def cmd_verify(args):
    from landscape.io import check_writable, provenance

    from .claims import CLAIMS, run_claims

    ids = None
    if args.only:
        ids = [i.strip() for i in args.only.split(",") if i.strip()]
        unknown = [i for i in ids if i not in CLAIMS]
        if unknown:
            raise ValueError(f"unknown claim ids {unknown}; known: {', '.join(CLAIMS)}")
    check_writable(args.out)
    t0 = time.perf_counter()
    rows = []

    def show(cid, v):
        print(f"{cid:4s} {v.verdict:10s} {v.summary}", flush=True)

    results = run_claims(ids, quick=args.quick, progress=show)
    extension = None
    if ids is None:
        from .deep import extension_report

        extension = extension_report(args.quick)
        for r in extension:
            print(f"{r['id']:4s} {'agrees' if r['agrees'] else 'DIFFERS':10s} {r['question']}: {_fmt(r['measured'])}", flush=True)
    for cid, v in results.items():
        c = CLAIMS[cid]
        rows.append({"id": cid, "source": c.source, "statement": c.statement, "verdict": v.verdict, "summary": v.summary,
                     "evidence": _jsonable(v.evidence), "settings": _jsonable(v.settings), "figures": list(v.figures)})
    write_report(args.out, rows, provenance(seconds=time.perf_counter() - t0, quick=args.quick), args.quick,
                 _jsonable(extension))
    if args.readme:
        update_readme(args.readme, rows)
    print(f"wrote {os.path.join(args.out, 'report.json')} and report.md in {time.perf_counter() - t0:.0f} s")
    return 0


def cmd_convexity(args):
    from . import geometry as G

    problem = _problem(args)
    box = _box(args.box, problem.trained)
    fixed = {k: 0.0 if k in ("b", "c") else 1.0 for k in problem.trained if k not in box}
    cert = G.convexity_certificate(problem, box, fixed=fixed)
    out = {"problem": problem.config(), "box": box, "fixed": fixed, "certificate": cert.as_dict() if cert else None}
    if len(box) == 1:
        out["line"] = G.line_crossings(problem, box, fixed=fixed)
    if cert:
        print(f"not convex: L at {cert.mid} is {cert.gap:.6g} above the chord between {cert.a} and {cert.b} (lam={cert.lam})")
    else:
        print("no chord below the graph found: the loss looks convex on this box")
    if "line" in out:
        print(f"a line crosses the graph {out['line']['count']} times: {out['line']['crossings']}")
    return out


def cmd_dead_zone(args):
    from . import geometry as G

    problem = _problem(args)
    box = _box(args.box, problem.trained)
    eps = tuple(float(e) for e in args.eps.split(","))
    fixed = {k: 1.0 if k == "a" else 0.0 for k in problem.trained if k not in box}
    dz = G.dead_zone(problem, box, n=args.n, eps=eps, delta=args.delta, fixed=fixed or None)
    print(f"dead set: {dz.dead.sum()} of {dz.dead.size} grid points; exact area fraction {dz.dead_area_fraction:.6g}")
    for e, f in dz.near_flat_fraction.items():
        print(f"near-flat (|grad| < {e:g}, loss > min + {dz.delta:g}): {f:.4%} of the box")
    return {"problem": problem.config(), "box": box, "n": args.n, "dead_points": int(dz.dead.sum()),
            "dead_area_fraction": dz.dead_area_fraction, "near_flat_fraction": {str(k): v for k, v in dz.near_flat_fraction.items()},
            "delta": dz.delta, "min_loss": dz.min_loss}


def cmd_critical(args):
    from . import geometry as G

    problem = _problem(args)
    box = _box(args.box, problem.trained)
    cps = G.critical_points(problem, box, starts=args.starts, steps=args.steps)
    for c in cps:
        ps = ", ".join(f"{k}={v:.6g}" for k, v in c.params.items())
        print(f"{c.kind:18s} {ps}  loss={c.loss:.6g}  starts={c.count}")
    return {"problem": problem.config(), "box": box, "points": [c.__dict__ for c in cps]}


def cmd_phase(args):
    from . import phase as P

    problem = _problem(args)
    lrs = np.geomspace(args.lr_min, args.lr_max, args.n)
    betas = np.linspace(0.0, args.beta_max, args.n)
    t = time.perf_counter()
    d = P.phase_diagram(problem, args.method, lrs=lrs, betas=betas, steps=args.steps, w0=args.w0, second=args.second)
    dt = time.perf_counter() - t
    print(f"{args.method}: {np.mean(d.simulated > 0):.2%} of {d.simulated.size} cells cross within {args.steps} steps ({dt:.1f} s)")
    if d.analytic is not None:
        print(f"analytic vs simulated: {d.disagreement_cells} cells disagree; largest boundary gap {d.max_boundary_gap} grid rows")
        for j in np.linspace(0, args.n - 1, 5).astype(int):
            print(f"  {args.second}={betas[j]:.3f}: lr boundary infinite-horizon {d.boundary_infinite[j]:.5g}, "
                  f"{args.steps} steps {d.boundary_finite[j]:.5g}")
    return {"method": args.method, "settings": d.settings, "lrs": lrs, "betas": betas, "simulated_first_crossing": d.simulated,
            "analytic_first_crossing": d.analytic, "boundary_infinite": d.boundary_infinite, "boundary_finite": d.boundary_finite,
            "disagreement_cells": d.disagreement_cells, "max_boundary_gap": d.max_boundary_gap, "seconds": dt}


INIT_ALIASES = {"he": "he_normal", "glorot": "glorot_normal"}
SAMPLES = {"born-dead": 10000, "dying": 256, "spurious": 256, "explode": 128}  # networks, starts, starts, nets
SHAPES = {"born-dead": (10, 3), "dying": (10, 2), "explode": (30, 32)}  # default (depth, width)


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

    from . import deep as D

    key = jax.random.key(args.seed)
    args.init = INIT_ALIASES.get(args.init, args.init)
    if args.samples is None:
        args.samples = SAMPLES[args.what]
    shape = SHAPES.get(args.what, (None, None))
    args.depth = shape[0] if args.depth is None else args.depth
    args.width = shape[1] if args.width is None else args.width
    if args.samples < 1:
        raise ValueError(f"--samples must be a positive integer, got {args.samples}")

    if args.what == "born-dead":
        r = D.born_dead(args.depth, args.width, scheme=args.init, bias=args.bias == "init", inputs=args.inputs,
                        samples=args.samples, key=key)
        cf = r.get("closed_form_single_input")
        print(f"depth {args.depth}, width {args.width}, {args.init}, bias {args.bias}, {r['inputs']}: born dead "
              f"{r['probability']:.4g} [{r['ci'][0]:.4g}, {r['ci'][1]:.4g}] of {r['samples']}; "
              f"one input dead {r['single_input_probability']:.4g}" + (f" (closed form {cf:.4g})" if cf is not None else ""))
        return r
    if args.what == "dying":
        r = D.dying(args.depth, args.width, scheme=args.init, target=args.target, inputs=args.inputs, starts=args.samples,
                    key=key, **({} if args.steps is None else {"steps": args.steps}))
        r["samples"] = r["starts"]
        print(f"depth {args.depth}, width {args.width}, {args.init}, fitting {r['target']}: {r['rate']:.3g} of {r['starts']} "
              f"collapse to a constant [{r['ci'][0]:.3g}, {r['ci'][1]:.3g}]; {r['fit']:.3g} fit the target")
        return r
    if args.what == "spurious":
        ks, n_of = _k_range(args.k), _n_rule(args.n)
        for k in ks:
            if n_of(k) < k:
                raise ValueError(f"the student needs at least as many units as the teacher: n={n_of(k)} < k={k}")
        rows = []
        for k in ks:
            r = D.spurious_minima(k, n_of(k), starts=args.samples, key=jax.random.fold_in(key, k),
                                  **({} if args.steps is None else {"steps": args.steps}))
            r["probability"], r["samples"] = r["rate"], r["starts"]
            print(f"k={k} teacher units, n={r['n']} student units: {r['rate']:.3g} of {r['starts']} starts end at a spurious "
                  f"minimum [{r['ci'][0]:.3g}, {r['ci'][1]:.3g}]; still moving {r['still_moving']:.3g} after "
                  f"{r['steps_run']} steps")
            rows.append(r)
        return rows[0] if len(rows) == 1 else {"rows": rows, "samples": args.samples}
    r = D.gradient_growth(args.slope, depth=args.depth, width=args.width, nets=args.samples, key=key)
    r["samples"] = r["nets"]
    print(f"leaky slope {args.slope:g}: log|dy/dx|^2 grows by {r['rate']:+.4f} per layer (mean-field {r['theory']:+.4f})")
    return r


def build_parser():
    ap = argparse.ArgumentParser(prog="python -m analysis", description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="command", required=True)
    v = sub.add_parser("verify", help="a verdict for every claim of the study")
    v.add_argument("--out", default="figures/out")
    v.add_argument("--only", default=None, help="comma-separated claim ids, e.g. A6,A9")
    v.add_argument("--quick", action="store_true")
    v.add_argument("--readme", default=None, help="fill the verdict table of this README")

    def common(p, train="w", box="w=-3:3"):
        p.add_argument("--student", default="relu")
        p.add_argument("--inputs", default="gaussian")
        p.add_argument("--train", default=train)
        p.add_argument("--box", default=box)
        p.add_argument("--json", default=None, metavar="PATH")

    common(sub.add_parser("convexity", help="a chord below the graph, and lines crossing it"))
    d = sub.add_parser("dead-zone", help="the dead set and the near-flat region")
    common(d, "w,b", "w=-3:3,b=-3:3")
    d.add_argument("--n", type=int, default=401)
    d.add_argument("--eps", default="1e-1,1e-2,1e-3,1e-4")
    d.add_argument("--delta", type=float, default=1e-2)
    c = sub.add_parser("critical-points", help="stationary points, classified")
    common(c, "w,b", "w=-3:3,b=-3:3")
    c.add_argument("--starts", type=int, default=2048)
    c.add_argument("--steps", type=int, default=3000)
    p = sub.add_parser("phase", help="where a backwards start crosses w = 0")
    common(p)
    p.add_argument("--method", default="momentum")
    p.add_argument("--second", default="momentum")
    p.add_argument("--n", type=int, default=256)
    p.add_argument("--steps", type=int, default=2000)
    p.add_argument("--w0", type=float, default=-10.0)
    p.add_argument("--lr-min", type=float, default=1e-3)
    p.add_argument("--lr-max", type=float, default=3.0)
    p.add_argument("--beta-max", type=float, default=0.99)
    dp = sub.add_parser("deep", help="deeper and wider networks: born-dead, dying, spurious, explode")
    dp.add_argument("what", choices=["born-dead", "dying", "spurious", "explode"])
    dp.add_argument("--target", default="abs", help="what the networks fit when dying: abs or relu")
    dp.add_argument("--depth", type=int, default=None, help="layers (born-dead 10, dying 10, explode 30)")
    dp.add_argument("--width", type=int, default=None, help="units per hidden layer (born-dead 3, dying 2, explode 32)")
    dp.add_argument("--init", default="he_normal", help="he|glorot|symmetric|rai or a full name (he_uniform, ...)")
    dp.add_argument("--bias", default="none", choices=["none", "init"])
    dp.add_argument("--inputs", default="gaussian")
    dp.add_argument("--samples", type=int, default=None,
                    help="networks or starts (born-dead 10000, dying 256, spurious 256, explode 128)")
    dp.add_argument("--k", default="6", help="teacher units, or a range LO:HI (spurious)")
    dp.add_argument("--n", default="k", help="student units: an integer, k or k+E (spurious)")
    dp.add_argument("--steps", type=int, default=None, help="training steps (dying: 3000; spurious: at most 50000)")
    dp.add_argument("--slope", type=float, default=1.5)
    dp.add_argument("--seed", type=int, default=0)
    dp.add_argument("--json", default=None, metavar="PATH")
    return ap


def main(argv=None):
    import jax

    jax.config.update("jax_enable_x64", True)
    args = build_parser().parse_args(argv)
    try:
        if args.command == "verify":
            return cmd_verify(args)
        if getattr(args, "json", None):
            from landscape.io import check_writable

            check_writable(os.path.dirname(os.path.abspath(args.json)))
        fn = {"convexity": cmd_convexity, "dead-zone": cmd_dead_zone, "critical-points": cmd_critical, "phase": cmd_phase,
              "deep": cmd_deep}[args.command]
        out = fn(args)
        if args.json:
            from landscape.io import provenance, write_json

            write_json(args.json, {**_jsonable(out), "provenance": provenance()})
        return 0
    except (ValueError, TypeError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
