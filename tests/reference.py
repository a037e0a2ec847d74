"""Independent NumPy/SciPy references for the tests (no JAX, no package code)."""

import itertools
import math

import numpy as np
from scipy import integrate, special

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def act(name, z, **p):
    z = float(z)
    if name == "relu":
        return max(z, 0.0)
    if name == "leaky_relu":
        return z if z > 0 else p.get("slope", 0.01) * z
    if name == "identity":
        return z
    if name == "elu":
        return z if z > 0 else p.get("alpha", 1.0) * math.expm1(z)
    if name == "selu":
        return SELU_SCALE * (z if z > 0 else SELU_ALPHA * math.expm1(z))
    if name == "softplus":
        beta = p.get("beta", 1.0)
        return np.logaddexp(0.0, beta * z) / beta
    if name == "gelu":
        return 0.5 * z * (1.0 + math.erf(z / math.sqrt(2.0)))
    if name == "tanh":
        return math.tanh(z)
    if name == "sigmoid":
        return special.expit(z)
    if name == "silu":
        return z * special.expit(z)
    raise KeyError(name)


def quad_loss(student, teacher, inputs, w, b=0.0, a=1.0, c=0.0, sp=None, tp=None):
    """E[(a act(w x + b) + c - act_t(x))^2] by scipy adaptive quadrature split at the kinks."""
    sp, tp = sp or {}, tp or {}

    def resid(x):
        return a * act(student, w * x + b, **sp) + c - act(teacher, x, **tp)

    if inputs == "gaussian":
        # the density is below 1e-300 beyond |x| = 38: integrate on a finite range
        lo, hi = -40.0, 40.0
        dens = lambda x: math.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)
    else:
        lo, hi = inputs
        dens = lambda x: 1.0 / (hi - lo)
    cuts = [0.0] + ([-8.0, -4.0, 4.0, 8.0] if inputs == "gaussian" else [])
    if w != 0:
        cuts.append(-b / w)
    pts = sorted({x for x in cuts if lo < x < hi})
    ends = [lo] + pts + [hi]
    total = 0.0
    for u, v in itertools.pairwise(ends):
        val, _ = integrate.quad(lambda x: resid(x) ** 2 * dens(x), u, v, epsabs=1e-15, epsrel=1e-13, limit=500)
        total += val
    return total
