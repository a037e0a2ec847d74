"""``python -m explorer``: serve the landscape explorer on this machine (127.0.0.1 unless told otherwise)."""

from __future__ import annotations

import sys

from landscape import cli


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
    cli.add_debug(ap)
    return ap


def _body(args):
    if args.port > 65535:
        raise ValueError(f"--port must be in [1, 65535], got {args.port}")
    import uvicorn

    from .app import create_app

    hosts = ("127.0.0.1", "localhost") + (
        (args.host,) if args.host not in ("127.0.0.1", "localhost", "0.0.0.0") else ()
    )
    app = create_app(args.report, hosts=hosts if args.host != "0.0.0.0" else ("*",))
    print(f"explorer at http://{args.host}:{args.port}/ (Ctrl-C to stop)", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0


def main(argv=None):
    return cli.main(build_parser(), _body, argv)


if __name__ == "__main__":
    sys.exit(main())
