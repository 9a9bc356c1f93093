# Every target sets up what it needs: a fresh machine only needs `make demo` or `make test`.
.DEFAULT_GOAL := help
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: help install demo serve test postgres lint format typecheck check bench screenshots clean

help: ## Show the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) ## Create .venv with llmobs and its development tools

demo: install ## Load demo data into demo.duckdb and serve it on http://127.0.0.1:4318
	$(BIN)/llmobs demo --db duckdb:///demo.duckdb

postgres: ## Start the local PostgreSQL server and create the test role and database
	./scripts/test_postgres.sh

test: install postgres ## Run the whole test suite (DuckDB and PostgreSQL)
	$(BIN)/python -m pytest

lint: install ## ruff check and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install ## Apply ruff fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

typecheck: install ## mypy --strict
	$(BIN)/mypy

check: lint typecheck test ## lint + typecheck + test

bench: install postgres ## Run the benchmarks and print their figures
	$(BIN)/python bench/bench_write.py
	$(BIN)/python bench/bench_ingest.py
	$(BIN)/python bench/bench_queries.py

screenshots: install ## Write PNGs of the main pages into docs/img/ (needs /usr/bin/chromium)
	$(BIN)/python scripts/screenshots.py --out docs/img

clean: ## Remove the virtualenv and caches
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
