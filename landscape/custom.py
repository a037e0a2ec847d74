"""Your own model as a problem: pure JAX functions and any pytree of parameters.

Contract
--------
:class:`CustomProblem` implements :class:`landscape.protocol.AbstractProblem`
for a model written as plain functions (or an Equinox/Flax model split into
its parameters and a pure apply function), so that ``landscape.train``,
``landscape.grid``, ``analysis.classify`` and every analysis take it with the
same calls as the built-in problems:

* ``apply(params, x) -> output`` on **one** example (batches by ``jax.vmap``)
  and ``target(x) -> output`` on one example; or a per-example
  ``loss(params, x, y)`` (default: the squared error summed over outputs);
* ``inputs``: a :class:`landscape.Gaussian` / :class:`landscape.Uniform`
  with ``dim`` coordinates, or a sampler ``(key, shape, dtype) -> x`` that
  returns ``shape + event_shape``;
* ``params``: an example parameter point; only its structure and shapes are
  kept (the problem stays hashable, a static argument of ``jax.jit``).

The population loss is the mean over a fixed Monte Carlo sample of
``mc_samples`` inputs drawn with ``seed`` (exactness ``"monte carlo"``), unless ``population_loss`` is given with its exactness.
A problem built from user functions cannot be fingerprinted: its description
says so, and checkpoints refuse it rather than risk reusing another model's
results.

Every user function is run once on abstract values when the problem is built
(``jax.eval_shape``, and one JVP of what training differentiates): a function
JAX cannot trace or differentiate, a sampler that ignores the shape asked for,
or a per-example loss that is not a scalar is refused then, naming it.

User functions are traced once per problem, and every path (the loss called
directly, ``landscape.grid``, training, the Hessian instruments) runs compiled
programs kept with the problem: what a function reads from outside itself (a
global, a closed-over value) is frozen at its first trace, the same for every
call. To change it, build a new ``CustomProblem`` (a new problem value).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .inputs import Gaussian, Uniform, resolve_inputs
from .protocol import AbstractProblem, as_float_tree

__all__ = ["CustomProblem"]


def _first_line(exc) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def _callable(f, name, required=True):
    if f is None and not required:
        return None
    if not callable(f):
        raise TypeError(f"{name} must be a function, got {type(f).__name__}")
    return f


@dataclass(frozen=True)
class CustomProblem(AbstractProblem):
    """A problem from your own functions.

    Args:
      apply: ``apply(params, x)``, the model's output for one example.
      target: ``target(x)``, the target for one example.
      inputs: ``"gaussian"``, ``"uniform:LO,HI"``, an input distribution, or a
        sampler ``(key, shape, dtype) -> x`` of shape ``shape + event_shape``.
      params: an example parameter point (any pytree of arrays).
      dim: number of input coordinates when ``inputs`` is a distribution
        (1: scalar inputs; d > 1: inputs of shape ``(d,)``).
      loss: optional per-example loss ``loss(params, x, y)``; default
        ``sum((apply(params, x) - y) ** 2)``.
      population_loss: optional exact population loss ``f(params)``; with it,
        ``exactness`` says how exact it is (``"closed form"`` or ``"quadrature"``).
      mc_samples, seed: the fixed Monte Carlo sample otherwise.
      min_loss: the global minimum of the population loss, if known.
      init: optional ``init(key) -> params`` drawing one random start.
      name: a label.

    Raises:
      TypeError, ValueError: functions that are not callable, a parameter
        example that is not a pytree of real arrays, bad sample sizes.
    """

    apply: Callable | None = None
    target: Callable | None = None
    inputs: Any = "gaussian"
    params: Any = None
    dim: int = 1
    loss: Callable | None = None
    population_loss_fn: Callable | None = field(default=None)
    exactness_given: str | None = None
    mc_samples: int = 65536
    seed: int = 0
    min_loss_given: float | None = None
    init: Callable | None = None
    name: str = "custom"

    def __init__(
        self,
        *,
        apply=None,
        target=None,
        inputs="gaussian",
        params=None,
        dim=1,
        loss=None,
        population_loss=None,
        exactness=None,
        mc_samples=65536,
        seed=0,
        min_loss=None,
        init=None,
        name="custom",
    ):
        set_ = lambda k, v: object.__setattr__(self, k, v)
        if apply is None and loss is None:
            raise TypeError("CustomProblem needs apply(params, x) or loss(params, x, y)")
        set_("apply", _callable(apply, "apply", required=False))
        set_("loss", _callable(loss, "loss", required=False))
        set_("target", _callable(target, "target"))
        set_("init", _callable(init, "init", required=False))
        if params is None:
            raise TypeError("CustomProblem needs params=, an example parameter point (any pytree of arrays)")
        arrays = as_float_tree(params, "params")
        leaves, treedef = jax.tree_util.tree_flatten(arrays)
        if not leaves:
            raise ValueError("params must hold at least one array")
        set_("params", (treedef, tuple(tuple(a.shape) for a in leaves)))
        if isinstance(dim, (bool, np.bool_)) or not isinstance(dim, (int, np.integer)) or dim < 1:
            raise ValueError(f"dim must be an integer >= 1, got {dim!r}")
        set_("dim", int(dim))
        if callable(inputs) and not isinstance(inputs, (Gaussian, Uniform)):
            set_("inputs", inputs)
        else:
            set_("inputs", resolve_inputs(inputs))
        for nm, v, lo in (("mc_samples", mc_samples, 2), ("seed", seed, 0)):
            if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)) or v < lo:
                raise ValueError(f"{nm} must be an integer >= {lo}, got {v!r}")
            set_(nm, int(v))
        set_("population_loss_fn", _callable(population_loss, "population_loss", required=False))
        if population_loss is not None:
            if exactness not in ("closed form", "quadrature"):
                raise ValueError(
                    f"with population_loss=, exactness must be 'closed form' or 'quadrature', got {exactness!r}"
                )
        elif exactness is not None:
            raise ValueError("exactness= describes a population_loss=; without one the loss is Monte Carlo")
        set_("exactness_given", exactness)
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
        self._check_functions(arrays)

    # ------------------------------------------------------------ user code, checked
    def _check_functions(self, example):
        """Run every user function once on abstract values (``jax.eval_shape``, and one JVP of each function
        training differentiates) before any work, so that a function JAX cannot trace or differentiate, a
        sampler that ignores the shape it is asked for, or a per-example loss that is not a scalar is refused
        here, naming the function, rather than deep inside a compiled program."""
        dtype = jnp.result_type(float)
        point = jax.tree_util.tree_map(lambda a: jax.ShapeDtypeStruct(np.shape(a), dtype), example)
        try:
            xs = jax.eval_shape(lambda k: self.sample(k, (3,), dtype), jax.random.key(0))
        except Exception as exc:
            raise TypeError(f"inputs: the sampler fails on abstract values: {_first_line(exc)}") from None
        if not callable(self.inputs) or isinstance(self.inputs, (Gaussian, Uniform)):
            pass
        elif tuple(xs.shape[:1]) != (3,):
            raise ValueError(
                f"inputs: the sampler was asked for shape (3,) and returned {tuple(xs.shape)}; it must "
                "return shape + event_shape (key, shape, dtype) -> x"
            )
        x = jax.ShapeDtypeStruct(tuple(xs.shape[1:]), dtype)

        def traced(fn_name, fn, *args):
            try:
                return jax.eval_shape(fn, *args)
            except Exception as exc:
                raise TypeError(
                    f"{fn_name} cannot be traced by JAX (it must be written with jax.numpy, without "
                    f"float(), .item() or NumPy on its inputs): {_first_line(exc)}"
                ) from None

        y = traced("target", self.target, x)
        if self.apply is not None:
            traced("apply", self.apply, point, x)
        per = traced("loss" if self.loss is not None else "apply", self._per_example, point, x)
        if tuple(per.shape) != ():
            name = "loss" if self.loss is not None else "apply"
            raise ValueError(
                f"{name}: the loss of one example must be a scalar, got shape {tuple(per.shape)} (a "
                "per-example loss that returns a vector would be averaged over its entries)"
            )
        del y
        differentiated = [
            ("loss" if self.loss is not None else "apply", lambda p: self._per_example(p, jnp.zeros(x.shape, dtype)))
        ]
        if self.population_loss_fn is not None:
            out = traced("population_loss", self.population_loss_fn, point)
            if tuple(out.shape) != ():
                raise ValueError(f"population_loss must return a scalar, got shape {tuple(out.shape)}")
            differentiated.append(("population_loss", self.population_loss_fn))
        for fn_name, fn in differentiated:
            try:
                jax.eval_shape(lambda p, f=fn: jax.jvp(f, (p,), (p,)), point)
            except Exception as exc:
                raise TypeError(
                    f"{fn_name} cannot be differentiated by JAX (a NumPy call, a callback such as "
                    f"jax.pure_callback, or an integer output): {_first_line(exc)}"
                ) from None
        if self.init is not None:
            drawn = traced("init", self.init, jax.random.key(0))
            want = jax.tree_util.tree_structure(example)
            if jax.tree_util.tree_structure(drawn) != want or [
                tuple(a.shape) for a in jax.tree_util.tree_leaves(drawn)
            ] != [tuple(np.shape(a)) for a in jax.tree_util.tree_leaves(example)]:
                raise ValueError("init(key) must return a point with the structure and shapes of params")

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
        return self.exactness_given or "monte carlo"

    @property
    def min_loss(self) -> float | None:
        return self.min_loss_given

    def config(self) -> dict:
        return {
            "name": self.name,
            "parameters": [list(s) for s in self.params[1]],
            "inputs": self.inputs.describe() if hasattr(self.inputs, "describe") else "sampler",
            "dim": self.dim,
            "mc_samples": self.mc_samples,
            "seed": self.seed,
        }

    @property
    def fingerprintable(self) -> bool:
        return False

    @property
    def fingerprint_note(self) -> str:
        return (
            "built from user functions (apply, target, loss, inputs): their code cannot be fingerprinted, "
            "so stored results (checkpoints, caches) are never reused for it"
        )

    @property
    def label(self) -> str:
        return f"{self.name} ({self.n_params} parameters, {self.exactness} loss)"

    def draw_starts(self, key, n: int, dtype=None):
        if self.init is None:
            return None  # no init=: starts are given by the caller
        return jax.vmap(self.init)(jax.random.split(key, n))

    # ----------------------------------------------------------------- data
    @property
    def event_shape(self) -> tuple:
        if isinstance(self.inputs, (Gaussian, Uniform)):
            return () if self.dim == 1 else (self.dim,)
        out = jax.eval_shape(lambda k: self.inputs(k, (1,), jnp.float32), jax.random.key(0))
        return tuple(out.shape[1:])

    def sample(self, key, shape, dtype=None):
        dtype = dtype or jnp.result_type(float)
        if isinstance(self.inputs, (Gaussian, Uniform)):
            return self.inputs.sample(key, tuple(shape) + self.event_shape, dtype)
        return jnp.asarray(self.inputs(key, tuple(shape), dtype), dtype)

    def _per_example(self, params, x):
        if self.target is None:
            raise TypeError("CustomProblem has no target(x) (the constructor requires one)")
        y = self.target(x)
        if self.loss is not None:
            return self.loss(params, x, y)
        if self.apply is None:
            raise TypeError("CustomProblem needs apply(params, x) or loss(params, x, y)")
        return jnp.sum((self.apply(params, x) - y) ** 2)

    def batch_loss(self, params, x):
        if x.shape[0] == 0:
            raise ValueError("x must be a non-empty batch")
        return jnp.mean(jax.vmap(lambda xi: self._per_example(params, xi))(x))

    # ----------------------------------------------------------- population
    def _sample_fixed(self, dtype):
        return self.sample(jax.random.key(self.seed), (self.mc_samples,), dtype)

    def population_loss(self, params):
        """The population loss of one point (Python numbers, lists and arrays accepted), through the problem's
        one compiled program (see the module docstring: what the user's functions read is frozen at its first
        trace, on every path alike)."""
        return _population_loss(self, _arrays(params))

    def uncompiled_population_loss(self, params):
        """The same loss traced afresh (for use inside another transformation; equal to :meth:`population_loss`)."""
        if self.population_loss_fn is not None:
            return self.population_loss_fn(params)
        dtype = jax.tree_util.tree_leaves(params)[0].dtype
        return self.batch_loss(params, self._sample_fixed(dtype))

    def output_moments(self, params):
        apply = self.apply
        if apply is None:
            return None  # a model given only loss= has no outputs to measure
        dtype = jax.tree_util.tree_leaves(params)[0].dtype
        f = jax.vmap(lambda xi: jnp.ravel(apply(params, xi)))(self._sample_fixed(dtype))
        mean = jnp.mean(f, 0)
        var = jnp.mean((f - mean) ** 2, 0)
        return jnp.sqrt(jnp.sum(mean * mean)), jnp.sum(var)


def _arrays(params):
    """Every leaf as a JAX array of a floating dtype (Python numbers and lists accepted)."""

    def conv(a):
        a = jnp.asarray(a)
        return a if jnp.issubdtype(a.dtype, jnp.floating) else a.astype(jnp.result_type(float))

    return jax.tree_util.tree_map(conv, params)


@partial(jax.jit, static_argnums=0)
def _population_loss(problem, params):
    return problem.uncompiled_population_loss(params)
