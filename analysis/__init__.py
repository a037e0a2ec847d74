"""Questions asked of the landscape: basins, geometry, phase diagrams, claims.

Everything here is computed from :mod:`landscape`; nothing imports
:mod:`figures`.
"""
from .basins import BASINS, Basins, classify, global_minimum
from .stats import wilson

__all__ = ["BASINS", "Basins", "classify", "global_minimum", "wilson"]
