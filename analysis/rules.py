"""Verdict rules: pure functions from named numbers to a verdict and its reason.

Contract
--------
* A statement's verdict is one of ``STATEMENT_VERDICTS``: ``confirmed``,
  ``refuted``, ``conditional`` (true only under a condition the claim does
  not state; the reason names it) or ``inconclusive`` (the evidence needed is
  missing). Every rule returns a :class:`Judgement`: the verdict and a reason
  built from the numbers it was given.
* Rules are separate from the experiments that produce the numbers, so tests
  can feed them numbers directly (``tests/test_rules.py`` reaches every
  verdict each rule can reach). A rule that can never reach a verdict says
  why in its docstring. Missing evidence (``None``, no runs, no crossing in
  the grid) gives ``inconclusive``, never ``refuted``.
* Runs still moving at the end of their budget are never counted as stuck:
  rules about rates take the number of such runs and count them on the side
  that would make the statement false.
* :func:`claim_verdict` is the one rule from statement verdicts to a claim's
  verdict (``CLAIM_VERDICTS``): any refuted statement makes the claim
  ``refuted`` (all refuted) or ``partly refuted``; otherwise any inconclusive
  statement makes it ``inconclusive``; otherwise any conditional statement
  makes it ``conditional``; otherwise it is ``confirmed``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .stats import AGREEMENT, wilson, z_value

__all__ = [
    "CLAIM_VERDICTS",
    "RULES",
    "STATEMENT_VERDICTS",
    "Judgement",
    "agrees",
    "always",
    "at_least",
    "at_most",
    "claim_verdict",
    "depends_on",
    "differ",
    "equals",
    "more_likely",
    "never",
    "smooth",
    "sometimes",
    "stuck",
    "within_budget",
]

STATEMENT_VERDICTS = ("confirmed", "refuted", "conditional", "inconclusive")
CLAIM_VERDICTS = ("confirmed", "partly refuted", "refuted", "conditional", "inconclusive")


@dataclass(frozen=True)
class Judgement:
    """A verdict and the reason, in words built from the numbers."""

    verdict: str
    reason: str

    def __post_init__(self):
        if self.verdict not in STATEMENT_VERDICTS:
            raise ValueError(f"verdict must be one of {STATEMENT_VERDICTS}, got {self.verdict!r}")


def _missing(*values) -> bool:
    return any(v is None or (isinstance(v, float) and math.isnan(v)) for v in values)


def _pct(x):
    return f"{100 * x:.1f}%"


def claim_verdict(verdicts) -> str:
    """A claim's verdict from its statements' (see the module docstring).

    Raises:
      ValueError: no statements, or an unknown statement verdict.
    """
    verdicts = list(verdicts)
    if not verdicts:
        raise ValueError("a claim needs at least one statement")
    for v in verdicts:
        if v not in STATEMENT_VERDICTS:
            raise ValueError(f"unknown statement verdict {v!r}")
    if "refuted" in verdicts:
        return "refuted" if all(v == "refuted" for v in verdicts) else "partly refuted"
    if "inconclusive" in verdicts:
        return "inconclusive"
    if "conditional" in verdicts:
        return "conditional"
    return "confirmed"


def always(k, n, *, moving=0, level=0.95, confidence=0.95) -> Judgement:
    """ "It always happens": ``k`` of ``n`` runs show it, ``moving`` more are undecided.

    Confirmed when at least ``level`` of the runs show it (moving runs counted
    as not showing it; the reason states the Wilson interval); inconclusive
    with no runs, or when the moving runs decide it (counting them as showing
    it would reach ``level``); refuted otherwise. Never conditional: a rate
    names no condition.
    """
    if _missing(k, n) or n < 1:
        return Judgement("inconclusive", "no runs")
    lo, hi = wilson(k, n, confidence)
    if k / n >= level:
        return Judgement(
            "confirmed", f"{k} of {n} runs ({_pct(k / n)}, {int(confidence * 100)}% interval {_pct(lo)} to {_pct(hi)})"
        )
    if moving and min(n, k + moving) / n >= level:
        return Judgement("inconclusive", f"{k} of {n} runs, and {moving} still moving at the end of their budget")
    return Judgement("refuted", f"{k} of {n} runs ({_pct(k / n)}, interval {_pct(lo)} to {_pct(hi)}), not all")


def never(k, n, *, moving=0, confidence=0.95) -> Judgement:
    """ "It never happens": ``k`` of ``n`` runs show it, ``moving`` undecided.

    Refuted as soon as one run shows it; confirmed when none does and none is
    still moving (the reason states the Wilson interval's upper end: how
    often it could still happen unseen); inconclusive with no runs or with
    runs still moving that could still show it. Never conditional.
    """
    if _missing(k, n) or n < 1:
        return Judgement("inconclusive", "no runs")
    if k > 0:
        return Judgement("refuted", f"{k} of {n} runs ({_pct(k / n)}) do")
    _, hi = wilson(moving, n, confidence)
    if moving == 0:
        return Judgement("confirmed", f"0 of {n} runs ({int(confidence * 100)}% interval up to {_pct(hi)})")
    return Judgement("inconclusive", f"0 of {n} runs so far, {moving} still moving; up to {_pct(hi)} possible")


def sometimes(k, n, *, moving=0, confidence=0.95) -> Judgement:
    """ "It can happen": ``k`` of ``n`` runs show it.

    Confirmed when at least one run shows it; refuted when none does, none is
    moving and the interval's upper end is below 5%; inconclusive otherwise.
    Never conditional.
    """
    if _missing(k, n) or n < 1:
        return Judgement("inconclusive", "no runs")
    lo, hi = wilson(k, n, confidence)
    if k > 0:
        return Judgement("confirmed", f"{k} of {n} runs ({_pct(k / n)}, interval {_pct(lo)} to {_pct(hi)})")
    if moving == 0 and hi < 0.05:
        return Judgement("refuted", f"0 of {n} runs (interval up to {_pct(hi)})")
    return Judgement("inconclusive", f"0 of {n} runs, {moving} still moving")


def equals(value, claimed, *, tol, name="value") -> Judgement:
    """A measured value equals the claimed one within ``tol``.

    Never conditional (an equation names no condition).
    """
    if _missing(value, claimed):
        return Judgement("inconclusive", f"{name} not measured")
    if abs(value - claimed) <= tol:
        return Judgement("confirmed", f"{name} = {value:.6g}, claimed {claimed:.6g} (tolerance {tol:g})")
    return Judgement(
        "refuted", f"{name} = {value:.6g}, not {claimed:.6g} (differs by {abs(value - claimed):.3g} > {tol:g})"
    )


def at_most(value, bound, *, name="value") -> Judgement:
    """A measured value is at most ``bound``. Never conditional."""
    if _missing(value, bound):
        return Judgement("inconclusive", f"{name} not measured")
    if value <= bound:
        return Judgement("confirmed", f"{name} = {value:.4g} <= {bound:.4g}")
    return Judgement("refuted", f"{name} = {value:.4g} > {bound:.4g}")


def at_least(value, bound, *, name="value") -> Judgement:
    """A measured value is at least ``bound``. Never conditional."""
    if _missing(value, bound):
        return Judgement("inconclusive", f"{name} not measured")
    if value >= bound:
        return Judgement("confirmed", f"{name} = {value:.4g} >= {bound:.4g}")
    return Judgement("refuted", f"{name} = {value:.4g} < {bound:.4g}")


def differ(a, b, *, tol, name_a="a", name_b="b") -> Judgement:
    """Two measured values differ by more than ``tol`` (``a > b``). Never conditional."""
    if _missing(a, b):
        return Judgement("inconclusive", f"{name_a} or {name_b} not measured")
    if a - b > tol:
        return Judgement("confirmed", f"{name_a} = {a:.4g} exceeds {name_b} = {b:.4g} by {a - b:.3g}")
    return Judgement("refuted", f"{name_a} = {a:.4g} does not exceed {name_b} = {b:.4g} by more than {tol:g}")


def agrees(measured, stderr, reference, *, confidence=AGREEMENT, name="measured") -> Judgement:
    """A Monte Carlo estimate agrees with a reference: the reference lies in the normal interval
    ``m +- z se`` at ``confidence`` (``AGREEMENT``: three standard errors), ``|m - ref| <= z * se``.

    Inconclusive without a standard error or a reference. Never conditional.
    """
    if _missing(measured, stderr, reference) or not stderr >= 0:
        return Judgement("inconclusive", "no reference or no standard error")
    z = z_value(confidence)
    gap = abs(measured - reference)
    if gap <= z * stderr:
        return Judgement(
            "confirmed",
            f"{name} {measured:.4g} vs {reference:.4g}: gap {gap:.3g} within {z:.3g} standard "
            f"errors ({z * stderr:.3g})",
        )
    return Judgement(
        "refuted",
        f"{name} {measured:.4g} vs {reference:.4g}: gap {gap:.3g} beyond {z:.3g} standard errors ({z * stderr:.3g})",
    )


def smooth(points_checked, nonsmooth_points, nonsmooth_fraction, *, where="") -> Judgement:
    """ "The loss is smooth": differentiable everywhere in the region.

    From a scan of one-sided derivatives: confirmed when no point has a
    gradient jump; conditional when jumps occur only on a set of measure zero
    (isolated points or lines: a vanishing fraction of the scanned cells; the
    condition is "away from" those points); refuted when a positive fraction
    of the region (more than 1% of the scanned cells) is non-smooth;
    inconclusive with no points checked.
    """
    if _missing(points_checked, nonsmooth_points, nonsmooth_fraction) or points_checked < 1:
        return Judgement("inconclusive", "no points checked")
    if nonsmooth_points == 0:
        return Judgement("confirmed", f"no gradient jump at {points_checked} points checked")
    if nonsmooth_fraction <= 0.01:
        return Judgement(
            "conditional",
            f"smooth only away from {where or f'{nonsmooth_points} points'}: gradient jumps "
            f"at {nonsmooth_points} of {points_checked} points checked (a set of measure zero)",
        )
    return Judgement("refuted", f"gradient jumps on {_pct(nonsmooth_fraction)} of the region")


def depends_on(exact_values, *, tol, minibatch=None, condition="minibatch noise", name="threshold") -> Judgement:
    """ "The outcome depends on X": a quantity measured at several values of X.

    ``exact_values``: the quantity (e.g. the crossing threshold found by root
    finding on the exact recursion) at each value of X; ``minibatch``: a list
    of ``(k, n)`` counts per value of X under noise, or None. Confirmed when
    the exact values spread by more than ``tol``; conditional when they do not
    but the noisy rates differ (two Wilson intervals that do not overlap): it
    depends on X only under ``condition``; refuted when neither; inconclusive
    without exact values (for example no crossing in the grid of step sizes).
    """
    vals = [v for v in (exact_values or []) if not _missing(v)]
    if len(vals) < 2:
        return Judgement("inconclusive", f"{name} not found for at least two values")
    spread = max(vals) - min(vals)
    if spread > tol:
        return Judgement(
            "confirmed", f"{name} ranges from {min(vals):.6g} to {max(vals):.6g} (spread {spread:.3g} > {tol:g})"
        )
    if minibatch:
        ivs = [wilson(k, n) for k, n in minibatch if n > 0]
        if ivs and max(lo for lo, _ in ivs) > min(hi for _, hi in ivs):
            rates = ", ".join(_pct(k / n) for k, n in minibatch if n > 0)
            return Judgement(
                "conditional",
                f"exact {name} the same everywhere ({min(vals):.6g}, spread {spread:.2g}), "
                f"but under {condition} the rates differ ({rates})",
            )
    return Judgement("refuted", f"{name} is {min(vals):.6g} for every value (spread {spread:.2g} <= {tol:g})")


def more_likely(k1, n1, k2, n2, *, confidence=0.95, names=("first", "second")) -> Judgement:
    """The first rate exceeds the second.

    Confirmed when the first's Wilson interval lies entirely above the
    second's; refuted when the first rate is not larger; inconclusive with no
    runs or when the first is larger but the intervals overlap. Never
    conditional.
    """
    if _missing(k1, n1, k2, n2) or n1 < 1 or n2 < 1:
        return Judgement("inconclusive", "no runs")
    (lo1, hi1), (lo2, hi2) = wilson(k1, n1, confidence), wilson(k2, n2, confidence)
    r1, r2 = k1 / n1, k2 / n2
    if lo1 > hi2:
        return Judgement(
            "confirmed",
            f"{names[0]} {_pct(r1)} [{_pct(lo1)}, {_pct(hi1)}] above {names[1]} {_pct(r2)} [{_pct(lo2)}, {_pct(hi2)}]",
        )
    if r1 <= r2:
        return Judgement("refuted", f"{names[0]} {_pct(r1)} is not above {names[1]} {_pct(r2)}")
    return Judgement("inconclusive", f"{names[0]} {_pct(r1)} vs {names[1]} {_pct(r2)}: intervals overlap")


def within_budget(first_step, budget, *, later_step=None, later_budget=None) -> Judgement:
    """ "It does not happen (within the budget)": the first step at which it happens, or -1.

    Confirmed when it never happens, even in the longer run (``later_step``
    -1 or not measured); conditional when it does not happen within
    ``budget`` but does later (at ``later_step`` of ``later_budget``: true
    only within the budget); refuted when it happens within the budget;
    inconclusive when not measured.
    """
    if _missing(first_step, budget):
        return Judgement("inconclusive", "not measured")
    if first_step > 0:
        return Judgement("refuted", f"it happens at step {first_step} of {budget}")
    if later_step is not None and later_step > 0:
        return Judgement(
            "conditional",
            f"only within {budget} steps: it happens at step {later_step}"
            + (f" of a {later_budget}-step run" if later_budget else ""),
        )
    return Judgement("confirmed", f"not within {budget} steps" + (f" nor {later_budget}" if later_budget else ""))


def stuck(converged, moving, n, *, escaping=0) -> Judgement:
    """ "Some runs get stuck above the optimum".

    ``converged``: runs that stopped (dead or stationary) above the optimum;
    ``escaping``: runs drifting toward a level above the optimum that they
    approach only at infinity (stuck for ever, :mod:`analysis.escape`);
    ``moving``: runs above it still moving at the end of their budget; of
    ``n``. Confirmed when some run has converged above the optimum or
    escapes; conditional when none has but some are above it and still
    moving (stuck only within the budget: the condition is the budget);
    refuted when every run reaches the optimum; inconclusive with no runs.
    """
    if _missing(converged, moving, n, escaping) or n < 1:
        return Judgement("inconclusive", "no runs")
    if converged + escaping > 0:
        parts = []
        if converged:
            parts.append(f"{converged} of {n} runs ({_pct(converged / n)}) stop above the optimum")
        if escaping:
            parts.append(
                f"{escaping} of {n} runs ({_pct(escaping / n)}) escape toward a level above it reached only at infinity"
            )
        if moving:
            parts.append(f"{moving} more still moving above it")
        return Judgement("confirmed", "; ".join(parts))
    if moving > 0:
        return Judgement(
            "conditional",
            f"only within the budget: {moving} of {n} runs ({_pct(moving / n)}) are above "
            "the optimum but still moving, none has stopped there",
        )
    return Judgement("refuted", f"all {n} runs reach the optimum")


def proven_for_each(cases) -> Judgement:
    """ "There is an instance for each case", each instance proven.

    ``cases``: case name -> ``(found, proven)``, the instances found (by a
    floating-point check) and those proven. Confirmed when every case has a
    proven instance; inconclusive when some case has none found or none
    proven (the reason names them), or with no cases. Never refuted: a proof
    that does not go through, or a search that finds nothing, disproves
    nothing. Never conditional.
    """
    cases = dict(cases)
    if not cases or any(_missing(*v) for v in cases.values()):
        return Judgement("inconclusive", "no cases")
    none_found = [c for c, (f, _) in cases.items() if f < 1]
    unproven = [c for c, (f, p) in cases.items() if f >= 1 and p < 1]
    proven = sum(int(p) for _, p in cases.values())
    found = sum(int(f) for f, _ in cases.values())
    if not none_found and not unproven:
        return Judgement("confirmed", f"every case has a proven instance ({proven} of {found} found proven)")
    parts = [f"none found for {', '.join(none_found)}"] if none_found else []
    parts += [f"none proven for {', '.join(unproven)}"] if unproven else []
    return Judgement("inconclusive", "; ".join(parts) + f" ({proven} of {found} found proven)")


RULES = {
    f.__name__: f
    for f in (
        always,
        never,
        sometimes,
        equals,
        at_most,
        at_least,
        differ,
        agrees,
        smooth,
        depends_on,
        more_likely,
        within_budget,
        stuck,
        proven_for_each,
    )
}
