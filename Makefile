# Two commands: `make reproduce` (the main job) and `make test`.
# Each creates .venv if missing and installs what it needs from the package registry.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: reproduce test bench explore docs tour quick clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

reproduce: $(STAMP)
	$(PY) -m landscape summary
	$(PY) -m figures --readme README.md
	$(PY) -m landscape train --w0 -10 2 --json figures/out/original.json

# two workers, one test file each (module fixtures are built once), the longest files first; about 12 minutes
# on 2 cores, under 3.3 GB a process
test: $(STAMP)
	$(PY) -m pytest -n 2 --dist loadfile

# the landscape explorer on http://127.0.0.1:8050/ (PORT=... to change)
explore: $(STAMP)
	$(PY) -m explorer --port $(or $(PORT),8050)

bench: $(STAMP)
	$(PY) -m benchmarks --readme README.md

# the documentation site (mkdocs, API reference from the docstrings) into site/; warnings are errors
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(PY) -m mkdocs build --strict --site-dir site

# the notebook tour run top to bottom: writes examples/tour.ipynb with its outputs (what the docs show)
tour: $(STAMP)
	$(VENV)/bin/jupytext --to notebook --execute examples/tour.py

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache site
