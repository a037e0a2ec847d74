"""Fully connected networks: specs, initializations by name, and evaluation.

Contract
--------
* :class:`MLP` is a frozen, validated spec: input dimension, hidden widths,
  activation (from the registry), and whether layers have biases. Depth
  ``L = len(hidden) + 1`` counts the linear output layer.
* Parameters are a plain pytree: a list of ``{"W": (out, in), "b": (out,)}``
  per layer (``b`` absent without biases).
* :func:`init` draws parameters by scheme name (``he_normal``, ``he_uniform``,
  ``glorot_normal``, ``glorot_uniform``, ``symmetric``, ``rai``) from an
  explicit key; :func:`init_many` draws a batch of networks in one call.
* :func:`apply` evaluates one example (shape ``(d,)``) to a scalar; batch it
  with ``jax.vmap``. :func:`hidden` returns every hidden layer's
  pre-activations too.

References:
  He et al., "Delving deep into rectifiers", ICCV 2015 (He schemes).
  Glorot & Bengio, AISTATS 2010 (Glorot schemes).
  Lu, Shin, Su & Karniadakis, "Dying ReLU and Initialization: Theory and
  Numerical Examples", Commun. Comput. Phys. 28 (2020), arXiv:1903.06733
  (randomized asymmetric initialization: in each row of ``[W, b]`` one entry
  drawn from Beta(2, 1), the others from N(0, sigma^2 / fan_in), sigma = 0.6007).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import jax
import jax.numpy as jnp

from .activations import Activation, resolve

__all__ = ["MLP", "NetProblem", "INITS", "init", "init_many", "apply", "hidden"]

INITS = ("he_normal", "he_uniform", "glorot_normal", "glorot_uniform", "symmetric", "rai")
RAI_SIGMA = 0.6007


@dataclass(frozen=True)
class MLP:
    """A fully connected network ``R^d -> R``.

    Args:
      in_dim: input dimension ``d >= 1``.
      hidden: hidden widths, each ``>= 1`` (may be empty: a linear model).
      activation: hidden activation, by name or ``(name, params)``.
      bias: whether layers have biases.

    Raises:
      ValueError: a dimension or width below 1.
    """

    in_dim: int = 1
    hidden: tuple = (10,)
    activation: object = "relu"
    bias: bool = True

    def __post_init__(self):
        if isinstance(self.in_dim, bool) or not isinstance(self.in_dim, int) or self.in_dim < 1:
            raise ValueError(f"in_dim must be an integer >= 1, got {self.in_dim!r}")
        hidden = tuple(self.hidden)
        for w in hidden:
            if isinstance(w, bool) or not isinstance(w, int) or w < 1:
                raise ValueError(f"every width must be an integer >= 1, got {self.hidden!r}")
        object.__setattr__(self, "hidden", hidden)
        object.__setattr__(self, "activation", resolve(self.activation))
        if not isinstance(self.bias, bool):
            raise TypeError(f"bias must be True or False, got {self.bias!r}")

    @classmethod
    def uniform(cls, depth: int, width: int, **kw) -> "MLP":
        """``depth - 1`` hidden layers of ``width`` units (depth counts the output layer).

        Raises:
          ValueError: depth < 1 or width < 1.
        """
        if isinstance(depth, bool) or not isinstance(depth, int) or depth < 1:
            raise ValueError(f"depth must be an integer >= 1, got {depth!r}")
        if isinstance(width, bool) or not isinstance(width, int) or width < 1:
            raise ValueError(f"width must be an integer >= 1, got {width!r}")
        return cls(hidden=(width,) * (depth - 1), **kw)

    @property
    def depth(self) -> int:
        return len(self.hidden) + 1

    @property
    def sizes(self) -> tuple:
        return (self.in_dim,) + self.hidden + (1,)


def _layer(key, fan_in, fan_out, scheme, bias, dtype):
    kw, kb, kk, kbeta = jax.random.split(key, 4)
    if scheme == "rai":
        v = jax.random.normal(kw, (fan_out, fan_in + 1), dtype) * (RAI_SIGMA / math.sqrt(fan_in))
        cols = fan_in + 1 if bias else fan_in
        k = jax.random.randint(kk, (fan_out,), 0, cols)
        pos = jax.random.beta(kbeta, 2.0, 1.0, (fan_out,), dtype)
        v = v.at[jnp.arange(fan_out), k].set(pos)
        out = {"W": v[:, :fan_in]}
        if bias:
            out["b"] = v[:, fan_in]
        return out
    if scheme in ("he_normal", "glorot_normal", "symmetric"):
        var = {"he_normal": 2.0 / fan_in, "glorot_normal": 2.0 / (fan_in + fan_out), "symmetric": 1.0 / fan_in}[scheme]
        draw = lambda k, shape: jax.random.normal(k, shape, dtype) * math.sqrt(var)
    elif scheme in ("he_uniform", "glorot_uniform"):
        lim = math.sqrt(6.0 / fan_in) if scheme == "he_uniform" else math.sqrt(6.0 / (fan_in + fan_out))
        draw = lambda k, shape: jax.random.uniform(k, shape, dtype, -lim, lim)
    else:
        raise ValueError(f"unknown initialization {scheme!r}; known: {', '.join(INITS)}")
    out = {"W": draw(kw, (fan_out, fan_in))}
    if bias:
        out["b"] = draw(kb, (fan_out,))  # biases from the same zero-mean law as the weights
    return out


def init(spec: MLP, key, scheme: str = "he_normal", dtype=None):
    """Parameters of one network drawn by ``scheme``.

    Every scheme is zero-mean and symmetric except ``rai``. With ``spec.bias``
    the biases are drawn from the same law as the layer's weights.

    Raises:
      ValueError: unknown scheme (the message lists the known ones).
    """
    if scheme not in INITS:
        raise ValueError(f"unknown initialization {scheme!r}; known: {', '.join(INITS)}")
    dtype = dtype or jnp.result_type(float)
    sizes = spec.sizes
    keys = jax.random.split(key, len(sizes) - 1)
    return [_layer(k, fi, fo, scheme, spec.bias, dtype) for k, fi, fo in zip(keys, sizes[:-1], sizes[1:])]


def init_many(spec: MLP, key, n: int, scheme: str = "he_normal", dtype=None):
    """``n`` networks at once: every leaf gets a leading axis of length ``n``."""
    if scheme not in INITS:
        raise ValueError(f"unknown initialization {scheme!r}; known: {', '.join(INITS)}")
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    return jax.vmap(lambda k: init(spec, k, scheme, dtype))(jax.random.split(key, n))


def hidden(spec: MLP, params, x):
    """Output and the pre-activations of every hidden layer for one example ``x`` (shape ``(d,)``)."""
    act: Activation = spec.activation
    pre = []
    h = x
    for layer in params[:-1]:
        z = layer["W"] @ h + (layer["b"] if "b" in layer else 0.0)
        pre.append(z)
        h = act(z)
    last = params[-1]
    out = (last["W"] @ h)[0] + (last["b"][0] if "b" in last else 0.0)
    return out, pre


def apply(spec: MLP, params, x):
    """The network's output for one example ``x`` of shape ``(d,)``."""
    return hidden(spec, params, x)[0]


@dataclass(frozen=True)
class NetProblem:
    """A network student fitted to a 1-D teacher ``y = act_t(x)``.

    ``landscape.train`` accepts it as it accepts a :class:`landscape.Problem`
    (minibatch gradients; parameters a pytree with a leading "starts" axis).
    Its :meth:`loss` is the population loss by composite Gauss-Legendre
    quadrature (Gaussian inputs truncated at |x| = 10).

    Raises:
      TypeError, ValueError: a student that is not a 1-D-input :class:`MLP`,
        an unknown teacher or input distribution.
    """

    student: MLP
    teacher: object = "relu"
    inputs: object = "gaussian"

    def __post_init__(self):
        from .problem import _resolve_inputs

        if not isinstance(self.student, MLP):
            raise TypeError(f"student must be a landscape.networks.MLP, got {type(self.student).__name__}")
        if self.student.in_dim != 1:
            raise ValueError(f"NetProblem takes 1-D inputs; the student has in_dim={self.student.in_dim}")
        object.__setattr__(self, "teacher", resolve(self.teacher))
        object.__setattr__(self, "inputs", _resolve_inputs(self.inputs))

    def config(self) -> dict:
        return {"student": {"hidden": list(self.student.hidden), "activation": self.student.activation.label,
                            "bias": self.student.bias}, "teacher": self.teacher.label, "inputs": self.inputs.label}

    def batch_loss(self, params, x):
        """``mean((f(x) - y(x))^2)`` over a batch ``x`` of shape ``(B,)``."""
        f = jax.vmap(lambda xi: apply(self.student, params, xi[None]))(x)
        return jnp.mean((f - self.teacher(x)) ** 2)

    def _nodes(self, dtype):
        import numpy as np

        from .problem import Gaussian

        lo, hi = (-10.0, 10.0) if isinstance(self.inputs, Gaussian) else self.inputs.support()
        g, w = np.polynomial.legendre.leggauss(16)
        edges = np.linspace(lo, hi, 257)
        half = np.diff(edges)[:, None] / 2
        x = (edges[:-1, None] + half * (g[None, :] + 1)).ravel()
        wt = (half * w[None, :]).ravel()
        wt = wt * (np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi) if isinstance(self.inputs, Gaussian) else 1 / (hi - lo))
        return jnp.asarray(x, dtype), jnp.asarray(wt, dtype)

    def loss(self, params):
        """Population loss of one network (composite Gauss-Legendre, 4096 nodes)."""
        dtype = jax.tree_util.tree_leaves(params)[0].dtype
        x, wt = self._nodes(dtype)
        f = jax.vmap(lambda xi: apply(self.student, params, xi[None]))(x)
        return jnp.sum(wt * (f - self.teacher(x)) ** 2)

    def output_moments(self, params):
        """Mean and variance of the network's output under the inputs (quadrature)."""
        dtype = jax.tree_util.tree_leaves(params)[0].dtype
        x, wt = self._nodes(dtype)
        f = jax.vmap(lambda xi: apply(self.student, params, xi[None]))(x)
        m = jnp.sum(wt * f)
        return m, jnp.maximum(jnp.sum(wt * f * f) - m * m, 0.0)
