"""Questions asked of the landscape: basins, geometry, phase diagrams, experiments, claims and the report.

Everything here is computed from :mod:`landscape` through its public names;
nothing imports :mod:`figures` or :mod:`explorer`. The experiment registry
(:mod:`analysis.registry`, filled by :mod:`analysis.experiments`) is what
both the claims (:mod:`analysis.claims`, judged by :mod:`analysis.rules`)
and the figures read. Geometry and phase functions evaluate exact losses in
float64 (enable x64 first).
"""

from . import experiments, registry, rules  # noqa: F401  (experiments registers every experiment)
from .basins import BASINS, TOLERANCES, Basins, classify, global_minimum
from .geometry import (
    NEAR_FLAT,
    ChordWitness,
    CriticalPoint,
    DeadZone,
    critical_points,
    dead_zone,
    gradient_decay,
    hessian_sign_map,
    line_crossings,
    near_flat,
    nonconvexity_witness,
    one_sided_derivatives,
)
from .phase import (
    PhaseDiagram,
    analytic_crossing,
    boundary,
    crossing_probability,
    left_curvature,
    phase_diagram,
    simulate_crossing,
)
from .stats import normal_interval, wilson, z_value

__all__ = [
    "BASINS",
    "NEAR_FLAT",
    "TOLERANCES",
    "Basins",
    "ChordWitness",
    "CriticalPoint",
    "DeadZone",
    "PhaseDiagram",
    "analytic_crossing",
    "boundary",
    "classify",
    "critical_points",
    "crossing_probability",
    "dead_zone",
    "global_minimum",
    "gradient_decay",
    "hessian_sign_map",
    "left_curvature",
    "line_crossings",
    "near_flat",
    "nonconvexity_witness",
    "normal_interval",
    "one_sided_derivatives",
    "phase_diagram",
    "simulate_crossing",
    "wilson",
    "z_value",
]
