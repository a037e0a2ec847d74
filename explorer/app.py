"""The ASGI app: JSON endpoints over ``explorer.compute``, the page and its static files.

Endpoints (POST, JSON in and out; limits in ``explorer.schema.CAPS`` and the
work bound ``explorer.schema.WORK_S``): ``/api/landscape``, ``/api/train``,
``/api/basins``, ``/api/one_weight``, ``/api/phase``, and for deeper
networks ``/api/born_dead``, ``/api/growth``, ``/api/spurious``; with a user's
problem (``create_app(problem=...)``) ``/api/problem/plane``,
``/api/problem/train`` and ``/api/problem/spectrum``; GET
``/api/config`` (choices, defaults, caps), ``/api/status`` (the warm-up's
progress and the programs compiling now) and ``/api/verdicts`` (the report's
verdicts, each with the view that shows it). Errors are JSON ``{"error":
message}``: 422 for a refused value, 413 for a body too large, 404 for an
unknown path, 503 when the server is busy, and 500 (one line, no traceback)
for anything else.

Warm-up: given a list of requests (``WARMUP``: the page's first request of
every activation, optimizer and view), the app answers them in a background
thread at start-up, one at a time and only while no page request is being
computed, so that their programs are compiled (or loaded from JAX's
persistent cache) before anyone asks; their answers go to the answer cache.
A request identical to one being computed waits for that answer instead of
computing it twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import threading
import time
from collections import OrderedDict
from concurrent.futures import Future
from functools import partial

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
PLOTLY_JS = os.path.join(STATIC, "vendor", "plotly-cartesian.min.js")  # see static/vendor/README.md
WORKERS = 2  # computations at once (the rest wait)
WAIT_S = 60.0  # how long a request waits for a worker before a 503
CACHE_ENTRIES = 256  # answered requests kept
CACHE_BYTES = 32 << 20  # and at most this much answer text
IDLE_POLL_S = 0.05  # the warm-up waits this long between looks for a quiet moment


def _warm_run(problem, optimizer):
    hyper = {"learning_rate": schema.DEFAULTS[optimizer]["learning_rate"]}
    return {"problem": problem, "optimizer": optimizer, "hyper": hyper, "start": {"w": -1.0, "b": 0.5}, "steps": 2000}


def _warm_problem(activation):
    return {"activation": activation, "inputs": "gaussian", **({"slope": 0.3} if activation == "leaky_relu" else {})}


# The page's first request of every view, activation and optimizer it offers (default shapes), in the order a
# visitor is likely to need them: the first view and its runs first, then the other activations, then the other
# views. Their bodies are those the page sends, so that their answers serve the page from the answer cache.
WARMUP: tuple = (
    ("landscape", {"problem": _warm_problem("relu"), "n": 121}),
    *(("train", _warm_run(_warm_problem("relu"), o)) for o in schema.OPTIMIZERS),
    ("phase", {"method": "momentum", "n": 48, "steps": 2000}),
    *(
        job
        for a in schema.ACTIVATIONS[1:]
        for job in (
            ("landscape", {"problem": _warm_problem(a), "n": 121}),
            *(("train", _warm_run(_warm_problem(a), o)) for o in schema.OPTIMIZERS),
        )
    ),
    ("phase", {"method": "sgd", "n": 48, "steps": 2000}),
    ("phase", {"method": "nesterov", "n": 48, "steps": 2000}),
    ("one_weight", {}),
    ("basins", {"problem": _warm_problem("relu"), "optimizer": "sgd", "hyper": {"learning_rate": 0.01}, "n": 64}),
    ("train", {**_warm_run(_warm_problem("relu"), "sgd"), "gradient": "minibatch", "batch_size": 1000, "seed": 0}),
    ("born_dead", {}),
    ("growth", {}),
    ("spurious", {}),
    ("born_dead", {"bias": True}),
)


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


# endpoints whose work is done in pieces and can stop between them when the client leaves
STOPPABLE = ("basins", "born_dead", "growth", "spurious")
DISCONNECT_POLL_S = 0.25
ENDPOINTS = {
    "landscape": (schema.landscape, compute.landscape),
    "train": (schema.train, compute.train),
    "basins": (schema.basins, compute.basins),
    "one_weight": (schema.one_weight, compute.one_weight),
    "phase": (schema.phase, compute.phase),
    "born_dead": (schema.born_dead, compute.born_dead),
    "growth": (schema.growth, compute.growth),
    "spurious": (schema.spurious, compute.spurious),
}
# with a user's problem (``python -m explorer --problem``): POST /api/problem/<name>
PROBLEM_ENDPOINTS = {
    "problem_plane": (schema.problem_plane, compute.problem_plane),
    "problem_train": (schema.problem_train, compute.problem_train),
    "problem_spectrum": (schema.problem_spectrum, compute.problem_spectrum),
}


class Busy(RuntimeError):
    """No worker became free within ``WAIT_S`` (answered with status 503)."""


def create_app(report_path: str | None = None, hosts=("127.0.0.1", "localhost"), warmup=(), problem=None) -> Starlette:
    """The explorer app.

    Args:
      report_path: the ``report.json`` whose verdicts the page lists.
      hosts: the host names requests may name (others get a 400: a page
        elsewhere cannot reach the explorer through a rebound DNS name).
      warmup: ``(endpoint, body)`` requests answered in the background when
        the server starts (``WARMUP``: every activation, optimizer and view;
        empty: none). ``/api/status`` reports their progress.
      problem: a problem of the protocol (a user's own, trusted code: ``python
        -m explorer --problem``), served by ``/api/problem/plane``,
        ``/api/problem/train`` and ``/api/problem/spectrum`` (None: those
        answer 404). Warm-up requests may name ``problem_plane`` etc.
    """
    import jax

    import landscape as L

    jax.config.update("jax_enable_x64", True)
    endpoints = dict(ENDPOINTS)
    if problem is not None:
        if not isinstance(problem, L.AbstractProblem):
            raise TypeError(f"problem must implement the problem protocol, got {type(problem).__name__}")
        n_params = int(problem.n_params)
        for name, (parse_fn, compute_fn) in PROBLEM_ENDPOINTS.items():
            endpoints[name] = (partial(parse_fn, n_params=n_params), partial(compute_fn, problem))
    report_path = report_path or DEFAULT_REPORT
    gate = threading.BoundedSemaphore(WORKERS)
    cache = AnswerCache(CACHE_ENTRIES)
    programs = compute.Programs()
    flights: dict = {}  # answer key -> Future of the answer being computed
    lock = threading.Lock()
    warm = {"total": len(warmup), "done": 0, "current": None, "finished": not warmup, "failed": [], "seconds": 0.0}
    active = [0]  # page requests being computed now
    closing = threading.Event()

    def answer(name, settings, should_stop=None):
        """The answer text of validated ``settings`` of endpoint ``name``: from the cache, from an identical request
        being computed now, or computed here (one worker of ``WORKERS``).

        Raises:
          Busy: no worker within ``WAIT_S``; landscape.sweep.Cancelled: ``should_stop`` answered True.
        """
        key = (name, json.dumps(settings, sort_keys=True))
        while True:
            hit = cache.get(key)
            if hit is not None:
                return hit
            with lock:
                found = flights.get(key)
                flight: Future = found if found is not None else Future()
                if found is None:
                    flights[key] = flight
            if found is None:
                break
            try:
                return flight.result()
            except Cancelled:  # its own client left; this one has not: compute it here
                if should_stop is not None and should_stop():
                    raise
        try:
            if not gate.acquire(timeout=WAIT_S):
                raise Busy("the server is busy; try again")
            try:
                if should_stop is not None and should_stop():
                    raise Cancelled("the client left before the work started")
                fn = endpoints[name][1]
                with programs.use(*compute.program(name, settings)):
                    out = fn(settings, should_stop=should_stop) if name in STOPPABLE else fn(settings)
                text = json.dumps({"settings": settings, **out}, allow_nan=False)
            finally:
                gate.release()
            cache.put(key, text)
            flight.set_result(text)
            return text
        except BaseException as e:
            flight.set_exception(e)
            raise
        finally:
            with lock:
                flights.pop(key, None)

    def warm_up():
        t0 = time.monotonic()
        for name, body in warmup:
            while active[0] and not closing.is_set():  # page requests first
                time.sleep(IDLE_POLL_S)
            if closing.is_set():
                return
            settings = endpoints[name][0](body)
            warm["current"] = compute.program(name, settings)[1]
            try:
                answer(name, settings, should_stop=closing.is_set)
            except Cancelled:
                return
            except Exception as e:  # a failed warm-up request is reported, never fatal: the page asks again
                warm["failed"].append(f"{name}: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}")
            warm["done"] += 1
            warm["seconds"] = round(time.monotonic() - t0, 1)
        warm["current"], warm["finished"] = None, True

    @contextlib.asynccontextmanager
    async def lifespan(app):
        thread = threading.Thread(target=warm_up, name="explorer-warm-up", daemon=True) if warmup else None
        if thread is not None:
            thread.start()
        try:
            yield
        finally:
            closing.set()

    def endpoint(name):
        parse = endpoints[name][0]

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
            hit = cache.get((name, json.dumps(settings, sort_keys=True)))
            if hit is not None:
                return Response(hit, media_type="application/json")

            left = threading.Event()
            active[0] += 1
            try:
                task = asyncio.ensure_future(run_in_threadpool(answer, name, settings, left.is_set))
                while not task.done():  # the work stops between chunks once its client has gone
                    await asyncio.wait({task}, timeout=DISCONNECT_POLL_S)
                    if not task.done() and await request.is_disconnected():
                        left.set()
            finally:
                active[0] -= 1
            try:
                text = task.result()
            except Cancelled:
                return Response(status_code=499)
            except Busy as e:
                return JSONResponse({"error": str(e)}, status_code=503)
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
                "networks": {
                    "born_depths": schema.BORN_DEPTHS,
                    "born_widths": schema.BORN_WIDTHS,
                    "born_samples": schema.BORN_SAMPLES,
                    "born_schemes": schema.BORN_SCHEMES,
                    "born_default": schema.BORN_DEFAULT,
                    "born_bias_default": schema.BORN_BIAS_DEFAULT,
                    "growth_slopes": sorted(schema.GROWTH_SLOPES),
                    "growth_default": schema.GROWTH_DEFAULT,
                    "spurious_ks": schema.SPURIOUS_KS,
                    "spurious_starts": schema.SPURIOUS_STARTS,
                    "spurious_steps": schema.SPURIOUS_STEPS,
                    "prove_max_k": schema.PROVE_MAX_K,
                },
                "problem": None
                if problem is None
                else {
                    **compute.problem_info(problem),
                    "caps": schema.PROBLEM_CAPS,
                    "defaults": schema.PROBLEM_DEFAULTS,
                    "normalizations": schema.PROBLEM_NORMALIZATIONS,
                    "steps": schema.PROBLEM_STEPS,
                },
            }
        )

    async def status(request):
        return JSONResponse({"warmup": dict(warm), "programs": programs.snapshot(), "active": active[0]})

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
        # a versioned file: browsers may keep it (and its compiled code) for a day
        return FileResponse(
            PLOTLY_JS, media_type="application/javascript", headers={"Cache-Control": "public, max-age=86400"}
        )

    async def no_problem(request):
        return JSONResponse(
            {"error": "no problem is loaded: start the explorer with python -m explorer --problem MODULE:FACTORY"},
            status_code=404,
        )

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
        Route("/api/status", status),
        Route("/api/verdicts", verdicts),
        *(Route(f"/api/{name}", endpoint(name), methods=["POST"]) for name in ENDPOINTS),
        *(
            Route(
                f"/api/problem/{name.removeprefix('problem_')}",
                endpoint(name) if problem is not None else no_problem,
                methods=["POST"],
            )
            for name in PROBLEM_ENDPOINTS
        ),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    middleware = [Middleware(TrustedHostMiddleware, allowed_hosts=list(hosts))]
    return Starlette(
        routes=routes,
        middleware=middleware,
        exception_handlers={HTTPException: not_found, Exception: failed},
        lifespan=lifespan,
    )
