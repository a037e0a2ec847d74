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
* :class:`NetTeacher` is a fixed network used as a target (hashable);
  :class:`NetProblem` fits a student to it, or to an activation on 1-D
  inputs, on 1-D or d-dimensional inputs, with the population loss in
  closed form, by quadrature or by a fixed Monte Carlo sample (its
  ``method`` says which). ``landscape.train`` and ``analysis.classify``
  take it like a single-neuron problem.

References:
  He et al., "Delving deep into rectifiers", ICCV 2015 (He schemes).
  Glorot & Bengio, AISTATS 2010 (Glorot schemes).
  Lu, Shin, Su & Karniadakis, "Dying ReLU and Initialization: Theory and
  Numerical Examples", Commun. Comput. Phys. 28 (2020), arXiv:1903.06733
  (randomized asymmetric initialization: in each row of ``[W, b]`` one entry
  drawn from Beta(2, 1), the others from N(0, sigma^2 / fan_in), sigma = 0.6007).
  Safran & Shamir, "Spurious Local Minima are Common in Two-Layer ReLU Neural
  Networks", ICML 2018 (the orthonormal teacher).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import jax
import jax.numpy as jnp

from .activations import Activation, resolve

__all__ = ["MLP", "NetProblem", "NetTeacher", "INITS", "init", "init_many", "apply", "hidden"]

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


def _plain_shallow(spec: "MLP") -> bool:
    """One hidden layer, no biases, a piecewise-linear activation (kink at 0)."""
    return len(spec.hidden) == 1 and not spec.bias and spec.activation.piecewise_linear


@dataclass(frozen=True)
class NetTeacher:
    """A fixed network used as the target ``y = f_teacher(x)`` (hashable).

    Build it with :meth:`of` from a spec and a parameter pytree, or with
    :meth:`orthonormal` for the teacher of Safran & Shamir (2018): ``k``
    ReLU units with orthonormal weights ``e_1 .. e_k`` in ``d >= k``
    dimensions and unit output weights, ``y = sum_j relu(x_j)``. The
    numbers are stored as nested tuples, so a problem holding a teacher can
    be a static argument of ``jax.jit``.
    """

    spec: MLP
    values: tuple

    @classmethod
    def of(cls, spec: MLP, params) -> "NetTeacher":
        """Raises: TypeError, ValueError: a spec that is not an MLP, or parameters
        whose shapes do not match it or that are not finite."""
        import numpy as np

        if not isinstance(spec, MLP):
            raise TypeError(f"spec must be a landscape.networks.MLP, got {type(spec).__name__}")
        sizes = spec.sizes
        if not isinstance(params, (list, tuple)) or len(params) != len(sizes) - 1:
            raise ValueError(f"the teacher needs {len(sizes) - 1} layers of parameters for sizes {sizes}")
        layers = []
        for i, (layer, fi, fo) in enumerate(zip(params, sizes[:-1], sizes[1:])):
            W = np.asarray(layer["W"], np.float64)
            if W.shape != (fo, fi):
                raise ValueError(f"teacher layer {i}: W has shape {W.shape}, the spec needs {(fo, fi)}")
            b = None
            if spec.bias:
                b = np.asarray(layer["b"], np.float64)
                if b.shape != (fo,):
                    raise ValueError(f"teacher layer {i}: b has shape {b.shape}, the spec needs {(fo,)}")
            if not np.all(np.isfinite(W)) or (b is not None and not np.all(np.isfinite(b))):
                raise ValueError(f"teacher layer {i} holds non-finite numbers")
            layers.append((tuple(map(tuple, W.tolist())), None if b is None else tuple(b.tolist())))
        return cls(spec, tuple(layers))

    @classmethod
    def orthonormal(cls, k: int, d: int | None = None) -> "NetTeacher":
        """``y = sum_{j<k} relu(x_j)`` on ``R^d`` (Safran & Shamir's teacher).

        Raises:
          ValueError: k < 1 or d < k.
        """
        import numpy as np

        if isinstance(k, bool) or not isinstance(k, int) or k < 1:
            raise ValueError(f"k must be an integer >= 1, got {k!r}")
        d = k if d is None else d
        if isinstance(d, bool) or not isinstance(d, int) or d < k:
            raise ValueError(f"d must be an integer >= k = {k} (orthonormal rows), got {d!r}")
        spec = MLP(in_dim=d, hidden=(k,), activation="relu", bias=False)
        return cls.of(spec, [{"W": np.eye(k, d)}, {"W": np.ones((1, k))}])

    def params(self, dtype=None):
        dtype = dtype or jnp.result_type(float)
        out = []
        for W, b in self.values:
            layer = {"W": jnp.asarray(W, dtype)}
            if b is not None:
                layer["b"] = jnp.asarray(b, dtype)
            out.append(layer)
        return out

    def __call__(self, xs):
        """Outputs for a batch ``xs`` of shape ``(B, d)``."""
        p = self.params(xs.dtype)
        return jax.vmap(lambda x: apply(self.spec, p, x))(xs)

    @property
    def label(self) -> str:
        s = self.spec
        return f"mlp{list(s.sizes)}-{s.activation.label}" + ("" if s.bias else "-nobias")


@dataclass(frozen=True)
class NetProblem:
    """A network student fitted to a teacher on 1-D or d-dimensional inputs.

    Args:
      student: an :class:`MLP`.
      teacher: an activation (1-D inputs: ``y = act(x)``) or a
        :class:`NetTeacher` with the student's input dimension.
      inputs: ``"gaussian"`` (``N(0, I_d)``) or ``"uniform:LO,HI"`` /
        ``landscape.Uniform`` (each coordinate uniform on the interval).
      mc_samples, seed: the fixed Monte Carlo sample used by :meth:`loss`
        when neither a closed form nor quadrature applies (see ``method``).

    ``landscape.train`` accepts it as it accepts a :class:`landscape.Problem`
    (minibatch gradients, or ``gradient="population"`` where :meth:`loss`
    is exact; parameters a pytree with a leading "starts" axis).
    :meth:`loss` is the population loss, computed by the most exact method
    that applies (:attr:`method`):

    * ``"closed form"``: Gaussian inputs and student and teacher with one
      hidden layer, no biases and piecewise-linear activations: the
      arc-cosine kernel gives every term exactly (any dimension).
    * ``"quadrature"``: other 1-D problems, composite Gauss-Legendre with
      4096 nodes (Gaussian inputs truncated at |x| = 10).
    * ``"monte carlo"``: other d-dimensional problems, the mean over a fixed
      sample of ``mc_samples`` inputs; :meth:`loss_stderr` is its standard error.

    Raises:
      TypeError, ValueError: a student that is not an :class:`MLP`, an
        unknown teacher or input distribution, a teacher whose input
        dimension differs from the student's, an activation teacher on
        d-dimensional inputs, or a bad Monte Carlo sample size.
    """

    student: MLP
    teacher: object = "relu"
    inputs: object = "gaussian"
    mc_samples: int = 65536
    seed: int = 0

    def __post_init__(self):
        from .problem import _resolve_inputs

        if not isinstance(self.student, MLP):
            raise TypeError(f"student must be a landscape.networks.MLP, got {type(self.student).__name__}")
        if isinstance(self.teacher, NetTeacher):
            if self.teacher.spec.in_dim != self.student.in_dim:
                raise ValueError(f"teacher and student dimensions differ: the teacher takes d={self.teacher.spec.in_dim}, "
                                 f"the student d={self.student.in_dim}")
        else:
            if self.student.in_dim != 1:
                raise ValueError(f"a d-dimensional student (in_dim={self.student.in_dim}) needs a NetTeacher; "
                                 f"an activation teacher {self.teacher!r} is for 1-D inputs")
            object.__setattr__(self, "teacher", resolve(self.teacher))
        object.__setattr__(self, "inputs", _resolve_inputs(self.inputs))
        for name, v, lo in (("mc_samples", self.mc_samples, 2), ("seed", self.seed, 0)):
            if isinstance(v, bool) or not isinstance(v, int) or v < lo:
                raise ValueError(f"{name} must be an integer >= {lo}, got {v!r}")

    @property
    def in_dim(self) -> int:
        return self.student.in_dim

    @property
    def event_shape(self) -> tuple:
        """Shape of one input: ``()`` for 1-D problems, ``(d,)`` otherwise."""
        return () if self.in_dim == 1 else (self.in_dim,)

    @property
    def method(self) -> str:
        """How :meth:`loss` is computed: ``"closed form"``, ``"quadrature"`` or ``"monte carlo"``."""
        from .problem import Gaussian

        t = self.teacher
        t_ok = _plain_shallow(t.spec) if isinstance(t, NetTeacher) else t.piecewise_linear
        if isinstance(self.inputs, Gaussian) and _plain_shallow(self.student) and t_ok:
            return "closed form"
        return "quadrature" if self.in_dim == 1 else "monte carlo"

    @property
    def exact(self) -> bool:
        """Whether :meth:`loss` is deterministic (closed form or 1-D quadrature)."""
        return self.method != "monte carlo"

    def config(self) -> dict:
        t = self.teacher.label
        return {"student": {"in_dim": self.in_dim, "hidden": list(self.student.hidden),
                            "activation": self.student.activation.label, "bias": self.student.bias},
                "teacher": t, "inputs": self.inputs.label, "loss": self.method}

    def sample(self, key, shape, dtype=None):
        """Inputs of shape ``shape + event_shape`` from the input distribution."""
        from .problem import Gaussian

        dtype = dtype or jnp.result_type(float)
        shape = tuple(shape) + self.event_shape
        if isinstance(self.inputs, Gaussian):
            return jax.random.normal(key, shape, dtype)
        return jax.random.uniform(key, shape, dtype, self.inputs.lo, self.inputs.hi)

    def target(self, x):
        """Teacher outputs for a batch ``x`` of shape ``(B,)`` (1-D) or ``(B, d)``."""
        xs = jnp.reshape(x, (x.shape[0], self.in_dim))
        if isinstance(self.teacher, NetTeacher):
            return self.teacher(xs)
        return self.teacher(xs[:, 0])

    def outputs(self, params, x):
        """Student outputs for a batch ``x`` of shape ``(B,)`` (1-D) or ``(B, d)``."""
        xs = jnp.reshape(x, (x.shape[0], self.in_dim))
        return jax.vmap(lambda xi: apply(self.student, params, xi))(xs)

    def batch_loss(self, params, x):
        """``mean((f(x) - y(x))^2)`` over a batch ``x``."""
        return jnp.mean((self.outputs(params, x) - self.target(x)) ** 2)

    # -- population quantities ------------------------------------------------------------
    def _units(self, params):
        """ReLU units and coefficients of the student."""
        from . import kernels

        return kernels.expand_units(self.student.activation, params[0]["W"], params[1]["W"][0])

    def _teacher_units(self, dtype):
        """ReLU units and coefficients of the teacher."""
        from . import kernels

        if isinstance(self.teacher, NetTeacher):
            tp = self.teacher.params(dtype)
            return kernels.expand_units(self.teacher.spec.activation, tp[0]["W"], tp[1]["W"][0])
        return kernels.expand_units(self.teacher, jnp.ones((1, 1), dtype), jnp.ones((1,), dtype))

    def _nodes(self, dtype):
        """Quadrature nodes and weights (1-D) or the fixed Monte Carlo sample (weights 1/n)."""
        import numpy as np

        from .problem import Gaussian

        if self.in_dim > 1:
            x = self.sample(jax.random.key(self.seed), (self.mc_samples,), dtype)
            return x, jnp.full((self.mc_samples,), 1.0 / self.mc_samples, dtype)
        lo, hi = (-10.0, 10.0) if isinstance(self.inputs, Gaussian) else self.inputs.support()
        g, w = np.polynomial.legendre.leggauss(16)
        edges = np.linspace(lo, hi, 257)
        half = np.diff(edges)[:, None] / 2
        x = (edges[:-1, None] + half * (g[None, :] + 1)).ravel()
        wt = (half * w[None, :]).ravel()
        wt = wt * (np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi) if isinstance(self.inputs, Gaussian) else 1 / (hi - lo))
        return jnp.asarray(x, dtype), jnp.asarray(wt, dtype)

    def _residuals(self, params):
        dtype = jax.tree_util.tree_leaves(params)[0].dtype
        x, wt = self._nodes(dtype)
        f = self.outputs(params, x)
        return f - self.target(x), f, wt

    def loss(self, params):
        """Population loss ``E[(f(x) - y(x))^2]`` of one network (see :attr:`method`)."""
        from . import kernels

        if self.method == "closed form":
            s, t = self._units(params), self._teacher_units(params[0]["W"].dtype)
            return kernels.shallow_inner(*s, *s) - 2.0 * kernels.shallow_inner(*s, *t) + kernels.shallow_inner(*t, *t)
        r, _, wt = self._residuals(params)
        return jnp.sum(wt * r * r)

    def loss_stderr(self, params):
        """Standard error of :meth:`loss`: 0 where it is exact, the Monte Carlo one otherwise."""
        if self.exact:
            return jnp.zeros((), jax.tree_util.tree_leaves(params)[0].dtype)
        r, _, wt = self._residuals(params)
        sq = r * r
        return jnp.std(sq) / math.sqrt(self.mc_samples)

    def output_moments(self, params):
        """Mean and variance of the network's output under the inputs (see :attr:`method`)."""
        from . import kernels

        if self.method == "closed form":
            m, s = kernels.shallow_moments(*self._units(params))
        else:
            _, f, wt = self._residuals(params)
            m, s = jnp.sum(wt * f), jnp.sum(wt * f * f)
        return m, jnp.maximum(s - m * m, 0.0)
