# revgen: `make` prints this menu. `make demo` and `make test` are all a new user needs.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3 2>/dev/null || echo python3.11)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install demo test browser redis ci airflow docs bench lint db-up db-down clean

help:  ## this menu
	@echo "revgen - the revenue-funnel warehouse"
	@echo
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(INSTALLED): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null || { \
	  echo "revgen needs Python 3.11, and '$(PYTHON)' is not it (or is missing)." \
	       "Install it (Debian/Ubuntu: apt install python3.11 python3.11-venv; macOS: brew install python@3.11)" \
	       "or name it: make PYTHON=/path/to/python3.11 ..." >&2; exit 1; }
	@$(PYTHON) -m venv $(VENV) || { echo "Cannot create a virtualenv: on Debian/Ubuntu install python3.11-venv." >&2; exit 1; }
	@echo "Installing revgen and its pinned dependencies into $(VENV) (about 3 minutes, 0.9 GB)..."
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

install: $(INSTALLED)  ## create .venv and install the pinned dependencies

demo: $(INSTALLED)  ## generate a demo company, run the nightly DAG on it, print the summary
	@$(BIN)/revgen demo

test: $(INSTALLED) browser redis lint  ## lint, then the whole test suite (unit, DAG integrity, integration, end-to-end)
	@$(BIN)/python -m pytest --durations=10

browser:  ## a headless Chromium for the rendering tests (installs Debian's chromium if missing)
	@scripts/ensure-browser.sh

redis:  ## redis-server for the CeleryExecutor test (installs Debian's redis-server if missing)
	@scripts/ensure-redis.sh

ci: test  ## exactly what CI runs (.ci/run calls `make test`)

airflow: $(INSTALLED)  ## Airflow (scheduler, UI on 127.0.0.1:8080; metadata on the local PostgreSQL); Ctrl-C or SIGTERM stops it
	@exec $(BIN)/revgen airflow-ui --port $${PORT:-8080} --executor $${EXECUTOR:-local} --redis $${REDIS_URL:-redis://127.0.0.1:6379}

docs: $(INSTALLED)  ## dbt docs site of the warehouse (models, columns, tests, exposures, lineage)
	@$(BIN)/revgen dbt docs generate
	@echo "docs: $$($(BIN)/python -c 'from revgen.config import paths; print(paths().dbt_target / "index.html")')  (serve: .venv/bin/revgen dbt docs serve --port 8081)"

BENCH_INSTALLED := $(VENV)/.bench-installed

$(BENCH_INSTALLED): $(INSTALLED)
	@echo "Installing the benchmark's peers (dlt, pandas: the 'bench' extra) into $(VENV)..."
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,bench]'
	@$(BIN)/python -m pip check
	@touch $@

bench: $(BENCH_INSTALLED)  ## every phase at 10k, 100k and 1M people, loads against psql/dlt/pandas -> BENCHMARKS.md (~45 min; empties the local warehouse; LOAD_ONLY=1 for the loads alone; GROWTH=1 PEOPLE=1000000,10000000 for the growth section)
	@$(BIN)/revgen bench --people $${PEOPLE:-10000,100000,1000000} $${LOAD_ONLY:+--load-only} $${GROWTH:+--growth}

lint: $(INSTALLED)  ## ruff (lint and format), mypy on the package and DAGs, sqlfluff on the dbt SQL
	@$(BIN)/ruff check revgen dags tests
	@$(BIN)/ruff format --check --quiet revgen dags tests || { echo "ruff format would change the files above: run .venv/bin/ruff format revgen dags tests" >&2; exit 1; }
	@$(BIN)/mypy revgen dags
	@cd dbt_project && ../$(BIN)/sqlfluff lint models snapshots macros tests --processes 2 --disable-progress-bar

db-up: $(INSTALLED)  ## start the project-local PostgreSQL and print its URL
	@$(BIN)/revgen db up

db-down: $(INSTALLED)  ## stop the project-local PostgreSQL
	@$(BIN)/revgen db down

clean:  ## stop the local PostgreSQL and delete $REVGEN_HOME (default .revgen/: all local data) - keeps .venv
	@[ ! -x $(BIN)/revgen ] || $(BIN)/revgen db down
	@home="$${REVGEN_HOME:-.revgen}"; case "$$home" in \
	  .revgen*|./.revgen*) rm -rf "$$home" && echo "deleted $$home";; \
	  *) echo "REVGEN_HOME=$$home is outside this folder: stopped its server, left its files (delete them yourself if you mean to)" >&2;; \
	esac
