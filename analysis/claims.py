"""The claims of the study, each split into the statements it makes and judged by rules.

Contract
--------
``CLAIMS`` maps an id (``Q1`` ... ``A13``) to a :class:`Claim`, registered
with the :func:`claim` decorator on its check (as experiments are with
``analysis.registry.experiment``): its source, its text, the figures that
show it and a ``check(quick=False, **settings)`` function returning a
:class:`ClaimResult`; the checks read the experiments of
:mod:`analysis.experiments`, the same runs the figures draw. A check only gathers numbers: every
statement's verdict comes from a pure rule of :mod:`analysis.rules` applied
to them, and the claim's verdict from :func:`analysis.rules.claim_verdict`.
Keyword settings are passed to the experiments (another activation, step
size or start), so a verdict follows the model. Where a statement's verdict
depends on a setting the claim leaves open, the result carries a
:class:`SettingsMap`: the same rule over a small sweep of that setting, the
original experiment's setting always one of its columns.

``EXTENSION`` holds the deeper-network rows D1-D8: each compares against a
closed form or a published value with an interval test where one exists
(status ``agrees`` or ``differs``), and says ``no reference`` otherwise; D7
and D8 carry the proofs of the spurious minima (``certificates``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

import landscape as L

from . import (
    experiments,
    rules,
)
from . import phase as P
from . import registry as R
from .basins import BASINS
from .deep import REPORT_SHAPES
from .stats import AGREEMENT, normal_interval

__all__ = [
    "CLAIMS",
    "EXTENSION",
    "SOURCES",
    "Claim",
    "ClaimResult",
    "SettingsMap",
    "Statement",
    "claim",
    "run_claims",
    "run_extension",
]

SOURCES = {"Q": "question", "C": "comment", "A": "answer"}
STUCK = (BASINS.index("dead"), BASINS.index("stationary"))
MIN, MOVING = BASINS.index("global_min"), BASINS.index("moving")


@dataclass(frozen=True)
class Statement:
    """One statement of a claim, its verdict, the reason, and the numbers and settings behind it."""

    text: str
    verdict: str
    reason: str
    rule: str
    evidence: dict = field(default_factory=dict)
    settings: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "text": self.text,
            "verdict": self.verdict,
            "reason": self.reason,
            "rule": self.rule,
            "evidence": self.evidence,
            "settings": self.settings,
        }


@dataclass(frozen=True)
class SettingsMap:
    """A statement's verdict across a setting the claim leaves open.

    ``columns``: one dict per setting value with ``label``, ``verdict``,
    ``reason`` and ``original`` (True for the original experiment's setting).
    """

    statement: str
    setting: str
    columns: list

    @property
    def flips(self) -> list:
        """Pairs of neighbouring columns whose verdicts differ."""
        return [
            (a["label"], b["label"]) for a, b in zip(self.columns, self.columns[1:]) if a["verdict"] != b["verdict"]
        ]

    def as_dict(self) -> dict:
        return {
            "statement": self.statement,
            "setting": self.setting,
            "columns": self.columns,
            "flips": [list(f) for f in self.flips],
        }


@dataclass(frozen=True)
class ClaimResult:
    """A checked claim: its verdict (from its statements), the statements, maps and settings."""

    id: str
    text: str
    verdict: str
    statements: tuple
    settings: dict
    figures: tuple = ()
    maps: tuple = ()

    @property
    def source(self) -> str:
        return SOURCES[self.id[0]]

    @property
    def evidence(self) -> dict:
        """Every statement's numbers, by statement index."""
        out = {}
        for i, s in enumerate(self.statements, 1):
            for k, v in s.evidence.items():
                out[f"s{i}.{k}"] = v
        return out

    @property
    def summary(self) -> str:
        marks = {"confirmed": "true", "refuted": "FALSE", "conditional": "only if", "inconclusive": "undecided"}
        return "; ".join(f"[{marks[s.verdict]}] {s.text}: {s.reason}" for s in self.statements)

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "source": self.source,
            "statement": self.text,
            "verdict": self.verdict,
            "summary": self.summary,
            "evidence": self.evidence,
            "settings": self.settings,
            "statements": [s.as_dict() for s in self.statements],
            "maps": [m.as_dict() for m in self.maps],
            "figures": list(self.figures),
        }


@dataclass(frozen=True)
class Claim:
    """A registered claim: its id, its text, the check that judges it and the figures that show it."""

    id: str
    text: str
    check: Callable[..., ClaimResult]
    figures: tuple = ()

    @property
    def source(self) -> str:
        return SOURCES[self.id[0]]


CLAIMS: dict[str, Claim] = {}


def claim(cid: str, text: str, *, figures=()):
    """Register ``check(quick=False, **settings) -> ClaimResult`` as the claim ``cid`` (``Q1`` ... ``A13``),
    in the order of the study; filled at import only."""

    def register(check):
        if cid in CLAIMS:
            raise ValueError(f"claim {cid!r} is registered twice")
        if cid[0] not in SOURCES:
            raise ValueError(f"a claim id starts with one of {''.join(SOURCES)}, got {cid!r}")
        CLAIMS[cid] = Claim(cid, text, check, tuple(figures))
        return check

    return register


def _st(text, judgement, rule, evidence, settings) -> Statement:
    return Statement(text, judgement.verdict, judgement.reason, rule.__name__, evidence, settings)


def _result(cid, statements, settings, maps=()) -> ClaimResult:
    c = CLAIMS[cid]
    return ClaimResult(
        cid,
        c.text,
        rules.claim_verdict(s.verdict for s in statements),
        tuple(statements),
        settings,
        c.figures,
        tuple(maps),
    )


def _run(name, quick, overrides):
    """The experiment ``name`` with the overrides that belong to it."""
    keys = set(R.REGISTRY[name].defaults)
    return R.run(name, quick=quick, **{k: v for k, v in overrides.items() if k in keys})


def _count(labels, codes, mask=None):
    sel = np.isin(labels, codes)
    if mask is not None:
        sel = sel & mask
    return int(sel.sum())


def _settings(*results):
    return {r.name: dict(r.settings.items()) for r in results}


# ------------------------------------------------------------------------ question
@claim("Q1", "From w0 > 0 the ReLU neuron learns w = 1 quickly.", figures=("good_start",))
def check_q1(quick=False, **kw):
    r = _run("good_start", quick, kw)
    lab, w = r["labels"], r["w"]
    n = lab.size
    at_one = np.abs(w[-1] - 1.0) < 1e-3
    reached = int(at_one.sum())
    moving = _count(lab, [MOVING], ~at_one)
    close = np.abs(w - 1.0) < 1e-2
    epochs = np.where(close.any(0), close.argmax(0), -1)
    median = float(np.median(np.where(epochs >= 0, epochs, np.inf)))  # inf: never within the budget
    budget = r["w"].shape[0] - 1
    st = [
        _st(
            "from w0 > 0 the weight reaches w = 1 (within 1e-3)",
            rules.always(reached, n, moving=moving),
            rules.always,
            {"reached": reached, "runs": n, "moving": moving, "mean_final_w": float(np.mean(w[-1]))},
            r.settings,
        ),
        _st(
            "it does so quickly: within half of the original budget of epochs",
            rules.at_most(median, budget / 2, name="median epoch to within 1e-2 of w = 1"),
            rules.at_most,
            {"median_epoch_within_1e-2": median, "epochs": budget},
            r.settings,
        ),
    ]
    return _result("Q1", st, _settings(r))


@claim(
    "Q2",
    "From w0 = -10 it gets stuck at w = 0, never crosses to the lower-loss side, and the loss stays flat.",
    figures=("backwards_start",),
)
def check_q2(quick=False, **kw):
    r = _run("backwards_start", quick, kw)
    sel = np.isclose(r["w0"], -10.0)
    lab, w = r["labels"][sel], r["w"][:, sel]
    n = int(sel.sum())
    stuck = _count(lab, [BASINS.index("dead")], np.abs(w[-1]) < 1e-3)
    moving = _count(lab, [MOVING])
    crossed = int(np.sum(r["crossed"][sel] > 0))
    late = r["batch_loss"][-5:, sel]
    level = float(r["dead_level"])
    flat = int(np.sum(np.all(np.abs(late - level) < 0.05 * level, axis=0)))
    st = [
        _st(
            "from w0 = -10 it gets stuck at w = 0",
            rules.always(stuck, n, moving=moving),
            rules.always,
            {
                "stuck_dead_within_1e-3": stuck,
                "runs": n,
                "moving": moving,
                "max_abs_final_w": float(np.max(np.abs(w[-1]))),
            },
            r.settings,
        ),
        _st(
            "it never crosses to the lower-loss side w > 0",
            rules.never(crossed, n),
            rules.never,
            {"crossed": crossed, "runs": n},
            r.settings,
        ),
        _st(
            "the loss stays flat (the last five epochs within 5% of the dead level)",
            rules.always(flat, n),
            rules.always,
            {"flat": flat, "runs": n, "dead_level": level, "mean_last5": float(late.mean())},
            r.settings,
        ),
    ]
    return _result("Q2", st, _settings(r))


@claim("Q3", "With a bias, the 2-D loss over (w, b) is smooth and simple.", figures=("wb_landscape",))
def check_q3(quick=False, **kw):
    r = _run("wb_landscape", quick, kw)
    sm = r["smoothness"]
    pts = [
        f"(w, b) = ({w:g}, {b:g})" for w, b in zip(np.atleast_1d(sm["nonsmooth_w"]), np.atleast_1d(sm["nonsmooth_b"]))
    ]
    where = ", ".join(pts[:3]) + (f" and {len(pts) - 3} more" if len(pts) > 3 else "")
    frac = int(sm["nonsmooth"]) / int(sm["points"])
    st = [
        _st(
            "the loss over (w, b) is smooth",
            rules.smooth(int(sm["points"]), int(sm["nonsmooth"]), frac, where=where),
            rules.smooth,
            {"points_checked": int(sm["points"]), "nonsmooth_points": int(sm["nonsmooth"]), "where": where},
            r.settings,
        ),
        _st(
            "it is simple: convex (no chord below its graph)",
            rules.at_most(float(r["convexity"]["gap"]), 1e-12, name="largest chord gap below the graph"),
            rules.at_most,
            {"chord_gap": float(r["convexity"]["gap"])},
            r.settings,
        ),
        _st(
            "it is simple: no near-flat plateau away from the minimum (|grad| < 1e-3 on at most 1% of the box)",
            rules.at_most(float(r["flat_fraction"]), 0.01, name="near-flat share of the box"),
            rules.at_most,
            {"near_flat_fraction": float(r["flat_fraction"])},
            r.settings,
        ),
    ]
    return _result("Q3", st, _settings(r))


def _basin_numbers(r):
    lab, w0 = r["labels"], r["w0"]
    neg = w0 < 0
    return {
        "n": int(lab.size),
        "stuck": _count(lab, STUCK),
        "min": _count(lab, [MIN]),
        "moving": _count(lab, [MOVING]),
        "stuck_neg": _count(lab, STUCK, neg),
        "n_neg": int(neg.sum()),
        "stuck_pos": _count(lab, STUCK, w0 > 0),
        "n_pos": int((w0 > 0).sum()),
        "moving_neg": _count(lab, [MOVING], neg),
    }


@claim(
    "Q4",
    "With a bias, upside-down starts get stuck (red) while other starts reach the minimum (blue).",
    figures=("basins", "wb_landscape"),
)
def check_q4(quick=False, **kw):
    r = _run("basins", quick, kw)
    b = _basin_numbers(r)
    ev = dict(b.items()) | {"fractions": dict(r["fractions"]), "grid": int(r.settings["grid"])}
    st = [
        _st(
            "some starts get stuck (red) instead of reaching the minimum",
            rules.sometimes(b["stuck"], b["n"], moving=b["moving"]),
            rules.sometimes,
            ev,
            r.settings,
        ),
        _st(
            "other starts reach the minimum (blue)",
            rules.sometimes(b["min"], b["n"], moving=b["moving"]),
            rules.sometimes,
            ev,
            r.settings,
        ),
        _st(
            "the stuck starts are the upside-down ones: stuck more often from w0 < 0 than from w0 > 0",
            rules.more_likely(b["stuck_neg"], b["n_neg"], b["stuck_pos"], b["n_pos"], names=("w0 < 0", "w0 > 0")),
            rules.more_likely,
            ev,
            r.settings,
        ),
    ]
    # the verdict of "some get stuck" across the step size and the budget, the original setting first
    columns = []
    for lr, steps in ((0.01, 2000), (0.01, None), (0.1, None)):
        over = {"optimizer": "sgd", "lr": lr, **({"steps": steps} if steps else {})}
        m = _run("basins", quick, {**kw, **over})
        bm = _basin_numbers(m)
        j = rules.sometimes(bm["stuck"], bm["n"], moving=bm["moving"])
        label = f"lr {lr:g}, at most {m.settings['steps']} steps"
        columns.append(
            {
                "label": label,
                "verdict": j.verdict,
                "reason": j.reason,
                "original": lr == 0.01 and steps == 2000,
                "stuck": bm["stuck"] / bm["n"],
                "moving": bm["moving"] / bm["n"],
                "min": bm["min"] / bm["n"],
            }
        )
    maps = [SettingsMap("some starts get stuck", "step size and budget (SGD, batch 1000)", columns)]
    return _result("Q4", st, _settings(r), maps)


@claim(
    "Q5",
    "With output weight and bias, training flips left-right or up-down, but not both.",
    figures=("four_parameter",),
)
def check_q5(quick=False, **kw):
    r = _run("four_parameter", quick, kw)
    q = [r[f"q{i}"] for i in range(4)]
    counts = [(_count(x["labels"], [MIN]), int(x["labels"].size), _count(x["labels"], [MOVING])) for x in q]
    names = ["w+a+", "w-a+", "w+a-", "w-a-"]
    ev = {f"{nm}_min": c[0] for nm, c in zip(names, counts)} | {f"{nm}_moving": c[2] for nm, c in zip(names, counts)}
    ev["starts_per_quadrant"] = counts[0][1]
    st = [
        _st(
            "from a flipped w (w < 0, a > 0) training can reach the minimum",
            rules.sometimes(counts[1][0], counts[1][1], moving=counts[1][2]),
            rules.sometimes,
            ev,
            r.settings,
        ),
        _st(
            "from a flipped a (w > 0, a < 0) training can reach the minimum",
            rules.sometimes(counts[2][0], counts[2][1], moving=counts[2][2]),
            rules.sometimes,
            ev,
            r.settings,
        ),
    ]
    # "never" is a statement about the limit: judged within the budget and after the gradient flow to t_end
    both = q[3]
    budget = rules.never(counts[3][0], counts[3][1], moving=counts[3][2])
    lim = _limit_counts(both)
    in_limit = rules.never(lim["min"], lim["n"], moving=lim["moving"])
    ev3 = ev | {"limit_" + k: v for k, v in lim.items()} | {"t_end": float(r.settings["t_end"])}  # w < 0, a < 0
    st.append(
        _st(
            "from both flipped (w < 0, a < 0) it never does",
            _in_the_limit(in_limit, budget, lim, r.settings["t_end"]),
            rules.never,
            ev3,
            r.settings,
        )
    )
    cols = [
        {"label": f"within {r.settings['steps']} steps", "verdict": budget.verdict, "reason": budget.reason},
        {"label": f"in the limit (gradient flow to t = {r.settings['t_end']:g})", "verdict": in_limit.verdict}
        | {"reason": in_limit.reason + _escaping_words(lim)},
    ]
    cols = [c | {"original": i == 0} for i, c in enumerate(cols)]
    maps = [SettingsMap("from both flipped (w < 0, a < 0) it never does", "within the budget or in the limit", cols)]
    return _result("Q5", st, _settings(r), maps)


ESCAPING = BASINS.index("escaping")


def _limit_counts(x, mask=None):
    """Counts of a run set's end states in the limit (stored by the experiment from :func:`analysis.escape.limit`),
    over ``mask`` when given: reaching the minimum, stuck (dead or stationary), escaping (by the exact analysis, measured) and
    still moving."""
    lab = x["limit_labels"]
    sel = np.ones(lab.shape, bool) if mask is None else mask
    return {
        "n": int(lab.size),
        "min": _count(lab, [MIN], sel),
        "stuck": _count(lab, STUCK, sel),
        "escaping": _count(lab, [ESCAPING], sel),
        "escaping_analysed": int(np.sum(sel & (lab == ESCAPING) & x["limit_analysed"])),
        "escaping_measured": int(np.sum(sel & (lab == ESCAPING) & x["limit_measured"])),
        "moving": _count(lab, [MOVING], sel),
    }


def _escaping_words(lim):
    if not lim["escaping"]:
        return ""
    return (
        f"; {lim['escaping']} escaping to a level at infinity ({lim['escaping_analysed']} by the exact analysis "
        f"of the end state, {lim['escaping_measured']} measured over the last decades)"
    )


def _in_the_limit(in_limit, budget, lim, t_end):
    """The statement's judgement: in the limit, its reason saying so beside the budget's verdict."""
    return rules.Judgement(
        in_limit.verdict,
        f"in the limit (gradient flow to t = {t_end:g}): {in_limit.reason}{_escaping_words(lim)}; "
        f"within the budget: {budget.verdict} ({budget.reason})",
    )


# ------------------------------------------------------------------------ comments
def _students(kw, *wanted):
    """The ``activations`` experiment's students: the default set (shared with the figure) when it holds
    every student a claim asks about, else just those (one short run)."""
    kw = dict(kw)
    if "students" not in kw:
        kw["students"] = experiments.ACTIVATIONS if set(wanted) <= set(experiments.ACTIVATIONS) else tuple(wanted)
    return kw


def _activation_run(r, label):
    for i in range(len(r["students"])):
        s = r[f"s{i}"]
        if s["label"] == label:
            return s
    raise KeyError(f"no run of {label!r} in this experiment")


def _label_of(text):
    return L.resolve_activation(experiments.activation(text)).label


@claim(
    "C1", "Starting with softplus and switching to ReLU, or using ELU, avoids the problem.", figures=("activations",)
)
def check_c1(quick=False, alternative="elu", **kw):
    kw = _students(kw, alternative)
    r = _run("activations", quick, kw)
    sw = r["switch"]
    n = int(sw["labels"].size)
    alt = _activation_run(r, _label_of(alternative))
    reach_alt = _count(alt["labels"], [MIN])
    st = [
        _st(
            f"starting with {r.settings['warmup']} and switching to relu avoids the problem (reaches w = 1)",
            rules.always(_count(sw["labels"], [MIN]), n, moving=_count(sw["labels"], [MOVING])),
            rules.always,
            {
                "reached": _count(sw["labels"], [MIN]),
                "runs": n,
                "mean_w_at_switch": float(np.mean(sw["w_at_switch"])),
                "mean_final_w": float(np.mean(sw["w"])),
            },
            r.settings,
        ),
        _st(
            f"using {alt['label']} instead avoids it (reaches its own optimum from w0 = -10)",
            rules.always(reach_alt, int(alt["labels"].size), moving=_count(alt["labels"], [MOVING])),
            rules.always,
            {
                "reached": reach_alt,
                "runs": int(alt["labels"].size),
                "optimum_w": alt["optimum_w"],
                "mean_final_w": float(np.mean(alt["w"][-1])),
            },
            r.settings,
        ),
    ]
    maps = [
        _gradient_map(
            "activations",
            quick,
            kw,
            lambda m: _count(m["switch"]["labels"], [MIN]),
            lambda m: int(m["switch"]["labels"].size),
            "softplus then relu reaches w = 1",
        )
    ]
    return _result("C1", st, _settings(r), maps)


def _gradient_map(name, quick, kw, k_of, n_of, statement):
    """``always`` across minibatch (the original) and exact gradients."""
    cols = []
    for grad in ("minibatch", "population"):
        m = _run(name, quick, {**kw, "gradient": grad})
        j = rules.always(k_of(m), n_of(m))
        cols.append(
            {
                "label": "exact gradients" if grad == "population" else "minibatch, batch 1000",
                "verdict": j.verdict,
                "reason": j.reason,
                "original": grad == "minibatch",
            }
        )
    return SettingsMap(statement, "gradient (minibatch against exact)", cols)


@claim("C2", "The gradient tends to zero for inputs below zero; that is where learning stalls.", figures=("kink",))
def check_c2(quick=False, **kw):
    r = _run("kink", quick, kw)
    ps = r["per_sample"]
    g = np.abs(r["decay"]["gradient"])
    ratio = float(g[0] / g[-1])
    st = [
        _st(
            "the gradient vanishes for inputs whose pre-activation is below zero (per-sample gradients, w < 0)",
            rules.at_most(float(ps["max_abs_where_inactive"]), 0.0, name="largest |per-sample gradient| there"),
            rules.at_most,
            {
                "max_abs_where_inactive": float(ps["max_abs_where_inactive"]),
                "max_abs_where_active": float(ps["max_abs_where_active"]),
            },
            r.settings,
        ),
        _st(
            "that is where learning stalls: the gradient shrinks to 0 as w approaches 0 from the left",
            rules.at_most(ratio, 1e-3, name="|L'(-1e-6)| / |L'(-10)|"),
            rules.at_most,
            {"gradient_at_-1e-6": float(g[0]), "gradient_at_-10": float(g[-1])},
            r.settings,
        ),
    ]
    return _result("C2", st, _settings(r))


# ------------------------------------------------------------------------- answer
@claim("A1", "L(w) has a kink at w = 0: to the left of 0 the gradient of the loss vanishes.", figures=("kink",))
def check_a1(quick=False, **kw):
    r = _run("kink", quick, kw)
    os_ = r.get("one_sided")
    jump = abs(float(os_["jump"])) if os_ is not None else 0.0
    left_g = np.abs(r["decay"]["gradient"])
    st = [
        _st(
            "L(w) has a kink at w = 0 (the one-sided derivatives differ)",
            rules.differ(jump, 0.0, tol=1e-6, name_a="|right - left derivative|", name_b="0"),
            rules.differ,
            {
                "left_derivative": float(os_["left"]) if os_ is not None else None,
                "right_derivative": float(os_["right"]) if os_ is not None else None,
            },
            r.settings,
        ),
        _st(
            "to the left of 0 the gradient of the loss vanishes",
            rules.at_most(float(left_g.max()), 1e-9, name="largest |L'(w)| for -10 <= w < 0"),
            rules.at_most,
            {
                "largest_left_gradient": float(left_g.max()),
                "at_w": float(-r["decay"]["distance"][int(left_g.argmax())]),
                "gradient_at_w=-1": float(left_g[np.argmin(np.abs(r["decay"]["distance"] - 1.0))]),
            },
            r.settings,
        ),
    ]
    return _result("A1", st, _settings(r))


@claim("A2", "w = 0 is suboptimal: the loss there is higher than at w = 1.", figures=("kink",))
def check_a2(quick=False, **kw):
    r = _run("kink", quick, kw)
    st = [
        _st(
            "w = 0 is suboptimal: the loss there is higher than at w = 1",
            rules.differ(float(r["L0"]), float(r["L1"]), tol=0.0, name_a="L(0)", name_b="L(1)"),
            rules.differ,
            {"L(0)": float(r["L0"]), "L(1)": float(r["L1"]), "global_min": float(r["min_loss"])},
            r.settings,
        )
    ]
    return _result("A2", st, _settings(r))


@claim("A3", "L(w) is not convex: a straight line can cross its graph in three or more places.", figures=("kink",))
def check_a3(quick=False, **kw):
    r = _run("kink", quick, kw)
    gap = float(r["chord"]["gap"]) if bool(r["chord"]["found"]) else 0.0
    st = [
        _st(
            "L(w) is not convex (a chord lies below its graph)",
            rules.differ(gap, 0.0, tol=1e-12, name_a="largest chord gap", name_b="0"),
            rules.differ,
            {"chord_gap": gap},
            r.settings,
        ),
        _st(
            "a straight line can cross its graph in three or more places",
            rules.at_least(int(r["line"]["count"]), 3, name="most crossings of one line"),
            rules.at_least,
            {
                "crossings": int(r["line"]["count"]),
                "slope": float(r["line"]["slope"]),
                "offset": float(r["line"]["offset"]),
            },
            r.settings,
        ),
    ]
    return _result("A3", st, _settings(r))


@claim(
    "A4",
    "The closer w gets to 0 from the left, the smaller the gradient and the slower the progress.",
    figures=("kink",),
)
def check_a4(quick=False, **kw):
    r = _run("kink", quick, kw)
    g = np.abs(r["decay"]["gradient"])  # at distances 1e-6 ... 10 from the left of 0
    ups = int(np.sum(np.diff(g) <= 0))  # nearer to 0 must be smaller: g increases with distance
    step = r["sgd_path"]["step"]
    w = r["sgd_path"]["w"][: step.size]
    left = w < 0
    incr = int(np.sum(np.diff(step[left]) > 0))
    st = [
        _st(
            "the closer w gets to 0 from the left, the smaller the gradient",
            rules.at_most(ups, 0, name="places where the gradient does not shrink towards 0"),
            rules.at_most,
            {"gradient_at_-1e-6": float(g[0]), "gradient_at_-10": float(g[-1])},
            r.settings,
        ),
        _st(
            "and the slower the progress (SGD's steps shrink as it approaches 0)",
            rules.at_most(incr, 0, name="places where an SGD step grows on the way"),
            rules.at_most,
            {"first_step": float(step[0]), "last_step_left_of_0": float(step[left][-1]) if left.any() else None},
            r.settings,
        ),
    ]
    return _result("A4", st, _settings(r))


@claim("A5", "Trajectories from negative w0 stall near w = 0.", figures=("backwards_start", "basins"))
def check_a5(quick=False, **kw):
    r = _run("backwards_start", quick, kw)
    lab, w = r["labels"], r["w"][-1]
    n = int(lab.size)
    stall = _count(lab, [BASINS.index("dead")], (np.abs(w) < 1e-2) & (w <= 0))
    st = [
        _st(
            "trajectories from negative w0 stall near w = 0 (dead, within 1e-2 of 0 from the left)",
            rules.always(stall, n, moving=_count(lab, [MOVING])),
            rules.always,
            {
                "stalled": stall,
                "runs": n,
                "max_final_w": float(w.max()),
                "w0_range": [float(r["w0"].min()), float(r["w0"].max())],
            },
            r.settings,
        )
    ]
    return _result("A5", st, _settings(r))


@claim(
    "A6",
    "A LeakyReLU(0.3) student from w0 = -10 with the same SGD reaches a small loss and w = 1, which is optimal.",
    figures=("activations",),
)
def check_a6(quick=False, student="leaky_relu:0.3", **kw):
    kw = _students(kw, student)
    r = _run("activations", quick, kw)
    s = _activation_run(r, _label_of(student))
    level = L.Problem(student=L.ORIGINAL.student).dead_level()  # relu's stuck level, the one to beat
    final_loss = s["exact"][-1]
    n = int(final_loss.size)
    small = int(np.sum(final_loss < 0.1 * level))
    w_end = float(np.mean(s["w"][-1]))
    st = [
        _st(
            "the loss falls quickly to a small value (below a tenth of relu's dead level within the budget)",
            rules.always(small, n),
            rules.always,
            {"small": small, "runs": n, "mean_final_loss": float(final_loss.mean())},
            r.settings,
        ),
        _st(
            "w moves to 1",
            rules.equals(w_end, 1.0, tol=1e-2, name="mean final w"),
            rules.equals,
            {"mean_final_w": w_end},
            r.settings,
        ),
        _st(
            "w = 1 is optimal for this student",
            rules.equals(float(s["optimum_w"]), 1.0, tol=1e-3, name="the student's optimal w"),
            rules.equals,
            {"optimum_w": float(s["optimum_w"]), "optimum_loss": float(s["optimum_loss"])},
            r.settings,
        ),
    ]
    maps = [
        _gradient_map(
            "activations",
            quick,
            kw,
            lambda m: int(np.sum(np.abs(_activation_run(m, _label_of(student))["w"][-1] - 1.0) <= 1e-2)),
            lambda m: int(_activation_run(m, _label_of(student))["w"].shape[1]),
            "w moves to 1 (every run)",
        )
    ]
    return _result("A6", st, _settings(r), maps)


@claim(
    "A7",
    "Because steps are finite, particular combinations of w0 and a large enough step size jump over the vanishing gradient.",
    figures=("lip",),
)
def check_a7(quick=False, **kw):
    r = _run("lip", quick, kw)
    th = r["thresholds"]
    lrs = np.asarray(th["lr"], np.float64)
    found = int(np.sum(np.isfinite(lrs)))
    mb = r["minibatch"]
    mid = 1  # the middle step size of the minibatch runs
    counts = [(int(mb[f"w0_{j}"]["crossed"][mid]), int(mb["seeds"])) for j in range(3)]
    ev = {
        "w0": list(map(float, th["w0"])),
        "threshold_lr": [float(v) if np.isfinite(v) else None for v in lrs],
        "tolerance": float(th["tolerance"]),
        "analytic_1_over_h": 1.0 / float(r["h"]) if "h" in r else None,
        "minibatch_lr": float(mb["lrs"][mid]),
        "minibatch_crossed": [c for c, _ in counts],
    }
    st = [
        _st(
            "a large enough step size makes negative starts jump over the vanishing gradient (cross w = 0)",
            rules.sometimes(found, len(lrs)),
            rules.sometimes,
            ev,
            r.settings,
        ),
        _st(
            "whether they cross depends on the combination of w(0) and the step size",
            rules.depends_on(
                [v for v in lrs if np.isfinite(v)],
                tol=4 * float(th["tolerance"]) + 1e-12,
                minibatch=counts,
                name="smallest crossing step size",
            ),
            rules.depends_on,
            ev,
            r.settings,
        ),
    ]
    return _result("A7", st, _settings(r))


@claim(
    "A8",
    "From w0 = -10, Adam, AMSGrad or SGD with momentum do not help; Adam even slows progress.",
    figures=("optimizers", "lip"),
)
def check_a8(quick=False, **kw):
    r = _run("optimizers", quick, kw)
    budget = int(r.settings["steps"])
    mom, adam, ams, sgd = r["a8_momentum"], r["a8_adam"], r["a8_amsgrad"], r["a8_sgd"]
    thr = r["a8_momentum_threshold"]
    st = [
        _st(
            f"SGD with momentum ({r.settings['momentum']:g}, lr 0.01) does not help: it does not cross w = 0 either",
            rules.within_budget(int(mom["exact_crossed"]), budget),
            rules.within_budget,
            {
                "first_crossing": int(mom["exact_crossed"]),
                "momentum_needed_within_budget": float(thr["finite"]),
                "threshold_tolerance": float(thr["tolerance"]),
                "momentum_needed_eventually": float(thr["infinite"]),
            },
            r.settings,
        ),
        _st(
            "Adam (lr 0.001) does not help",
            rules.within_budget(
                int(adam["exact_crossed"]),
                budget,
                later_step=int(r["a8_adam_long"]["crossed"]),
                later_budget=int(r["a8_adam_long"]["steps"]),
            ),
            rules.within_budget,
            {"first_crossing": int(adam["exact_crossed"]), "long_run_crossing": int(r["a8_adam_long"]["crossed"])},
            r.settings,
        ),
        _st(
            "Adam with AMSGrad (lr 0.001) does not help",
            rules.within_budget(int(ams["exact_crossed"]), budget),
            rules.within_budget,
            {"first_crossing": int(ams["exact_crossed"])},
            r.settings,
        ),
        _st(
            "Adam even slows progress: after the budget it is further from 0 than SGD",
            rules.differ(
                float(sgd["exact_w"][-1]),
                float(adam["exact_w"][-1]),
                tol=0.0,
                name_a="w after SGD",
                name_b="w after Adam",
            ),
            rules.differ,
            {"sgd_w": float(sgd["exact_w"][-1]), "adam_w": float(adam["exact_w"][-1])},
            r.settings,
        ),
    ]
    h = float(thr["h"])
    cols = []
    for beta in (0.5, 0.8, 0.81, 0.9, 0.99):
        for steps in (budget, 10 * budget):
            first = int(P.analytic_crossing("momentum", 0.01, beta, steps, h))
            j = rules.within_budget(first, steps)
            cols.append(
                {
                    "label": f"momentum {beta:g}, {steps} steps",
                    "verdict": j.verdict,
                    "reason": j.reason,
                    "original": beta == r.settings["momentum"] and steps == budget,
                }
            )
    defs = []
    for name in ("adam", "adam_keras", "amsgrad", "amsgrad_keras"):
        run = r[f"a8_{name}"]
        j = rules.within_budget(int(run["exact_crossed"]), budget)
        defs.append(
            {
                "label": f"{name} (exact gradients)",
                "verdict": j.verdict,
                "reason": j.reason,
                "original": name.endswith("keras"),
            }
        )
        k = int(np.sum(run["crossed"] > 0))
        j = rules.never(k, int(run["crossed"].size))
        defs.append(
            {
                "label": f"{name} (minibatch)",
                "verdict": j.verdict,
                "reason": j.reason,
                "original": name.endswith("keras"),
            }
        )
    maps = [
        SettingsMap("momentum (lr 0.01) does not cross", "momentum and horizon (exact recursion)", cols),
        SettingsMap(
            "Adam / AMSGrad (lr 0.001) do not cross within the budget", "optimizer definition and gradient", defs
        ),
    ]
    return _result("A8", st, _settings(r), maps)


@claim(
    "A9",
    "From w0 = -1, Adam (0.01), SGD with momentum (0.01) and even vanilla SGD (0.01) overcome the vanishing gradient.",
    figures=("optimizers",),
)
def check_a9(quick=False, **kw):
    r = _run("optimizers", quick, kw)
    st = []
    for name, text in (
        ("adam", "Adam (lr 0.01)"),
        ("momentum", "SGD with momentum (lr 0.01)"),
        ("sgd", "vanilla SGD (lr 0.01)"),
    ):
        run = r[f"a9_{name}"]
        k, n = int(np.sum(run["crossed"] > 0)), int(run["crossed"].size)
        st.append(
            _st(
                f"from w0 = -1, {text} overcomes the vanishing gradient (crosses w = 0) in every run",
                rules.always(k, n),
                rules.always,
                {"crossed": k, "runs": n, "exact_first_crossing": int(run["exact_crossed"])},
                r.settings,
            )
        )
    cols = []
    for name in ("adam", "adam_keras"):
        run = r[f"a9_{name}"]
        k, n = int(np.sum(run["crossed"] > 0)), int(run["crossed"].size)
        j = rules.always(k, n)
        cols.append(
            {"label": f"{name}, minibatch", "verdict": j.verdict, "reason": j.reason, "original": name == "adam_keras"}
        )
        e = int(run["exact_crossed"])
        j = rules.always(int(e > 0), 1)
        cols.append({"label": f"{name}, exact gradients", "verdict": j.verdict, "reason": j.reason, "original": False})
    maps = [SettingsMap("Adam (lr 0.01) crosses from w0 = -1", "optimizer definition and gradient", cols)]
    return _result("A9", st, _settings(r), maps)


@claim(
    "A10",
    "LeakyReLU, ELU and SELU fail the same way once the model has an output weight and bias.",
    figures=("four_parameter",),
)
def check_a10(quick=False, **kw):
    r = _run("four_parameter_activations", quick, kw)
    st, cols, limit_cols = [], [], []
    steps = r["record_steps"]
    for i in range(len(r["activations"])):
        a = r[f"a{i}"]
        lab, exc = a["labels"][-1], a["excess"][-1]
        n = int(lab.size)
        above = exc > 0.01
        conv = _count(lab, STUCK, above)
        mov = _count(lab, [MOVING], above)
        at_line = int(np.sum(above & (np.abs(a["loss"] - float(r["line_fit"])) < 0.005)))
        ev = {
            "runs": n,
            "stuck_converged": conv,
            "still_moving_above_optimum": mov,
            "above_optimum_at_best_line_level": at_line,
            "best_line_level": float(r["line_fit"]),
            "steps": int(steps[-1]),
        }
        budget = rules.stuck(conv, mov, n)
        if "limit_labels" not in a:  # not analysed in the limit: the budget's verdict, saying so
            why = "not analysed in the limit (its loss is by quadrature, too slow for the flow to the limit)"
            st.append(
                _st(
                    f"with {a['label']} the model a act(w x + b) + c also gets stuck above its optimum from some "
                    "starts",
                    rules.Judgement(budget.verdict, f"{budget.reason}; {why}"),
                    rules.stuck,
                    ev,
                    r.settings,
                )
            )
            limit_cols.append(
                {"label": f"{a['label']}, in the limit", "verdict": "inconclusive", "reason": why, "original": False}
            )
            _budget_columns(cols, a, steps)
            continue
        above_l = np.asarray(a["limit_loss"]) - float(a["min_loss"]) > 0.01
        lim = _limit_counts(a, above_l)
        in_limit = rules.stuck(lim["stuck"], lim["moving"], n, escaping=lim["escaping"])
        ev |= {"limit_above_optimum_" + k: v for k, v in lim.items() if k != "n"} | {
            "t_end": float(r.settings["t_end"])
        }
        st.append(
            _st(
                f"with {a['label']} the model a act(w x + b) + c also gets stuck above its optimum from some starts",
                _in_the_limit(in_limit, budget, lim, r.settings["t_end"]),
                rules.stuck,
                ev,
                r.settings,
            )
        )
        limit_cols.append(
            {
                "label": f"{a['label']}, in the limit (gradient flow to t = {r.settings['t_end']:g})",
                "verdict": in_limit.verdict,
                "reason": in_limit.reason + _escaping_words(lim),
                "original": False,
            }
        )
        _budget_columns(cols, a, steps)
    maps = [
        SettingsMap(
            "gets stuck above its optimum", "budget (exact-gradient SGD, lr 0.05), then the limit", cols + limit_cols
        )
    ]
    return _result("A10", st, _settings(r), maps)


def _budget_columns(cols, a, steps):
    """A10's verdict at every recorded budget of one activation's runs."""
    for j, s in enumerate(steps):
        lb, ex = a["labels"][j], a["excess"][j]
        ab = ex > 0.01
        jj = rules.stuck(_count(lb, STUCK, ab), _count(lb, [MOVING], ab), int(lb.size))
        cols.append({"label": f"{a['label']}, {int(s)} steps", "verdict": jj.verdict, "reason": jj.reason})
        cols[-1]["original"] = False


@claim("A11", "LeakyReLU and ELU work fine for the single-weight example.", figures=("activations",))
def check_a11(quick=False, students=("leaky_relu:0.3", "elu"), **kw):
    kw = _students(kw, *students)
    r = _run("activations", quick, kw)
    st = []
    for s in students:
        a = _activation_run(r, _label_of(s))
        k, n = _count(a["labels"], [MIN]), int(a["labels"].size)
        st.append(
            _st(
                f"{a['label']} works fine from w0 = -10: it reaches its own optimum",
                rules.always(k, n, moving=_count(a["labels"], [MOVING])),
                rules.always,
                {
                    "reached": k,
                    "runs": n,
                    "optimum_w": float(a["optimum_w"]),
                    "mean_final_w": float(np.mean(a["w"][-1])),
                },
                r.settings,
            )
        )
    return _result("A11", st, _settings(r))


@claim(
    "A12",
    "With ReLU, even SGD without momentum jumps over the lip if the step size is large enough for the current w.",
    figures=("lip",),
)
def check_a12(quick=False, **kw):
    r = _run("lip", quick, kw)
    th = r["thresholds"]
    lrs = np.asarray(th["lr"], np.float64)
    found = int(np.sum(np.isfinite(lrs)))
    mb = r["minibatch"]
    counts = [(int(mb[f"w0_{j}"]["crossed"][1]), int(mb["seeds"])) for j in range(3)]
    ev = {
        "w": list(map(float, th["w0"])),
        "threshold_lr": [float(v) if np.isfinite(v) else None for v in lrs],
        "tolerance": float(th["tolerance"]),
    }
    st = [
        _st(
            "with relu, plain SGD can jump over the lip if the step size is large enough",
            rules.sometimes(found, len(lrs)),
            rules.sometimes,
            ev,
            r.settings,
        ),
        _st(
            "the step size needed depends on the current w",
            rules.depends_on(
                [v for v in lrs if np.isfinite(v)],
                tol=4 * float(th["tolerance"]) + 1e-12,
                minibatch=counts,
                name="smallest crossing step size",
            ),
            rules.depends_on,
            ev,
            r.settings,
        ),
    ]
    return _result("A12", st, _settings(r))


@claim(
    "A13",
    "A leaky slope of 1 is the identity; with |c| > 1 many stacked layers make gradients explode.",
    figures=("deep_networks",),
)
def check_a13(quick=False, **kw):
    r = _run("gradient_growth", quick, kw)
    c = np.asarray(r["slopes"])
    big = np.abs(c) > 1
    low = np.asarray([normal_interval(m, se)[0] for m, se in zip(r["rate"], r["stderr"])])
    ev = {
        "slopes": c.tolist(),
        "rate": r["rate"].tolist(),
        "stderr": r["stderr"].tolist(),
        "finite_width": r["finite_width"].tolist(),
        "mean_field": r["mean_field"].tolist(),
    }
    st = [
        _st(
            "a leaky slope c = 1 makes the activation the identity",
            rules.at_most(float(r["identity_max_gap"]), 0.0, name="largest |act(z) - z|"),
            rules.at_most,
            {"identity_max_gap": float(r["identity_max_gap"])},
            r.settings,
        ),
        _st(
            "with |c| > 1 many stacked layers make gradients explode (|J v|^2 grows per layer)",
            rules.at_least(
                float(low[big].min()) if big.any() else None,
                0.0,
                name="smallest lower 95% bound of the growth rate for |c| > 1",
            ),
            rules.at_least,
            ev,
            r.settings,
        ),
    ]
    return _result("A13", st, _settings(r))


def run_claims(ids=None, quick=False, progress=None):
    """Run the checks of ``ids`` (all by default); returns ``{id: ClaimResult}``.

    Raises:
      ValueError: an unknown id (the message lists the known ones).
    """
    ids = list(CLAIMS) if ids is None else list(ids)
    unknown = [i for i in ids if i not in CLAIMS]
    if unknown:
        raise ValueError(f"unknown claim ids {unknown}; known: {', '.join(CLAIMS)}")
    out = {}
    for i in ids:
        out[i] = CLAIMS[i].check(quick=quick)
        if progress:
            progress(i, out[i])
    return out


# ----------------------------------------------------------------------- extension
STATUS = {"confirmed": "agrees", "refuted": "differs", "inconclusive": "no reference", "conditional": "differs"}


def _binomial_se(p, n):
    return math.sqrt(max(p * (1 - p), 1.0 / n) / n)


def _row(rid, question, measured, ci, reference, reference_kind, judgement, settings, note=""):
    status = "no reference" if reference is None else STATUS[judgement.verdict]
    return {
        "id": rid,
        "question": question,
        "measured": measured,
        "ci": ci,
        "reference": reference,
        "reference_kind": reference_kind,
        "status": status,
        "agrees": status == "agrees",
        "reason": judgement.reason if reference is not None else note,
        "settings": settings,
    }


def run_extension(quick=False):
    """The deeper-network rows D1-D8 (see the module docstring)."""
    bd = R.run("born_dead", quick=quick)
    depths = list(bd["depths"])
    depth, width = REPORT_SHAPES["born-dead"]
    i10 = depths.index(depth)
    w3 = bd[f"w{width}"]
    p, n = float(w3["single"][i10]), int(bd.settings["samples"])
    rows = [
        _row(
            "D1",
            f"one input dead, bias-free depth {depth} width {width} ({bd.settings['scheme']} init)",
            p,
            list(w3["single_ci"][i10]),
            float(w3["closed_form"][i10]),
            "closed form 1-(1-2^-N)^(L-1) (Lu et al. 2020)",
            rules.agrees(p, _binomial_se(p, n), float(w3["closed_form"][i10])),
            bd.settings,
        )
    ]
    rows.append(
        _row(
            "D2",
            "born dead on the whole line, same networks (exact detection)",
            float(w3["support"][i10]),
            list(w3["support_ci"][i10]),
            None,
            "none: no closed form or published value for this protocol",
            rules.Judgement("inconclusive", ""),
            bd.settings,
            note="measured only; every network the detector calls dead is dead at every point of a dense grid (tested)",
        )
    )
    dn = R.run("deep_networks", quick=quick)
    dd = list(dn["depths"])
    depth, width = REPORT_SHAPES["dying"]
    j10 = dd.index(depth)
    he, rai = dn["he_normal"], dn["rai"]
    rows.append(
        _row(
            "D3",
            f"collapse while fitting |x|, depth {depth} width {width}: He vs RAI",
            {"he_normal": float(he["rate"][j10]), "rai": float(rai["rate"][j10])},
            {"he_normal": list(he["ci"][j10]), "rai": list(rai["ci"][j10])},
            None,
            "Lu et al. 2020 state in words that RAI collapses less (no number for this protocol)",
            rules.Judgement("inconclusive", ""),
            dn.settings,
            note=rules.more_likely(
                int(he["k"][j10]), int(he["n"]), int(rai["k"][j10]), int(rai["n"]), names=("He", "RAI")
            ).reason,
        )
    )
    ks = [int(k) for k in dn["ks"]]
    ka, kb = ks[0], ks[-1]
    rows.append(
        _row(
            "D4",
            f"spurious minima from Xavier starts, k = n = {ka} vs {kb} (exact gradients, Hessian-checked in floating point)",
            {f"k={k}": float(dn["extra0"]["rate"][ks.index(k)]) for k in (ka, kb)},
            {f"k={k}": list(dn["extra0"]["ci"][ks.index(k)]) for k in (ka, kb)},
            None,
            "Safran & Shamir 2018 state in words that they are common and grow with k (their tables are not "
            "transcribed here)",
            rules.Judgement("inconclusive", ""),
            dn.settings,
            note=rules.more_likely(
                int(dn["extra0"]["k"][ks.index(kb)]),
                int(dn["extra0"]["n"]),
                int(dn["extra0"]["k"][ks.index(ka)]),
                int(dn["extra0"]["n"]),
                names=(f"k = {kb}", f"k = {ka}"),
            ).reason,
        )
    )
    gg = R.run("gradient_growth", quick=quick)
    sl = list(gg["slopes"])
    i15 = sl.index(1.5)
    rows.append(
        _row(
            "D5",
            "per-layer growth of |J v|^2 through leaky layers of slope 1.5 (depth "
            f"{gg.settings['depth']}, width {gg.settings['width']})",
            float(gg["rate"][i15]),
            list(normal_interval(float(gg["rate"][i15]), float(gg["stderr"][i15]), AGREEMENT)),
            float(gg["finite_width"][i15]),
            f"exact finite-width expectation (mean field log((1+c^2)/2) = {float(gg['mean_field'][i15]):.4f})",
            rules.agrees(float(gg["rate"][i15]), float(gg["stderr"][i15]), float(gg["finite_width"][i15])),
            gg.settings,
        )
    )
    i = ks.index(kb)
    rows.append(
        _row(
            "D6",
            f"one extra student unit, k = {kb}: n = {kb + 1} vs n = {kb}",
            {f"n={kb + 1}": float(dn["extra1"]["rate"][i]), f"n={kb}": float(dn["extra0"]["rate"][i])},
            {f"n={kb + 1}": list(dn["extra1"]["ci"][i]), f"n={kb}": list(dn["extra0"]["ci"][i])},
            None,
            "Safran & Shamir 2018 state in words that mild over-parameterization drastically reduces them",
            rules.Judgement("inconclusive", ""),
            dn.settings,
            note=rules.more_likely(
                int(dn["extra0"]["k"][i]),
                int(dn["extra0"]["n"]),
                int(dn["extra1"]["k"][i]),
                int(dn["extra1"]["n"]),
                names=(f"n = {kb}", f"n = {kb + 1}"),
            ).reason,
        )
    )
    pm = R.run("published_minimum", quick=quick)
    bound = float(pm["max_eig"]) * float(pm["rounding"]) * 7.0  # ||H|| * rounding * sqrt(49 entries)
    j = published_point(float(pm["grad_norm"]), float(pm["min_eig"]), float(pm["loss"]), bound)
    proof = pm["proof"]
    row = _row(
        "D7",
        "the published k = n = 7 spurious minimum under this package's loss: gradient norm, smallest "
        "Hessian eigenvalue, loss (float64), and its proof",
        [float(pm["grad_norm"]), float(pm["min_eig"]), float(pm["loss"])],
        None,
        bound,
        "Safran, Yehudai & Shamir 2021 (10 digits): stationary up to its rounding (gradient at most "
        "||H|| x 5e-11 x 7), positive definite, loss > 0",
        rules.Judgement(j.verdict, f"{j.reason}; {proof['reason']}"),
        pm.settings,
    )
    rows.append({**row, "certificates": [certificate_row(7, proof)]})
    sp = R.run("spurious_proofs", quick=quick)
    ks = [int(k) for k in sp["ks"]]
    cases = {f"k={k}": (int(sp[f"k{k}"]["points"]), int(sp[f"k{k}"]["proven"])) for k in ks}
    row = _row(
        "D8",
        f"spurious minima of k = n = {ks[0]}..{ks[-1]} proven in ball arithmetic (found by exact-gradient descent "
        "from Xavier starts; proven: strict local minimum with loss > 0)",
        {c: f"{p} of {f}" for c, (f, p) in cases.items()},
        None,
        "a spurious minimum for each k",
        "Safran & Shamir 2018 prove spurious minima exist for k = n = 6..20 (computer-assisted)",
        _with_starts(rules.proven_for_each(cases), sp, ks),
        sp.settings,
    )
    certs = [certificate_row(k, sp[f"k{k}"][f"p{i}"]) for k in ks for i in range(int(sp[f"k{k}"]["points"]))]
    rows.append({**row, "certificates": certs})
    return rows


def _with_starts(j, sp, ks):
    starts = ", ".join(f"k={k}: {int(sp[f'k{k}']['spurious'])} of {int(sp[f'k{k}']['starts'])}" for k in ks)
    return rules.Judgement(j.verdict, f"{j.reason}; starts ending at a spurious point (float64 check): {starts}")


def certificate_row(k, proof) -> dict:
    """One proof of :func:`analysis.proofs.prove_points` as a report row (the point's weights left out)."""
    keys = (
        "proven", "spurious", "radius", "mu", "grad_norm", "distance", "loss_lower", "loss_upper",
        "minimum_loss_lower", "float_min_eig", "moved", "seconds", "reason",
    )  # fmt: skip
    return {"k": int(k), **{key: _plain(proof[key]) for key in keys}}


def _plain(v):
    v = v.item() if hasattr(v, "item") else v
    return v if not isinstance(v, float) or math.isfinite(v) else None


def published_point(grad_norm, min_eig, loss, bound) -> rules.Judgement:
    """The published point agrees when its gradient is within what rounding explains, its Hessian is
    positive definite and its loss positive."""
    ok = grad_norm <= bound and min_eig > 0 and loss > 0
    return rules.Judgement(
        "confirmed" if ok else "refuted",
        f"gradient norm {grad_norm:.3g} (bound {bound:.3g}), smallest eigenvalue {min_eig:.3g}, loss {loss:.4g}",
    )


EXTENSION = ("D1", "D2", "D3", "D4", "D5", "D6", "D7", "D8")
