# The two commands: `make run` and `make test`. Everything they need is installed from here.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
VENDOR := web/static/vendor
CHROMIUM := $(shell command -v chromium 2>/dev/null)

.PHONY: run test install assets browser migrate bench clean

run: install
	$(VENV)/bin/cascade run

# Two processes, as many as CI's cores (tests/conftest.py says how they share the work).
TEST_WORKERS ?= 2

# Lint first: a ruff finding fails the run before the slow tests start.
test: install browser
	$(VENV)/bin/ruff check .
	$(PY) -m pytest -n $(TEST_WORKERS)

install: $(INSTALLED) $(VENDOR)/.installed

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Cascade needs Python 3.11 or newer"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(INSTALLED): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $@

assets: $(VENDOR)/.installed

# Pinned packages from the npm registry; no lockfile is needed because none of them has
# dependencies of its own except swagger-ui-dist's exact-pinned one. Install scripts are off.
# us-atlas: the Census Bureau's county boundaries, for the reach dashboard's map (web/dashboard).
$(VENDOR)/.installed: package.json
	npm install --no-package-lock --no-audit --no-fund --ignore-scripts --loglevel=error
	mkdir -p $(VENDOR)/swagger-ui
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/
	cp node_modules/@picocss/pico/css/pico.min.css $(VENDOR)/
	cp node_modules/swagger-ui-dist/swagger-ui-bundle.js node_modules/swagger-ui-dist/swagger-ui.css $(VENDOR)/swagger-ui/
	cp node_modules/us-atlas/counties-albers-10m.json $(VENDOR)/
	@touch $@

# Browser tests drive Debian's Chromium; nothing downloads a browser of its own.
browser:
ifeq ($(CHROMIUM),)
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
endif

migrate: install
	$(VENV)/bin/cascade migrate

bench: install
	$(PY) -m pip install --quiet -e '.[test,bench]'
	$(PY) bench/gateway.py

clean:
	rm -rf $(VENV) node_modules $(VENDOR) var
