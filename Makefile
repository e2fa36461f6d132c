# Two commands on a fresh machine: `make demo` and `make test`.
# Each creates .venv when it is missing and installs the project into it, every dependency at
# the version pinned in constraints.txt (the lock, all extras); `make lock` refreshes it.

PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.costplane-installed
SPARK_STAMP = $(VENV)/.costplane-spark-installed
BENCH_STAMP = $(VENV)/.costplane-bench-installed
DEMO   ?= demo
LOCK    = constraints.txt
VALIDATOR_LOCK = scripts/focus-validator.lock
UV_VERSION ?= 0.13.9

.PHONY: demo serve test lint bench docs lock clean

$(STAMP): pyproject.toml $(LOCK)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --constraint $(LOCK) -e '.[dev]'
	@touch $(STAMP)

# The tests also run the allocation on Spark (pyspark, about 300 MB); the demo does not need it.
$(SPARK_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet --constraint $(LOCK) -e '.[dev,spark]'
	@touch $(SPARK_STAMP)

# The policy benchmark runs Cloud Custodian in the same process (the `bench` extra).
$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet --constraint $(LOCK) -e '.[dev,bench]'
	@touch $(BENCH_STAMP)

# One resolution for every extra and every Python >= 3.11 (--universal), so that `make test` and
# `make bench` install the same versions; then the focus-validator's own (scripts/focus-validate;
# focus-validator 2.2.1 does not run with pyarrow 26).
# Not tied to the stamp: a pyproject.toml the old lock cannot satisfy can still be locked.
lock:
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet uv==$(UV_VERSION)
	$(BIN)/uv pip compile --quiet --upgrade --universal --python-version 3.11 --all-extras \
		--custom-compile-command 'make lock' pyproject.toml -o $(LOCK)
	printf 'focus-validator==2.2.1\npyarrow<26\n' | $(BIN)/uv pip compile --quiet --upgrade --universal \
		--python-version 3.12 --custom-compile-command 'make lock' - -o $(VALIDATOR_LOCK)

demo: $(STAMP)
	$(BIN)/costplane --home $(DEMO) demo --start 2026-10-01 --no-serve

# Serve the project `make demo` built (building it first when it is not there): an admin token
# valid a day is printed, alone on its line, then the API answers on http://127.0.0.1:8080
# until Ctrl+C (docs/serving.md).
serve: $(STAMP)
	@test -d $(DEMO)/.costplane || $(MAKE) demo
	$(BIN)/costplane --home $(DEMO) token create --role admin --subject demo --expires 1d
	$(BIN)/costplane --home $(DEMO) serve

# On every core (pytest-xdist), a test file to a worker: a file's module fixtures are built once.
test: $(SPARK_STAMP)
	$(BIN)/python -m pytest -q -n auto --dist loadfile

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

docs: $(STAMP)
	$(BIN)/typer costplane.surfaces.cli.app utils docs --name costplane --title "Command reference" --output docs/cli.md

bench: $(BENCH_STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) $(DEMO) .pytest_cache .mypy_cache .ruff_cache

# Every Hypothesis test (the `hypothesis` marker) with many more, random examples: the
# "thorough" profile of tests/conftest.py. `make test` runs a fixed, smaller set.
.PHONY: test-properties
test-properties: $(SPARK_STAMP)
	HYPOTHESIS_PROFILE=thorough $(BIN)/python -m pytest -q -m hypothesis
