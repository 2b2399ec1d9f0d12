# Every target creates .venv and installs the project into it on first use.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

SUITE   ?= bench
RESULTS ?= results
ALGOS   ?=
TASKS   ?=
SEEDS   ?=
STEPS   ?=
JOBS    ?=

export TF_CPP_MIN_LOG_LEVEL := 2

sweep_args = $(if $(ALGOS),--algos $(ALGOS)) $(if $(TASKS),--tasks $(TASKS)) \
             $(if $(SEEDS),--seeds $(SEEDS)) $(if $(STEPS),--steps $(STEPS)) \
             $(if $(JOBS),--jobs $(JOBS)) --results $(RESULTS)

.PHONY: bench quick table curves test lint format venv clean-venv

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

## bench: the full suite (every algorithm x every task x seeds 0..4, 500k steps), then table and curves
bench: $(STAMP)
	$(PY) -m sweeps.bench bench $(sweep_args)

## quick: the same pipeline on a small budget (two tasks, two seeds, 20k steps)
quick: $(STAMP)
	$(PY) -m sweeps.bench quick $(sweep_args)

## table / curves: regenerate from whatever runs exist (SUITE=, RESULTS=)
table: $(STAMP)
	$(PY) -m analysis table --suite $(SUITE) --results $(RESULTS)

curves: $(STAMP)
	$(PY) -m analysis curves --suite $(SUITE) --results $(RESULTS)

## test: lint, format check and the test suite
test: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m pytest -q

lint: $(STAMP)
	$(VENV)/bin/ruff check .

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean-venv:
	rm -rf $(VENV)
