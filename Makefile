# Lokala mål: `make run` serves the app with demo data, `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HTMX_VERSION := 2.0.11
# `make run PORT=5001` when 5000 is taken (on a Mac, AirPlay holds it).
PORT ?= 5000

.PHONY: run test install install-dev bench bench-readme lint vendor translations clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

run: install
	$(FLASK) db upgrade
	$(FLASK) demo-data --if-empty
	@$(FLASK) demo-accounts --port $(PORT)
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

# axe-core (package.json, devDependency) is only for the browser tests' accessibility checks.
node_modules/axe-core: package.json package-lock.json
	npm ci --silent

test: install-dev
	@test -d node_modules/axe-core || { command -v npm >/dev/null && $(MAKE) --no-print-directory node_modules/axe-core; } \
	  || echo "npm is missing: the accessibility checks will be skipped"
	$(BIN)/pytest $(PYTEST_ARGS)

# Writes bench/latest.json (or BENCH_OUT); `make bench-readme` puts it in the README's table.
bench: install-dev
	$(BIN)/python -m bench.run

bench-readme: install-dev
	$(BIN)/python -m bench.readme $(BENCH_OUT)

# Extract the Swedish strings, update the English catalog and compile it.
translations: install-dev
	$(BIN)/python scripts/translations.py

lint: install-dev
	$(BIN)/ruff check lokalamal_app tests

# Fetch htmx from the npm registry and check it is the file we ship, unmodified.
vendor:
	cd static/vendor/htmx && tmp=$$(mktemp -d) && \
	  (cd $$tmp && npm pack --silent htmx.org@$(HTMX_VERSION) >/dev/null && tar xzf htmx.org-$(HTMX_VERSION).tgz) && \
	  cp $$tmp/package/dist/htmx.min.js $$tmp/package/LICENSE . && rm -rf $$tmp && sha256sum -c SHA256SUMS

clean:
	rm -rf $(VENV) .pytest_cache node_modules
