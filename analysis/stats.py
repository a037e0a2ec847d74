"""Small statistics helpers: Wilson score intervals for binomial proportions.

Contract: pure NumPy on host values; ``wilson`` returns ``(lo, hi)`` for a
count ``k`` of ``n`` at the given confidence (two-sided).
"""
from __future__ import annotations

import math
from statistics import NormalDist

__all__ = ["wilson", "z_value"]


def z_value(confidence: float = 0.95) -> float:
    """Two-sided standard-normal quantile for ``confidence``."""
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence!r}")
    return NormalDist().inv_cdf(0.5 + confidence / 2.0)


def wilson(k: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
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
