# The same commands for developers, CI and the README.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: venv run test lint bench chaos evaluate train clean

$(STAMP): requirements.lock pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

venv: $(STAMP)

## Set up and run the daemon on its embedded defaults (SQLite, built-in emulators when no tokens are set).
run: $(STAMP)
	$(BIN)/dozor run --demo

## Set up and run the tests.
test: $(STAMP)
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python -m benchmarks.speed
	$(BIN)/python -m benchmarks.daemon
	$(BIN)/python -m benchmarks.raid
	$(BIN)/python -m benchmarks.waves

## The long chaos run (issue 14): daemons killed and faulted at random, on SQLite then PostgreSQL; each run's
## last line is its JSON figures (BENCHMARKS.md, "Chaos").
chaos: $(STAMP)
	$(BIN)/python -m benchmarks.chaos --seed 14 --comments 1000 --kills 10 --faults 40 --duration 300 --database sqlite
	$(BIN)/python -m benchmarks.chaos --seed 14 --comments 1000 --kills 10 --faults 40 --duration 300 --database postgres

evaluate: $(STAMP)
	$(BIN)/dozor evaluate evaluation/dev.jsonl
	$(BIN)/dozor evaluate evaluation/check.jsonl
	$(BIN)/dozor evaluate evaluation/check_world.jsonl

train: $(STAMP)
	$(BIN)/dozor train

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
