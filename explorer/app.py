"""The ASGI app: JSON endpoints over ``explorer.compute``, the page and its static files.

Endpoints (POST, JSON in and out; limits in ``explorer.schema.CAPS``):
``/api/landscape``, ``/api/train``, ``/api/basins``, ``/api/one_weight``,
``/api/phase``; GET ``/api/config`` (choices, defaults, caps) and
``/api/verdicts`` (the report's verdicts, each with the view that shows it).
Errors are JSON ``{"error": message}``: 422 for a refused value, 413 for a
body too large, 404 for an unknown path, 503 when the server is busy, and
500 (one line, no traceback) for anything else.
"""

from __future__ import annotations

import json
import os
import threading
from collections import OrderedDict

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from . import compute, schema, views

STATIC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "static")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_REPORT = os.path.join(ROOT, "figures", "out", "report.json")
WORKERS = 2  # computations at once (the rest wait)
WAIT_S = 60.0  # how long a request waits for a worker before a 503
CACHE_ENTRIES = 256  # answered requests kept


def _plotly_js():
    import plotly

    return os.path.join(os.path.dirname(plotly.__file__), "package_data", "plotly.min.js")


class _Cache:
    """A bounded LRU of answered requests, keyed by their validated settings (thread-safe)."""

    def __init__(self, size):
        self.size, self.data, self.lock = size, OrderedDict(), threading.Lock()

    def get(self, key):
        with self.lock:
            if key in self.data:
                self.data.move_to_end(key)
                return self.data[key]
        return None

    def put(self, key, value):
        with self.lock:
            self.data[key] = value
            self.data.move_to_end(key)
            while len(self.data) > self.size:
                self.data.popitem(last=False)


def create_app(report_path: str | None = None, hosts=("127.0.0.1", "localhost")) -> Starlette:
    """The explorer app.

    Args:
      report_path: the ``report.json`` whose verdicts the page lists.
      hosts: the host names requests may name (others get a 400: a page
        elsewhere cannot reach the explorer through a rebound DNS name).
    """
    import jax

    jax.config.update("jax_enable_x64", True)
    report_path = report_path or DEFAULT_REPORT
    gate = threading.BoundedSemaphore(WORKERS)
    cache = _Cache(CACHE_ENTRIES)

    def endpoint(parse, fn, name):
        async def handler(request: Request):
            cap = schema.CAPS["body_bytes"]
            if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
                return JSONResponse({"error": "send the request as application/json"}, status_code=415)
            declared = request.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > cap:
                return JSONResponse({"error": f"request body of {declared} bytes; at most {cap}"}, status_code=413)
            raw = b""
            async for piece in request.stream():  # read no more than the cap, whatever the header said
                raw += piece
                if len(raw) > cap:
                    return JSONResponse({"error": f"request body over {cap} bytes"}, status_code=413)
            try:
                body = json.loads(raw or b"{}")
            except (ValueError, UnicodeDecodeError, RecursionError):
                return JSONResponse(
                    {"error": "the request body is not valid JSON (or nests too deeply)"}, status_code=422
                )
            try:
                settings = parse(body)
            except schema.BadRequest as e:
                return JSONResponse({"error": str(e)}, status_code=422)
            key = (name, json.dumps(settings, sort_keys=True))
            hit = cache.get(key)
            if hit is not None:
                return Response(hit, media_type="application/json")

            def work():
                if not gate.acquire(timeout=WAIT_S):
                    return None
                try:
                    return json.dumps({"settings": settings, **fn(settings)}, allow_nan=False)
                finally:
                    gate.release()

            text = await run_in_threadpool(work)
            if text is None:
                return JSONResponse({"error": "the server is busy; try again"}, status_code=503)
            cache.put(key, text)
            return Response(text, media_type="application/json")

        return handler

    async def config(request):
        return JSONResponse(
            {
                "activations": schema.ACTIVATIONS,
                "optimizers": schema.OPTIMIZERS,
                "hyper": schema.HYPER,
                "defaults": schema.DEFAULTS,
                "caps": schema.CAPS,
                "box": schema.BOX,
                "records": compute.RECORDS,
                "steps": schema.STEP_CHOICES,
                "phase_methods": schema.PHASE_METHODS,
                "definitions": compute.definitions(),
            }
        )

    async def verdicts(request):
        try:
            with open(report_path) as fh:
                doc = json.load(fh)
        except (OSError, ValueError):
            return JSONResponse({"verdicts": [], "note": "no report.json yet: run make reproduce"})
        rows = []
        for c in doc.get("claims", []):
            rows.append(
                {
                    "id": c.get("id"),
                    "verdict": c.get("verdict"),
                    "claim": c.get("statement") or c.get("claim") or c.get("summary"),
                    "view": views.VIEWS.get(c.get("id"), views.DEFAULT_VIEW),
                }
            )
        return JSONResponse({"verdicts": rows, "partial": bool(doc.get("partial", False))})

    async def index(request):
        return FileResponse(os.path.join(STATIC, "index.html"))

    async def plotly_js(request):
        return FileResponse(_plotly_js(), media_type="application/javascript")

    async def not_found(request, exc):
        return JSONResponse({"error": f"no such page: {request.url.path}"}, status_code=exc.status_code)

    async def failed(request, exc):
        return JSONResponse(
            {"error": f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"}, status_code=500
        )

    routes = [
        Route("/", index),
        Route("/vendor/plotly.min.js", plotly_js),
        Route("/api/config", config),
        Route("/api/verdicts", verdicts),
        Route("/api/landscape", endpoint(schema.landscape, compute.landscape, "landscape"), methods=["POST"]),
        Route("/api/train", endpoint(schema.train, compute.train, "train"), methods=["POST"]),
        Route("/api/basins", endpoint(schema.basins, compute.basins, "basins"), methods=["POST"]),
        Route("/api/one_weight", endpoint(schema.one_weight, compute.one_weight, "one_weight"), methods=["POST"]),
        Route("/api/phase", endpoint(schema.phase, compute.phase, "phase"), methods=["POST"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    middleware = [Middleware(TrustedHostMiddleware, allowed_hosts=list(hosts))]
    return Starlette(
        routes=routes, middleware=middleware, exception_handlers={HTTPException: not_found, Exception: failed}
    )
