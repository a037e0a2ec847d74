"""``python -m explorer``: serve the landscape explorer on this machine (127.0.0.1 unless told otherwise).

Compiled programs are kept in a cache folder across server starts (JAX's
persistent compilation cache, keyed as JAX keys it: the program, the compiler
options and the versions), and the server compiles the programs of every
activation, optimizer and view in the background as it starts (the page
says so while it warms up).
"""

from __future__ import annotations

import os
import sys

from landscape import cli


def default_cache_dir() -> str:
    """``$XDG_CACHE_HOME/relu-landscape/jax``, or ``~/.cache/relu-landscape/jax`` without XDG_CACHE_HOME."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "relu-landscape", "jax")


def build_parser():
    ap = cli.Parser(prog="python -m explorer", description=cli.description(__doc__))
    ap.add_argument(
        "--host", default="127.0.0.1", help="address to bind (another address exposes the explorer to the network)"
    )
    ap.add_argument("--port", type=cli.positive_int("--port"), default=8050, help="port (1-65535)")
    ap.add_argument(
        "--report",
        default=None,
        help="the report.json whose verdicts the page lists (default: figures/out/report.json)",
    )
    ap.add_argument(
        "--cache-dir",
        default=None,
        help="folder of the compiled programs kept across starts (default: $XDG_CACHE_HOME/relu-landscape/jax, "
        "or ~/.cache/relu-landscape/jax)",
    )
    ap.add_argument(
        "--no-cache", action="store_true", help="compile every program afresh and keep none on disk (default: off)"
    )
    ap.add_argument(
        "--no-warmup",
        action="store_true",
        help="compile each program when a page first asks for it, not in the background at start-up (default: off)",
    )
    cli.add_debug(ap)
    return ap


def _body(args):
    if args.port > 65535:
        raise ValueError(f"--port must be in [1, 65535], got {args.port}")
    import uvicorn

    from landscape.io import check_writable, compilation_cache

    from .app import WARMUP, create_app

    if not args.no_cache:
        folder = args.cache_dir or default_cache_dir()
        check_writable(folder)
        compilation_cache(folder, min_compile_seconds=0.0)
    hosts = ("127.0.0.1", "localhost") + (
        (args.host,) if args.host not in ("127.0.0.1", "localhost", "0.0.0.0") else ()
    )
    app = create_app(
        args.report, hosts=hosts if args.host != "0.0.0.0" else ("*",), warmup=() if args.no_warmup else WARMUP
    )
    print(f"explorer at http://{args.host}:{args.port}/ (Ctrl-C to stop)", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0


def main(argv=None):
    return cli.main(build_parser(), _body, argv)


if __name__ == "__main__":
    sys.exit(main())
