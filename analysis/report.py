"""The verification report: ``report.json``, ``report.md`` and the README's verdict table.

Contract
--------
* :func:`build` turns checked claims (:class:`analysis.claims.ClaimResult`)
  and the extension rows into one JSON-ready document: each claim keeps
  ``id``, ``verdict``, ``evidence`` and ``settings`` and lists its
  ``statements`` (``text``, ``verdict``, ``evidence``, ``settings``), with the
  settings maps where a verdict depends on a setting.
* :func:`render_markdown` writes one table of claims with their statements
  nested under them, the verdict vocabulary defined at the top, and for each
  statement an anchor to its evidence and settings.
* :func:`write` lands both files whole or not at all. A partial run (some
  claims only) is written as ``report-partial.json`` / ``report-partial.md``
  and never replaces the full report; :func:`update_readme` refuses a partial
  report, so the README's table always lists every claim.
"""

from __future__ import annotations

import json
import os

from landscape.io import jsonable, write_atomic

from .rules import CLAIM_VERDICTS, STATEMENT_VERDICTS

__all__ = [
    "README_END",
    "README_START",
    "VOCABULARY",
    "build",
    "check_readme",
    "render_markdown",
    "update_readme",
    "verdict_table",
    "write",
]

README_START = "<!-- verdicts:start -->"
README_END = "<!-- verdicts:end -->"

VOCABULARY = {
    "confirmed": "the statement holds in the measurements",
    "refuted": "the measurements contradict the statement",
    "conditional": "true only under a condition the claim does not state (the reason names it)",
    "inconclusive": "the evidence needed to decide is missing (for example runs still moving at the end of their budget)",
    "partly refuted": "(claims) some of its statements are refuted, others are not",
}
_MARK = {"confirmed": "✔", "refuted": "✘", "conditional": "◐", "inconclusive": "?"}


def build(claims, extension, provenance, *, quick, partial) -> dict:
    """The report document (JSON-ready)."""
    return jsonable(
        {
            "claims": [c.as_dict() for c in claims],
            "extension": extension or [],
            "provenance": provenance,
            "quick": bool(quick),
            "partial": bool(partial),
            "vocabulary": VOCABULARY,
            "claim_verdicts": list(CLAIM_VERDICTS),
            "statement_verdicts": list(STATEMENT_VERDICTS),
        }
    )


def _cell(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _fmt(v):
    if isinstance(v, float):
        return f"{v:.4g}"
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_fmt(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k}: {_fmt(x)}" for k, x in v.items()) + "}"
    return str(v)


def verdict_table(doc, *, link=None) -> str:
    """The claims table, statements nested: one row per claim, one line per statement."""
    lines = ["| claim | source | verdict | statements |", "|---|---|---|---|"]
    for c in doc["claims"]:
        parts = []
        for i, s in enumerate(c["statements"], 1):
            anchor = f"{c['id'].lower()}-s{i}"
            text = f"{_MARK[s['verdict']]} {s['verdict']}: {s['text']} ({s['reason']})"
            parts.append(f"[{_cell(text)}]({link or ''}#{anchor})" if link is not None else _cell(text))
        lines.append(f"| {c['id']} | {c['source']} | **{c['verdict']}** | " + "<br>".join(parts) + " |")
    return "\n".join(lines) + "\n"


def render_markdown(doc) -> str:
    """``report.md``: the vocabulary, the claims table, then each statement's evidence and settings."""
    md = [
        "# Verification of the claims" + (" (partial run)" if doc.get("partial") else ""),
        "",
        "Every verdict below is computed by `python -m analysis verify` from exact losses, trajectories,",
        "witnesses and phase diagrams: each claim is split into the statements it makes, each statement is",
        "judged by a pure rule of named numbers (`analysis/rules.py`), and the claim's verdict follows from its",
        "statements' by one rule: any refuted statement makes it *refuted* (all) or *partly refuted*; otherwise",
        "any inconclusive one makes it *inconclusive*; otherwise any conditional one makes it *conditional*;",
        "otherwise it is *confirmed*.",
        "",
        "## Verdicts",
        "",
    ]
    for k, v in doc["vocabulary"].items():
        md.append(f"- **{k}**: {v}")
    md += ["", "## Claims", "", verdict_table(doc, link=""), "## Evidence", ""]
    for c in doc["claims"]:
        md += [f"### {c['id']} ({c['source']}): {c['verdict']}", "", f"> {c['statement']}", ""]
        for i, s in enumerate(c["statements"], 1):
            md += [
                f'<a id="{c["id"].lower()}-s{i}"></a>',
                f"**{i}. {s['text']}**: {s['verdict']} ({s['reason']}; rule `{s['rule']}`)",
                "",
            ]
            md.append("Numbers: " + "; ".join(f"`{k}` = {_fmt(v)}" for k, v in s["evidence"].items()) + ".")
            md.append("")
            md.append("Settings: " + "; ".join(f"`{k}` = {_fmt(v)}" for k, v in s["settings"].items()) + ".")
            md.append("")
        for m in c.get("maps", []):
            md += [
                f"Across {m['setting']} (*{m['statement']}*):",
                "",
                "| setting | verdict | numbers |",
                "|---|---|---|",
            ]
            for col in m["columns"]:
                label = col["label"] + (" (original)" if col.get("original") else "")
                md.append(f"| {_cell(label)} | {col['verdict']} | {_cell(col['reason'])} |")
            flips = m.get("flips") or []
            md += [
                "",
                ("The verdict flips between " + "; ".join(f"{a} and {b}" for a, b in flips) + ".")
                if flips
                else "The verdict is the same across these settings.",
                "",
            ]
    if doc.get("extension"):
        md += [
            "## Extension: deeper networks",
            "",
            "A row *agrees* only when it is compared, with an interval test, against a closed form or a published",
            "value under the same protocol; rows without such a reference say *no reference*.",
            "",
            "| id | question | measured | 95% interval | reference | status | numbers |",
            "|---|---|---|---|---|---|---|",
        ]
        for r in doc["extension"]:
            ref = r["reference_kind"] + (f" = {_fmt(r['reference'])}" if r["reference"] is not None else "")
            cells = [
                r["id"],
                r["question"],
                _fmt(r["measured"]),
                _fmt(r["ci"]) if r["ci"] else "-",
                ref,
                r["status"],
                r.get("reason", ""),
            ]
            md.append("| " + " | ".join(_cell(x) for x in cells) + " |")
        md.append("")
        certs = [c for r in doc["extension"] for c in r.get("certificates", [])]
        if certs:
            md += [
                "### Spurious minima, proven",
                "",
                "Each point is polished by Newton steps in float64, then proven in ball arithmetic "
                "(`analysis.proofs`): the Hessian is at least mu on the ball of radius r, the gradient at most g < mu r,",
                "so a strict local minimum lies within g / mu, with a loss at least L - g^2 / (2 mu); above 0 it is "
                "spurious. *not proven* says why.",
                "",
                "| k | proven | spurious | r | mu | g | distance | loss at least | float64 smallest eigenvalue | s |",
                "|---|---|---|---|---|---|---|---|---|---|",
            ]
            for c in certs:
                cells = [
                    c["k"],
                    "yes" if c["proven"] else "not proven: " + c["reason"].removeprefix("not proven: "),
                    "yes" if c["spurious"] else "no",
                    *(_fmt(c[key]) if c[key] is not None else "-" for key in ("radius", "mu", "grad_norm", "distance")),
                    _fmt(c["minimum_loss_lower"]) if c["minimum_loss_lower"] is not None else "-",
                    _fmt(c["float_min_eig"]) if c["float_min_eig"] is not None else "-",
                    f"{c['seconds']:.2f}",
                ]
                md.append("| " + " | ".join(_cell(x) for x in cells) + " |")
            md.append("")
    return "\n".join(md)


def write(out: str, doc: dict) -> list:
    """Write ``report.json`` and ``report.md`` (``report-partial.*`` for a partial run); return the paths."""
    stem = "report-partial" if doc.get("partial") else "report"
    payload_json = json.dumps(doc, indent=2, allow_nan=False) + "\n"
    payload_md = render_markdown(doc)
    paths = [os.path.join(out, f"{stem}.json"), os.path.join(out, f"{stem}.md")]
    write_atomic(paths[0], payload_json)
    write_atomic(paths[1], payload_md)
    return paths


def check_readme(path: str) -> None:
    """Raise ``ValueError``/``OSError`` unless ``path`` is a writable file holding the verdict markers."""
    if not os.path.isfile(path):
        raise OSError(f"--readme {path!r} is not a file")
    with open(path) as fh:
        text = fh.read()
    if README_START not in text or README_END not in text:
        raise ValueError(f"{path} has no {README_START} ... {README_END} block to fill")
    if not os.access(path, os.W_OK):
        raise OSError(f"--readme {path!r} is not writable")


def update_readme(path: str, doc: dict) -> None:
    """Fill the README's verdict table from a full report.

    Raises:
      ValueError: a partial report, or a README without the markers.
    """
    if doc.get("partial"):
        raise ValueError("a partial run (--only) cannot fill the README's verdict table; run every claim")
    check_readme(path)
    with open(path) as fh:
        text = fh.read()
    head, rest = text.split(README_START, 1)
    _, tail = rest.split(README_END, 1)
    write_atomic(
        path, head + README_START + "\n" + verdict_table(doc, link="figures/out/report.md") + README_END + tail
    )


def make(out: str, *, quick: bool = False, ids=None, readme: str | None = None, progress=None) -> dict:
    """Check the claims (all, or ``ids``), and the extension rows for a full run; write the report.

    Everything that can be checked before the work is checked first: the
    output folder, the README and its markers, the claim ids. A partial run
    is written as ``report-partial.*`` and cannot fill the README.

    Returns:
      The report document.
    """
    import time

    from landscape.io import check_writable, provenance

    from .claims import CLAIMS, run_claims, run_extension

    if ids is not None:
        ids = list(ids)
        unknown = [i for i in ids if i not in CLAIMS]
        if unknown or not ids:
            raise ValueError(f"unknown claim ids {unknown or ids}; known: {', '.join(CLAIMS)}")
    partial = ids is not None and set(ids) != set(CLAIMS)
    if readme is not None:
        if partial:
            raise ValueError(
                "--readme needs every claim: a partial run (--only) is written to report-partial.* and "
                "never fills the README"
            )
        check_readme(readme)
    check_writable(out)
    t0 = time.perf_counter()
    results = run_claims(ids, quick=quick, progress=progress)
    extension = None if partial else run_extension(quick)
    if extension is not None and progress:
        for r in extension:
            progress(r["id"], r)
    doc = build(
        list(results.values()),
        extension,
        provenance(seconds=time.perf_counter() - t0, quick=quick),
        quick=quick,
        partial=partial,
    )
    write(out, doc)
    if readme is not None:
        update_readme(readme, doc)
    return doc
