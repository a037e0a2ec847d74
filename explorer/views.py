"""Which view of the explorer shows the evidence of each claim (the explorer knows the report; the report
does not know the explorer). Values are query strings of the page."""

from __future__ import annotations

# starts are w:b pairs; every other key is a control of the page
VIEWS = {
    "Q1": "view=landscape&starts=0.5:0.5",
    "Q2": "view=landscape&starts=-1:0.5",
    "Q3": "view=landscape&starts=-1:0.5,0.5:0.5",
    "Q4": "view=basins",
    "Q5": "view=landscape&starts=-1:-1",
    "C1": "view=oneweight&w0=-1",
    "C2": "view=oneweight&w0=-1",
    "A1": "view=oneweight&w0=-1",
    "A2": "view=landscape&starts=-1:0.5",
    "A3": "view=landscape&starts=-2:-1",
    "A4": "view=oneweight&w0=-1",
    "A5": "view=basins",
    "A6": "view=landscape&activation=leaky_relu&slope=0.3&starts=-1:0.5",
    "A7": "view=landscape&activation=elu&starts=-1:0.5",
    "A8": "view=landscape&optimizer=adam&lr=0.01&starts=-1:0.5",
    "A9": "view=phase&method=momentum",
    "A10": "view=phase&method=momentum",
    "A11": "view=basins&optimizer=momentum",
    "A12": "view=landscape&optimizer=momentum&lr=0.1&momentum=0.9&starts=-1:0.5",
    "A13": "view=basins",
    # the deeper networks (the report's extension rows)
    "D1": "view=networks",
    "D2": "view=networks",
    "D3": "view=networks&nw-bias=1",
    "D4": "view=networks&nw-k=8",
    "D5": "view=networks",
    "D6": "view=networks&nw-k=8",
    "D7": "view=networks&nw-k=7&nw-prove=1",
    "D8": "view=networks&nw-k=7&nw-prove=1",
}
DEFAULT_VIEW = "view=landscape"
