"""The figures: one thin plotting module per experiment of :mod:`analysis.registry`, named after it.

Each module has ``plot(data, ax=None) -> (fig, axes)``, which only draws, and
``main(out, quick, seed)``, which gets the data from the registry and saves the
image with a JSON sidecar; ``python -m figures`` runs them all, then the report.
"""
