"""``python -m benchmarks [CASE ...] [--quick] [--out DIR]``: the benchmark suite.

Each case runs in its own process (its peak memory is its own) and measures
the candidate and its baselines side by side in that one run; ratios are
reported only after the compared runs are checked to agree. Writes
``<out>/<device>.json`` and ``<out>/<device>.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile

from landscape import cli

HERE = os.path.dirname(os.path.abspath(__file__))


def device_label():
    import jax

    d = jax.devices()[0]
    if d.platform == "cpu":
        return f"cpu-{os.cpu_count()}core"
    return f"{d.platform}-{str(d.device_kind).replace(' ', '_')}"


def _md_table(results):
    lines = ["| case | measurement | value |", "|---|---|---|"]
    for case, vals in results["cases"].items():
        for k, v in vals.items():
            shown = f"{v:.4g}" if isinstance(v, float) else v
            lines.append(f"| {case} | {k} | {shown} |")
    return "\n".join(lines) + "\n"


def build_parser():
    from benchmarks.cases import CASES

    ap = cli.Parser(prog="python -m benchmarks", description=cli.description(__doc__))
    ap.add_argument("cases", nargs="*", help=f"cases to run (default: all): {', '.join(CASES)}")
    ap.add_argument("--quick", action="store_true", help="small sizes (for tests)")
    ap.add_argument(
        "--out",
        default=os.path.join(HERE, "results"),
        help="folder of <device>.json and <device>.md; a run of some cases keeps the other cases of the last run",
    )
    ap.add_argument(
        "--readme", default=None, help="fill the benchmark table of this README (default: no README is touched)"
    )
    ap.add_argument("--case-json", default=None, help=argparse.SUPPRESS)  # a child process: run one case
    cli.add_debug(ap)
    return ap


def main(argv=None):
    return cli.main(build_parser(), _body, argv)


def _body(args):
    from benchmarks.cases import CASES

    unknown = [c for c in args.cases if c not in CASES]
    if unknown:
        raise ValueError(f"unknown benchmark {unknown}; known: {', '.join(CASES)}")
    if args.case_json:  # child process: one case
        import jax

        jax.config.update("jax_enable_x64", True)
        from benchmarks.cases import run_case

        out = run_case(args.cases[0], args.quick)
        with open(args.case_json, "w") as fh:
            json.dump(out, fh)
        return 0
    from landscape.io import check_writable, provenance, write_atomic, write_json

    if args.readme:
        with open(args.readme) as fh:
            if "<!-- bench:start -->" not in fh.read():
                raise ValueError(f"{args.readme} has no <!-- bench:start --> ... <!-- bench:end --> block")

    check_writable(args.out)
    results = {"device": device_label(), "quick": args.quick, "cases": {}}
    name = results["device"] + ("-quick" if args.quick else "")
    previous = os.path.join(args.out, f"{name}.json")
    if args.cases and os.path.exists(previous):
        # a subset refreshes its cases and keeps the others of the last full run
        with open(previous) as fh:
            results["cases"] = json.load(fh).get("cases", {})
    for case in args.cases or list(CASES):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "case.json")
            cmd = [sys.executable, "-m", "benchmarks", case, "--case-json", path] + (["--quick"] if args.quick else [])
            print(f"[bench] {case} ...", flush=True)
            rc = subprocess.run(cmd).returncode
            if rc != 0:
                raise RuntimeError(f"benchmark {case} failed with exit status {rc}")
            with open(path) as fh:
                results["cases"][case] = json.load(fh)
        for k, v in results["cases"][case].items():
            print(f"  {k:45s} {v:.4g}" if isinstance(v, float) else f"  {k:45s} {v}")
    results["provenance"] = provenance()
    write_json(os.path.join(args.out, f"{name}.json"), results)
    table = f"Device: {results['device']}\n\n" + _md_table(results)
    write_atomic(os.path.join(args.out, f"{name}.md"), table)
    if args.readme:
        with open(args.readme) as fh:
            text = fh.read()
        start, end = "<!-- bench:start -->", "<!-- bench:end -->"
        head, rest = text.split(start, 1)
        _, tail = rest.split(end, 1)
        write_atomic(args.readme, head + start + "\n" + _readme_tables(args.out) + end + tail)
    return 0


HEADLINES = [
    (
        "minibatch training, sorted path against Keras (4096 starts, 2000 steps, batch 1000)",
        "train",
        "ratio_sorted_over_keras",
    ),
    ("minibatch training, sorted path against a per-step Python loop", "train", "ratio_sorted_over_python_loop"),
    ("(w, b) minibatch training, sorted path against Keras (65,536 starts)", "fastpath", "ratio_sorted_over_keras"),
    ("exact (w, b) grid against a Monte Carlo loss of 10^4 samples", "grid", "ratio_exact_over_mc"),
    ("exact-gradient sweep against a per-step Python loop", "population", "ratio_over_python_loop"),
    ("born-dead detection, batched against one network at a time", "deep", "ratio_batched_over_one_by_one"),
    ("spurious-minima descent, 512 starts at once against one start", "deep", "ratio_spurious_batched_over_one_start"),
]


def _readme_tables(folder):
    """The headline ratios of every committed result (one column per device), and links to the full tables."""
    results = []
    for f in sorted(os.listdir(folder)):
        if f.endswith(".json") and "-quick" not in f:
            with open(os.path.join(folder, f)) as fh:
                res = json.load(fh)
            if "cases" in res:
                results.append((f, res))
    head = "| speed-up, measured side by side | " + " | ".join(r["device"] for _, r in results) + " |"
    lines = [head, "|---|" + "---|" * len(results)]
    for text, case, key in HEADLINES:
        cells = []
        for _, r in results:
            v = r["cases"].get(case, {}).get(key)
            cells.append((f"{v:,.0f}x" if v >= 100 else f"{v:.1f}x") if isinstance(v, (int, float)) else "-")
        lines.append(f"| {text} | " + " | ".join(cells) + " |")
    links = ", ".join(f"[{r['device']}](benchmarks/results/{f[:-5]}.md)" for f, r in results)
    return "\n".join(lines) + f"\n\nEvery measurement, with sizes, seconds and peak memory: {links}.\n"


if __name__ == "__main__":
    sys.exit(main())
