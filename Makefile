# Familienwegweiser Jena – the two commands are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
SAMPLE := data/familienwegweiser-beispiel.xlsx
MEILI_BIN := .cache/meilisearch/meilisearch
AXE := .cache/axe/axe.min.js
HOST ?= 127.0.0.1
PORT ?= 8000
# Two pytest workers (xdist): every worker gets its own SQLite files, PostgreSQL database, ports and browser.
PYTEST_ARGS ?= -n 2

.PHONY: install run serve migrate import index demo-accounts demo-quality test lint format bench meilisearch axe prod-smoke clean i18n search-engine

install: $(STAMP)

# Re-installs only when pyproject.toml changed (quick and idempotent otherwise).
$(STAMP): pyproject.toml
	@test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check --upgrade pip
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

migrate: install
	$(PY) -m app.migrate

import: migrate
	$(PY) -m importers sync $(SAMPLE) || [ $$? -eq 3 ]  # 3: saved, index lags (make index follows)

index: install
	$(PY) -m search reindex

demo-accounts: migrate
	$(PY) -m app.cli demo-accounts

# SEARCH_BACKEND=meilisearch with a local MEILI_URL: starts the cached server (data in .cache/) if none answers.
search-engine: install
	$(PY) -m search ensure-engine

# Users' evaluations, indicators and a submitted report for the Qualitätsdialog (issue 16), development only.
demo-quality: migrate
	$(PY) -m app.cli demo-quality

run: search-engine import index demo-accounts demo-quality serve

serve: install
	HOST=$(HOST) PORT=$(PORT) $(VENV)/bin/uvicorn app.main:create_app --factory --host $(HOST) --port $(PORT) --no-proxy-headers

meilisearch: $(MEILI_BIN)
$(MEILI_BIN):
	./scripts/fetch-meilisearch.sh

axe: $(AXE)
$(AXE):
	./scripts/fetch-axe.sh

test: install meilisearch axe lint
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy app importers search benchmarks tests
	$(VENV)/bin/lint-imports

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: install meilisearch
	$(PY) -m benchmarks

prod-smoke: install meilisearch
	$(PY) -m scripts.prod_smoke

# Interface catalogues: extract German msgids, update the English catalogue, compile (the .mo is committed).
i18n: install
	$(VENV)/bin/pybabel extract -F babel.cfg -k N_ -k _ --sort-output --no-wrap -o app/locale/messages.pot .
	$(VENV)/bin/pybabel update -l en -d app/locale -i app/locale/messages.pot --no-wrap --no-fuzzy-matching
	$(VENV)/bin/pybabel compile -d app/locale -l en

clean:
	rm -rf $(VENV) .cache .mypy_cache .ruff_cache .pytest_cache
