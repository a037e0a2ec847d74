"""Deeper and wider toy networks: born dead, exploding gradients, spurious minima.

Contract
--------
* :func:`born_dead` estimates, over many random initializations drawn in one
  batched call, the probability that a network is constant on the input
  support because a whole hidden layer is inactive for every input, and the
  probability that a single input is dead, with 95% Wilson intervals, next to
  the closed form where one exists. Detection is exact for 1-D inputs: a
  bias-free ReLU network is positively homogeneous, so a layer is dead on the
  support iff it is dead at x = +1 and/or x = -1 (the directions the support
  contains); with biases on a bounded interval, point evaluations witness
  life, sound interval bounds (DeepPoly-style linear bounds on
  sub-intervals) settles most dead networks in one batched call, and the
  few left are settled by exact piecewise-linear propagation
  (:func:`exact_dead_1d`).
* :func:`gradient_growth` measures how ``|dy/dx|^2`` grows per layer through
  stacks of leaky layers of slope ``c`` (claim A13), against its exact
  finite-width expectation (:func:`finite_width_rate`), whose infinite-width
  limit is the mean-field rate ``log((1 + c^2) / 2)``.
* :func:`spurious_minima` trains one-hidden-layer students of ``n`` units on
  teachers of ``k`` orthonormal units (Safran & Shamir 2018) with exact
  population gradients (arc-cosine kernel, :mod:`landscape.kernels`) from
  many starts at once until every gradient vanishes, and reports how often
  they end at a spurious minimum by the float64 check of its exact Hessian
  (smallest eigenvalue positive; a check, not a proof: :mod:`analysis.proofs`
  proves such points). :func:`published_minimum_k7` is the spurious minimum
  published for k = n = 7; :func:`minimum_check` checks such a point (in
  floating point).
"""

from __future__ import annotations

import math
from functools import partial

import jax
import jax.numpy as jnp
import numpy as np

import landscape as L
from landscape import networks as N

from .stats import normal_interval, wilson

__all__ = [
    "GROWTH",
    "REFERENCE_KIND",
    "REPORT_SHAPES",
    "born_dead",
    "closed_form_single_input",
    "dead_layers_1d",
    "descend",
    "dying",
    "exact_dead_1d",
    "finite_width_rate",
    "gradient_growth",
    "minimum_check",
    "published_minimum_k7",
    "safran_shamir",
    "spurious_minima",
]


def closed_form_single_input(depth: int, width: int) -> float:
    """P(one input is dead) for bias-free ReLU networks with symmetric weights:
    ``1 - (1 - 2^-N)^(L-1)`` for ``L - 1`` hidden layers of width ``N`` (Lu et al. 2020)."""
    return 1.0 - (1.0 - 2.0 ** (-width)) ** (depth - 1)


def _pre_at(spec, params, x):
    """Hidden pre-activations of a batch of networks at points ``x`` (shape (P,)): list of (n, P, width)."""
    h = jnp.broadcast_to(x[None, :, None], (params[0]["W"].shape[0], x.shape[0], 1))
    out = []
    for layer in params[:-1]:
        z = jnp.einsum("noi,npi->npo", layer["W"], h) + (layer["b"][:, None, :] if "b" in layer else 0.0)
        out.append(z)
        h = spec.activation(z)
    return out


@partial(jax.jit, static_argnums=(0,))
def _dead_layers_at(spec, params, x):
    """(n, layers): whether every unit of a hidden layer is <= 0 at every point of ``x``."""
    return jnp.stack([jnp.all(z <= 0, axis=(1, 2)) for z in _pre_at(spec, params, x)], 1)


@partial(jax.jit, static_argnums=(0, 4))
def _bounded_dead(spec, params, lo, hi, m):
    """Per hidden layer, whether every unit is <= 0 on every one of ``m`` sub-intervals (sound)."""
    dtype = params[0]["W"].dtype
    xl = lo + (hi - lo) * jnp.arange(m, dtype=dtype) / m
    xu = xl + (hi - lo) / m
    n = params[0]["W"].shape[0]
    # affine bounds a x + c of the layer input, shapes (n, m, width)
    a_lo = a_up = jnp.ones((n, m, 1), dtype)
    c_lo = c_up = jnp.zeros((n, m, 1), dtype)
    out = []

    def concrete(a, c, upper):
        v1, v2 = a * xl[None, :, None] + c, a * xu[None, :, None] + c
        return jnp.maximum(v1, v2) if upper else jnp.minimum(v1, v2)

    for layer in params[:-1]:
        W = layer["W"]
        Wp, Wm = jnp.maximum(W, 0), jnp.minimum(W, 0)
        b = layer["b"][:, None, :] if "b" in layer else 0.0
        mm = lambda M_, v: jnp.einsum("noi,nmi->nmo", M_, v)
        za_up, zc_up = mm(Wp, a_up) + mm(Wm, a_lo), mm(Wp, c_up) + mm(Wm, c_lo) + b
        za_lo, zc_lo = mm(Wp, a_lo) + mm(Wm, a_up), mm(Wp, c_lo) + mm(Wm, c_up) + b
        u, l = concrete(za_up, zc_up, True), concrete(za_lo, zc_lo, False)
        out.append(jnp.all(u <= 0, axis=(1, 2)))
        dead, live = u <= 0, l >= 0
        lam = jnp.where(dead | live, 0.0, u / jnp.where(u - l > 0, u - l, 1.0))
        a_up = jnp.where(dead, 0.0, jnp.where(live, za_up, lam * za_up))
        c_up = jnp.where(dead, 0.0, jnp.where(live, zc_up, lam * (zc_up - l)))
        use_z = live | (~dead & (u > -l))
        a_lo = jnp.where(use_z, za_lo, 0.0)
        c_lo = jnp.where(use_z, zc_lo, 0.0)
    return jnp.stack(out, 1)  # (n, layers)


def _bucket(params, idx):
    """The networks ``idx``, padded by repeating the last to a power-of-two count (fewer compilations)."""
    size = 1 << max(int(idx.size - 1).bit_length(), 3)
    take = np.concatenate([idx, np.full(size - idx.size, idx[-1])])
    return jax.tree_util.tree_map(lambda a: a[take], params)


def exact_dead_1d(spec, params, lo, hi):
    """Whether one network (parameters without a batch axis) has a hidden layer
    inactive on all of ``[lo, hi]``, by exact piecewise-linear propagation.

    On a 1-D input every pre-activation is piecewise linear in ``x``. Keeping
    the points where some unit crosses 0, each unit is linear between
    consecutive points, so its maximum over the interval is its largest value
    at the points. Needs a piecewise-linear activation with its kink at 0.
    """
    act = spec.activation
    xs = np.array([lo, hi], np.float64)
    h = xs[:, None]
    for layer in params[:-1]:
        W = np.asarray(layer["W"], np.float64)
        z = h @ W.T + (np.asarray(layer["b"], np.float64) if "b" in layer else 0.0)
        if np.all(z <= 0):
            return True
        # insert the zero crossings of every unit inside every segment
        z0, z1 = z[:-1], z[1:]
        seg, unit = np.nonzero((z0 > 0) & (z1 < 0) | (z0 < 0) & (z1 > 0))
        if seg.size:
            t = z0[seg, unit] / (z0[seg, unit] - z1[seg, unit])
            new_x = xs[seg] + t * (xs[seg + 1] - xs[seg])
            new_z = z0[seg] + t[:, None] * (z1[seg] - z0[seg])  # every unit is linear on the segment
            new_z[np.arange(seg.size), unit] = 0.0
            order = np.argsort(np.concatenate([xs, new_x]), kind="stable")
            xs = np.concatenate([xs, new_x])[order]
            z = np.concatenate([z, new_z])[order]
        left, right = act.slopes
        h = np.where(z > 0, right * z, left * z)  # NumPy: no compilation per shape
    return False


def dead_layers_1d(spec, params, support, *, points=33, m=64):
    """Exact per-network verdict on a 1-D support: whether some hidden layer
    is inactive for every input of the support.

    Bias-free ReLU networks are positively homogeneous: a layer is dead on
    the support iff it is dead at x = +1 and/or x = -1. With biases (bounded
    interval): the networks are evaluated at ``points`` points (a layer with
    a positive unit at one of them is alive), the rest get a sound interval
    bound on ``m`` sub-intervals (ReLU), and the few left open are
    settled by :func:`exact_dead_1d`.

    Returns:
      ``dead``, a bool array of shape ``(n,)``.
    """
    lo, hi = support
    dtype = params[0]["W"].dtype
    if not spec.activation.piecewise_linear:
        raise ValueError(f"dead-layer detection needs a piecewise-linear activation, got {spec.activation.label}")
    if not spec.bias and spec.activation.name == "relu":
        dirs = [d for d, ok in ((1.0, hi > 0), (-1.0, lo < 0)) if ok]
        dead_layer = _dead_layers_at(spec, params, jnp.asarray(dirs, dtype))
        return L.sweep.gather(jnp.any(dead_layer, 1))
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise ValueError("exact detection with biases needs a bounded interval (uniform inputs)")
    n = params[0]["W"].shape[0]
    dead = np.zeros(n, bool)
    grid = jnp.linspace(lo, hi, points, dtype=dtype)
    ids = np.flatnonzero(L.sweep.gather(jnp.any(_dead_layers_at(spec, params, grid), 1)))  # not witnessed alive
    if ids.size:
        params = L.sweep.gather(params)  # the few left are settled on this host
    if ids.size and spec.activation.name == "relu":
        cert = np.asarray(jnp.any(_bounded_dead(spec, _bucket(params, ids), lo, hi, m), 1))[: ids.size]
        dead[ids[cert]] = True
        ids = ids[~cert]
    if ids.size:
        host = L.sweep.gather(params)
        for i in ids:
            dead[i] = exact_dead_1d(spec, jax.tree_util.tree_map(lambda a: a[i], host), lo, hi)
    return dead


def born_dead(
    depth,
    width,
    *,
    scheme="he_normal",
    bias=False,
    inputs: str | L.Uniform = "gaussian",
    samples=100_000,
    key=None,
    activation="relu",
    chunk=20_000,
    progress=None,
):
    """Probability that a freshly initialized network is born dead.

    Args:
      depth: layers including the linear output (``depth - 1`` hidden layers).
      width: units per hidden layer.
      scheme: initialization name (see ``landscape.networks.INITS``).
      bias: whether layers have (randomly initialized) biases.
      inputs: ``"gaussian"`` or ``landscape.Uniform(lo, hi)`` (1-D).
      samples: number of networks.
      progress: a callback ``(done, total)`` over the networks drawn (chunk by chunk).

    Returns:
      dict with ``probability`` and ``ci`` (dead on the whole support),
      ``single_input_probability`` and ``single_input_ci`` (a random input
      from the distribution is dead), ``closed_form_single_input`` where it
      applies (bias-free, symmetric scheme), and ``samples``.

    Raises:
      ValueError: depth < 1, width < 1, unknown scheme, bad inputs.
    """
    spec = N.MLP.uniform(depth, width, bias=bias, activation=activation)
    if scheme not in N.INITS:
        raise ValueError(f"unknown initialization {scheme!r}; known: {', '.join(N.INITS)}")
    samples = _positive_int(samples, "samples")
    chunk = _positive_int(chunk, "chunk")
    _check_networks(spec, min(chunk, samples), "samples")
    problem = L.Problem(inputs=inputs)
    support = problem.inputs.support()
    if not spec.activation.piecewise_linear:
        raise ValueError(f"born-dead detection needs a piecewise-linear activation, got {spec.activation.label}")
    if bias and not all(map(math.isfinite, support)):
        raise ValueError(
            f"with biases, exact detection needs a bounded interval (inputs 'uniform:LO,HI'), "
            f"got inputs {problem.inputs.label!r}"
        )
    key = key if key is not None else jax.random.key(0)
    dead_all, single_all = [], []
    for start in range(0, samples, chunk):
        n = min(chunk, samples - start)
        k = jax.random.fold_in(key, start)
        params = N.init_many(spec, k, n, scheme)
        # spread the networks over every device (padded by repeating the last one)
        params = L.sweep.spread(params, np.minimum(np.arange(L.sweep.padded(n)), n - 1))
        dead = np.zeros(n, bool) if depth == 1 else dead_layers_1d(spec, params, support)[:n]
        params = jax.tree_util.tree_map(lambda a: jnp.asarray(a[:n]), L.sweep.gather(params))
        x = L.sample_inputs(problem, jax.random.fold_in(k, 1), (n,), params[0]["W"].dtype)
        if depth == 1:
            single = np.zeros(n, bool)
        else:
            pre = jax.vmap(lambda p, xi: N.hidden(spec, p, xi[None])[1])(params, x)
            single = np.asarray(jnp.any(jnp.stack([jnp.all(z <= 0, axis=1) for z in pre], 1), 1))
        dead_all.append(dead)
        single_all.append(single)
        if progress is not None:
            progress(start + n, samples)
    dead, single = np.concatenate(dead_all), np.concatenate(single_all)
    out = {
        "depth": depth,
        "width": width,
        "scheme": scheme,
        "bias": bias,
        "inputs": problem.inputs.label,
        "samples": samples,
        "probability": float(dead.mean()),
        "ci": wilson(int(dead.sum()), samples),
        "single_input_probability": float(single.mean()),
        "single_input_ci": wilson(int(single.sum()), samples),
    }
    if not bias and scheme != "rai" and spec.activation.name == "relu":
        out["closed_form_single_input"] = closed_form_single_input(depth, width)
    return out


def finite_width_rate(slope, width):
    """Exact expected per-layer growth of ``log |J v|^2`` at finite width.

    For weights ``N(0, 1/n)`` (``n = width``) and a unit direction ``u``
    independent of the layer's weights, ``W u ~ N(0, I/n)``, and the signs of
    the layer's pre-activations are independent of ``(W u)_i^2`` (a symmetric
    Gaussian pair), so each layer multiplies ``|J v|^2`` by
    ``Z/n = (chi2_K + c^2 chi2_{n-K}) / n`` with ``K ~ Binomial(n, 1/2)``,
    independently of the layers before. The expected log growth per layer is
    therefore exactly ``E log Z - log n``, computed here from Frullani's
    integral ``E log Z = int_0^inf (e^{-t} - E e^{-tZ}) dt / t`` with
    ``E e^{-tZ} = (1 + 2t)^{-K/2} (1 + 2 c^2 t)^{-(n-K)/2}`` (trapezoid rule in
    ``log t``, accurate to 1e-12; the mixture over ``K`` sums in closed form,
    ``E e^{-tZ} = (((1 + 2t)^{-1/2} + (1 + 2 c^2 t)^{-1/2}) / 2)^n``, so the
    cost does not grow with the width). For ``c = 1`` it is ``psi(n/2) - log(n/2)``
    (about ``-1/n``); as ``n`` grows it tends to the mean-field rate
    ``log((1 + c^2) / 2)``.

    Raises:
      ValueError: a width below 1 or a slope that is not finite.
    """
    width = _positive_int(width, "width")
    c = _finite_slope(slope)
    if c == 0.0:  # Z = chi2_K: the K = 0 term is log 0 (a layer that kills the direction)
        return -math.inf
    u = np.linspace(-45.0, 12.0, 20001)
    t = np.exp(u)
    # the binomial mixture of K sums in closed form: E e^{-tZ} = (((1 + 2t)^{-1/2} + (1 + 2c^2 t)^{-1/2}) / 2)^n
    log_mgf = width * (np.logaddexp(-0.5 * np.log1p(2 * t), -0.5 * np.log1p(2 * c * c * t)) - math.log(2.0))
    with np.errstate(under="ignore"):
        integrand = np.exp(-t) - np.exp(log_mgf)
    return float(np.trapezoid(integrand, u) - math.log(width))


def _finite_slope(slope):
    if (
        isinstance(slope, (bool, np.bool_))
        or not isinstance(slope, (int, float, np.integer, np.floating))
        or not math.isfinite(slope)
    ):
        raise ValueError(f"slope must be a finite number, got {slope!r}")
    if abs(slope) > 1e6:
        raise ValueError(f"slope={slope!r} is out of range; allowed: |slope| <= 1e6")
    return float(slope)


def _check_networks(spec, n, name):
    """Refuse, before any allocation, ``n`` networks of ``spec`` that cannot fit in memory."""
    per = sum(math.prod(s) for layer in spec.param_shapes() for s in layer.values())
    need = n * per * 8 * 6  # the parameters and a few working copies, float64
    limit = L.io.memory_limit()
    if need > limit:
        raise ValueError(
            f"{n} networks of depth {spec.depth} and widths {spec.hidden[:3]}{'...' if len(spec.hidden) > 3 else ''} "
            f"need about {need / 2**30:.3g} GiB, more than the limit {limit / 2**30:.3g} GiB; "
            f"use fewer {name} or a smaller width"
        )


def _positive_int(v, name):
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)) or v < 1:
        raise ValueError(f"{name} must be an integer >= 1, got {v!r}")
    return int(v)


@partial(jax.jit, static_argnums=(0, 1, 2))
def _growth(depth, width, measure, keys, c):
    """Per-network growth rates (one compilation per depth, width and measure; the slope is traced)."""
    dtype = c.dtype
    act = lambda z: jnp.where(z > 0, z, c * z)  # leaky_relu with a traced slope

    def one(k):
        kw, kx, kv = jax.random.split(k, 3)
        Ws = L.draws.normal(kw, (depth, width, width), dtype) / jnp.sqrt(width)
        x = jax.random.normal(kx, (width,), dtype)
        if measure == "frobenius":

            def net(x):
                for W in Ws:
                    x = act(W @ x)
                return x

            jac = jax.jacfwd(net)(x)
            return jnp.log(jnp.sum(jac * jac)) / depth
        v = jax.random.normal(kv, (width,), dtype)
        v = v / jnp.linalg.norm(v)

        def layer(carry, W):
            h, u, acc = carry
            z = W @ h
            h2, du = jax.jvp(act, (z,), (W @ u,))
            sq = jnp.sum(du * du)
            return (h2, du / jnp.sqrt(sq), acc + jnp.log(sq)), None

        (_, _, acc), _ = jax.lax.scan(layer, (x, v, jnp.zeros((), dtype)), Ws)  # not training: through the layers
        return acc / depth

    return jax.vmap(one)(keys)


# (depth, width) of the networks whose numbers the report shows (rows D1-D3), and the commands' defaults
REPORT_SHAPES = {"born-dead": (10, 3), "dying": (10, 2)}
REFERENCE_KIND = (
    "the exact finite-width expectation (finite_width_rate); the mean-field rate is its infinite-width limit"
)
# the default size of a gradient-growth measurement: the one the report and its figure use
GROWTH = {"depth": 20, "width": 16, "nets": 128}


def gradient_growth(
    slope, depth=GROWTH["depth"], width=GROWTH["width"], nets=GROWTH["nets"], key=None, *, measure="direction"
):
    """Per-layer growth of ``log |dy/dx|^2`` through ``depth`` leaky layers of slope ``c``.

    Each of ``nets`` networks has weights ``N(0, 1/width)``, a Gaussian input
    ``x`` and a random unit direction ``v``; the measured quantity is the
    directional derivative ``|J(x) v|^2``, renormalized layer by layer (no
    overflow), and its log per layer. Its expectation is
    :func:`finite_width_rate` exactly; the mean-field rate
    ``log((1 + c^2) / 2)`` (the activation's ``mean_field_rate``) is its
    infinite-width limit. ``measure="frobenius"`` instead takes the
    Frobenius norm of the whole Jacobian, which adds ``log(width) / depth``
    (a width-``n`` identity has norm ``n``): kept only to show that bias.

    Returns:
      dict with ``rate`` (mean over networks), its ``stderr`` and 95% ``ci``,
      ``reference`` (the value to compare with: the exact finite-width
      expectation, also ``finite_width``; None for the Frobenius measure) and
      its ``reference_kind``, ``mean_field`` (the infinite-width limit),
      ``depth``, ``width``, ``nets``, ``measure``.

    Raises:
      ValueError: depth, width or nets below 1, a slope that is not finite, an
        unknown measure, or networks too large for memory.
    """
    depth = _positive_int(depth, "depth")
    width = _positive_int(width, "width")
    nets = _positive_int(nets, "nets")
    c = _finite_slope(slope)
    if measure not in ("direction", "frobenius"):
        raise ValueError(f"measure must be 'direction' or 'frobenius', got {measure!r}")
    need = nets * depth * width * width * 8 * (width if measure == "frobenius" else 1)
    if need > L.io.memory_limit():
        raise ValueError(
            f"{nets} networks of depth {depth} and width {width} need about {need / 2**30:.3g} GiB; "
            "use fewer networks or a smaller width"
        )
    act = L.resolve_activation(("leaky_relu", {"slope": c}))
    key = key if key is not None else jax.random.key(0)
    dtype = jnp.result_type(float)
    rates = np.asarray(_growth(depth, width, measure, jax.random.split(key, nets), jnp.asarray(c, dtype)), np.float64)
    finite = rates[np.isfinite(rates)]
    rate = float(finite.mean()) if finite.size else -math.inf
    se = float(finite.std(ddof=1) / math.sqrt(finite.size)) if finite.size > 1 else math.inf
    mean_field = act.mean_field_rate if c != 0 else -math.inf
    finite = finite_width_rate(c, width) if measure == "direction" else None
    return {
        "slope": c,
        "rate": rate,
        "stderr": se,
        "ci": normal_interval(rate, se),
        "mean_field": mean_field,
        "finite_width": finite,
        "reference": finite,
        "reference_kind": REFERENCE_KIND
        if finite is not None
        else "none (the Frobenius measure has no exact reference here)",
        "depth": depth,
        "width": width,
        "nets": nets,
        "measure": measure,
    }


# A spurious local minimum for k = n = 7 published by Safran, Yehudai & Shamir (COLT 2021) with
# their experiment code (github.com/ItaySafran/Overparameterization, README): the student's
# weight matrix has one neuron of one kind and six of another. In their layout neuron i is
# column i; entries below, rounded to 10 digits as published.
PUBLISHED_MINIMUM_K7 = {
    "first_diag": -0.6327039049,
    "first_to_rest": 0.2616910758,
    "rest_to_first": 0.1859910463,
    "rest_diag": 0.9969227988,
    "rest_off": -0.0350801559,
}


def published_minimum_k7():
    """The published k = n = 7 spurious minimum as student weights ``(7, 7)`` (row i = neuron i)."""
    p = PUBLISHED_MINIMUM_K7
    M = np.full((7, 7), p["rest_off"])
    np.fill_diagonal(M, p["rest_diag"])
    M[0, 0] = p["first_diag"]
    M[0, 1:] = p["first_to_rest"]
    M[1:, 0] = p["rest_to_first"]
    return jnp.asarray(M.T)


def safran_shamir(k: int, n: int) -> N.NetProblem:
    """The problem of Safran & Shamir (2018): ``n`` ReLU units ``sum_i relu(w_i.x)`` (output weights
    fixed at 1) fitted to ``k`` orthonormal teacher units in ``d = k`` dimensions, Gaussian inputs
    (closed-form loss by the arc-cosine kernel). Parameters: ``[{"W": (n, k)}]``."""
    k, n = _positive_int(k, "k"), _positive_int(n, "n")
    student = N.MLP(in_dim=k, hidden=(n,), activation="relu", bias=False, readout="sum")
    return N.NetProblem(student, N.NetTeacher.orthonormal(k))


def minimum_check(W):
    """Loss, exact gradient norm and the range of the dense Hessian's eigenvalues at student weights ``W``
    (n, k) of :func:`safran_shamir` (k, n), in floating point (:func:`landscape.dense_spectrum`).

    A point with a tiny gradient, a positive smallest eigenvalue and a loss
    above 0 passes the check of a spurious local minimum; a floating-point
    check is not a proof.
    """
    W = jnp.asarray(W)
    sp = L.dense_spectrum(safran_shamir(W.shape[1], W.shape[0]), [{"W": W[None]}])
    eig = sp["eigvals"][0]
    return {
        "loss": float(sp["loss"][0]),
        "grad_norm": float(sp["grad_norm"][0]),
        "min_eig": float(eig[0]),
        "max_eig": float(eig[-1]),
    }


def descend(problem, W0, *, lr, steps, tol=0.0, gtol=0.0, check_every=500, progress=False):
    """Exact-gradient descent on :func:`safran_shamir` starts ``W0`` (starts, n, k), through the
    training engine: each start stops at the global minimum (loss <= ``tol``) or when stationary
    (gradient norm < ``gtol``), at most ``steps``."""
    stop = L.Stop(grad_norm=gtol, loss=tol, every=check_every) if (tol > 0 or gtol > 0) else None
    return L.train(
        problem,
        [{"W": W0}],
        optimizer=L.optimizer("sgd", learning_rate=lr),
        steps=steps,
        gradient="population",
        record_every=steps,
        stop=stop,
        key=jax.random.key(0),
        progress=progress,
    )


@partial(jax.jit, static_argnums=(0,))
def _end_state(problem, params):
    loss, g = problem.population_batch(params)
    return loss, jnp.sqrt(jnp.sum(g[0]["W"] ** 2, axis=(1, 2)))


def spurious_minima(
    k,
    n,
    *,
    starts=256,
    steps=50_000,
    lr=None,
    key=None,
    tol=1e-4,
    gtol=1e-8,
    check_every=500,
    eig_tol=1e-6,
    hessian_chunk=64,
    keep=8,
    progress=False,
):
    """How often gradient descent from random starts ends at a spurious local minimum.

    The setting of Safran & Shamir (ICML 2018): teacher ``sum_j relu(v_j.x)``
    with ``k`` orthonormal ``v_j`` in ``d = k`` dimensions, student
    ``sum_i relu(w_i.x)`` with ``n`` units (output weights fixed at 1),
    ``x ~ N(0, I_d)``, Xavier starts ``w_i ~ N(0, I/d)``, exact population
    gradients (arc-cosine kernel), every start in one batched call, run until
    each start is at the global minimum (loss <= ``tol``; with this step
    gradient descent only lowers the loss) or stationary (gradient norm below
    ``gtol``), or for ``steps`` steps.

    Each end point is classified: ``global`` (loss <= ``tol``), ``dead_unit``
    (stationary above ``tol`` with a unit shrunk to zero, ``|w_i| < 1e-6``:
    the kink at ``w_i = 0`` where the single ReLU neuron gets stuck, not a
    smooth minimum), ``spurious`` (the other stationary points above ``tol``
    whose exact float64 Hessian has its smallest eigenvalue > ``eig_tol``:
    strict local minima by a floating-point check, proven by
    :func:`analysis.proofs.prove_points`), ``degenerate`` (the stationary rest),
    ``moving`` (gradient still above ``gtol``: the budget was too short), and
    ``diverged``.

    Args:
      lr: fixed step size; default ``2.5 / max(k, 6)``: for ``k >= 6`` the
        step ``5 / k`` that Safran, Yehudai & Shamir (2021) use on half this
        loss (``5 / k`` on this loss diverges); for smaller ``k``, ``2.5 / k``
        oscillates and the step is capped.
      keep: how many spurious end points to return (``spurious_points``).

    Returns:
      dict with ``rate`` of spurious minima and its 95% ``ci``, the share of
      each class, the spurious minima's loss quantiles and smallest Hessian
      eigenvalue, the first ``keep`` spurious end points, ``steps_run`` and
      the settings.

    Raises:
      ValueError: k or n below 1, n < k, or a bad setting.
    """
    for name, v in (
        ("k", k),
        ("n", n),
        ("starts", starts),
        ("steps", steps),
        ("check_every", check_every),
        ("keep", keep),
    ):
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise ValueError(f"{name} must be a positive integer, got {v!r}")
    if n < k:
        raise ValueError(f"the student needs at least as many units as the teacher: n={n} < k={k}")
    if starts * n * n * k * k * 8 > L.io.memory_limit():
        raise ValueError(
            f"{starts} starts of {n} units in {k} dimensions need about {starts * (n * k) ** 2 * 8 / 2**30:.3g} "
            "GiB for their Hessians; use fewer starts or a smaller k"
        )
    lr = 2.5 / max(k, 6) if lr is None else lr
    if (
        isinstance(lr, (bool, np.bool_))
        or not isinstance(lr, (int, float, np.integer, np.floating))
        or not (math.isfinite(lr) and lr > 0)
    ):
        raise ValueError(f"lr must be a positive finite number, got {lr!r}")
    key = key if key is not None else jax.random.key(0)
    dtype = jnp.result_type(float)
    d = k
    problem = safran_shamir(k, n)
    W0 = L.draws.normal(key, (starts, n, d), dtype) / math.sqrt(d)
    check_every = math.gcd(check_every, steps)  # blocks that end exactly at `steps`
    t = descend(problem, W0, lr=float(lr), steps=steps, tol=tol, gtol=gtol, check_every=check_every, progress=progress)
    W = np.asarray(t.final[0]["W"])
    final, gnorm = (np.asarray(v) for v in _end_state(problem, t.final))
    finite = np.isfinite(final) & np.isfinite(gnorm) & ~np.asarray(t.diverged)
    stationary = finite & (final > tol) & (gnorm < gtol)
    dead_unit = stationary & (np.min(np.linalg.norm(W, axis=-1), axis=-1) < 1e-6)
    stationary &= ~dead_unit
    min_eig = np.full(starts, np.nan)
    idx = np.flatnonzero(stationary)
    if idx.size:
        min_eig[idx] = L.dense_spectrum(problem, [{"W": jnp.asarray(W[idx])}], chunk=hessian_chunk)["eigvals"][:, 0]
    classes = {
        "global": finite & (final <= tol),
        "dead_unit": dead_unit,
        "spurious": stationary & (min_eig > eig_tol),
        "degenerate": stationary & ~(min_eig > eig_tol),
        "moving": finite & (final > tol) & (gnorm >= gtol),
        "diverged": ~finite,
    }
    spurious = classes["spurious"]
    out = {
        "k": k,
        "n": n,
        "d": d,
        "starts": starts,
        "steps": steps,
        "steps_run": int(np.max(np.asarray(t.steps_run))),
        "lr": float(lr),
        "tol": tol,
        "gtol": gtol,
        "eig_tol": eig_tol,
        "rate": float(spurious.mean()),
        "ci": wilson(int(spurious.sum()), starts),
        "shares": {c: float(m.mean()) for c, m in classes.items()},
        "still_moving": float(classes["moving"].mean()),
    }
    if spurious.any():
        out["spurious_loss_quantiles"] = np.quantile(final[spurious], [0.0, 0.5, 1.0]).tolist()
        out["spurious_min_eig"] = float(np.min(min_eig[spurious]))
        out["spurious_points"] = W[spurious][:keep]  # the first `keep` (float-checked) spurious end points
    return out


def dying(
    depth,
    width,
    *,
    scheme="he_normal",
    target="abs",
    inputs: str | L.Uniform = "gaussian",
    starts=256,
    steps=3000,
    batch_size=128,
    lr=1e-3,
    key=None,
    progress=False,
):
    """How often networks collapse to a constant while fitting ``target`` from random starts.

    Every start trains at once (``landscape.train`` over a batch of networks:
    Adam, minibatch gradients); the end states are classified by
    :func:`analysis.classify` (dead: the output is constant on the inputs).

    Returns:
      dict with ``rate`` of collapsed networks and its ``ci``, the fraction
      reaching the target (``fit``), and the settings.
    """
    from .basins import classify

    spec = N.MLP.uniform(depth, width, bias=True)
    if scheme not in N.INITS:
        raise ValueError(f"unknown initialization {scheme!r}; known: {', '.join(N.INITS)}")
    starts = _positive_int(starts, "starts")
    _check_networks(spec, starts, "starts")
    key = key if key is not None else jax.random.key(0)
    problem = N.NetProblem(spec, target, inputs)
    init = N.init_many(spec, key, starts, scheme)
    t = L.train(
        problem,
        init,
        optimizer=L.optimizer("adam", learning_rate=lr),
        steps=steps,
        batch_size=batch_size,
        record_every=steps,
        key=jax.random.fold_in(key, 1),
        progress=progress,
    )
    b = classify(problem, t.final, diverged=t.diverged, tol_loss=1e-2)
    born = dead_layers_1d(spec, init, problem.inputs.support()) if not math.isinf(problem.inputs.support()[0]) else None
    out = {
        "depth": depth,
        "width": width,
        "scheme": scheme,
        "target": problem.teacher.label,
        "inputs": problem.inputs.label,
        "starts": starts,
        "steps": steps,
        "lr": lr,
        "batch_size": batch_size,
        "rate": b.fractions["dead"],
        "ci": b.intervals["dead"],
        "probability": b.fractions["dead"],
        "fit": b.fractions["global_min"],
        "fit_ci": b.intervals["global_min"],
    }
    if born is not None:
        out["born_dead"] = float(np.mean(born))
    return out
