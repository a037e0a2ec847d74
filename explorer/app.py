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

import asyncio
import json
import os
import threading
from collections import OrderedDict

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from landscape.sweep import Cancelled

from . import compute, schema, views

STATIC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "static")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_REPORT = os.path.join(ROOT, "figures", "out", "report.json")
WORKERS = 2  # computations at once (the rest wait)
WAIT_S = 60.0  # how long a request waits for a worker before a 503
CACHE_ENTRIES = 256  # answered requests kept
CACHE_BYTES = 32 << 20  # and at most this much answer text


def _plotly_js():
    import plotly

    return os.path.join(os.path.dirname(plotly.__file__), "package_data", "plotly.min.js")


class AnswerCache:
    """A bounded LRU of answered requests, keyed by their validated settings (thread-safe): at most ``size``
    entries and ``max_bytes`` of answer text."""

    def __init__(self, size, max_bytes=CACHE_BYTES):
        self.size, self.max_bytes, self.data, self.lock = size, max_bytes, OrderedDict(), threading.Lock()
        self.bytes = 0

    def get(self, key):
        with self.lock:
            if key in self.data:
                self.data.move_to_end(key)
                return self.data[key]
        return None

    def put(self, key, value):
        if len(value) > self.max_bytes // 4:
            return  # one answer never crowds out the rest
        with self.lock:
            if key in self.data:
                self.bytes -= len(self.data[key])
            self.data[key] = value
            self.bytes += len(value)
            self.data.move_to_end(key)
            while len(self.data) > self.size or self.bytes > self.max_bytes:
                _, old = self.data.popitem(last=False)
                self.bytes -= len(old)


def _printable(text: str) -> str:
    """``text`` as valid UTF-8 (a request may carry lone surrogates, which JSON decodes but no response can encode)."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


STOPPABLE = ("basins",)  # endpoints whose work is done in chunks and can stop when the client leaves
DISCONNECT_POLL_S = 0.25


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
    cache = AnswerCache(CACHE_ENTRIES)

    def endpoint(parse, fn, name):
        async def handler(request: Request):
            cap = schema.CAPS["body_bytes"]
            if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
                return JSONResponse({"error": "send the request as application/json"}, status_code=415)
            declared = request.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > cap:
                return JSONResponse({"error": f"request body of {declared} bytes; at most {cap}"}, status_code=413)
            raw = b""
            try:
                async for piece in request.stream():  # read no more than the cap, whatever the header said
                    raw += piece
                    if len(raw) > cap:
                        return JSONResponse({"error": f"request body over {cap} bytes"}, status_code=413)
            except ClientDisconnect:  # the client left before sending its body: nobody to answer
                return Response(status_code=400)
            try:
                body = json.loads(raw or b"{}")
            except (ValueError, UnicodeDecodeError, RecursionError):
                return JSONResponse(
                    {"error": "the request body is not valid JSON (or nests too deeply)"}, status_code=422
                )
            try:
                settings = parse(body)
            except schema.BadRequest as e:
                return JSONResponse({"error": _printable(str(e))}, status_code=422)
            key = (name, json.dumps(settings, sort_keys=True))
            hit = cache.get(key)
            if hit is not None:
                return Response(hit, media_type="application/json")

            left = threading.Event()

            def work():
                if not gate.acquire(timeout=WAIT_S):
                    return None
                try:
                    if left.is_set():
                        raise Cancelled("the client left before the work started")
                    out = fn(settings, should_stop=left.is_set) if name in STOPPABLE else fn(settings)
                    return json.dumps({"settings": settings, **out}, allow_nan=False)
                finally:
                    gate.release()

            task = asyncio.ensure_future(run_in_threadpool(work))
            while not task.done():  # the work stops between chunks once its client has gone
                await asyncio.wait({task}, timeout=DISCONNECT_POLL_S)
                if not task.done() and await request.is_disconnected():
                    left.set()
            try:
                text = task.result()
            except Cancelled:
                return Response(status_code=499)
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
        if not os.path.exists(report_path):
            return JSONResponse({"verdicts": [], "note": "no report.json yet: run make reproduce"})
        try:
            with open(report_path, "rb") as fh:
                doc = json.loads(fh.read().decode("utf-8"))
        except (OSError, ValueError):
            return JSONResponse(
                {"verdicts": [], "note": "the report is corrupt (not readable JSON): run make reproduce"}
            )
        claims = doc.get("claims") if isinstance(doc, dict) else None
        if not isinstance(claims, list) or not all(isinstance(c, dict) for c in claims):
            return JSONResponse(
                {"verdicts": [], "note": "the report is corrupt (no list of claims): run make reproduce"}
            )
        rows = []
        for c in claims:
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
        if exc.status_code == 405:
            allowed = exc.headers.get("Allow", "POST") if exc.headers else "POST"
            return JSONResponse(
                {"error": f"{request.url.path} answers {allowed} requests, not {request.method}"},
                status_code=405,
                headers={"Allow": allowed},
            )
        return JSONResponse({"error": f"no such page: {_printable(request.url.path)}"}, status_code=exc.status_code)

    async def failed(request, exc):
        text = str(exc).splitlines()[0] if str(exc) else ""
        return JSONResponse({"error": _printable(f"{type(exc).__name__}: {text}")}, status_code=500)

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
