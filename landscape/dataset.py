"""A finite data set as a problem: your model and your data, every instrument exact over the data set.

Contract
--------
:class:`DatasetProblem` implements :class:`landscape.protocol.AbstractProblem`
for a model on a finite data set ``(X, y)``: its "population" is the data
set, so its population loss is the mean loss over every example, exact
(exactness ``"data set"``), and ``landscape.train``, ``landscape.grid``,
``landscape.plane``, ``landscape.dense_spectrum``, ``analysis.classify`` and
the instruments take it with the same calls as the built-in problems.

* The model: ``apply(params, x) -> output`` on **one** example with an
  example point ``params=`` (any pytree of arrays), or an Equinox module
  ``model=`` (split into its floating arrays and the rest by
  ``eqx.partition``; equinox is needed only then). ``init(key)`` optionally
  draws a random start (for Equinox, a module or its arrays).
* The loss: ``"mse"`` (the squared error summed over the output's entries)
  against float labels of the output's shape, or against integer class
  labels (one-hot targets); ``"cross_entropy"`` (softmax over the output
  vector) against integer class labels in ``[0, C)``, ``C`` the output's
  size. Integer labels make it a classification problem:
  :meth:`DatasetProblem.metrics` then reports the accuracy beside the loss.
  ``weight_decay`` adds ``weight_decay / 2 * |theta|^2`` (every parameter)
  to the loss, so that minima exist where a loss alone has none (separable
  classes under cross-entropy).
* Minibatches are indices into the data set (:meth:`~DatasetProblem.sample`,
  ``event_shape`` ``()``): ``batch`` examples drawn uniformly, with
  replacement (``replace=True``) or without (the default: distinct examples
  within a batch), from the key the training engine passes, so a run is
  seeded by its key.
* The loss over the data set is a sum over chunks of ``chunk`` examples
  (a ``lax.scan``, the last chunk padded with copies of the first example
  and masked out), so memory does not grow with the data set; one chunk is
  one pass. The result equals the one-pass mean to rounding.
* Bad input is refused when the problem is built, before any work, naming
  the argument, its value and what is allowed: a data set that is empty or
  holds a non-finite value, ``X`` and ``y`` of different lengths, labels of
  the wrong kind for the loss (float labels for cross-entropy, integer
  labels out of range, labels whose shape is not the output's), and user
  functions JAX cannot trace or differentiate (run once on abstract values,
  as :class:`landscape.CustomProblem` does).

Like :class:`landscape.CustomProblem`, a problem built from user functions
cannot be fingerprinted; its description carries a digest of the data. The
data are held on the host and enter the compiled programs as constants; what
the user's functions read from outside themselves is frozen at their first
trace.

Example:
  >>> problem = DatasetProblem(X, y, apply=mlp, params=example, loss="cross_entropy")
  >>> t = train(problem, starts, optimizer="adam", steps=500, gradient="population", key=key)
  >>> problem.metrics(t.final)["accuracy"]
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .protocol import AbstractProblem, as_float_tree, as_real_array

__all__ = ["DEFAULT_CHUNK", "LOSSES", "DatasetProblem"]

LOSSES = ("mse", "cross_entropy")
DEFAULT_CHUNK = 4096  # examples per chunk of the sum over the data set (one pass below that)


def _first_line(exc) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def _callable(f, name, required=True):
    if f is None and not required:
        return None
    if not callable(f):
        raise TypeError(f"{name} must be a function, got {type(f).__name__}")
    return f


def _int(name, v, lo):
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)) or v < lo:
        raise ValueError(f"{name} must be an integer >= {lo}, got {v!r}")
    return int(v)


def _first_bad(a: np.ndarray) -> str:
    """``[i, j] = value`` of the first non-finite entry of ``a``."""
    idx = tuple(int(i) for i in np.argwhere(~np.isfinite(a))[0])
    return f"[{', '.join(map(str, idx))}] = {a[idx]!r}"


def _features(X) -> np.ndarray:
    if X is None:
        raise TypeError("DatasetProblem needs X, the inputs: an array of shape (examples, ...)")
    a = as_real_array(X, "X")
    if a.ndim < 1:
        raise ValueError(f"X must have a leading axis of examples, got a scalar {a!r}")
    if a.shape[0] == 0:
        raise ValueError(f"X is empty (shape {a.shape}): the data set needs at least one example")
    if not np.issubdtype(a.dtype, np.floating):
        a = a.astype(np.float64)
    if not np.all(np.isfinite(a)):
        raise ValueError(f"X must be finite, got X{_first_bad(a)}; remove or impute the example")
    return a


def _labels(y, n) -> np.ndarray:
    if y is None:
        raise TypeError("DatasetProblem needs y, the labels: an array with one label per example")
    if isinstance(y, (bool, np.bool_)) or (isinstance(y, np.ndarray) and y.dtype == np.bool_):
        raise TypeError(
            "y must hold integer class labels or float targets, got booleans; pass y.astype(int) for two classes"
        )
    a = as_real_array(y, "y")
    if a.ndim < 1:
        raise ValueError(f"y must have one label per example, got a scalar {a!r}")
    if a.shape[0] != n:
        raise ValueError(
            f"X has {n} examples and y has {a.shape[0]} labels; they must have the same length (one label per example)"
        )
    if np.issubdtype(a.dtype, np.floating) and not np.all(np.isfinite(a)):
        raise ValueError(f"y must be finite, got y{_first_bad(a)}; remove or impute the example")
    return a


@dataclass(frozen=True)
class _EquinoxApply:
    """``eqx.combine(params, static)(x)``: the apply function of an Equinox module split by ``eqx.partition``."""

    static: Any

    def __call__(self, params, x):
        import equinox as eqx

        return eqx.combine(params, self.static)(x)

    def __hash__(self):
        return id(self.static)

    def __eq__(self, other):
        return isinstance(other, _EquinoxApply) and other.static is self.static


@dataclass(frozen=True)
class _EquinoxInit:
    """The arrays of the module ``init(key)`` returns (or the arrays it returns)."""

    init: Callable

    def __call__(self, key):
        import equinox as eqx

        out = self.init(key)
        return eqx.partition(out, eqx.is_inexact_array)[0] if isinstance(out, eqx.Module) else out


@dataclass(frozen=True, eq=False, repr=False)
class DatasetProblem(AbstractProblem):
    """A model on a finite data set ``(X, y)``; see the module docstring.

    Args:
      X: the inputs, shape ``(N,) + input_shape``, real and finite, ``N >= 1``.
      y: the labels, one per example: integer class labels ``(N,)`` or float
        targets ``(N,) + output_shape``.
      apply: ``apply(params, x)``, the model's output for one example.
      params: an example parameter point (any pytree of arrays) for ``apply``.
      model: instead of ``apply`` and ``params``, an Equinox module.
      loss: ``"mse"`` or ``"cross_entropy"`` (see ``LOSSES``).
      init: optional ``init(key) -> params`` (for ``model=``, a module) drawing one random start.
      weight_decay: ``>= 0``; adds ``weight_decay / 2 * |theta|^2`` to the loss.
      chunk: examples per chunk of the sum over the data set (default
        ``min(N, DEFAULT_CHUNK)``; results do not depend on it beyond rounding).
      replace: whether minibatches draw with replacement (default: without).
      min_loss: the global minimum of the loss, if known.
      name: a label.

    Raises:
      TypeError: functions that are not callable or that JAX cannot trace or
        differentiate, data that are not real numbers, boolean labels, float
        labels for cross-entropy, ``model=`` that is not an Equinox module.
      ValueError: an empty data set, a non-finite input or label, ``X`` and
        ``y`` of different lengths, labels out of range or of the wrong
        shape, an unknown loss, bad ``chunk``, ``weight_decay`` or ``min_loss``.
    """

    Xc: np.ndarray  # (chunks, chunk) + input_shape, the last chunk padded with copies of the first example
    yc: np.ndarray  # (chunks, chunk) + label_shape
    mask: np.ndarray  # (chunks, chunk) bool: True on real examples
    n_examples: int
    apply: Callable
    params: Any  # (treedef, leaf shapes)
    loss: str
    classes: int | None  # number of classes for integer labels, else None
    output_shape: tuple
    weight_decay: float
    replace: bool
    init: Callable | None
    min_loss_given: float | None
    name: str
    data_sha256: str
    static: Any = None  # the non-array part of an Equinox model, else None

    def __init__(
        self,
        X=None,
        y=None,
        *,
        apply=None,
        params=None,
        model=None,
        loss="mse",
        init=None,
        weight_decay=0.0,
        chunk=None,
        replace=False,
        min_loss=None,
        name="dataset",
    ):
        set_ = lambda k, v: object.__setattr__(self, k, v)
        static = None
        if model is not None:
            if apply is not None or params is not None:
                raise TypeError("give model= (an Equinox module) or apply= with params=, not both")
            try:
                import equinox as eqx
            except ImportError:
                raise TypeError("model= takes an Equinox module and needs equinox (pip install equinox)") from None
            if not isinstance(model, eqx.Module):
                raise TypeError(f"model must be an Equinox module, got {type(model).__name__}")
            params, static = eqx.partition(model, eqx.is_inexact_array)
            apply = _EquinoxApply(static)
            if init is not None:
                if not callable(init):
                    raise TypeError(f"init must be a function, got {type(init).__name__}")
                init = _EquinoxInit(init)
        if apply is None:
            raise TypeError("DatasetProblem needs apply(params, x) with params= (or model=, an Equinox module)")
        set_("apply", _callable(apply, "apply"))
        set_("init", _callable(init, "init", required=False))
        set_("static", static)
        if params is None:
            raise TypeError("DatasetProblem needs params=, an example parameter point (any pytree of arrays)")
        example = as_float_tree(params, "params")
        leaves, treedef = jax.tree_util.tree_flatten(example)
        if not leaves:
            raise ValueError("params must hold at least one array")
        set_("params", (treedef, tuple(tuple(a.shape) for a in leaves)))
        if loss not in LOSSES:
            raise ValueError(f"loss must be one of {LOSSES}, got {loss!r}")
        set_("loss", loss)
        Xa = _features(X)
        ya = _labels(y, Xa.shape[0])
        n = int(Xa.shape[0])
        chunk = min(n, DEFAULT_CHUNK) if chunk is None else min(_int("chunk", chunk, 1), n)
        for nm, v in (("weight_decay", weight_decay),):
            if (
                isinstance(v, (bool, np.bool_))
                or not isinstance(v, (int, float, np.integer, np.floating))
                or not (math.isfinite(v) and v >= 0)
            ):
                raise ValueError(f"{nm} must be a finite number >= 0, got {v!r}")
        set_("weight_decay", float(weight_decay))
        if not isinstance(replace, (bool, np.bool_)):
            raise TypeError(f"replace must be True or False, got {replace!r}")
        set_("replace", bool(replace))
        if min_loss is not None:
            if (
                isinstance(min_loss, (bool, np.bool_))
                or not isinstance(min_loss, (int, float, np.integer, np.floating))
                or not math.isfinite(min_loss)
            ):
                raise ValueError(f"min_loss must be a finite number, got {min_loss!r}")
            min_loss = float(min_loss)
        set_("min_loss_given", min_loss)
        if not isinstance(name, str):
            raise TypeError(f"name must be a string, got {name!r}")
        set_("name", name)
        set_("n_examples", n)
        out = self._check_model(example, Xa.shape[1:])
        set_("output_shape", tuple(out.shape))
        set_("classes", self._check_labels(ya, tuple(out.shape)))
        ya = ya.astype(np.int32) if self.classes is not None else ya
        Xc, yc, mask = _chunks(Xa, ya, chunk)
        for k, v in (("Xc", Xc), ("yc", yc), ("mask", mask)):
            v.setflags(write=False)
            set_(k, v)
        h = hashlib.sha256()
        for a in (Xa, ya):
            h.update(a.dtype.str.encode() + str(a.shape).encode() + np.ascontiguousarray(a).tobytes())
        set_("data_sha256", h.hexdigest())
        self._check_functions(example)

    # ------------------------------------------------------------ user code and labels, checked
    def _check_model(self, example, input_shape):
        """The model's output on one abstract example (``jax.eval_shape``): a function JAX cannot trace is
        refused here, naming it."""
        dtype = jnp.result_type(float)
        point = jax.tree_util.tree_map(lambda a: jax.ShapeDtypeStruct(np.shape(a), dtype), example)
        x = jax.ShapeDtypeStruct(tuple(input_shape), dtype)
        try:
            out = jax.eval_shape(self.apply, point, x)
        except Exception as exc:
            raise TypeError(
                "apply cannot be traced by JAX on one example of X (it must be written with jax.numpy, without "
                f"float(), .item() or NumPy on its inputs, and take one example of shape {tuple(input_shape)}): "
                f"{_first_line(exc)}"
            ) from None
        if not isinstance(out, jax.ShapeDtypeStruct) or not jnp.issubdtype(out.dtype, jnp.floating):
            raise TypeError(f"apply must return one floating array per example, got {out!r}")
        return out

    def _check_labels(self, y, out_shape) -> int | None:
        """The number of classes for integer labels (checked against the model's outputs), else None."""
        if np.issubdtype(y.dtype, np.integer):
            if y.ndim != 1:
                raise ValueError(f"integer class labels must have shape (N,), got y of shape {y.shape}")
            if len(out_shape) != 1 or out_shape[0] < 2:
                raise ValueError(
                    f"integer labels are class indices, but the model's output has shape {out_shape}; it must be "
                    "a vector of C >= 2 class scores (or give float targets of the output's shape for regression)"
                )
            c = int(out_shape[0])
            bad = np.flatnonzero((y < 0) | (y >= c))
            if bad.size:
                i = int(bad[0])
                raise ValueError(
                    f"y[{i}] = {int(y[i])} is out of range: the model has {c} outputs, so class labels must be "
                    f"integers in [0, {c})"
                )
            return c
        if self.loss == "cross_entropy":
            raise TypeError(
                f"y holds float labels (dtype {y.dtype}); loss='cross_entropy' needs integer class labels in "
                "[0, C): pass y.astype(int)"
            )
        if tuple(y.shape[1:]) != tuple(out_shape):
            raise ValueError(
                f"float targets must have the model's output shape: y has shape {y.shape}, so each target is "
                f"{tuple(y.shape[1:])}, and the model returns {tuple(out_shape)}"
            )
        return None

    def _check_functions(self, example):
        """The per-example loss and its derivative on abstract values, and ``init``'s structure."""
        dtype = jnp.result_type(float)
        point = jax.tree_util.tree_map(lambda a: jax.ShapeDtypeStruct(np.shape(a), dtype), example)
        x = jnp.zeros(self.Xc.shape[2:], dtype)
        y = jnp.zeros(self.yc.shape[2:], jnp.int32 if self.classes is not None else dtype)
        try:
            jax.eval_shape(lambda p: jax.jvp(lambda q: self._per_example(q, x, y), (p,), (p,)), point)
        except Exception as exc:
            raise TypeError(
                "apply cannot be differentiated by JAX (a NumPy call, a callback such as jax.pure_callback, or an "
                f"integer output): {_first_line(exc)}"
            ) from None
        if self.init is not None:
            try:
                drawn = jax.eval_shape(self.init, jax.random.key(0))
            except Exception as exc:
                raise TypeError(f"init cannot be traced by JAX: {_first_line(exc)}") from None
            want = jax.tree_util.tree_structure(example)
            if jax.tree_util.tree_structure(drawn) != want or [
                tuple(a.shape) for a in jax.tree_util.tree_leaves(drawn)
            ] != [tuple(np.shape(a)) for a in jax.tree_util.tree_leaves(example)]:
                raise ValueError("init(key) must return a point with the structure and shapes of params")

    # ------------------------------------------------------------ identity
    def _key(self):
        return (
            self.apply,
            self.init,
            self.params,
            self.loss,
            self.weight_decay,
            self.replace,
            self.min_loss_given,
            self.name,
            self.Xc.shape,
            self.data_sha256,
        )

    def __hash__(self):
        return hash(self._key())

    def __eq__(self, other):
        return type(other) is type(self) and self._key() == other._key()

    def __repr__(self):
        return f"DatasetProblem({self.label})"

    # ------------------------------------------------------------ description
    def param_shapes(self):
        treedef, shapes = self.params
        return jax.tree_util.tree_unflatten(treedef, list(shapes))

    def param_treedef(self):
        return self.params[0]

    def leaf_shapes(self) -> list:
        return [tuple(s) for s in self.params[1]]

    @property
    def exactness(self) -> str:
        return "data set"

    @property
    def min_loss(self) -> float | None:
        return self.min_loss_given

    @property
    def chunk(self) -> int:
        """Examples per chunk of the sum over the data set."""
        return int(self.Xc.shape[1])

    @property
    def X(self) -> np.ndarray:
        """The inputs ``(N,) + input_shape``."""
        return self.Xc.reshape((-1,) + self.Xc.shape[2:])[: self.n_examples]

    @property
    def y(self) -> np.ndarray:
        """The labels ``(N,)`` (integer classes) or ``(N,) + output_shape`` (float targets)."""
        return self.yc.reshape((-1,) + self.yc.shape[2:])[: self.n_examples]

    @property
    def classification(self) -> bool:
        """Whether the labels are classes (integer labels): the accuracy is then one of the :meth:`metrics`."""
        return self.classes is not None

    def config(self) -> dict:
        return {
            "name": self.name,
            "examples": self.n_examples,
            "input_shape": list(self.Xc.shape[2:]),
            "labels": f"{self.classes} classes" if self.classes is not None else f"targets {list(self.output_shape)}",
            "loss": self.loss,
            "weight_decay": self.weight_decay,
            "chunk": self.chunk,
            "replace": self.replace,
            "parameters": [list(s) for s in self.params[1]],
            "data_sha256": self.data_sha256,
        }

    @property
    def fingerprintable(self) -> bool:
        return False

    @property
    def fingerprint_note(self) -> str:
        return (
            "built from user functions (the model): their code cannot be fingerprinted, so stored results "
            "(checkpoints, caches) are never reused for it"
        )

    @property
    def label(self) -> str:
        return f"{self.name} ({self.n_params} parameters, {self.n_examples} examples, {self.loss})"

    def draw_starts(self, key, n: int, dtype=None):
        if self.init is None:
            return None  # no init=: starts are given by the caller
        starts = jax.vmap(self.init)(jax.random.split(key, n))
        return starts if dtype is None else jax.tree_util.tree_map(lambda a: a.astype(dtype), starts)

    def module(self, params):
        """The Equinox module with the arrays ``params`` (for ``model=`` problems).

        Raises:
          TypeError: a problem built from ``apply=``.
        """
        if self.static is None:
            raise TypeError("module() needs a problem built from model= (an Equinox module)")
        import equinox as eqx

        return eqx.combine(params, self.static)

    # ------------------------------------------------------------ the loss of one example
    def _per_example(self, params, x, y):
        out = self.apply(params, x)
        if self.loss == "cross_entropy":
            return jax.nn.logsumexp(out) - jnp.take(out, y)
        target = jax.nn.one_hot(y, out.shape[0], dtype=out.dtype) if self.classes is not None else y
        return jnp.sum((out - target) ** 2)

    def _penalty(self, params):
        if self.weight_decay == 0.0:
            return 0.0
        sq = sum(jnp.sum(jnp.square(a)) for a in jax.tree_util.tree_leaves(params))
        return 0.5 * self.weight_decay * sq

    def _data(self, dtype):
        """The chunked data as constants of the compiled program (inputs and float targets in ``dtype``)."""
        y = jnp.asarray(self.yc, jnp.int32 if self.classes is not None else dtype)
        return jnp.asarray(self.Xc, dtype), y, jnp.asarray(self.mask)

    def sums(self, fn, params, data=None):
        """The sum over the data set of ``fn(params, x, y)`` (a pytree of arrays per example), chunk by chunk.

        Traceable. ``data`` is ``(Xc, yc, mask)``: the inputs and labels in
        chunks of the same length and the mask of real examples (default: the
        problem's own data set, as constants).
        """
        dtype = jax.tree_util.tree_leaves(params)[0].dtype
        Xc, yc, mask = self._data(dtype) if data is None else data
        one = lambda x, y: fn(params, x.astype(dtype), y)
        if Xc.shape[0] == 1:  # one pass: a single chunk is never padded
            return jax.tree_util.tree_map(lambda o: jnp.sum(o, axis=0), jax.vmap(one)(Xc[0], yc[0]))

        def body(acc, part):  # not training: the sum over the data set, chunk by chunk
            x, y, m = part
            out = jax.vmap(one)(x, y)
            out = jax.tree_util.tree_map(
                lambda o: jnp.sum(jnp.where(m.reshape(m.shape + (1,) * (o.ndim - 1)), o, jnp.zeros_like(o)), axis=0),
                out,
            )
            return jax.tree_util.tree_map(jnp.add, acc, out), None

        shapes = jax.eval_shape(jax.vmap(one), Xc[0], yc[0])
        acc0 = jax.tree_util.tree_map(lambda s: jnp.zeros(s.shape[1:], s.dtype), shapes)
        acc, _ = jax.lax.scan(body, acc0, (Xc, yc, mask))
        return acc

    # ----------------------------------------------------------------- data
    @property
    def event_shape(self) -> tuple:
        """A minibatch is a batch of indices into the data set: one index per example, shape ``()``."""
        return ()

    def sample(self, key, shape, dtype=None):
        """Indices into the data set of shape ``shape`` (int32), uniform; without replacement (``replace=False``)
        the indices along the last axis are distinct.

        Raises:
          ValueError: a batch without replacement larger than the data set.
        """
        shape = tuple(shape)
        n = self.n_examples
        if self.replace or not shape:
            return jax.random.randint(key, shape, 0, n, jnp.int32)
        b = shape[-1]
        if b > n:
            raise ValueError(
                f"a minibatch of {b} examples drawn without replacement needs at most {n} (the data set's size); "
                f"use batch_size <= {n}, or replace=True"
            )
        lead = shape[:-1]
        keys = jax.random.split(key, math.prod(lead)) if lead else key[None]
        rows = jax.vmap(lambda k: jax.random.choice(k, n, (b,), replace=False))(keys)
        return rows.reshape(shape).astype(jnp.int32)

    def batch_loss(self, params, x):
        """Mean loss of one point over the examples ``x`` (indices into the data set, shape ``(B,)``, ``B >= 1``),
        plus the weight decay.

        Raises:
          TypeError, ValueError: indices that are not integers or not a non-empty 1-D batch.
        """
        if not jnp.issubdtype(jnp.asarray(x).dtype, jnp.integer):
            raise TypeError(f"a minibatch of a DatasetProblem is indices into the data set, got dtype {x.dtype}")
        if x.ndim != 1 or x.shape[0] == 0:
            raise ValueError(f"x must be a non-empty 1-D batch of indices, got shape {tuple(x.shape)}")
        dtype = jax.tree_util.tree_leaves(params)[0].dtype
        Xc, yc, _ = self._data(dtype)
        X = Xc.reshape((-1,) + Xc.shape[2:])
        Y = yc.reshape((-1,) + yc.shape[2:])
        per = jax.vmap(lambda i: self._per_example(params, X[i], Y[i]))(x)
        return jnp.mean(per) + self._penalty(params)

    # ----------------------------------------------------------- population
    def population_loss(self, params):
        """The mean loss over the whole data set (plus the weight decay) of one point: exact. Python numbers, lists
        and arrays are accepted; it runs the problem's one compiled program."""
        return _population_loss(self, _arrays(params))

    def uncompiled_population_loss(self, params):
        """The same loss traced afresh (for use inside another transformation; equal to :meth:`population_loss`)."""
        return self.sums(self._per_example, params) / self.n_examples + self._penalty(params)

    def output_moments(self, params):
        """``(|mean output|, summed variance of the outputs)`` over the data set (the default dead rule)."""

        def both(p, x, y):
            f = jnp.ravel(self.apply(p, x))
            return f, f * f

        s1, s2 = self.sums(both, params)
        mean, sq = s1 / self.n_examples, s2 / self.n_examples
        return jnp.sqrt(jnp.sum(mean * mean)), jnp.sum(jnp.maximum(sq - mean * mean, 0.0))

    # ----------------------------------------------------------- metrics
    def metrics(self, points, X=None, y=None) -> dict:
        """The loss (and accuracy, for class labels) of a batch of points over the data set, or over another
        data set ``(X, y)`` of the same kind (a held-out set), exact.

        Args:
          points: parameter points with a leading axis (``Trajectories.final``).
          X, y: optional other data, checked as the problem's own.

        Returns:
          dict of ``(S,)`` arrays: ``loss`` (the mean loss per example),
          ``objective`` (``loss`` plus the weight decay: the population loss
          on the problem's own data), ``accuracy`` (classification only; the
          share of examples whose largest output is the label, ties to the
          first), and ``examples``, the number of examples.

        Raises:
          ValueError, TypeError: points that do not match the problem, data
            refused as the constructor refuses them, one of ``X``, ``y`` alone.
        """
        arrays, _ = self.check_starts(points, "points")
        if (X is None) != (y is None):
            raise ValueError("give both X and y (another data set), or neither (the problem's own)")
        data, n = None, self.n_examples
        if X is not None:
            Xa = _features(X)
            if tuple(Xa.shape[1:]) != tuple(self.Xc.shape[2:]):
                raise ValueError(
                    f"X has examples of shape {tuple(Xa.shape[1:])}; the problem's are {tuple(self.Xc.shape[2:])}"
                )
            ya = _labels(y, Xa.shape[0])
            if (self.classes is not None) != bool(np.issubdtype(ya.dtype, np.integer)):
                raise TypeError(
                    f"y must hold labels of the problem's kind ({'integer classes' if self.classes else 'float targets'}), "
                    f"got dtype {ya.dtype}"
                )
            self._check_labels(ya, self.output_shape)
            ya = ya.astype(np.int32) if self.classes is not None else ya
            n = int(Xa.shape[0])
            data = tuple(jnp.asarray(a) for a in _chunks(Xa, ya, min(self.chunk, n)))
        dtype = jnp.result_type(*[a.dtype for a in jax.tree_util.tree_leaves(arrays)])
        if not jnp.issubdtype(dtype, jnp.floating):
            dtype = jnp.result_type(float)
        params = jax.tree_util.tree_map(lambda a: jnp.asarray(a, dtype), arrays)
        if data is not None:
            data = (data[0].astype(dtype), data[1] if self.classes is not None else data[1].astype(dtype), data[2])
        loss, correct, penalty = (np.asarray(v) for v in _metrics(self, params, data))
        out = {"loss": loss / n, "objective": loss / n + penalty, "examples": n}
        if self.classes is not None:
            out["accuracy"] = correct / n
        return out

    def _correct(self, params, x, y):
        out = self.apply(params, x)
        if self.classes is None:
            return jnp.zeros((), out.dtype)
        return (jnp.argmax(out).astype(y.dtype) == y).astype(out.dtype)


def _chunks(X, y, chunk):
    """``(Xc, yc, mask)``: the data in ``ceil(N / chunk)`` chunks, the last padded with copies of the first example."""
    n = X.shape[0]
    k = -(-n // chunk)
    pad = k * chunk - n
    if pad:
        X = np.concatenate([X, np.repeat(X[:1], pad, axis=0)])
        y = np.concatenate([y, np.repeat(y[:1], pad, axis=0)])
    mask = (np.arange(k * chunk) < n).reshape(k, chunk)
    return X.reshape((k, chunk) + X.shape[1:]), y.reshape((k, chunk) + y.shape[1:]), mask


def _arrays(params):
    """Every leaf as a JAX array of a floating dtype (Python numbers and lists accepted)."""

    def conv(a):
        a = jnp.asarray(a)
        return a if jnp.issubdtype(a.dtype, jnp.floating) else a.astype(jnp.result_type(float))

    return jax.tree_util.tree_map(conv, params)


@partial(jax.jit, static_argnums=0)
def _population_loss(problem, params):
    return problem.uncompiled_population_loss(params)


@partial(jax.jit, static_argnums=0)
def _metrics(problem, params, data):
    """``(summed loss, summed correct, penalty)`` per point of a batch."""

    def one(p):
        both = lambda q, x, y: (problem._per_example(q, x, y), problem._correct(q, x, y))
        loss, correct = problem.sums(both, p, data)
        return loss, correct, problem._penalty(p) + jnp.zeros((), loss.dtype)

    return jax.vmap(one)(params)
