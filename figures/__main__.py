"""``python -m figures [NAME ...] [--quick] [--out DIR] [--seed N] [--readme PATH]``: the figures, then the report.

Every figure draws an experiment of :mod:`analysis.registry` (computed, or
loaded from ``OUT/.cache``), so it shows the same run its claims read. Files
are written atomically with JSON sidecars. Without names, every figure is
made and then the verification report is written to the same folder (the
claims reuse the cached experiments) and, with ``--readme``, the README's
verdict table is refreshed.
"""

from __future__ import annotations

import os
import sys
import time

from landscape import cli

FIGURES = (
    "good_start",
    "backwards_start",
    "kink",
    "wb_landscape",
    "basins",
    "activations",
    "optimizers",
    "lip",
    "four_parameter",
    "drift_law",
    "born_dead",
    "deep_networks",
    "spectra",
    "slices",
    "digits",
    "animations",
)


def registry():
    """Figure name -> its ``main(out, quick, seed)``."""
    import importlib

    return {name: importlib.import_module(f"figures.{name}").main for name in FIGURES}


def build_parser():
    ap = cli.Parser(prog="python -m figures", description=cli.description(__doc__))
    ap.add_argument("names", nargs="*", help=f"figures to make (default: all): {', '.join(FIGURES)}")
    ap.add_argument("--quick", action="store_true", help="small sweeps, same logic")
    ap.add_argument(
        "--out",
        default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "out"),
        help="output folder (its .cache keeps the experiments' results)",
    )
    ap.add_argument("--seed", type=cli.seed, default=0, help="random seed of every experiment")
    ap.add_argument("--no-verify", action="store_true", help="skip the verification report")
    ap.add_argument(
        "--readme", default=None, help="refresh the verdict table of this README (default: no README is touched)"
    )
    ap.add_argument(
        "--allow-dirty",
        action="store_true",
        help="with --readme, run even when the source tree has uncommitted changes (outputs then record a dirty tree)",
    )
    cli.add_debug(ap)
    return ap


def uncommitted(out, readme=None) -> list[str]:
    """Tracked files with uncommitted changes, outside the output folder and the README being refreshed
    (empty outside git)."""
    import subprocess

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    skip = [os.path.relpath(os.path.abspath(p), root) for p in (out, readme) if p]
    spec = ["."] + [f":(exclude){p}" for p in skip if not p.startswith("..")]
    try:
        r = subprocess.run(
            ["git", "-C", root, "status", "--porcelain", "--untracked-files=no", "--", *spec],
            capture_output=True,
            text=True,
            timeout=20,
        )
    except (OSError, subprocess.SubprocessError):
        return []
    return [line[3:] for line in r.stdout.splitlines() if line.strip()] if r.returncode == 0 else []


def _body(args):
    from landscape.io import check_writable, source_state

    source_state()  # the tree as the run starts, before it writes any output (provenance of every file)
    if args.readme is not None and not args.allow_dirty:
        changed = uncommitted(args.out, args.readme)
        if changed:
            raise ValueError(
                f"--readme: the source tree has uncommitted changes ({len(changed)} files, e.g. {changed[0]}): "
                "commit them first so that the outputs record the commit they come from, or pass --allow-dirty"
            )
    import jax

    jax.config.update("jax_enable_x64", True)
    import matplotlib.pyplot as plt
    from tqdm import tqdm

    from analysis import report

    from .common import use_cache

    unknown = [n for n in args.names if n not in FIGURES]
    if unknown:
        raise ValueError(f"unknown figure {unknown}; known: {', '.join(FIGURES)}")
    check_writable(args.out)
    verify = not args.names and not args.no_verify
    if args.readme is not None:
        if not verify:
            raise ValueError("--readme needs the whole run (no figure names, no --no-verify)")
        report.check_readme(args.readme)
    use_cache(args.out)
    from landscape.io import compilation_cache

    compilation_cache(os.path.join(args.out, ".cache", "jax"))
    figs = registry()
    names = args.names or list(FIGURES)
    t0 = time.perf_counter()
    for name in tqdm(names, desc="figures", unit="fig"):
        t = time.perf_counter()
        paths = figs[name](args.out, quick=args.quick, seed=args.seed)
        tqdm.write(f"{name:16s} {time.perf_counter() - t:6.1f} s  {', '.join(os.path.basename(p) for p in paths)}")
        plt.close("all")
        jax.clear_caches()  # one figure's compiled programs do not add to the next one's memory (they stay on disk)
    if verify:
        doc = report.make(
            args.out,
            quick=args.quick,
            readme=args.readme,
            progress=lambda cid, v: tqdm.write(f"{cid:4s} {v['status'] if isinstance(v, dict) else v.verdict}"),
        )
        print(f"report: {len(doc['claims'])} claims, {len(doc['extension'])} extension rows")
    print(f"done in {time.perf_counter() - t0:.0f} s -> {args.out}")
    return 0


def main(argv=None):
    return cli.main(build_parser(), _body, argv)


if __name__ == "__main__":
    sys.exit(main())
