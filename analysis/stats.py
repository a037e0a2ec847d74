"""Intervals and quantiles: the one home of every confidence statement of the package.

Contract: pure Python/NumPy on host values, two-sided at ``confidence``
(0.95 by default). :func:`z_value` is the standard normal quantile;
:func:`normal_interval` is ``mean +- z se``; :func:`wilson` is the Wilson
score interval of a binomial proportion ``k / n``.
"""

from __future__ import annotations

import math
from statistics import NormalDist

__all__ = ["AGREEMENT", "CONFIDENCE", "normal_interval", "t_value", "wilson", "z_value"]

CONFIDENCE = 0.95  # the intervals reported beside every rate and average
AGREEMENT = 0.9973002039367398  # P(|Z| <= 3): the interval within which an estimate agrees with its reference


def z_value(confidence: float = CONFIDENCE) -> float:
    """Two-sided standard-normal quantile for ``confidence``."""
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence!r}")
    return NormalDist().inv_cdf(0.5 + confidence / 2.0)


def t_value(confidence: float, df: int) -> float:
    """Two-sided Student-t quantile with ``df`` degrees of freedom for ``confidence``.

    Exact for ``df`` 1 and 2; otherwise Hill's expansion (Algorithm 396,
    CACM 13, 1970), accurate to about 1e-5 relative for every ``df >= 3``.
    """
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence!r}")
    if isinstance(df, bool) or not isinstance(df, int) or df < 1:
        raise ValueError(f"df must be an integer >= 1, got {df!r}")
    p = 1.0 - confidence  # two-sided tail probability
    if df == 1:
        return math.tan(math.pi * (1.0 - p) / 2.0)
    if df == 2:
        return math.sqrt(2.0 / (p * (2.0 - p)) - 2.0)
    n = float(df)
    a = 1.0 / (n - 0.5)
    b = 48.0 / (a * a)
    c = ((20700.0 * a / b - 98.0) * a - 16.0) * a + 96.36
    d = ((94.5 / (b + c) - 3.0) / b + 1.0) * math.sqrt(a * math.pi / 2.0) * n
    x = d * p
    y = x ** (2.0 / n)
    if y > 0.05 + a:
        x = NormalDist().inv_cdf(0.5 * p)
        y = x * x
        if n < 5:
            c += 0.3 * (n - 4.5) * (x + 0.6)
        c = (((0.05 * d * x - 5.0) * x - 7.0) * x - 2.0) * x + b + c
        y = (((((0.4 * y + 6.3) * y + 36.0) * y + 94.5) / c - y - 3.0) / b + 1.0) * x
        y = a * y * y
        y = math.expm1(y) if y > 0.002 else 0.5 * y * y + y
    else:
        y = ((1.0 / (((n + 6.0) / (n * y) - 0.089 * d - 0.822) * (n + 2.0) * 3.0) + 0.5 / (n + 4.0)) * y - 1.0) * (
            n + 1.0
        ) / (n + 2.0) + 1.0 / y
    return math.sqrt(n * y)


def normal_interval(mean: float, se: float, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """``(mean - z se, mean + z se)``: the normal-approximation interval of an average with standard error ``se``."""
    z = z_value(confidence)
    return float(mean - z * se), float(mean + z * se)


def wilson(k: int, n: int, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Wilson score interval for ``k`` successes out of ``n``.

    Reference: E. B. Wilson, "Probable inference, the law of succession, and
    statistical inference", JASA 22 (1927).

    Raises:
      ValueError: if ``n < 1`` or ``k`` is outside ``[0, n]``.
    """
    if n < 1 or not 0 <= k <= n:
        raise ValueError(f"wilson needs 0 <= k <= n and n >= 1, got k={k}, n={n}")
    z = z_value(confidence)
    p = k / n
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)
