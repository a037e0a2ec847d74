"""The one problem protocol: what every problem answers.

Contract
--------
Every problem (the single neuron :class:`landscape.Problem`, a network
:class:`landscape.networks.NetProblem`, a user's own model
:class:`landscape.CustomProblem`) is a frozen, hashable value (a static
argument of ``jax.jit``) that subclasses :class:`AbstractProblem` and answers:

* **what it trains**: :meth:`~AbstractProblem.param_shapes`, the pytree of
  shapes of one parameter point, and :meth:`~AbstractProblem.check_point` /
  :meth:`~AbstractProblem.check_starts`, which validate one point or a batch
  of starts (every leaf with one extra leading axis) before any tracing:
  structure, shapes, real floating values, finiteness;
* **its data** (optional): :meth:`~AbstractProblem.sample` draws a batch of
  inputs and :meth:`~AbstractProblem.batch_loss` is the minibatch loss of one
  point; a problem without data (only a population loss) answers None and
  trains with exact gradients only;
* **its population loss**: :meth:`~AbstractProblem.population_loss` of one
  point, and how exact it is (:attr:`~AbstractProblem.exactness`:
  ``"closed form"``, ``"quadrature"``, ``"data set"`` (the mean over every
  example of a finite data set, :class:`landscape.DatasetProblem`) or
  ``"monte carlo"`` on a fixed sample);
* **when it is dead**: :meth:`~AbstractProblem.dead` (the output is constant
  on the inputs, or a problem's own rule such as the single neuron's dead
  set, with the tolerances of ``DEAD``);
* **optional capabilities** answer None when the problem does not have them:
  :meth:`~AbstractProblem.output_moments`, :meth:`~AbstractProblem.dead`,
  :meth:`~AbstractProblem.draw_starts`, :meth:`~AbstractProblem.optimum`,
  :attr:`~AbstractProblem.min_loss`, :meth:`~AbstractProblem.nearest_optimum`,
  :meth:`~AbstractProblem.as_neuron` (the single neuron's own geometry);
* **a description**: :meth:`~AbstractProblem.describe` is JSON-ready and
  carries a ``fingerprint`` (a digest of everything that determines the
  numbers, arrays included) or ``None`` with the reason, for problems built
  from user functions, which cannot be fingerprinted; anything that would
  reuse stored results (checkpoints, caches) refuses such problems.

Batched entry points (:meth:`~AbstractProblem.population_batch`,
:meth:`~AbstractProblem.minibatch_batch`) take a leading "starts" axis; their
defaults are ``jax.vmap`` of the one-point functions, and a problem may
override them with a faster exact path (the single neuron's closed form, its
sorted-prefix-sum minibatch path). Nothing else in the package asks what kind
of problem it holds.
"""

from __future__ import annotations

import abc
import hashlib
import json
import math
from typing import TYPE_CHECKING

import jax
import jax.numpy as jnp
import numpy as np

if TYPE_CHECKING:
    from .problem import Problem

__all__ = [
    "DEAD",
    "EXACTNESS",
    "AbstractProblem",
    "as_float_tree",
    "as_real_array",
    "digest",
    "is_shape",
    "is_traced",
    "sample_inputs",
    "tree_describe",
]

EXACTNESS = ("closed form", "quadrature", "data set", "monte carlo")
# The tolerances of "dead" (see :meth:`AbstractProblem.dead` and :meth:`landscape.Problem.dead`): the one home
# of the numbers that the classifier, the stopping rule, the figures and the explorer use.
DEAD = {"tol_dead": 1e-8, "tol_active": 1e-3}


def digest(obj) -> str:
    """SHA-256 of a JSON-ready object (keys sorted), as hex."""
    return hashlib.sha256(json.dumps(obj, sort_keys=True, default=_exact_json).encode()).hexdigest()


def _exact_json(o):
    if isinstance(o, (np.ndarray, jax.Array)):
        a = np.asarray(o)
        return {
            "dtype": a.dtype.str,
            "shape": list(a.shape),
            "sha256": hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest(),
        }
    if isinstance(o, (np.floating, float)):
        return repr(float(o))
    if isinstance(o, (np.integer,)):
        return int(o)
    if isinstance(o, tuple):
        return list(o)
    raise TypeError(f"cannot describe {type(o).__name__} exactly")


def tree_describe(tree) -> dict:
    """Structure, shapes and a digest of the values of an array pytree (JSON-ready)."""
    leaves, treedef = jax.tree_util.tree_flatten(tree)
    arrays = [np.asarray(a) for a in leaves]
    h = hashlib.sha256(str(treedef).encode())
    for a in arrays:
        h.update(a.dtype.str.encode() + str(a.shape).encode() + np.ascontiguousarray(a).tobytes())
    return {"structure": str(treedef), "shapes": [list(a.shape) for a in arrays], "sha256": h.hexdigest()}


def is_traced(x) -> bool:
    """Whether ``x`` is a JAX tracer (an abstract value inside a transformation), not a concrete number."""
    return isinstance(x, jax.core.Tracer)  # pyright: ignore[reportAttributeAccessIssue]  (public since JAX 0.4)


def as_real_array(value, where: str) -> np.ndarray:
    """One leaf as a NumPy array of a real floating or integer dtype: an array, a scalar, a Python number, or
    a (nested) list or tuple of numbers.

    Raises:
      TypeError: a value that is not real numbers (complex, bool, strings, objects), naming ``where``.
    """
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{where} must hold real numbers, got the boolean {value!r}")
    try:
        a = np.asarray(value)
    except Exception:
        raise TypeError(f"{where} must be an array of real numbers, got {type(value).__name__}") from None
    if a.dtype == object or not (np.issubdtype(a.dtype, np.floating) or np.issubdtype(a.dtype, np.integer)):
        kind = "complex" if np.issubdtype(a.dtype, np.complexfloating) else str(a.dtype)
        raise TypeError(f"{where} must hold real numbers, got dtype {kind}")
    return a


def as_float_tree(tree, name: str):
    """Every leaf as a NumPy array of a real floating or integer dtype, or raise.

    Raises:
      TypeError: a leaf that is not a real number array (complex, bool,
        strings, objects), naming the leaf.
    """
    return jax.tree_util.tree_map_with_path(
        lambda path, leaf: as_real_array(leaf, name + jax.tree_util.keystr(path)), tree
    )


def is_shape(x) -> bool:
    """Whether ``x`` is a shape: a tuple of integers (the leaves of ``param_shapes``)."""
    return isinstance(x, tuple) and all(isinstance(i, int) for i in x)


class AbstractProblem(abc.ABC):
    """What a problem must answer; see the module docstring.

    Subclasses are frozen dataclasses. The defaults here cover a problem that
    gives :meth:`param_shapes`, :meth:`sample`, :meth:`batch_loss`,
    :meth:`population_loss`, :attr:`exactness` and :meth:`describe`.
    """

    # ------------------------------------------------------------ what it trains
    @abc.abstractmethod
    def param_shapes(self):
        """Pytree of ``tuple`` shapes of one parameter point."""

    def param_treedef(self):
        """The tree structure of one parameter point."""
        return jax.tree_util.tree_structure(self.param_shapes(), is_leaf=is_shape)

    def leaf_shapes(self) -> list:
        """Shapes of the parameter leaves of one point, in tree order."""
        return [tuple(s) for s in jax.tree_util.tree_leaves(self.param_shapes(), is_leaf=is_shape)]

    @property
    def param_names(self) -> tuple[str, ...]:
        """Names of the parameter leaves (``jax.tree_util.keystr`` of their paths)."""
        dummy = jax.tree_util.tree_unflatten(self.param_treedef(), [0] * len(self.leaf_shapes()))
        paths = jax.tree_util.tree_flatten_with_path(dummy)[0]
        return tuple(jax.tree_util.keystr(p) for p, _ in paths)

    @property
    def n_params(self) -> int:
        return int(sum(math.prod(s) for s in self.leaf_shapes()))

    def coordinates(self) -> tuple[str, ...]:
        """Names of the scalar coordinates of one point, in :meth:`ravel` order.

        A scalar leaf is named by its path (``jax.tree_util.keystr``); an
        element of an array leaf by its path and index, e.g. ``"[0]['W'][1, 0]"``.
        """
        names = []
        for leaf_name, s in zip(self.param_names, self.leaf_shapes()):
            if s == ():
                names.append(leaf_name)
            else:
                names += [f"{leaf_name}[{', '.join(map(str, idx))}]" for idx in np.ndindex(*s)]
        return tuple(names)

    def ravel(self, params):
        """One point as a vector ``(P,)`` in :meth:`coordinates` order (leading axes of the leaves kept)."""
        leaves = jax.tree_util.tree_leaves(params)
        shapes = self.leaf_shapes()
        lead = leaves[0].shape[: leaves[0].ndim - len(shapes[0])]
        return jnp.concatenate([jnp.reshape(a, lead + (-1,)) for a in leaves], axis=-1)

    def unravel(self, vec):
        """Inverse of :meth:`ravel` (leading axes of ``vec`` kept on every leaf)."""
        shapes = self.leaf_shapes()
        lead = vec.shape[:-1]
        out, i = [], 0
        for s in shapes:
            size = math.prod(s)
            out.append(jnp.reshape(vec[..., i : i + size], lead + s))
            i += size
        return jax.tree_util.tree_unflatten(self.param_treedef(), out)

    def as_arrays(self, params, name: str = "params"):
        """``params`` with every leaf of the problem's structure as a NumPy array of real numbers.

        Whatever sits where the problem has an array leaf is taken as that
        array: a NumPy or JAX array or scalar, a Python number, or a list or
        tuple of numbers (nested for more dimensions).

        Raises:
          ValueError: a structure that is not the problem's (dicts with other
            keys, lists of another length).
          TypeError: leaves that are not real numbers.
        """
        want_def = self.param_treedef()
        try:
            leaves = want_def.flatten_up_to(params)
        except (ValueError, TypeError):
            try:
                got = _short(jax.tree_util.tree_structure(params))
            except Exception:
                got = type(params).__name__
            raise ValueError(
                f"{name} must have the structure of the problem's parameters {_short(want_def)}, got {got}"
            ) from None
        names = self.param_names
        arrays = [as_real_array(leaf, name + leaf_name) for leaf_name, leaf in zip(names, leaves)]
        return jax.tree_util.tree_unflatten(want_def, arrays)

    def check_point(self, params, name: str = "params"):
        """Validate one parameter point; return it with NumPy leaves.

        Raises:
          ValueError: wrong structure or shapes, or values that are not finite.
          TypeError: leaves that are not real numbers.
        """
        arrays = self.as_arrays(params, name)
        flat_w = self.leaf_shapes()
        flat_a, _treedef = jax.tree_util.tree_flatten(arrays)
        for leaf_name, a, s in zip(self.param_names, flat_a, flat_w):
            if a.shape != tuple(s):
                raise ValueError(f"{name}{leaf_name} has shape {a.shape}, the problem needs {tuple(s)}")
            if not np.all(np.isfinite(a)):
                raise ValueError(f"{name}{leaf_name} must be finite, got {a.ravel()[~np.isfinite(a.ravel())][0]!r}")
        return arrays

    def check_starts(self, init, name: str = "init", *, finite: bool = True):
        """Validate a batch of starts (leading axis on every leaf).

        Args:
          init: the batch; name: how messages name it; finite: whether
            non-finite values are refused (end states of diverged runs are not).

        Returns:
          ``(arrays, n)``: the pytree with NumPy leaves and the number of starts.

        Raises:
          ValueError, TypeError: as :meth:`check_point`, for every start.
        """
        arrays = self.as_arrays(init, name)
        want = self.leaf_shapes()
        flat = jax.tree_util.tree_leaves(arrays)
        lengths = set()
        for leaf_name, a, s in zip(self.param_names, flat, want):
            if a.shape[1:] != tuple(s) or a.ndim != len(s) + 1:
                raise ValueError(f"{name}{leaf_name} has shape {a.shape}; the problem needs (starts,) + {tuple(s)}")
            lengths.add(a.shape[0])
        if len(lengths) != 1 or 0 in lengths:
            raise ValueError(f"every leaf of {name} needs the same non-zero number of starts, got {sorted(lengths)}")
        for leaf_name, a in zip(self.param_names, flat):
            if finite and not np.all(np.isfinite(a)):
                raise ValueError(f"{name}{leaf_name} must hold finite numbers")
        return arrays, lengths.pop()

    # ------------------------------------------------------------------- data
    @property
    def event_shape(self) -> tuple:
        """Shape of one input example."""
        return ()

    def sample(self, key, shape, dtype=None):
        """Inputs of shape ``shape + event_shape`` from the input distribution, or None for a problem
        without data (only a population loss): such a problem trains with exact gradients only."""
        return

    def batch_loss(self, params, x):
        """Mean loss of one parameter point over a batch ``x`` of shape ``(B,) + event_shape``, or None
        for a problem without data."""
        return

    @property
    def has_data(self) -> bool:
        """Whether the problem samples data and has a minibatch loss (it overrides :meth:`sample` and
        :meth:`batch_loss`)."""
        cls = type(self)
        return cls.sample is not AbstractProblem.sample and cls.batch_loss is not AbstractProblem.batch_loss

    # ------------------------------------------------------------ population
    @property
    @abc.abstractmethod
    def exactness(self) -> str:
        """How :meth:`population_loss` is computed: one of ``EXACTNESS``."""

    @property
    def exact(self) -> bool:
        """Whether the population loss is deterministic and exact (not Monte Carlo)."""
        return self.exactness != "monte carlo"

    @abc.abstractmethod
    def population_loss(self, params):
        """Population loss of one parameter point."""

    def population_loss_and_grad(self, params):
        """Loss and gradient of one point (autodiff of :meth:`population_loss` by default)."""
        return jax.value_and_grad(self.population_loss)(params)

    def output_moments(self, params) -> tuple[jax.Array, jax.Array] | None:
        """``(mean, variance)`` of the model's output under the inputs, one point; None when the problem
        cannot give them (a model known only by its loss)."""
        return

    @property
    def min_loss(self) -> float | None:
        """The global minimum of the population loss when it is known (else None)."""
        return None

    def optimum(self):
        """A parameter point at which the loss is ``min_loss``, when the problem knows one (else None)."""
        return

    def draw_starts(self, key, n: int, dtype=None):
        """``n`` random starts (a batch), for searches such as the global minimum; None when the problem
        cannot draw them (give starts yourself)."""
        return

    def as_neuron(self) -> Problem | None:
        """The single neuron ``a act(w x + b) + c`` this problem is (a :class:`landscape.Problem`), or None.

        Analyses of the neuron's own geometry (its dead set, its kink, the
        lip) ask this first and refuse other problems up front.
        """
        return

    def nearest_optimum(self, params):
        """The global minimum nearest to ``params`` among those the problem knows, and how it was found.

        Returns ``(point, note)``, or None when the problem knows no global
        minimum. The default is the one :meth:`optimum`, if any; problems
        with symmetries (permutations of hidden units) search over them.
        """
        opt = self.optimum()
        return None if opt is None else (opt, "the problem's one known global minimum")

    # ------------------------------------------------------------- batched
    def population_batch(self, params):
        """``(loss (S,), grads)`` for a batch of starts (leading axis)."""
        return jax.vmap(self.population_loss_and_grad)(params)

    def population_loss_batch(self, params):
        """Population loss of a batch of points (any number of leading axes)."""
        lead = jax.tree_util.tree_leaves(params)[0].shape
        shapes = self.leaf_shapes()
        nlead = len(lead) - len(shapes[0])
        f = self.population_loss
        for _ in range(nlead):
            f = jax.vmap(f)
        return f(params)

    @property
    def minibatch_paths(self) -> tuple[str, ...]:
        """How minibatch gradients may be computed; the first is the default (none without data)."""
        return ("direct",) if self.has_data else ()

    def minibatch_batch(self, params, x, path: str = "direct"):
        """``(loss (S,), grads)`` of every start on one shared batch ``x``."""
        return jax.vmap(jax.value_and_grad(self.batch_loss), in_axes=(0, None))(params, x)

    def dead(self, params, *, tol_dead: float = DEAD["tol_dead"], tol_active: float = DEAD["tol_active"]):
        """Whether each start of a batch is dead (bool ``(S,)``), or None when the problem cannot tell.

        Dead: the output is (numerically) constant on the inputs, its variance
        at most ``tol_dead * max(1, E[f^2])`` (for networks of ReLU units: a
        hidden layer switched off on the inputs). Problems whose units can die
        define their own rule (:class:`landscape.Problem`: the unit at its
        dead set, within ``tol_active`` and ``tol_dead``).
        """
        one = jax.tree_util.tree_map(lambda a: jax.ShapeDtypeStruct(a.shape[1:], a.dtype), params)
        if jax.eval_shape(self.output_moments, one) is None:
            return None
        moments = jax.vmap(self.output_moments)(params)
        if moments is None:
            return None
        mean, var = moments
        return var <= tol_dead * jnp.maximum(1.0, mean * mean + var)

    # ----------------------------------------------------------- description
    @abc.abstractmethod
    def config(self) -> dict:
        """A JSON-ready description of everything that determines the numbers."""

    @property
    def fingerprintable(self) -> bool:
        return True

    @property
    def fingerprint_note(self) -> str:
        """Why the problem cannot be fingerprinted (empty when it can)."""
        return ""

    def fingerprint(self) -> str | None:
        """A digest of :meth:`config` (and the package version), or None."""
        if not self.fingerprintable:
            return None
        from .io import package_version

        return digest({"kind": type(self).__name__, "config": self.config(), "version": package_version()})

    def describe(self) -> dict:
        """JSON-ready: kind, configuration, exactness and fingerprint (or why there is none)."""
        out = {
            "kind": type(self).__name__,
            **self.config(),
            "exactness": self.exactness,
            "fingerprint": self.fingerprint(),
        }
        if not self.fingerprintable:
            out["fingerprint_note"] = self.fingerprint_note
        return out

    @property
    def label(self) -> str:
        return type(self).__name__


def _short(treedef) -> str:
    text = str(treedef)
    return text if len(text) < 160 else text[:157] + "..."


def sample_inputs(problem, key, shape, dtype=None):
    """Draw inputs of ``shape + problem.event_shape`` from any problem's distribution."""
    return problem.sample(key, shape, dtype)
