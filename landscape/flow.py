"""Gradient flow to the end: the population gradient flow ``dθ/dt = -∇L(θ)`` integrated to very long times.

Contract
--------
:func:`gradient_flow` integrates the flow of an exact problem (one whose
population loss is exact: closed forms, quadrature or a finite data set) from
a batch of starts with an adaptive implicit Runge-Kutta method (diffrax's
``Kvaerno5``, L-stable, with Newton iterations on the exact Hessian and a PID
step-size controller), vmapped over the starts, and records the state at
chosen times, log-spaced decades by default, up to ``t_end`` (``10^12`` by
default). The step size grows with the time scale of the dynamics, so a flow
that slows down on a plateau (a run drifting toward a valley at infinity, a
saddle's neighbourhood) reaches ``10^12`` in a few hundred steps rather than
the ``10^14`` steps gradient descent would take. A steady-state event stops a
start once its gradient norm is at most ``steady_tol``; later records repeat
the state it stopped at, and ``t_final`` says where that was.

Gradient descent with step ``lr`` follows the same flow at time ``t = lr x
steps`` (up to ``O(lr)``; tested), so a flow time and a training budget are
comparable. The Newton iterations need the dense Hessian: problems above
``MAX_FLOW_PARAMS`` parameters are refused.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .protocol import AbstractProblem

__all__ = ["MAX_FLOW_PARAMS", "STATUS", "Flow", "decades", "gradient_flow"]

MAX_FLOW_PARAMS = 2048  # Newton steps factor a dense P x P Hessian per stage
STATUS = ("reached t_end", "steady", "max_steps", "diverged")


@dataclass(frozen=True)
class Flow:
    """States of the gradient flow at recorded times.

    Attributes:
      times: ``(T,)`` the recorded times (increasing).
      params: the state at each time, every leaf ``(T, S, ...)``.
      loss, grad_norm: ``(T, S)`` population loss and gradient norm there.
      t_final: ``(S,)`` the time each start's integration ended (``t_end``, or
        earlier at a steady state, the step budget or a non-finite state).
      status: ``(S,)`` index into ``STATUS``.
      steps, rejected: ``(S,)`` accepted and rejected solver steps.
      settings: the integration's settings.
    """

    times: np.ndarray
    params: Any
    loss: np.ndarray
    grad_norm: np.ndarray
    t_final: np.ndarray
    status: np.ndarray
    steps: np.ndarray
    rejected: np.ndarray
    settings: dict

    @property
    def final(self):
        """The state at the last recorded time, every leaf ``(S, ...)``."""
        return jax.tree_util.tree_map(lambda a: a[-1], self.params)

    def status_names(self) -> list[str]:
        return [STATUS[int(s)] for s in self.status]


def decades(t_end: float = 1e12, start: float = 1.0, per_decade: int = 1) -> np.ndarray:
    """Log-spaced record times from ``start`` to ``t_end``, ``per_decade`` per decade."""
    n = round(math.log10(t_end / start) * per_decade)
    return np.geomspace(start, t_end, max(n, 1) + 1)


def _positive(name, value, hi=None):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{name} must be a positive number, got {value!r}")
    value = float(value)
    if not (math.isfinite(value) and value > 0) or (hi is not None and value > hi):
        raise ValueError(f"{name} must be a positive finite number{f' at most {hi:g}' if hi else ''}, got {value!r}")
    return value


def gradient_flow(
    problem,
    starts,
    *,
    t_end: float = 1e12,
    times=None,
    rtol: float = 1e-8,
    atol: float = 1e-12,
    steady_tol: float = 0.0,
    max_steps: int = 8192,
    dt0: float = 1e-3,
) -> Flow:
    """Integrate the population gradient flow from a batch of starts.

    Args:
      problem: a problem of the protocol whose population loss is exact.
      starts: a batch of points (every leaf with a leading axis of starts).
      t_end: the end time (at most ``1e15``).
      times: the record times in ``(0, t_end]`` (default: every decade from 1
        to ``t_end``, and ``t_end``).
      rtol, atol: the step-size controller's relative and absolute tolerances.
      steady_tol: stop a start once its gradient norm is at most this (0: never
        stop early; a flow drifting to infinity slows down without bound, so a
        positive tolerance also stops such flows, which ``status`` says).
      max_steps: the solver's step budget per start.
      dt0: the first step.

    Returns:
      :class:`Flow`.

    Raises:
      ValueError, TypeError: a problem without an exact population loss, too
        many parameters, starts that do not match the problem, bad settings.
    """
    import diffrax as dfx
    import optimistix as optx

    if not isinstance(problem, AbstractProblem):
        raise TypeError(f"problem must implement the problem protocol, got {type(problem).__name__}")
    if not problem.exact:
        raise ValueError(
            f"gradient_flow needs an exact population gradient; this problem's loss is {problem.exactness!r}"
        )
    if problem.n_params > MAX_FLOW_PARAMS:
        raise ValueError(
            f"a flow of {problem.n_params} parameters is refused (limit {MAX_FLOW_PARAMS}: the implicit solver "
            "factors the dense Hessian)"
        )
    t_end = _positive("t_end", t_end, 1e15)
    rtol, atol, dt0 = _positive("rtol", rtol, 1e-2), _positive("atol", atol, 1.0), _positive("dt0", dt0, t_end)
    if isinstance(steady_tol, bool) or not isinstance(steady_tol, (int, float)) or not steady_tol >= 0:
        raise ValueError(f"steady_tol must be a number >= 0, got {steady_tol!r}")
    if isinstance(max_steps, bool) or not isinstance(max_steps, (int, np.integer)) or not 1 <= max_steps <= 10**6:
        raise ValueError(f"max_steps must be an integer in [1, 1e6], got {max_steps!r}")
    ts = decades(t_end) if times is None else np.asarray(times, np.float64)
    if ts.ndim != 1 or ts.size < 1 or not np.all(np.isfinite(ts)) or ts[0] <= 0 or ts[-1] > t_end:
        raise ValueError(f"times must be a 1-D array of increasing times in (0, t_end={t_end:g}], got {times!r}")
    if np.any(np.diff(ts) <= 0):
        raise ValueError("times must be strictly increasing")
    arrays, _ = problem.check_starts(starts, "starts")
    dtype = jnp.result_type(float)
    y0 = problem.ravel(jax.tree_util.tree_map(lambda a: jnp.asarray(a, dtype), arrays))

    def _grad(y):
        return problem.ravel(problem.population_loss_and_grad(problem.unravel(y))[1])

    def field(t, y, args):
        return -_grad(y)

    term = dfx.ODETerm(field)
    solver = dfx.Kvaerno5(root_finder=optx.Newton(rtol=min(rtol, 1e-6) * 1e-2, atol=atol * 1e-2))
    controller = dfx.ClipStepSizeController(  # land on each record
        dfx.PIDController(rtol=rtol, atol=atol), step_ts=jnp.asarray(ts, dtype)
    )
    event = None
    if steady_tol > 0:
        event = dfx.Event(lambda t, y, args, **kw: jnp.linalg.norm(_grad(y)) <= steady_tol)

    def one(y):
        sol = dfx.diffeqsolve(
            term,
            solver,
            t0=0.0,
            t1=t_end,
            dt0=dt0,
            y0=y,
            saveat=dfx.SaveAt(ts=jnp.asarray(ts, dtype), t1=True),
            stepsize_controller=controller,
            event=event,
            max_steps=int(max_steps),
            throw=False,
        )
        ok, steady = sol.result == dfx.RESULTS.successful, sol.result == dfx.RESULTS.event_occurred
        budget = sol.result == dfx.RESULTS.max_steps_reached
        return sol.ys, sol.ts, ok, steady, budget, sol.stats["num_accepted_steps"], sol.stats["num_rejected_steps"]

    ys, tout, ok, steady, budget, steps, rejected = jax.jit(jax.vmap(one))(y0)
    ys, tout = np.asarray(ys), np.asarray(tout)  # (S, T + 1, P): the recorded times, then the end of the solve
    ok, steady, budget = np.asarray(ok), np.asarray(steady), np.asarray(budget)
    # a solve stopped by the event stores its end state in the first record slot it did not reach, and inf after
    reached = np.isfinite(tout) & np.all(np.isfinite(ys), axis=-1)
    last = np.where(reached.any(axis=1), reached.shape[1] - 1 - np.argmax(reached[:, ::-1], axis=1), 0)
    rows = np.arange(ys.shape[0])
    end_state, t_final = ys[rows, last], np.where(reached.any(axis=1), tout[rows, last], 0.0)
    rec = ys[:, :-1]
    status = np.zeros(ok.shape, np.int64)
    status[steady] = STATUS.index("steady")
    status[budget] = STATUS.index("max_steps")
    status[~ok & ~steady & ~budget] = STATUS.index("diverged")  # a non-finite state or a failed Newton solve
    # after a steady-state stop (or the budget), the later records repeat the last state reached
    unfilled = ~np.isfinite(rec).all(axis=-1) | (ts[None, :] >= t_final[:, None])
    rec = np.where(unfilled[..., None], end_state[:, None, :], rec)
    rec_t = np.swapaxes(rec, 0, 1)  # (T, S, P)
    flat = jnp.asarray(rec_t.reshape(-1, rec_t.shape[-1]), dtype)
    loss, grads = problem.population_batch(problem.unravel(flat))
    gnorm = jnp.linalg.norm(problem.ravel(grads), axis=-1)
    T, S = rec_t.shape[:2]
    params = problem.unravel(jnp.asarray(rec_t, dtype))
    return Flow(
        times=ts,
        params=jax.tree_util.tree_map(np.asarray, params),
        loss=np.asarray(loss).reshape(T, S),
        grad_norm=np.asarray(gnorm).reshape(T, S),
        t_final=t_final,
        status=status,
        steps=np.asarray(steps),
        rejected=np.asarray(rejected),
        settings={
            "t_end": t_end,
            "rtol": rtol,
            "atol": atol,
            "steady_tol": float(steady_tol),
            "max_steps": int(max_steps),
            "solver": "Kvaerno5 (Newton iterations), PID step-size control",
        },
    )
