# The two commands a newcomer needs (both set themselves up, and are safe to re-run):
#   make serve   build and serve the demo site on http://127.0.0.1:8000
#   make test    run every test (lint, unit, golden, Mermaid, site build, browser)
VENV   := .venv
PYTHON := $(VENV)/bin/python
STAMP  := $(VENV)/.netarch-installed
MERMAID := node_modules/mermaid/dist/mermaid.min.js
export NO_MKDOCS_2_WARNING := 1
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: serve build test lint bench setup chromium clean

setup: $(STAMP) $(MERMAID)

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -e '.[test]'
	touch $@

# The one pinned Mermaid build: the checker runs it and the site serves it.
$(MERMAID): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Browser tests use Debian's chromium (test tools may not download browsers here).
chromium:
	@command -v chromium >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium; }

serve: setup
	$(VENV)/bin/mkdocs serve --dev-addr 127.0.0.1:8000

build: setup
	$(VENV)/bin/mkdocs build --strict

lint: setup
	$(VENV)/bin/ruff check plugin tests $(wildcard bench) hatch_build.py
	$(VENV)/bin/ruff format --check plugin tests $(wildcard bench) hatch_build.py

test: setup chromium lint
	$(VENV)/bin/pytest

bench: setup
	$(PYTHON) bench/bench_mermaid_check.py

clean:
	rm -rf site .pytest_cache
