"""Validation of every request: parameters named, checked and capped before any work.

Each parser takes the decoded JSON body (a dict) and returns validated
settings, or raises :class:`BadRequest` with a message that names the field,
its value and what is allowed. A field the endpoint does not know (or one
in the wrong place, such as ``learning_rate`` outside ``hyper``) is refused
by name, never ignored. Defaults come from the library: the optimizers'
hyperparameters from ``landscape.optimizers.defaults``, the original
experiment's settings from ``landscape.ORIGINAL``.
"""

from __future__ import annotations

import math

from landscape.optimizers import defaults as optimizer_defaults
from landscape.original import ORIGINAL

ACTIVATIONS = ("relu", "leaky_relu", "elu", "selu", "softplus")
PIECEWISE_LINEAR = ("relu", "leaky_relu")
OPTIMIZERS = ("sgd", "momentum", "nesterov", "adam", "amsgrad", "adam_keras", "amsgrad_keras")
HYPER = {name: tuple(optimizer_defaults(name)) for name in OPTIMIZERS}
DEFAULTS = {name: optimizer_defaults(name) for name in OPTIMIZERS}
STEP_CHOICES = (100, 200, 500, 1000, 2000, 5000, 10000, 20000)  # compiled shapes: a few, reused
BATCH_CHOICES = (16, 32, 64, 128, 256, 512, 1000, 2048, 4096)
SLOPE_STEP = 0.05  # leaky slopes and uniform bounds on a grid: each new value is a new program
BOUND_STEP = 0.5
CAPS = {
    "steps": 20_000,  # steps of one run
    "minibatch_steps": 5_000,  # steps of a minibatch run
    "batch_size": 4_096,  # samples per minibatch
    "landscape_n": 201,  # grid points per axis of the loss picture
    "basins_n": 128,  # starts per axis of a basin map
    "basins_steps": 5_000,  # steps of a basin map
    "basins_smooth_n": 64,  # starts per axis for smooth activations (slower)
    "phase_n": 64,  # cells per axis of the phase diagram
    "phase_steps": 4_000,  # step budget of the phase diagram
    "box": 20.0,  # |w|, |b| of boxes and starts
    "body_bytes": 65_536,  # request size
}
BOX = {"w": (-3.0, 3.0), "b": (-3.0, 3.0)}
# The total work of a request, in seconds, from all its parameters: starts x steps x the cost of one step of
# one start, measured on a 2-core CPU by `python -m benchmarks explorer` (printed there beside these constants)
# and rounded up. A request estimated above WORK_S is refused with its estimate, before any work.
STEP_COST_S = {
    "closed form": 1.2e-7,  # exact gradients of a piecewise-linear student: closed forms
    "quadrature": 2.5e-5,  # exact gradients of a smooth student: Gauss-Legendre quadrature
    "sample": 3.5e-8,  # a minibatch, per sample of the batch
    "born dead": 1.0e-6,  # born-dead detection, per network and layer (bias-free: two points)
    "born dead, biases": 1.5e-5,  # with biases: points, interval bounds and the exact fallback
    "growth": 5e-8,  # gradient growth, per network, layer and width^2
    "teacher-student": 4e-8,  # one exact-gradient step of one k = n start, per k^3 (with the Hessian checks)
    "proof": 0.5,  # a proof in ball arithmetic, per (k / 7)^4
}
WORK_S = 30.0


def work_seconds(kind: str, s: dict) -> float:
    """The estimated seconds of work of validated settings ``s`` of endpoint ``kind``."""
    smooth = s.get("problem", {}).get("activation", "relu") not in PIECEWISE_LINEAR
    exact = STEP_COST_S["quadrature" if smooth else "closed form"]
    if kind == "train":
        per = exact if s["gradient"] == "population" else STEP_COST_S["sample"] * s["batch_size"] * (3 if smooth else 1)
        return s["steps"] * per
    if kind == "basins":
        return s["n"] * s["n"] * s["steps"] * exact
    if kind == "one_weight":
        return s["steps"] * STEP_COST_S["sample"] * s["batch_size"]
    if kind == "phase":
        return s["n"] * s["n"] * s["steps"] * STEP_COST_S["closed form"] * 2
    if kind == "landscape":
        return s["n"] * s["n"] * 2 * exact
    if kind == "born_dead":
        per = STEP_COST_S["born dead, biases" if s["bias"] else "born dead"]
        return s["samples"] * sum(s["depths"]) * len(s["widths"]) * per
    if kind == "growth":
        return len(s["slopes"]) * s["nets"] * s["depth"] * s["width"] ** 2 * STEP_COST_S["growth"]
    if kind == "spurious":
        k = s["k"]
        search = s["starts"] * SPURIOUS_STEPS * k**3 * STEP_COST_S["teacher-student"]
        return search + (STEP_COST_S["proof"] * (k / 7) ** 4 if s["prove"] else 0.0)
    raise ValueError(f"no work model for {kind!r}")


def check_work(kind: str, s: dict) -> dict:
    """``s`` if its estimated work is within ``WORK_S``; else :class:`TooMuchWork` with the estimate."""
    est = work_seconds(kind, s)
    if est > WORK_S:
        hint = {
            "born_dead": "fewer depths, widths or samples",
            "growth": "fewer slopes or networks, or a smaller depth or width",
            "spurious": "fewer starts or a smaller k",
        }.get(kind, "fewer starts or steps (smooth activations cost about 200 times more per step than relu)")
        raise TooMuchWork(
            f"this request would take about {est:.0f} s of computation, more than the explorer's {WORK_S:.0f} s a "
            f"request; use {hint}"
        )
    return s


class BadRequest(ValueError):
    """A request the explorer refuses (answered with status 422)."""


class TooMuchWork(BadRequest):
    """A request within every per-parameter cap whose total work would still exceed ``WORK_S``."""


def _dict(body, name="body", allowed=None):
    if not isinstance(body, dict):
        raise BadRequest(f"{name} must be a JSON object, got {type(body).__name__}")
    if allowed is not None:
        unknown = sorted(set(body) - set(allowed))
        if unknown:
            raise BadRequest(
                f"{name} has no field {', '.join(map(repr, unknown))}; its fields are {', '.join(allowed)}"
            )
    return body


def number(body, name, default=None, *, lo=-math.inf, hi=math.inf, lo_open=False, hi_open=False):
    v = body.get(name, default)
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise BadRequest(f"{name} must be a number, got {_short(v)}")
    try:
        v = float(v)
    except OverflowError:
        raise BadRequest(f"{name} must be a finite number, got an integer of {len(str(v))} digits") from None
    ok = math.isfinite(v) and (v > lo if lo_open else v >= lo) and (v < hi if hi_open else v <= hi)
    if not ok:
        rng = f"{'(' if lo_open else '['}{lo:g}, {hi:g}{')' if hi_open else ']'}"
        raise BadRequest(f"{name} must be a finite number in {rng}, got {body.get(name, default)!r}")
    return v


def _short(v):
    text = repr(v)
    return text if len(text) <= 60 else text[:57] + "..."


def on_grid(value, step, name):
    """``value`` must be a multiple of ``step`` (each distinct value compiles a program of its own)."""
    k = round(value / step)
    if abs(value - k * step) > 1e-9:
        raise BadRequest(f"{name} must be a multiple of {step:g}, got {value!r}")
    return round(k * step, 10)


def one_of(body, name, default, allowed):
    v = body.get(name, default)
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    if isinstance(v, bool) or v not in allowed:
        raise BadRequest(f"{name} must be one of {', '.join(map(str, allowed))}, got {_short(v)}")
    return v


def integer(body, name, default=None, *, lo, hi):
    v = body.get(name, default)
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
        raise BadRequest(f"{name} must be an integer in [{lo}, {hi}], got {_short(v)}")
    return v


def flag(body, name, default):
    v = body.get(name, default)
    if not isinstance(v, bool):
        raise BadRequest(f"{name} must be true or false, got {_short(v)}")
    return v


def subset(body, name, default, allowed, *, most):
    """A non-empty list of distinct values of ``allowed`` (at most ``most``), returned in the order of ``allowed``."""
    v = body.get(name, list(default))
    if not isinstance(v, list) or not v:
        raise BadRequest(
            f"{name} must be a non-empty list of values from {', '.join(map(str, allowed))}, got {_short(v)}"
        )
    picked = [one_of({name: x}, name, None, allowed) for x in v]
    if len(set(picked)) != len(picked):
        raise BadRequest(f"{name} lists a value twice: {_short(v)}")
    if len(picked) > most:
        raise BadRequest(f"{name} takes at most {most} values, got {len(picked)}")
    return [a for a in allowed if a in picked]


def choice(body, name, default, allowed):
    v = body.get(name, default)
    if not isinstance(v, str) or v not in allowed:
        raise BadRequest(f"{name} must be one of {', '.join(allowed)}, got {_short(v)}")
    return v


def problem(body):
    """``activation``, ``slope`` (leaky_relu), ``inputs`` (gaussian or uniform with ``lo``, ``hi``)."""
    body = _dict(body, "problem", ("activation", "slope", "inputs", "lo", "hi"))
    act = choice(body, "activation", "relu", ACTIVATIONS)
    out = {"activation": act}
    if act == "leaky_relu":
        out["slope"] = on_grid(
            number(body, "slope", 0.3, lo=0.0, hi=1.0, lo_open=True, hi_open=True), SLOPE_STEP, "slope"
        )
    inputs = choice(body, "inputs", "gaussian", ("gaussian", "uniform"))
    out["inputs"] = inputs
    if inputs == "uniform":
        lo = on_grid(number(body, "lo", -1.0, lo=-10, hi=10), BOUND_STEP, "lo")
        hi = on_grid(number(body, "hi", 1.0, lo=-10, hi=10), BOUND_STEP, "hi")
        if not lo < hi:
            raise BadRequest(f"uniform inputs need lo < hi, got lo={lo:g}, hi={hi:g}")
        out["lo"], out["hi"] = lo, hi
    return out


def box(body):
    body = _dict(body, "box", ("w", "b"))
    out = {}
    for name in ("w", "b"):
        v = body.get(name, list(BOX[name]))
        if not (isinstance(v, list) and len(v) == 2):
            raise BadRequest(f"{name} must be a range [lo, hi], got {v!r}")
        lo = number({"lo": v[0]}, "lo", lo=-CAPS["box"], hi=CAPS["box"])
        hi = number({"hi": v[1]}, "hi", lo=-CAPS["box"], hi=CAPS["box"])
        if not lo < hi:
            raise BadRequest(f"{name} range needs lo < hi, got {v!r}")
        out[name] = (lo, hi)
    return out


def optimizer(body):
    name = choice(body, "optimizer", ORIGINAL.optimizer, OPTIMIZERS)
    defaults = DEFAULTS[name]
    hyper = body.get("hyper", {})
    hyper = _dict(hyper, "hyper")
    unknown = sorted(set(hyper) - set(HYPER[name]))
    if unknown:
        raise BadRequest(
            f"hyper has {', '.join(unknown)}, which {name} does not take; it takes {', '.join(HYPER[name])}"
        )
    out = {}
    for h in HYPER[name]:
        if h == "learning_rate":
            out[h] = number(hyper, h, defaults[h], lo=0.0, hi=100.0, lo_open=True)
        elif h == "eps":
            out[h] = number(hyper, h, defaults[h], lo=0.0, hi=1.0, lo_open=True)
        else:
            out[h] = number(hyper, h, defaults[h], lo=0.0, hi=1.0, hi_open=True)
    return name, out


RUN_FIELDS = ("problem", "optimizer", "hyper", "start", "gradient", "steps", "batch_size", "seed")


def train(body):
    body = _dict(body, "body", RUN_FIELDS)
    p = problem(body.get("problem", {}))
    name, hyper = optimizer(body)
    start = _dict(body.get("start"), "start") if "start" in body else None
    if start is None:
        raise BadRequest('start must be given as {"w": number, "b": number}')
    _dict(start, "start", ("w", "b"))
    w = number(start, "w", lo=-CAPS["box"], hi=CAPS["box"])
    b = number(start, "b", lo=-CAPS["box"], hi=CAPS["box"])
    gradient = choice(body, "gradient", "population", ("population", "minibatch"))
    cap = CAPS["steps"] if gradient == "population" else CAPS["minibatch_steps"]
    steps = one_of(body, "steps", ORIGINAL.steps, tuple(c for c in STEP_CHOICES if c <= cap))
    out = {
        "problem": p,
        "optimizer": name,
        "hyper": hyper,
        "start": {"w": w, "b": b},
        "gradient": gradient,
        "steps": steps,
    }
    if gradient == "minibatch":
        out["batch_size"] = one_of(body, "batch_size", ORIGINAL.batch_size, BATCH_CHOICES)
        out["seed"] = integer(body, "seed", ORIGINAL.seed, lo=0, hi=2**31 - 1)
    else:
        extra = [k for k in ("batch_size", "seed") if k in body]
        if extra:
            raise BadRequest(f"{', '.join(extra)} belong to minibatch runs; this run has gradient='population'")
    return check_work("train", out)


def basins(body):
    body = _dict(body, "body", ("problem", "optimizer", "hyper", "n", "steps", "box"))
    p = problem(body.get("problem", {}))
    name, hyper = optimizer(body)
    cap = CAPS["basins_n"] if p["activation"] in PIECEWISE_LINEAR else CAPS["basins_smooth_n"]
    steps = one_of(body, "steps", ORIGINAL.steps, tuple(c for c in STEP_CHOICES if c <= CAPS["basins_steps"]))
    n = one_of(body, "n", 64, tuple(c for c in (16, 32, 64, 128) if c <= cap))
    return check_work(
        "basins",
        {"problem": p, "optimizer": name, "hyper": hyper, "n": n, "steps": steps, "box": box(body.get("box", {}))},
    )


def landscape(body):
    body = _dict(body, "body", ("problem", "n", "box"))
    return check_work(
        "landscape",
        {
            "problem": problem(body.get("problem", {})),
            "n": one_of(body, "n", 121, (61, 121, 201)),
            "box": box(body.get("box", {})),
        },
    )


def one_weight(body):
    body = _dict(body, "body", ("w0", "learning_rate", "steps", "batch_size", "seed"))
    return check_work(
        "one_weight",
        {
            "w0": number(body, "w0", -1.0, lo=-CAPS["box"], hi=CAPS["box"]),
            "learning_rate": number(body, "learning_rate", ORIGINAL.learning_rate, lo=0.0, hi=10.0, lo_open=True),
            "steps": one_of(
                body, "steps", ORIGINAL.steps, tuple(c for c in STEP_CHOICES if c <= CAPS["minibatch_steps"])
            ),
            "batch_size": one_of(body, "batch_size", ORIGINAL.batch_size, BATCH_CHOICES),
            "seed": integer(body, "seed", ORIGINAL.seed, lo=0, hi=2**31 - 1),
        },
    )


PHASE_METHODS = ("sgd", "momentum", "nesterov")  # the optimizers whose crossing has a closed form


def phase(body):
    body = _dict(body, "body", ("method", "n", "steps", "w0"))
    return check_work(
        "phase",
        {
            "method": choice(body, "method", "momentum", PHASE_METHODS),
            "n": one_of(body, "n", 48, (16, 32, 48, 64)),
            "steps": one_of(body, "steps", ORIGINAL.steps, tuple(c for c in STEP_CHOICES if c <= CAPS["phase_steps"])),
            "w0": number(body, "w0", ORIGINAL.w0, lo=-CAPS["box"], hi=0.0, hi_open=True),
        },
    )


# ----------------------------------------------------------------- deeper networks (the networks view)
# Defaults are the report's experiments (analysis.experiments: born_dead, gradient_growth, deep_networks), so that
# the page's first view shows the numbers of the report.
BORN_DEPTHS = (1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20)
BORN_WIDTHS = (2, 3, 4, 5, 10)
BORN_SAMPLES = (1000, 5000, 10000, 20000)
BORN_SCHEMES = ("symmetric", "he_normal", "rai")
BORN_DEFAULT = {"depths": (1, 2, 3, 4, 6, 8, 10, 15, 20), "widths": (2, 3, 5), "samples": 10000}
BORN_BIAS_DEFAULT = {"widths": (3,), "samples": 5000}  # with biases: the report's width and sample count
# slopes in the order of the report's experiment first (its keys are folded in by position), then the others
GROWTH_SLOPES = (0.25, 0.5, 1.0, 1.5, 2.0, 0.1, 0.75, 1.25, 3.0)
GROWTH_DEFAULT = {"slopes": (0.25, 0.5, 1.0, 1.5, 2.0), "depth": 20, "width": 16, "nets": 128}
SPURIOUS_KS = tuple(range(6, 13))
SPURIOUS_STARTS = (16, 32, 64, 128, 256)
SPURIOUS_STEPS = 5_000  # the descent's step budget (a start still moving then is reported as moving)
PROVE_MAX_K = 10


def born_dead(body):
    body = _dict(body, "body", ("depths", "widths", "samples", "scheme", "bias", "seed"))
    bias = flag(body, "bias", False)
    base = BORN_BIAS_DEFAULT if bias else {}
    out = {
        "depths": subset(body, "depths", BORN_DEFAULT["depths"], BORN_DEPTHS, most=len(BORN_DEPTHS)),
        "widths": subset(body, "widths", base.get("widths", BORN_DEFAULT["widths"]), BORN_WIDTHS, most=3),
        "samples": one_of(body, "samples", base.get("samples", BORN_DEFAULT["samples"]), BORN_SAMPLES),
        "scheme": choice(body, "scheme", "he_normal" if bias else "symmetric", BORN_SCHEMES),
        "bias": bias,
        "seed": integer(body, "seed", 0, lo=0, hi=2**31 - 1),
    }
    return check_work("born_dead", out)


def growth(body):
    body = _dict(body, "body", ("slopes", "depth", "width", "nets", "seed"))
    out = {
        "slopes": subset(body, "slopes", GROWTH_DEFAULT["slopes"], GROWTH_SLOPES, most=len(GROWTH_SLOPES)),
        "depth": one_of(body, "depth", GROWTH_DEFAULT["depth"], (5, 10, 20, 40)),
        "width": one_of(body, "width", GROWTH_DEFAULT["width"], (4, 8, 16, 32, 64)),
        "nets": one_of(body, "nets", GROWTH_DEFAULT["nets"], (32, 64, 128, 256)),
        "seed": integer(body, "seed", 0, lo=0, hi=2**31 - 1),
    }
    return check_work("growth", out)


def spurious(body):
    body = _dict(body, "body", ("k", "starts", "seed", "prove"))
    k = one_of(body, "k", 7, SPURIOUS_KS)
    prove = flag(body, "prove", False)
    if prove and k > PROVE_MAX_K:
        raise BadRequest(f"proofs are offered for k <= {PROVE_MAX_K} (their cost grows like k^4), got k={k}")
    out = {
        "k": k,
        "starts": one_of(body, "starts", 64, SPURIOUS_STARTS),
        "seed": integer(body, "seed", 0, lo=0, hi=2**31 - 1),
        "prove": prove,
    }
    return check_work("spurious", out)


# ----------------------------------------------------------------- a user's problem (python -m explorer --problem)
# Any problem of the protocol: a plane through a point along two random directions, runs from a point of the plane,
# the Hessian spectrum at a point. The cost of one evaluation of a user's loss is unknown, so the caps are per
# parameter (small grids, few steps, few eigenvalues and probes).
PROBLEM_CAPS = {
    "n": 61,  # grid points per axis of the plane
    "span": 10.0,  # the plane's half-width, in units of the (normalized) directions
    "at": 20.0,  # |alpha|, |beta| of a point of the plane
    "steps": 5_000,  # steps of a run
    "k": 20,  # top Hessian eigenvalues
    "probes": 20,  # probes of the spectral density
    "lanczos": 60,  # Lanczos steps of the spectral density
}
PROBLEM_NORMALIZATIONS = ("filter", "layer", "none")
PROBLEM_DEFAULTS = {
    "n": 41,
    "span": 1.0,
    "seed": 0,
    "normalization": "filter",
    "optimizer": "adam",
    "steps": 500,
    "k": 5,
    "probes": 5,
}
PROBLEM_STEPS = tuple(c for c in STEP_CHOICES if c <= PROBLEM_CAPS["steps"])
PLANE_ID = ("seed", "normalization", "centre")  # what makes the plane: its point and its two directions


def _plane_id(body, n_params):
    out = {
        "seed": integer(body, "seed", PROBLEM_DEFAULTS["seed"], lo=0, hi=2**31 - 1),
        "normalization": choice(body, "normalization", PROBLEM_DEFAULTS["normalization"], PROBLEM_NORMALIZATIONS),
        "centre": None,
    }
    centre = body.get("centre")
    if centre is not None:
        if not isinstance(centre, list) or len(centre) != n_params:
            raise BadRequest(
                f"centre must be a list of the problem's {n_params} parameters (its ravel order), or absent for the "
                f"problem's own starting point, got {_short(centre)}"
            )
        out["centre"] = [number({"centre": v}, "centre") for v in centre]
    return out


def _at(body):
    return {name: number(body, name, 0.0, lo=-PROBLEM_CAPS["at"], hi=PROBLEM_CAPS["at"]) for name in ("alpha", "beta")}


def problem_plane(body, n_params):
    """The plane: ``n`` points per axis across ``[-span, span]``, through ``centre`` (default: the problem's first
    start drawn with ``seed``) along two directions drawn with ``seed`` and normalized as ``normalization``."""
    body = _dict(body, "body", ("n", "span", *PLANE_ID))
    return {
        "n": integer(body, "n", PROBLEM_DEFAULTS["n"], lo=3, hi=PROBLEM_CAPS["n"]),
        "span": number(body, "span", PROBLEM_DEFAULTS["span"], lo=0.0, hi=PROBLEM_CAPS["span"], lo_open=True),
        **_plane_id(body, n_params),
    }


def problem_train(body, n_params):
    """A run with exact (population) gradients from the point ``(alpha, beta)`` of the plane."""
    body = _dict(body, "body", ("alpha", "beta", "optimizer", "learning_rate", "steps", *PLANE_ID))
    name = choice(body, "optimizer", PROBLEM_DEFAULTS["optimizer"], OPTIMIZERS)
    return {
        **_at(body),
        "optimizer": name,
        "learning_rate": number(body, "learning_rate", DEFAULTS[name]["learning_rate"], lo=0.0, hi=100.0, lo_open=True),
        "steps": one_of(body, "steps", PROBLEM_DEFAULTS["steps"], PROBLEM_STEPS),
        **_plane_id(body, n_params),
    }


def problem_spectrum(body, n_params):
    """The top ``k`` Hessian eigenvalues and the spectral density (``probes`` probes, ``steps`` Lanczos steps) at
    the point ``(alpha, beta)`` of the plane."""
    body = _dict(body, "body", ("alpha", "beta", "k", "probes", "steps", *PLANE_ID))
    k_hi = min(PROBLEM_CAPS["k"], n_params)
    steps_hi = min(PROBLEM_CAPS["lanczos"], n_params)
    return {
        **_at(body),
        "k": integer(body, "k", min(PROBLEM_DEFAULTS["k"], k_hi), lo=1, hi=k_hi),
        "probes": integer(body, "probes", PROBLEM_DEFAULTS["probes"], lo=1, hi=PROBLEM_CAPS["probes"]),
        "steps": integer(body, "steps", min(30, steps_hi), lo=1, hi=steps_hi),
        **_plane_id(body, n_params),
    }
