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
LAUNCHER ?=
HYDRA_ARGS ?=
NEW     ?=
BASE    ?= ppo,td3,sac
METRIC  ?= final
RUN     ?=
EPISODES ?= 10
FROM    ?=

export TF_CPP_MIN_LOG_LEVEL := 2

sweep_args = $(if $(ALGOS),--algos $(ALGOS)) $(if $(TASKS),--tasks $(TASKS)) \
             $(if $(SEEDS),--seeds $(SEEDS)) $(if $(STEPS),--steps $(STEPS)) \
             $(if $(JOBS),--jobs $(JOBS)) $(if $(LAUNCHER),--launcher $(LAUNCHER)) \
             --results $(RESULTS) $(if $(HYDRA_ARGS),-- $(HYDRA_ARGS))

.PHONY: help bench plan quick table curves collect compare evaluate video random-scores test lint format \
        venv clean-venv perf peers

## help: this list (the default target)
help:
	@sed -n 's/^## \{0,1\}//p' $(MAKEFILE_LIST)

## venv: create .venv and install the project with its test tools (every target below does it first)
venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

## bench: the full suite (every algorithm x every task x seeds 0..4, 500k steps), then table and curves
bench: $(STAMP)
	$(PY) -m sweeps.bench bench $(sweep_args)

## plan: where each run of a sweep stands (same arguments as bench) and the time left; runs nothing
plan: $(STAMP)
	$(PY) -m sweeps.bench $(SUITE) --plan $(sweep_args)

## quick: the same pipeline on a small budget (two tasks per action kind, two seeds, 5k steps)
quick: $(STAMP)
	$(PY) -m sweeps.bench quick $(sweep_args)

## table / curves: regenerate from whatever runs exist (SUITE=, RESULTS=)
table: $(STAMP)
	$(PY) -m analysis table --suite $(SUITE) --results $(RESULTS)

curves: $(STAMP)
	$(PY) -m analysis curves --suite $(SUITE) --results $(RESULTS)

## collect: copy the finished runs of another results folder (FROM=) in (small files only), then table
collect: $(STAMP)
	@test -n "$(FROM)" || { echo "usage: make collect FROM=<other results folder> [SUITE=bench]"; exit 2; }
	$(PY) -m sweeps.collect $(FROM) --suite $(SUITE) --results $(RESULTS); rc=$$?; \
	  [ $$rc -gt 1 ] || $(PY) -m analysis table --suite $(SUITE) --results $(RESULTS); exit $$rc

## compare: NEW against BASE (per task and across tasks) -> compare_<algo>.md beside NEW's runs;
##   NEW/BASE entries: ALGO (runs in <results>/<suite>) or ALGO@FOLDER (runs in <results>/FOLDER);
##   METRIC=final (the last evaluation), last10 (mean of the last 10) or auc (mean over the run)
compare: $(STAMP)
	@test -n "$(NEW)" || { echo "usage: make compare NEW=<algo>[@folder] [BASE=ppo,td3,sac] [SUITE=bench] [METRIC=final|last10|auc]"; exit 2; }
	$(PY) -m analysis.compare $(NEW) --base $(BASE) --suite $(SUITE) --results $(RESULTS) --metric $(METRIC)

## evaluate / video: reload a run's saved policy (RUN=<run folder>)
evaluate: $(STAMP)
	@test -n "$(RUN)" || { echo "usage: make evaluate RUN=<run folder> [EPISODES=10] [EVAL_SETS=0,1,2]"; exit 2; }
	$(PY) -m sweeps.evaluate $(RUN) --episodes $(EPISODES) $(if $(EVAL_SETS),--eval-sets $(EVAL_SETS))

video: $(STAMP)
	@test -n "$(RUN)" || { echo "usage: make video RUN=<run folder>"; exit 2; }
	@$(PY) -c "import ctypes.util, sys; sys.exit(0 if ctypes.util.find_library('EGL') else 1)" \
	  || { command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] \
	       && apt-get install -y -q libegl1 libgl1 >/dev/null; } \
	  || echo "note: no EGL library found; install libegl1 (or libosmesa6 with MUJOCO_GL=osmesa)"
	$(PY) -m sweeps.video $(RUN)

## random-scores: measure the random-policy returns used to normalise scores
random-scores: $(STAMP)
	$(PY) -m analysis.random_scores

## test: lint, format check and the test suite
test: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m pytest -q -n 2 --durations=15

## lint / format: ruff's check, or its fixes and formatting applied to the tree
lint: $(STAMP)
	$(VENV)/bin/ruff check .

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## clean-venv: remove .venv (the next target rebuilds it)
clean-venv:
	rm -rf $(VENV)

## perf: training env steps/s of each algorithm on HalfCheetah-v4, and SB3's when .venv-sb3 exists
##   (PERF_ALGOS=ppo,a2c,trpo PERF_STEPS=30000 PERF_ROUNDS=3: alternate ours and SB3, medians)
PERF_ALGOS ?=
PERF_STEPS ?=
PERF_ROUNDS ?=
perf: $(STAMP)
	TF_NUM_INTRAOP_THREADS=1 TF_NUM_INTEROP_THREADS=1 OMP_NUM_THREADS=1 \
	$(PY) -m sweeps.perf $(if $(PERF_ALGOS),--algos $(PERF_ALGOS)) \
	    $(if $(PERF_STEPS),--steps $(PERF_STEPS)) $(if $(PERF_ROUNDS),--rounds $(PERF_ROUNDS))

## peers: a separate .venv-sb3 with Stable-Baselines3 + SB3-contrib (CPU torch) for `make perf`
PEERS_VENV := .venv-sb3
peers:
	test -x $(PEERS_VENV)/bin/python || $(PYTHON) -m venv $(PEERS_VENV)
	$(PEERS_VENV)/bin/python -m pip install --quiet --upgrade pip
	# the CPU build of torch (never a CUDA one): pin the local +cpu wheel, then SB3 on top of it
	$(PEERS_VENV)/bin/python -m pip install --quiet --only-binary=:all: 'torch==2.13.0+cpu'
	$(PEERS_VENV)/bin/python -m pip install --quiet 'torch==2.13.0+cpu' stable-baselines3 \
	    sb3-contrib 'gymnasium[mujoco]>=1.1,<2'
