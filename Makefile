# One entry point for people and CI. `make demo` sets everything up and runs the main job;
# `make test` runs every check CI runs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
OUT    ?= demo-out
LAB_PORT ?= 8888

.PHONY: setup demo test lint format typecheck unit notebooks bench clean lab browser

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

demo: setup
	$(BIN)/sesops demo --out $(OUT)

test: lint typecheck unit

lint: setup
	$(BIN)/ruff check sesops tests benchmarks sample_payloads
	$(BIN)/ruff format --check sesops tests benchmarks sample_payloads

format: setup
	$(BIN)/ruff check --fix sesops tests benchmarks sample_payloads
	$(BIN)/ruff format sesops tests benchmarks sample_payloads

typecheck: setup
	$(BIN)/mypy

unit: setup
	$(BIN)/pytest

# JupyterLab on notebooks/ (127.0.0.1), with the embedded sandbox running beside it: no AWS account needed.
lab: setup
	$(BIN)/sesops notebook lab --notebooks notebooks --port $(LAB_PORT)

# Only the real-browser test (JupyterLab driven by Debian's chromium); screenshots in test-artifacts/.
browser: setup
	$(BIN)/pytest -m browser tests/browser

bench: setup
	$(BIN)/python benchmarks/bench_load.py

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .mypy_cache .ruff_cache
