# Two entry points for a newcomer (see README): `make demo` and `make test`.
# Each bootstraps .venv on first use and is safe to run again.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint bench bench-simulate bench-steering install install-dev

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "campaign-ops needs Python 3.11, found " + sys.version.split()[0]'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

demo: $(VENV)/.installed
	$(BIN)/campaign-ops demo

test: $(VENV)/.installed-dev
	$(BIN)/pytest -n 2 --dist loadgroup

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/mypy .

# Benchmarks print side-by-side ratios; each takes one to three minutes on 2 cores.
bench: $(VENV)/.installed-dev
	$(BIN)/python bench/bench_extract_quota.py
	$(BIN)/python bench/bench_extract_cross_channel.py
	$(BIN)/python bench/bench_quality_gate.py
	$(BIN)/python bench/bench_publish.py
	$(BIN)/python bench/bench_attribution.py
	$(BIN)/python bench/bench_offline_reader.py
	$(BIN)/python bench/bench_allocator.py

# The budget flows on the simulated market, one seed after another (12 days of seed 1 took
# 237 s on 2 cores: about 20 s per simulated day and seed).
bench-simulate: $(VENV)/.installed-dev
	$(BIN)/python bench/bench_simulate.py

# The reallocation's own steps on the same market without extract or Prefect: five seeds per
# variant, about 7 minutes in all on 2 cores (12 s a seed; the true-curve ceiling 33 s).
bench-steering: $(VENV)/.installed-dev
	$(BIN)/python bench/steering_replay.py
