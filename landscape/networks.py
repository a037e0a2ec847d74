"""Fully connected networks: specs, initializations by name, and evaluation.

Contract
--------
* :class:`MLP` is a frozen, validated spec: input dimension, hidden widths,
  activation (from the registry), whether layers have biases, and the
  readout: ``"linear"`` (a trained output layer) or ``"sum"`` (the output is
  the sum of the last hidden layer's units, as in the students of Safran &
  Shamir). Depth ``L = len(hidden) + 1`` counts the output layer.
* Parameters are a plain pytree: a list of ``{"W": (out, in), "b": (out,)}``
  per trained layer (``b`` absent without biases; no output layer with a
  ``"sum"`` readout). :meth:`MLP.param_shapes` gives their shapes.
* :func:`init` draws parameters by scheme name (``he_normal``, ``he_uniform``,
  ``glorot_normal``, ``glorot_uniform``, ``symmetric``, ``rai``) from an
  explicit key; :func:`init_many` draws a batch of networks in one call.
* :func:`apply` evaluates one example (shape ``(d,)``) to a scalar; batch it
  with ``jax.vmap``. :func:`hidden` returns every hidden layer's
  pre-activations too.
* :class:`NetTeacher` is a fixed network used as a target (hashable);
  :class:`NetProblem` fits a student to it, or to an activation on 1-D
  inputs, on 1-D or d-dimensional inputs, with the population loss in
  closed form, by the inputs' quadrature or by a fixed Monte Carlo sample
  (its ``exactness`` says which). It implements the problem protocol, so
  ``landscape.train``, ``landscape.grid`` and ``analysis.classify`` take it
  like any other problem.

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

import itertools
import math
from dataclasses import dataclass
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from . import draws, kernels
from .activations import Activation, resolve
from .inputs import Gaussian, resolve_inputs
from .protocol import AbstractProblem

__all__ = ["INITS", "MLP", "READOUTS", "NetProblem", "NetTeacher", "apply", "hidden", "init", "init_many"]

INITS = ("he_normal", "he_uniform", "glorot_normal", "glorot_uniform", "symmetric", "rai")
READOUTS = ("linear", "sum")
RAI_SIGMA = 0.6007
# 1-D quadrature of networks: fine panels over the whole range (kinks move with the parameters)
QUADRATURE = {"panels": 320, "nodes": 16}


def _positive_int(v, name):
    """An integer >= 1 (NumPy integers accepted), or raise naming ``name``."""
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)):
        raise ValueError(f"{name} must be an integer >= 1, got {v!r}")
    v = int(v)
    if v < 1:
        raise ValueError(f"{name} must be an integer >= 1, got {v!r}")
    return v


@dataclass(frozen=True)
class MLP:
    """A fully connected network ``R^d -> R``.

    Args:
      in_dim: input dimension ``d >= 1``.
      hidden: hidden widths, each ``>= 1`` (may be empty: a linear model).
      activation: hidden activation, by name or ``(name, params)``.
      bias: whether layers have biases.
      readout: ``"linear"`` (a trained output layer) or ``"sum"`` (the sum of
        the last hidden layer's units: fixed unit output weights, no bias).

    Raises:
      ValueError, TypeError: a dimension or width below 1, an unknown readout.
    """

    in_dim: int = 1
    hidden: tuple = (10,)
    activation: Any = "relu"  # a name, (name, params) or an Activation; an Activation after __post_init__
    bias: bool = True
    readout: str = "linear"

    def __post_init__(self):
        object.__setattr__(self, "in_dim", _positive_int(self.in_dim, "in_dim"))
        if isinstance(self.hidden, (str, bytes, dict)) or not hasattr(self.hidden, "__iter__"):
            raise TypeError(f"hidden must be a sequence of widths such as (10, 10), got {self.hidden!r}")
        hidden = tuple(_positive_int(w, "every width") for w in self.hidden)
        object.__setattr__(self, "hidden", hidden)
        object.__setattr__(self, "activation", resolve(self.activation))
        if not isinstance(self.bias, (bool, np.bool_)):
            raise TypeError(f"bias must be True or False, got {self.bias!r}")
        object.__setattr__(self, "bias", bool(self.bias))
        if self.readout not in READOUTS:
            raise ValueError(f"readout must be one of {READOUTS}, got {self.readout!r}")
        if self.readout == "sum" and not hidden:
            raise ValueError("readout='sum' needs at least one hidden layer")

    @classmethod
    def uniform(cls, depth: int, width: int, **kw) -> MLP:
        """``depth - 1`` hidden layers of ``width`` units (depth counts the output layer).

        Raises:
          ValueError: depth < 1 or width < 1.
        """
        depth = _positive_int(depth, "depth")
        width = _positive_int(width, "width")
        return cls(hidden=(width,) * (depth - 1), **kw)

    @property
    def depth(self) -> int:
        return len(self.hidden) + 1

    @property
    def sizes(self) -> tuple:
        return (self.in_dim,) + self.hidden + (1,)

    @property
    def trained_layers(self) -> int:
        """Number of layers with parameters (the output layer only with a linear readout)."""
        return len(self.hidden) + (1 if self.readout == "linear" else 0)

    def param_shapes(self) -> list:
        """Shapes of one network's parameters: a list of ``{"W": (out, in)[, "b": (out,)]}``."""
        sizes = self.sizes
        out = []
        for fi, fo in list(itertools.pairwise(sizes))[: self.trained_layers]:
            layer: dict[str, tuple[int, ...]] = {"W": (fo, fi)}
            if self.bias:
                layer["b"] = (fo,)
            out.append(layer)
        return out

    def config(self) -> dict:
        return {
            "in_dim": self.in_dim,
            "hidden": list(self.hidden),
            "activation": self.activation.name,
            "activation_params": self.activation.kwargs,
            "bias": self.bias,
            "readout": self.readout,
        }

    @property
    def label(self) -> str:
        return (
            f"mlp{list(self.sizes)}-{self.activation.label}"
            + ("" if self.bias else "-nobias")
            + ("-sum" if self.readout == "sum" else "")
        )


def _layer(z, u, fan_in, fan_out, scheme, bias):
    """One layer from its share of standard normals ``z`` and uniforms ``u`` (``(..., fan_out * (fan_in + 2))``,
    any leading batch axes)."""
    lead = z.shape[:-1]
    if scheme == "rai":
        cols = fan_in + 1 if bias else fan_in
        v = z[..., : fan_out * (fan_in + 1)].reshape(lead + (fan_out, fan_in + 1)) * (RAI_SIGMA / math.sqrt(fan_in))
        k = jnp.minimum(jnp.floor(u[..., :fan_out] * cols).astype(jnp.int32), cols - 1)  # one column per row
        # Beta(2, 1) by its inverse CDF: F(x) = x^2, so sqrt(U)
        pos = jnp.sqrt(u[..., fan_out : 2 * fan_out])
        onehot = jnp.arange(fan_in + 1, dtype=jnp.int32) == k[..., None]
        v = jnp.where(onehot, pos[..., None], v)
        out = {"W": v[..., :fan_in]}
        if bias:
            out["b"] = v[..., fan_in]
        return out
    nw = fan_out * fan_in
    if scheme in ("he_normal", "glorot_normal", "symmetric"):
        var = {"he_normal": 2.0 / fan_in, "glorot_normal": 2.0 / (fan_in + fan_out), "symmetric": 1.0 / fan_in}[scheme]
        draws_ = z * math.sqrt(var)
    else:
        lim = math.sqrt(6.0 / fan_in) if scheme == "he_uniform" else math.sqrt(6.0 / (fan_in + fan_out))
        draws_ = (2.0 * u - 1.0) * lim
    out = {"W": draws_[..., :nw].reshape(lead + (fan_out, fan_in))}
    if bias:
        out["b"] = draws_[..., nw : nw + fan_out]  # biases from the same zero-mean law as the weights
    return out


def _build(spec, scheme, z, u):
    pairs = list(zip(spec.sizes[:-1], spec.sizes[1:]))[: spec.trained_layers]
    out, at = [], 0
    for fi, fo in pairs:
        size = fo * (fi + 2)
        out.append(_layer(z[..., at : at + size], u[..., at : at + size], fi, fo, scheme, spec.bias))
        at += size
    return out


def _total(spec):
    return sum(fo * (fi + 2) for fi, fo in list(zip(spec.sizes[:-1], spec.sizes[1:]))[: spec.trained_layers])


def init(spec: MLP, key, scheme: str = "he_normal", dtype=None):
    """Parameters of one network drawn by ``scheme``.

    Every scheme is zero-mean and symmetric except ``rai``. With ``spec.bias``
    the biases are drawn from the same law as the layer's weights. All layers
    share one draw of standard normals and one of uniforms (each layer its
    own slice), which keeps the compiled program small for deep networks.

    Raises:
      ValueError: unknown scheme (the message lists the known ones).
    """
    if scheme not in INITS:
        raise ValueError(f"unknown initialization {scheme!r}; known: {', '.join(INITS)}")
    dtype = dtype or jnp.result_type(float)
    kz, ku = jax.random.split(key)
    total = _total(spec)
    return _build(spec, scheme, draws.normal(kz, (total,), dtype), draws.uniform(ku, (total,), dtype))


def init_many(spec: MLP, key, n: int, scheme: str = "he_normal", dtype=None):
    """``n`` networks at once: every leaf gets a leading axis of length ``n`` (one compiled call, one draw)."""
    if scheme not in INITS:
        raise ValueError(f"unknown initialization {scheme!r}; known: {', '.join(INITS)}")
    n = _positive_int(n, "n")
    return _init_many(spec, scheme, n, jnp.dtype(dtype or jnp.result_type(float)), key)


@partial(jax.jit, static_argnums=(0, 1, 2, 3))
def _init_many(spec, scheme, n, dtype, key):
    kz, ku = jax.random.split(key)
    total = _total(spec)
    return _build(spec, scheme, draws.normal(kz, (n, total), dtype), draws.uniform(ku, (n, total), dtype))


def hidden(spec: MLP, params, x):
    """Output and the pre-activations of every hidden layer for one example ``x`` (shape ``(d,)``)."""
    act: Activation = spec.activation
    pre = []
    h = x
    for layer in params[: len(spec.hidden)]:
        z = layer["W"] @ h + (layer.get("b", 0.0))
        pre.append(z)
        h = act(z)
    if spec.readout == "sum":
        return jnp.sum(h), pre
    last = params[-1]
    out = (last["W"] @ h)[0] + (last["b"][0] if "b" in last else 0.0)
    return out, pre


def apply(spec: MLP, params, x):
    """The network's output for one example ``x`` of shape ``(d,)``."""
    return hidden(spec, params, x)[0]


def _plain_shallow(spec: MLP) -> bool:
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
    be a static argument of ``jax.jit``; :meth:`config` describes them all.
    """

    spec: MLP
    values: tuple

    @classmethod
    def of(cls, spec: MLP, params) -> NetTeacher:
        """Raises: TypeError, ValueError: a spec that is not an MLP, or parameters
        whose structure or shapes do not match it or that are not finite."""
        if not isinstance(spec, MLP):
            raise TypeError(f"spec must be a landscape.networks.MLP, got {type(spec).__name__}")
        if spec.readout != "linear":
            raise ValueError("a teacher needs a linear readout (readout='linear')")
        shapes = spec.param_shapes()
        if not isinstance(params, (list, tuple)) or len(params) != len(shapes):
            raise ValueError(f"the teacher needs {len(shapes)} layers of parameters for sizes {spec.sizes}")
        layers = []
        for i, (layer, want) in enumerate(zip(params, shapes)):
            if not isinstance(layer, dict) or set(layer) != set(want):
                raise ValueError(f"teacher layer {i} must be a dict with keys {sorted(want)}, got {layer!r:.80}")
            W = np.asarray(layer["W"], np.float64)
            if W.shape != want["W"]:
                raise ValueError(f"teacher layer {i}: W has shape {W.shape}, the spec needs {want['W']}")
            b = None
            if spec.bias:
                b = np.asarray(layer["b"], np.float64)
                if b.shape != want["b"]:
                    raise ValueError(f"teacher layer {i}: b has shape {b.shape}, the spec needs {want['b']}")
            if not np.all(np.isfinite(W)) or (b is not None and not np.all(np.isfinite(b))):
                raise ValueError(f"teacher layer {i} holds non-finite numbers")
            layers.append((tuple(map(tuple, W.tolist())), None if b is None else tuple(b.tolist())))
        return cls(spec, tuple(layers))

    @classmethod
    def orthonormal(cls, k: int, d: int | None = None) -> NetTeacher:
        """``y = sum_{j<k} relu(x_j)`` on ``R^d`` (Safran & Shamir's teacher).

        Raises:
          ValueError: k < 1 or d < k.
        """
        k = _positive_int(k, "k")
        d = k if d is None else d
        if isinstance(d, (bool, np.bool_)) or not isinstance(d, (int, np.integer)) or d < k:
            raise ValueError(f"d must be an integer >= k = {k} (orthonormal rows), got {d!r}")
        spec = MLP(in_dim=int(d), hidden=(k,), activation="relu", bias=False)
        return cls.of(spec, [{"W": np.eye(k, int(d))}, {"W": np.ones((1, k))}])

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

    def config(self) -> dict:
        """Every number of the teacher (JSON floats round-trip exactly)."""
        return {
            "spec": self.spec.config(),
            "layers": [
                {"W": [list(r) for r in W], **({"b": list(b)} if b is not None else {})} for W, b in self.values
            ],
        }

    @property
    def label(self) -> str:
        return self.spec.label


def linear_assignment(cost) -> np.ndarray:
    """The permutation ``p`` minimizing ``sum_i cost[i, p[i]]`` of a square cost matrix (exact).

    The Hungarian method with potentials (Kuhn 1955; Jonker & Volgenant
    1987), O(n^3): the search over all ``n!`` permutations without
    enumerating them.

    Raises:
      ValueError: a matrix that is not square or not finite.
    """
    c = np.asarray(cost, np.float64)
    if c.ndim != 2 or c.shape[0] != c.shape[1] or not np.all(np.isfinite(c)):
        raise ValueError(f"cost must be a finite square matrix, got shape {c.shape}")
    n = c.shape[0]
    u, v = np.zeros(n + 1), np.zeros(n + 1)
    match = np.zeros(n + 1, int)  # match[j]: the row assigned to column j (1-based; 0 = none)
    for i in range(1, n + 1):
        match[0] = i
        j0 = 0
        best = np.full(n + 1, np.inf)
        way = np.zeros(n + 1, int)
        used = np.zeros(n + 1, bool)
        while True:
            used[j0] = True
            i0 = match[j0]
            reduced = c[i0 - 1, :] - u[i0] - v[1:]
            free = ~used[1:]
            better = free & (reduced < best[1:])
            best[1:][better] = reduced[better]
            way[1:][better] = j0
            cand = np.where(free, best[1:], np.inf)
            j1 = int(np.argmin(cand)) + 1
            delta = cand[j1 - 1]
            u[match[used]] += delta
            v[used] -= delta
            best[1:][free] -= delta
            j0 = j1
            if match[j0] == 0:
                break
        while j0:
            j1 = way[j0]
            match[j0] = match[j1]
            j0 = j1
    perm = np.zeros(n, int)
    for j in range(1, n + 1):
        perm[match[j] - 1] = j - 1
    return perm


def _represents(student: MLP, teacher) -> bool:
    """Whether the student can equal the teacher exactly (then the global minimum is 0)."""
    if isinstance(teacher, NetTeacher):
        t = teacher.spec
        return (
            t.activation == student.activation
            and len(t.hidden) == len(student.hidden)
            and all(ws >= wt for ws, wt in zip(student.hidden, t.hidden))
            and (student.bias or not t.bias)
            and student.readout == "linear"
        )
    # an activation teacher on 1-D inputs
    if student.readout != "linear" or not student.hidden:
        return False
    if student.activation == teacher and len(student.hidden) == 1:
        return True  # one unit with weights 1 and a unit readout
    # relu(x) and relu(-x) pass unchanged through relu layers of width >= 2,
    # and any piecewise-linear activation with its kink at 0 is r relu(x) - l relu(-x)
    return student.activation.name == "relu" and teacher.piecewise_linear and all(w >= 2 for w in student.hidden)


@dataclass(frozen=True)
class NetProblem(AbstractProblem):
    """A network student fitted to a teacher on 1-D or d-dimensional inputs.

    Args:
      student: an :class:`MLP`.
      teacher: an activation (1-D inputs: ``y = act(x)``) or a
        :class:`NetTeacher` with the student's input dimension.
      inputs: ``"gaussian"`` (``N(0, I_d)``) or ``"uniform:LO,HI"`` /
        ``landscape.Uniform`` (each coordinate uniform on the interval).
      mc_samples, seed: the fixed Monte Carlo sample used by
        :meth:`population_loss` when neither a closed form nor quadrature
        applies (see :attr:`exactness`).

    :meth:`population_loss` is computed by the most exact method that
    applies (:attr:`exactness`):

    * ``"closed form"``: Gaussian inputs and student and teacher with one
      hidden layer, no biases and piecewise-linear activations: the
      arc-cosine kernel gives every term exactly (any dimension).
    * ``"quadrature"``: other 1-D problems, the inputs' composite
      Gauss-Legendre rule (``QUADRATURE`` panels and nodes over the range;
      Gaussian inputs truncated at |x| = 12).
    * ``"monte carlo"``: other d-dimensional problems, the mean over a fixed
      sample of ``mc_samples`` inputs.

    Raises:
      TypeError, ValueError: a student that is not an :class:`MLP`, an
        unknown teacher or input distribution, a teacher whose input
        dimension differs from the student's, an activation teacher on
        d-dimensional inputs, or a bad Monte Carlo sample size.
    """

    student: MLP
    teacher: Any = "relu"  # an activation (resolved to an Activation) or a NetTeacher
    inputs: Any = "gaussian"  # resolved to Gaussian or Uniform
    mc_samples: int = 65536
    seed: int = 0

    def __post_init__(self):
        if not isinstance(self.student, MLP):
            raise TypeError(f"student must be a landscape.networks.MLP, got {type(self.student).__name__}")
        if isinstance(self.teacher, NetTeacher):
            if self.teacher.spec.in_dim != self.student.in_dim:
                raise ValueError(
                    f"teacher and student dimensions differ: the teacher takes d={self.teacher.spec.in_dim}, "
                    f"the student d={self.student.in_dim}"
                )
        else:
            if self.student.in_dim != 1:
                raise ValueError(
                    f"a d-dimensional student (in_dim={self.student.in_dim}) needs a NetTeacher; "
                    f"an activation teacher {self.teacher!r} is for 1-D inputs"
                )
            object.__setattr__(self, "teacher", resolve(self.teacher))
        object.__setattr__(self, "inputs", resolve_inputs(self.inputs))
        for name, v, lo in (("mc_samples", self.mc_samples, 2), ("seed", self.seed, 0)):
            if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)) or v < lo:
                raise ValueError(f"{name} must be an integer >= {lo}, got {v!r}")
            object.__setattr__(self, name, int(v))

    # ------------------------------------------------------------ description
    @property
    def in_dim(self) -> int:
        return self.student.in_dim

    @property
    def event_shape(self) -> tuple:
        """Shape of one input: ``()`` for 1-D problems, ``(d,)`` otherwise."""
        return () if self.in_dim == 1 else (self.in_dim,)

    @property
    def exactness(self) -> str:
        t = self.teacher
        t_ok = _plain_shallow(t.spec) if isinstance(t, NetTeacher) else t.piecewise_linear
        if isinstance(self.inputs, Gaussian) and _plain_shallow(self.student) and t_ok:
            return "closed form"
        return "quadrature" if self.in_dim == 1 else "monte carlo"

    @property
    def method(self) -> str:
        """How the population loss is computed (the same as :attr:`exactness`)."""
        return self.exactness

    def config(self) -> dict:
        t = self.teacher
        return {
            "student": self.student.config(),
            "teacher": t.config() if isinstance(t, NetTeacher) else {"name": t.name, **t.kwargs},
            "inputs": self.inputs.describe(),
            "mc_samples": self.mc_samples if self.exactness == "monte carlo" else None,
            "seed": self.seed if self.exactness == "monte carlo" else None,
        }

    @property
    def label(self) -> str:
        return f"{self.student.label} on {self.teacher.label}, {self.inputs.label}"

    @property
    def min_loss(self) -> float | None:
        return 0.0 if _represents(self.student, self.teacher) else None

    def param_shapes(self):
        return self.student.param_shapes()

    def _unit_optimum(self):
        """The teacher's hidden units as a student point, when every global minimum is one of their
        permutations: one hidden layer without biases on both sides, as many student units as teacher
        units, the same activation, and a sum readout against unit teacher output weights (Safran &
        Shamir's setting; fixed output weights leave no rescaling). None otherwise."""
        t = self.teacher
        s = self.student
        if not isinstance(t, NetTeacher) or s.readout != "sum" or s.bias or t.spec.bias:
            return None
        if len(s.hidden) != 1 or t.spec.hidden != s.hidden or t.spec.activation != s.activation:
            return None
        W, _ = t.values[0]
        v, _ = t.values[1]
        if any(float(x) != 1.0 for x in v[0]):
            return None
        return np.asarray(W, np.float64)

    def optimum(self):
        W = self._unit_optimum()
        return None if W is None else [{"W": W}]

    def nearest_optimum(self, params):
        """The permutation of the teacher's units nearest to ``params`` (Euclidean), found exactly by linear
        assignment over all ``n!`` permutations; None where the global minima are not known to be those."""
        W = self._unit_optimum()
        if W is None:
            return None
        arrays = self.check_point(params, "params")
        P = np.asarray(arrays[0]["W"], np.float64)
        cost = np.sum((P[:, None, :] - W[None, :, :]) ** 2, axis=-1)  # student unit i against teacher unit j
        perm = linear_assignment(cost)
        n = W.shape[0]
        return (
            [{"W": W[perm]}],
            f"the nearest of the {n}! permutations of the teacher's {n} units "
            "(exact: linear assignment on squared distances)",
        )

    def draw_starts(self, key, n: int, dtype=None):
        return init_many(self.student, key, n, "he_normal", dtype)

    # ----------------------------------------------------------------- data
    def sample(self, key, shape, dtype=None):
        """Inputs of shape ``shape + event_shape`` from the input distribution."""
        return self.inputs.sample(key, tuple(shape) + self.event_shape, dtype)

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
        """``mean((f(x) - y(x))^2)`` over a batch ``x`` of shape ``(B,) + event_shape``, ``B >= 1``.

        Raises:
          ValueError: an empty batch or inputs of another dimension.
        """
        if tuple(x.shape[1:]) != self.event_shape or x.shape[0] == 0:
            raise ValueError(f"x must be a non-empty batch of shape (B,) + {self.event_shape}, got {tuple(x.shape)}")
        return jnp.mean((self.outputs(params, x) - self.target(x)) ** 2)

    # ----------------------------------------------------------- population
    def _units(self, params):
        """ReLU units and coefficients of the student."""
        W = params[0]["W"]
        a = jnp.ones((W.shape[0],), W.dtype) if self.student.readout == "sum" else params[1]["W"][0]
        return kernels.expand_units(self.student.activation, W, a)

    def _teacher_units(self, dtype):
        """ReLU units and coefficients of the teacher."""
        if isinstance(self.teacher, NetTeacher):
            tp = self.teacher.params(dtype)
            return kernels.expand_units(self.teacher.spec.activation, tp[0]["W"], tp[1]["W"][0])
        return kernels.expand_units(self.teacher, jnp.ones((1, 1), dtype), jnp.ones((1,), dtype))

    def _nodes(self, dtype):
        """Quadrature nodes and weights (1-D) or the fixed Monte Carlo sample (weights 1/n)."""
        if self.in_dim > 1:
            x = self.sample(jax.random.key(self.seed), (self.mc_samples,), dtype)
            return x, jnp.full((self.mc_samples,), 1.0 / self.mc_samples, dtype)
        lo, hi = self.inputs.quadrature_range()
        return self.inputs.quadrature(jnp.asarray([lo, hi], dtype), dtype=dtype, **QUADRATURE)

    def _residuals(self, params):
        dtype = jax.tree_util.tree_leaves(params)[0].dtype
        x, wt = self._nodes(dtype)
        f = self.outputs(params, x)
        return f - self.target(x), f, wt

    def population_loss(self, params):
        """Population loss ``E[(f(x) - y(x))^2]`` of one network (see :attr:`exactness`)."""
        if self.exactness == "closed form":
            s, t = self._units(params), self._teacher_units(params[0]["W"].dtype)
            return kernels.shallow_inner(*s, *s) - 2.0 * kernels.shallow_inner(*s, *t) + kernels.shallow_inner(*t, *t)
        r, _, wt = self._residuals(params)
        return jnp.sum(wt * r * r)

    def output_moments(self, params):
        """Mean and variance of the network's output under the inputs (see :attr:`exactness`)."""
        if self.exactness == "closed form":
            m, s = kernels.shallow_moments(*self._units(params))
        else:
            _, f, wt = self._residuals(params)
            m, s = jnp.sum(wt * f), jnp.sum(wt * f * f)
        return m, jnp.maximum(s - m * m, 0.0)
