"""``python -m explorer``: serve the landscape explorer on this machine (127.0.0.1 unless told otherwise).

Compiled programs are kept in a cache folder across server starts (JAX's
persistent compilation cache, keyed as JAX keys it: the program, the compiler
options and the versions), and the server compiles the programs of every
activation, optimizer and view in the background as it starts (the page
says so while it warms up).

``--problem MODULE:FACTORY`` adds a view of any problem of the protocol:
``MODULE`` is a dotted module importable from the current folder or a path to a
``.py`` file, and ``FACTORY()`` (called with no arguments) returns the problem,
e.g. ``python -m explorer --problem examples/my_problem.py:make``. This runs
your own code in the server: it is for trusted code only, and the explorer then
answers on 127.0.0.1 only.
"""

from __future__ import annotations

import importlib
import importlib.util
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
    ap.add_argument(
        "--problem",
        default=None,
        metavar="MODULE:FACTORY",
        help="also serve a view of your own problem: FACTORY() of MODULE (a dotted module or a path to a .py file) "
        "returns it; trusted code only, served on 127.0.0.1 only (default: the single-neuron views only)",
    )
    cli.add_debug(ap)
    return ap


LOOPBACK = ("127.0.0.1", "localhost")


def load_problem(spec: str):
    """``FACTORY()`` of ``MODULE:FACTORY``, checked to be a problem of the protocol whose starting point passes
    the protocol's own checks.

    Raises:
      ValueError: a bad spec, a module that cannot be imported, a factory that fails or returns something else.
    """
    import jax

    import landscape as L

    from . import compute

    jax.config.update("jax_enable_x64", True)  # the explorer's numbers are float64: build the problem so
    where = f"--problem {spec!r}"
    module_name, sep, factory_name = spec.rpartition(":")
    if not sep or not module_name or not factory_name.isidentifier():
        raise ValueError(f"{where} must be MODULE:FACTORY (a dotted module or a .py file, and a function name)")
    is_file = module_name.endswith(".py") or os.sep in module_name or "/" in module_name
    path = os.path.abspath(module_name)
    if is_file and not os.path.isfile(path):
        raise ValueError(f"{where}: no such file {module_name}")
    try:
        if is_file:
            name = "_explorer_problem_" + os.path.splitext(os.path.basename(path))[0]
            spec_ = importlib.util.spec_from_file_location(name, path)
            if spec_ is None or spec_.loader is None:
                raise ImportError(f"{module_name} cannot be imported as a module")
            module = importlib.util.module_from_spec(spec_)
            sys.modules[name] = module
            spec_.loader.exec_module(module)
        else:
            if os.getcwd() not in sys.path and "" not in sys.path:
                sys.path.insert(0, os.getcwd())
            module = importlib.import_module(module_name)
    except (Exception, SystemExit) as e:  # an import error, or anything the module raised while it ran
        raise ValueError(f"{where}: importing {module_name} failed: {type(e).__name__}: {_first(e)}") from None
    factory = getattr(module, factory_name, None)
    if not callable(factory):
        raise ValueError(f"{where}: {module_name} has no function {factory_name}")
    try:
        problem = factory()
    except Exception as e:
        raise ValueError(f"{where}: {factory_name}() failed: {type(e).__name__}: {_first(e)}") from None
    if not isinstance(problem, L.AbstractProblem):
        raise ValueError(
            f"{where}: {factory_name}() returned {type(problem).__name__}, not a problem of the protocol "
            "(landscape.CustomProblem, landscape.DatasetProblem, ...)"
        )
    try:
        compute.problem_centre(problem, 0)
    except Exception as e:
        raise ValueError(f"{where}: the problem's starting point fails its checks: {_first(e)}") from None
    return problem


def _first(e) -> str:
    text = str(e).strip().splitlines()
    return text[0] if text else ""


def _body(args):
    if args.port > 65535:
        raise ValueError(f"--port must be in [1, 65535], got {args.port}")
    problem = None
    if args.problem is not None:
        if args.host not in LOOPBACK:
            raise ValueError(
                f"--problem runs your own code in the server: it is served on 127.0.0.1 only, not --host {args.host}"
            )
        problem = load_problem(args.problem)
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
    warmup = () if args.no_warmup else ((("problem_plane", {}),) if problem is not None else ()) + WARMUP
    app = create_app(args.report, hosts=hosts if args.host != "0.0.0.0" else ("*",), warmup=warmup, problem=problem)
    print(f"explorer at http://{args.host}:{args.port}/ (Ctrl-C to stop)", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0


def main(argv=None):
    return cli.main(build_parser(), _body, argv)


if __name__ == "__main__":
    sys.exit(main())
