"""``python -m figures [NAME ...] [--quick] [--out DIR] [--seed N]``: regenerate the figures, then the report.

Every figure is computed through the library (or loaded from its cached
``.npz``), plotted, and saved with a JSON sidecar; files are written
atomically. Without names, every figure is made and then the verification
report (``python -m analysis verify``) is written to the same folder and the
README's verdict table is refreshed.
"""
from __future__ import annotations

import argparse
import os
import sys
import time

from tqdm import tqdm


def registry():
    from . import fig_anim, fig_basins, fig_deep, fig_deep_more, fig_epochs, fig_four, fig_kink, fig_lip, fig_trajectories, fig_wb

    return {
        "good_start": fig_epochs.main_good,
        "backwards_start": fig_epochs.main_backwards,
        "kink": fig_kink.main,
        "wb_landscape": fig_wb.main,
        "basins": fig_basins.main,
        "activations": fig_trajectories.main_acts,
        "optimizers": fig_trajectories.main_opts,
        "lip": fig_lip.main,
        "four_parameter": fig_four.main,
        "born_dead": fig_deep.main,
        "deep_networks": fig_deep_more.main,
        "animations": fig_anim.main,
    }


def main(argv=None):
    import jax

    jax.config.update("jax_enable_x64", True)
    figs = registry()
    ap = argparse.ArgumentParser(prog="python -m figures", description=__doc__.splitlines()[0])
    ap.add_argument("names", nargs="*", help=f"figures to make (default: all): {', '.join(figs)}")
    ap.add_argument("--quick", action="store_true", help="small sweeps, same logic")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "out"))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-verify", action="store_true", help="skip the verification report")
    ap.add_argument("--readme", default=None, help="refresh the verdict table of this README")
    args = ap.parse_args(argv)
    unknown = [n for n in args.names if n not in figs]
    if unknown:
        print(f"error: unknown figure {unknown}; known: {', '.join(figs)}", file=sys.stderr)
        return 2
    from landscape.io import check_writable

    try:
        check_writable(args.out)
    except OSError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    names = args.names or list(figs)
    t0 = time.perf_counter()
    for name in tqdm(names, desc="figures", unit="fig"):
        t = time.perf_counter()
        paths = figs[name](args.out, quick=args.quick, seed=args.seed)
        tqdm.write(f"{name:16s} {time.perf_counter() - t:6.1f} s  {', '.join(os.path.basename(p) for p in paths)}")
    if not args.names and not args.no_verify:
        from analysis.__main__ import main as analysis_main

        cmd = ["verify", "--out", args.out] + (["--quick"] if args.quick else []) + (["--readme", args.readme] if args.readme else [])
        rc = analysis_main(cmd)
        if rc:
            return rc
    print(f"done in {time.perf_counter() - t0:.0f} s -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
