# One entry point for people and CI. `make demo` sets everything up and runs the main job;
# `make test` runs every check CI runs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
OUT    ?= demo-out

.PHONY: setup demo test lint format typecheck unit notebooks bench clean

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

bench: setup
	$(BIN)/python benchmarks/bench_load.py

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .mypy_cache .ruff_cache
